//! The department side's posts: sign in and out, steps on a case, the holiday calendar, the
//! admin's users, departments and banks, and notices. Every form carries the session's CSRF
//! token ([`StaffForm`]), and posts from another site are refused outright.

use crate::addresses::Addresses;
use crate::web::{cookie, page, redirect, ClientAddr, PageError, PageResult, StaffForm};
use app::domain::cases::CaseActionError;
use app::ssr::admin::{self, AdminChangeError};
use app::ssr::cases::{self, Action, CaseError};
use app::ssr::session::{self, Kind};
use app::ssr::staff::{self, Login, Role, Staff};
use app::ssr::{cookie_value, AppContext};
use axum::extract::{Extension, Path, Request};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::post;
use axum::{Form, Router};
use serde::Deserialize;

/// The department side's routes (rosters and the catalogue have their own).
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/staff/login", post(login))
        .route("/staff/logout", post(logout))
        .route("/staff/cases/{id}", post(act))
        .route("/staff/holidays", post(holidays))
        .route("/staff/users", post(users))
        .route("/staff/departments", post(departments))
        .route("/staff/banks", post(banks))
        .route("/staff/notices", post(notices))
}

/// Refuses a POST whose `Origin` (or, lacking it, `Referer`) names another site than the one
/// asked: a form on another site cannot act with a staff member's session.
pub async fn same_origin_posts(request: Request, next: Next) -> Response {
    if request.method() == Method::POST {
        let headers = request.headers();
        let host = headers
            .get("x-forwarded-host")
            .or_else(|| headers.get(header::HOST))
            .and_then(|h| h.to_str().ok())
            .unwrap_or_default();
        let from = headers.get(header::ORIGIN).or_else(|| headers.get(header::REFERER)).and_then(|v| v.to_str().ok());
        if let Some(from) = from {
            let from_host = from.split("://").nth(1).map(|rest| rest.split('/').next().unwrap_or(rest)).unwrap_or("");
            if from_host != host {
                return PageError::Forbidden("请求来源不符，已拒绝（请从本站页面提交）。".into()).into_response();
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
async fn login(
    Extension(cx): Extension<AppContext>,
    Extension(addresses): Extension<Addresses>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> PageResult {
    if let Some(wait) = addresses.staff_login_wait(addr) {
        let body = format!(
            "<p role=\"alert\">登录尝试过于频繁，请在{wait}秒后再试。</p><p><a href=\"/staff/login\">返回登录</a></p>"
        );
        return Ok((
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, wait.to_string())],
            Html(page("请稍后再试", &body)),
        )
            .into_response());
    }
    Ok(match staff::login(&cx, &form.username, &form.password).await? {
        Login::Session { token } => redirect("/staff", &[cookie(&headers, Kind::Staff.cookie(), &token, None)]),
        // A locked account is said as "wrong" too, so the answer never tells which usernames exist.
        Login::Wrong | Login::Locked { .. } => redirect("/staff/login?e=wrong", &[]),
    })
}

/// A form with nothing but its CSRF token.
#[derive(Deserialize)]
pub struct NoFields {}

/// `POST /staff/logout`
async fn logout(Extension(cx): Extension<AppContext>, headers: HeaderMap, _: StaffForm<NoFields>) -> PageResult {
    if let Some(token) = cookie_value(&headers, Kind::Staff.cookie()) {
        session::close(&cx, &token).await?;
    }
    Ok(redirect("/staff/login?e=signed_out", &[cookie(&headers, Kind::Staff.cookie(), "", Some(0))]))
}

#[derive(Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    to_department: String,
}

/// `POST /staff/cases/{id}`: one step on a case.
async fn act(
    Extension(cx): Extension<AppContext>,
    Path(id): Path<i64>,
    StaffForm { staff, form }: StaffForm<ActionForm>,
) -> PageResult {
    let action = match form.action.as_str() {
        "accept" => Action::Accept,
        "request_info" => Action::RequestInfo { note: form.note },
        "reply" => Action::Reply { text: form.note },
        "transfer" => {
            Action::Transfer { to_department: form.to_department.trim().parse().unwrap_or(-1), reason: form.note }
        }
        "extend" => Action::Extend { reason: form.note },
        "close" => Action::Close,
        _ => return Err(PageError::back(format!("/staff/cases/{id}?e={}", CaseActionError::WrongState.code()))),
    };
    let transfer = matches!(action, Action::Transfer { .. });
    match cases::act(&cx, &staff, id, action).await {
        // A department that sent a case on can no longer open it: back to its inbox.
        Ok(()) if transfer && staff.role == Role::Department => Ok(redirect("/staff?done=transfer", &[])),
        Ok(()) => Ok(redirect(&format!("/staff/cases/{id}?done={}", form.action), &[])),
        Err(CaseError::Action(e)) => Err(PageError::back(format!("/staff/cases/{id}?e={}", e.code()))),
        Err(CaseError::Form(_)) => {
            Err(PageError::back(format!("/staff/cases/{id}?e={}", CaseActionError::NoteRequired.code())))
        }
        Err(CaseError::NotFound) => {
            Err(PageError::NotFound { what: "没有这一件，或不属于您的部门。", back: "/staff" })
        }
        Err(e) => Err(PageError::internal(e)),
    }
}

#[derive(Deserialize)]
pub struct HolidayForm {
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
async fn holidays(
    Extension(cx): Extension<AppContext>,
    StaffForm { staff, form }: StaffForm<HolidayForm>,
) -> PageResult {
    if staff.role != Role::Admin {
        return Err(PageError::Forbidden("只有系统管理员可以修改节假日安排。".into()));
    }
    let day = form.day.trim();
    let days = app::domain::date::parse_days(day)
        .filter(|_| day.len() == 10)
        .ok_or_else(|| PageError::back("/staff/holidays?e=day"))?;
    let day = app::domain::date::format_days(days);
    match (form.op.as_str(), form.kind.as_str()) {
        ("delete", _) => app::ssr::cases::reads::delete_holiday(&cx.db, &staff, &day).await?,
        ("add", kind @ ("holiday" | "workday")) => {
            let name = app::domain::cases::clean_text(&form.name);
            let name = if name.is_empty() {
                if kind == "holiday" {
                    "节假日".to_string()
                } else {
                    "调休上班".to_string()
                }
            } else {
                name
            };
            app::ssr::cases::reads::put_holiday(&cx.db, &staff, &day, kind, &name.chars().take(20).collect::<String>())
                .await?
        }
        _ => return Err(PageError::back("/staff/holidays?e=kind")),
    };
    Ok(redirect("/staff/holidays?done=1", &[]))
}

#[derive(Deserialize)]
pub struct UserForm {
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

/// The admin, or a refusal.
fn admin_only(staff: Staff) -> Result<Staff, PageError> {
    if staff.role != Role::Admin {
        return Err(PageError::Forbidden("只有系统管理员可以管理用户、部门和代发银行。".into()));
    }
    Ok(staff)
}

/// Back to the admin's page: saved, or the reason a change was refused.
fn admin_result(result: Result<(), AdminChangeError>) -> PageResult {
    match result {
        Ok(()) => Ok(redirect("/staff/admin?done=1", &[])),
        Err(AdminChangeError::Refused(e)) => Err(PageError::back(format!("/staff/admin?e={}", e.code()))),
        Err(AdminChangeError::Db(e)) => Err(e.into()),
    }
}

/// `POST /staff/users`: the admin creates an account, resets a password, switches one off or on,
/// or unlocks it.
async fn users(Extension(cx): Extension<AppContext>, StaffForm { staff, form }: StaffForm<UserForm>) -> PageResult {
    let staff = admin_only(staff)?;
    let result = match form.op.as_str() {
        "create" => {
            let department = form.department.trim().parse().ok();
            admin::create_user(
                &cx.db,
                &staff,
                &form.username,
                &form.display_name,
                &form.role,
                department,
                &form.password,
            )
            .await
        }
        op => {
            let id = form.id.trim().parse::<i64>().map_err(|_| PageError::back("/staff/admin"))?;
            admin::change_user(&cx.db, &staff, id, op, &form.password).await
        }
    };
    admin_result(result)
}

#[derive(Deserialize)]
pub struct DepartmentForm {
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
async fn departments(
    Extension(cx): Extension<AppContext>,
    StaffForm { staff, form }: StaffForm<DepartmentForm>,
) -> PageResult {
    let staff = admin_only(staff)?;
    let id = form.id.trim().parse().ok();
    admin_result(admin::save_department(&cx.db, &staff, id, &form.code, &form.name, &form.phone, &form.address).await)
}

#[derive(Deserialize)]
pub struct BankForm {
    #[serde(default)]
    id: String,
    #[serde(default)]
    aliases: String,
    #[serde(default)]
    luhn: Option<String>,
}

/// `POST /staff/banks`: the admin sets a paying bank's short names and its check-digit setting.
async fn banks(Extension(cx): Extension<AppContext>, StaffForm { staff, form }: StaffForm<BankForm>) -> PageResult {
    let staff = admin_only(staff)?;
    let id = form.id.trim().parse::<i64>().map_err(|_| PageError::back("/staff/admin"))?;
    admin_result(app::ssr::banks::save(&cx.db, &staff, id, &form.aliases, form.luhn.is_some()).await)
}

#[derive(Deserialize)]
pub struct NoticeForm {
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
async fn notices(Extension(cx): Extension<AppContext>, StaffForm { staff, form }: StaffForm<NoticeForm>) -> PageResult {
    if !matches!(staff.role, Role::Department | Role::Finance) {
        return Err(PageError::Forbidden("只有部门经办人员和财政局可以发布通知。".into()));
    }
    if form.op == "withdraw" {
        let id = form.id.trim().parse().unwrap_or(-1);
        return Ok(match app::ssr::notices::withdraw(&cx.db, &staff, id).await? {
            true => redirect("/staff/notices", &[]),
            false => redirect("/staff/notices?e=withdraw", &[]),
        });
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
        return Err(PageError::back(format!("/staff/notices?e={code}")));
    }
    let issuer = app::ssr::notices::issuer(&cx.db, &staff).await?;
    let doc_number: String = clean(&form.doc_number).chars().take(50).collect();
    let id =
        app::ssr::notices::publish(&cx.db, &staff, &form.kind, &title, &doc_number, &issuer, day, body.trim()).await?;
    Ok(redirect(&format!("/staff/notices?done={id}"), &[]))
}
