//! An entry's canonical text: what the public saw of a roster when it was published, as one line
//! of JSON (UTF-8, keys in this order, no spaces, amounts in integer fen). The README describes
//! it field by field; changing it needs a new `v`.

use serde::Serialize;
use sqlx::{AnyConnection, Row};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize)]
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
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct Published {
    pub publicity_start: Option<String>,
    pub publicity_end: Option<String>,
    pub paid_on: Option<String>,
    pub payout_publicised_on: Option<String>,
    pub line_count: i64,
    pub total_fen: i64,
    pub lines: Vec<Line>,
    /// The lines publicised at township level (small cells), as counts only; absent when none
    /// (so an entry without them reads exactly as before they existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summarised: Option<Summarised>,
}

/// Lines publicised at township level: how many, their sum, and how many of them (and how much)
/// the bank paid, as the township page shows them.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct Summarised {
    pub line_count: i64,
    pub total_fen: i64,
    pub paid_count: i64,
    pub paid_fen: i64,
}

impl Summarised {
    fn add(&mut self, amount_fen: i64, status: &str) {
        self.line_count += 1;
        self.total_fen += amount_fen;
        if matches!(status, "paid" | "reissued") {
            self.paid_count += 1;
            self.paid_fen += amount_fen;
        }
    }
}

/// One published line, masked as the pages show it.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct Line {
    pub village_code: String,
    pub village: String,
    pub name: String,
    pub id: String,
    pub recipient: Option<String>,
    pub amount_fen: i64,
    pub status: String,
}

/// What the public pages of these rosters show now, by roster, as entries (kind and reason left
/// empty for the caller): the lines listed in villages, and the lines publicised at township
/// level as counts; a roster that does not exist is missing from the answer. A few queries for
/// any number of rosters (the backfill enters thousands at a time).
pub async fn shown(conn: &mut AnyConnection, rosters: &[i64]) -> Result<BTreeMap<i64, Entry>, sqlx::Error> {
    let mut found = BTreeMap::new();
    for chunk in rosters.chunks(500) {
        // Ids are integers: written into the statement, they cannot change its meaning.
        let ids = chunk.iter().map(|r| r.to_string()).collect::<Vec<_>>().join(",");
        let mut lines: BTreeMap<i64, Vec<Line>> = BTreeMap::new();
        let mut summarised: BTreeMap<i64, Summarised> = BTreeMap::new();
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT pe.roster_id, v.code AS village_code, v.name AS village, pe.name_masked, pe.id_masked, \
                    pe.recipient_name_masked, pe.amount_fen, pe.status, pe.shown_as \
             FROM publicity_entries pe JOIN regions v ON v.id = pe.village_id WHERE pe.roster_id IN ({ids}) \
             ORDER BY pe.roster_id, pe.id"
        )))
        .fetch_all(&mut *conn)
        .await?;
        for l in rows {
            if l.get::<String, _>("shown_as") != "line" {
                summarised
                    .entry(l.get("roster_id"))
                    .or_default()
                    .add(l.get("amount_fen"), &l.get::<String, _>("status"));
                continue;
            }
            lines.entry(l.get("roster_id")).or_default().push(Line {
                village_code: l.get("village_code"),
                village: l.get("village"),
                name: l.get("name_masked"),
                id: l.get("id_masked"),
                recipient: l.get("recipient_name_masked"),
                amount_fen: l.get("amount_fen"),
                status: l.get("status"),
            });
        }
        let metas = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT ro.id, ro.period, ro.batch, ro.publicity_start, ro.publicity_end, ro.paid_on, ro.payout_publicised_on, \
                    i.code AS item_code, i.name AS item, d.name AS department, t.code AS township_code, t.name AS township, \
                    c.code AS county_code, c.name AS county \
             FROM rosters ro JOIN subsidy_items i ON i.id = ro.item_id JOIN departments d ON d.id = ro.department_id \
             JOIN regions t ON t.id = ro.region_id JOIN regions c ON c.id = t.parent_id WHERE ro.id IN ({ids})"
        )))
        .fetch_all(&mut *conn)
        .await?;
        for r in metas {
            let roster: i64 = r.get("id");
            let lines = lines.remove(&roster).unwrap_or_default();
            let published = Published {
                publicity_start: r.get("publicity_start"),
                publicity_end: r.get("publicity_end"),
                paid_on: r.get("paid_on"),
                payout_publicised_on: r.get("payout_publicised_on"),
                line_count: lines.len() as i64,
                total_fen: lines.iter().map(|l| l.amount_fen).sum(),
                lines,
                summarised: summarised.remove(&roster),
            };
            let entry = Entry {
                // 2: the entry has `summarised` (an entry without it is as version 1 wrote it).
                v: if published.summarised.is_some() { 2 } else { 1 },
                kind: String::new(),
                reason: String::new(),
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
            };
            found.insert(roster, entry);
        }
    }
    Ok(found)
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
