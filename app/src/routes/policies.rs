//! `/policies` (the year's policy list, filterable) and `/policies/{code}` (one item and its payouts).

use crate::api::policies::{
    frequency_name, get_policies, get_policy, level_name, Change, Payout, PolicyDetail, PolicyItem, PolicyList, LEVELS,
};
use crate::components::chart::Bar;
use crate::components::{keep_county, url_county, BarChart, CountyField, Layout, Loaded, Page};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

fn query_text(key: &'static str) -> impl Fn() -> Option<String> + Copy {
    let query = use_query_map();
    move || query.read().get(key).filter(|v| !v.trim().is_empty())
}

#[component]
pub fn PoliciesPage() -> impl IntoView {
    let (year, level, department, q) =
        (query_text("year"), query_text("level"), query_text("department"), query_text("q"));
    let county = url_county();
    let list = Resource::new_blocking(
        move || (year().and_then(|y| y.parse::<i32>().ok()), level(), department(), q(), county()),
        |(year, level, department, q, county)| get_policies(year, level, department, q, county),
    );
    view! {
        <Page title="政策清单" data=list view=move |list| view! { <PolicyListView list level=level() department=department() q=q() /> }>
            <h1>"惠民惠农财政补贴政策清单"</h1>
        </Page>
    }
}

#[component]
fn PolicyListView(
    list: PolicyList,
    level: Option<String>,
    department: Option<String>,
    q: Option<String>,
) -> impl IntoView {
    let year = list.year;
    let count: usize = list.items.iter().map(|i| 1 + i.sub_items.len()).sum();
    view! {
        <form method="get" action="/policies" class="filters" role="search" aria-label="筛选政策">
            <CountyField />
            <label>
                "年度"
                <select name="year">
                    {list.years.iter().map(|y| view! { <option value=y.to_string() selected=*y == year>{format!("{y}年")}</option> }).collect_view()}
                </select>
            </label>
            <label>
                "层级"
                <select name="level">
                    <option value="">"全部"</option>
                    {LEVELS.iter().map(|l| view! { <option value=*l selected=level.as_deref() == Some(*l)>{level_name(l)}</option> }).collect_view()}
                </select>
            </label>
            <label>
                "主管部门"
                <select name="department">
                    <option value="">"全部"</option>
                    {list.departments.iter().map(|d| view! {
                        <option value=d.code.clone() selected=department.as_deref() == Some(d.code.as_str())>{d.name.clone()}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>
                "关键词"
                <input type="search" name="q" value=q.clone().unwrap_or_default() placeholder="如：低保、高龄" />
            </label>
            <button type="submit">"筛选"</button>
        </form>
        <p class="muted" aria-live="polite">
            {if list.filtered { format!("{year}年清单中符合条件的项目 {count} 项") } else { format!("{year}年清单共 {count} 项（含子项）") }}
            {list.filtered.then(|| view! { " · " <a href=keep_county(format!("/policies?year={year}"))>"清除筛选"</a> })}
        </p>
        {list.items.is_empty().then(|| view! { <p class="empty">"没有符合条件的补贴项目，请换个关键词或清除筛选。"</p> })}
        <ol class="policy-list">
            {list.items.into_iter().map(|item| view! { <PolicyCard item year /> }).collect_view()}
        </ol>
        {(!list.changes.is_empty()).then(|| view! { <Changes year changes=list.changes /> })}
    }
}

#[component]
fn PolicyCard(item: PolicyItem, year: i32) -> impl IntoView {
    let subs = item.sub_items.clone();
    view! {
        <li class="policy">
            <h2><a href=keep_county(format!("/policies/{}?year={year}", item.code))>{item.name.clone()}</a></h2>
            <ItemFacts item=item.clone() />
            {(!subs.is_empty()).then(|| view! {
                <ul class="sub-items">
                    {subs.into_iter().map(|s| view! {
                        <li>
                            <a href=keep_county(format!("/policies/{}?year={year}", s.code))>{s.name.clone()}</a>
                            <span class="standard">{s.standard.clone()}</span>
                        </li>
                    }).collect_view()}
                </ul>
            })}
        </li>
    }
}

#[component]
fn ItemFacts(item: PolicyItem) -> impl IntoView {
    view! {
        <dl class="facts">
            <dt>"层级"</dt><dd>{level_name(&item.level)}</dd>
            <dt>"补贴标准"</dt><dd>{item.standard}</dd>
            <dt>"发放周期"</dt><dd>{frequency_name(&item.frequency)}{item.per_household.then_some("（按户发放至户主社保卡）")}</dd>
            <dt>"主管部门"</dt>
            <dd>{item.department.name}" "<a class="tel" href=format!("tel:{}", item.department.phone)>{item.department.phone.clone()}</a></dd>
            {(!item.documents.is_empty()).then(|| view! {
                <dt>"政策依据"</dt>
                <dd>
                    <ul class="docs">
                        {item.documents.into_iter().map(|d| view! { <li><a href=format!("/notices/{}", d.id)>{d.title}</a></li> }).collect_view()}
                    </ul>
                </dd>
            })}
        </dl>
    }
}

#[component]
fn Changes(year: i32, changes: Vec<Change>) -> impl IntoView {
    view! {
        <section class="changes">
            <h2>{format!("与{}年清单相比的变化", year - 1)}</h2>
            <ul>
                {changes.into_iter().map(|c| match c {
                    Change::Added { code, name } => view! { <li>"新增："<a href=keep_county(format!("/policies/{code}?year={year}"))>{name}</a></li> }.into_any(),
                    Change::Removed { code, name } => view! { <li>"取消："<a href=keep_county(format!("/policies/{code}?year={}", year - 1))>{name}</a></li> }.into_any(),
                    Change::Standard { code, name, before, after } => view! {
                        <li>"标准调整："<a href=keep_county(format!("/policies/{code}?year={year}"))>{name}</a>"：" {before} " → " {after}</li>
                    }.into_any(),
                }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
pub fn PolicyPage() -> impl IntoView {
    let params = use_params_map();
    let year = query_text("year");
    let county = url_county();
    let detail = Resource::new_blocking(
        move || (params.read().get("code").unwrap_or_default(), year().and_then(|y| y.parse::<i32>().ok()), county()),
        |(code, year, county)| get_policy(code, year, county),
    );
    view! {
        <Layout>
            <Loaded data=detail view=move |d| view! { <PolicyDetailView detail=d /> } />
        </Layout>
    }
}

fn bars(payouts: &[Payout]) -> Vec<Bar> {
    payouts
        .iter()
        .map(|p| Bar { label: p.label.clone(), value: p.amount.fen(), shown: format!("{}元", p.amount.wan()) })
        .collect()
}

#[component]
fn PolicyDetailView(detail: PolicyDetail) -> impl IntoView {
    let year = detail.year;
    let item = detail.item;
    let code = item.code.clone();
    let total: crate::domain::Money = detail.by_period.iter().map(|p| p.amount).sum();
    view! {
        <Title text=item.name.clone() />
        <p class="breadcrumb">
            <a href=keep_county(format!("/policies?year={year}"))>{format!("{year}年政策清单")}</a>
            {detail.parent.map(|(pcode, pname)| view! { " › " <a href=keep_county(format!("/policies/{pcode}?year={year}"))>{pname}</a> })}
        </p>
        <h1>{item.name.clone()}</h1>
        <p class="years">
            "年度："
            {detail.years.iter().map(|y| {
                let y = *y;
                if y == year {
                    view! { <strong>{format!("{y}年")}</strong> }.into_any()
                } else {
                    view! { <a href=keep_county(format!("/policies/{code}?year={y}"))>{format!("{y}年")}</a> }.into_any()
                }
            }).collect_view()}
        </p>
        <ItemFacts item=item.clone() />
        <crate::components::FeedLink href=keep_county(format!("/feeds/catalogue/{code}.atom")) title=format!("{} 发放情况", item.name) />
        {(!item.sub_items.is_empty()).then(|| view! {
            <h2>"子项"</h2>
            <ul class="sub-items">
                {item.sub_items.iter().map(|s| view! {
                    <li><a href=keep_county(format!("/policies/{}?year={year}", s.code))>{s.name.clone()}</a><span class="standard">{s.standard.clone()}</span></li>
                }).collect_view()}
            </ul>
        })}
        <h2>{format!("{year}年发放情况")}</h2>
        {if detail.by_period.is_empty() {
            view! { <p class="empty">"本年度暂无已发放记录。"</p> }.into_any()
        } else {
            view! {
                <p>{format!("已发放 {} 元", total.grouped())}</p>
                <BarChart title=format!("{year}年按乡镇发放金额") bars=bars(&detail.by_township) />
                <PayoutTable caption="按乡镇".to_string() first="乡镇".to_string() rows=detail.by_township />
                <BarChart title=format!("{year}年按期次发放金额") bars=bars(&detail.by_period) />
                <PayoutTable caption="按发放期次".to_string() first="期次".to_string() rows=detail.by_period />
            }.into_any()
        }}
    }
}

#[component]
fn PayoutTable(caption: String, first: String, rows: Vec<Payout>) -> impl IntoView {
    view! {
        <div class="table-scroll" tabindex="0">
            <table class="cards">
                <caption>{caption}</caption>
                <thead><tr><th scope="col">{first.clone()}</th><th scope="col">"金额（元）"</th><th scope="col">"笔数"</th><th scope="col">"人数"</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|r| view! {
                        <tr>
                            <td data-label=first.clone()>{period_or_place(&r.label)}</td>
                            <td data-label="金额（元）" class="num">{r.amount.grouped()}</td>
                            <td data-label="笔数" class="num">{r.lines}</td>
                            <td data-label="人数" class="num">{r.people}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// A row's label: a period in words (2026年第3季度), a place as it is.
fn period_or_place(label: &str) -> String {
    let looks_like_period = label.get(..4).is_some_and(|y| y.bytes().all(|b| b.is_ascii_digit()));
    if looks_like_period {
        crate::domain::date::period_words(label)
    } else {
        label.to_string()
    }
}
