//! The catalogue as the department side edits it: a year's items with their standards, and the
//! yearly forecast (应发数) with its revisions next to what was actually paid.

use super::ApiError;
use crate::api::staff::{Choice, StaffMe};
use crate::domain::Money;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub const FREQUENCIES: [&str; 6] = ["monthly", "quarterly", "half_yearly", "yearly", "one_off", "as_needed"];
pub const REVISIONS: [(&str, &str); 4] =
    [("initial", "年初"), ("june", "6月调整"), ("september", "9月调整"), ("december", "12月调整")];
/// Actual payouts further than this from the forecast (per cent) are flagged.
pub const DEVIATION_PCT: i64 = 20;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogueItem {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub level: String,
    pub department_id: i64,
    pub department: String,
    pub standard_text: String,
    pub standard_amount: Option<Money>,
    pub frequency: String,
    pub bank_id: Option<i64>,
    pub aliases: String,
    /// 文号 of the basis documents, separated by "；".
    pub documents: String,
    /// The latest revision of this year's forecast: (revision, amount).
    pub forecast: Option<(String, Money)>,
    pub actual: Money,
    /// Actual payouts in per cent of the forecast, when there is one.
    pub actual_pct: Option<i64>,
    pub flagged: bool,
    pub editable: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Catalogue {
    pub me: StaffMe,
    /// The county shown (its code).
    pub county: String,
    /// The counties of a city's or province's finance bureau to choose from (value: code);
    /// empty for a county's staff.
    pub counties: Vec<Choice>,
    pub year: i32,
    pub years: Vec<i32>,
    pub items: Vec<CatalogueItem>,
    pub departments: Vec<Choice>,
    pub banks: Vec<Choice>,
    /// Finance may add items and move them between departments.
    pub finance: bool,
}

/// Whether actual payouts stray from the forecast: over it at any time, or, for a year that is
/// over, more than `DEVIATION_PCT` per cent under it.
pub fn deviates(actual: Money, forecast: Money, year_over: bool) -> bool {
    if forecast.fen() <= 0 {
        return false;
    }
    let pct = actual.fen() * 100 / forecast.fen();
    pct > 100 + DEVIATION_PCT
        || (actual.fen() > forecast.fen() && !year_over)
        || (year_over && (100 - pct) > DEVIATION_PCT)
}

#[server(prefix = "/api", endpoint = "staff_catalogue")]
pub async fn get_catalogue(year: Option<i32>, county: Option<String>) -> Result<Catalogue, ApiError> {
    use crate::ssr::catalogue::{catalogue, county_of};
    let (cx, staff, me) = crate::api::staff::signed_in().await?;
    let county = county_of(&cx.db, &staff, county.as_deref()).await.map_err(ApiError::internal)?;
    catalogue(&cx.db, &staff, me, county, year).await.map_err(ApiError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deviations_are_flagged_over_the_forecast_or_well_under_it_at_year_end() {
        let f = Money::from_fen(100_000);
        assert!(deviates(Money::from_fen(100_001), f, false), "over the forecast during the year");
        assert!(!deviates(Money::from_fen(50_000), f, false), "under it during the year is normal");
        assert!(deviates(Money::from_fen(70_000), f, true), "30% under at year end");
        assert!(!deviates(Money::from_fen(90_000), f, true));
        assert!(!deviates(Money::from_fen(1), Money::ZERO, true));
    }
}
