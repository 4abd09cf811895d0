//! The browser bundle's files under `/pkg`: sent as compressed at build time (brotli or gzip
//! next to each file), kept for a year by browsers and proxies when their names carry their
//! content's hash (`app.<hash>.js`), revalidated every time otherwise.

use app::ssr::assets::Assets;
use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use std::path::Path;

/// `/pkg/…` from `site_root/pkg`.
pub fn router<S: Clone + Send + Sync + 'static>(site_root: &Path) -> Router<S> {
    let files = tower_http::services::ServeDir::new(site_root.join("pkg")).precompressed_br().precompressed_gzip();
    Router::new().nest_service("/pkg", files).layer(axum::middleware::from_fn(cache_headers))
}

async fn cache_headers(request: Request, next: Next) -> Response {
    let hashed = request.uri().path().rsplit('/').next().is_some_and(Assets::is_hashed);
    let mut response = next.run(request).await;
    if response.status().is_success() {
        let policy = if hashed { "public, max-age=31536000, immutable" } else { "no-cache" };
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    response
}
