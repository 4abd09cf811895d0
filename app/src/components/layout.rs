//! The frame of every page: header with the county, the demo-data notice, footer.

use crate::api::home::get_site_info;
use leptos::prelude::*;

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let info = Resource::new_blocking(|| (), |_| get_site_info());
    view! {
        <header class="site-header">
            <a class="site-name" href="/">
                <span class="site-title">"惠民惠农财政补贴资金“一卡通”"</span>
                <Suspense>
                    {move || Suspend::new(async move {
                        info.await.ok().map(|i| view! { <span class="county-name">{i.county_name}</span> })
                    })}
                </Suspense>
            </a>
            <div class="header-tools">
                // On a phone the menu folds behind one button (a <details>, so without JavaScript too).
                <details class="menu">
                    <summary>"菜单"</summary>
                    <Menu />
                </details>
                <super::text_size::TextSizeSwitch />
            </div>
            <div class="wide-menu"><Menu /></div>
        </header>
        <Suspense>
            {move || Suspend::new(async move {
                info.await.ok().filter(|i| i.is_demo).map(|_| view! {
                    <p class="demo-notice" role="note">
                        "演示数据：本站的县、乡镇、村、人员和金额均为程序生成的虚构数据，仅供试用。"
                    </p>
                })
            })}
        </Suspense>
        <main id="main">{children()}</main>
        <footer class="site-footer">
            <p>"本平台公开惠民惠农财政补贴政策清单、发放公示，并受理咨询、投诉和信息公开申请。"</p>
        </footer>
    }
}

/// The site's sections.
#[component]
fn Menu() -> impl IntoView {
    view! {
        <nav class="site-nav" aria-label="主导航">
            <a href="/">"首页"</a>
            <a href="/policies">"政策清单"</a>
            <a href="/publicity">"发放公示"</a>
            <a href="/notices">"通知公告"</a>
            <a href="/cases">"咨询投诉"</a>
            <a href="/search">"搜索"</a>
            <a href="/check">"查询我的补贴"</a>
        </nav>
    }
}
