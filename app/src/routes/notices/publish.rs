//! `/staff/notices`: a department publishes a notice or policy document as text (tables as in
//! the seed documents: tab-separated lines or Markdown), and withdraws what it published.

use crate::api::notices::{get_staff_notices, StaffNotices};
use crate::components::Page;
use crate::routes::staff::StaffBar;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The longest notice body in characters (the longest seed document has about 8,000).
pub const BODY_MAX_CHARS: usize = 50_000;

/// Why a notice was refused, in words.
pub fn refusal(code: &str) -> Option<&'static str> {
    match code {
        "title" => Some("请填写标题（2至100字）"),
        "body" => Some("请填写正文（10字至5万字）"),
        "date" => Some("发布日期不正确，应为如 2026-11-22"),
        "kind" => Some("请选择类型"),
        "withdraw" => Some("只能撤回本部门发布的通知（政策清单公告不能撤回）"),
        _ => None,
    }
}

#[component]
pub fn StaffNoticesPage() -> impl IntoView {
    let data = Resource::new_blocking(|| (), |_| get_staff_notices());
    view! {
        <Page title="发布通知" data view=|n| view! { <StaffNoticesView n /> } />
    }
}

#[component]
fn StaffNoticesView(n: StaffNotices) -> impl IntoView {
    let query = use_query_map();
    let message = move || {
        let q = query.read();
        q.get("e")
            .and_then(|e| refusal(&e))
            .map(|m| (true, m.to_string()))
            .or_else(|| q.get("done").map(|id| (false, format!("已发布，编号 {id}，几秒后即可搜索到。"))))
    };
    let csrf = n.me.csrf.clone();
    view! {
        <StaffBar me=n.me.clone() />
        <h1>"通知公告"</h1>
        {move || message().map(|(bad, m)| view! { <p class={if bad { "error-box" } else { "notice-box" }} role="alert">{m}</p> })}
        {n.may_publish.then(|| view! {
            <form method="post" action="/staff/notices" class="case-form">
                <input type="hidden" name="csrf" value=csrf.clone() />
                <input type="hidden" name="op" value="publish" />
                <fieldset>
                    <legend>"类型"</legend>
                    <label class="choice"><input type="radio" name="kind" value="notice" checked />"通知公告"</label>
                    <label class="choice"><input type="radio" name="kind" value="policy" />"政策文件"</label>
                </fieldset>
                <label for="title">"标题"</label>
                <input id="title" name="title" required maxlength="100" />
                <label for="doc_number">"文号（可不填）"</label>
                <input id="doc_number" name="doc_number" maxlength="50" placeholder="青财发〔2026〕12号" />
                <label for="published_on">"发布日期"</label>
                <input id="published_on" name="published_on" type="date" required value=n.today.clone() />
                <label for="body">"正文（表格可用制表符分隔的行，或 Markdown 表格）"</label>
                <textarea id="body" name="body" rows="14" required></textarea>
                <button type="submit">"发布"</button>
            </form>
        })}
        <h2>"已发布"</h2>
        {n.notices.is_empty().then(|| view! { <p class="empty">"还没有发布过通知。"</p> })}
        <ul class="link-list">
            {n.notices.into_iter().map(|x| {
                let csrf = csrf.clone();
                view! {
                    <li>
                        <a href=format!("/notices/{}", x.id)>{x.title}</a>
                        <span class="meta">{format!("{} {}", x.published_on, x.issuer)}</span>
                        <form method="post" action="/staff/notices">
                            <input type="hidden" name="csrf" value=csrf />
                            <input type="hidden" name="op" value="withdraw" />
                            <input type="hidden" name="id" value=x.id.to_string() />
                            <button type="submit" class="secondary">"撤回"</button>
                        </form>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}
