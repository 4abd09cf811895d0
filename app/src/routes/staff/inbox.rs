//! `/staff`: the case inbox with its filters and pages (overdue first).

use super::StaffBar;
use crate::api::staff::{get_inbox, Inbox, InboxFilter};
use crate::components::{Page, Pager};
use crate::domain::cases::status_name;
use crate::domain::CaseKind;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

fn filter_from(q: &leptos_router::params::ParamsMap) -> InboxFilter {
    let text = |k: &str| q.get(k).filter(|v| !v.is_empty());
    InboxFilter {
        status: text("status"),
        kind: text("kind"),
        overdue: q.get("overdue").is_some_and(|v| v == "1"),
        item: text("item"),
        township: text("township"),
        department: q.get("department").and_then(|d| d.parse().ok()),
        page: q.get("page").and_then(|p| p.parse().ok()),
    }
}

#[component]
pub fn InboxPage() -> impl IntoView {
    let query = use_query_map();
    let data = Resource::new_blocking(move || filter_from(&query.read()), get_inbox);
    view! {
        <Page title="诉求办理" data view=|inbox| view! { <InboxView inbox /> } />
    }
}

#[component]
fn Select(name: &'static str, label: &'static str, options: Vec<(String, String)>, current: String) -> impl IntoView {
    view! {
        <label>
            {label}
            <select name=name>
                <option value="">"全部"</option>
                {options.into_iter().map(|(value, text)| {
                    let selected = value == current;
                    view! { <option value=value selected=selected>{text}</option> }
                }).collect_view()}
            </select>
        </label>
    }
}

#[component]
fn InboxView(inbox: Inbox) -> impl IntoView {
    let query = use_query_map();
    let f = filter_from(&query.read_untracked());
    let sees_all = matches!(inbox.me.role.as_str(), "finance" | "supervisor");
    let triage = inbox.triage_department.map(|d| d.to_string()).unwrap_or_default();
    let transferred = query.read_untracked().get("done").is_some_and(|d| d == "transfer");
    let statuses = ["open", "accepted", "info_requested", "answered", "closed"]
        .map(|s| (s.to_string(), status_name(s).to_string()))
        .to_vec();
    let kinds = CaseKind::ALL.map(|k| (k.code().to_string(), k.name().to_string())).to_vec();
    let to_pairs = |v: Vec<crate::api::staff::Choice>| v.into_iter().map(|c| (c.value, c.label)).collect::<Vec<_>>();
    view! {
        <StaffBar me=inbox.me.clone() />
        <h1>{if sees_all { "本辖区诉求" } else { "本部门诉求" }}</h1>
        {transferred.then(|| view! { <p class="notice-box" role="status">"已转办，此件已交由接收部门办理。"</p> })}
        {(inbox.overdue_total > 0).then(|| view! {
            <p class="error-box" role="alert">
                {format!("有 {} 件已超过答复期限，", inbox.overdue_total)}
                <a href="/staff?overdue=1">{if sees_all { "查看逾期督办" } else { "请尽快办理" }}</a>
            </p>
        })}
        {sees_all.then(|| view! {
            <p class="actions">
                <a href=format!("/staff?department={triage}")>"分送队列（项目不确定的诉求）"</a>" · "
                <a href="/staff?overdue=1">"逾期督办"</a>
            </p>
        })}
        <form method="get" action="/staff" class="filters">
            <Select name="status" label="状态" options=statuses current=f.status.clone().unwrap_or_default() />
            <Select name="kind" label="类型" options=kinds current=f.kind.clone().unwrap_or_default() />
            <Select name="item" label="补贴项目" options=to_pairs(inbox.items) current=f.item.clone().unwrap_or_default() />
            <Select name="township" label={if inbox.by_county { "县（市、区）" } else { "乡镇" }} options=to_pairs(inbox.townships) current=f.township.clone().unwrap_or_default() />
            {sees_all.then(|| view! {
                <Select name="department" label="部门" options=to_pairs(inbox.departments.clone()) current=f.department.map(|d| d.to_string()).unwrap_or_default() />
            })}
            <label class="choice"><input type="checkbox" name="overdue" value="1" checked=f.overdue />"只看逾期"</label>
            <button type="submit">"筛选"</button>
        </form>
        {inbox.rows.is_empty().then(|| view! { <p class="empty">"没有符合条件的诉求。"</p> })}
        {(inbox.total > 0).then(|| view! { <p class="muted">{format!("共 {} 件", inbox.total)}</p> })}
        <div class="table-scroll" tabindex="0">
            <table class="inbox">
                <thead><tr>
                    <th scope="col">"受理编号"</th><th scope="col">"类型"</th><th scope="col">"补贴项目"</th><th scope="col">"乡镇"</th>
                    <th scope="col">"办理部门"</th><th scope="col">"状态"</th><th scope="col">"提交"</th><th scope="col">"期限"</th>
                </tr></thead>
                <tbody>
                    {inbox.rows.into_iter().map(|r| view! {
                        <tr class={if r.overdue { "overdue" } else { "" }}>
                            <td><a href=format!("/staff/cases/{}", r.id)>{r.tracking_no}</a></td>
                            <td>{CaseKind::from_code(&r.kind).map_or("", CaseKind::name)}{(r.origin == "not_received").then_some("（未收到）")}</td>
                            <td>{r.item.unwrap_or_else(|| "不确定".into())}</td>
                            <td>{r.township.unwrap_or_default()}</td>
                            <td>{r.department}</td>
                            <td>{status_name(&r.status)}</td>
                            <td>{r.filed_on}</td>
                            <td>{r.deadline_on}{r.overdue.then(|| view! { <span class="flag">"逾期"</span> })}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <Pager page=inbox.page pages=inbox.pages base=pager_base(&f) />
    }
}

/// The inbox's address with the current filters, ready for `page=N`.
fn pager_base(f: &InboxFilter) -> String {
    let mut parts = Vec::new();
    for (k, v) in [("status", &f.status), ("kind", &f.kind), ("item", &f.item), ("township", &f.township)] {
        if let Some(v) = v {
            parts.push(format!("{k}={v}"));
        }
    }
    if let Some(d) = f.department {
        parts.push(format!("department={d}"));
    }
    if f.overdue {
        parts.push("overdue=1".into());
    }
    parts.push(String::new());
    format!("/staff?{}", parts.join("&"))
}
