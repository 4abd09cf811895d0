//! The HTML shell, the router and one module per page area.

pub mod cases;
pub mod catalogue;
pub mod check;
pub mod counties;
pub mod home;
pub mod noticeboard;
pub mod notices;
pub mod open_data;
pub mod policies;
pub mod publicity;
pub mod publicity_log;
pub mod rosters;
pub mod search;
pub mod staff;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    ParamSegment, SsrMode, StaticSegment,
};

/// The document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    content_security_policy();
    let class = if crate::components::text_size::large_text() { "large-text" } else { "" };
    #[cfg(feature = "ssr")]
    let css =
        use_context::<crate::ssr::AppContext>().map(|cx| cx.assets.css_href).unwrap_or_else(|| "/pkg/app.css".into());
    #[cfg(not(feature = "ssr"))]
    let css = "/pkg/app.css".to_string();
    view! {
        <!DOCTYPE html>
        <html lang="zh-CN" class=class>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="description" content="惠民惠农财政补贴资金“一卡通”公开平台：补贴政策清单、通知公告、各村发放公示，查询本人每一笔补贴是否到账，咨询投诉和信息公开申请。" />
                <link rel="stylesheet" id="leptos" href=css />
                <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
                <AutoReload options=options.clone() />
                <HydrationScripts options islands=true />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The page's policy: scripts only from the site and the inline ones Leptos wrote with this
/// response's nonce (hydration data), the wasm bundle, nothing framed, forms only to the site.
#[cfg(feature = "ssr")]
fn content_security_policy() {
    let (Some(nonce), Some(response)) = (leptos::nonce::use_nonce(), use_context::<leptos_axum::ResponseOptions>())
    else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    );
    if let Ok(value) = axum::http::HeaderValue::from_str(&policy) {
        response.insert_header(axum::http::header::CONTENT_SECURITY_POLICY, value);
    }
}

/// Every route renders its whole content into the first response (`SsrMode::Async`), so each
/// page works with JavaScript off; hydration then takes over.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title text="惠民惠农财政补贴资金“一卡通”公开平台" />
        <Hydrated />
        <Router>
            <Routes fallback=NotFound>
                <Route path=StaticSegment("") view=home::HomePage ssr=SsrMode::Async />
                <Route path=StaticSegment("counties") view=counties::CountiesPage ssr=SsrMode::Async />
                <Route path=(StaticSegment("counties"), StaticSegment("compare")) view=counties::ComparisonPage ssr=SsrMode::Async />
                <Route path=StaticSegment("policies") view=policies::PoliciesPage ssr=SsrMode::Async />
                <Route path=(StaticSegment("policies"), ParamSegment("code")) view=policies::PolicyPage ssr=SsrMode::Async />
                <Route path=StaticSegment("notices") view=notices::NoticesPage ssr=SsrMode::Async />
                <Route path=(StaticSegment("notices"), ParamSegment("id")) view=notices::NoticePage ssr=SsrMode::Async />
                <Route path=StaticSegment("search") view=search::SearchPage ssr=SsrMode::Async />
                <Route path=StaticSegment("open-data") view=open_data::OpenDataPage ssr=SsrMode::Async />
                <Route path=StaticSegment("check") view=check::CheckPage ssr=SsrMode::Async />
                <Route path=(StaticSegment("check"), StaticSegment("code")) view=check::CodePage ssr=SsrMode::Async />
                <Route path=(StaticSegment("check"), StaticSegment("payments")) view=check::MyPaymentsPage ssr=SsrMode::Async />
                <Route path=(StaticSegment("check"), StaticSegment("statement")) view=check::StatementPage ssr=SsrMode::Async />
                <Route path=(StaticSegment("check"), StaticSegment("not-received")) view=check::NotReceivedPage ssr=SsrMode::Async />
                <Route path=StaticSegment("cases") view=cases::CasesPage ssr=SsrMode::Async />
                <Route path=(StaticSegment("cases"), StaticSegment("new")) view=cases::NewCasePage ssr=SsrMode::Async />
                <Route path=(StaticSegment("cases"), StaticSegment("code")) view=cases::CaseCodePage ssr=SsrMode::Async />
                <Route path=(StaticSegment("cases"), StaticSegment("filed")) view=cases::FiledPage ssr=SsrMode::Async />
                <Route path=(StaticSegment("cases"), StaticSegment("track")) view=cases::TrackPage ssr=SsrMode::Async />
                <Route path=(StaticSegment("cases"), StaticSegment("track"), StaticSegment("code")) view=cases::TrackCodePage ssr=SsrMode::Async />
                <Route path=(StaticSegment("cases"), StaticSegment("mine")) view=cases::MyCasePage ssr=SsrMode::Async />
                <Route path=(StaticSegment("cases"), StaticSegment("stats")) view=cases::StatsPage ssr=SsrMode::Async />
                <Route path=(StaticSegment("cases"), StaticSegment("answered")) view=cases::AnsweredPage ssr=SsrMode::Async />
                <Route path=(StaticSegment("case"), ParamSegment("no")) view=cases::PublicCasePage ssr=SsrMode::Async />
                <Route path=StaticSegment("staff") view=staff::InboxPage ssr=SsrMode::Async />
                <Route path=(StaticSegment("staff"), StaticSegment("login")) view=staff::LoginPage ssr=SsrMode::Async />
                <Route path=(StaticSegment("staff"), StaticSegment("cases"), ParamSegment("id")) view=staff::StaffCasePage ssr=SsrMode::Async />
                <Route path=(StaticSegment("staff"), StaticSegment("holidays")) view=staff::HolidaysPage ssr=SsrMode::Async />
                <Route path=(StaticSegment("staff"), StaticSegment("admin")) view=staff::AdminPage ssr=SsrMode::Async />
                <Route path=(StaticSegment("staff"), StaticSegment("notices")) view=notices::publish::StaffNoticesPage ssr=SsrMode::Async />
                <Route path=(StaticSegment("staff"), StaticSegment("catalogue")) view=catalogue::CataloguePage ssr=SsrMode::Async />
                <Route path=(StaticSegment("staff"), StaticSegment("rosters")) view=rosters::RostersPage ssr=SsrMode::Async />
                <Route path=(StaticSegment("staff"), StaticSegment("rosters"), StaticSegment("new")) view=rosters::NewRosterPage ssr=SsrMode::Async />
                <Route
                    path=(StaticSegment("staff"), StaticSegment("rosters"), StaticSegment("upload"), ParamSegment("token"))
                    view=rosters::UploadPage
                    ssr=SsrMode::Async
                />
                <Route path=(StaticSegment("staff"), StaticSegment("rosters"), ParamSegment("id")) view=rosters::RosterPage ssr=SsrMode::Async />
                <Route path=StaticSegment("publicity") view=publicity::PublicityPage ssr=SsrMode::Async />
                <Route path=(StaticSegment("publicity"), StaticSegment("log")) view=publicity_log::PublicityLogPage ssr=SsrMode::Async />
                <Route path=StaticSegment("r") view=publicity_log::ReceiptPage ssr=SsrMode::Async />
                <Route path=(StaticSegment("r"), ParamSegment("code")) view=publicity_log::ReceiptPage ssr=SsrMode::Async />
                <Route path=(StaticSegment("publicity"), ParamSegment("township")) view=publicity::TownshipPublicityPage ssr=SsrMode::Async />
                <Route
                    path=(StaticSegment("publicity"), ParamSegment("township"), ParamSegment("village"))
                    view=publicity::VillagePublicityPage
                    ssr=SsrMode::Async
                />
                <Route
                    path=(StaticSegment("publicity"), ParamSegment("township"), ParamSegment("village"), ParamSegment("roster"))
                    view=publicity::RosterPublicityPage
                    ssr=SsrMode::Async
                />
                <Route
                    path=(StaticSegment("publicity"), ParamSegment("township"), ParamSegment("village"), ParamSegment("roster"), StaticSegment("notice"))
                    view=noticeboard::NoticeboardPage
                    ssr=SsrMode::Async
                />
            </Routes>
        </Router>
    }
}

/// The site's island: sets `data-hydrated` on `<body>` once the browser bundle runs (tests look
/// for it). Everything else on a page is plain HTML from the server, forms and links included.
#[island]
fn Hydrated() -> impl IntoView {
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}

#[component]
fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <crate::components::Layout>
            <Title text="页面不存在" />
            <h1>"页面不存在"</h1>
            <p>"您要找的页面不存在或已移动。"</p>
            <p><a href="/">"返回首页"</a></p>
        </crate::components::Layout>
    }
}
