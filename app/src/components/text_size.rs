//! Large-text mode (适老化): a real form that sets a cookie, so it works without JavaScript and
//! stays on across pages; the server renders `<html class="large-text">` from the cookie.

use leptos::prelude::*;

pub const COOKIE: &str = "text_size";

/// Whether the current page is in large-text mode: from the request's cookie on the server,
/// from the rendered `<html>` class in the browser (should an island ever ask).
pub fn large_text() -> bool {
    #[cfg(feature = "ssr")]
    {
        crate::ssr::request_cookie(COOKIE).as_deref() == Some("large")
    }
    #[cfg(not(feature = "ssr"))]
    {
        document().document_element().is_some_and(|html| html.class_list().contains("large-text"))
    }
}

#[component]
pub fn TextSizeSwitch() -> impl IntoView {
    let large = large_text();
    view! {
        <form method="post" action="/settings/text-size" class="text-size">
            <input type="hidden" name="size" value=if large { "normal" } else { "large" } />
            <button type="submit" aria-pressed=if large { "true" } else { "false" }>
                {if large { "标准字号" } else { "大字模式" }}
            </button>
        </form>
    }
}
