//! Health for load balancers and orchestrators: `/healthz` (the process answers) and `/readyz`
//! (the database answers and this node's search index has caught up since start).

use app::ssr::AppContext;
use axum::http::StatusCode;
use axum::Extension;

pub async fn healthz() -> &'static str {
    "ok"
}

/// 200 once this node may take traffic; 503 with the reason before that or when the database
/// does not answer, so a load balancer sends requests elsewhere.
pub async fn readyz(Extension(cx): Extension<AppContext>) -> (StatusCode, &'static str) {
    if !cx.search.is_ready() {
        return (StatusCode::SERVICE_UNAVAILABLE, "starting: the search index is catching up with the database\n");
    }
    match cx.db.ping().await {
        Ok(_) => (StatusCode::OK, "ready\n"),
        Err(e) => {
            tracing::warn!(error = %e, "readyz: the database does not answer");
            (StatusCode::SERVICE_UNAVAILABLE, "the database does not answer\n")
        }
    }
}
