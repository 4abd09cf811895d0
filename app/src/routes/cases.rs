//! `/cases`: file an inquiry, complaint or disclosure request; track it with its number and an SMS
//! code; each department's figures; answered cases; a case's public record at `/case/{no}`.
//! Every form posts to the server and redirects, so it all works without JavaScript.

use crate::api::cases::{
    get_answered_cases, get_case_form, get_case_stats, get_deadlines, get_public_case, get_tracked_case, AnsweredCases,
    CaseFormChoices, CaseFormFields, CaseStats, PublicCase, TrackedCase,
};
use crate::components::chart::Bar;
use crate::components::{BarChart, Layout, Loaded, Page, Pager};
use crate::domain::cases::{
    event_name, status_name, CaseActionError, CaseFormError, DESCRIPTION_MAX, DESCRIPTION_MIN, REOPEN_WITHIN_DAYS,
};
use crate::domain::{CaseKind, Deadlines};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

fn kind_name(code: &str) -> &'static str {
    CaseKind::from_code(code).map_or("诉求", CaseKind::name)
}

/// The message for an `e=` code carried back by a redirect.
fn message(e: &str) -> Option<String> {
    match e {
        "expired" => Some("验证码已失效（超过5分钟、已使用或错误次数过多），请重新获取。".into()),
        "signed_out" => Some("您已退出查看。".into()),
        "no" => Some("请填写正确的受理编号，例如 20261122-0007-483920（短信里有完整编号）。".into()),
        "phone" => Some("请填写正确的11位手机号。".into()),
        _ => CaseFormError::from_code(e)
            .map(|x| x.to_string())
            .or_else(|| CaseActionError::from_code(e).map(|x| x.to_string())),
    }
}

#[component]
fn Alert() -> impl IntoView {
    let query = use_query_map();
    move || query.read().get("e").and_then(|e| message(&e)).map(|m| view! { <p class="error-box" role="alert">{m}</p> })
}

#[component]
pub fn CasesPage() -> impl IntoView {
    let deadlines = Resource::new_blocking(|| (), |_| get_deadlines());
    view! {
        <Layout>
            <Title text="咨询投诉" />
            <h1>"咨询、投诉和信息公开申请"</h1>
            <p>"对惠民惠农补贴有疑问、没有按时到账，或想申请公开相关信息，都可以在这里提出。诉求会转给负责该补贴的主管部门，在规定期限内答复，办理进度和各部门按期答复情况向社会公开。"</p>
            <p class="actions">
                <a class="button" href="/cases/new">"我要提出诉求"</a>
                <a class="button secondary" href="/cases/track">"查询办理进度"</a>
            </p>
            <h2>"答复期限（工作日，节假日不计）"</h2>
            <Loaded data=deadlines view=|d: Deadlines| view! {
                <ul class="deadlines">
                    <li>{format!("咨询：{}个工作日", d.inquiry)}</li>
                    <li>{format!("投诉：{}个工作日", d.complaint)}</li>
                    <li>{format!("信息公开申请：{}个工作日（需要延长的，经批准可延长一次并告知理由）", d.disclosure)}</li>
                </ul>
                <p class="muted">"期限从提交之日起算；部门要求补充材料期间暂停计算。"</p>
            } />
            <p><a href="/cases/stats">"各部门办理情况"</a>" · "<a href="/cases/answered">"已答复的问题"</a></p>
        </Layout>
    }
}

#[component]
pub fn NewCasePage() -> impl IntoView {
    let query = use_query_map();
    let county = crate::components::url_county();
    let data = Resource::new_blocking(
        move || (query.read().get("payment").and_then(|p| p.parse::<i64>().ok()), county()),
        |(payment, county)| get_case_form(payment, county),
    );
    view! {
        <Page title="提出诉求" data view=|c| view! { <CaseForm c /> }>
            <h1>"提出咨询、投诉或信息公开申请"</h1>
            <Alert />
        </Page>
    }
}

#[component]
fn CaseForm(c: CaseFormChoices) -> impl IntoView {
    let prefill = c.prefill.clone();
    let typed = c.typed.clone().unwrap_or_else(|| CaseFormFields {
        kind: if prefill.is_some() { "complaint".into() } else { String::new() },
        item: prefill.as_ref().map(|p| p.item_code.clone()).unwrap_or_default(),
        place: prefill.as_ref().map(|p| format!("{}/{}", p.township_code, p.village_code)).unwrap_or_default(),
        description: prefill.as_ref().map(|p| p.description.clone()).unwrap_or_default(),
        payment: prefill.as_ref().map(|p| p.payment_id),
        ..Default::default()
    });
    let signed_in_phone = prefill.as_ref().map(|p| p.phone_last4.clone()).filter(|p| !p.is_empty());
    let payment = typed.payment.or(prefill.as_ref().map(|p| p.payment_id));
    view! {
        <form method="post" action="/cases/start" class="case-form">
            <crate::components::CountyField />
            <fieldset>
                <legend>"类型"</legend>
                {CaseKind::ALL.into_iter().map(|k| view! {
                    <label class="choice">
                        <input type="radio" name="kind" value=k.code() required checked=typed.kind == k.code() />
                        {k.name()}
                    </label>
                }).collect_view()}
            </fieldset>
            <label for="item">"涉及的补贴项目"</label>
            <select id="item" name="item">
                <option value="unsure">"不确定（由县财政局分送主管部门）"</option>
                {c.items.into_iter().map(|i| {
                    let selected = typed.item == i.code;
                    view! { <option value=i.code selected=selected>{format!("{}（{}）", i.name, i.department)}</option> }
                }).collect_view()}
            </select>
            <label for="place">"所在乡镇（街道）和村（社区）"</label>
            <select id="place" name="place" required>
                <option value="">"请选择"</option>
                {c.townships.into_iter().map(|t| {
                    let whole = t.code.clone();
                    view! {
                        <optgroup label=t.name.clone()>
                            <option value=whole.clone() selected=typed.place == whole>{format!("{}（不确定村）", t.name)}</option>
                            {t.villages.into_iter().map(|(code, name)| {
                                let value = format!("{}/{code}", t.code);
                                view! { <option value=value.clone() selected=typed.place == value>{format!("{} {name}", t.name)}</option> }
                            }).collect_view()}
                        </optgroup>
                    }
                }).collect_view()}
            </select>
            <label for="description">{format!("情况说明（{DESCRIPTION_MIN}至{DESCRIPTION_MAX}字）")}</label>
            <textarea id="description" name="description" rows="6" required minlength=DESCRIPTION_MIN.to_string() maxlength=DESCRIPTION_MAX.to_string()>
                {typed.description.clone()}
            </textarea>
            <p class="muted">"请写清楚什么补贴、哪一期、发生了什么。不要填写身份证号、银行卡号。"</p>
            <label for="name">"姓名"</label>
            <input id="name" name="name" maxlength="20" required autocomplete="name" value=typed.name.clone() />
            {match signed_in_phone {
                Some(last4) => view! {
                    <p class="notice-box">{format!("将使用您已验证的手机（尾号{last4}）接收受理编号和答复，无需再次获取验证码。")}</p>
                }.into_any(),
                None => view! {
                    <label for="phone">"手机号（接收验证码、受理编号和答复）"</label>
                    <input id="phone" name="phone" type="tel" inputmode="numeric" autocomplete="tel" maxlength="16" required value=typed.phone.clone() />
                }.into_any(),
            }}
            <label class="choice">
                <input type="checkbox" name="anonymous" value="1" checked=typed.anonymous />
                "不在网站公开此件（答复仍会告知您本人；统计数据仍会计入）"
            </label>
            {payment.map(|p| view! { <input type="hidden" name="payment" value=p.to_string() /> })}
            <button type="submit">{if prefill.is_some() { "提交" } else { "获取验证码" }}</button>
        </form>
        <p class="muted">"您的姓名和手机号只给办理部门看，网站上只公开办理过程和答复，不公开个人信息。"</p>
    }
}

#[component]
fn CodeForm(action: &'static str, again: &'static str) -> impl IntoView {
    let query = use_query_map();
    let wrong = move || query.read().get("left").and_then(|l| l.parse::<i64>().ok());
    view! {
        <p class="notice-box">"如信息无误，验证码已发送至该手机，5分钟内有效。"</p>
        {move || wrong().map(|left| view! { <p class="error-box" role="alert">{format!("验证码不正确，还可以再试{left}次。")}</p> })}
        <form method="post" action=action class="check-form">
            <label for="code">"6位验证码"</label>
            <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="6" pattern="[0-9]{6}" required />
            <button type="submit">"确认"</button>
        </form>
        <p><a href=again>"没收到？返回重新获取"</a></p>
    }
}

#[component]
pub fn CaseCodePage() -> impl IntoView {
    view! {
        <Layout>
            <Title text="输入验证码" />
            <h1>"输入验证码，提交诉求"</h1>
            <CodeForm action="/cases/verify" again="/cases/new" />
        </Layout>
    }
}

#[component]
pub fn FiledPage() -> impl IntoView {
    let query = use_query_map();
    let no = move || query.read().get("no").unwrap_or_default();
    view! {
        <Layout>
            <Title text="已提交" />
            <h1>"已提交"</h1>
            <p class="notice-box" role="status">"您的诉求已提交，受理编号："<strong class="tracking-no">{no}</strong></p>
            <p>"受理编号也已通过短信发给您。请记下编号，用它和手机验证码随时查询办理进度和答复。"</p>
            <p><a class="button" href="/cases/track">"查询办理进度"</a></p>
        </Layout>
    }
}

#[component]
pub fn TrackPage() -> impl IntoView {
    view! {
        <Layout>
            <Title text="查询办理进度" />
            <h1>"查询办理进度"</h1>
            <Alert />
            <form method="post" action="/cases/track/start" class="check-form">
                <label for="no">"受理编号"</label>
                <input id="no" name="no" required placeholder="例如 20261122-0007-483920" autocomplete="off" inputmode="numeric" maxlength="30" />
                <label for="phone">"提交时填写的手机号"</label>
                <input id="phone" name="phone" type="tel" inputmode="numeric" autocomplete="tel" maxlength="16" required />
                <button type="submit">"获取验证码"</button>
            </form>
        </Layout>
    }
}

#[component]
pub fn TrackCodePage() -> impl IntoView {
    view! {
        <Layout>
            <Title text="输入验证码" />
            <h1>"输入验证码，查看办理进度"</h1>
            <CodeForm action="/cases/track/verify" again="/cases/track" />
        </Layout>
    }
}

/// A case's record: what, where, who answers by when, the answer, and every step.
#[component]
pub fn CaseRecord(case: PublicCase) -> impl IntoView {
    let place = [case.township.clone(), case.village.clone()].into_iter().flatten().collect::<Vec<_>>().join(" ");
    view! {
        <dl class="case-facts">
            <dt>"受理编号"</dt><dd class="tracking-no">{case.tracking_no.clone()}</dd>
            <dt>"类型"</dt><dd>{kind_name(&case.kind)}</dd>
            <dt>"补贴项目"</dt><dd>{case.item.clone().unwrap_or_else(|| "不确定".into())}</dd>
            <dt>"地点"</dt><dd>{place}</dd>
            <dt>"办理部门"</dt><dd>{case.department.clone()}" "<a class="tel" href=format!("tel:{}", case.department_phone)>{case.department_phone.clone()}</a></dd>
            <dt>"提交日期"</dt><dd>{case.filed_on.clone()}</dd>
            <dt>"答复期限"</dt>
            <dd>
                {case.deadline_on.clone()}
                {case.extended.then(|| view! { <span class="badge">"已延期"</span> })}
                {case.overdue.then(|| view! { <span class="flag">"已逾期"</span> })}
            </dd>
            <dt>"状态"</dt><dd><span class=format!("badge case-{}", case.status)>{status_name(&case.status)}</span></dd>
        </dl>
        {case.reply.clone().map(|r| view! {
            <section class="reply">
                <h2>{format!("答复（{}）", case.answered_on.clone().unwrap_or_default())}</h2>
                <p>{r}</p>
            </section>
        })}
        <h2>"办理过程"</h2>
        <ol class="case-history">
            {case.events.into_iter().map(|e| view! {
                <li>
                    <span class="meta">{e.at}</span>" "
                    <strong>{event_name(&e.kind)}</strong>
                    {match (e.from_department, e.to_department) {
                        (Some(from), Some(to)) => Some(format!("：{from} → {to}")),
                        (None, Some(to)) if e.kind == "filed" => Some(format!("：分送{to}")),
                        (Some(from), None) if e.kind == "escalated" => Some(format!("（{from}）")),
                        _ => None,
                    }}
                    {(!e.note.is_empty()).then(|| view! { <p class="note">{e.note}</p> })}
                </li>
            }).collect_view()}
        </ol>
    }
}

#[component]
pub fn MyCasePage() -> impl IntoView {
    let data = Resource::new_blocking(|| (), |_| get_tracked_case());
    view! {
        <Page title="我的诉求" data view=|t| view! { <MyCase t /> }>
            <Alert />
        </Page>
    }
}

#[component]
fn MyCase(t: TrackedCase) -> impl IntoView {
    let query = use_query_map();
    let done = move || {
        query.read().get("done").map(|d| match d.as_str() {
            "reopened" => "已重新提交办理，部门将在新的期限内再次答复。",
            _ => "补充材料已提交。",
        })
    };
    view! {
        <div class="my-header">
            <h1>{format!("我的{}", kind_name(&t.case.kind))}</h1>
            <form method="post" action="/cases/leave"><button type="submit" class="secondary">"退出查看"</button></form>
        </div>
        {move || done().map(|m| view! { <p class="notice-box" role="status">{m}</p> })}
        <section class="my-words">
            <h2>"我反映的情况"</h2>
            <p class="pre">{t.description}</p>
            <p class="muted">{format!("提交人：{}", t.filer_name)}</p>
        </section>
        {t.can_supplement.then(|| view! {
            <form method="post" action="/cases/supplement" class="case-form">
                <label for="note">"办理部门请您补充材料，请在这里补充说明"</label>
                <textarea id="note" name="note" rows="4" required maxlength="2000"></textarea>
                <button type="submit">"提交补充"</button>
            </form>
        })}
        <CaseRecord case=t.case />
        {t.can_reopen.then(|| view! {
            <form method="post" action="/cases/reopen" class="case-form">
                <label for="reason">{format!("对答复不满意？答复后{REOPEN_WITHIN_DAYS}日内可申请重新办理一次，请说明理由")}</label>
                <textarea id="reason" name="note" rows="3" required maxlength="2000"></textarea>
                <button type="submit" class="secondary">"不满意，申请重新办理"</button>
            </form>
        })}
    }
}

#[component]
pub fn PublicCasePage() -> impl IntoView {
    let params = use_params_map();
    let data = Resource::new_blocking(move || params.read().get("no").unwrap_or_default(), get_public_case);
    view! {
        <Page title="诉求办理情况" data view=|case| view! { <h1>"诉求办理情况"</h1><CaseRecord case /> }>
            <p class="breadcrumb"><a href="/cases">"咨询投诉"</a></p>
        </Page>
    }
}

#[component]
pub fn StatsPage() -> impl IntoView {
    let county = crate::components::url_county();
    let data = Resource::new_blocking(county, get_case_stats);
    view! {
        <Page title="各部门办理情况" data view=|s| view! { <Stats s /> }>
            <p class="breadcrumb"><a href="/cases">"咨询投诉"</a></p>
            <h1>"各部门办理情况"</h1>
            <p><a href="/counties/compare">"各县（市、区）对比"</a></p>
        </Page>
    }
}

#[component]
fn Stats(s: CaseStats) -> impl IntoView {
    let bars: Vec<Bar> = s
        .departments
        .iter()
        .filter_map(|d| d.on_time_pct.map(|p| Bar { label: d.department.clone(), value: p, shown: format!("{p}%") }))
        .collect();
    view! {
        <p>{format!("累计受理 {} 件，目前逾期未答复 {} 件。按期答复率 = 按期答复件数 ÷ 已答复件数。", s.received, s.overdue_now)}</p>
        <BarChart title="各部门按期答复率".to_string() bars />
        <div class="table-scroll" tabindex="0">
            <table class="stats cards">
                <thead><tr>
                    <th scope="col">"排名"</th><th scope="col">"部门"</th><th scope="col">"受理"</th><th scope="col">"已答复"</th>
                    <th scope="col">"按期答复"</th><th scope="col">"按期率"</th><th scope="col">"逾期未答复"</th>
                    <th scope="col">"答复用时中位数（天）"</th><th scope="col">"转出"</th><th scope="col">"重新办理"</th>
                    <th scope="col">"反映未收到"</th>
                </tr></thead>
                <tbody>
                    {s.departments.into_iter().enumerate().map(|(i, d)| view! {
                        <tr>
                            <td data-label="排名" class="num">{i + 1}</td>
                            <th scope="row">{d.department}</th>
                            <td data-label="受理" class="num">{d.received}</td>
                            <td data-label="已答复" class="num">{d.answered}</td>
                            <td data-label="按期答复" class="num">{d.answered_on_time}</td>
                            <td data-label="按期率" class="num">{d.on_time_pct.map(|p| format!("{p}%")).unwrap_or_else(|| "—".into())}</td>
                            <td data-label="逾期未答复" class={if d.overdue_now > 0 { "num flag-cell" } else { "num" }}>{d.overdue_now}</td>
                            <td data-label="答复用时中位数（天）" class="num">{d.median_days.map(|m| format!("{m:.1}")).unwrap_or_else(|| "—".into())}</td>
                            <td data-label="转出" class="num">{d.transfers_out}</td>
                            <td data-label="重新办理" class="num">{d.reopened}</td>
                            <td data-label="反映未收到" class="num">{d.not_received}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
pub fn AnsweredPage() -> impl IntoView {
    let query = use_query_map();
    let county = crate::components::url_county();
    let data = Resource::new_blocking(
        move || (query.read().get("item"), query.read().get("page").and_then(|p| p.parse::<i64>().ok()), county()),
        |(item, page, county)| get_answered_cases(item, page, county),
    );
    view! {
        <Page title="已答复的问题" data view=|a| view! { <Answered a /> }>
            <p class="breadcrumb"><a href="/cases">"咨询投诉"</a></p>
            <h1>"已答复的问题"</h1>
        </Page>
    }
}

#[component]
fn Answered(a: AnsweredCases) -> impl IntoView {
    let current = a.item.clone().unwrap_or_default();
    let base = crate::components::scoped(
        &format!("/cases/answered?item={current}"),
        crate::components::url_county()().as_deref(),
    ) + "&";
    view! {
        <form method="get" action="/cases/answered" class="filters">
            <crate::components::CountyField />
            <label for="item">"补贴项目"</label>
            <select id="item" name="item">
                <option value="">"全部"</option>
                {a.items.into_iter().map(|i| {
                    let selected = i.code == current;
                    view! { <option value=i.code selected=selected>{i.name}</option> }
                }).collect_view()}
            </select>
            <button type="submit">"筛选"</button>
        </form>
        {a.cases.is_empty().then(|| view! { <p class="empty">"暂无公开的答复。"</p> })}
        <ul class="answered">
            {a.cases.into_iter().map(|c| view! {
                <li>
                    <p class="meta">
                        <a href=format!("/case/{}", c.tracking_no)>{c.tracking_no.clone()}</a>" "
                        {kind_name(&c.kind)}" · "{c.item.unwrap_or_else(|| "不确定".into())}" · "{c.township.unwrap_or_default()}
                        " · "{c.department}" · "{format!("答复于{}", c.answered_on)}
                    </p>
                    <p>{c.reply}</p>
                </li>
            }).collect_view()}
        </ul>
        <Pager page=a.page pages=a.pages base />
    }
}
