//! The department side's posts: sign in and out, steps on a case, the holiday calendar, the
//! admin's users and departments. Every form carries the session's CSRF token, and posts from
//! another site are refused outright.

use crate::check::{cookie, internal, page, redirect};
use app::domain::cases::CaseActionError;
use app::ssr::cases::{self, Action, CaseError};
use app::ssr::session::{self, Kind};
use app::ssr::staff::{self, Login, Role, Staff};
use app::ssr::db::admin::{self, AdminChangeError};
use app::ssr::{cookie_value, AppContext};
use crate::addresses::Addresses;
use axum::extract::{ConnectInfo, Extension, Path, Request};
use std::net::SocketAddr;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use serde::Deserialize;

pub(crate) fn forbidden(why: &str) -> Response {
    (StatusCode::FORBIDDEN, Html(page("无法完成操作", &format!("<p role=\"alert\">{why}</p><p><a href=\"/staff\">返回工作台</a></p>")))).into_response()
}

/// Refuses a POST whose `Origin` (or, lacking it, `Referer`) names another site than the one
/// asked: a form on another site cannot act with a staff member's session.
pub async fn same_origin_posts(request: Request, next: Next) -> Response {
    if request.method() == Method::POST {
        let headers = request.headers();
        let host = headers.get("x-forwarded-host").or_else(|| headers.get(header::HOST)).and_then(|h| h.to_str().ok()).unwrap_or_default();
        let from = headers.get(header::ORIGIN).or_else(|| headers.get(header::REFERER)).and_then(|v| v.to_str().ok());
        if let Some(from) = from {
            let from_host = from.split("://").nth(1).map(|rest| rest.split('/').next().unwrap_or(rest)).unwrap_or("");
            if from_host != host {
                return forbidden("请求来源不符，已拒绝（请从本站页面提交）。");
            }
        }
    }
    next.run(request).await
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

/// `POST /staff/login`, at most `STAFF_LOGINS_PER_MINUTE` tries a minute from one address.
pub async fn login(
    Extension(cx): Extension<AppContext>,
    Extension(addresses): Extension<Addresses>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    if let Some(wait) = addresses.staff_login_wait(peer.ip(), &headers) {
        let body = format!("<p role=\"alert\">登录尝试过于频繁，请在{wait}秒后再试。</p><p><a href=\"/staff/login\">返回登录</a></p>");
        return (StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, wait.to_string())], Html(page("请稍后再试", &body))).into_response();
    }
    match staff::login(&cx, &form.username, &form.password).await {
        Ok(Login::Session { token }) => redirect("/staff", &[cookie(&headers, Kind::Staff.cookie(), &token, None)]),
        Ok(Login::Wrong) => redirect("/staff/login?e=wrong", &[]),
        // Said as "wrong" too, so the answer never tells which usernames exist.
        Ok(Login::Locked { .. }) => redirect("/staff/login?e=wrong", &[]),
        Err(e) => internal(e),
    }
}

/// The signed-in staff member, if the form's CSRF token is the session's.
pub(crate) async fn signed_in(cx: &AppContext, headers: &HeaderMap, csrf: &str) -> Result<Staff, Response> {
    let token = cookie_value(headers, Kind::Staff.cookie()).ok_or_else(|| redirect("/staff/login", &[]))?;
    match staff::by_session(cx, &token).await {
        Ok(Some((staff, expected))) if !csrf.is_empty() && csrf == expected => Ok(staff),
        Ok(Some(_)) => Err(forbidden("表单已过期，请刷新页面后重试。")),
        Ok(None) => Err(redirect("/staff/login?e=expired", &[])),
        Err(e) => Err(internal(e)),
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /staff/logout`
pub async fn logout(Extension(cx): Extension<AppContext>, headers: HeaderMap, Form(form): Form<CsrfForm>) -> Response {
    if let Err(r) = signed_in(&cx, &headers, &form.csrf).await {
        return r;
    }
    if let Some(token) = cookie_value(&headers, Kind::Staff.cookie()) {
        if let Err(e) = session::close(&cx, &token).await {
            return internal(e);
        }
    }
    redirect("/staff/login?e=signed_out", &[cookie(&headers, Kind::Staff.cookie(), "", Some(0))])
}

#[derive(Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    to_department: String,
}

/// `POST /staff/cases/{id}`: one step on a case.
pub async fn act(Extension(cx): Extension<AppContext>, headers: HeaderMap, Path(id): Path<i64>, Form(form): Form<ActionForm>) -> Response {
    let staff = match signed_in(&cx, &headers, &form.csrf).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let action = match form.action.as_str() {
        "accept" => Action::Accept,
        "request_info" => Action::RequestInfo { note: form.note },
        "reply" => Action::Reply { text: form.note },
        "transfer" => Action::Transfer { to_department: form.to_department.trim().parse().unwrap_or(-1), reason: form.note },
        "extend" => Action::Extend { reason: form.note },
        "close" => Action::Close,
        _ => return redirect(&format!("/staff/cases/{id}?e={}", CaseActionError::WrongState.code()), &[]),
    };
    let transfer = matches!(action, Action::Transfer { .. });
    match cases::act(&cx, &staff, id, action).await {
        // A department that sent a case on can no longer open it: back to its inbox.
        Ok(()) if transfer && staff.role == Role::Department => redirect("/staff?done=transfer", &[]),
        Ok(()) => redirect(&format!("/staff/cases/{id}?done={}", form.action), &[]),
        Err(CaseError::Action(e)) => redirect(&format!("/staff/cases/{id}?e={}", e.code()), &[]),
        Err(CaseError::Form(_)) => redirect(&format!("/staff/cases/{id}?e={}", CaseActionError::NoteRequired.code()), &[]),
        Err(CaseError::NotFound) => (StatusCode::NOT_FOUND, Html(page("未找到", "<p>没有这一件，或不属于您的部门。</p><p><a href=\"/staff\">返回工作台</a></p>"))).into_response(),
        Err(e) => internal(e),
    }
}

#[derive(Deserialize)]
pub struct HolidayForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    op: String,
    #[serde(default)]
    day: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
}

/// `POST /staff/holidays`: an admin adds (or replaces) or removes one day of the calendar.
pub async fn holidays(Extension(cx): Extension<AppContext>, headers: HeaderMap, Form(form): Form<HolidayForm>) -> Response {
    let staff = match signed_in(&cx, &headers, &form.csrf).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    if staff.role != Role::Admin {
        return forbidden("只有系统管理员可以修改节假日安排。");
    }
    let day = form.day.trim();
    let Some(days) = app::domain::date::parse_days(day).filter(|_| day.len() == 10) else {
        return redirect("/staff/holidays?e=day", &[]);
    };
    let day = app::domain::date::format_days(days);
    let result = match (form.op.as_str(), form.kind.as_str()) {
        ("delete", _) => app::ssr::db::cases::delete_holiday(&cx.db, &staff, &day).await,
        ("add", kind @ ("holiday" | "workday")) => {
            let name = app::domain::cases::clean_text(&form.name);
            let name = if name.is_empty() { if kind == "holiday" { "节假日".to_string() } else { "调休上班".to_string() } } else { name };
            app::ssr::db::cases::put_holiday(&cx.db, &staff, &day, kind, &name.chars().take(20).collect::<String>()).await
        }
        _ => return redirect("/staff/holidays?e=kind", &[]),
    };
    match result {
        Ok(()) => redirect("/staff/holidays?done=1", &[]),
        Err(e) => internal(e),
    }
}

#[derive(Deserialize)]
pub struct UserForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    op: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    department: String,
    #[serde(default)]
    password: String,
}

async fn admin(cx: &AppContext, headers: &HeaderMap, csrf: &str) -> Result<Staff, Response> {
    let staff = signed_in(cx, headers, csrf).await?;
    if staff.role != Role::Admin {
        return Err(forbidden("只有系统管理员可以管理用户、部门和代发银行。"));
    }
    Ok(staff)
}

fn admin_result(result: Result<(), AdminChangeError>) -> Response {
    match result {
        Ok(()) => redirect("/staff/admin?done=1", &[]),
        Err(AdminChangeError::Refused(e)) => redirect(&format!("/staff/admin?e={}", e.code()), &[]),
        Err(AdminChangeError::Db(e)) => internal(e),
    }
}

/// `POST /staff/users`: the admin creates an account, resets a password, switches one off or on,
/// or unlocks it.
pub async fn users(Extension(cx): Extension<AppContext>, headers: HeaderMap, Form(form): Form<UserForm>) -> Response {
    let staff = match admin(&cx, &headers, &form.csrf).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let result = match form.op.as_str() {
        "create" => {
            let department = form.department.trim().parse().ok();
            admin::create_user(&cx.db, &staff, &form.username, &form.display_name, &form.role, department, &form.password).await
        }
        op => match form.id.trim().parse::<i64>() {
            Ok(id) => admin::change_user(&cx.db, &staff, id, op, &form.password).await,
            Err(_) => return redirect("/staff/admin", &[]),
        },
    };
    admin_result(result)
}

#[derive(Deserialize)]
pub struct DepartmentForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    address: String,
}

/// `POST /staff/departments`: the admin adds a department or changes one's name, phone, address.
pub async fn departments(Extension(cx): Extension<AppContext>, headers: HeaderMap, Form(form): Form<DepartmentForm>) -> Response {
    let staff = match admin(&cx, &headers, &form.csrf).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let id = form.id.trim().parse().ok();
    admin_result(admin::save_department(&cx.db, &staff, id, &form.code, &form.name, &form.phone, &form.address).await)
}

#[derive(Deserialize)]
pub struct BankForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    aliases: String,
    #[serde(default)]
    luhn: Option<String>,
}

/// `POST /staff/banks`: the admin sets a paying bank's short names and its check-digit setting.
pub async fn banks(Extension(cx): Extension<AppContext>, headers: HeaderMap, Form(form): Form<BankForm>) -> Response {
    let staff = match admin(&cx, &headers, &form.csrf).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let Ok(id) = form.id.trim().parse::<i64>() else { return redirect("/staff/admin", &[]) };
    admin_result(app::ssr::db::banks::save(&cx.db, &staff, id, &form.aliases, form.luhn.is_some()).await)
}

#[derive(Deserialize)]
pub struct NoticeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    op: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    doc_number: String,
    #[serde(default)]
    published_on: String,
    #[serde(default)]
    body: String,
}

/// `POST /staff/notices`: a department publishes a notice (searchable within seconds) or
/// withdraws one it published.
pub async fn notices(Extension(cx): Extension<AppContext>, headers: HeaderMap, Form(form): Form<NoticeForm>) -> Response {
    let staff = match signed_in(&cx, &headers, &form.csrf).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    if !matches!(staff.role, Role::Department | Role::Finance) {
        return forbidden("只有部门经办人员和财政局可以发布通知。");
    }
    if form.op == "withdraw" {
        let id = form.id.trim().parse().unwrap_or(-1);
        return match app::ssr::db::notices::withdraw(&cx.db, &staff, id).await {
            Ok(true) => redirect("/staff/notices", &[]),
            Ok(false) => redirect("/staff/notices?e=withdraw", &[]),
            Err(e) => internal(e),
        };
    }
    let clean = app::domain::cases::clean_text;
    let title = clean(&form.title).replace('\n', " ");
    let body = form.body.replace("\r\n", "\n");
    let day = form.published_on.trim();
    let refused = if !matches!(form.kind.as_str(), "notice" | "policy") {
        Some("kind")
    } else if !(2..=100).contains(&title.chars().count()) {
        Some("title")
    } else if !(10..=app::routes::notices::publish::BODY_MAX_CHARS).contains(&body.trim().chars().count()) {
        Some("body")
    } else if day.len() != 10 || app::domain::date::parse_days(day).is_none() {
        Some("date")
    } else {
        None
    };
    if let Some(code) = refused {
        return redirect(&format!("/staff/notices?e={code}"), &[]);
    }
    let issuer = match staff.department_id {
        Some(d) => sqlx::query_scalar::<_, String>("SELECT name FROM departments WHERE id = $1").bind(d).fetch_optional(&cx.db.pool).await.ok().flatten(),
        None => None,
    }
    .unwrap_or_else(|| staff.display_name.clone());
    let doc_number: String = clean(&form.doc_number).chars().take(50).collect();
    match app::ssr::db::notices::publish(&cx.db, &staff, &form.kind, &title, &doc_number, &issuer, day, body.trim()).await {
        Ok(id) => redirect(&format!("/staff/notices?done={id}"), &[]),
        Err(e) => internal(e),
    }
}
