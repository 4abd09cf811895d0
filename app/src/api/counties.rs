//! Counties of a portal that serves several: the list a visitor picks from, and how the counties
//! compare (payouts per person, how cases are answered), as a page and a CSV.

use super::ApiError;
use crate::domain::Money;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A county to pick, under its city.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountyChoice {
    pub code: String,
    pub name: String,
    pub city: Option<String>,
}

/// Fewer answered cases than this in the year, and a county's on-time rate is shown but not ranked.
pub const MIN_CASES_RANKED: i64 = 10;

/// One county's figures of a year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountyFigures {
    pub code: String,
    pub name: String,
    pub city: Option<String>,
    /// People paid in the year, and what they were paid.
    pub people_paid: i64,
    pub amount_paid: Money,
    /// Paid per person paid (`None` when nobody was).
    pub per_person: Option<Money>,
    /// Cases filed in the year with the county's departments, answered, and answered on time.
    pub received: i64,
    pub answered: i64,
    pub on_time: i64,
    pub on_time_pct: Option<i64>,
    /// Calendar days from filing to answer: median and 90th percentile.
    pub median_days: Option<f64>,
    pub p90_days: Option<i64>,
    /// Cases past their deadline now, whenever filed.
    pub overdue_now: i64,
    /// Place by on-time rate among counties with at least [`MIN_CASES_RANKED`] answers.
    pub rank: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountyComparison {
    pub year: i32,
    pub years: Vec<i32>,
    pub counties: Vec<CountyFigures>,
}

impl CountyComparison {
    /// The page's table as CSV (the same columns).
    pub fn to_csv(&self) -> String {
        super::csv::document(
            &[
                "排名",
                "县（市、区）",
                "所属市",
                "受益人数",
                "发放金额（元）",
                "人均（元）",
                "受理件数",
                "已答复",
                "按时答复",
                "按时答复率（%）",
                "答复天数中位数",
                "答复天数90%分位",
                "当前逾期",
            ],
            self.counties.iter().map(|c| {
                vec![
                    c.rank.map(|r| r.to_string()).unwrap_or_default(),
                    c.name.clone(),
                    c.city.clone().unwrap_or_default(),
                    c.people_paid.to_string(),
                    c.amount_paid.plain(),
                    c.per_person.map(Money::plain).unwrap_or_default(),
                    c.received.to_string(),
                    c.answered.to_string(),
                    c.on_time.to_string(),
                    c.on_time_pct.map(|p| p.to_string()).unwrap_or_default(),
                    c.median_days.map(|d| d.to_string()).unwrap_or_default(),
                    c.p90_days.map(|d| d.to_string()).unwrap_or_default(),
                    c.overdue_now.to_string(),
                ]
            }),
        )
    }
}

/// The counties of the portal, city by city, those whose name or city holds `q` (all without).
#[server(prefix = "/api", endpoint = "counties")]
pub async fn get_counties(q: Option<String>) -> Result<Vec<CountyChoice>, ApiError> {
    let cx = crate::ssr::context()?;
    let q = q.map(|q| q.trim().to_string()).unwrap_or_default();
    Ok(crate::ssr::regions::counties(&cx.db)
        .await
        .map_err(ApiError::internal)?
        .into_iter()
        .filter(|c| q.is_empty() || c.name.contains(&q) || c.city.as_deref().is_some_and(|city| city.contains(&q)))
        .map(|c| CountyChoice { code: c.code, name: c.name, city: c.city })
        .collect())
}

/// How the counties compare in `year` (default: the latest with payments).
#[server(prefix = "/api", endpoint = "county_comparison")]
pub async fn get_comparison(year: Option<i32>) -> Result<CountyComparison, ApiError> {
    let cx = crate::ssr::context()?;
    cx.cache
        .get_or_load(&format!("county_comparison/{year:?}"), crate::ssr::counties::comparison(&cx.db, year))
        .await
        .map_err(ApiError::internal)
}
