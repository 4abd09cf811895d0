//! What the form posts of every area share: [`PageError`], the one error type of this layer (the
//! page a visitor gets when a post is not carried out), the answers they give (a redirect, a
//! cookie, a plain page), and extractors for what a handler needs: the visitor's address
//! ([`ClientAddr`]), a signed-in staff member ([`StaffSession`]) and their form with its CSRF
//! token checked ([`StaffForm`]), a citizen of the self-check ([`Citizen`]), a filer tracking
//! their case ([`CaseFiler`]).

use crate::addresses::Addresses;
use app::ssr::session::Kind;
use app::ssr::staff::Staff;
use app::ssr::{cookie_value, AppContext};
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::net::{IpAddr, SocketAddr};

/// Why a post was not carried out, as the visitor is answered.
#[derive(Debug)]
pub enum PageError {
    /// Back to a page (303), usually the form with the reason's code: `/cases/new?e=phone`.
    Back(String),
    /// Not this person's to do (403), in words; the way back is the staff desk.
    Forbidden(String),
    /// The form's CSRF token is not its session's (403).
    FormExpired,
    /// Nothing there, or not theirs to see (404), in words, with the way back.
    NotFound { what: &'static str, back: &'static str },
    /// Codes asked too often (429), with how long to wait and the way back to the form.
    TooMany { retry_after_secs: i64, back: &'static str },
    /// Refused in words (400), with a title and the way back.
    Refused { title: &'static str, message: String, back: String },
    /// A failure of ours: logged (in the request's span, which names the path), 系统繁忙 to the visitor.
    Internal(String),
}

impl PageError {
    pub fn internal(error: impl std::fmt::Display) -> Self {
        PageError::Internal(error.to_string())
    }

    pub fn back(to: impl Into<String>) -> Self {
        PageError::Back(to.into())
    }
}

impl From<sqlx::Error> for PageError {
    fn from(e: sqlx::Error) -> Self {
        PageError::internal(e)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            PageError::Back(to) => redirect(&to, &[]),
            PageError::Forbidden(why) => {
                let body = format!("<p role=\"alert\">{}</p><p><a href=\"/staff\">返回工作台</a></p>", escape(&why));
                (StatusCode::FORBIDDEN, Html(page("无法完成操作", &body))).into_response()
            }
            PageError::FormExpired => {
                let body =
                    "<p role=\"alert\">表单已过期，请刷新页面后重试。</p><p><a href=\"/staff\">返回工作台</a></p>";
                (StatusCode::FORBIDDEN, Html(page("无法完成操作", body))).into_response()
            }
            PageError::NotFound { what, back } => {
                let body = format!("<p>{what}</p><p><a href=\"{back}\">返回</a></p>");
                (StatusCode::NOT_FOUND, Html(page("未找到", &body))).into_response()
            }
            PageError::TooMany { retry_after_secs, back } => too_many(retry_after_secs, back),
            PageError::Refused { title, message, back } => {
                let body = format!(
                    "<p role=\"alert\" class=\"error-box\">{}</p><p><a href=\"{back}\">返回</a></p>",
                    escape(&message)
                );
                (StatusCode::BAD_REQUEST, Html(page(title, &body))).into_response()
            }
            PageError::Internal(detail) => {
                tracing::error!(error = %detail, "a post failed");
                let body = "<p>系统繁忙，请稍后再试。</p><p><a href=\"/\">返回首页</a></p>";
                (StatusCode::INTERNAL_SERVER_ERROR, Html(page("系统繁忙", body))).into_response()
            }
        }
    }
}

/// What a post handler answers.
pub type PageResult = Result<Response, PageError>;

/// `<` and `&` of a text put into a page.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;")
}

/// 303 to `to`, setting `cookies`.
pub fn redirect(to: &str, cookies: &[String]) -> Response {
    let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response();
    for c in cookies {
        if let Ok(v) = c.parse() {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    response
}

/// A cookie for this site, HttpOnly and SameSite=Strict; `Secure` when the visitor came over
/// https (directly or through a proxy that says so); `max_age` 0 clears it.
pub fn cookie(headers: &HeaderMap, name: &str, value: &str, max_age: Option<i64>) -> String {
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

tokio::task_local! {
    /// Whether the request being answered asked for 大字模式 (set by `text_size`).
    static LARGE_TEXT: bool;
}

/// Lets the plain pages follow the visitor's 大字模式 as the Leptos pages do: the text-size cookie,
/// read once around everything that may answer with `page`.
pub async fn text_size(request: Request, next: Next) -> Response {
    let large = cookie_value(request.headers(), app::components::text_size::COOKIE).as_deref() == Some("large");
    LARGE_TEXT.scope(large, next.run(request)).await
}

/// A plain page for answers that are not Leptos pages (limits, errors, the dev outbox), under the
/// site's name, which leads home; large text when the visitor chose it.
pub fn page(title: &str, body: &str) -> String {
    let class = if LARGE_TEXT.try_with(|large| *large).unwrap_or(false) { " class=\"large-text\"" } else { "" };
    format!(
        "<!DOCTYPE html><html lang=\"zh-CN\"{class}><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><link rel=\"icon\" type=\"image/svg+xml\" href=\"/favicon.svg\"><link rel=\"stylesheet\" href=\"/pkg/app.css\"></head><body>\
         <header class=\"site-header\"><a class=\"site-name\" href=\"/\"><span class=\"site-title\">惠民惠农财政补贴资金“一卡通”</span></a></header>\
         <main id=\"main\"><h1>{title}</h1>{body}</main></body></html>"
    )
}

/// The 429 page, with the way back to the form that asked.
fn too_many(retry_after_secs: i64, back: &str) -> Response {
    let wait = if retry_after_secs >= 3600 {
        format!("{}小时", (retry_after_secs + 3599) / 3600)
    } else if retry_after_secs >= 60 {
        format!("{}分钟", (retry_after_secs + 59) / 60)
    } else {
        format!("{retry_after_secs}秒")
    };
    let body =
        format!("<p role=\"alert\">获取验证码过于频繁，请在{wait}后再试。</p><p><a href=\"{back}\">返回</a></p>");
    (
        StatusCode::TOO_MANY_REQUESTS,
        [(header::RETRY_AFTER, retry_after_secs.to_string())],
        Html(page("请稍后再试", &body)),
    )
        .into_response()
}

fn context(parts: &Parts) -> Result<AppContext, PageError> {
    parts.extensions.get::<AppContext>().cloned().ok_or_else(|| PageError::internal("AppContext missing"))
}

/// The visitor's address: the peer, or behind a trusted balancer the hop it added.
pub struct ClientAddr(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, PageError> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .ok_or_else(|| PageError::internal("no peer address"))?;
        let addresses = parts.extensions.get::<Addresses>().ok_or_else(|| PageError::internal("Addresses missing"))?;
        Ok(ClientAddr(addresses.client(peer, &parts.headers)))
    }
}

/// The staff member of the request's session, with the CSRF token their forms must carry; no
/// session is a redirect to sign in. Checked from the headers alone, before any body is read.
pub struct StaffSession {
    pub staff: Staff,
    pub csrf: String,
}

impl StaffSession {
    /// Whether a form's token is this session's.
    pub fn accepts(&self, csrf: &str) -> bool {
        !csrf.is_empty() && csrf == self.csrf
    }
}

impl<S: Send + Sync> FromRequestParts<S> for StaffSession {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, PageError> {
        let cx = context(parts)?;
        let token =
            cookie_value(&parts.headers, Kind::Staff.cookie()).ok_or_else(|| PageError::back("/staff/login"))?;
        match app::ssr::staff::by_session(&cx, &token).await? {
            Some((staff, csrf)) => Ok(StaffSession { staff, csrf }),
            None => Err(PageError::back("/staff/login?e=expired")),
        }
    }
}

/// A staff member's form post: the session, then the form, whose CSRF token must be the
/// session's. `T` is the form's other fields.
pub struct StaffForm<T> {
    pub staff: Staff,
    pub form: T,
}

#[derive(Deserialize)]
struct WithCsrf<T> {
    #[serde(default)]
    csrf: String,
    #[serde(flatten)]
    form: T,
}

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequest<S> for StaffForm<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let session = StaffSession::from_request_parts(&mut parts, state).await.map_err(IntoResponse::into_response)?;
        let axum::Form(WithCsrf { csrf, form }) =
            axum::Form::<WithCsrf<T>>::from_request(Request::from_parts(parts, body), state)
                .await
                .map_err(IntoResponse::into_response)?;
        if !session.accepts(&csrf) {
            return Err(PageError::FormExpired.into_response());
        }
        Ok(StaffForm { staff: session.staff, form })
    }
}

/// The beneficiary of the request's self-check session; none sends the visitor to start again.
pub struct Citizen(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Citizen {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, PageError> {
        let cx = context(parts)?;
        let token =
            cookie_value(&parts.headers, Kind::Citizen.cookie()).ok_or_else(|| PageError::back("/check?e=expired"))?;
        app::ssr::check::session(&cx, &token).await?.map(Citizen).ok_or_else(|| PageError::back("/check?e=expired"))
    }
}

/// The case of the request's tracking session (its filer); none sends the visitor to track again.
pub struct CaseFiler(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for CaseFiler {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, PageError> {
        let cx = context(parts)?;
        let token = cookie_value(&parts.headers, Kind::Case.cookie())
            .ok_or_else(|| PageError::back("/cases/track?e=expired"))?;
        app::ssr::cases::tracked(&cx, &token)
            .await
            .map_err(PageError::internal)?
            .map(CaseFiler)
            .ok_or_else(|| PageError::back("/cases/track?e=expired"))
    }
}
