//! Visitor preferences kept in a cookie: the large-text mode switch posts here.

use app::components::text_size::COOKIE;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Form, Router};
use serde::Deserialize;

/// The preferences' route.
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().route("/settings/text-size", post(set_text_size))
}

#[derive(Deserialize)]
pub struct TextSize {
    size: String,
}

/// Sets or clears large-text mode and goes back to the page the form was on (same site only).
async fn set_text_size(headers: HeaderMap, Form(form): Form<TextSize>) -> Response {
    let cookie = match form.size.as_str() {
        "large" => format!("{COOKIE}=large; Path=/; Max-Age=31536000; SameSite=Lax"),
        _ => format!("{COOKIE}=normal; Path=/; Max-Age=31536000; SameSite=Lax"),
    };
    let back = headers
        .get(header::REFERER)
        .and_then(|r| r.to_str().ok())
        .and_then(|r| r.find("://").map(|i| &r[i + 3..]))
        .and_then(|rest| rest.find('/').map(|i| rest[i..].to_string()))
        .filter(|path| path.starts_with('/') && !path.starts_with("//"))
        .unwrap_or_else(|| "/".to_string());
    (StatusCode::SEE_OTHER, [(header::SET_COOKIE, cookie), (header::LOCATION, back)]).into_response()
}
