//! The policy list (政策清单): one catalogue per year, each item with its sub-items, and what an
//! item has paid out.

use super::ApiError;
use crate::domain::Money;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct Department {
    pub code: String,
    pub name: String,
    pub phone: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct DocRef {
    pub id: i64,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct PolicyItem {
    pub code: String,
    pub name: String,
    pub level: String,
    pub department: Department,
    pub standard: String,
    pub standard_fen: Option<i64>,
    pub frequency: String,
    pub per_household: bool,
    pub aliases: String,
    pub documents: Vec<DocRef>,
    pub sub_items: Vec<PolicyItem>,
}

/// How one year's list differs from the year before.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub enum Change {
    Added { code: String, name: String },
    Removed { code: String, name: String },
    Standard { code: String, name: String, before: String, after: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct PolicyList {
    pub year: i32,
    pub years: Vec<i32>,
    pub departments: Vec<Department>,
    pub items: Vec<PolicyItem>,
    pub changes: Vec<Change>,
    pub filtered: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct Payout {
    pub label: String,
    pub amount: Money,
    pub lines: i64,
    pub people: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct PolicyDetail {
    pub year: i32,
    pub years: Vec<i32>,
    pub item: PolicyItem,
    pub parent: Option<(String, String)>,
    pub by_township: Vec<Payout>,
    pub by_period: Vec<Payout>,
}

/// Level names as the catalogue prints them.
pub fn level_name(level: &str) -> &'static str {
    match level {
        "central" => "中央",
        "provincial" => "省级",
        "municipal" => "市级",
        "county" => "县级",
        _ => "其他",
    }
}

pub fn frequency_name(frequency: &str) -> &'static str {
    match frequency {
        "monthly" => "按月发放",
        "quarterly" => "按季度发放",
        "half_yearly" => "按半年发放",
        "yearly" => "按年发放",
        "one_off" => "一次性发放",
        "as_needed" => "按需发放",
        _ => "",
    }
}

pub const LEVELS: [&str; 4] = ["central", "provincial", "municipal", "county"];

#[server(prefix = "/api", endpoint = "policies")]
pub async fn get_policies(
    year: Option<i32>,
    level: Option<String>,
    department: Option<String>,
    q: Option<String>,
    county: Option<String>,
) -> Result<PolicyList, ApiError> {
    let cx = crate::ssr::context()?;
    let county = super::county_id(&cx, county).await?;
    let filter = crate::ssr::policies::Filter {
        level: level.filter(|l| LEVELS.contains(&l.as_str())),
        department: department.filter(|d| !d.is_empty()),
        keyword: q.map(|q| q.trim().to_string()).filter(|q| !q.is_empty()),
    };
    crate::ssr::policies::list(&cx.db, county, year, &filter).await.map_err(ApiError::internal)
}

#[server(prefix = "/api", endpoint = "policy")]
pub async fn get_policy(
    #[server(default)] code: String,
    year: Option<i32>,
    county: Option<String>,
) -> Result<PolicyDetail, ApiError> {
    let cx = crate::ssr::context()?;
    let county = super::county_id(&cx, county).await?;
    crate::ssr::policies::detail(&cx.db, county, &code, year)
        .await
        .map_err(ApiError::internal)?
        .ok_or(ApiError::NotFound)
}
