//! `/counties`: on a portal of several counties, a visitor picks theirs (by city, or by typing its
//! name); the choice is remembered (a cookie set by `/counties/choose`, without JavaScript too).
//! `/counties/compare`: how the counties compare in a year (and its CSV).

use crate::api::counties::{get_comparison, get_counties, CountyChoice, CountyComparison, MIN_CASES_RANKED};
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
            <p><a href="/counties/compare">"各县（市、区）对比：人均发放、按时答复率"</a></p>
        </Page>
    }
}

#[component]
pub fn ComparisonPage() -> impl IntoView {
    let query = use_query_map();
    let year = move || query.read().get("year").and_then(|y| y.parse::<i32>().ok());
    let data = Resource::new_blocking(year, get_comparison);
    view! {
        <Page title="各县（市、区）对比" data view=|c| view! { <Comparison c /> }>
            <p class="breadcrumb"><a href="/counties">"选择县（市、区）"</a></p>
            <h1>"各县（市、区）对比"</h1>
        </Page>
    }
}

#[component]
fn Comparison(c: CountyComparison) -> impl IntoView {
    let year = c.year;
    let days = |d: Option<f64>| d.map(|d| format!("{d}天")).unwrap_or_else(|| "—".into());
    view! {
        <p class="years">
            "年度："
            {c.years.iter().map(|y| if *y == year {
                view! { <strong>{format!("{y}年")}</strong> }.into_any()
            } else {
                view! { <a href=format!("/counties/compare?year={y}")>{format!("{y}年")}</a> }.into_any()
            }).collect_view()}
        </p>
        <p class="muted">
            {format!(
                "{year}年发放到账的金额和人数；当年受理的咨询投诉由本县部门答复的情况。已答复少于{MIN_CASES_RANKED}件的县只列数字，不参加排名。"
            )}
        </p>
        <p><a class="button secondary" href=format!("/counties/compare/csv?year={year}") rel="external">"下载表格（CSV）"</a></p>
        <div class="table-scroll" tabindex="0">
            <table class="comparison cards">
                <caption>{format!("{year}年各县（市、区）对比")}</caption>
                <thead>
                    <tr>
                        <th scope="col">"排名"</th>
                        <th scope="col">"县（市、区）"</th>
                        <th scope="col">"人均发放（元）"</th>
                        <th scope="col">"受益人数"</th>
                        <th scope="col">"按时答复率"</th>
                        <th scope="col">"答复天数（中位数 / 90%）"</th>
                        <th scope="col">"当前逾期"</th>
                    </tr>
                </thead>
                <tbody>
                    {c.counties.into_iter().map(|f| view! {
                        <tr>
                            <td data-label="排名">{f.rank.map(|r| r.to_string()).unwrap_or_else(|| "不排名".into())}</td>
                            <th scope="row" data-label="县（市、区）">
                                <a href=format!("/?county={}", f.code)>{f.name.clone()}</a>
                                {f.city.map(|city| view! { <small>{format!("（{city}）")}</small> })}
                            </th>
                            <td data-label="人均发放（元）">{f.per_person.map(|m| m.grouped()).unwrap_or_else(|| "—".into())}</td>
                            <td data-label="受益人数">{f.people_paid}</td>
                            <td data-label="按时答复率">
                                {match f.on_time_pct {
                                    Some(p) => format!("{p}%（{}/{}件）", f.on_time, f.answered),
                                    None => format!("—（受理{}件）", f.received),
                                }}
                            </td>
                            <td data-label="答复天数（中位数 / 90%）">
                                {format!("{} / {}", days(f.median_days), days(f.p90_days.map(|d| d as f64)))}
                            </td>
                            <td data-label="当前逾期">{f.overdue_now}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
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
