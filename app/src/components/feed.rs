//! A page's Atom feed: announced in `<head>` for feed readers, and as a plain link on the page.

use leptos::prelude::*;
use leptos_meta::Link;

#[component]
pub fn FeedLink(href: String, title: String) -> impl IntoView {
    view! {
        <Link rel="alternate" type_="application/atom+xml" title=title href=href.clone() />
        <p class="feed"><a href=href>"订阅更新（Atom）"</a></p>
    }
}
