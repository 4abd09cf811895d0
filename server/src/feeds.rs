//! The Atom feeds' routes: `/feeds/notices.atom`, `/feeds/publicity/{township}/{village}.atom`,
//! `/feeds/catalogue/{code}.atom` (the XML and the SQL are in `app::ssr::feeds`).

use app::ssr::feeds::{self, Feed};
use app::ssr::AppContext;
use axum::extract::{Extension, Path, Query};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/feeds/notices.atom", get(notices))
        .route("/feeds/publicity/{township}/{file}", get(village))
        .route("/feeds/catalogue/{file}", get(item))
}

#[derive(serde::Deserialize)]
struct CountyQuery {
    county: Option<String>,
}

/// The feed as Atom, or the page's 404 / 500 in words.
fn answer(feed: Result<Option<Feed>, sqlx::Error>, headers: &HeaderMap, uri: &Uri) -> Response {
    match feed {
        Ok(Some(feed)) => {
            let origin = app::ssr::noticeboard::origin_of(headers);
            let self_path = uri.path_and_query().map_or(uri.path(), |p| p.as_str());
            ([(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")], feeds::atom(&feed, &origin, self_path))
                .into_response()
        }
        Ok(None) => (StatusCode::NOT_FOUND, "未找到这个订阅").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "feed");
            (StatusCode::INTERNAL_SERVER_ERROR, "系统繁忙，请稍后再试").into_response()
        }
    }
}

/// The county `?county=` names (`None` if the portal has no such county), else the portal's first.
async fn county(cx: &AppContext, code: Option<&str>) -> Result<Option<app::ssr::regions::County>, sqlx::Error> {
    let all = app::ssr::regions::counties(&cx.db).await?;
    Ok(match code {
        Some(code) => all.into_iter().find(|c| c.code == code),
        None => all.into_iter().next(),
    })
}

/// With `?county=`, the notices that county's pages show; without, every notice.
async fn notices(
    Extension(cx): Extension<AppContext>,
    Query(q): Query<CountyQuery>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let feed = match q.county.as_deref() {
        None => feeds::notices(&cx.db, 0, None).await.map(Some),
        Some(code) => match county(&cx, Some(code)).await {
            Ok(Some(c)) => feeds::notices(&cx.db, c.id, Some(&c.code)).await.map(Some),
            other => other.map(|_| None),
        },
    };
    answer(feed, &headers, &uri)
}

async fn village(
    Extension(cx): Extension<AppContext>,
    Path((township, file)): Path<(String, String)>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let feed = match file.strip_suffix(".atom") {
        Some(village) => feeds::village(&cx.db, &township, village, cx.first_public_year()).await,
        None => Ok(None),
    };
    answer(feed, &headers, &uri)
}

async fn item(
    Extension(cx): Extension<AppContext>,
    Path(file): Path<String>,
    Query(q): Query<CountyQuery>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let Some(code) = file.strip_suffix(".atom") else { return answer(Ok(None), &headers, &uri) };
    let feed = match county(&cx, q.county.as_deref()).await {
        Ok(Some(c)) => feeds::item(&cx.db, c.id, &c.code, code, cx.first_public_year()).await,
        other => other.map(|_| None),
    };
    answer(feed, &headers, &uri)
}
