//! `/notices` and `/notices/{id}`: notices and policy documents, tables rendered as tables.

pub mod body;
pub mod publish;

use crate::api::notices::{get_notice, get_notices, Notice, NoticeList};
use crate::api::ApiError;
use crate::components::{keep_county, url_county, Layout, Loaded, Page, Pager};
use body::DocumentBody;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

pub use body::{parse, Block};

#[component]
pub fn NoticesPage() -> impl IntoView {
    let query = use_query_map();
    let county = url_county();
    let page = move || (query.read().get("page").and_then(|p| p.parse::<i64>().ok()), county());
    let list = Resource::new_blocking(page, |(page, county)| get_notices(page, county));
    view! {
        <Page title="通知公告" data=list view=move |list| view! { <NoticeListView list /> }>
            <h1>"通知公告"</h1>
            <crate::components::FeedLink href=crate::components::keep_county("/feeds/notices.atom".into()) title="通知公告".to_string() />
        </Page>
    }
}

#[component]
fn NoticeListView(list: NoticeList) -> impl IntoView {
    view! {
        <p class="muted">{format!("共 {} 篇", list.total)}</p>
        <ul class="link-list">
            {list.notices.into_iter().map(|n| view! {
                <li>
                    <a href=format!("/notices/{}", n.id)>{n.title}</a>
                    <span class="meta">
                        {(!n.doc_number.is_empty()).then(|| view! { <span>{n.doc_number}</span> })}
                        <span>{n.issuer}</span>
                        <time datetime=n.published_on.clone()>{n.published_on.clone()}</time>
                    </span>
                </li>
            }).collect_view()}
        </ul>
        <Pager page=list.page pages=list.pages base=format!("{}&", keep_county("/notices?".to_string())).replace("?&", "?") />
    }
}

#[component]
pub fn NoticePage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|id| id.parse::<i64>().ok());
    let notice = Resource::new_blocking(id, |id| async move {
        match id {
            Some(id) => get_notice(id).await,
            None => Err(ApiError::NotFound),
        }
    });
    view! {
        <Layout>
            <Loaded data=notice view=move |n| view! { <NoticeView notice=n /> } />
        </Layout>
    }
}

#[component]
fn NoticeView(notice: Notice) -> impl IntoView {
    let s = notice.summary;
    view! {
        <Title text=s.title.clone() />
        <article class="notice">
            <p class="breadcrumb"><a href="/notices">"通知公告"</a></p>
            <h1>{s.title}</h1>
            <p class="meta">
                {(!s.doc_number.is_empty()).then(|| view! { <span>{s.doc_number}</span> })}
                <span>{s.issuer}</span>
                <time datetime=s.published_on.clone()>{s.published_on.clone()}</time>
                {(!notice.source.is_empty()).then(|| view! { <span>{format!("来源：{}", notice.source)}</span> })}
            </p>
            <DocumentBody text=notice.body />
            {(!notice.items.is_empty()).then(|| view! {
                <section class="related">
                    <h2>"以本文件为依据的补贴项目"</h2>
                    <ul>
                        {notice.items.into_iter().map(|i| view! {
                            <li><a href=format!("/policies/{}?year={}", i.code, i.year)>{i.name}</a></li>
                        }).collect_view()}
                    </ul>
                </section>
            })}
        </article>
    }
}
