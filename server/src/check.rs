//! The self-check's form posts: start (send a code), verify (open a session), log out; and the
//! dev SMS outbox page, served only by a demo server whose messages go to the dev outbox.

use app::api::check::{TypedCheck, PENDING_COOKIE, SESSION_COOKIE, TYPED_COOKIE};

/// How long the self-check form's typed values are kept for it to come back filled.
const TYPED_SECS: i64 = 300;
use app::domain::{mask, IdNumber, Phone};
use app::ssr::check;
use app::ssr::code::{Started, Verified, CODE_TTL_SECS};
use app::ssr::{cookie_value, session, AppContext};
use axum::extract::{ConnectInfo, Extension};
use crate::addresses::Addresses;
use std::net::SocketAddr;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use serde::Deserialize;
use sqlx::Row;

#[derive(Deserialize)]
pub struct StartForm {
    #[serde(default)]
    id_number: String,
    #[serde(default)]
    phone: String,
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

pub(crate) fn redirect(to: &str, cookies: &[String]) -> Response {
    let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response();
    for c in cookies {
        if let Ok(v) = c.parse() {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    response
}

/// `Secure` when the visitor came over https (directly or through a proxy that says so).
pub(crate) fn cookie(headers: &HeaderMap, name: &str, value: &str, max_age: Option<i64>) -> String {
    let https = headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()) == Some("https");
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if https {
        c.push_str("; Secure");
    }
    c
}

pub(crate) fn internal(e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "self-check");
    (StatusCode::INTERNAL_SERVER_ERROR, Html(page("系统繁忙", "<p>系统繁忙，请稍后再试。</p><p><a href=\"/check\">返回</a></p>"))).into_response()
}

/// A plain page for answers that are not Leptos pages (limits, errors).
pub(crate) fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><link rel=\"stylesheet\" href=\"/pkg/app.css\"></head><body><main id=\"main\"><h1>{title}</h1>{body}</main></body></html>"
    )
}

pub(crate) fn too_many(retry_after_secs: i64) -> Response {
    too_many_back(retry_after_secs, "/check")
}

/// The 429 page, with the way back to the form that asked.
pub(crate) fn too_many_back(retry_after_secs: i64, back: &str) -> Response {
    let wait = if retry_after_secs >= 3600 {
        format!("{}小时", (retry_after_secs + 3599) / 3600)
    } else if retry_after_secs >= 60 {
        format!("{}分钟", (retry_after_secs + 59) / 60)
    } else {
        format!("{retry_after_secs}秒")
    };
    let body = format!("<p role=\"alert\">获取验证码过于频繁，请在{wait}后再试。</p><p><a href=\"{back}\">返回</a></p>");
    (StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, retry_after_secs.to_string())], Html(page("请稍后再试", &body))).into_response()
}

pub async fn start(
    Extension(cx): Extension<AppContext>,
    Extension(addresses): Extension<Addresses>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<StartForm>,
) -> Response {
    // A problem sends the form back with what was typed (sealed in a cookie of a few minutes)
    // and the field named.
    let back = |problem: String| {
        let typed = TypedCheck { id_number: form.id_number.chars().take(30).collect(), phone: form.phone.chars().take(30).collect() };
        let sealed = cx.vault.seal(&serde_json::to_string(&typed).unwrap_or_default());
        redirect(&format!("/check?e={problem}"), &[cookie(&headers, TYPED_COOKIE, &sealed, Some(TYPED_SECS))])
    };
    let id = match IdNumber::parse(&form.id_number) {
        Ok(id) => id,
        Err(e) => return back(format!("id:{}", e.code())),
    };
    let phone = match Phone::parse(&form.phone) {
        Ok(p) => p,
        Err(e) => return back(format!("phone:{}", e.code())),
    };
    let forget_typed = cookie(&headers, TYPED_COOKIE, "", Some(0));
    match check::start(&cx, &id, &phone, Some(addresses.client(peer.ip(), &headers))).await {
        Ok(Started::Pending { token }) => redirect("/check/code", &[cookie(&headers, PENDING_COOKIE, &token, Some(CODE_TTL_SECS)), forget_typed]),
        Ok(Started::Limited { retry_after_secs }) => too_many(retry_after_secs),
        Err(e) => internal(e),
    }
}

pub async fn verify(Extension(cx): Extension<AppContext>, headers: HeaderMap, Form(form): Form<CodeForm>) -> Response {
    let Some(token) = cookie_value(&headers, PENDING_COOKIE) else {
        return redirect("/check?e=expired", &[]);
    };
    match check::verify(&cx, &token, &form.code).await {
        Ok(Verified::Done(session)) => redirect(
            "/check/payments",
            &[cookie(&headers, SESSION_COOKIE, &session, None), cookie(&headers, PENDING_COOKIE, "", Some(0))],
        ),
        Ok(Verified::Wrong { tries_left }) => redirect(&format!("/check/code?left={tries_left}"), &[]),
        Ok(Verified::Expired) => redirect("/check?e=expired", &[cookie(&headers, PENDING_COOKIE, "", Some(0))]),
        Err(e) => internal(e),
    }
}

pub async fn logout(Extension(cx): Extension<AppContext>, headers: HeaderMap) -> Response {
    if let Some(token) = cookie_value(&headers, SESSION_COOKIE) {
        if let Err(e) = session::close(&cx, &token).await {
            return internal(e);
        }
    }
    redirect("/check?e=signed_out", &[cookie(&headers, SESSION_COOKIE, "", Some(0))])
}

/// `/dev/sms`: the latest messages of the dev outbox; routed only when the server runs the demo
/// with the dev outbox (see `startup::router`), whatever the database says.
pub async fn dev_sms(Extension(cx): Extension<AppContext>) -> Response {
    let rows = match sqlx::query("SELECT phone_enc, body, created_at FROM sms_outbox ORDER BY id DESC LIMIT 50").fetch_all(&cx.db.pool).await {
        Ok(r) => r,
        Err(e) => return internal(e),
    };
    let mut list = String::from("<p>演示模式：短信不真正发送，最近50条显示在这里（手机号只显示后4位）。</p><ol class=\"link-list\">");
    for r in rows {
        let phone = cx.vault.decrypt(&r.get::<Vec<u8>, _>("phone_enc")).ok().and_then(|p| Phone::parse(&p).ok());
        let to = phone.map(|p| mask::phone(&p)).unwrap_or_default();
        let body = r.get::<String, _>("body").replace('<', "&lt;");
        list.push_str(&format!("<li><span class=\"meta\">{} {to}</span> <span class=\"sms\">{body}</span></li>", r.get::<String, _>("created_at")));
    }
    list.push_str("</ol>");
    Html(page("短信发件箱（演示）", &list)).into_response()
}

#[derive(Deserialize)]
pub struct YearQuery {
    year: Option<String>,
}

/// `/check/statement/csv`: the statement page's table as CSV, for the signed-in citizen only.
pub async fn statement_csv(
    Extension(cx): Extension<AppContext>,
    headers: HeaderMap,
    axum::extract::Query(q): axum::extract::Query<YearQuery>,
) -> Response {
    let Some(token) = cookie_value(&headers, SESSION_COOKIE) else {
        return (StatusCode::UNAUTHORIZED, Html(page("请先验证身份", "<p><a href=\"/check\">去验证身份</a></p>"))).into_response();
    };
    let beneficiary = match check::session(&cx, &token).await {
        Ok(Some(b)) => b,
        Ok(None) => return (StatusCode::UNAUTHORIZED, Html(page("请先验证身份", "<p><a href=\"/check\">去验证身份</a></p>"))).into_response(),
        Err(e) => return internal(e),
    };
    match app::ssr::db::check::payments(&cx.db, beneficiary).await {
        Ok(all) => {
            let statement = app::api::check::Statement::of(all, q.year.as_deref());
            (
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                    (header::CONTENT_DISPOSITION, format!("attachment; filename=\"statement-{}.csv\"", statement.year)),
                    (header::CACHE_CONTROL, "no-store".to_string()),
                ],
                statement.to_csv(),
            )
                .into_response()
        }
        Err(e) => internal(e),
    }
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    payment: String,
    #[serde(default)]
    received: String,
}

/// `POST /check/confirm`: the citizen marks a paid line 已收到 or 未收到, then returns to it.
pub async fn confirm(Extension(cx): Extension<AppContext>, headers: HeaderMap, Form(form): Form<ConfirmForm>) -> Response {
    let beneficiary = match cookie_value(&headers, SESSION_COOKIE) {
        Some(token) => match check::session(&cx, &token).await {
            Ok(Some(b)) => b,
            Ok(None) => return redirect("/check?e=expired", &[]),
            Err(e) => return internal(e),
        },
        None => return redirect("/check?e=expired", &[]),
    };
    let (Ok(payment), Some(received)) = (form.payment.parse::<i64>(), match form.received.as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    }) else {
        return redirect("/check/payments", &[]);
    };
    match app::ssr::db::check::confirm(&cx, beneficiary, payment, received).await {
        Ok(_) => redirect(&format!("/check/payments#p{payment}"), &[]),
        Err(e) => internal(e),
    }
}
