//! The demo county's office side: one login per department and role, and the national holiday
//! calendar with its adjusted working days (调休) for the demo's years.

use super::catalogue::FINANCE;
use super::county::Regions;
use super::people::Person;
use super::plans::Plan;
use super::rng::Rng;
use super::{cases, DemoSummary, Table, END};
use app::domain::date::{days_from_civil, parse_days};
use app::domain::Calendar;
use app::ssr::db::bulk::Val;
use app::ssr::Vault;
use std::collections::HashMap;

/// The one password of every demo login (listed in the README; demo data only).
pub const DEMO_PASSWORD: &str = "qinglan-demo";

/// (username, display name, role, department code) of a county. Department staff sign in with
/// their department's code, followed in every county but 青岚县 by the county's code
/// (`finance_510998`); the finance bureau's login has the finance role.
pub fn logins(plan: &Plan) -> Vec<(String, String, &'static str, Option<&'static str>)> {
    let suffix = if plan.code == super::plans::QINGLAN.code { String::new() } else { format!("_{}", plan.code) };
    let mut out: Vec<_> = plan
        .departments
        .iter()
        .map(|(code, name, _, _)| {
            let role = if *code == FINANCE { "finance" } else { "department" };
            (format!("{code}{suffix}"), format!("{name}经办人"), role, Some(*code))
        })
        .collect();
    out.push((format!("supervisor{suffix}"), "县纪委监委（监督）".to_string(), "supervisor", None));
    out.push((format!("admin{suffix}"), "系统管理员".into(), "admin", None));
    out
}

/// The columns of `staff_users` the demo writes.
pub(super) const STAFF_COLUMNS: &[&str] = &[
    "id",
    "username",
    "display_name",
    "password_hash",
    "role",
    "department_id",
    "region_id",
    "failed_logins",
    "locked_until",
    "created_at",
];

/// Rows for `staff_users`, with argon2id hashes of the demo password.
pub fn staff_rows(created: &str, plan: &Plan) -> Vec<Vec<Val>> {
    let hash = app::ssr::staff::hash_password(DEMO_PASSWORD);
    logins(plan)
        .into_iter()
        .enumerate()
        .map(|(i, (username, display, role, dept))| {
            vec![
                (i as i64 + 1).into(),
                username.into(),
                display.into(),
                hash.clone().into(),
                role.into(),
                dept.and_then(|d| plan.department_id(d)).into(),
                super::county::COUNTY_ID.into(),
                0i64.into(),
                Val::Text(None),
                created.to_string().into(),
            ]
        })
        .collect()
}

/// Days off and adjusted working days of 2024–2026 as the State Council announced them:
/// (first day, last day, "holiday" or "workday", name).
const CALENDAR: &[(&str, &str, &str, &str)] = &[
    ("2024-01-01", "2024-01-01", "holiday", "元旦"),
    ("2024-02-04", "2024-02-04", "workday", "春节调休"),
    ("2024-02-10", "2024-02-17", "holiday", "春节"),
    ("2024-02-18", "2024-02-18", "workday", "春节调休"),
    ("2024-04-04", "2024-04-06", "holiday", "清明节"),
    ("2024-04-07", "2024-04-07", "workday", "清明节调休"),
    ("2024-04-28", "2024-04-28", "workday", "劳动节调休"),
    ("2024-05-01", "2024-05-05", "holiday", "劳动节"),
    ("2024-05-11", "2024-05-11", "workday", "劳动节调休"),
    ("2024-06-10", "2024-06-10", "holiday", "端午节"),
    ("2024-09-14", "2024-09-14", "workday", "中秋节调休"),
    ("2024-09-15", "2024-09-17", "holiday", "中秋节"),
    ("2024-09-29", "2024-09-29", "workday", "国庆节调休"),
    ("2024-10-01", "2024-10-07", "holiday", "国庆节"),
    ("2024-10-12", "2024-10-12", "workday", "国庆节调休"),
    ("2025-01-01", "2025-01-01", "holiday", "元旦"),
    ("2025-01-26", "2025-01-26", "workday", "春节调休"),
    ("2025-01-28", "2025-02-04", "holiday", "春节"),
    ("2025-02-08", "2025-02-08", "workday", "春节调休"),
    ("2025-04-04", "2025-04-06", "holiday", "清明节"),
    ("2025-04-27", "2025-04-27", "workday", "劳动节调休"),
    ("2025-05-01", "2025-05-05", "holiday", "劳动节"),
    ("2025-05-31", "2025-06-02", "holiday", "端午节"),
    ("2025-09-28", "2025-09-28", "workday", "国庆节调休"),
    ("2025-10-01", "2025-10-08", "holiday", "国庆节、中秋节"),
    ("2025-10-11", "2025-10-11", "workday", "国庆节调休"),
    ("2026-01-01", "2026-01-03", "holiday", "元旦"),
    ("2026-01-04", "2026-01-04", "workday", "元旦调休"),
    ("2026-02-14", "2026-02-14", "workday", "春节调休"),
    ("2026-02-15", "2026-02-23", "holiday", "春节"),
    ("2026-02-28", "2026-02-28", "workday", "春节调休"),
    ("2026-04-04", "2026-04-06", "holiday", "清明节"),
    ("2026-05-01", "2026-05-05", "holiday", "劳动节"),
    ("2026-05-09", "2026-05-09", "workday", "劳动节调休"),
    ("2026-06-19", "2026-06-21", "holiday", "端午节"),
    ("2026-09-20", "2026-09-20", "workday", "国庆节调休"),
    ("2026-09-25", "2026-09-27", "holiday", "中秋节"),
    ("2026-10-01", "2026-10-07", "holiday", "国庆节"),
    ("2026-10-10", "2026-10-10", "workday", "国庆节调休"),
];

/// Every configured day as (day, kind, name).
pub fn holidays() -> Vec<(String, &'static str, &'static str)> {
    use app::domain::date::{format_days, parse_days};
    CALENDAR
        .iter()
        .flat_map(|(from, to, kind, name)| {
            let (a, b) = (parse_days(from).unwrap_or(0), parse_days(to).unwrap_or(0));
            (a..=b).map(move |d| (format_days(d), *kind, *name))
        })
        .collect()
}

/// The office side of the demo: the logins, the holiday calendar and a year of cases.
#[allow(clippy::too_many_arguments)]
pub(super) fn tables(
    rng: &mut Rng,
    plan: &Plan,
    salt: u64,
    vault: &Vault,
    people: &[Person],
    regions: &Regions,
    item_id: &HashMap<(i32, &'static str), i64>,
    created: &str,
    tables: &mut Vec<Table>,
    summary: &mut DemoSummary,
) {
    tables.push(("staff_users", STAFF_COLUMNS, staff_rows(created, plan)));
    let holidays = holidays();
    let calendar = Calendar::new(holidays.iter().filter_map(|(d, k, _)| Some((parse_days(d)?, *k == "holiday"))));
    tables.push((
        "holidays",
        &["region_id", "day", "kind", "name"],
        holidays
            .iter()
            .map(|(d, k, n)| vec![super::county::COUNTY_ID.into(), d.clone().into(), (*k).into(), (*n).into()])
            .collect(),
    ));
    let departments: Vec<cases::Department> = plan
        .departments
        .iter()
        .enumerate()
        .map(|(i, (_, name, phone, _))| cases::Department { id: i as i64 + 1, name, phone })
        .collect();
    let case_items: Vec<cases::Item> = plan
        .items()
        .into_iter()
        .filter(|s| (s.first_year..=s.last_year).contains(&END.0) && s.parent_code().is_none())
        .filter_map(|s| {
            Some(cases::Item {
                id: *item_id.get(&(END.0, s.code))?,
                name: s.name,
                department: plan.departments.iter().position(|d| d.0 == s.department)?,
            })
        })
        .collect();
    let township_rows: Vec<(i64, String)> =
        regions.township_ids.iter().zip(&regions.townships).map(|(id, t)| (*id, t.name.clone())).collect();
    let finance = plan.departments.iter().position(|d| d.0 == FINANCE).unwrap_or(0);
    let last_day = days_from_civil(END.0, END.1, 20);
    let case_rows = cases::make_cases(
        rng,
        vault,
        people,
        &regions.villages,
        &township_rows,
        &case_items,
        &departments,
        finance,
        &calendar,
        last_day,
        salt,
    );
    summary.cases = case_rows.cases.len();
    summary.example_case = case_rows.example.clone();
    tables.push(("cases", app::ssr::cases::COLUMNS, case_rows.cases));
    tables.push(("case_events", cases::EVENT_COLUMNS, case_rows.events));
    tables.push(("case_sequences", &["day", "last_value"], case_rows.sequences));
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::domain::calendar::weekday;
    use app::domain::date::parse_days;

    #[test]
    fn adjusted_working_days_fall_on_weekends_and_holidays_are_dated_right() {
        let days = holidays();
        for (day, kind, name) in &days {
            let d = parse_days(day).unwrap();
            if *kind == "workday" {
                assert!(weekday(d) >= 5, "{day} {name} is an adjusted working day, so a weekend day");
            }
        }
        assert_eq!(days.iter().filter(|(d, k, _)| d.starts_with("2026-10") && *k == "holiday").count(), 7);
        let plan = &crate::demo::plans::QINGLAN;
        assert_eq!(logins(plan).len(), plan.departments.len() + 2);
    }
}
