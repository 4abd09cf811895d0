//! The publicity log's open data under `/api/v1/log` (heads, entries, proofs) and the outside
//! verifier's download at `/publicity/log/verify.py`.

use crate::open_data::json;
use app::ssr::publicity_log::{self, LogError};
use app::ssr::AppContext;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Extension, Path, Query};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

/// Entries one request may ask for.
const MAX_ENTRIES: i64 = 1_000;

/// The verifier anyone can run with Python's standard library alone.
const VERIFIER: &str = include_str!("../../scripts/verify-publicity.py");

pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/api/v1/log/head", get(head))
        .route("/api/v1/log/heads", get(heads))
        .route("/api/v1/log/entries", get(entries))
        .route("/api/v1/log/rosters/{roster}", get(roster))
        .route("/api/v1/log/proof/inclusion", get(inclusion))
        .route("/api/v1/log/proof/consistency", get(consistency))
        .route("/publicity/log/verify.py", get(verifier))
}

/// A log failure reads as the database's (logged, 系统繁忙 to the caller).
fn db<T>(result: Result<T, LogError>) -> Result<T, sqlx::Error> {
    result.map_err(|e| match e {
        LogError::Db(e) => e,
        other => sqlx::Error::Protocol(other.to_string()),
    })
}

async fn head(Extension(cx): Extension<AppContext>) -> Response {
    json(publicity_log::latest_head(&cx.db).await)
}

#[derive(Deserialize)]
struct PageQuery {
    page: Option<i64>,
}

async fn heads(Extension(cx): Extension<AppContext>, Query(q): Query<PageQuery>) -> Response {
    json(db(publicity_log::heads(&cx.db, &cx.vault, q.page.unwrap_or(1)).await).map(Some))
}

#[derive(Deserialize)]
struct RangeQuery {
    start: Option<i64>,
    end: Option<i64>,
}

async fn entries(Extension(cx): Extension<AppContext>, Query(q): Query<RangeQuery>) -> Response {
    let start = q.start.unwrap_or(0).max(0);
    let last = start.saturating_add(MAX_ENTRIES - 1);
    let end = q.end.unwrap_or(last).min(last);
    json(publicity_log::entries(&cx.db, start, end, MAX_ENTRIES, cx.first_public_year()).await.map(Some))
}

async fn roster(Extension(cx): Extension<AppContext>, Path(roster): Path<String>) -> Response {
    match roster.parse::<i64>() {
        Ok(r) => json(
            publicity_log::roster_entries(&cx.db, r, cx.first_public_year())
                .await
                .map(|e| (!e.is_empty()).then_some(e)),
        ),
        Err(_) => json::<()>(Ok(None)),
    }
}

#[derive(Deserialize)]
struct InclusionQuery {
    index: i64,
    tree_size: Option<i64>,
}

async fn inclusion(Extension(cx): Extension<AppContext>, q: Result<Query<InclusionQuery>, QueryRejection>) -> Response {
    let Ok(Query(q)) = q else {
        return bad_query("请给出整数参数 index（条目序号，从 0 起）和可选的 tree_size");
    };
    json(db(publicity_log::inclusion(&cx.db, &cx.log_tree, q.index, q.tree_size).await))
}

#[derive(Deserialize)]
struct ConsistencyQuery {
    first: i64,
    second: i64,
}

async fn consistency(
    Extension(cx): Extension<AppContext>,
    q: Result<Query<ConsistencyQuery>, QueryRejection>,
) -> Response {
    let Ok(Query(q)) = q else { return bad_query("请给出整数参数 first 和 second（两个树头的条数）") };
    json(db(publicity_log::consistency(&cx.db, &cx.log_tree, q.first, q.second).await))
}

/// 400 with what the parameters should have been.
fn bad_query(message: &'static str) -> Response {
    (StatusCode::BAD_REQUEST, Json(serde_json::json!({ "error": message }))).into_response()
}

async fn verifier() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/x-python; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"verify-publicity.py\""),
        ],
        VERIFIER,
    )
        .into_response()
}
