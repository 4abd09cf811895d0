//! Prometheus metrics at `/metrics`: this node's requests (count and latency by area, method and
//! status class) and figures read from the database all nodes share (SMS messages, rosters and
//! their lines, cases open and overdue). Served only to loopback and private addresses that did
//! not come through a load balancer: the public never sees it.

use app::ssr::AppContext;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 11] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// The first path segments counted on their own; anything else is "other".
const AREAS: [&str; 16] = [
    "policies",
    "notices",
    "publicity",
    "search",
    "check",
    "cases",
    "case",
    "staff",
    "api",
    "pkg",
    "settings",
    "dev",
    "healthz",
    "readyz",
    "metrics",
    "favicon.ico",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    area: &'static str,
    method: &'static str,
    status: &'static str,
}

#[derive(Default)]
struct Series {
    count: u64,
    sum_secs: f64,
    /// Requests at or under each bound (cumulative, as Prometheus wants them).
    buckets: [u64; BUCKETS.len()],
}

/// This node's request counters.
#[derive(Clone, Default)]
pub struct Metrics(Arc<Mutex<BTreeMap<Key, Series>>>);

fn area(path: &str) -> &'static str {
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    if first.is_empty() {
        return "home";
    }
    AREAS.iter().find(|a| **a == first).copied().unwrap_or("other")
}

fn method(m: &axum::http::Method) -> &'static str {
    match m.as_str() {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "POST" => "POST",
        _ => "other",
    }
}

fn status_class(s: StatusCode) -> &'static str {
    match s.as_u16() {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

impl Metrics {
    fn observe(&self, key: Key, secs: f64) {
        let mut all = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let series = all.entry(key).or_default();
        series.count += 1;
        series.sum_secs += secs;
        for (bound, n) in BUCKETS.iter().zip(series.buckets.iter_mut()) {
            if secs <= *bound {
                *n += 1;
            }
        }
    }

    fn write_requests(&self, out: &mut String) {
        let all = self.0.lock().unwrap_or_else(|e| e.into_inner());
        out.push_str("# HELP portal_http_requests_total Requests this node answered.\n# TYPE portal_http_requests_total counter\n");
        for (k, s) in all.iter() {
            let _ = writeln!(
                out,
                "portal_http_requests_total{{area=\"{}\",method=\"{}\",status=\"{}\"}} {}",
                k.area, k.method, k.status, s.count
            );
        }
        out.push_str("# HELP portal_http_request_seconds Time to the response headers.\n# TYPE portal_http_request_seconds histogram\n");
        for (k, s) in all.iter() {
            let labels = format!("area=\"{}\",method=\"{}\",status=\"{}\"", k.area, k.method, k.status);
            for (bound, n) in BUCKETS.iter().zip(s.buckets.iter()) {
                let _ = writeln!(out, "portal_http_request_seconds_bucket{{{labels},le=\"{bound}\"}} {n}");
            }
            let _ = writeln!(out, "portal_http_request_seconds_bucket{{{labels},le=\"+Inf\"}} {}", s.count);
            let _ = writeln!(out, "portal_http_request_seconds_sum{{{labels}}} {}", s.sum_secs);
            let _ = writeln!(out, "portal_http_request_seconds_count{{{labels}}} {}", s.count);
        }
    }
}

/// Counts every request with the time to its response.
pub async fn layer(State(metrics): State<Metrics>, request: Request, next: Next) -> Response {
    let (area, method) = (area(request.uri().path()), method(request.method()));
    let started = Instant::now();
    let response = next.run(request).await;
    metrics.observe(Key { area, method, status: status_class(response.status()) }, started.elapsed().as_secs_f64());
    response
}

/// `GET /metrics` in the Prometheus text format.
pub async fn handler(
    Extension(cx): Extension<AppContext>,
    Extension(metrics): Extension<Metrics>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    if !crate::addresses::internal(peer.ip(), &headers) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let mut out = String::new();
    metrics.write_requests(&mut out);
    // Counting rows of a province's tables takes a while: read them at most every 30 s.
    match cx.cache.get_or_load("metrics_figures", app::ssr::metrics::figures(&cx.db)).await {
        Ok(f) => {
            let gauge = |out: &mut String, name: &str, help: &str| {
                let _ = write!(out, "# HELP {name} {help}\n# TYPE {name} gauge\n");
            };
            gauge(&mut out, "portal_sms_messages", "SMS in the outbox by status (all nodes).");
            for status in ["queued", "sent", "failed"] {
                let n = f.sms_by_status.iter().find(|(s, _)| s == status).map_or(0, |(_, n)| *n);
                let _ = writeln!(out, "portal_sms_messages{{status=\"{status}\"}} {n}");
            }
            gauge(&mut out, "portal_rosters", "Rosters by status (all nodes).");
            for (status, n) in &f.rosters_by_status {
                let _ = writeln!(out, "portal_rosters{{status=\"{status}\"}} {n}");
            }
            gauge(&mut out, "portal_payment_lines", "Payment lines imported (all rosters).");
            let _ = writeln!(out, "portal_payment_lines {}", f.payment_lines);
            gauge(&mut out, "portal_cases_open", "Cases not yet answered.");
            let _ = writeln!(out, "portal_cases_open {}", f.cases_open);
            gauge(&mut out, "portal_cases_overdue", "Unanswered cases past their deadline.");
            let _ = writeln!(out, "portal_cases_overdue {}", f.cases_overdue);
            out.push_str("# HELP portal_database_up Whether the database answered.\n# TYPE portal_database_up gauge\nportal_database_up 1\n");
        }
        Err(e) => {
            tracing::warn!(error = %e, "metrics: reading the database");
            out.push_str("# HELP portal_database_up Whether the database answered.\n# TYPE portal_database_up gauge\nportal_database_up 0\n");
        }
    }
    let ready = if cx.search.is_ready() { 1 } else { 0 };
    let _ = write!(out, "# HELP portal_search_ready Whether this node's index has caught up since start.\n# TYPE portal_search_ready gauge\nportal_search_ready {ready}\n");
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], out).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn areas_are_a_fixed_set() {
        assert_eq!(area("/"), "home");
        assert_eq!(area("/publicity/510999001/510999001201/3"), "publicity");
        assert_eq!(area("/anything-a-scanner-tries"), "other");
    }
}
