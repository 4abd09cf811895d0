//! The frame of every page: header with the county (and, on a portal of several counties, the
//! way to pick another; not on the department side, whose bar names the staff member's own
//! area), the demo-data notice, footer.

use super::county::{query_value, scoped, url_county};
use crate::api::home::get_site_info;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let county = url_county();
    let info = Resource::new_blocking(county, get_site_info);
    let here = use_location();
    // The department side shows the staff member's area in its bar, not the public county.
    let public = move || !here.pathname.get().starts_with("/staff");
    view! {
        <header class="site-header">
            <a class="site-name" href=move || scoped("/", county().as_deref())>
                <span class="site-title">"惠民惠农财政补贴资金“一卡通”"</span>
                <Suspense>
                    {move || {
                        let public = public();
                        Suspend::new(async move {
                            info.await.ok().filter(|_| public).map(|i| view! { <span class="county-name">{i.county_name}</span> })
                        })
                    }}
                </Suspense>
            </a>
            <Suspense>
                {move || {
                    let public = public();
                    Suspend::new(async move {
                        let next = here.pathname.get_untracked();
                        info.await.ok().filter(|i| i.many_counties && public).map(|_| view! {
                            <a class="switch-county" href=format!("/counties?next={}", query_value(&next))>"切换县"</a>
                        })
                    })
                }}
            </Suspense>
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
            <p><a href="/open-data">"开放数据"</a>" · "<a href="/publicity/log">"公示日志"</a></p>
        </footer>
    }
}

/// The site's sections (keeping the county the page shows).
#[component]
fn Menu() -> impl IntoView {
    let county = url_county();
    let link = move |path: &'static str| move || scoped(path, county().as_deref());
    view! {
        <nav class="site-nav" aria-label="主导航">
            <a href=link("/")>"首页"</a>
            <a href=link("/policies")>"政策清单"</a>
            <a href=link("/publicity")>"发放公示"</a>
            <a href="/notices">"通知公告"</a>
            <a href=link("/cases")>"咨询投诉"</a>
            <a href=link("/search")>"搜索"</a>
            <a href="/check">"查询我的补贴"</a>
        </nav>
    }
}
