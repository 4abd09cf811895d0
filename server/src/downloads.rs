//! File downloads of public data: the CSV of a publicity page and of the counties' comparison,
//! built from the same data and the same columns as the page.

use app::ssr::AppContext;
use axum::extract::{Extension, Path, Query};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

/// The downloads' route.
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/publicity/{township}/{village}/{roster}/csv", get(roster_csv))
        .route("/counties/compare/csv", get(comparison_csv))
}

#[derive(serde::Deserialize)]
struct YearQuery {
    year: Option<i32>,
}

async fn comparison_csv(Extension(cx): Extension<AppContext>, Query(q): Query<YearQuery>) -> Response {
    match app::ssr::counties::comparison(&cx.db, q.year).await {
        Ok(c) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"counties-{}.csv\"", c.year)),
            ],
            c.to_csv(),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "comparison CSV");
            (StatusCode::INTERNAL_SERVER_ERROR, "系统繁忙，请稍后再试").into_response()
        }
    }
}

async fn roster_csv(
    Extension(cx): Extension<AppContext>,
    Path((township, village, roster)): Path<(String, String, String)>,
) -> Response {
    let Ok(roster) = roster.parse::<i64>() else {
        return not_found();
    };
    match app::ssr::publicity::roster(&cx.db, &township, &village, roster, cx.first_public_year(), &cx.small_cells)
        .await
    {
        Ok(Some(data)) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}\"", data.csv_file_name())),
            ],
            data.to_csv(),
        )
            .into_response(),
        Ok(None) => match app::api::publicity::missing_roster(&cx, roster).await {
            e @ app::api::ApiError::Retired => (StatusCode::GONE, e.to_string()).into_response(),
            _ => not_found(),
        },
        Err(e) => {
            tracing::error!(error = %e, "publicity CSV");
            (StatusCode::INTERNAL_SERVER_ERROR, "系统繁忙，请稍后再试").into_response()
        }
    }
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "未找到相关公示").into_response()
}
