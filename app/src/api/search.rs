//! One search box over items, documents and publicity lines.

use super::ApiError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub const HITS_PER_PAGE: u64 = 10;
/// Longer queries are cut to this many characters.
pub const MAX_QUERY_CHARS: usize = 100;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fragment {
    pub text: String,
    pub highlighted: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    pub kind: String,
    pub url: String,
    pub title: Vec<Fragment>,
    pub snippet: Vec<Fragment>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FacetCount {
    pub value: String,
    pub label: String,
    pub count: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchFilter {
    pub kind: Option<String>,
    pub department: Option<String>,
    pub year: Option<i32>,
    pub township: Option<String>,
    /// A county's code: its items, notices and publicity only.
    pub county: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchPage {
    pub q: String,
    pub filter: SearchFilter,
    pub total: u64,
    pub page: u64,
    pub pages: u64,
    pub hits: Vec<SearchHit>,
    pub kinds: Vec<FacetCount>,
    pub departments: Vec<FacetCount>,
    pub years: Vec<FacetCount>,
    pub townships: Vec<FacetCount>,
    /// On a portal of several counties, by county (values are codes).
    pub counties: Vec<FacetCount>,
    /// False while the index is still being built after a start.
    pub ready: bool,
}

pub fn kind_name(kind: &str) -> &'static str {
    match kind {
        "item" => "补贴项目",
        "document" => "通知公告",
        "publicity" => "发放公示",
        _ => "",
    }
}

/// Percent-encodes a query-string value (UTF-8; unreserved characters kept).
pub fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The `/search` URL for a query, filters and page.
pub fn search_url(q: &str, filter: &SearchFilter, page: u64) -> String {
    let mut url = format!("/search?q={}", encode(q));
    if let Some(k) = &filter.kind {
        url.push_str(&format!("&kind={}", encode(k)));
    }
    if let Some(d) = &filter.department {
        url.push_str(&format!("&department={}", encode(d)));
    }
    if let Some(y) = filter.year {
        url.push_str(&format!("&year={y}"));
    }
    if let Some(t) = &filter.township {
        url.push_str(&format!("&township={}", encode(t)));
    }
    if let Some(c) = &filter.county {
        url.push_str(&format!("&county={}", encode(c)));
    }
    if page > 1 {
        url.push_str(&format!("&page={page}"));
    }
    url
}

#[server(prefix = "/api", endpoint = "search")]
pub async fn search(
    q: Option<String>,
    #[server(default)] filter: SearchFilter,
    page: Option<u64>,
) -> Result<SearchPage, ApiError> {
    let cx = crate::ssr::context()?;
    let q: String = q.unwrap_or_default().trim().chars().take(MAX_QUERY_CHARS).collect();
    match crate::ssr::search::entries::run(&cx.db, &cx.search, q, filter, page.unwrap_or(1).max(1)).await {
        Ok(page) => Ok(page),
        Err(crate::ssr::search::QueryError::Busy) => Err(ApiError::Invalid("现在搜索的人较多，请稍后再试".into())),
        Err(e) => Err(ApiError::internal(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_encoded() {
        assert_eq!(encode("低保 a&b"), "%E4%BD%8E%E4%BF%9D%20a%26b");
        let f = SearchFilter { kind: Some("item".into()), year: Some(2026), ..Default::default() };
        assert_eq!(search_url("低保", &f, 2), "/search?q=%E4%BD%8E%E4%BF%9D&kind=item&year=2026&page=2");
        let f = SearchFilter { county: Some("510998".into()), ..Default::default() };
        assert_eq!(search_url("低保", &f, 1), "/search?q=%E4%BD%8E%E4%BF%9D&county=510998");
    }
}
