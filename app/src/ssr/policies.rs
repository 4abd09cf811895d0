//! SQL for the policy list and an item's payouts.

use super::Db;
use crate::api::policies::{Change, Department, DocRef, Payout, PolicyDetail, PolicyItem, PolicyList};
use crate::domain::Money;
use sqlx::Row;
use std::collections::HashMap;

pub struct Filter {
    pub level: Option<String>,
    pub department: Option<String>,
    pub keyword: Option<String>,
}

/// A county's catalogue years, newest first.
pub async fn years(db: &Db, county: i64) -> Result<Vec<i32>, sqlx::Error> {
    let years: Vec<i64> =
        sqlx::query_scalar("SELECT year FROM catalogue_years WHERE county_id = $1 ORDER BY year DESC")
            .bind(county)
            .fetch_all(&db.pool)
            .await?;
    Ok(years.into_iter().map(|y| y as i32).collect())
}

/// Every item of a county's catalogue of a year, sub-items nested under their parents, in
/// catalogue order.
pub async fn catalogue(db: &Db, county: i64, year: i32) -> Result<Vec<PolicyItem>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT i.id, i.code, i.name, i.parent_id, i.level, i.standard, i.standard_fen, i.frequency, i.per_household, \
                i.aliases, d.code AS dept_code, d.name AS dept_name, d.phone AS dept_phone \
         FROM subsidy_items i JOIN departments d ON d.id = i.department_id \
         WHERE i.year = $1 AND i.county_id = $2 ORDER BY i.sort_order, i.code",
    )
    .bind(i64::from(year))
    .bind(county)
    .fetch_all(&db.pool)
    .await?;
    let docs = sqlx::query(
        "SELECT d.item_id, doc.id, doc.title FROM item_documents d JOIN documents doc ON doc.id = d.document_id \
         JOIN subsidy_items i ON i.id = d.item_id WHERE i.year = $1 AND i.county_id = $2 ORDER BY doc.published_on DESC",
    )
    .bind(i64::from(year))
    .bind(county)
    .fetch_all(&db.pool)
    .await?;
    let mut docs_of: HashMap<i64, Vec<DocRef>> = HashMap::new();
    for r in docs {
        docs_of.entry(r.get("item_id")).or_default().push(DocRef { id: r.get("id"), title: r.get("title") });
    }
    let mut top: Vec<(i64, PolicyItem)> = Vec::new();
    let mut children: Vec<(i64, PolicyItem)> = Vec::new();
    for r in rows {
        let id: i64 = r.get("id");
        let item = PolicyItem {
            code: r.get("code"),
            name: r.get("name"),
            level: r.get("level"),
            department: Department { code: r.get("dept_code"), name: r.get("dept_name"), phone: r.get("dept_phone") },
            standard: r.get("standard"),
            standard_fen: r.get("standard_fen"),
            frequency: r.get("frequency"),
            per_household: r.get::<i64, _>("per_household") != 0,
            aliases: r.get("aliases"),
            documents: docs_of.remove(&id).unwrap_or_default(),
            sub_items: Vec::new(),
        };
        match r.get::<Option<i64>, _>("parent_id") {
            Some(parent) => children.push((parent, item)),
            None => top.push((id, item)),
        }
    }
    for (parent, child) in children {
        if let Some((_, p)) = top.iter_mut().find(|(id, _)| *id == parent) {
            p.sub_items.push(child);
        }
    }
    Ok(top.into_iter().map(|(_, item)| item).collect())
}

fn matches(item: &PolicyItem, filter: &Filter) -> bool {
    let keyword_ok = filter.keyword.as_deref().is_none_or(|k| {
        item.name.contains(k)
            || item.aliases.split_whitespace().any(|a| a.contains(k) || k.contains(a))
            || item.standard.contains(k)
    });
    keyword_ok && filter.department.as_deref().is_none_or(|d| item.department.code == d)
}

/// A county's policy list of a year (default: its newest), filtered.
pub async fn list(db: &Db, county: i64, year: Option<i32>, filter: &Filter) -> Result<PolicyList, sqlx::Error> {
    let years = years(db, county).await?;
    let year = year.filter(|y| years.contains(y)).or(years.first().copied()).unwrap_or(0);
    let all = catalogue(db, county, year).await?;
    let changes = match years.iter().find(|y| **y < year) {
        Some(previous) => changes_between(&catalogue(db, county, *previous).await?, &all),
        None => Vec::new(),
    };
    let filtered = filter.level.is_some() || filter.department.is_some() || filter.keyword.is_some();
    let items = all
        .into_iter()
        .filter(|i| filter.level.as_deref().is_none_or(|l| i.level == l))
        .filter_map(|mut item| {
            if matches(&item, filter) {
                return Some(item);
            }
            item.sub_items.retain(|s| matches(s, filter));
            (!item.sub_items.is_empty()).then_some(item)
        })
        .collect();
    let departments = sqlx::query("SELECT code, name, phone FROM departments WHERE region_id = $1 ORDER BY id")
        .bind(county)
        .fetch_all(&db.pool)
        .await?
        .into_iter()
        .map(|r| Department { code: r.get("code"), name: r.get("name"), phone: r.get("phone") })
        .collect();
    Ok(PolicyList { year, years, departments, items, changes, filtered })
}

fn flatten(items: &[PolicyItem]) -> Vec<&PolicyItem> {
    items.iter().flat_map(|i| std::iter::once(i).chain(i.sub_items.iter())).collect()
}

fn changes_between(before: &[PolicyItem], after: &[PolicyItem]) -> Vec<Change> {
    let before = flatten(before);
    let after = flatten(after);
    let mut changes = Vec::new();
    for a in &after {
        match before.iter().find(|b| b.code == a.code) {
            None => changes.push(Change::Added { code: a.code.clone(), name: a.name.clone() }),
            Some(b) if b.standard != a.standard => changes.push(Change::Standard {
                code: a.code.clone(),
                name: a.name.clone(),
                before: b.standard.clone(),
                after: a.standard.clone(),
            }),
            Some(_) => {}
        }
    }
    for b in &before {
        if !after.iter().any(|a| a.code == b.code) {
            changes.push(Change::Removed { code: b.code.clone(), name: b.name.clone() });
        }
    }
    changes
}

/// One item of a county's catalogue (the year asked, else its newest) with its payouts.
pub async fn detail(db: &Db, county: i64, code: &str, year: Option<i32>) -> Result<Option<PolicyDetail>, sqlx::Error> {
    let present: Vec<i64> =
        sqlx::query_scalar("SELECT year FROM subsidy_items WHERE code = $1 AND county_id = $2 ORDER BY year DESC")
            .bind(code)
            .bind(county)
            .fetch_all(&db.pool)
            .await?;
    let years: Vec<i32> = present.into_iter().map(|y| y as i32).collect();
    let Some(year) = year.filter(|y| years.contains(y)).or(years.first().copied()) else {
        return Ok(None);
    };
    let catalogue = catalogue(db, county, year).await?;
    let mut parent = None;
    let mut found = None;
    for top in catalogue {
        if top.code == code {
            found = Some(top);
            break;
        }
        if let Some(sub) = top.sub_items.iter().find(|s| s.code == code) {
            parent = Some((top.code.clone(), top.name.clone()));
            found = Some(sub.clone());
            break;
        }
    }
    let Some(item) = found else { return Ok(None) };
    // Payouts of this item (and its sub-items) for periods of this year, as paid (less what was
    // clawed back).
    let scope = "FROM payments p JOIN subsidy_items i ON i.id = p.item_id \
                 WHERE p.status = 'paid' AND p.clawed_back_on IS NULL AND i.year = $1 AND i.county_id = $4 AND (i.code = $2 OR i.code LIKE $3)";
    let sub_pattern = format!("{code}-%");
    let by_township = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT t.name AS label, CAST(SUM(p.amount_fen) AS BIGINT) AS amount, COUNT(*) AS lines, \
                COUNT(DISTINCT p.beneficiary_id) AS people \
         {} GROUP BY t.id, t.name, t.sort_order ORDER BY t.sort_order",
        scope.replace(
            "FROM payments p",
            "FROM payments p JOIN rosters ro ON ro.id = p.roster_id JOIN regions t ON t.id = ro.region_id"
        )
    )))
    .bind(i64::from(year))
    .bind(code)
    .bind(&sub_pattern)
    .bind(county)
    .fetch_all(&db.pool)
    .await?;
    let by_period = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT p.period AS label, CAST(SUM(p.amount_fen) AS BIGINT) AS amount, COUNT(*) AS lines, \
                COUNT(DISTINCT p.beneficiary_id) AS people {scope} GROUP BY p.period ORDER BY p.period"
    )))
    .bind(i64::from(year))
    .bind(code)
    .bind(&sub_pattern)
    .bind(county)
    .fetch_all(&db.pool)
    .await?;
    let payout = |r: &sqlx::any::AnyRow| Payout {
        label: r.get("label"),
        amount: Money::from_fen(r.get("amount")),
        lines: r.get("lines"),
        people: r.get("people"),
    };
    Ok(Some(PolicyDetail {
        year,
        years,
        item,
        parent,
        by_township: by_township.iter().map(payout).collect(),
        by_period: by_period.iter().map(payout).collect(),
    }))
}
