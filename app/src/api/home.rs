//! Home page data: the county, this year's headline figures and the latest notices.

use super::ApiError;
use crate::domain::Money;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Who runs this portal; shown on every page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteInfo {
    /// The county the page shows (a one-county portal: its county).
    pub county_name: String,
    /// Its code, as URLs carry it.
    pub county_code: String,
    /// The portal serves several counties: the header offers to pick another.
    pub many_counties: bool,
    /// The database holds generated demo data (a banner says so on every page).
    pub is_demo: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct HomeFigures {
    /// The latest year with payments, or `None` while nothing has been paid.
    pub year: Option<i32>,
    pub amount_paid: Money,
    pub people_paid: i64,
    pub items_paid: i64,
    /// Paid this year by item (top-level items, sub-items counted in their parent), largest first.
    pub by_item: Vec<(String, Money)>,
    /// Paid this year by township, in the county's order.
    pub by_township: Vec<(String, Money)>,
    /// How many townships were paid this year (`by_township` may hold fewer: see `for_home_page`).
    pub townships_paid: usize,
    pub latest_notices: Vec<NoticeHeadline>,
}

/// Bars a chart on the home page shows at most.
pub const HOME_BARS: usize = 10;

impl HomeFigures {
    /// What the home page shows, and so what its HTML carries twice (drawn, and as hydration
    /// data): the ten largest items, and the ten largest townships when there are more. The
    /// open data API keeps every item and township; `/publicity` charts them all.
    pub fn for_home_page(mut self) -> Self {
        self.by_item.truncate(HOME_BARS);
        if self.by_township.len() > HOME_BARS {
            self.by_township.sort_by_key(|t| std::cmp::Reverse(t.1));
            self.by_township.truncate(HOME_BARS);
        }
        self
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct NoticeHeadline {
    pub id: i64,
    pub title: String,
    pub published_on: String,
}

/// `county`: the code the page's URL carries (`?county=`), if any.
#[server(prefix = "/api", endpoint = "site_info")]
pub async fn get_site_info(county: Option<String>) -> Result<SiteInfo, ApiError> {
    let cx = crate::ssr::context()?;
    let site = cx
        .cache
        .get_or_load_within("site", crate::ssr::home::SITE_TTL, crate::ssr::home::site(&cx.db))
        .await
        .map_err(ApiError::internal)?;
    Ok(crate::ssr::home::site_info(&site, county.as_deref()))
}

#[server(prefix = "/api", endpoint = "home_figures")]
pub async fn get_home_figures(county: Option<String>) -> Result<HomeFigures, ApiError> {
    let cx = crate::ssr::context()?;
    let county = crate::ssr::regions::public_county(&cx.db, county.as_deref()).await.map_err(ApiError::internal)?;
    let (id, code) = county.map(|c| (c.id, c.code)).unwrap_or_default();
    cx.cache
        .get_or_load(&format!("home_figures:{code}"), crate::ssr::home::figures(&cx.db, id))
        .await
        .map(HomeFigures::for_home_page)
        .map_err(ApiError::internal)
}
