//! `/`: what the portal is, this year's figures from the database, the latest notices.

use crate::api::home::{get_home_figures, HomeFigures};
use crate::components::Layout;
use leptos::prelude::*;

#[component]
pub fn HomePage() -> impl IntoView {
    let figures = Resource::new_blocking(|| (), |_| get_home_figures());
    view! {
        <Layout>
            <section class="intro">
                <h1>"惠民惠农财政补贴资金公开平台"</h1>
                <p>
                    "各项惠民惠农财政补贴通过社会保障卡“一卡通”直接发放到个人账户。"
                    "在这里可以查看补贴政策清单、各村发放公示，查询本人补贴是否到账。"
                </p>
            </section>
            <Suspense fallback=|| view! { <p>"正在加载…"</p> }>
                {move || Suspend::new(async move {
                    match figures.await {
                        Ok(f) => view! { <Figures figures=f /> }.into_any(),
                        Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </Layout>
    }
}

#[component]
fn Figures(figures: HomeFigures) -> impl IntoView {
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
        <section class="latest-notices">
            <h2>"最新通知公告"</h2>
            <ul>
                {figures
                    .latest_notices
                    .into_iter()
                    .map(|n| view! {
                        <li>
                            <span class="notice-title">{n.title}</span>
                            <time datetime=n.published_on.clone()>{n.published_on.clone()}</time>
                        </li>
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}
