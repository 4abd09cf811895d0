//! `/staff`: the department side. Sign in; the case inbox with filters (overdue first); a case
//! with its history and the actions the role allows; the holiday calendar (admins edit it); the
//! admin's users and departments.

use super::cases::CaseRecord;
use crate::api::staff::{
    get_admin, get_holidays, get_inbox, get_staff_case, Admin, AdminError, Holidays, Inbox, InboxFilter, StaffCase,
    StaffMe,
};
use crate::components::{Layout, Page, Pager};
use crate::domain::cases::{status_name, CaseActionError};
use crate::domain::CaseKind;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let message = move || {
        let q = query.read();
        q.get("e").map(|e| match e.as_str() {
            "wrong" => "用户名或密码不正确。连续输错5次，账号将锁定15分钟，锁定期间请稍后再试。".to_string(),
            "expired" => "登录已过期，请重新登录。".to_string(),
            "signed_out" => "您已退出登录。".to_string(),
            _ => "请重新登录。".to_string(),
        })
    };
    view! {
        <Layout>
            <Title text="部门工作台登录" />
            <h1>"部门工作台登录"</h1>
            {move || message().map(|m| view! { <p class="error-box" role="alert">{m}</p> })}
            <form method="post" action="/staff/login" class="check-form">
                <label for="username">"用户名"</label>
                <input id="username" name="username" autocomplete="username" required maxlength="64" />
                <label for="password">"密码"</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="128" />
                <button type="submit">"登录"</button>
            </form>
        </Layout>
    }
}

/// Who is signed in, the department side's sections, and sign-out.
#[component]
pub fn StaffBar(me: StaffMe) -> impl IntoView {
    view! {
        <div class="staff-bar">
            <span>{me.display_name.clone()}" · "{me.role_name.clone()}{me.department.clone().map(|d| format!(" · {d}"))}</span>
            <a href="/staff">"诉求办理"</a>
            {(me.role != "admin").then(|| view! { <a href="/staff/rosters">"发放清册"</a> })}
            {matches!(me.role.as_str(), "department" | "finance").then(|| view! {
                <a href="/staff/catalogue">"政策清单"</a>
                <a href="/staff/notices">"通知公告"</a>
            })}
            <a href="/staff/holidays">"节假日安排"</a>
            {(me.role == "admin").then(|| view! { <a href="/staff/admin">"用户、部门和银行"</a> })}
            <form method="post" action="/staff/logout">
                <input type="hidden" name="csrf" value=me.csrf.clone() />
                <button type="submit" class="secondary">"退出"</button>
            </form>
        </div>
    }
}

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
        <h1>{if sees_all { "全县诉求" } else { "本部门诉求" }}</h1>
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
            <Select name="township" label="乡镇" options=to_pairs(inbox.townships) current=f.township.clone().unwrap_or_default() />
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

#[component]
pub fn HolidaysPage() -> impl IntoView {
    let data = Resource::new_blocking(|| (), |_| get_holidays());
    view! {
        <Page title="节假日安排" data view=|h| view! { <HolidaysView h /> } />
    }
}

#[component]
fn HolidaysView(h: Holidays) -> impl IntoView {
    let query = use_query_map();
    let bad = move || query.read().get("e").map(|_| "请填写正确的日期（如 2027-01-01）并选择类型。");
    let csrf = h.me.csrf.clone();
    let can_edit = h.can_edit;
    view! {
        <StaffBar me=h.me.clone() />
        <h1>"节假日安排"</h1>
        <p>"答复期限按工作日计算：周六、周日和下列节假日不计；下列“调休上班”的周末计为工作日。"</p>
        {move || bad().map(|m| view! { <p class="error-box" role="alert">{m}</p> })}
        {can_edit.then(|| view! {
            <form method="post" action="/staff/holidays" class="filters">
                <input type="hidden" name="csrf" value=csrf.clone() />
                <input type="hidden" name="op" value="add" />
                <label>"日期"<input name="day" type="date" required /></label>
                <label>"类型"
                    <select name="kind">
                        <option value="holiday">"放假"</option>
                        <option value="workday">"调休上班"</option>
                    </select>
                </label>
                <label>"名称"<input name="name" maxlength="20" /></label>
                <button type="submit">"添加"</button>
            </form>
        })}
        <div class="table-scroll" tabindex="0">
            <table class="holidays">
                <thead><tr><th scope="col">"日期"</th><th scope="col">"类型"</th><th scope="col">"名称"</th>{can_edit.then(|| view! { <th scope="col">"操作"</th> })}</tr></thead>
                <tbody>
                    {h.days.into_iter().rev().map(|d| {
                        let csrf = csrf.clone();
                        view! {
                            <tr>
                                <td>{d.day.clone()}</td>
                                <td>{if d.kind == "holiday" { "放假" } else { "调休上班" }}</td>
                                <td>{d.name}</td>
                                {can_edit.then(|| view! {
                                    <td>
                                        <form method="post" action="/staff/holidays">
                                            <input type="hidden" name="csrf" value=csrf />
                                            <input type="hidden" name="op" value="delete" />
                                            <input type="hidden" name="day" value=d.day />
                                            <button type="submit" class="secondary">"删除"</button>
                                        </form>
                                    </td>
                                })}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
pub fn AdminPage() -> impl IntoView {
    let data = Resource::new_blocking(|| (), |_| get_admin());
    view! {
        <Page title="用户、部门和银行" data view=|a| view! { <AdminView a /> } />
    }
}

#[component]
fn AdminView(a: Admin) -> impl IntoView {
    let query = use_query_map();
    let message = move || {
        let q = query.read();
        q.get("e")
            .and_then(|e| AdminError::from_code(&e))
            .map(|e| (true, e.to_string()))
            .or_else(|| q.get("done").map(|_| (false, "已保存。".to_string())))
    };
    let csrf = a.me.csrf.clone();
    let departments = a.departments.clone();
    view! {
        <StaffBar me=a.me.clone() />
        <h1>"用户、部门和代发银行"</h1>
        {move || message().map(|(bad, m)| view! { <p class={if bad { "error-box" } else { "notice-box" }} role="alert">{m}</p> })}
        <h2>"用户"</h2>
        <div class="table-scroll" tabindex="0">
            <table class="users">
                <thead><tr><th scope="col">"用户名"</th><th scope="col">"姓名"</th><th scope="col">"角色"</th><th scope="col">"部门"</th><th scope="col">"状态"</th><th scope="col">"操作"</th></tr></thead>
                <tbody>
                    {a.users.into_iter().map(|u| {
                        let csrf = csrf.clone();
                        let id = u.id.to_string();
                        view! {
                            <tr>
                                <td>{u.username}</td>
                                <td>{u.display_name}</td>
                                <td>{u.role_name}</td>
                                <td>{u.department.unwrap_or_default()}</td>
                                <td>{if !u.active { "已停用" } else if u.locked { "已锁定" } else { "正常" }}</td>
                                <td class="row-actions">
                                    <form method="post" action="/staff/users">
                                        <input type="hidden" name="csrf" value=csrf.clone() />
                                        <input type="hidden" name="id" value=id.clone() />
                                        <input type="hidden" name="op" value="toggle" />
                                        <button type="submit" class="secondary">{if u.active { "停用" } else { "启用" }}</button>
                                    </form>
                                    {u.locked.then(|| view! {
                                        <form method="post" action="/staff/users">
                                            <input type="hidden" name="csrf" value=csrf.clone() />
                                            <input type="hidden" name="id" value=id.clone() />
                                            <input type="hidden" name="op" value="unlock" />
                                            <button type="submit" class="secondary">"解锁"</button>
                                        </form>
                                    })}
                                    <form method="post" action="/staff/users">
                                        <input type="hidden" name="csrf" value=csrf.clone() />
                                        <input type="hidden" name="id" value=id.clone() />
                                        <input type="hidden" name="op" value="reset" />
                                        <input name="password" type="password" autocomplete="new-password" minlength="10" required placeholder="新密码（至少10位）" aria-label="新密码" />
                                        <button type="submit" class="secondary">"重设密码"</button>
                                    </form>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <h3>"新增用户"</h3>
        <form method="post" action="/staff/users" class="filters">
            <input type="hidden" name="csrf" value=csrf.clone() />
            <input type="hidden" name="op" value="create" />
            <label>"用户名"<input name="username" required maxlength="32" pattern="[a-z0-9_.]{3,32}" /></label>
            <label>"姓名"<input name="display_name" required maxlength="40" /></label>
            <label>"角色"
                <select name="role">
                    <option value="department">"部门经办人员"</option>
                    <option value="finance">"财政局"</option>
                    <option value="supervisor">"监督（只读）"</option>
                    <option value="admin">"系统管理员"</option>
                </select>
            </label>
            <label>"部门"
                <select name="department">
                    <option value="">"无"</option>
                    {departments.iter().map(|d| view! { <option value=d.id.to_string()>{d.name.clone()}</option> }).collect_view()}
                </select>
            </label>
            <label>"初始密码"<input name="password" type="password" autocomplete="new-password" minlength="10" required /></label>
            <button type="submit">"新增"</button>
        </form>
        <h2>"部门"</h2>
        {a.departments.into_iter().map(|d| {
            let csrf = csrf.clone();
            view! {
                <form method="post" action="/staff/departments" class="filters">
                    <input type="hidden" name="csrf" value=csrf />
                    <input type="hidden" name="id" value=d.id.to_string() />
                    <label>{format!("名称（{}）", d.code)}<input name="name" required maxlength="40" value=d.name /></label>
                    <label>"电话"<input name="phone" required maxlength="40" value=d.phone /></label>
                    <label>"地址"<input name="address" maxlength="100" value=d.address /></label>
                    <button type="submit" class="secondary">"保存"</button>
                </form>
            }
        }).collect_view()}
        <h3>"新增部门"</h3>
        <NewDepartmentForm csrf=csrf.clone() />
        <h2>"代发银行"</h2>
        <p>"清册“开户行”一栏按银行名称或这里的简称识别（如 邮储银行、农商行、信用社）；写不出这些名字的行会被列为问题并提示可填写的名称。勾选“卡号带校验位”的银行，导入时核对银行卡号末位的校验位。"</p>
        {a.banks.into_iter().map(|b| {
            let csrf = csrf.clone();
            view! {
                <form method="post" action="/staff/banks" class="case-action">
                    <input type="hidden" name="csrf" value=csrf />
                    <input type="hidden" name="id" value=b.id.to_string() />
                    <label for=format!("aliases-{}", b.id)><strong>{b.name.clone()}</strong>"　简称（用顿号或逗号隔开）"</label>
                    <textarea id=format!("aliases-{}", b.id) name="aliases" rows="2" maxlength="300">{b.aliases}</textarea>
                    <label><input type="checkbox" name="luhn" value="1" checked=b.luhn />" 卡号带校验位（导入时核对末位）"</label>
                    <button type="submit" class="secondary">"保存"</button>
                </form>
            }
        }).collect_view()}
    }
}

#[component]
fn NewDepartmentForm(csrf: String) -> impl IntoView {
    view! {
        <form method="post" action="/staff/departments" class="filters">
            <input type="hidden" name="csrf" value=csrf />
            <label>"代码"<input name="code" required maxlength="32" pattern="[a-z0-9_]{2,32}" /></label>
            <label>"名称"<input name="name" required maxlength="40" /></label>
            <label>"电话"<input name="phone" required maxlength="40" /></label>
            <label>"地址"<input name="address" maxlength="100" /></label>
            <button type="submit">"新增"</button>
        </form>
    }
}
