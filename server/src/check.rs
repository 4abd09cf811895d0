//! The self-check's form posts: start (send a code), verify (open a session), confirm a paid
//! line, the statement's CSV, log out; and the dev SMS outbox page, served only by a demo
//! server whose messages go to the dev outbox.

use crate::web::{cookie, page, redirect, Citizen, ClientAddr, PageError, PageResult};
use app::api::check::{TypedCheck, PENDING_COOKIE, SESSION_COOKIE, TYPED_COOKIE};
use app::domain::{IdNumber, Phone};
use app::ssr::check;
use app::ssr::code::{Started, Verified, CODE_TTL_SECS};
use app::ssr::{cookie_value, session, AppContext};
use axum::extract::{Extension, Query};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

/// How long the self-check form's typed values are kept for it to come back filled.
const TYPED_SECS: i64 = 300;

/// The self-check's routes; `dev_outbox` adds `/dev/sms`.
pub fn router<S: Clone + Send + Sync + 'static>(dev_outbox: bool) -> Router<S> {
    let routes = Router::new()
        .route("/check/start", post(start))
        .route("/check/verify", post(verify))
        .route("/check/logout", post(logout))
        .route("/check/confirm", post(confirm))
        .route("/check/statement/csv", get(statement_csv));
    if dev_outbox {
        routes.route("/dev/sms", get(dev_sms))
    } else {
        routes
    }
}

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

/// `POST /check/start`: a code to the phone when the ID and phone belong to someone; the same
/// answer either way. A problem sends the form back with what was typed (sealed in a cookie of a
/// few minutes) and the field named.
async fn start(
    Extension(cx): Extension<AppContext>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    Form(form): Form<StartForm>,
) -> PageResult {
    let back = |problem: String| {
        let typed = TypedCheck {
            id_number: form.id_number.chars().take(30).collect(),
            phone: form.phone.chars().take(30).collect(),
        };
        let sealed = cx.vault.seal(&serde_json::to_string(&typed).unwrap_or_default());
        redirect(&format!("/check?e={problem}"), &[cookie(&headers, TYPED_COOKIE, &sealed, Some(TYPED_SECS))])
    };
    let id = match IdNumber::parse(&form.id_number) {
        Ok(id) => id,
        Err(e) => return Ok(back(format!("id:{}", e.code()))),
    };
    let phone = match Phone::parse(&form.phone) {
        Ok(p) => p,
        Err(e) => return Ok(back(format!("phone:{}", e.code()))),
    };
    let forget_typed = cookie(&headers, TYPED_COOKIE, "", Some(0));
    match check::start(&cx, &id, &phone, Some(addr)).await? {
        Started::Pending { token } => {
            Ok(redirect("/check/code", &[cookie(&headers, PENDING_COOKIE, &token, Some(CODE_TTL_SECS)), forget_typed]))
        }
        Started::Limited { retry_after_secs } => Err(PageError::TooMany { retry_after_secs, back: "/check" }),
    }
}

/// `POST /check/verify`: the right code opens the citizen's session.
async fn verify(Extension(cx): Extension<AppContext>, headers: HeaderMap, Form(form): Form<CodeForm>) -> PageResult {
    let token = cookie_value(&headers, PENDING_COOKIE).ok_or_else(|| PageError::back("/check?e=expired"))?;
    Ok(match check::verify(&cx, &token, &form.code).await? {
        Verified::Done(session) => redirect(
            "/check/payments",
            &[cookie(&headers, SESSION_COOKIE, &session, None), cookie(&headers, PENDING_COOKIE, "", Some(0))],
        ),
        Verified::Wrong { tries_left } => redirect(&format!("/check/code?left={tries_left}"), &[]),
        Verified::Expired => redirect("/check?e=expired", &[cookie(&headers, PENDING_COOKIE, "", Some(0))]),
    })
}

/// `POST /check/logout`
async fn logout(Extension(cx): Extension<AppContext>, headers: HeaderMap) -> PageResult {
    if let Some(token) = cookie_value(&headers, SESSION_COOKIE) {
        session::close(&cx, &token).await?;
    }
    Ok(redirect("/check?e=signed_out", &[cookie(&headers, SESSION_COOKIE, "", Some(0))]))
}

/// `/dev/sms`: the latest messages of the dev outbox, phones masked.
async fn dev_sms(Extension(cx): Extension<AppContext>) -> PageResult {
    let mut list = String::from(
        "<p>演示模式：短信不真正发送，最近50条显示在这里（手机号只显示后4位）。</p><ol class=\"link-list\">",
    );
    for m in app::ssr::sms::latest(&cx.db, &cx.vault, 50).await? {
        list.push_str(&format!(
            "<li><span class=\"meta\">{} {}</span> <span class=\"sms\">{}</span></li>",
            m.created_at,
            m.phone_masked,
            crate::web::escape(&m.body)
        ));
    }
    list.push_str("</ol>");
    Ok(Html(page("短信发件箱（演示）", &list)).into_response())
}

#[derive(Deserialize)]
pub struct YearQuery {
    year: Option<String>,
}

/// `/check/statement/csv`: the statement page's table as CSV, for the signed-in citizen only.
async fn statement_csv(
    Extension(cx): Extension<AppContext>,
    citizen: Result<Citizen, PageError>,
    Query(q): Query<YearQuery>,
) -> PageResult {
    let beneficiary = match citizen {
        Ok(Citizen(b)) => b,
        Err(PageError::Back(_)) => {
            return Ok((
                StatusCode::UNAUTHORIZED,
                Html(page("请先验证身份", "<p><a href=\"/check\">去验证身份</a></p>")),
            )
                .into_response());
        }
        Err(e) => return Err(e),
    };
    let statement =
        app::api::check::Statement::of(app::ssr::check::reads::payments(&cx.db, beneficiary).await?, q.year.as_deref());
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"statement-{}.csv\"", statement.year)),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        statement.to_csv(),
    )
        .into_response())
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    payment: String,
    #[serde(default)]
    received: String,
}

/// `POST /check/confirm`: the citizen says a paid line was received or not, then returns to it.
async fn confirm(
    Extension(cx): Extension<AppContext>,
    Citizen(beneficiary): Citizen,
    Form(form): Form<ConfirmForm>,
) -> PageResult {
    let received = match form.received.as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    };
    let (Ok(payment), Some(received)) = (form.payment.parse::<i64>(), received) else {
        return Ok(redirect("/check/payments", &[]));
    };
    app::ssr::check::reads::confirm(&cx, beneficiary, payment, received).await.map_err(PageError::internal)?;
    Ok(redirect(&format!("/check/payments#p{payment}"), &[]))
}
