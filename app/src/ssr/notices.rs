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

/// The documents a county's pages show (`county`: its region id; `0`: all of them): the portal's
/// own (published by no department) and those of the county's departments and of its city's and
/// province's, which apply to it too. A condition on `documents`' columns.
pub fn shown_in(county: i64) -> String {
    if county == 0 {
        return "1 = 1".into();
    }
    format!(
        "(department_id IS NULL OR department_id IN (SELECT d.id FROM departments d WHERE d.region_id IN \
         ({county}, (SELECT parent_id FROM regions WHERE id = {county}), \
          (SELECT p.parent_id FROM regions r JOIN regions p ON p.id = r.parent_id WHERE r.id = {county}))))"
    )
}

/// Newest first, one page, of the documents `county`'s pages show (`0`: all).
pub async fn list(db: &Db, county: i64, page: i64) -> Result<NoticeList, sqlx::Error> {
    let shown = shown_in(county);
    let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM documents WHERE {shown}")))
        .fetch_one(&db.pool)
        .await?;
    let pages = ((total + NOTICES_PER_PAGE - 1) / NOTICES_PER_PAGE).max(1);
    let page = page.min(pages);
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM documents WHERE {shown} ORDER BY published_on DESC, id DESC LIMIT $1 OFFSET $2"
    );
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
         WHERE d.document_id = $1 AND i.year = (SELECT MAX(year) FROM subsidy_items i2 WHERE i2.code = i.code AND i2.county_id = i.county_id) \
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

/// Publishes a notice or policy document as written (text, with tab-separated or Markdown tables
/// as in the seed documents); the search index picks it up within seconds. Audited.
#[allow(clippy::too_many_arguments)]
pub async fn publish(
    db: &Db,
    staff: &crate::ssr::staff::Staff,
    kind: &str,
    title: &str,
    doc_number: &str,
    issuer: &str,
    published_on: &str,
    body: &str,
) -> Result<i64, sqlx::Error> {
    let mut tx = db.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO documents (kind, title, doc_number, issuer, published_on, body, department_id, source) VALUES ($1, $2, $3, $4, $5, $6, $7, '') RETURNING id",
    )
    .bind(kind)
    .bind(title)
    .bind(doc_number)
    .bind(issuer)
    .bind(published_on)
    .bind(body)
    .bind(staff.department_id)
    .fetch_one(&mut *tx)
    .await?;
    super::changes::record(&mut tx, super::changes::DOCUMENT, id, false).await?;
    super::audit::append(&mut tx, &format!("staff:{}", staff.id), "notice_published", &format!("document:{id}"), "")
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// Withdraws a notice its department (or finance) published; false when it is not theirs.
pub async fn withdraw(db: &Db, staff: &crate::ssr::staff::Staff, id: i64) -> Result<bool, sqlx::Error> {
    let finance = staff.role == crate::ssr::staff::Role::Finance;
    let mut tx = db.begin().await?;
    let owner: Option<Option<i64>> = sqlx::query_scalar("SELECT department_id FROM documents WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(owner) = owner else { return Ok(false) };
    let in_use: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM catalogue_years WHERE document_id = $1")
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    let theirs = owner.is_some_and(|d| (finance && staff.can_act(d)) || Some(d) == staff.department_id);
    if in_use > 0 || !theirs {
        return Ok(false);
    }
    sqlx::query("DELETE FROM item_documents WHERE document_id = $1").bind(id).execute(&mut *tx).await?;
    sqlx::query("DELETE FROM documents WHERE id = $1").bind(id).execute(&mut *tx).await?;
    super::changes::record(&mut tx, super::changes::DOCUMENT, id, true).await?;
    super::audit::append(&mut tx, &format!("staff:{}", staff.id), "notice_withdrawn", &format!("document:{id}"), "")
        .await?;
    tx.commit().await?;
    Ok(true)
}

/// Who a notice of `staff` is issued by: their department, or their own name.
pub async fn issuer(db: &Db, staff: &crate::ssr::staff::Staff) -> Result<String, sqlx::Error> {
    let department: Option<String> = match staff.department_id {
        Some(d) => {
            sqlx::query_scalar("SELECT name FROM departments WHERE id = $1").bind(d).fetch_optional(&db.pool).await?
        }
        None => None,
    };
    Ok(department.unwrap_or_else(|| staff.display_name.clone()))
}

/// The notices a department published (its area's departments' for finance), newest first.
pub async fn published_by(db: &Db, staff: &crate::ssr::staff::Staff) -> Result<Vec<NoticeSummary>, sqlx::Error> {
    // Finance: its area's departments'; a department: its own.
    let theirs = if staff.role == crate::ssr::staff::Role::Finance {
        staff.sees_sql("department_id")
    } else {
        format!("department_id = {}", staff.department_id.unwrap_or(-1))
    };
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM documents WHERE department_id IS NOT NULL AND {theirs} ORDER BY published_on DESC, id DESC LIMIT 100"
    );
    Ok(sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&db.pool).await?.iter().map(summary).collect())
}
