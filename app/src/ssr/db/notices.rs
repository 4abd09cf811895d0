//! SQL for notices and policy documents.

use super::Db;
use crate::api::notices::{ItemRef, Notice, NoticeList, NoticeSummary, NOTICES_PER_PAGE};
use sqlx::any::AnyRow;
use sqlx::Row;

const SUMMARY_COLUMNS: &str = "id, kind, title, doc_number, issuer, published_on";

fn summary(r: &AnyRow) -> NoticeSummary {
    NoticeSummary {
        id: r.get("id"),
        kind: r.get("kind"),
        title: r.get("title"),
        doc_number: r.get("doc_number"),
        issuer: r.get("issuer"),
        published_on: r.get("published_on"),
    }
}

/// Newest first, one page.
pub async fn list(db: &Db, page: i64) -> Result<NoticeList, sqlx::Error> {
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM documents").fetch_one(&db.pool).await?;
    let pages = ((total + NOTICES_PER_PAGE - 1) / NOTICES_PER_PAGE).max(1);
    let page = page.min(pages);
    let sql = format!("SELECT {SUMMARY_COLUMNS} FROM documents ORDER BY published_on DESC, id DESC LIMIT $1 OFFSET $2");
    let notices = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(NOTICES_PER_PAGE)
        .bind((page - 1) * NOTICES_PER_PAGE)
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(summary)
        .collect();
    Ok(NoticeList { notices, page, pages, total })
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Notice>, sqlx::Error> {
    let sql = format!("SELECT {SUMMARY_COLUMNS}, body, source FROM documents WHERE id = $1");
    let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&db.pool).await? else {
        return Ok(None);
    };
    let items = sqlx::query(
        "SELECT i.code, i.name, i.year FROM item_documents d JOIN subsidy_items i ON i.id = d.item_id \
         WHERE d.document_id = $1 AND i.year = (SELECT MAX(year) FROM subsidy_items i2 WHERE i2.code = i.code) \
         ORDER BY i.sort_order",
    )
    .bind(id)
    .fetch_all(&db.pool)
    .await?
    .iter()
    .map(|r| ItemRef { code: r.get("code"), name: r.get("name"), year: r.get::<i64, _>("year") as i32 })
    .collect();
    Ok(Some(Notice { summary: summary(&row), body: row.get("body"), source: row.get("source"), items }))
}
