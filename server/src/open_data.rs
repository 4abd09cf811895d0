//! Open data: the public pages' data as JSON under `/api/v1`, with an OpenAPI document at
//! `/api/openapi.json`. Same queries and the same masking as the pages; amounts are integer fen.

use app::ssr::AppContext;
use app::ssr::{home, notices, policies, publicity};
use axum::extract::{Extension, Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
pub struct YearQuery {
    year: Option<i32>,
    /// A county's code (six digits); without it, the portal's first county.
    county: Option<String>,
}

/// The county a request names, else the portal's first.
async fn county(cx: &AppContext, q: &YearQuery) -> Result<(i64, String), sqlx::Error> {
    Ok(app::ssr::regions::public_county(&cx.db, q.county.as_deref()).await?.map(|c| (c.id, c.code)).unwrap_or_default())
}

#[derive(Deserialize)]
pub struct PageQuery {
    page: Option<i64>,
    /// A county's code: its notices (with its city's, province's and the portal's); without it, all.
    county: Option<String>,
}

pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/api/openapi.json", get(openapi))
        .route("/api/v1/aggregates", get(aggregates))
        .route("/api/v1/catalogue", get(catalogue))
        .route("/api/v1/catalogue/{code}", get(catalogue_item))
        .route("/api/v1/notices", get(notice_list))
        .route("/api/v1/notices/{id}", get(notice))
        .route("/api/v1/publicity", get(publicity_index))
        .route("/api/v1/publicity/{township}", get(publicity_township))
        .route("/api/v1/publicity/{township}/{village}", get(publicity_village))
        .route("/api/v1/publicity/{township}/{village}/{roster}", get(publicity_roster))
}

#[derive(Serialize)]
struct ApiErrorBody {
    error: &'static str,
}

pub(crate) fn json<T: Serialize>(result: Result<Option<T>, sqlx::Error>) -> Response {
    match result {
        Ok(Some(value)) => Json(value).into_response(),
        Ok(None) => (StatusCode::NOT_FOUND, Json(ApiErrorBody { error: "未找到相关内容" })).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "open data API");
            (StatusCode::INTERNAL_SERVER_ERROR, Json(ApiErrorBody { error: "系统繁忙，请稍后再试" })).into_response()
        }
    }
}

async fn aggregates(Extension(cx): Extension<AppContext>, Query(q): Query<YearQuery>) -> Response {
    let (id, code) = match county(&cx, &q).await {
        Ok(c) => c,
        Err(e) => return json::<()>(Err(e)),
    };
    json(cx.cache.get_or_load(&format!("home_figures:{code}"), home::figures(&cx.db, id)).await.map(Some))
}

async fn catalogue(Extension(cx): Extension<AppContext>, Query(q): Query<YearQuery>) -> Response {
    let no_filter = policies::Filter { level: None, department: None, keyword: None };
    match county(&cx, &q).await {
        Ok((id, _)) => json(policies::list(&cx.db, id, q.year, &no_filter).await.map(Some)),
        Err(e) => json::<()>(Err(e)),
    }
}

async fn catalogue_item(
    Extension(cx): Extension<AppContext>,
    Path(code): Path<String>,
    Query(q): Query<YearQuery>,
) -> Response {
    match county(&cx, &q).await {
        Ok((id, _)) => json(policies::detail(&cx.db, id, &code, q.year).await),
        Err(e) => json::<()>(Err(e)),
    }
}

async fn notice_list(Extension(cx): Extension<AppContext>, Query(q): Query<PageQuery>) -> Response {
    let county = match &q.county {
        Some(code) => match app::ssr::regions::public_county(&cx.db, Some(code)).await {
            Ok(c) => c.map_or(0, |c| c.id),
            Err(e) => return json::<()>(Err(e)),
        },
        None => 0,
    };
    json(notices::list(&cx.db, county, q.page.unwrap_or(1).max(1)).await.map(Some))
}

async fn notice(Extension(cx): Extension<AppContext>, Path(id): Path<String>) -> Response {
    match id.parse::<i64>() {
        Ok(id) => json(notices::get(&cx.db, id).await),
        Err(_) => json::<()>(Ok(None)),
    }
}

async fn publicity_index(Extension(cx): Extension<AppContext>, Query(q): Query<YearQuery>) -> Response {
    let (id, code) = match county(&cx, &q).await {
        Ok(c) => c,
        Err(e) => return json::<()>(Err(e)),
    };
    let key = format!("publicity_index/{code}/{:?}", q.year);
    json(cx.cache.get_or_load(&key, publicity::index(&cx.db, id, q.year)).await.map(Some))
}

async fn publicity_township(
    Extension(cx): Extension<AppContext>,
    Path(t): Path<String>,
    Query(q): Query<YearQuery>,
) -> Response {
    json(publicity::township(&cx.db, &t, q.year).await)
}

async fn publicity_village(
    Extension(cx): Extension<AppContext>,
    Path((t, v)): Path<(String, String)>,
    Query(q): Query<YearQuery>,
) -> Response {
    json(publicity::village(&cx.db, &t, &v, q.year).await)
}

async fn publicity_roster(
    Extension(cx): Extension<AppContext>,
    Path((t, v, r)): Path<(String, String, String)>,
) -> Response {
    match r.parse::<i64>() {
        Ok(r) => json(publicity::roster(&cx.db, &t, &v, r).await),
        Err(_) => json::<()>(Ok(None)),
    }
}

/// The OpenAPI 3.1 description of the endpoints above.
async fn openapi() -> Response {
    let year = serde_json::json!({ "name": "year", "in": "query", "required": false, "schema": { "type": "integer" }, "description": "catalogue / period year; default the newest" });
    let county = serde_json::json!({ "name": "county", "in": "query", "required": false, "schema": { "type": "string", "pattern": "^[0-9]{6}$" }, "description": "county code (GB/T 2260); default the portal's first county" });
    let path_param = |name: &str, description: &str| serde_json::json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" }, "description": description });
    let ok = |description: &str| {
        serde_json::json!({
            "200": { "description": description, "content": { "application/json": { "schema": { "type": "object" } } } },
            "404": { "description": "未找到相关内容", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
        })
    };
    let doc = serde_json::json!({
        "openapi": "3.1.0",
        "info": {
            "title": "惠民惠农财政补贴资金“一卡通”公开平台 开放数据接口",
            "version": "1",
            "description": "The portal's public data as JSON. Amounts are integer fen (1 yuan = 100 fen). Names and ID numbers are masked exactly as on the pages; phones, bank accounts and birth dates are never included."
        },
        "paths": {
            "/api/v1/aggregates": { "get": { "summary": "This year's totals of a county, by item and by township", "parameters": [county], "responses": ok("HomeFigures") } },
            "/api/v1/catalogue": { "get": { "summary": "The policy list of a year, with departments and changes from the year before", "parameters": [year, county], "responses": ok("PolicyList") } },
            "/api/v1/catalogue/{code}": { "get": { "summary": "One item with its payouts by township and by period", "parameters": [path_param("code", "item code, e.g. 14-01"), year, county], "responses": ok("PolicyDetail") } },
            "/api/v1/notices": { "get": { "summary": "Notices and policy documents, newest first; with county, the ones that county's pages show (its own, its city's, its province's and the portal's)", "parameters": [{ "name": "page", "in": "query", "schema": { "type": "integer", "minimum": 1 } }, { "name": "county", "in": "query", "required": false, "schema": { "type": "string", "pattern": "^[0-9]{6}$" }, "description": "county code (GB/T 2260); default all notices" }], "responses": ok("NoticeList") } },
            "/api/v1/notices/{id}": { "get": { "summary": "One notice with its full text", "parameters": [path_param("id", "notice id")], "responses": ok("Notice") } },
            "/api/v1/publicity": { "get": { "summary": "Payment publicity totals of a county by township", "parameters": [year, county], "responses": ok("PublicityIndex") } },
            "/api/v1/publicity/{township}": { "get": { "summary": "A township's totals by village", "parameters": [path_param("township", "township code"), year], "responses": ok("TownshipPublicity") } },
            "/api/v1/publicity/{township}/{village}": { "get": { "summary": "A village's rosters (item and period)", "parameters": [path_param("township", "township code"), path_param("village", "village code"), year], "responses": ok("VillagePublicity") } },
            "/api/v1/publicity/{township}/{village}/{roster}": { "get": { "summary": "The published lines of one roster in one village (masked), with the roster's entries in the publicity log (versions)", "parameters": [path_param("township", "township code"), path_param("village", "village code"), path_param("roster", "roster id")], "responses": ok("RosterPublicity") } },
            "/api/v1/log/head": { "get": { "summary": "The publicity log's newest signed tree head (RFC 9162 tree, Ed25519 signature of \"portal-publicity-log/v1\\n{tree_size}\\n{signed_at}\\n{root_hash}\\n\")", "responses": ok("TreeHead") } },
            "/api/v1/log/heads": { "get": { "summary": "The log's public key and its signed tree heads, newest first, 20 a page", "parameters": [{ "name": "page", "in": "query", "schema": { "type": "integer", "minimum": 1 } }], "responses": ok("LogHeads") } },
            "/api/v1/log/entries": { "get": { "summary": "Entries start..=end (at most 1,000) with their canonical text; leaf hash = SHA-256(0x00 || UTF-8 text)", "parameters": [{ "name": "start", "in": "query", "schema": { "type": "integer", "minimum": 0 } }, { "name": "end", "in": "query", "schema": { "type": "integer", "minimum": 0 } }], "responses": ok("LogEntry[]") } },
            "/api/v1/log/rosters/{roster}": { "get": { "summary": "One roster's entries, oldest first: its public version history", "parameters": [path_param("roster", "roster id")], "responses": ok("LogEntry[]") } },
            "/api/v1/log/proof/inclusion": { "get": { "summary": "Inclusion proof of entry index in the tree of tree_size entries (default: the whole log)", "parameters": [{ "name": "index", "in": "query", "required": true, "schema": { "type": "integer", "minimum": 0 } }, { "name": "tree_size", "in": "query", "schema": { "type": "integer", "minimum": 1 } }], "responses": ok("InclusionProof") } },
            "/api/v1/log/proof/consistency": { "get": { "summary": "Consistency proof that the tree of first entries is a prefix of the tree of second", "parameters": [{ "name": "first", "in": "query", "required": true, "schema": { "type": "integer", "minimum": 1 } }, { "name": "second", "in": "query", "required": true, "schema": { "type": "integer", "minimum": 1 } }], "responses": ok("ConsistencyProof") } }
        },
        "components": { "schemas": { "Error": { "type": "object", "properties": { "error": { "type": "string" } }, "required": ["error"] } } }
    });
    Json(doc).into_response()
}
