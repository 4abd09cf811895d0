//! `/search?q=`: one box over items, documents and publicity, with facets and highlighted snippets.

use crate::api::search::{kind_name, search, search_url, FacetCount, Fragment, SearchFilter, SearchPage};
use crate::components::Page;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// What to try when the box is empty or nothing matched.
const EXAMPLES: [&str; 6] = ["低保", "五保", "高龄津贴", "耕地地力保护补贴", "社会保障卡", "青岚镇 最低生活保障金"];

#[component]
pub fn SearchPage() -> impl IntoView {
    let query = use_query_map();
    let args = move || {
        let q = query.read();
        let text = |k: &str| q.get(k).filter(|v| !v.trim().is_empty());
        let filter = SearchFilter {
            kind: text("kind"),
            department: text("department"),
            year: text("year").and_then(|y| y.parse().ok()),
            township: text("township"),
            // The county the page shows is searched first (its facet offers all counties).
            county: text("county"),
        };
        (text("q"), filter, text("page").and_then(|p| p.parse::<u64>().ok()))
    };
    let results = Resource::new_blocking(args, |(q, filter, page)| search(q, filter, page));
    // The box stands outside the results, so that it is there whatever the results are (an
    // error included): there is always a way to search again.
    let typed = Signal::derive(move || query.read().get("q").unwrap_or_default());
    view! {
        <Page title="搜索" data=results view=move |page| view! { <Results page /> }>
            <h1>"搜索"</h1>
            <SearchBox q=typed />
        </Page>
    }
}

#[component]
fn SearchBox(q: Signal<String>) -> impl IntoView {
    view! {
        <form method="get" action="/search" role="search" class="search-box">
            <crate::components::CountyField />
            <label for="search-q" class="visually-hidden">"搜索内容"</label>
            <input id="search-q" type="search" name="q" prop:value=q value=q maxlength="100" placeholder="补贴名称、村名、文件标题……" />
            <button type="submit">"搜索"</button>
        </form>
    }
}

fn examples() -> impl IntoView {
    view! {
        <p>"可以试试："</p>
        <ul class="quick-links">
            {EXAMPLES.iter().map(|e| view! { <li><a href=search_url(e, &SearchFilter::default(), 1)>{*e}</a></li> }).collect_view()}
        </ul>
    }
}

fn fragments(parts: Vec<Fragment>) -> impl IntoView {
    parts
        .into_iter()
        .map(|f| if f.highlighted { view! { <mark>{f.text}</mark> }.into_any() } else { f.text.into_any() })
        .collect_view()
}

#[component]
fn Results(page: SearchPage) -> impl IntoView {
    let SearchPage {
        q,
        filter,
        total,
        page: current,
        pages,
        hits,
        kinds,
        departments,
        years,
        townships,
        counties,
        ready,
    } = page;
    if q.is_empty() {
        return view! {
            <p>"请输入要查找的内容：补贴项目名称或简称、通知公告中的词句、乡镇或村名、公示中的姓名（已脱敏）。"</p>
            {examples()}
        }
        .into_any();
    }
    let facet_group = {
        let q = q.clone();
        let filter = filter.clone();
        move |title: &'static str,
              counts: Vec<FacetCount>,
              set: fn(&mut SearchFilter, Option<String>),
              selected: Option<String>| {
            let q = q.clone();
            let filter = filter.clone();
            (!counts.is_empty()).then(move || {
                let mut cleared = filter.clone();
                set(&mut cleared, None);
                view! {
                    <div class="facet">
                        <h2>{title}</h2>
                        <ul>
                            {selected.is_some().then(|| view! { <li><a href=search_url(&q, &cleared, 1)>"全部"</a></li> })}
                            {counts.into_iter().map(|c| {
                                let mut f = filter.clone();
                                let is_selected = selected.as_deref() == Some(c.value.as_str());
                                set(&mut f, Some(c.value.clone()));
                                view! {
                                    <li>
                                        {if is_selected {
                                            view! { <strong>{c.label.clone()}</strong> }.into_any()
                                        } else {
                                            view! { <a href=search_url(&q, &f, 1)>{c.label.clone()}</a> }.into_any()
                                        }}
                                        <span class="count">{format!("（{}）", c.count)}</span>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </div>
                }
            })
        }
    };
    let set_kind: fn(&mut SearchFilter, Option<String>) = |f, v| f.kind = v;
    let set_department: fn(&mut SearchFilter, Option<String>) = |f, v| f.department = v;
    let set_year: fn(&mut SearchFilter, Option<String>) = |f, v| f.year = v.and_then(|y| y.parse().ok());
    let set_township: fn(&mut SearchFilter, Option<String>) = |f, v| f.township = v;
    let set_county: fn(&mut SearchFilter, Option<String>) = |f, v| f.county = v;
    let prev = (current > 1).then(|| search_url(&q, &filter, current - 1));
    let next = (current < pages).then(|| search_url(&q, &filter, current + 1));
    view! {
        {(!ready).then(|| view! { <p class="notice-box">"搜索索引正在建立，结果可能暂不完整，请稍后再试。"</p> })}
        <p class="muted" aria-live="polite">{format!("“{q}” 共找到 {total} 条结果")}</p>
        <div class="search-layout">
            <aside class="facets" aria-label="筛选结果">
                {facet_group("县（市、区）", counties, set_county, filter.county.clone())}
                {facet_group("类别", kinds, set_kind, filter.kind.clone())}
                {facet_group("年度", years, set_year, filter.year.map(|y| y.to_string()))}
                {facet_group("主管部门", departments, set_department, filter.department.clone())}
                {facet_group("乡镇（街道）", townships, set_township, filter.township.clone())}
            </aside>
            <div class="hits">
                {hits.is_empty().then(|| view! {
                    <div class="empty">
                        <p>"没有找到相关内容。可以换个说法，或只输入一个关键词（例如补贴简称“低保”“五保”）。"</p>
                        {examples()}
                    </div>
                })}
                <ol class="hit-list">
                    {hits.into_iter().map(|h| view! {
                        <li class="hit">
                            <span class="hit-kind">{kind_name(&h.kind)}</span>
                            <a class="hit-title" href=h.url>{fragments(h.title)}</a>
                            <p class="snippet">{fragments(h.snippet)}</p>
                        </li>
                    }).collect_view()}
                </ol>
                {(pages > 1).then(|| view! {
                    <nav class="pager" aria-label="分页">
                        {prev.map(|href| view! { <a href=href rel="prev">"上一页"</a> })}
                        <span>{format!("第 {current} / {pages} 页")}</span>
                        {next.map(|href| view! { <a href=href rel="next">"下一页"</a> })}
                    </nav>
                })}
            </div>
        </div>
    }
    .into_any()
}
