//! Logging: human-readable lines on stderr, filtered by `RUST_LOG` (default `info`), and the
//! access log (target `access`): one line per request with its method, its path without the
//! query, its status and how long it took; never a cookie, a header or a form field.

use axum::extract::Request;
use axum::response::Response;
use std::time::Duration;
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::trace::TraceLayer;
use tracing::Span;
use tracing_subscriber::EnvFilter;

/// The access log's layer; a request's other log lines carry its span (method and path).
#[allow(clippy::type_complexity)]
pub fn access_log() -> TraceLayer<
    SharedClassifier<ServerErrorsAsFailures>,
    fn(&Request) -> Span,
    (),
    fn(&Response, Duration, &Span),
    (),
    (),
    (),
> {
    fn span(request: &Request) -> Span {
        tracing::info_span!("request", method = %request.method(), path = %request.uri().path())
    }
    fn served(response: &Response, latency: Duration, _: &Span) {
        tracing::info!(target: "access", status = response.status().as_u16(), ms = latency.as_secs_f64() * 1000.0, "served");
    }
    TraceLayer::new_for_http()
        .make_span_with(span as fn(&Request) -> Span)
        .on_request(())
        .on_response(served as fn(&Response, Duration, &Span))
        .on_body_chunk(())
        .on_eos(())
        .on_failure(())
}

pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tantivy=warn"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}
