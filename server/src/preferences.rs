//! Visitor preferences kept in a cookie: the large-text mode switch posts here; a county picked on
//! `/counties` is remembered here.

use app::components::text_size::COOKIE;
use app::ssr::AppContext;
use axum::extract::{Extension, Query};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

/// The preferences' route.
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().route("/settings/text-size", post(set_text_size)).route("/counties/choose", get(choose_county))
}

#[derive(Deserialize)]
pub struct CountyChoice {
    code: Option<String>,
    next: Option<String>,
}

/// Remembers the county picked (a year) and opens `next` (a path of this site) for it. A code
/// that names no county of the portal goes back to the list.
async fn choose_county(Extension(cx): Extension<AppContext>, Query(choice): Query<CountyChoice>) -> Response {
    let next = app::routes::counties::next_path(choice.next);
    let counties = match app::ssr::regions::counties(&cx.db).await {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "counties");
            return (StatusCode::SERVICE_UNAVAILABLE, "系统繁忙，请稍后再试").into_response();
        }
    };
    let Some(county) = choice.code.and_then(|code| counties.into_iter().find(|c| c.code == code)) else {
        return (StatusCode::SEE_OTHER, [(header::LOCATION, "/counties".to_string())]).into_response();
    };
    let cookie =
        format!("{}={}; Path=/; Max-Age=31536000; SameSite=Lax", app::ssr::regions::COUNTY_COOKIE, county.code);
    let to = app::components::scoped(&next, Some(&county.code));
    (StatusCode::SEE_OTHER, [(header::SET_COOKIE, cookie), (header::LOCATION, to)]).into_response()
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
