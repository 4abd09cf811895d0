//! An entry's canonical text: what the public saw of a roster when it was published, as one line
//! of JSON (UTF-8, keys in this order, no spaces, amounts in integer fen). The README describes
//! it field by field; changing it needs a new `v`.

use serde::Serialize;
use sqlx::{AnyConnection, Row};

#[derive(Debug, Serialize)]
pub struct Entry {
    pub v: u32,
    pub kind: String,
    pub reason: String,
    pub roster: i64,
    pub county_code: String,
    pub county: String,
    pub township_code: String,
    pub township: String,
    pub department: String,
    pub item_code: String,
    pub item: String,
    pub period: String,
    pub batch: i64,
    #[serde(flatten)]
    pub published: Published,
}

/// The part of an entry the public pages keep showing until the next entry: dates, totals and
/// lines. `server verify-log` and the outside verifier hold the pages to it.
#[derive(Debug, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct Published {
    pub publicity_start: Option<String>,
    pub publicity_end: Option<String>,
    pub paid_on: Option<String>,
    pub payout_publicised_on: Option<String>,
    pub line_count: i64,
    pub total_fen: i64,
    pub lines: Vec<Line>,
}

/// One published line, masked as the pages show it.
#[derive(Debug, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct Line {
    pub village_code: String,
    pub village: String,
    pub name: String,
    pub id: String,
    pub recipient: Option<String>,
    pub amount_fen: i64,
    pub status: String,
}

/// What a roster's public pages show now, as an entry of this kind would record it; `None` when
/// there is no such roster.
pub async fn current(
    conn: &mut AnyConnection,
    roster: i64,
    kind: &str,
    reason: &str,
) -> Result<Option<Entry>, sqlx::Error> {
    let r = sqlx::query(
        "SELECT ro.period, ro.batch, ro.publicity_start, ro.publicity_end, ro.paid_on, ro.payout_publicised_on, \
                i.code AS item_code, i.name AS item, d.name AS department, t.code AS township_code, t.name AS township, \
                c.code AS county_code, c.name AS county \
         FROM rosters ro JOIN subsidy_items i ON i.id = ro.item_id JOIN departments d ON d.id = ro.department_id \
         JOIN regions t ON t.id = ro.region_id JOIN regions c ON c.id = t.parent_id WHERE ro.id = $1",
    )
    .bind(roster)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(r) = r else { return Ok(None) };
    let published = published(conn, roster, &r).await?;
    Ok(Some(Entry {
        v: 1,
        kind: kind.to_string(),
        reason: reason.to_string(),
        roster,
        county_code: r.get("county_code"),
        county: r.get("county"),
        township_code: r.get("township_code"),
        township: r.get("township"),
        department: r.get("department"),
        item_code: r.get("item_code"),
        item: r.get("item"),
        period: r.get("period"),
        batch: r.get("batch"),
        published,
    }))
}

async fn published(conn: &mut AnyConnection, roster: i64, r: &sqlx::any::AnyRow) -> Result<Published, sqlx::Error> {
    let lines: Vec<Line> = sqlx::query(
        "SELECT v.code AS village_code, v.name AS village, pe.name_masked, pe.id_masked, pe.recipient_name_masked, \
                pe.amount_fen, pe.status \
         FROM publicity_entries pe JOIN regions v ON v.id = pe.village_id WHERE pe.roster_id = $1 ORDER BY pe.id",
    )
    .bind(roster)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|l| Line {
        village_code: l.get("village_code"),
        village: l.get("village"),
        name: l.get("name_masked"),
        id: l.get("id_masked"),
        recipient: l.get("recipient_name_masked"),
        amount_fen: l.get("amount_fen"),
        status: l.get("status"),
    })
    .collect();
    Ok(Published {
        publicity_start: r.get("publicity_start"),
        publicity_end: r.get("publicity_end"),
        paid_on: r.get("paid_on"),
        payout_publicised_on: r.get("payout_publicised_on"),
        line_count: lines.len() as i64,
        total_fen: lines.iter().map(|l| l.amount_fen).sum(),
        lines,
    })
}

impl Entry {
    /// The canonical text that is hashed.
    pub fn text(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The published part of a stored entry's text, to hold today's pages to.
pub fn published_of(text: &str) -> Option<Published> {
    serde_json::from_str(text).ok()
}
