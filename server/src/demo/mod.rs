//! `demo`: fills an empty database with a fictional province of five counties (or one county),
//! deterministic from a seed: regions, departments, banks, the seed documents as notices, three
//! yearly catalogues, households and beneficiaries, and three years of rosters, payments, bank
//! failures, reissues and publicity. `plans` says what differs between counties, `county` makes
//! a county's fixed tables, `people` the households, `payments` the flow and its publicity,
//! `office` the logins, holidays and cases (with `cases`); this module orders the random draws
//! and writes a county in one transaction; `province` joins five of them into one portal.

mod cases;
pub mod catalogue;
mod county;
mod names;
pub mod notices;
pub mod office;
mod payments;
mod people;
pub mod places;
pub mod plans;
mod province;
pub use province::province_logins;
mod rng;

use app::domain::date::{civil_from_days, days_from_civil};
use app::domain::{IdNumber, Phone};
use app::ssr::db::bulk::{insert_rows, Val};
use app::ssr::{clock, Db, Vault};
use payments::{Lines, PAYMENT_COLUMNS, PUBLICITY_COLUMNS};
use plans::Plan;
use rng::Rng;

/// The demo covers January of `FIRST_YEAR` to `END` (year, month): earlier months are paid,
/// the last month's rosters are still in the review flow.
pub const FIRST_YEAR: i32 = 2024;
pub const END: (i32, u32) = (2026, 11);
pub const DEFAULT_SEED: u64 = 20_240_101;
/// Counties of the default demo: the province of `plans::PLANS`.
pub const DEFAULT_COUNTIES: usize = 5;

/// Beneficiaries per county when not asked for: a one-county demo has 50,000, each county of the
/// province 12,000.
pub fn default_people(counties: usize) -> usize {
    if counties <= 1 {
        50_000
    } else {
        12_000
    }
}

#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub seed: u64,
    /// Number of beneficiaries (people registered in a county's rolls) per county.
    pub people: usize,
    /// 1: the county 青岚县 alone, as one county's portal; 2 to 5: the first counties of the
    /// province, under its cities.
    pub counties: usize,
}

impl Default for DemoOptions {
    fn default() -> Self {
        Self { seed: DEFAULT_SEED, people: default_people(DEFAULT_COUNTIES), counties: DEFAULT_COUNTIES }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("the database already holds data; the demo county is only loaded into an empty database")]
    NotEmpty,
    #[error("the demo needs at least 500 people, {0} were asked for")]
    TooSmall(usize),
    #[error("the demo has 1 to 5 counties, {0} were asked for")]
    Counties(usize),
    #[error("joining a demo county into the province: {0}")]
    Join(#[from] app::ssr::counties::import::ImportError),
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
    /// The counties loaded (code, name), and people paid in two of them.
    pub counties: Vec<(&'static str, &'static str)>,
    pub people_in_two_counties: usize,
}

/// True when nothing has been loaded yet (no regions).
pub async fn is_empty(db: &Db) -> Result<bool, sqlx::Error> {
    Ok(db.count(app::ssr::db::Counted::Regions).await? == 0)
}

/// Loads the demo into an empty database: one county in one transaction, or the province (each
/// county generated alone, then joined as `server import-county` joins one).
pub async fn load(db: &Db, vault: &Vault, opts: &DemoOptions) -> Result<DemoSummary, DemoError> {
    if opts.people < 500 {
        return Err(DemoError::TooSmall(opts.people));
    }
    if !(1..=plans::PLANS.len()).contains(&opts.counties) {
        return Err(DemoError::Counties(opts.counties));
    }
    if !is_empty(db).await? {
        return Err(DemoError::NotEmpty);
    }
    if opts.counties == 1 {
        let all_seeds: Vec<usize> = (0..notices::SEED_NOTICES.len()).collect();
        let mut county = generate(vault, opts, &plans::QINGLAN, &all_seeds, &[], 0)?;
        write(db, &mut county).await?;
        let mut summary = county.summary;
        summary.counties = vec![(plans::QINGLAN.code, plans::QINGLAN.name)];
        Ok(summary)
    } else {
        province::load(db, vault, opts).await
    }
}

/// Writes a generated county into an empty database in one transaction: all of it or nothing.
async fn write(db: &Db, county: &mut County) -> Result<(), DemoError> {
    let mut conn = db.bulk_connection().await?;
    let mut tx = db.begin_on(&mut conn).await?;
    county.write(&mut tx).await?;
    app::ssr::rosters::carry_line_accounts(&mut tx).await?;
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
    Ok(())
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
    async fn write(&mut self, tx: &mut sqlx::AnyConnection) -> Result<(), sqlx::Error> {
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

/// One table of generated rows: its name, its columns, its rows.
type Table = (&'static str, &'static [&'static str], Vec<Vec<Val>>);

/// A county in memory, table by table in the order they are written. The random draws come in
/// one fixed order (root forks 1 to 5), so that a seed always makes the same county; `seeds` are
/// the seed documents it publishes, `movers` people of another county who live here too, and
/// `salt` keeps its case numbers apart from other counties'.
fn generate(
    vault: &Vault,
    opts: &DemoOptions,
    plan: &Plan,
    seeds: &[usize],
    movers: &[people::Mover],
    salt: u64,
) -> Result<County, DemoError> {
    let mut root = Rng::new(opts.seed ^ salt);
    let mut summary = DemoSummary::default();
    let mut tables: Vec<Table> = Vec::new();
    let created = stamp(days_from_civil(FIRST_YEAR - 1, 12, 1), 9 * 3600);
    county::settings(opts, plan, &mut tables);
    let regions = county::regions(&mut root.fork(1), plan, opts.people, &mut tables, &mut summary);
    county::departments_and_banks(plan, &mut tables);
    let item_id = county::catalogue(plan, seeds, &mut tables, &mut summary)?;
    let mut people = people::make_people(&mut root.fork(2), plan.code, opts.people, &regions.villages)?;
    people::take_in(&mut people, movers);
    people::tables(vault, &people, &regions.villages, &created, &mut tables, &mut summary);
    let flow = payments::make_payments(&mut root.fork(3), plan, &people, &item_id)?;
    payments::roster_tables(&flow, &regions.township_ids, &mut tables, &mut summary);
    let mismatch = root.fork(4);
    office::tables(
        &mut root.fork(5),
        plan,
        salt,
        vault,
        &people,
        &regions,
        &item_id,
        &created,
        &mut tables,
        &mut summary,
    );
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

    fn one_county(seed: u64, people: usize) -> DemoOptions {
        DemoOptions { seed, people, counties: 1 }
    }

    fn all_seeds() -> Vec<usize> {
        (0..notices::SEED_NOTICES.len()).collect()
    }

    #[test]
    fn generation_is_deterministic_and_complete() {
        let vault = Vault::from_hex(&"11".repeat(32)).unwrap();
        let opts = one_county(7, 2_000);
        let a = generate(&vault, &opts, &plans::QINGLAN, &all_seeds(), &[], 0).unwrap();
        let b = generate(&vault, &opts, &plans::QINGLAN, &all_seeds(), &[], 0).unwrap();
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
    fn every_county_of_the_province_generates_with_its_own_catalogue() {
        let vault = Vault::from_hex(&"11".repeat(32)).unwrap();
        let opts = DemoOptions { seed: 7, people: 2_000, counties: 5 };
        let mut movers = Vec::new();
        for (k, plan) in plans::PLANS.iter().enumerate() {
            let county = generate(&vault, &opts, plan, &[plan.seed], &movers, k as u64 * 1_000_003).unwrap();
            assert_eq!(county.summary.items, plan.items().len(), "{}", plan.name);
            assert!(county.summary.payments > 2_000, "{}: {} payments", plan.name, county.summary.payments);
            let ids: std::collections::HashSet<&str> =
                county.lines.people.iter().map(|p| p.id_number.as_str()).collect();
            assert_eq!(ids.len(), 2_000, "{}: ID numbers are unique in a county", plan.name);
            let moved_in = movers.iter().filter(|m: &&people::Mover| ids.contains(m.id_number.as_str())).count();
            assert_eq!(moved_in, movers.len(), "{}: every mover has a place", plan.name);
            movers = people::movers(&county.lines.people, 40);
            assert_eq!(movers.len(), 40);
        }
    }

    #[test]
    fn readme_names_people_of_the_default_demo() {
        let vault = Vault::from_hex(&"11".repeat(32)).unwrap();
        let opts = DemoOptions::default();
        let first = generate(&vault, &opts, plans::PLANS[0], &[plans::PLANS[0].seed], &[], 0).unwrap();
        let movers = people::movers(&first.lines.people, province::MOVERS);
        let second = generate(&vault, &opts, plans::PLANS[1], &[plans::PLANS[1].seed], &movers, 1_000_003).unwrap();
        let mut examples = first.summary.examples.clone();
        examples.extend(province::paid_in_both(&first, &second, &movers));
        let readme = include_str!("../../../README.md");
        assert_eq!(examples.len(), 5);
        for e in &examples {
            let row = format!("| {} | {} | {} |", e.name, e.id_number.as_str(), e.phone.as_str());
            assert!(readme.contains(&row), "README should list {row} ({})", e.label);
        }
        assert!(first.summary.payments >= 100_000, "{} payments", first.summary.payments);
        assert!(first.summary.beneficiaries >= 10_000);
    }
}
