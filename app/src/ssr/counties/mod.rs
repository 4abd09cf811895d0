//! SQL for comparing the counties of a portal: what each paid per person in a year, and how its
//! departments answered the year's cases (rate on time, median and 90th percentile days, overdue);
//! and (`import`) a county that ran alone joining the portal.

pub mod import;

use super::Db;
use crate::api::counties::{CountyComparison, CountyFigures, MIN_CASES_RANKED};
use crate::domain::cases::{median, percentile};
use crate::domain::date::days_between;
use crate::domain::Money;
use sqlx::Row;
use std::collections::HashMap;

/// The counties' figures of `year` (default: the latest year with payments), ranked by on-time
/// rate among those with enough answered cases, then the others.
pub async fn comparison(db: &Db, year: Option<i32>) -> Result<CountyComparison, sqlx::Error> {
    let years: Vec<i32> = sqlx::query_scalar::<_, i64>("SELECT DISTINCT year FROM catalogue_years ORDER BY year DESC")
        .fetch_all(&db.pool)
        .await?
        .into_iter()
        .map(|y| y as i32)
        .collect();
    let latest_paid: Option<String> =
        sqlx::query_scalar("SELECT MAX(paid_on) FROM payments WHERE paid_on IS NOT NULL AND status = 'paid'")
            .fetch_one(&db.pool)
            .await?;
    let latest = latest_paid.and_then(|d| d.get(..4).and_then(|y| y.parse::<i32>().ok()));
    let year = year.filter(|y| years.contains(y)).or(latest).or(years.first().copied()).unwrap_or(0);
    let (from, to) = (format!("{year}-01-01"), format!("{}-01-01", year + 1));

    let paid: HashMap<i64, (i64, i64)> = sqlx::query(
        "SELECT i.county_id, CAST(SUM(p.amount_fen) AS BIGINT) AS amount, COUNT(DISTINCT p.beneficiary_id) AS people \
         FROM payments p JOIN subsidy_items i ON i.id = p.item_id \
         WHERE p.status = 'paid' AND p.clawed_back_on IS NULL AND p.paid_on >= $1 AND p.paid_on < $2 GROUP BY i.county_id",
    )
    .bind(&from)
    .bind(&to)
    .fetch_all(&db.pool)
    .await?
    .iter()
    .map(|r| (r.get("county_id"), (r.get("amount"), r.get("people"))))
    .collect();

    // The year's cases of each county's own departments.
    let cases = sqlx::query(
        "SELECT d.region_id, c.filed_on, c.answered_on, c.answered_on_time FROM cases c \
         JOIN departments d ON d.id = c.department_id WHERE c.filed_on >= $1 AND c.filed_on < $2",
    )
    .bind(&from)
    .bind(&to)
    .fetch_all(&db.pool)
    .await?;
    let overdue: HashMap<i64, i64> = sqlx::query(
        "SELECT d.region_id, COUNT(*) AS n FROM cases c JOIN departments d ON d.id = c.department_id \
         WHERE c.status IN ('open', 'accepted') AND c.deadline_on < $1 GROUP BY d.region_id",
    )
    .bind(super::clock::local_today())
    .fetch_all(&db.pool)
    .await?
    .iter()
    .map(|r| (r.get("region_id"), r.get("n")))
    .collect();

    let mut counties: Vec<CountyFigures> = super::regions::counties(db)
        .await?
        .into_iter()
        .map(|county| {
            let (amount, people) = paid.get(&county.id).copied().unwrap_or((0, 0));
            let mine: Vec<_> = cases.iter().filter(|r| r.get::<i64, _>("region_id") == county.id).collect();
            let days: Vec<i64> = mine
                .iter()
                .filter_map(|r| {
                    let answered: Option<String> = r.get("answered_on");
                    days_between(&r.get::<String, _>("filed_on"), answered.as_deref()?)
                })
                .collect();
            let answered = days.len() as i64;
            let on_time = mine.iter().filter(|r| r.get::<Option<i64>, _>("answered_on_time") == Some(1)).count() as i64;
            CountyFigures {
                code: county.code,
                name: county.name,
                city: county.city,
                people_paid: people,
                amount_paid: Money::from_fen(amount),
                per_person: (people > 0).then(|| Money::from_fen((amount + people / 2) / people)),
                received: mine.len() as i64,
                answered,
                on_time,
                on_time_pct: (answered > 0).then(|| (on_time * 100 + answered / 2) / answered),
                median_days: median(&days),
                p90_days: percentile(&days, 90),
                overdue_now: overdue.get(&county.id).copied().unwrap_or(0),
                rank: None,
            }
        })
        .collect();
    rank(&mut counties);
    Ok(CountyComparison { year, years, counties })
}

/// Orders the counties with at least [`MIN_CASES_RANKED`] answers by on-time rate (then median
/// days, fewer first) and numbers them; the others follow, unranked, by name.
fn rank(counties: &mut [CountyFigures]) {
    let ranked = |c: &CountyFigures| c.answered >= MIN_CASES_RANKED;
    counties.sort_by(|a, b| {
        ranked(b).cmp(&ranked(a)).then_with(|| {
            if ranked(a) {
                b.on_time_pct
                    .cmp(&a.on_time_pct)
                    .then(a.median_days.unwrap_or(f64::MAX).total_cmp(&b.median_days.unwrap_or(f64::MAX)))
            } else {
                std::cmp::Ordering::Equal
            }
        })
    });
    for (place, c) in counties.iter_mut().filter(|c| c.answered >= MIN_CASES_RANKED).enumerate() {
        c.rank = Some(place + 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn county(name: &str, answered: i64, pct: i64, median: f64) -> CountyFigures {
        CountyFigures {
            code: String::new(),
            name: name.into(),
            city: None,
            people_paid: 0,
            amount_paid: Money::ZERO,
            per_person: None,
            received: answered,
            answered,
            on_time: 0,
            on_time_pct: Some(pct),
            median_days: Some(median),
            p90_days: None,
            overdue_now: 0,
            rank: None,
        }
    }

    #[test]
    fn counties_with_few_answers_are_shown_but_not_ranked() {
        let mut list = vec![
            county("少", MIN_CASES_RANKED - 1, 100, 1.0),
            county("慢", 30, 90, 9.0),
            county("快", 30, 90, 3.0),
            county("好", 12, 95, 5.0),
        ];
        rank(&mut list);
        let order: Vec<(&str, Option<usize>)> = list.iter().map(|c| (c.name.as_str(), c.rank)).collect();
        assert_eq!(order, vec![("好", Some(1)), ("快", Some(2)), ("慢", Some(3)), ("少", None)]);
    }
}
