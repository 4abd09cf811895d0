//! `/counties`: on a portal of several counties, a visitor picks theirs (by city, or by typing its
//! name); the choice is remembered (a cookie set by `/counties/choose`, without JavaScript too).

use crate::api::home::{get_counties, CountyChoice};
use crate::components::county::query_value;
use crate::components::Page;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// Where to go once a county is picked: a path of this site (anything else: the home page).
pub fn next_path(next: Option<String>) -> String {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains(['\\', '\r', '\n']))
        .unwrap_or_else(|| "/".into())
}

#[component]
pub fn CountiesPage() -> impl IntoView {
    let query = use_query_map();
    let q = move || query.read().get("q").filter(|v| !v.trim().is_empty());
    let next = move || next_path(query.read().get("next"));
    let list = Resource::new_blocking(q, get_counties);
    view! {
        <Page title="选择县（市、区）" data=list view=move |list| view! { <CountyList list q=q() next=next() /> }>
            <h1>"选择您所在的县（市、区）"</h1>
            <p>"各县的补贴政策清单、发放公示和咨询投诉由本县负责。选定后本站会记住您的选择，随时可以在页面顶部“切换县”。"</p>
        </Page>
    }
}

#[component]
fn CountyList(list: Vec<CountyChoice>, q: Option<String>, next: String) -> impl IntoView {
    // Grouped by city, in the portal's order.
    let mut cities: Vec<(Option<String>, Vec<CountyChoice>)> = Vec::new();
    for c in list {
        match cities.last_mut() {
            Some((city, counties)) if *city == c.city => counties.push(c),
            _ => cities.push((c.city.clone(), vec![c])),
        }
    }
    let empty = cities.is_empty();
    view! {
        <form method="get" action="/counties" class="filters" role="search" aria-label="按名称找县">
            <input type="hidden" name="next" value=next.clone() />
            <label>"县（市、区）名称" <input type="search" name="q" value=q.clone().unwrap_or_default() placeholder="例如：青岚" /></label>
            <button type="submit">"查找"</button>
        </form>
        {empty.then(|| view! { <p class="empty">{format!("没有找到名称含“{}”的县（市、区）。", q.clone().unwrap_or_default())}</p> })}
        {cities.into_iter().map(|(city, counties)| view! {
            <section class="county-group">
                <h2>{city.unwrap_or_else(|| "本平台".into())}</h2>
                <ul class="county-choices">
                    {counties.into_iter().map(|c| {
                        // A full page load: the server remembers the choice, then opens `next`.
                        let href = format!("/counties/choose?code={}&next={}", c.code, query_value(&next));
                        view! { <li><a class="button secondary" href=href rel="external">{c.name}</a></li> }
                    }).collect_view()}
                </ul>
            </section>
        }).collect_view()}
    }
}

#[cfg(test)]
mod tests {
    use super::next_path;

    #[test]
    fn only_this_sites_paths_are_followed() {
        assert_eq!(next_path(Some("/policies".into())), "/policies");
        for bad in ["//evil.example", "https://evil.example", "/\\evil", "policies", "/a\r\nSet-Cookie: x"] {
            assert_eq!(next_path(Some(bad.into())), "/", "{bad}");
        }
        assert_eq!(next_path(None), "/");
    }
}
