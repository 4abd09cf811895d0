//! SQL for the bulk files: which county-years have published lines, and the lines themselves a
//! chunk at a time (so that a slow download never holds a connection).

use super::Db;
use crate::api::csv;
use crate::api::open_data::{BulkFile, BulkFiles, BULK_COLUMNS};
use crate::domain::payments::line_status_name;
use crate::domain::Money;
use sqlx::Row;

/// Every county-year with published lines still public (`first` and later; periods of a year
/// sort between `"YYYY"` and `"YYYY+1"`).
pub async fn bulk_files(db: &Db, first: i32) -> Result<BulkFiles, sqlx::Error> {
    let counts = sqlx::query(
        "SELECT t.parent_id AS county_id, SUBSTR(pe.period, 1, 4) AS year, COUNT(*) AS lines \
         FROM publicity_entries pe JOIN regions v ON v.id = pe.village_id JOIN regions t ON t.id = v.parent_id \
         WHERE pe.period >= $1 AND pe.shown_as = 'line' GROUP BY t.parent_id, SUBSTR(pe.period, 1, 4)",
    )
    .bind(first.to_string())
    .fetch_all(&db.pool)
    .await?;
    let mut files = Vec::new();
    for county in super::regions::counties(db).await? {
        let mut years: Vec<(i32, i64)> = counts
            .iter()
            .filter(|r| r.get::<i64, _>("county_id") == county.id)
            .filter_map(|r| Some((r.get::<String, _>("year").parse().ok()?, r.get("lines"))))
            .collect();
        years.sort_by_key(|(year, _)| std::cmp::Reverse(*year));
        files.extend(
            years.into_iter().map(|(year, lines)| BulkFile::new(county.code.clone(), county.name.clone(), year, lines)),
        );
    }
    Ok(BulkFiles { files, first_public_year: first })
}

/// The header row of a bulk file (with the BOM Excel wants).
pub fn bulk_header() -> String {
    let headers: Vec<String> = BULK_COLUMNS.iter().map(|c| c.header.to_string()).collect();
    format!("\u{feff}{}", csv::row(&headers))
}

/// Up to `limit` lines of a county's year after line id `after`, as CSV rows; and the last line's
/// id (`None` once there are no more).
pub async fn bulk_chunk(
    db: &Db,
    county_id: i64,
    year: i32,
    after: i64,
    limit: i64,
) -> Result<(String, Option<i64>), sqlx::Error> {
    let rows = sqlx::query(
        "SELECT pe.id, c.code AS county_code, c.name AS county, t.code AS township_code, t.name AS township, \
                v.code AS village_code, v.name AS village, i.code AS item_code, i.name AS item, d.name AS department, \
                pe.period, ro.batch, ro.id AS roster_id, pe.name_masked, pe.id_masked, pe.recipient_name_masked, \
                pe.amount_fen, pe.status, pe.published_on, ro.paid_on, \
                (SELECT MAX(l.leaf_index) FROM publicity_log l WHERE l.roster_id = ro.id) AS log_index \
         FROM publicity_entries pe JOIN regions v ON v.id = pe.village_id JOIN regions t ON t.id = v.parent_id \
         JOIN regions c ON c.id = t.parent_id JOIN rosters ro ON ro.id = pe.roster_id \
         JOIN subsidy_items i ON i.id = pe.item_id JOIN departments d ON d.id = ro.department_id \
         WHERE t.parent_id = $1 AND pe.period >= $2 AND pe.period < $3 AND pe.id > $4 AND pe.shown_as = 'line' \
         ORDER BY pe.id LIMIT $5",
    )
    .bind(county_id)
    .bind(year.to_string())
    .bind((year + 1).to_string())
    .bind(after)
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    let mut out = String::with_capacity(rows.len() * 200);
    for r in &rows {
        let text = |name: &str| r.get::<String, _>(name);
        let fields = [
            text("county_code"),
            text("county"),
            text("township_code"),
            text("township"),
            text("village_code"),
            text("village"),
            text("item_code"),
            text("item"),
            text("department"),
            text("period"),
            r.get::<i64, _>("batch").to_string(),
            r.get::<i64, _>("roster_id").to_string(),
            text("name_masked"),
            text("id_masked"),
            r.get::<Option<String>, _>("recipient_name_masked").unwrap_or_default(),
            Money::from_fen(r.get("amount_fen")).plain(),
            line_status_name(&text("status")).to_string(),
            text("published_on"),
            r.get::<Option<String>, _>("paid_on").unwrap_or_default(),
            r.get::<Option<i64>, _>("log_index").map(|i| i.to_string()).unwrap_or_default(),
        ];
        out.push_str(&csv::row(&fields));
    }
    Ok((out, rows.last().map(|r| r.get("id"))))
}
