//! Open data: the public pages' data as JSON under `/api/v1`, the yearly bulk files under
//! `/open-data`, and the OpenAPI document at `/api/openapi.json`. Same queries and the same
//! masking as the pages; amounts in JSON are integer fen.

use app::ssr::AppContext;
use app::ssr::{home, notices, open_data, policies, publicity};
use axum::body::{Body, Bytes};
use axum::extract::{Extension, Path, Query};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use std::io::Write;

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
        .route("/api/v1/bulk", get(bulk_files))
        .route("/open-data/{county}/{file}", get(bulk_file))
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
    json(cx.cache.get_or_load(&key, publicity::index(&cx.db, id, q.year, cx.first_public_year())).await.map(Some))
}

async fn publicity_township(
    Extension(cx): Extension<AppContext>,
    Path(t): Path<String>,
    Query(q): Query<YearQuery>,
) -> Response {
    json(publicity::township(&cx.db, &t, q.year, cx.first_public_year(), &cx.small_cells).await)
}

async fn publicity_village(
    Extension(cx): Extension<AppContext>,
    Path((t, v)): Path<(String, String)>,
    Query(q): Query<YearQuery>,
) -> Response {
    json(publicity::village(&cx.db, &t, &v, q.year, cx.first_public_year()).await)
}

async fn publicity_roster(
    Extension(cx): Extension<AppContext>,
    Path((t, v, r)): Path<(String, String, String)>,
) -> Response {
    match r.parse::<i64>() {
        Ok(r) => match publicity::roster(&cx.db, &t, &v, r, cx.first_public_year(), &cx.small_cells).await {
            Ok(None) => match app::api::publicity::missing_roster(&cx, r).await {
                e @ app::api::ApiError::Retired => {
                    (StatusCode::GONE, Json(serde_json::json!({ "error": e.to_string() }))).into_response()
                }
                _ => json::<()>(Ok(None)),
            },
            other => json(other),
        },
        Err(_) => json::<()>(Ok(None)),
    }
}

async fn bulk_files(Extension(cx): Extension<AppContext>) -> Response {
    json(cx.cache.get_or_load("bulk_files", open_data::bulk_files(&cx.db, cx.first_public_year())).await.map(Some))
}

/// `2026.csv` → (2026, plain), `2026.csv.gz` → (2026, gzip).
fn bulk_name(file: &str) -> Option<(i32, bool)> {
    let (year, gzip) = match file.strip_suffix(".csv.gz") {
        Some(year) => (year, true),
        None => (file.strip_suffix(".csv")?, false),
    };
    let year = year.parse().ok().filter(|_| year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit()))?;
    Some((year, gzip))
}

/// A county's published lines of a year as one CSV file (`.csv.gz`: gzip-compressed), written a
/// chunk of lines at a time as the client reads.
async fn bulk_file(Extension(cx): Extension<AppContext>, Path((county, file)): Path<(String, String)>) -> Response {
    let not_found = || (StatusCode::NOT_FOUND, "未找到这个县这一年度的发放公示数据").into_response();
    let Some((year, gzip)) = bulk_name(&file) else { return not_found() };
    let files = match cx.cache.get_or_load("bulk_files", open_data::bulk_files(&cx.db, cx.first_public_year())).await {
        Ok(files) => files,
        Err(e) => return json::<()>(Err(e)),
    };
    if !files.files.iter().any(|f| f.county_code == county && f.year == year) {
        return not_found();
    }
    let county_id = match app::ssr::regions::counties(&cx.db).await {
        Ok(all) => all.into_iter().find(|c| c.code == county).map(|c| c.id),
        Err(e) => return json::<()>(Err(e)),
    };
    let Some(county_id) = county_id else { return not_found() };
    let download = Download {
        db: cx.db.clone(),
        county_id,
        year,
        after: None,
        gzip: gzip.then(|| flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default())),
    };
    // Fused: a compressing layer polls once more after the end.
    let stream = futures_util::StreamExt::fuse(futures_util::stream::unfold(Some(download), |state| async move {
        Some(state?.step().await)
    }));
    let (media_type, name) = if gzip {
        ("application/gzip", format!("publicity-{county}-{year}.csv.gz"))
    } else {
        ("text/csv; charset=utf-8", format!("publicity-{county}-{year}.csv"))
    };
    (
        [
            (header::CONTENT_TYPE, media_type.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        Body::from_stream(stream),
    )
        .into_response()
}

/// Lines read per query of a bulk download.
const BULK_CHUNK: i64 = 1_000;

/// Where a bulk download is: `after` is `None` before the header row, then the last line sent.
struct Download {
    db: app::ssr::Db,
    county_id: i64,
    year: i32,
    after: Option<i64>,
    gzip: Option<flate2::write::GzEncoder<Vec<u8>>>,
}

impl Download {
    /// The next piece of the file, and the download's state after it (`None` at the end).
    async fn step(mut self) -> (Result<Bytes, std::io::Error>, Option<Self>) {
        let (text, last) = match self.after {
            None => (open_data::bulk_header(), Some(0)),
            Some(after) => match open_data::bulk_chunk(&self.db, self.county_id, self.year, after, BULK_CHUNK).await {
                Ok(chunk) => chunk,
                Err(e) => {
                    tracing::error!(error = %e, "bulk file");
                    return (Err(std::io::Error::other("bulk file")), None);
                }
            },
        };
        let end = last.is_none();
        self.after = last.or(self.after);
        let bytes = match self.gzip.take() {
            None => text.into_bytes(),
            Some(mut gz) => {
                if let Err(e) = gz.write_all(text.as_bytes()) {
                    return (Err(e), None);
                }
                if end {
                    match gz.finish() {
                        Ok(rest) => rest,
                        Err(e) => return (Err(e), None),
                    }
                } else {
                    let written = std::mem::take(gz.get_mut());
                    self.gzip = Some(gz);
                    written
                }
            }
        };
        (Ok(Bytes::from(bytes)), (!end).then_some(self))
    }
}

/// The OpenAPI 3.1 document, built once: each response's schema is generated from the type the
/// endpoint serialises (the one the pages use), with its doc comments as descriptions.
async fn openapi() -> Response {
    static DOC: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    Json(DOC.get_or_init(openapi_document)).into_response()
}

/// A 200 answering `T` as JSON, and the 404 every lookup may answer.
fn ok<T: schemars::JsonSchema>(generator: &mut schemars::SchemaGenerator, description: &str) -> serde_json::Value {
    serde_json::json!({
        "200": { "description": description, "content": { "application/json": { "schema": generator.subschema_for::<T>() } } },
        "404": { "description": "未找到相关内容", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
    })
}

/// A 200 answering a file of `media_type`, and the 404.
fn file(media_type: &str, description: &str) -> serde_json::Value {
    serde_json::json!({
        "200": { "description": description, "content": { media_type: { "schema": { "type": "string" } } } },
        "404": { "description": "未找到相关内容", "content": { "text/plain": { "schema": { "type": "string" } } } }
    })
}

fn openapi_document() -> serde_json::Value {
    use app::api::{home, notices, policies, publicity, publicity_log};
    let settings = schemars::generate::SchemaSettings::draft2020_12().for_serialize().with(|s| {
        s.definitions_path = "/components/schemas".into();
        s.meta_schema = None;
    });
    let g = &mut schemars::SchemaGenerator::new(settings);
    let year = serde_json::json!({ "name": "year", "in": "query", "required": false, "schema": { "type": "integer" }, "description": "catalogue / period year; default the newest" });
    let county = serde_json::json!({ "name": "county", "in": "query", "required": false, "schema": { "type": "string", "pattern": "^[0-9]{6}$" }, "description": "county code (GB/T 2260); default the portal's first county" });
    let path_param = |name: &str, description: &str| serde_json::json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" }, "description": description });
    let page = serde_json::json!({ "name": "page", "in": "query", "schema": { "type": "integer", "minimum": 1 } });
    let paths = serde_json::json!({
        "/api/v1/aggregates": { "get": { "summary": "This year's totals of a county, by item and by township", "parameters": [county], "responses": ok::<home::HomeFigures>(g, "HomeFigures") } },
        "/api/v1/catalogue": { "get": { "summary": "The policy list of a year, with departments and changes from the year before", "parameters": [year, county], "responses": ok::<policies::PolicyList>(g, "PolicyList") } },
        "/api/v1/catalogue/{code}": { "get": { "summary": "One item with its payouts by township and by period", "parameters": [path_param("code", "item code, e.g. 14-01"), year, county], "responses": ok::<policies::PolicyDetail>(g, "PolicyDetail") } },
        "/api/v1/notices": { "get": { "summary": "Notices and policy documents, newest first; with county, the ones that county's pages show (its own, its city's, its province's and the portal's)", "parameters": [page, { "name": "county", "in": "query", "required": false, "schema": { "type": "string", "pattern": "^[0-9]{6}$" }, "description": "county code (GB/T 2260); default all notices" }], "responses": ok::<notices::NoticeList>(g, "NoticeList") } },
        "/api/v1/notices/{id}": { "get": { "summary": "One notice with its full text", "parameters": [path_param("id", "notice id")], "responses": ok::<notices::Notice>(g, "Notice") } },
        "/api/v1/publicity": { "get": { "summary": "Payment publicity totals of a county by township", "parameters": [year, county], "responses": ok::<publicity::PublicityIndex>(g, "PublicityIndex") } },
        "/api/v1/publicity/{township}": { "get": { "summary": "A township's totals by village", "parameters": [path_param("township", "township code"), year], "responses": ok::<publicity::TownshipPublicity>(g, "TownshipPublicity") } },
        "/api/v1/publicity/{township}/{village}": { "get": { "summary": "A village's rosters (item and period)", "parameters": [path_param("township", "township code"), path_param("village", "village code"), year], "responses": ok::<publicity::VillagePublicity>(g, "VillagePublicity") } },
        "/api/v1/publicity/{township}/{village}/{roster}": { "get": { "summary": "The published lines of one roster in one village (masked), with the roster's entries in the publicity log (versions)", "parameters": [path_param("township", "township code"), path_param("village", "village code"), path_param("roster", "roster id")], "responses": ok::<publicity::RosterPublicity>(g, "RosterPublicity") } },
        "/api/v1/log/head": { "get": { "summary": "The publicity log's newest signed tree head (RFC 9162 tree, Ed25519 signature of \"portal-publicity-log/v1\\n{tree_size}\\n{signed_at}\\n{root_hash}\\n\")", "responses": ok::<publicity_log::TreeHead>(g, "TreeHead") } },
        "/api/v1/log/heads": { "get": { "summary": "The log's public key and its signed tree heads, newest first, 20 a page", "parameters": [page], "responses": ok::<publicity_log::LogHeads>(g, "LogHeads") } },
        "/api/v1/log/entries": { "get": { "summary": "Entries start..=end (at most 1,000) with their canonical text; leaf hash = SHA-256(0x00 || UTF-8 text)", "parameters": [{ "name": "start", "in": "query", "schema": { "type": "integer", "minimum": 0 } }, { "name": "end", "in": "query", "schema": { "type": "integer", "minimum": 0 } }], "responses": ok::<Vec<publicity_log::LogEntry>>(g, "LogEntry[]") } },
        "/api/v1/log/rosters/{roster}": { "get": { "summary": "One roster's entries, oldest first: its public version history", "parameters": [path_param("roster", "roster id")], "responses": ok::<Vec<publicity_log::LogEntry>>(g, "LogEntry[]") } },
        "/api/v1/log/proof/inclusion": { "get": { "summary": "Inclusion proof of entry index in the tree of tree_size entries (default: the whole log)", "parameters": [{ "name": "index", "in": "query", "required": true, "schema": { "type": "integer", "minimum": 0 } }, { "name": "tree_size", "in": "query", "schema": { "type": "integer", "minimum": 1 } }], "responses": ok::<publicity_log::InclusionProof>(g, "InclusionProof") } },
        "/api/v1/log/proof/consistency": { "get": { "summary": "Consistency proof that the tree of first entries is a prefix of the tree of second", "parameters": [{ "name": "first", "in": "query", "required": true, "schema": { "type": "integer", "minimum": 1 } }, { "name": "second", "in": "query", "required": true, "schema": { "type": "integer", "minimum": 1 } }], "responses": ok::<publicity_log::ConsistencyProof>(g, "ConsistencyProof") } },
        "/api/v1/bulk": { "get": { "summary": "The bulk files: one per county and year, with their line counts and addresses (the columns: /open-data)", "responses": ok::<app::api::open_data::BulkFiles>(g, "BulkFiles") } },
        "/open-data/{county}/{file}": { "get": { "summary": "A county's masked payment publicity of one year as one CSV file (UTF-8 with BOM, CRLF; columns on /open-data); {year}.csv, or {year}.csv.gz gzip-compressed", "parameters": [path_param("county", "county code (GB/T 2260)"), path_param("file", "2026.csv or 2026.csv.gz")], "responses": file("text/csv", "CSV (application/gzip for .csv.gz)") } },
        "/feeds/notices.atom": { "get": { "summary": "Atom feed of the newest notices (with county: the ones that county's pages show)", "parameters": [county], "responses": file("application/atom+xml", "Atom 1.0 (RFC 4287)") } },
        "/feeds/publicity/{township}/{village}.atom": { "get": { "summary": "Atom feed of a village's publicity: an entry per roster, updated when it is published, paid and publicised after payment", "parameters": [path_param("township", "township code"), path_param("village", "village code")], "responses": file("application/atom+xml", "Atom 1.0 (RFC 4287)") } },
        "/feeds/catalogue/{code}.atom": { "get": { "summary": "Atom feed of one item's payouts in a county: an entry per roster of the item", "parameters": [path_param("code", "item code, e.g. 14-01"), county], "responses": file("application/atom+xml", "Atom 1.0 (RFC 4287)") } }
    });
    let mut schemas = g.take_definitions(true);
    schemas.insert(
        "Error".into(),
        serde_json::json!({ "type": "object", "properties": { "error": { "type": "string" } }, "required": ["error"] }),
    );
    serde_json::json!({
        "openapi": "3.1.0",
        "info": {
            "title": "惠民惠农财政补贴资金“一卡通”公开平台 开放数据接口",
            "version": "1",
            "description": "The portal's public data as JSON, CSV and Atom. Amounts in JSON are integer fen (1 yuan = 100 fen). Names and ID numbers are masked exactly as on the pages; phones, bank accounts and birth dates are never included. The bulk files' columns, the masking rules and what an empty cell means: /open-data."
        },
        "paths": paths,
        "components": { "schemas": schemas }
    })
}

#[cfg(test)]
mod tests {
    use super::bulk_name;

    #[test]
    fn bulk_file_names_are_a_year_and_csv_or_csv_gz() {
        assert_eq!(bulk_name("2026.csv"), Some((2026, false)));
        assert_eq!(bulk_name("2026.csv.gz"), Some((2026, true)));
        for bad in ["2026", "2026.txt", "26.csv", "+202.csv", "二〇二六.csv", ".csv", "2026.csv.gz.gz"] {
            assert_eq!(bulk_name(bad), None, "{bad}");
        }
    }
}
