//! Requests refused before a handler sees them (a body over the size limit, a form that is not a
//! form) get a plain Chinese page instead of the framework's English text, which also named the
//! fields it could not read.

use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

pub async fn layer(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let from_framework = response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|t| t.starts_with("text/plain"));
    if !from_framework || !matches!(status.as_u16(), 400 | 413 | 415 | 422) {
        return response;
    }
    let why = if status == StatusCode::PAYLOAD_TOO_LARGE {
        "提交的内容过大：表单最多 2 MB，清册文件最多 20 MB。请精简后重试。"
    } else {
        "提交的内容无法识别，请返回上一页重新填写后再提交。"
    };
    let body = format!("<p role=\"alert\">{why}</p><p><a href=\"/\">返回首页</a></p>");
    (status, Html(crate::check::page("无法处理的请求", &body))).into_response()
}
