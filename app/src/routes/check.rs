//! `/check`: a citizen checks their own payments with ID number and SMS code (forms post to the
//! server and redirect, so every step works without JavaScript).

use crate::api::cases::get_deadlines;
use crate::api::check::{
    get_my_payments, get_statement, get_typed_check, MyPayment, MyPayments, Statement, TypedCheck,
};
use crate::components::{Layout, Loaded, Page};
use crate::domain::date::period_words;
use crate::domain::payments::{failure_advice, line_status_name};
use crate::domain::{IdNumberError, PhoneError};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The message for an `e=` code carried by a redirect back to the form.
fn message(e: &str) -> Option<String> {
    let (field, code) = e.split_once(':').unwrap_or((e, ""));
    match field {
        "id" => IdNumberError::from_code(code).map(|err| err.to_string()),
        "phone" => PhoneError::from_code(code).map(|err| err.to_string()),
        "expired" => Some("验证码已失效（超过5分钟、已使用或错误次数过多），请重新获取。".into()),
        "signed_out" => Some("您已退出查询。".into()),
        _ => None,
    }
}

#[component]
pub fn CheckPage() -> impl IntoView {
    let query = use_query_map();
    let error = move || query.read().get("e").and_then(|e| message(&e));
    // Which field the problem is in: that field is marked and the message read out with it.
    let wrong = move || query.read().get("e").and_then(|e| e.split_once(':').map(|(f, _)| f.to_string()));
    let typed = Resource::new_blocking(|| (), |_| get_typed_check());
    view! {
        <Layout>
            <Title text="查询我的补贴" />
            <h1>"查询我的补贴"</h1>
            <p>"输入本人身份证号和登记的手机号，我们会向该手机发送验证码。验证后可查看每一笔补贴是否到账、失败原因和对账单。"</p>
            {move || error().map(|m| view! { <p class="error-box" role="alert" id="check-error">{m}</p> })}
            <Loaded data=typed view=move |t: TypedCheck| {
                let marked = move |field: &'static str| (wrong().as_deref() == Some(field)).then_some("true");
                let described = move |field: &'static str| (wrong().as_deref() == Some(field)).then_some("check-error");
                view! {
                    <form method="post" action="/check/start" class="check-form">
                        <label for="id_number">"身份证号"</label>
                        <input id="id_number" name="id_number" inputmode="text" autocomplete="off" maxlength="22" required placeholder="18位身份证号"
                            value=t.id_number aria-invalid=move || marked("id") aria-describedby=move || described("id") />
                        <label for="phone">"手机号"</label>
                        <input id="phone" name="phone" type="tel" inputmode="numeric" autocomplete="tel" maxlength="16" required placeholder="登记的手机号"
                            value=t.phone aria-invalid=move || marked("phone") aria-describedby=move || described("phone") />
                        <button type="submit">"获取验证码"</button>
                    </form>
                }
            } />
            <p class="muted">"为保护个人信息，无论信息是否正确，页面提示都相同。同一手机每分钟只能获取一次，每天最多10次。"</p>
        </Layout>
    }
}

#[component]
pub fn CodePage() -> impl IntoView {
    let query = use_query_map();
    let wrong = move || query.read().get("left").and_then(|l| l.parse::<i64>().ok());
    view! {
        <Layout>
            <Title text="输入验证码" />
            <h1>"输入验证码"</h1>
            <p class="notice-box">"如信息无误，验证码已发送至该手机，5分钟内有效。"</p>
            {move || wrong().map(|left| view! { <p class="error-box" role="alert">{format!("验证码不正确，还可以再试{left}次。")}</p> })}
            <form method="post" action="/check/verify" class="check-form">
                <label for="code">"6位验证码"</label>
                <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="6" pattern="[0-9]{6}" required />
                <button type="submit">"查询"</button>
            </form>
            <p class="code-again"><a href="/check">"没收到？重新获取验证码"</a></p>
        </Layout>
    }
}

#[component]
pub fn MyPaymentsPage() -> impl IntoView {
    let data = Resource::new_blocking(|| (), |_| get_my_payments());
    view! {
        <Page title="我的补贴" data view=|p| view! { <PaymentsView data=p /> } />
    }
}

#[component]
fn PaymentsView(data: MyPayments) -> impl IntoView {
    let to_act_on: Vec<(i64, String)> = data
        .to_act_on()
        .iter()
        .map(|p| (p.id, format!("{} {}（{}）", p.item, period_words(&p.period), p.failure_words())))
        .collect();
    let act_years: Vec<String> =
        data.to_act_on().iter().map(|p| p.period.get(..4).unwrap_or_default().to_string()).collect();
    let newest = data.years.first().map(|y| y.year.clone());
    let counties = data.counties.clone();
    view! {
        <div class="my-header">
            <h1>{format!("{} 的补贴", data.name_masked)}</h1>
            <form method="post" action="/check/logout"><button type="submit" class="secondary">"退出查询"</button></form>
        </div>
        {(!to_act_on.is_empty()).then(|| view! {
            <section class="to-act-on" aria-labelledby="to-act-on">
                <h2 id="to-act-on">{format!("{}笔发放失败，需要处理", to_act_on.len())}</h2>
                <ul>
                    {to_act_on.into_iter().map(|(id, what)| view! { <li><a href=format!("#p{id}")>{what}</a></li> }).collect_view()}
                </ul>
            </section>
        })}
        {data.household_head.then(|| view! { <p class="muted">"您是户主，同时显示按户发放和家庭成员的补贴。"</p> })}
        {(counties.len() > 1).then(|| view! {
            <p class="muted">{format!("您在{}个县（市、区）有补贴：{}。按县分开列出，各县的主管部门和电话写在每笔旁边。", counties.len(), counties.join("、"))}</p>
        })}
        <p><a class="button" href="/check/statement">"打印或下载对账单"</a></p>
        {data.years.is_empty().then(|| view! { <p class="empty">"没有查到发放记录。如有疑问请联系补贴主管部门。"</p> })}
        {data.years.into_iter().map(|y| {
            // This year open; earlier years folded, unless a line there needs action.
            let open = Some(&y.year) == newest.as_ref() || act_years.contains(&y.year);
            let count = y.payments.len();
            view! {
                <details class="year" open=open>
                    <summary>
                        <h2>{format!("{}年", y.year)}<span class="year-total">{format!("已到账 {} 元，共{count}笔", y.paid_total.grouped())}</span></h2>
                    </summary>
                    {by_county(&counties, y.payments).into_iter().map(|(county, payments)| view! {
                        {county.map(|c| view! { <h3 class="county">{c}</h3> })}
                        <ul class="my-payments">
                            {payments.into_iter().map(|p| view! { <PaymentCard p /> }).collect_view()}
                        </ul>
                    }).collect_view()}
                </details>
            }
        }).collect_view()}
    }
}

/// A year's payments as one list, or, when several counties paid the person, one list per county
/// under its name (in `counties`' order).
fn by_county(counties: &[String], payments: Vec<MyPayment>) -> Vec<(Option<String>, Vec<MyPayment>)> {
    if counties.len() < 2 {
        return vec![(None, payments)];
    }
    counties
        .iter()
        .map(|c| (Some(c.clone()), payments.iter().filter(|p| &p.county == c).cloned().collect::<Vec<_>>()))
        .filter(|(_, list)| !list.is_empty())
        .collect()
}

#[component]
fn PaymentCard(p: MyPayment) -> impl IntoView {
    let badge = p.status_words();
    let class = match (p.status.as_str(), p.reissued) {
        _ if p.clawed_back_on.is_some() => "failed",
        ("paid", _) => "paid",
        ("failed", true) => "reissued",
        ("failed", false) => "failed",
        _ => "pending",
    };
    let advice = (p.status == "failed" && !p.reissued).then(|| {
        failure_advice(p.failure_reason.as_deref().unwrap_or("other"), &p.bank, &p.department, &p.department_phone)
    });
    let reason = (p.status == "failed").then(|| p.failure_words());
    let phone = p.department_phone.clone();
    let id = p.id;
    let markable = p.status == "paid" && p.clawed_back_on.is_none();
    let confirmed = p.confirmed;
    let case_no = p.case_no.clone();
    view! {
        <li class=format!("my-payment card-{class}") id=format!("p{id}")>
            <div class="line">
                <strong>{p.item}</strong>
                <span class="amount">{format!("{} 元", p.amount.grouped())}</span>
            </div>
            {p.for_member.map(|m| view! { <p class="muted">{format!("家庭成员：{m}")}</p> })}
            <p class="meta">
                <span>{period_words(&p.period)}</span>
                {p.paid_on.map(|d| view! { <span>{format!("到账 {d}")}</span> })}
                <span class="badge">{badge}</span>
            </p>
            {reason.map(|r| view! { <p class="reason">{format!("失败原因：{r}")}</p> })}
            {p.clawed_back_on.clone().map(|on| view! {
                <p class="reason">{format!("{on} 由{}追回，理由：{}。有疑问请联系主管部门。", p.department, p.clawback_reason.clone().unwrap_or_default())}</p>
            })}
            {p.corrected_on.clone().map(|on| view! {
                <p class="reason">{format!("{on} {}在公示期间更正：{}。有疑问请联系主管部门。", p.department, p.correction_note.clone().unwrap_or_default())}</p>
            })}
            {advice.map(|(_, todo)| view! { <p class="advice">"怎么办："{with_tel_link(&todo, &phone)}</p> })}
            <p class="three-way">
                {match p.publicity {
                    Some(seen) if seen.by_township => format!(
                        "公示：本笔按乡镇汇总公示（保护隐私），{} 元 {}（{}）",
                        seen.amount.grouped(), line_status_name(&seen.status), seen.published_on
                    ),
                    Some(seen) => format!(
                        "公示：{} {} 元 {}（{}）",
                        seen.name_masked, seen.amount.grouped(), line_status_name(&seen.status), seen.published_on
                    ),
                    None => "公示：未查到".to_string(),
                }}
                {p.mismatch.map(|m| view! { <span class="flag">{m}</span> })}
                {p.receipt.map(|c| view! { " "<a class="receipt-link" href=format!("/r/{c}")>{format!("凭证码 {c}")}</a> })}
            </p>
            <p class="meta">
                <span>{format!("{} {}", p.bank, p.account_masked)}</span>
                <span>{p.department}" "<a class="tel" href=format!("tel:{}", p.department_phone)>{p.department_phone.clone()}</a></span>
            </p>
            {markable.then(|| view! {
                <div class="confirm">
                    {match confirmed {
                        Some(true) => view! { <p class="confirmed">"您已确认：这笔钱已收到。"</p> }.into_any(),
                        Some(false) => view! {
                            <p><span class="flag">"您已反映：未收到"</span></p>
                            {case_no.map(|no| view! {
                                <p class="case-link">"已作为投诉转主管部门办理，受理编号 "<strong>{no}</strong>" "<a href="/cases/track">"查询进度"</a></p>
                            })}
                        }.into_any(),
                        None => view! {
                            <p class="question-words">"这笔钱您收到了吗？"</p>
                            <div class="answers">
                                <form method="post" action="/check/confirm">
                                    <input type="hidden" name="payment" value=id.to_string() />
                                    <input type="hidden" name="received" value="yes" />
                                    <button type="submit" class="secondary">"收到了"</button>
                                </form>
                                <a class="button secondary" href=format!("/check/not-received?payment={id}")>"没收到"</a>
                            </div>
                        }.into_any(),
                    }}
                </div>
            })}
            <p class="question"><a href=format!("/cases/new?payment={id}")>"对此有疑问"</a></p>
        </li>
    }
}

/// `text` with `phone` in it made a tap-to-call link.
fn with_tel_link(text: &str, phone: &str) -> impl IntoView {
    match text.split_once(phone).filter(|_| !phone.is_empty()) {
        Some((before, after)) => view! {
            {before.to_string()}<a class="tel" href=format!("tel:{phone}")>{phone.to_string()}</a>{after.to_string()}
        }
        .into_any(),
        None => text.to_string().into_any(),
    }
}

/// `/check/not-received?payment=`: the second step of 没收到, saying what will happen before it
/// does (a complaint to the item's department, its deadline, a tracking number by SMS).
#[component]
pub fn NotReceivedPage() -> impl IntoView {
    let query = use_query_map();
    let data = Resource::new_blocking(|| (), |_| get_my_payments());
    let deadlines = Resource::new_blocking(|| (), |_| get_deadlines());
    let wanted = move || query.read().get("payment").and_then(|p| p.parse::<i64>().ok()).unwrap_or(0);
    view! {
        <Page title="反映没收到" data view=move |mine: MyPayments| {
                let line = mine.line(wanted()).filter(|p| p.status == "paid" && p.confirmed.is_none()).cloned();
                view! {
                    <p class="breadcrumb"><a href="/check/payments">"我的补贴"</a></p>
                    {match line {
                        None => view! {
                            <h1>"这笔补贴已有答复"</h1>
                            <p>"这笔补贴已经答复过，或不在您的补贴中。"</p>
                            <p><a class="button" href="/check/payments">"回到我的补贴"</a></p>
                        }.into_any(),
                        Some(p) => view! { <NotReceivedConfirm p deadlines /> }.into_any(),
                    }}
                }
            } />
    }
}

#[component]
fn NotReceivedConfirm(
    p: MyPayment,
    deadlines: Resource<Result<crate::domain::Deadlines, crate::api::ApiError>>,
) -> impl IntoView {
    let id = p.id;
    let days = move || deadlines.get().and_then(|d| d.ok()).map(|d| d.days(crate::domain::CaseKind::Complaint));
    view! {
        <h1>"反映这笔钱没收到"</h1>
        <div class="notice-box">
            <p><strong>{format!("{} {} {} 元", p.item, period_words(&p.period), p.amount.grouped())}</strong></p>
            <p>{format!("银行反馈{}已转入 {} {}。", p.paid_on.clone().map(|d| format!("于{d}")).unwrap_or_default(), p.bank, p.account_masked)}</p>
        </div>
        <p>"确认后会发生："</p>
        <ol class="what-happens">
            <li>{format!("作为投诉转给{}办理（电话 ", p.department)}<a class="tel" href=format!("tel:{}", p.department_phone)>{p.department_phone.clone()}</a>"）；"</li>
            <li><Suspense>{move || days().map(|d| format!("{d}个工作日内答复；"))}</Suspense></li>
            <li>"受理编号用短信发到您验证时用的手机，可凭编号查询办理进度；"</li>
            <li>"这条投诉计入该部门公开的办理统计，但不公开您的姓名、电话和反映的内容。"</li>
        </ol>
        <p class="muted">"建议先查看银行卡或存折的入账记录，或打电话问一下银行；确实没有收到再提交。"</p>
        <div class="answers">
            <form method="post" action="/check/confirm">
                <input type="hidden" name="payment" value=id.to_string() />
                <input type="hidden" name="received" value="no" />
                <button type="submit">"确认：我没收到这笔钱"</button>
            </form>
            <a class="button secondary" href=format!("/check/payments#p{id}")>"返回，不提交"</a>
        </div>
    }
}

#[component]
pub fn StatementPage() -> impl IntoView {
    let query = use_query_map();
    let data = Resource::new_blocking(move || query.read().get("year"), get_statement);
    view! {
        <Page title="对账单" data view=|s| view! { <StatementView s /> } />
    }
}

#[component]
fn StatementView(s: Statement) -> impl IntoView {
    let year = s.year.clone();
    view! {
        <p class="breadcrumb"><a href="/check/payments">"我的补贴"</a></p>
        <h1>{format!("{} {}年补贴对账单", s.name_masked, s.year)}</h1>
        <p class="years">
            "年度："
            {s.years.iter().map(|y| if *y == year {
                view! { <strong>{format!("{y}年")}</strong> }.into_any()
            } else {
                view! { <a href=format!("/check/statement?year={y}")>{format!("{y}年")}</a> }.into_any()
            }).collect_view()}
        </p>
        <p>{format!("本年度到账合计 {} 元，共 {} 笔。", s.paid_total.grouped(), s.payments.len())}</p>
        <p><a class="button" href=format!("/check/statement/csv?year={year}") download>"下载对账单表格（Excel可打开）"</a></p>
        <div class="table-scroll" tabindex="0">
            <table class="statement cards">
                <thead><tr>
                    <th scope="col">"补贴项目"</th><th scope="col">"期次"</th><th scope="col">"金额（元）"</th>
                    <th scope="col">"状态"</th><th scope="col">"到账日期"</th><th scope="col">"银行账号"</th>
                </tr></thead>
                <tbody>
                    {s.payments.into_iter().map(|p| view! {
                        <tr>
                            <td data-label="补贴项目">{p.item.clone()}{p.for_member.clone().map(|m| format!("（{m}）"))}</td>
                            <td data-label="期次">{period_words(&p.period)}</td>
                            <td data-label="金额（元）" class="num">{p.amount.grouped()}</td>
                            <td data-label="状态">{p.status_words()}</td>
                            <td data-label="到账日期">{p.paid_on.clone().unwrap_or_default()}</td>
                            <td data-label="银行账号">{format!("{} {}", p.bank, p.account_masked)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
