//! Requests refused before a handler sees them (a body over the size limit, a form that is not a
//! form) get a plain Chinese page instead of the framework's English text, which also named the
//! fields it could not read; a handler that panics answers 系统繁忙 instead of dropping the
//! connection.

use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

pub async fn layer(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let from_framework = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/plain"));
    if !from_framework || !matches!(status.as_u16(), 400 | 413 | 415 | 422) {
        return response;
    }
    let why = if status == StatusCode::PAYLOAD_TOO_LARGE {
        "提交的内容过大：表单最多 2 MB，清册文件最多 20 MB。请精简后重试。"
    } else {
        "提交的内容无法识别，请返回上一页重新填写后再提交。"
    };
    let body = format!("<p role=\"alert\">{why}</p><p><a href=\"/\">返回首页</a></p>");
    (status, Html(crate::web::page("无法处理的请求", &body))).into_response()
}

/// The answer when a handler panicked (a bug): the person gets 系统繁忙, the log gets where (the
/// panic hook has already written the message), and the node keeps serving.
pub fn panicked(_panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    let body = "<p role=\"alert\">系统繁忙，请稍后再试。</p><p><a href=\"/\">返回首页</a></p>";
    (StatusCode::INTERNAL_SERVER_ERROR, Html(crate::web::page("系统繁忙", body))).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::get;

    #[tokio::test]
    async fn a_panicking_handler_answers_in_chinese_and_the_node_keeps_serving() {
        let app = axum::Router::new()
            .route("/boom", get(|| async { panic!("a bug") as &'static str }))
            .route("/fine", get(|| async { "fine" }))
            .layer(tower_http::catch_panic::CatchPanicLayer::custom(panicked));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        let boom = reqwest::get(format!("http://{address}/boom")).await.unwrap();
        assert_eq!(boom.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let text = boom.text().await.unwrap();
        assert!(text.contains("系统繁忙") && !text.contains("a bug"), "{text}");
        assert_eq!(reqwest::get(format!("http://{address}/fine")).await.unwrap().text().await.unwrap(), "fine");
    }
}
