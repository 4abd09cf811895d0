//! `/staff/rosters`: the department side's rosters. Upload a file and see every problem before
//! anything is written; then each roster through publicity, review, the bank and its feedback,
//! and the reissue of failed lines.

use crate::api::rosters::{
    get_roster, get_rosters, get_upload_preview, RosterDetail, RosterList, SmallCell, UploadPreview,
};
use crate::components::Page;
use crate::domain::payments::{failure_advice, line_status_name};
use crate::domain::rosters::{event_name, status_name};
use crate::routes::staff::StaffBar;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn RostersPage() -> impl IntoView {
    let data = Resource::new_blocking(|| (), |_| get_rosters());
    view! {
        <Page title="发放清册" data view=|l| view! { <RosterListView l /> } />
    }
}

#[component]
fn RosterListView(l: RosterList) -> impl IntoView {
    let can_import = matches!(l.me.role.as_str(), "department" | "finance");
    view! {
        <StaffBar me=l.me.clone() />
        <h1>"发放清册"</h1>
        {can_import.then(|| view! { <p><a class="button" href="/staff/rosters/new">"导入清册"</a></p> })}
        {l.rosters.is_empty().then(|| view! { <p class="empty">"还没有清册。"</p> })}
        <div class="table-scroll" tabindex="0">
            <table class="rosters">
                <thead><tr>
                    <th scope="col">"清册"</th><th scope="col">"补贴项目"</th><th scope="col">"期次"</th><th scope="col">"乡镇"</th>
                    <th scope="col">"部门"</th><th scope="col">"人数"</th><th scope="col">"金额（元）"</th><th scope="col">"状态"</th>
                </tr></thead>
                <tbody>
                    {l.rosters.into_iter().map(|r| view! {
                        <tr>
                            <td><a href=format!("/staff/rosters/{}", r.id)>{format!("{}（第{}批）", r.id, r.batch)}</a></td>
                            <td>{r.item}</td>
                            <td>{r.period}</td>
                            <td>{r.township}</td>
                            <td>{r.department}</td>
                            <td class="num">{r.lines}</td>
                            <td class="num">{r.total.grouped()}</td>
                            <td>{status_name(&r.status)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
pub fn NewRosterPage() -> impl IntoView {
    let data = Resource::new_blocking(|| (), |_| get_rosters());
    view! {
        <Page title="导入清册" data view=|l| view! { <NewRosterForm l /> } />
    }
}

#[component]
fn NewRosterForm(l: RosterList) -> impl IntoView {
    view! {
        <StaffBar me=l.me.clone() />
        <p class="breadcrumb"><a href="/staff/rosters">"发放清册"</a></p>
        <h1>"导入清册"</h1>
        <p>"支持 Excel（.xlsx）和 CSV（UTF-8 或 GBK）文件，表头按“基础信息表”：姓名、身份证号、民族、手机号、镇街、村(社区)、开户行、银行卡号、补贴额、预计发放时间。上传后先检查，列出所有问题；确认无误才写入。"</p>
        <form method="post" action="/staff/rosters/upload" enctype="multipart/form-data" class="case-form">
            <input type="hidden" name="csrf" value=l.me.csrf.clone() />
            <label for="item">"补贴项目"</label>
            <select id="item" name="item" required>
                {l.items.into_iter().map(|(code, name)| view! { <option value=code.clone()>{format!("{code} {name}")}</option> }).collect_view()}
            </select>
            <label for="period">"期次（按月 2026-12、按季 2026-Q4、半年 2026-H2、按年 2026）"</label>
            <input id="period" name="period" required maxlength="10" placeholder="2026-12" />
            <label for="file">"清册文件"</label>
            <input id="file" name="file" type="file" accept=".xlsx,.csv" required />
            <button type="submit">"上传并检查"</button>
        </form>
    }
}

#[component]
pub fn UploadPage() -> impl IntoView {
    let params = use_params_map();
    let data = Resource::new_blocking(move || params.read().get("token").unwrap_or_default(), get_upload_preview);
    view! {
        <Page title="检查结果" data view=|p| view! { <Preview p /> } />
    }
}

#[component]
fn Preview(p: UploadPreview) -> impl IntoView {
    let clean = p.error.is_none() && p.problems.is_empty() && p.good > 0;
    let partial = p.error.is_none() && !p.problems.is_empty() && p.good > 0;
    view! {
        <StaffBar me=p.me.clone() />
        <p class="breadcrumb"><a href="/staff/rosters">"发放清册"</a></p>
        <h1>{format!("检查结果：{}", p.file_name)}</h1>
        {p.error.clone().map(|e| view! { <p class="error-box" role="alert">{e}</p> })}
        {p.error.is_none().then(|| view! {
            <p>{format!("{} {}：共 {} 行，可导入 {} 行，合计 {} 元；问题 {} 处。", p.item, p.period, p.rows, p.good, p.total.grouped(), p.problems.len())}</p>
        })}
        {(!p.problems.is_empty()).then(|| view! {
            <h2>"问题（改正后重新上传，或排除这些行）"</h2>
            <div class="table-scroll" tabindex="0">
                <table class="problems cards">
                    <thead><tr><th scope="col">"行"</th><th scope="col">"列"</th><th scope="col">"问题"</th></tr></thead>
                    <tbody>
                        {p.problems.iter().map(|x| view! {
                            <tr><td data-label="行" class="num">{x.row}</td><td data-label="列">{x.column.clone()}</td><td data-label="问题">{x.message.clone()}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        })}
        {(!p.screening.is_empty()).then(|| view! {
            <h2>"大数据比对提示（供审核参考，不影响导入）"</h2>
            <ul>{p.screening.iter().map(|s| view! { <li>{format!("第{}行：{}", s.row, s.message)}</li> }).collect_view()}</ul>
        })}
        {(clean || partial).then(|| view! {
            <form method="post" action="/staff/rosters/import" class="case-form">
                <input type="hidden" name="csrf" value=p.me.csrf.clone() />
                <input type="hidden" name="token" value=p.token.clone() />
                {partial.then(|| view! { <input type="hidden" name="exclude_bad" value="1" /> })}
                <button type="submit">{if clean { "确认导入".to_string() } else { format!("排除有问题的行，导入其余 {} 行", p.good) }}</button>
            </form>
        })}
        <p><a href="/staff/rosters/new">"重新上传"</a></p>
    }
}

#[component]
pub fn RosterPage() -> impl IntoView {
    let params = use_params_map();
    let data = Resource::new_blocking(
        move || params.read().get("id").and_then(|i| i.parse::<i64>().ok()).unwrap_or(0),
        get_roster,
    );
    view! {
        <Page title="清册" data view=|d| view! { <RosterView d /> } />
    }
}

#[component]
fn StepButton(id: i64, csrf: String, step: &'static str, label: &'static str) -> impl IntoView {
    view! {
        <form method="post" action=format!("/staff/rosters/{id}/step")>
            <input type="hidden" name="csrf" value=csrf />
            <input type="hidden" name="step" value=step />
            <button type="submit">{label}</button>
        </form>
    }
}

#[component]
fn RosterView(d: RosterDetail) -> impl IntoView {
    let query = use_query_map();
    let done = move || {
        let q = query.read();
        q.get("done").map(|step| match step.as_str() {
            "feedback" => format!(
                "银行反馈已导入：到账 {} 人，失败 {} 人；已自动发放后公示{}。",
                q.get("paid").unwrap_or_default(),
                q.get("failed").unwrap_or_default(),
                if q.get("late").as_deref() == Some("1") { "（晚于到账5日，已标记）" } else { "" }
            ),
            "imported" => "已导入为草稿。".to_string(),
            "correct" => "银行卡号已更正。".to_string(),
            "correction" => {
                "已更正：公示页面已改为更正后的内容，更正和理由已记入公示日志；登记了手机号的，已短信告知本人。"
                    .to_string()
            }
            "clawback" => "已追回：这一行在公示中显示为“已追回”，追回和理由已记入公示日志。".to_string(),
            "withdraw" => "已撤回公示：名单已从公示页面撤下，撤回和理由已记入公示日志。改正后可重新公示。".to_string(),
            _ => "已办理。".to_string(),
        })
    };
    let (id, csrf, a) = (d.roster.id, d.me.csrf.clone(), d.actions.clone());
    let correctable: Vec<(i64, String)> =
        d.lines.iter().map(|l| (l.id, format!("{} {} {}", l.name, l.bank, l.account_masked))).collect();
    let banks = d.banks.clone();
    let recoverable: Vec<(i64, String)> = d
        .lines
        .iter()
        .filter(|l| l.status == "paid" && l.clawed_back_on.is_none())
        .map(|l| (l.id, format!("{} {} {} 元", l.name, l.village, l.amount.grouped())))
        .collect();
    let pending: Vec<(i64, String)> = d
        .lines
        .iter()
        .filter(|l| l.status == "pending")
        .map(|l| (l.id, format!("{} {} {} 元", l.name, l.village, l.amount.grouped())))
        .collect();
    view! {
        <StaffBar me=d.me.clone() />
        <p class="breadcrumb"><a href="/staff/rosters">"发放清册"</a></p>
        <h1>{format!("清册 {}：{} {}（{}，第{}批）", id, d.roster.item, d.roster.period, d.roster.township, d.roster.batch)}</h1>
        {move || done().map(|m| view! { <p class="notice-box" role="status">{m}</p> })}
        <dl class="case-facts">
            <dt>"状态"</dt><dd>{status_name(&d.roster.status)}</dd>
            <dt>"部门"</dt><dd>{d.roster.department.clone()}</dd>
            <dt>"人数"</dt><dd>{d.roster.lines}</dd>
            <dt>"金额"</dt><dd>{format!("{} 元", d.roster.total.grouped())}</dd>
            <dt>"公示期"</dt><dd>{match (&d.publicity_start, &d.publicity_end) { (Some(s), Some(e)) => format!("{s} 至 {e}"), _ => "未公示".into() }}</dd>
            <dt>"到账"</dt><dd>{d.paid_on.clone().unwrap_or_else(|| "—".into())}</dd>
            <dt>"发放后公示"</dt><dd>{d.payout_publicised_on.clone().unwrap_or_else(|| "—".into())}</dd>
            {d.reissue_of.map(|o| view! { <dt>"补发"</dt><dd><a href=format!("/staff/rosters/{o}")>{format!("补发清册 {o} 中失败的行")}</a></dd> })}
        </dl>
        <section class="actions actions-panel">
            {a.publicise.then(|| if d.small_cells.is_empty() {
                view! { <StepButton id csrf=csrf.clone() step="publicise" label="开始公示（7天）" /> }.into_any()
            } else {
                view! { <SmallCellsForm id csrf=csrf.clone() cells=d.small_cells.clone() rule=d.small_cell_rule.clone() /> }.into_any()
            })}
            {a.approve.then(|| view! { <StepButton id csrf=csrf.clone() step="approve" label="部门审核通过" /> })}
            {a.withdraw.then(|| view! {
                <ReasonStep id csrf=csrf.clone() step="withdraw" button="撤回公示"
                    label="撤回理由（名单有误时撤回公示；撤回和理由都会公开记入公示日志，改正后可重新公示）" />
            })}
            {(a.correct_publicity && !pending.is_empty()).then(|| view! { <CorrectionForm id csrf=csrf.clone() lines=pending /> })}
            {a.finance_review.then(|| view! {
                <StepButton id csrf=csrf.clone() step="finance_review" label="财政程序性复核通过" />
                <ReasonStep id csrf=csrf.clone() step="return" label="退回理由" button="退回部门" />
            })}
            {a.send_to_bank.then(|| view! { <StepButton id csrf=csrf.clone() step="send_to_bank" label="发送银行" /> })}
            {a.bank_file.then(|| view! { <a class="button secondary" href=format!("/staff/rosters/{id}/bank.csv")>"下载银行代发文件"</a> })}
            {a.feedback.then(|| view! {
                <form method="post" action=format!("/staff/rosters/{id}/feedback") enctype="multipart/form-data" class="case-action">
                    <input type="hidden" name="csrf" value=csrf.clone() />
                    <label for="feedback-file">"银行反馈文件（身份证号、结果、失败原因、到账日期）"</label>
                    <input id="feedback-file" name="file" type="file" accept=".xlsx,.csv" required />
                    <button type="submit">"导入银行反馈"</button>
                </form>
            })}
            {a.reissue.then(|| view! { <StepButton id csrf=csrf.clone() step="reissue" label="为失败的行生成补发清册" /> })}
            {(a.claw_back && !recoverable.is_empty()).then(|| view! {
                <form method="post" action=format!("/staff/rosters/{id}/clawback") class="case-action">
                    <input type="hidden" name="csrf" value=csrf.clone() />
                    <label for="clawback-line">"追回已发放的资金（不符合条件、重复发放、已身故等）"</label>
                    <select id="clawback-line" name="payment" required>
                        <option value="">"请选择要追回的一行"</option>
                        {recoverable.into_iter().map(|(pid, label)| view! { <option value=pid.to_string()>{label}</option> }).collect_view()}
                    </select>
                    <label for="clawback-note">"追回理由（公开记入公示日志，不要写身份证号、手机号、银行卡号）"</label>
                    <textarea id="clawback-note" name="note" rows="2" required maxlength="500"></textarea>
                    <button type="submit" class="secondary">"追回"</button>
                </form>
            })}
            {a.correct.then(|| view! {
                <form method="post" action=format!("/staff/rosters/{id}/correct") class="case-action">
                    <input type="hidden" name="csrf" value=csrf.clone() />
                    <label for="correct-line">"更正银行卡号（如补办新卡后重新发放）"</label>
                    <select id="correct-line" name="payment" required>
                        {correctable.into_iter().map(|(pid, label)| view! { <option value=pid.to_string()>{label}</option> }).collect_view()}
                    </select>
                    <label for="correct-bank">"开户行"</label>
                    <select id="correct-bank" name="bank">
                        {banks.into_iter().map(|b| view! { <option value=b.value>{b.label}</option> }).collect_view()}
                    </select>
                    <label for="correct-account">"新银行卡号"</label>
                    <input id="correct-account" name="account" inputmode="numeric" required maxlength="30" autocomplete="off" />
                    <button type="submit" class="secondary">"更正"</button>
                </form>
            })}
        </section>
        {(!a.publicise && !d.small_cells.is_empty()).then(|| view! {
            <h2>"按乡镇汇总公示"</h2>
            <p>{d.small_cell_rule.clone()}</p>
            <p>"以下村（社区）的明细未在村级公示页、搜索和开放数据中列出，只计入乡镇汇总："</p>
            <ul class="changes">
                {d.small_cells.iter().map(|c| view! { <li>{format!("{}：{} 人", c.village, c.lines)}</li> }).collect_view()}
            </ul>
        })}
        {(!d.changes.is_empty()).then(|| {
            let pending = d.changes.iter().any(|c| !c.applied);
            view! {
                <h2>"登记信息变更"</h2>
                <p>{if pending { "以下变更由本清册带来，财政程序性复核通过后才更新登记信息（手机号变更同时短信告知原手机号）；本清册按所列的新卡号发放。" } else { "以下变更已在财政程序性复核通过时更新。" }}</p>
                <ul class="changes">
                    {d.changes.iter().map(|c| view! { <li>{c.hint()}{if c.applied { "（已更新）" } else { "（待复核）" }}</li> }).collect_view()}
                </ul>
            }
        })}
        <h2>"发放明细"</h2>
        <div class="table-scroll" tabindex="0">
            <table class="lines">
                <thead><tr>
                    <th scope="col">"姓名"</th><th scope="col">"身份证号"</th><th scope="col">"村(社区)"</th><th scope="col">"金额（元）"</th>
                    <th scope="col">"银行"</th><th scope="col">"状态"</th>
                </tr></thead>
                <tbody>
                    {d.lines.into_iter().map(|l| {
                        let reason = l.failure_reason.as_deref().map(|r| failure_advice(r, "", "", "").0);
                        view! {
                            <tr>
                                <td data-label="姓名">{l.name}</td>
                                <td class="mono" data-label="身份证号">{l.id_masked}</td>
                                <td data-label="村(社区)">{l.village}</td>
                                <td data-label="金额（元）" class="num">{l.amount.grouped()}</td>
                                <td data-label="银行">{format!("{} {}", l.bank, l.account_masked)}</td>
                                <td data-label="状态">
                                    {line_status_name(&l.status)}
                                    {l.paid_on.map(|p| format!("（{p}）"))}
                                    {reason.map(|r| format!("：{r}"))}
                                    {l.reissued.then_some("，已补发")}
                                    {l.clawed_back_on.clone().map(|on| format!("，{on} 已追回：{}", l.clawback_reason.clone().unwrap_or_default()))}
                                    {l.corrected_on.clone().map(|on| format!("，{on} 更正：{}", l.correction_note.clone().unwrap_or_default()))}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <h2>"办理过程"</h2>
        <ol class="case-history">
            {d.steps.into_iter().map(|s| view! {
                <li><span class="meta">{s.at}</span>" "<strong>{event_name(&s.step)}</strong>{step_by(&s.who, &s.note)}</li>
            }).collect_view()}
        </ol>
    }
}

/// A step that needs a reason (退回, 撤回): the reason's box (`#{step}-note`) and the button.
#[component]
fn ReasonStep(id: i64, csrf: String, step: &'static str, label: &'static str, button: &'static str) -> impl IntoView {
    let field = format!("{step}-note");
    view! {
        <form method="post" action=format!("/staff/rosters/{id}/step") class="case-action">
            <input type="hidden" name="csrf" value=csrf />
            <input type="hidden" name="step" value=step />
            <label for=field.clone()>{label}</label>
            <textarea id=field name="note" rows="2" required maxlength="500"></textarea>
            <button type="submit" class="secondary">{button}</button>
        </form>
    }
}

/// Correcting a published line before it is paid (更正): which line, what changes (none
/// preselected), the new amount or the ID number of who receives it, and the public reason.
#[component]
fn CorrectionForm(id: i64, csrf: String, lines: Vec<(i64, String)>) -> impl IntoView {
    view! {
        <form method="post" action=format!("/staff/rosters/{id}/correction") class="case-action correction">
            <input type="hidden" name="csrf" value=csrf />
            <label for="correction-line">"更正公示中的一行（有异议经核实的，在这里更正，不必撤回整个清册）"</label>
            <select id="correction-line" name="payment" required>
                <option value="">"请选择要更正的一行"</option>
                {lines.into_iter().map(|(pid, label)| view! { <option value=pid.to_string()>{label}</option> }).collect_view()}
            </select>
            <fieldset>
                <legend>"更正什么？"</legend>
                <label class="choice">
                    <input type="radio" name="change" value="amount" required />
                    "金额有误：改为下面填写的新金额"
                </label>
                <label class="choice">
                    <input type="radio" name="change" value="recipient" required />
                    "改由他人代领：填写代领人的身份证号（填本人的身份证号即改回本人领取）"
                </label>
                <label class="choice">
                    <input type="radio" name="change" value="remove" required />
                    "核减：此人本期不予发放，从名单中去掉"
                </label>
            </fieldset>
            <label for="correction-amount">"新金额（元，更正金额时填写）"</label>
            <input id="correction-amount" name="amount" inputmode="decimal" maxlength="20" autocomplete="off" />
            <label for="correction-recipient">"代领人身份证号（改由他人代领时填写；此人须已在本县登记社保卡）"</label>
            <input id="correction-recipient" name="recipient" maxlength="30" autocomplete="off" />
            <label for="correction-note">"更正理由（公开记入公示日志，并短信告知本人；不要写身份证号、手机号、银行卡号）"</label>
            <textarea id="correction-note" name="note" rows="2" required maxlength="500"></textarea>
            <button type="submit" class="secondary">"更正"</button>
        </form>
    }
}

/// Publicising a roster with small cells: the villages, the rule, and the department's choice
/// (none preselected: it decides what the public sees of a few people).
#[component]
fn SmallCellsForm(id: i64, csrf: String, cells: Vec<SmallCell>, rule: String) -> impl IntoView {
    let people: i64 = cells.iter().map(|c| c.lines).sum();
    view! {
        <form method="post" action=format!("/staff/rosters/{id}/step") class="case-action small-cells">
            <input type="hidden" name="csrf" value=csrf />
            <input type="hidden" name="step" value="publicise" />
            <p class="notice-box" role="note">
                {format!("本清册属于敏感类别。以下 {} 个村（社区）共 {people} 人，人数很少，逐人公示可能让人认出是谁：", cells.len())}
            </p>
            <ul class="changes">
                {cells.iter().map(|c| view! { <li>{format!("{}：{} 人", c.village, c.lines)}</li> }).collect_view()}
            </ul>
            <p class="muted">{rule}</p>
            <fieldset>
                <legend>"这些村（社区）怎样公示？"</legend>
                <label class="choice">
                    <input type="radio" name="small_cells" value="township" required />
                    "按乡镇汇总公示：只公示人数和金额，不公示姓名和身份证号"
                </label>
                <label class="choice">
                    <input type="radio" name="small_cells" value="line" required />
                    "仍逐人公示（已核实不会暴露个人隐私）"
                </label>
            </fieldset>
            <button type="submit">"开始公示（7天）"</button>
        </form>
    }
}

/// "（who）：note" after a step's name, as one text.
fn step_by(who: &str, note: &str) -> String {
    if note.is_empty() {
        format!("（{who}）")
    } else {
        format!("（{who}）：{note}")
    }
}
