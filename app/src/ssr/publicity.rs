//! SQL for payment publicity. Lines come from `publicity_entries` (what was published), totals
//! count what was published as paid or reissued. A line publicised at township level (a small
//! cell, `shown_as = 'township'`) counts only in its township's totals and summaries, never on a
//! village's page.

use super::Db;
use crate::api::publicity::{
    AreaTotal, Place, PublicityIndex, PublicityLine, RosterPublicity, RosterSummary, TownshipPublicity,
    VillagePublicity,
};
use crate::domain::publicity::{public_from, SmallCells};
use crate::domain::Money;
use sqlx::any::AnyRow;
use sqlx::Row;

/// What the lines `pe` paid: those the bank paid, and failed ones paid again (补发).
macro_rules! paid_amount {
    () => {
        "CAST(COALESCE(SUM(CASE WHEN pe.status IN ('paid', 'reissued') THEN pe.amount_fen ELSE 0 END), 0) AS BIGINT)"
    };
}
pub(crate) const PAID_AMOUNT: &str = paid_amount!();
/// A roster summary's counts over its lines `pe` (grouped by roster): `lines`, `amount` (paid),
/// `planned` (all of them, before the bank's answer), and how many the bank could not pay
/// (`failed`) or were clawed back.
pub(crate) const ROSTER_COUNTS: &str = concat!(
    "COUNT(pe.id) AS lines, ",
    paid_amount!(),
    " AS amount, CAST(COALESCE(SUM(pe.amount_fen), 0) AS BIGINT) AS planned, \
     CAST(COALESCE(SUM(CASE WHEN pe.status = 'failed' THEN 1 ELSE 0 END), 0) AS BIGINT) AS failed, \
     CAST(COALESCE(SUM(CASE WHEN pe.status = 'clawed_back' THEN 1 ELSE 0 END), 0) AS BIGINT) AS clawed_back"
);

/// A county's catalogue years whose lines are still public (`first` and later), newest first,
/// and the chosen one (default: the newest).
async fn years(db: &Db, county: i64, wanted: Option<i32>, first: i32) -> Result<(i32, Vec<i32>), sqlx::Error> {
    let years: Vec<i64> =
        sqlx::query_scalar("SELECT year FROM catalogue_years WHERE county_id = $1 AND year >= $2 ORDER BY year DESC")
            .bind(county)
            .bind(i64::from(first))
            .fetch_all(&db.pool)
            .await?;
    let years: Vec<i32> = years.into_iter().map(|y| y as i32).collect();
    let year = wanted.filter(|y| years.contains(y)).or(years.first().copied()).unwrap_or(0);
    Ok((year, years))
}

/// The year a page asked for `wanted` shows: that year if the county has a catalogue of it whose
/// lines are still public, else the newest.
pub async fn shown_year(db: &Db, county: i64, wanted: Option<i32>, first: i32) -> Result<i32, sqlx::Error> {
    Ok(years(db, county, wanted, first).await?.0)
}

/// Periods of a year sort between `"YYYY"` and `"YYYY+1"` (`2026-03`, `2026-Q1`, `2026-H1`, `2026`).
fn period_range(year: i32) -> (String, String) {
    (year.to_string(), (year + 1).to_string())
}

async fn place(db: &Db, code: &str, level: &str, parent: Option<&str>) -> Result<Option<(i64, Place)>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT r.id, r.code, r.name, p.code AS parent_code FROM regions r LEFT JOIN regions p ON p.id = r.parent_id \
         WHERE r.code = $1 AND r.level = $2",
    )
    .bind(code)
    .bind(level)
    .fetch_optional(&db.pool)
    .await?;
    Ok(row
        .filter(|r| parent.is_none_or(|p| r.get::<Option<String>, _>("parent_code").as_deref() == Some(p)))
        .map(|r| (r.get("id"), Place { code: r.get("code"), name: r.get("name") })))
}

fn area_total(r: &AnyRow) -> AreaTotal {
    AreaTotal {
        place: Place { code: r.get("code"), name: r.get("name") },
        lines: r.get("lines"),
        people: r.get("people"),
        amount: Money::from_fen(r.get("amount")),
    }
}

/// A county's townships with their totals of a year.
pub async fn index(db: &Db, county: i64, year: Option<i32>, first: i32) -> Result<PublicityIndex, sqlx::Error> {
    let (year, years) = years(db, county, year, first).await?;
    let (from, to) = period_range(year);
    let townships = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT t.code, t.name, COUNT(pe.id) AS lines, COUNT(DISTINCT pe.beneficiary_id) AS people, {PAID_AMOUNT} AS amount \
         FROM regions t JOIN regions v ON v.parent_id = t.id \
         LEFT JOIN publicity_entries pe ON pe.village_id = v.id AND pe.period >= $1 AND pe.period < $2 \
         WHERE t.level = 'township' AND t.parent_id = $3 GROUP BY t.id, t.code, t.name, t.sort_order ORDER BY t.sort_order"
    )))
    .bind(from)
    .bind(to)
    .bind(county)
    .fetch_all(&db.pool)
    .await?
    .iter()
    .map(area_total)
    .collect();
    Ok(PublicityIndex { year, years, townships })
}

/// A township's villages with their totals of a year, and its rosters' lines publicised at
/// township level (small cells) with `rule` written beside them.
pub async fn township(
    db: &Db,
    code: &str,
    year: Option<i32>,
    first: i32,
    rule: &SmallCells,
) -> Result<Option<TownshipPublicity>, sqlx::Error> {
    let Some((id, township)) = place(db, code, "township", None).await? else { return Ok(None) };
    let county = super::regions::county_of(&mut *db.pool.acquire().await?, id).await?.unwrap_or(0);
    let (year, years) = years(db, county, year, first).await?;
    let (from, to) = period_range(year);
    let villages = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT v.code, v.name, COUNT(pe.id) AS lines, COUNT(DISTINCT pe.beneficiary_id) AS people, {PAID_AMOUNT} AS amount \
         FROM regions v LEFT JOIN publicity_entries pe ON pe.village_id = v.id AND pe.period >= $2 AND pe.period < $3 \
              AND pe.shown_as = 'line' \
         WHERE v.parent_id = $1 GROUP BY v.id, v.code, v.name, v.sort_order ORDER BY v.sort_order"
    )))
    .bind(id)
    .bind(&from)
    .bind(&to)
    .fetch_all(&db.pool)
    .await?
    .iter()
    .map(area_total)
    .collect();
    let summarised: Vec<RosterSummary> = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {ROSTER_COLUMNS}, {ROSTER_COUNTS} \
         FROM publicity_entries pe JOIN rosters ro ON ro.id = pe.roster_id \
         JOIN subsidy_items i ON i.id = ro.item_id JOIN departments d ON d.id = ro.department_id \
         WHERE ro.region_id = $1 AND pe.shown_as = 'township' AND pe.period >= $2 AND pe.period < $3 \
         {ROSTER_GROUP_BY} ORDER BY i.sort_order, i.code, ro.period DESC, ro.batch"
    )))
    .bind(id)
    .bind(from)
    .bind(to)
    .fetch_all(&db.pool)
    .await?
    .iter()
    .map(roster_summary)
    .collect();
    let small_cell_rule = rule_if(rule, &summarised);
    Ok(Some(TownshipPublicity { year, years, township, villages, summarised, small_cell_rule }))
}

/// A roster that has been published: past its draft, or a draft again after a withdrawal (its
/// page then shows the withdrawal and its version history).
const PUBLISHED: &str = "(ro.status <> 'draft' OR EXISTS (SELECT 1 FROM publicity_log l WHERE l.roster_id = ro.id))";

pub(crate) const ROSTER_COLUMNS: &str =
    "ro.id, i.code AS item_code, i.name AS item_name, d.name AS department, ro.period, ro.batch, \
     ro.status, ro.publicity_start, ro.publicity_end, ro.paid_on, ro.payout_publicised_on";
/// `GROUP BY` for a roster summary with per-place counts (PostgreSQL wants every column listed).
pub(crate) const ROSTER_GROUP_BY: &str =
    "GROUP BY ro.id, i.code, i.name, d.name, ro.period, ro.batch, ro.status, ro.publicity_start, \
     ro.publicity_end, ro.paid_on, ro.payout_publicised_on, i.sort_order";

pub(crate) fn roster_summary(r: &AnyRow) -> RosterSummary {
    RosterSummary {
        id: r.get("id"),
        item_code: r.get("item_code"),
        item_name: r.get("item_name"),
        department: r.get("department"),
        period: r.get("period"),
        batch: r.get("batch"),
        status: r.get("status"),
        publicity_start: r.get("publicity_start"),
        publicity_end: r.get("publicity_end"),
        paid_on: r.get("paid_on"),
        payout_publicised_on: r.get("payout_publicised_on"),
        lines: r.get("lines"),
        amount: Money::from_fen(r.get("amount")),
        planned: Money::from_fen(r.get("planned")),
        failed: r.get("failed"),
        clawed_back: r.get("clawed_back"),
    }
}

pub async fn village(
    db: &Db,
    township_code: &str,
    code: &str,
    year: Option<i32>,
    first: i32,
) -> Result<Option<VillagePublicity>, sqlx::Error> {
    let Some((township_id, township)) = place(db, township_code, "township", None).await? else { return Ok(None) };
    let Some((id, village)) = place(db, code, "village", Some(township_code)).await? else { return Ok(None) };
    let county = super::regions::county_of(&mut *db.pool.acquire().await?, township_id).await?.unwrap_or(0);
    let (year, years) = years(db, county, year, first).await?;
    let (from, to) = period_range(year);
    let rosters = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {ROSTER_COLUMNS}, {ROSTER_COUNTS} \
         FROM publicity_entries pe JOIN rosters ro ON ro.id = pe.roster_id \
         JOIN subsidy_items i ON i.id = ro.item_id JOIN departments d ON d.id = ro.department_id \
         WHERE pe.village_id = $1 AND pe.period >= $2 AND pe.period < $3 AND pe.shown_as = 'line' \
         {ROSTER_GROUP_BY} ORDER BY i.sort_order, i.code, ro.period DESC, ro.batch"
    )))
    .bind(id)
    .bind(from)
    .bind(to)
    .fetch_all(&db.pool)
    .await?
    .iter()
    .map(roster_summary)
    .collect();
    Ok(Some(VillagePublicity { year, years, township, village, rosters }))
}

/// A publicity line from a row with its columns (`name_masked`, `id_masked`,
/// `recipient_name_masked`, `village`, `item`, `period`, `amount_fen`, `status`, `published_on`).
pub fn line_of(r: &AnyRow) -> PublicityLine {
    PublicityLine {
        name_masked: r.get("name_masked"),
        id_masked: r.get("id_masked"),
        recipient_name_masked: r.get("recipient_name_masked"),
        village: r.get("village"),
        item: r.get("item"),
        period: r.get("period"),
        amount: Money::from_fen(r.get("amount_fen")),
        status: r.get("status"),
        published_on: r.get("published_on"),
    }
}

/// The lines of one roster published in one village; the roster must belong to the village's
/// township, and its period's lines be still public (its year `first` or later: see [`retired`]).
/// Its lines publicised at township level come as one summary of the whole roster.
pub async fn roster(
    db: &Db,
    township_code: &str,
    village_code: &str,
    roster_id: i64,
    first: i32,
    rule: &SmallCells,
) -> Result<Option<RosterPublicity>, sqlx::Error> {
    let Some((township_id, township)) = place(db, township_code, "township", None).await? else { return Ok(None) };
    let Some((village_id, village)) = place(db, village_code, "village", Some(township_code)).await? else {
        return Ok(None);
    };
    let summary = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {ROSTER_COLUMNS}, {ROSTER_COUNTS} \
         FROM rosters ro JOIN subsidy_items i ON i.id = ro.item_id JOIN departments d ON d.id = ro.department_id \
         LEFT JOIN publicity_entries pe ON pe.roster_id = ro.id AND pe.village_id = $3 AND pe.shown_as = 'line' \
         WHERE ro.id = $1 AND ro.region_id = $2 AND {PUBLISHED} \
         {ROSTER_GROUP_BY}"
    )))
    .bind(roster_id)
    .bind(township_id)
    .bind(village_id)
    .fetch_optional(&db.pool)
    .await?;
    let Some(summary) = summary.as_ref().map(roster_summary) else { return Ok(None) };
    if !public_from(&summary.period, first) {
        return Ok(None);
    }
    let lines = sqlx::query(
        "SELECT pe.name_masked, pe.id_masked, pe.recipient_name_masked, v.name AS village, i.name AS item, pe.period, \
                pe.amount_fen, pe.status, pe.published_on \
         FROM publicity_entries pe JOIN regions v ON v.id = pe.village_id JOIN subsidy_items i ON i.id = pe.item_id \
         WHERE pe.roster_id = $1 AND pe.village_id = $2 AND pe.shown_as = 'line' ORDER BY pe.id",
    )
    .bind(roster_id)
    .bind(village_id)
    .fetch_all(&db.pool)
    .await?
    .iter()
    .map(line_of)
    .collect();
    let versions = super::publicity_log::roster_records(db, roster_id).await?;
    let summarised = township_summary(db, roster_id).await?;
    let small_cell_rule = rule_if(rule, summarised.as_slice());
    Ok(Some(RosterPublicity { township, village, roster: summary, lines, versions, summarised, small_cell_rule }))
}

/// The small-cell rule in words where some lines were publicised by it, else empty.
fn rule_if(rule: &SmallCells, summarised: &[RosterSummary]) -> String {
    if summarised.is_empty() {
        String::new()
    } else {
        rule.rule_words()
    }
}

/// A roster's lines publicised at township level (small cells), counted over the whole roster;
/// `None` when it has none.
pub async fn township_summary(db: &Db, roster_id: i64) -> Result<Option<RosterSummary>, sqlx::Error> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {ROSTER_COLUMNS}, {ROSTER_COUNTS} \
         FROM publicity_entries pe JOIN rosters ro ON ro.id = pe.roster_id \
         JOIN subsidy_items i ON i.id = ro.item_id JOIN departments d ON d.id = ro.department_id \
         WHERE pe.roster_id = $1 AND pe.shown_as = 'township' {ROSTER_GROUP_BY}"
    )))
    .bind(roster_id)
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.as_ref().map(roster_summary))
}

/// Whether a published roster exists whose lines have left the public pages (its period's year is
/// before `first`): a page that finds nothing says so rather than "not found".
pub async fn retired(db: &Db, roster_id: i64, first: i32) -> Result<bool, sqlx::Error> {
    let period: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT ro.period FROM rosters ro WHERE ro.id = $1 AND {PUBLISHED}"
    )))
    .bind(roster_id)
    .fetch_optional(&db.pool)
    .await?;
    Ok(period.is_some_and(|p| !public_from(&p, first)))
}
