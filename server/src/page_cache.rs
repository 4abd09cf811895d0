//! Public pages kept as sent (compressed, with an ETag) for a few seconds per node: a popular
//! page is rendered once per variant every few seconds instead of once per visitor.
//!
//! Only anonymous GETs of the public pages are kept (policy list, notices, publicity, public
//! case records and statistics); a request carrying any session cookie is always rendered. An
//! accepted POST handled by this node forgets at once what it can have changed (a staff change:
//! everything; a citizen's case or answer: the case pages); changes made through another node
//! show here within [`FRESH_FOR`].

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// How long a kept page is served before it is rendered again.
pub const FRESH_FOR: Duration = Duration::from_secs(10);
/// A stale page may still be served this long while one request renders it again.
const STALE_FOR: Duration = Duration::from_secs(30);
/// The cache is emptied when the pages kept exceed this many bytes.
const MAX_BYTES: usize = 32 * 1024 * 1024;
/// Pages larger than this are not kept.
const MAX_PAGE_BYTES: usize = 2 * 1024 * 1024;

/// Path prefixes of the pages every visitor sees the same way.
const PUBLIC: &[&str] =
    &["/policies", "/notices", "/publicity", "/case/", "/cases/stats", "/cases/answered", "/counties"];

#[derive(Clone, Default)]
pub struct PageCache(Arc<RwLock<Pages>>);

#[derive(Default)]
struct Pages {
    by_key: HashMap<String, Arc<Page>>,
    bytes: usize,
}

struct Page {
    kept_at: Instant,
    /// Set when a request has gone to render this page again.
    refreshing: AtomicBool,
    headers: HeaderMap,
    etag: HeaderValue,
    body: Bytes,
}

impl PageCache {
    /// The kept page, if fresh. Once it is stale, the first request to ask renders it again
    /// while the others are still served the stale copy (for at most [`STALE_FOR`]), so that a
    /// popular page is not rendered by every waiting visitor at once.
    fn get(&self, key: &str) -> Option<Arc<Page>> {
        let pages = self.0.read().unwrap_or_else(|e| e.into_inner());
        let page = pages.by_key.get(key)?;
        let age = page.kept_at.elapsed();
        if age < FRESH_FOR || (age < STALE_FOR && page.refreshing.swap(true, Ordering::Relaxed)) {
            return Some(page.clone());
        }
        None
    }

    fn put(&self, key: String, page: Arc<Page>) {
        let mut pages = self.0.write().unwrap_or_else(|e| e.into_inner());
        if pages.bytes + page.body.len() > MAX_BYTES {
            pages.by_key.clear();
            pages.bytes = 0;
        }
        pages.bytes += page.body.len();
        if let Some(old) = pages.by_key.insert(key, page) {
            pages.bytes -= old.body.len();
        }
    }

    /// Forgets the pages whose path starts with one of `prefixes`.
    fn forget(&self, prefixes: &[&str]) {
        let mut pages = self.0.write().unwrap_or_else(|e| e.into_inner());
        let mut freed = 0;
        pages.by_key.retain(|key, page| {
            let keep = !prefixes.iter().any(|p| key.starts_with(p));
            if !keep {
                freed += page.body.len();
            }
            keep
        });
        pages.bytes -= freed;
    }
}

/// The public pages a citizen's post can change: a filed, tracked, reopened or supplemented case
/// and a 已收到 / 未收到 answer show only in the public case records and statistics.
const CASE_PAGES: &[&str] = &["/case/", "/cases/stats", "/cases/answered"];

/// What an accepted POST to `path` makes stale: nothing (a display preference), the case pages
/// (a citizen's action), or everything (staff work, and anything not listed).
fn stale_after(path: &str) -> Option<&'static [&'static str]> {
    if path == "/settings/text-size" {
        None
    } else if path.starts_with("/cases/") || path.starts_with("/check/") {
        Some(CASE_PAGES)
    } else {
        Some(&[""])
    }
}

/// The middleware: serves kept pages, keeps new ones, empties the cache on any change.
pub async fn layer(State(cache): State<PageCache>, request: Request, next: Next) -> Response {
    if request.method() != Method::GET && request.method() != Method::HEAD {
        let stale = stale_after(request.uri().path());
        let response = next.run(request).await;
        if let Some(prefixes) = stale.filter(|_| response.status().is_success() || response.status().is_redirection()) {
            cache.forget(prefixes);
        }
        return response;
    }
    let Some(key) = key_of(&request) else { return next.run(request).await };
    let if_none_match = request.headers().get(header::IF_NONE_MATCH).cloned();
    if let Some(page) = cache.get(&key) {
        return respond(&page, if_none_match.as_ref());
    }
    let response = next.run(request).await;
    if response.status() != StatusCode::OK || response.headers().contains_key(header::SET_COOKIE) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let body = match axum::body::to_bytes(body, MAX_PAGE_BYTES).await {
        Ok(body) => body,
        Err(e) => {
            tracing::warn!(error = %e, "page too large to keep, or its body failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let page = Arc::new(Page {
        kept_at: Instant::now(),
        refreshing: AtomicBool::new(false),
        etag: etag_of(&body),
        headers: parts.headers,
        body,
    });
    cache.put(key, page.clone());
    respond(&page, if_none_match.as_ref())
}

/// The cache key of an anonymous GET of a public page: path and query, text size, the county the
/// visitor chose (a page whose URL names none shows that one), encoding, host.
fn key_of(request: &Request) -> Option<String> {
    if request.method() != Method::GET {
        return None;
    }
    let path = request.uri().path();
    if path != "/" && !PUBLIC.iter().any(|p| path.starts_with(p)) {
        return None;
    }
    let header_text = |name| request.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("");
    let cookies = header_text(header::COOKIE);
    if cookies.contains("_session=") {
        return None;
    }
    let large =
        app::ssr::cookie_value(request.headers(), app::components::text_size::COOKIE).as_deref() == Some("large");
    let text_size = if large { "large" } else { "normal" };
    let query = request.uri().query().unwrap_or("");
    let county = app::ssr::cookie_value(request.headers(), app::ssr::regions::COUNTY_COOKIE)
        .filter(|c| app::ssr::regions::county_code_shape(c))
        .unwrap_or_default();
    // The host too: a page may name the address it was reached at (the village notice's QR code).
    Some(format!(
        "{path}?{query}|{text_size}|{county}|{}|{}",
        header_text(header::ACCEPT_ENCODING),
        header_text(header::HOST)
    ))
}

fn etag_of(body: &[u8]) -> HeaderValue {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(body);
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    HeaderValue::from_str(&format!("\"{hex}\"")).unwrap_or_else(|_| HeaderValue::from_static("\"0\""))
}

fn respond(page: &Page, if_none_match: Option<&HeaderValue>) -> Response {
    if if_none_match.is_some_and(|v| v.as_bytes().split(|b| *b == b',').any(|t| t.trim_ascii() == page.etag.as_bytes()))
    {
        // The browser keeps its copy with the headers of this answer: the page's own policy
        // (which names the nonce of the copy's scripts) must come with it, or the
        // site-wide default would block them.
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        for name in [header::CONTENT_SECURITY_POLICY, header::CACHE_CONTROL, header::VARY] {
            if let Some(value) = page.headers.get(&name) {
                response.headers_mut().insert(name, value.clone());
            }
        }
        response.headers_mut().insert(header::ETAG, page.etag.clone());
        return response;
    }
    let mut response = Response::new(Body::from(page.body.clone()));
    *response.headers_mut() = page.headers.clone();
    response.headers_mut().insert(header::ETAG, page.etag.clone());
    response
}

#[cfg(test)]
mod tests {
    use super::stale_after;

    #[test]
    fn a_post_makes_stale_only_what_it_can_change() {
        assert_eq!(stale_after("/settings/text-size"), None);
        assert_eq!(stale_after("/cases/verify"), Some(super::CASE_PAGES));
        assert_eq!(stale_after("/check/confirm"), Some(super::CASE_PAGES));
        assert_eq!(stale_after("/staff/notices"), Some(&[""][..]), "staff work: everything");
        assert_eq!(stale_after("/api/anything"), Some(&[""][..]), "anything not listed: everything");
    }
}
