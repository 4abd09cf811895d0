//! The demo province: its regions, finance bureaus and logins above the counties, then each county
//! generated alone into a scratch SQLite file and joined as `server import-county` joins a county
//! that ran alone, so the demo goes through the same path a real province's portal would.

use super::catalogue::FINANCE;
use super::people::{self, Mover};
use super::plans::{Plan, CITIES, PLANS, PROVINCE};
use super::{county, generate, office, write, DemoError, DemoOptions, DemoSummary, Example};
use app::ssr::counties::import::import_county;
use app::ssr::db::bulk::{insert_rows, Val};
use app::ssr::{Db, Vault};
use std::collections::HashSet;

/// People of each county who also live, and are paid, in the next one.
pub(super) const MOVERS: usize = 40;

/// Loads the province with the first `opts.counties` counties of `PLANS`.
pub(super) async fn load(db: &Db, vault: &Vault, opts: &DemoOptions) -> Result<DemoSummary, DemoError> {
    above_counties(db, opts).await?;
    let mut summary = DemoSummary::default();
    let mut before: Option<(super::County, Vec<Mover>)> = None;
    for (k, plan) in PLANS.iter().take(opts.counties).enumerate() {
        let started = std::time::Instant::now();
        let movers = before.as_ref().map(|(_, m)| m.clone()).unwrap_or_default();
        let salt = k as u64 * 1_000_003;
        let mut county = generate(vault, opts, plan, &[plan.seed], &movers, salt)?;
        let scratch =
            Scratch(std::env::temp_dir().join(format!("portal-demo-{}-{}.db", std::process::id(), plan.code)));
        let url = format!("sqlite://{}", scratch.0.display());
        let alone = Db::connect(&url, 2).await.map_err(|e| DemoError::Invalid(format!("scratch database: {e}")))?;
        write(&alone, &mut county).await?;
        let joined = import_county(db, vault, &alone, vault, Some(CITIES[plan.city].0)).await;
        alone.pool.close().await;
        drop(scratch);
        let joined = joined?;
        inherit_calendar(db, plan).await?;
        tracing::info!(county = plan.name, seconds = started.elapsed().as_secs_f32(), "demo county joined");

        if k == 0 {
            summary.examples = county.summary.examples.clone();
            summary.example_case = county.summary.example_case.clone();
        }
        if let Some((earlier, movers)) = &before {
            if summary.examples.len() < 5 {
                if let Some(e) = paid_in_both(earlier, &county, movers) {
                    summary.examples.push(e);
                }
            }
        }
        summary.people_in_two_counties += joined.merged;
        add(&mut summary, &county.summary);
        summary.counties.push((plan.code, plan.name));
        let next = people::movers(&county.lines.people, MOVERS);
        before = Some((county, next));
    }
    Ok(summary)
}

/// A county's scratch SQLite file, removed (with its journal files) when dropped.
struct Scratch(std::path::PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm", ".migrate-lock"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.0.display()));
        }
    }
}

/// Settings, the province and its cities, their finance bureaus, the paying banks, the province's
/// holiday calendar (which counties inherit) and the logins that oversee counties.
async fn above_counties(db: &Db, opts: &DemoOptions) -> Result<(), DemoError> {
    let mut tx = db.begin().await?;
    let settings = vec![
        vec!["county_name".into(), PROVINCE.1.into()],
        vec!["demo".into(), "1".into()],
        vec!["demo_seed".into(), opts.seed.to_string().into()],
    ];
    insert_rows(&mut tx, "settings", &["key", "value"], settings).await?;
    let mut regions =
        vec![vec![1i64.into(), PROVINCE.0.into(), PROVINCE.1.into(), "province".into(), Val::Int(None), 0i64.into()]];
    for (i, (code, name)) in CITIES.iter().enumerate() {
        regions.push(vec![
            (i as i64 + 2).into(),
            (*code).into(),
            (*name).into(),
            "city".into(),
            1i64.into(),
            (i as i64).into(),
        ]);
    }
    insert_rows(&mut tx, "regions", &["id", "code", "name", "level", "parent_id", "sort_order"], regions).await?;
    let bureaus: Vec<(i64, String, String)> = std::iter::once((1, PROVINCE.1, "财政厅"))
        .chain(CITIES.iter().enumerate().map(|(i, c)| (i as i64 + 2, c.1, "财政局")))
        .map(|(region, name, bureau)| (region, name.replace("（演示）", ""), bureau.to_string()))
        .map(|(region, short, bureau)| (region, format!("{short}{bureau}"), short))
        .collect();
    insert_rows(
        &mut tx,
        "departments",
        &["id", "region_id", "code", "name", "phone", "address", "is_finance"],
        bureaus
            .iter()
            .map(|(region, name, short)| {
                vec![
                    (*region).into(),
                    (*region).into(),
                    FINANCE.into(),
                    name.clone().into(),
                    format!("0800-86{region:02}000").into(),
                    format!("{short}行政中心").into(),
                    1i64.into(),
                ]
            })
            .collect::<Vec<Vec<Val>>>(),
    )
    .await?;
    // The paying banks serve the whole province; each county's join maps its banks to these by
    // code.
    let province_wide =
        |name: &str| name.replace("青岚县支行", "岚江省分行").replace("青岚农村商业银行", "岚江农村商业银行");
    insert_rows(&mut tx, "banks", county::BANK_COLUMNS, county::bank_rows(province_wide)).await?;
    let holidays = office::holidays();
    insert_rows(
        &mut tx,
        "holidays",
        &["region_id", "day", "kind", "name"],
        holidays
            .iter()
            .map(|(d, k, n)| vec![1i64.into(), d.clone().into(), (*k).into(), (*n).into()])
            .collect::<Vec<Vec<Val>>>(),
    )
    .await?;
    let hash = app::ssr::staff::hash_password(office::DEMO_PASSWORD);
    let created = app::ssr::clock::now();
    let logins = province_logins();
    insert_rows(
        &mut tx,
        "staff_users",
        office::STAFF_COLUMNS,
        logins
            .iter()
            .enumerate()
            .map(|(i, (username, display, role, region))| {
                vec![
                    (i as i64 + 1).into(),
                    (*username).into(),
                    display.clone().into(),
                    hash.clone().into(),
                    (*role).into(),
                    Val::Int((*role == "finance").then_some(*region)),
                    (*region).into(),
                    0i64.into(),
                    Val::Text(None),
                    created.clone().into(),
                ]
            })
            .collect::<Vec<Vec<Val>>>(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// (username, display name, role, region id) of the logins above the counties: the province's
/// administrator, finance bureau and supervisor, and each city's finance bureau. A county's own
/// logins keep their names in the first county and get the county's code appended in the others
/// (`finance_510998`), as `import-county` renames a taken username.
pub fn province_logins() -> Vec<(&'static str, String, &'static str, i64)> {
    let mut out = vec![
        ("admin", "系统管理员（全省）".to_string(), "admin", 1),
        ("province_finance", "省财政厅经办人".to_string(), "finance", 1),
        ("province_supervisor", "省纪委监委（监督）".to_string(), "supervisor", 1),
    ];
    for (i, (_, name)) in CITIES.iter().enumerate() {
        let username = if i == 0 { "city_finance" } else { "city2_finance" };
        out.push((username, format!("{}财政局经办人", name.replace("（演示）", "")), "finance", i as i64 + 2));
    }
    out
}

/// Counties inherit the province's calendar: a county's own copy is dropped once it has joined.
async fn inherit_calendar(db: &Db, plan: &Plan) -> Result<(), DemoError> {
    sqlx::query("DELETE FROM holidays WHERE region_id = (SELECT id FROM regions WHERE code = $1)")
        .bind(plan.code)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// A mover paid in both counties, to try the self-check with.
pub(super) fn paid_in_both(earlier: &super::County, county: &super::County, movers: &[Mover]) -> Option<Example> {
    let moved: HashSet<&str> = movers.iter().map(|m| m.id_number.as_str()).collect();
    let paid = |c: &super::County| -> HashSet<String> {
        c.lines
            .flow
            .payments
            .iter()
            .filter(|p| p.status == "paid")
            .map(|p| c.lines.people[(p.beneficiary - 1) as usize].id_number.as_str().to_string())
            .filter(|id| moved.contains(id.as_str()))
            .collect()
    };
    let (there, here) = (paid(earlier), paid(county));
    let m = movers.iter().find(|m| there.contains(m.id_number.as_str()) && here.contains(m.id_number.as_str()))?;
    Some(Example {
        label: "在两个县都有补贴的人",
        name: m.name.clone(),
        id_number: m.id_number.clone(),
        phone: m.phone.clone()?,
    })
}

/// Adds a county's figures to the province's.
fn add(total: &mut DemoSummary, c: &DemoSummary) {
    total.townships += c.townships;
    total.villages += c.villages;
    total.items += c.items;
    total.documents += c.documents;
    total.households += c.households;
    total.beneficiaries += c.beneficiaries;
    total.rosters += c.rosters;
    total.payments += c.payments;
    total.failed += c.failed;
    total.reissued += c.reissued;
    total.publicity_entries += c.publicity_entries;
    total.cases += c.cases;
}
