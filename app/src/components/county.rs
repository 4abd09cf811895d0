//! The county a public page shows, as its URL names it (`?county=510998`), and links that keep it.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The county code the current URL carries, if it has the shape of one (six digits).
pub fn url_county() -> impl Fn() -> Option<String> + Copy + Send + Sync + 'static {
    let query = use_query_map();
    move || query.read().get("county").filter(|c| c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit()))
}

/// `path` naming `county` too (`/policies` → `/policies?county=510998`); as it is without one.
pub fn scoped(path: &str, county: Option<&str>) -> String {
    match county {
        Some(code) if path.contains('?') => format!("{path}&county={code}"),
        Some(code) => format!("{path}?county={code}"),
        None => path.to_string(),
    }
}

/// `path` keeping the county the current URL names (for links within a page's own area).
pub fn keep_county(path: String) -> String {
    scoped(&path, url_county()().as_deref())
}

/// A path as a query value (`/counties?next=…`): the characters a path of this site has kept as
/// they are, the rest percent-encoded.
pub fn query_value(path: &str) -> String {
    path.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A hidden field that keeps the URL's county in a GET form (filters, search).
#[component]
pub fn CountyField() -> impl IntoView {
    let county = url_county();
    move || county().map(|c| view! { <input type="hidden" name="county" value=c /> })
}

#[cfg(test)]
mod tests {
    use super::scoped;

    #[test]
    fn links_keep_the_county() {
        assert_eq!(scoped("/policies", Some("510998")), "/policies?county=510998");
        assert_eq!(scoped("/policies/08?year=2025", Some("510998")), "/policies/08?year=2025&county=510998");
        assert_eq!(scoped("/policies", None), "/policies");
        assert_eq!(super::query_value("/policies?year=2025&x"), "/policies%3Fyear%3D2025%26x");
    }
}
