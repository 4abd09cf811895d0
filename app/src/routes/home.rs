//! `/`: what the portal is, this year's figures from the database, the latest notices.

use crate::api::home::{get_home_figures, get_site_info, HomeFigures};
use crate::components::chart::Bar;
use crate::components::{query_value, scoped, url_county, BarChart, Layout, Loaded};
use leptos::prelude::*;

#[component]
pub fn HomePage() -> impl IntoView {
    let county = url_county();
    let figures = Resource::new_blocking(county, get_home_figures);
    let info = Resource::new_blocking(county, get_site_info);
    let link = move |path: &'static str| move || scoped(path, county().as_deref());
    view! {
        <Layout>
            <section class="intro">
                <h1>"惠民惠农财政补贴资金公开平台"</h1>
                <p>
                    "各项惠民惠农财政补贴通过社会保障卡“一卡通”直接发放到个人账户。"
                    "在这里可以查看补贴政策清单、各村发放公示，查询本人补贴是否到账。"
                </p>
                <a class="big-entry" href="/check">"查询我的补贴"<small>"用身份证号和手机验证码查询每一笔补贴是否到账"</small></a>
                <ul class="quick-links">
                    <li><a href=link("/policies")>"政策清单"</a></li>
                    <li><a href=link("/publicity")>"发放公示"</a></li>
                    <li><a href="/notices">"通知公告"</a></li>
                </ul>
            </section>
            // On a portal of several counties: which one these figures are, and the way to another.
            <Suspense>
                {move || Suspend::new(async move {
                    info.await.ok().filter(|i| i.many_counties).map(|i| view! {
                        <p class="county-choice">
                            {format!("您正在查看：{}。", i.county_name)}
                            <a class="button secondary" href=format!("/counties?next={}", query_value("/"))>"选择您所在的县（市、区）"</a>
                        </p>
                    })
                })}
            </Suspense>
            <Loaded data=figures view=move |f| view! { <Figures figures=f county=county() /> } />
        </Layout>
    }
}

#[component]
fn Figures(figures: HomeFigures, county: Option<String>) -> impl IntoView {
    let heading = match figures.year {
        Some(year) => format!("{year}年发放情况"),
        None => "尚无发放记录".to_string(),
    };
    view! {
        <section class="figures" aria-labelledby="figures-heading">
            <h2 id="figures-heading">{heading}</h2>
            <dl class="figure-list">
                <div class="figure">
                    <dt>"已发放金额（元）"</dt>
                    <dd data-figure="amount-paid">{figures.amount_paid.wan()}</dd>
                </div>
                <div class="figure">
                    <dt>"受益人数"</dt>
                    <dd data-figure="people-paid">{figures.people_paid}</dd>
                </div>
                <div class="figure">
                    <dt>"补贴项目"</dt>
                    <dd data-figure="items-paid">{figures.items_paid}</dd>
                </div>
            </dl>
        </section>
        {(!figures.by_item.is_empty()).then(|| {
            let year = figures.year.unwrap_or_default();
            let to_bars = |pairs: Vec<(String, crate::domain::Money)>| -> Vec<Bar> {
                pairs.into_iter().map(|(label, m)| Bar { label, value: m.fen(), shown: format!("{}元", m.wan()) }).collect()
            };
            // More townships than the chart holds: the largest ones, and the way to all of them.
            let some_townships = figures.by_township.len() < figures.townships_paid;
            let township_title = if some_townships {
                format!("{year}年发放金额前十的乡镇")
            } else {
                format!("{year}年各乡镇发放金额")
            };
            let all_townships = some_townships.then(|| view! {
                <p class="chart-more">
                    <a href=scoped("/publicity", county.as_deref())>{format!("全部{}个乡镇的发放金额见发放公示", figures.townships_paid)}</a>
                </p>
            });
            view! {
                <section class="charts">
                    <BarChart title=format!("{year}年发放金额前十的补贴项目") bars=to_bars(figures.by_item.clone()) />
                    <BarChart title=township_title bars=to_bars(figures.by_township.clone()) />
                    {all_townships}
                </section>
            }
        })}
        <section class="latest-notices">
            <h2>"最新通知公告"</h2>
            <ul>
                {figures
                    .latest_notices
                    .into_iter()
                    .map(|n| view! {
                        <li>
                            <a class="notice-title" href=format!("/notices/{}", n.id)>{n.title}</a>
                            <time datetime=n.published_on.clone()>{n.published_on.clone()}</time>
                        </li>
                    })
                    .collect_view()}
            </ul>
            <p><a href="/notices">"更多通知公告"</a></p>
        </section>
    }
}
