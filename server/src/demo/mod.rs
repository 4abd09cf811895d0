//! `demo`: fills an empty database with a fictional county, deterministic from a seed: regions,
//! departments, banks, the seed documents as notices, three yearly catalogues, households and
//! beneficiaries, and three years of rosters, payments, bank failures, reissues and publicity.
//! `county` makes the fixed tables, `people` the households, `payments` the flow and its
//! publicity, `office` the logins, holidays and cases (with `cases`); this module orders the
//! random draws and writes it all in one transaction.

mod cases;
pub mod catalogue;
mod county;
mod names;
pub mod notices;
pub mod office;
mod payments;
mod people;
pub mod places;
mod rng;

use app::domain::date::{civil_from_days, days_from_civil};
use app::domain::{IdNumber, Phone};
use app::ssr::db::bulk::{insert_rows, Val};
use app::ssr::{clock, Db, Vault};
use catalogue::DEPARTMENTS;
use payments::{Lines, PAYMENT_COLUMNS, PUBLICITY_COLUMNS};
use rng::Rng;

/// The demo covers January of `FIRST_YEAR` to `END` (year, month): earlier months are paid,
/// the last month's rosters are still in the review flow.
pub const FIRST_YEAR: i32 = 2024;
pub const END: (i32, u32) = (2026, 11);
pub const DEFAULT_SEED: u64 = 20_240_101;
pub const DEFAULT_PEOPLE: usize = 50_000;

#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub seed: u64,
    /// Number of beneficiaries (people registered in the county's rolls).
    pub people: usize,
}

impl Default for DemoOptions {
    fn default() -> Self {
        Self { seed: DEFAULT_SEED, people: DEFAULT_PEOPLE }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("the database already holds data; the demo county is only loaded into an empty database")]
    NotEmpty,
    #[error("the demo needs at least 500 people, {0} were asked for")]
    TooSmall(usize),
    #[error("database error while loading the demo: {0}")]
    Db(#[from] sqlx::Error),
    #[error("the demo generator produced an invalid value: {0}")]
    Invalid(String),
}

/// A demo person worth trying the self-check with (printed after loading, listed in the README).
#[derive(Debug, Clone)]
pub struct Example {
    pub label: &'static str,
    pub name: String,
    pub id_number: IdNumber,
    pub phone: Phone,
}

#[derive(Debug, Default)]
pub struct DemoSummary {
    pub townships: usize,
    pub villages: usize,
    pub items: usize,
    pub documents: usize,
    pub households: usize,
    pub beneficiaries: usize,
    pub rosters: usize,
    pub payments: usize,
    pub failed: usize,
    pub reissued: usize,
    pub publicity_entries: usize,
    pub cases: usize,
    /// An answered public case and its filer's phone, to try tracking with.
    pub example_case: Option<(String, Phone)>,
    pub examples: Vec<Example>,
}

/// True when nothing has been loaded yet (no regions).
pub async fn is_empty(db: &Db) -> Result<bool, sqlx::Error> {
    Ok(db.count(app::ssr::db::Counted::Regions).await? == 0)
}

/// Generates the county and writes it in one transaction: all of it or nothing.
pub async fn load(db: &Db, vault: &Vault, opts: &DemoOptions) -> Result<DemoSummary, DemoError> {
    if opts.people < 500 {
        return Err(DemoError::TooSmall(opts.people));
    }
    if !is_empty(db).await? {
        return Err(DemoError::NotEmpty);
    }
    let started = std::time::Instant::now();
    let mut county = generate(vault, opts)?;
    tracing::debug!(seconds = started.elapsed().as_secs_f32(), "demo generated in memory");
    let mut tx = db.begin().await?;
    db.bulk_cache(&mut tx, true).await?;
    county.write(&mut tx).await?;
    app::ssr::rosters::carry_line_accounts(&mut tx).await?;
    db.bulk_cache(&mut tx, false).await?;
    tx.commit().await?;
    db.sync_id_sequences(&[
        "regions",
        "departments",
        "banks",
        "staff_users",
        "documents",
        "subsidy_items",
        "households",
        "beneficiaries",
        "rosters",
        "roster_events",
        "payments",
        "publicity_entries",
        "cases",
        "case_events",
    ])
    .await?;
    Ok(county.summary)
}

// ---------------------------------------------------------------------------------------------
// Dates

fn date(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

fn stamp(days: i64, secs: i64) -> String {
    clock::timestamp(days * 86_400 + secs)
}

fn month_index(y: i32, m: u32) -> i64 {
    i64::from(y) * 12 + i64::from(m) - 1
}

// ---------------------------------------------------------------------------------------------
// The generated county, kept as rows until written

/// A table's rows: generated already, or made while writing from the payment flow.
enum Rows {
    Ready(Vec<Vec<Val>>),
    Payments,
    Publicity,
}

struct County {
    rows: Vec<(&'static str, &'static [&'static str], Rows)>,
    lines: Lines,
    summary: DemoSummary,
}

impl County {
    async fn write(&mut self, tx: &mut sqlx::Transaction<'static, sqlx::Any>) -> Result<(), sqlx::Error> {
        for (table, columns, rows) in &mut self.rows {
            let started = std::time::Instant::now();
            let written = match rows {
                Rows::Ready(rows) => insert_rows(tx, table, columns, std::mem::take(rows)).await?,
                Rows::Payments => insert_rows(tx, table, columns, self.lines.payment_rows()).await?,
                Rows::Publicity => {
                    let n = insert_rows(tx, table, columns, self.lines.publicity_rows()).await?;
                    self.summary.publicity_entries = n as usize;
                    n
                }
            };
            tracing::debug!(table, written, seconds = started.elapsed().as_secs_f32(), "demo table written");
        }
        Ok(())
    }
}

fn invalid(e: impl std::fmt::Display) -> DemoError {
    DemoError::Invalid(e.to_string())
}

/// A department's id by its code (ids follow `DEPARTMENTS`' order).
fn department_id(code: &str) -> Option<i64> {
    DEPARTMENTS.iter().position(|d| d.0 == code).map(|i| i as i64 + 1)
}

/// One table of generated rows: its name, its columns, its rows.
type Table = (&'static str, &'static [&'static str], Vec<Vec<Val>>);

/// The county in memory, table by table in the order they are written. The random draws come in
/// one fixed order (root forks 1 to 5), so that a seed always makes the same county.
fn generate(vault: &Vault, opts: &DemoOptions) -> Result<County, DemoError> {
    let mut root = Rng::new(opts.seed);
    let mut summary = DemoSummary::default();
    let mut tables: Vec<Table> = Vec::new();
    let created = stamp(days_from_civil(FIRST_YEAR - 1, 12, 1), 9 * 3600);
    county::settings(opts, &mut tables);
    let regions = county::regions(&mut root.fork(1), opts.people, &mut tables, &mut summary);
    county::departments_and_banks(&mut tables);
    let item_id = county::catalogue(&mut tables, &mut summary)?;
    let people = people::make_people(&mut root.fork(2), opts.people, &regions.villages)?;
    people::tables(vault, &people, &regions.villages, &created, &mut tables, &mut summary);
    let flow = payments::make_payments(&mut root.fork(3), &people, &item_id)?;
    payments::roster_tables(&flow, &regions.township_ids, &mut tables, &mut summary);
    let mismatch = root.fork(4);
    office::tables(&mut root.fork(5), vault, &people, &regions, &item_id, &created, &mut tables, &mut summary);
    summary.examples = people::examples(&people, &flow.payments);
    // Payments and their publicity are written straight from the flow, a statement at a time,
    // right after the rosters, so that a province-sized demo (ten million lines) fits in memory.
    let mut rows: Vec<(&'static str, &'static [&'static str], Rows)> = Vec::with_capacity(tables.len() + 2);
    for (table, columns, ready) in tables {
        let after_rosters = table == "rosters";
        rows.push((table, columns, Rows::Ready(ready)));
        if after_rosters {
            rows.push(("payments", PAYMENT_COLUMNS, Rows::Payments));
            rows.push(("publicity_entries", PUBLICITY_COLUMNS, Rows::Publicity));
        }
    }
    let villages = regions.villages.iter().map(|(id, _)| *id).collect();
    Ok(County { rows, lines: Lines { people, flow, villages, mismatch }, summary })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_is_deterministic_and_complete() {
        let vault = Vault::from_hex(&"11".repeat(32)).unwrap();
        let opts = DemoOptions { seed: 7, people: 2_000 };
        let a = generate(&vault, &opts).unwrap();
        let b = generate(&vault, &opts).unwrap();
        assert_eq!(a.summary.payments, b.summary.payments);
        assert_eq!(
            a.summary.examples.iter().map(|e| e.id_number.clone()).collect::<Vec<_>>(),
            b.summary.examples.iter().map(|e| e.id_number.clone()).collect::<Vec<_>>()
        );
        assert!(a.summary.villages >= 120, "{} villages", a.summary.villages);
        assert!(a.summary.townships >= 10);
        assert_eq!(a.summary.beneficiaries, 2_000);
        assert!(a.summary.failed > 0 && a.summary.reissued > 0);
        assert_eq!(a.summary.examples.len(), 4, "{:?}", a.summary.examples);
    }

    #[test]
    fn readme_names_people_of_the_default_demo() {
        let vault = Vault::from_hex(&"11".repeat(32)).unwrap();
        let county = generate(&vault, &DemoOptions::default()).unwrap();
        let readme = include_str!("../../../README.md");
        assert_eq!(county.summary.examples.len(), 4);
        for e in &county.summary.examples {
            let row = format!("| {} | {} | {} |", e.name, e.id_number.as_str(), e.phone.as_str());
            assert!(readme.contains(&row), "README should list {row} ({})", e.label);
        }
        assert!(county.summary.payments >= 500_000, "{} payments", county.summary.payments);
        assert!(county.summary.beneficiaries >= 50_000);
    }
}
