//! `/staff/cases/:id`: one case, its history and the actions the staff member's role allows.

use super::StaffBar;
use crate::api::staff::{get_staff_case, StaffCase};
use crate::components::Page;
use crate::domain::cases::CaseActionError;
use crate::routes::cases::CaseRecord;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn StaffCasePage() -> impl IntoView {
    let params = use_params_map();
    let data = Resource::new_blocking(
        move || params.read().get("id").and_then(|i| i.parse::<i64>().ok()).unwrap_or(0),
        get_staff_case,
    );
    view! {
        <Page title="诉求详情" data view=|c| view! { <StaffCaseView c /> } />
    }
}

#[component]
fn ActionForm(
    id: i64,
    csrf: String,
    action: &'static str,
    label: &'static str,
    note: Option<&'static str>,
    /// Whether what is typed here appears on the case's public record.
    #[prop(optional)]
    public: bool,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <form method="post" action=format!("/staff/cases/{id}") class="case-action">
            <input type="hidden" name="csrf" value=csrf />
            <input type="hidden" name="action" value=action />
            {children.map(|c| c())}
            {note.map(|n| view! {
                <label for=format!("note-{action}")>{n}</label>
                {public.then(|| view! {
                    <p class="public-warning" id=format!("public-{action}")>
                        "以下内容将公开：会显示在本诉求的公开记录上，请勿写入姓名、身份证号、手机号、银行卡号、住址等个人信息。"
                    </p>
                })}
                <textarea id=format!("note-{action}") name="note" rows="3" required maxlength="2000"
                    aria-describedby=public.then(|| format!("public-{action}"))></textarea>
            })}
            <button type="submit">{label}</button>
        </form>
    }
}

#[component]
fn StaffCaseView(c: StaffCase) -> impl IntoView {
    let query = use_query_map();
    let message = move || {
        let q = query.read();
        q.get("e")
            .and_then(|e| CaseActionError::from_code(&e))
            .map(|e| (true, e.to_string()))
            .or_else(|| q.get("done").map(|_| (false, "已办理。".to_string())))
    };
    let (id, csrf, status) = (c.id, c.me.csrf.clone(), c.case.status.clone());
    let owing = matches!(status.as_str(), "open" | "accepted" | "info_requested");
    let departments = c.departments.clone();
    let extended = c.case.extended;
    // Notes of a case filed as public appear on its public record.
    let shown = !c.anonymous;
    view! {
        <StaffBar me=c.me.clone() />
        <p class="breadcrumb"><a href="/staff">"诉求办理"</a></p>
        <h1>{format!("诉求 {}", c.case.tracking_no)}</h1>
        {move || message().map(|(bad, m)| view! { <p class={if bad { "error-box" } else { "notice-box" }} role="alert">{m}</p> })}
        <section class="my-words">
            <h2>"反映的情况"</h2>
            <p class="pre">{c.description}</p>
            <p class="muted">
                {format!("提交人：{}　手机：{}", c.filer_name, c.filer_phone_last4)}
                {c.anonymous.then_some("　（不在网站公开）")}
                {(c.origin == "not_received").then_some("　来自“查询我的补贴”：银行反馈已到账，本人反映未收到")}
            </p>
            {c.payment.map(|p| view! { <p>{format!("涉及发放明细：{p}")}</p> })}
        </section>
        <CaseRecord case=c.case />
        {(c.can_act && owing).then(|| view! {
            <section class="actions-panel">
                <h2>"办理"</h2>
                {(status == "open").then(|| view! { <ActionForm id csrf=csrf.clone() action="accept" label="受理" note=None /> })}
                <ActionForm id csrf=csrf.clone() action="reply" label="答复（发短信通知）" note=Some("答复内容") public=shown />
                {(status != "info_requested").then(|| view! {
                    <ActionForm id csrf=csrf.clone() action="request_info" label="要求补充材料" note=Some("需要补充什么") public=shown />
                })}
                <ActionForm id csrf=csrf.clone() action="transfer" label="转办" note=Some("转办理由") public=shown>
                    <label for="to_department">"转给"</label>
                    <select id="to_department" name="to_department" required>
                        <option value="">"请选择部门"</option>
                        {departments.into_iter().map(|d| view! { <option value=d.value>{d.label}</option> }).collect_view()}
                    </select>
                </ActionForm>
                {(!extended).then(|| view! {
                    <ActionForm id csrf=csrf.clone() action="extend" label="延期（仅一次）" note=Some("延期理由") public=shown />
                })}
            </section>
        })}
        {(c.can_act && status == "answered").then(|| view! {
            <ActionForm id csrf=csrf.clone() action="close" label="办结" note=None />
        })}
    }
}
