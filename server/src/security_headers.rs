//! Security headers on every response: no sniffing, no framing, no referrer to other sites, HSTS
//! when the balancer says the request came over HTTPS, and a Content-Security-Policy. Leptos pages
//! set their own policy with the page's nonce (app `routes::shell`); everything else gets a policy
//! that allows no script at all beyond the site's own files. Personal answers (the self-check,
//! the filer's case, the department side, and any request with a session) are `no-store, private`.

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// For responses that are not Leptos pages (plain pages, CSV, JSON, the bundle's files).
pub const DEFAULT_POLICY: &str =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// Paths whose answers are one person's: the self-check, the case forms and the filer's view,
/// the department side, the dev outbox, and the server functions behind them.
const PERSONAL: &[&str] = &[
    "/check",
    "/cases/new",
    "/cases/code",
    "/cases/filed",
    "/cases/mine",
    "/cases/track",
    "/staff",
    "/dev/sms",
    "/api/my_",
    "/api/staff_",
    "/api/case_form",
    "/api/my_case",
];

/// The cookies of a session; a request carrying one may be answered with what only its person
/// may see, on any page.
const SESSION_COOKIES: &[&str] = &[
    "citizen_session=",
    "case_session=",
    "staff_session=",
    "case_form=",
    "check_pending=",
    "case_track=",
    "check_typed=",
];

/// Whether the answer to this request may hold personal data, so that no browser or proxy may
/// keep it (a shared village terminal must not show the last person's payments).
pub fn is_personal(path: &str, headers: &axum::http::HeaderMap) -> bool {
    if path.starts_with("/pkg/") {
        return false;
    }
    let session = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|c| SESSION_COOKIES.iter().any(|s| c.contains(s)));
    session || PERSONAL.iter().any(|p| path.starts_with(p))
}

pub async fn layer(request: Request, next: Next) -> Response {
    let https = request.headers().get("x-forwarded-proto").is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"));
    let personal = is_personal(request.uri().path(), request.headers());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if personal {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store, private"));
        headers.remove(header::ETAG);
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert("permissions-policy", HeaderValue::from_static("camera=(), microphone=(), geolocation=()"));
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(DEFAULT_POLICY));
    }
    if https {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
    }
    response
}
