//! Notices and policy documents (通知公告 / 政策文件).

use super::ApiError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub const NOTICES_PER_PAGE: i64 = 20;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct NoticeSummary {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub doc_number: String,
    pub issuer: String,
    pub published_on: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct NoticeList {
    pub notices: Vec<NoticeSummary>,
    pub page: i64,
    pub pages: i64,
    pub total: i64,
}

/// An item that names a document as its basis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct ItemRef {
    pub code: String,
    pub name: String,
    pub year: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct Notice {
    pub summary: NoticeSummary,
    pub body: String,
    pub source: String,
    pub items: Vec<ItemRef>,
}

/// The notices `county`'s pages show (its own, its city's and province's, and the portal's).
#[server(prefix = "/api", endpoint = "notices")]
pub async fn get_notices(page: Option<i64>, county: Option<String>) -> Result<NoticeList, ApiError> {
    let cx = crate::ssr::context()?;
    let county = super::county_id(&cx, county).await?;
    crate::ssr::notices::list(&cx.db, county, page.unwrap_or(1).max(1)).await.map_err(ApiError::internal)
}

#[server(prefix = "/api", endpoint = "notice")]
pub async fn get_notice(#[server(default)] id: i64) -> Result<Notice, ApiError> {
    let cx = crate::ssr::context()?;
    crate::ssr::notices::get(&cx.db, id).await.map_err(ApiError::internal)?.ok_or(ApiError::NotFound)
}

/// The department side's notices: what this department published, and the form to publish.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffNotices {
    pub me: crate::api::staff::StaffMe,
    pub notices: Vec<NoticeSummary>,
    pub may_publish: bool,
    pub today: String,
}

#[server(prefix = "/api", endpoint = "staff_notices")]
pub async fn get_staff_notices() -> Result<StaffNotices, ApiError> {
    let (cx, staff, me) = crate::api::staff::signed_in().await?;
    let notices = crate::ssr::notices::published_by(&cx.db, &staff).await.map_err(ApiError::internal)?;
    let may_publish = matches!(staff.role, crate::ssr::staff::Role::Department | crate::ssr::staff::Role::Finance);
    Ok(StaffNotices { me, notices, may_publish, today: crate::ssr::clock::local_today() })
}
