//! `/check`: a citizen checks their own payments with ID number and SMS code (forms post to the
//! server and redirect, so every step works without JavaScript).

use crate::api::check::{failure_advice, get_my_payments, get_statement, status_name, MyPayment, MyPayments, Statement};
use crate::api::publicity::line_status_name;
use crate::components::{Layout, Loaded};
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
    view! {
        <Layout>
            <Title text="查询我的补贴" />
            <h1>"查询我的补贴"</h1>
            <p>"输入本人身份证号和登记的手机号，我们会向该手机发送验证码。验证后可查看每一笔补贴是否到账、失败原因和对账单。"</p>
            {move || error().map(|m| view! { <p class="error-box" role="alert">{m}</p> })}
            <form method="post" action="/check/start" class="check-form">
                <label for="id_number">"身份证号"</label>
                <input id="id_number" name="id_number" inputmode="text" autocomplete="off" maxlength="22" required placeholder="18位身份证号" />
                <label for="phone">"手机号"</label>
                <input id="phone" name="phone" type="tel" inputmode="numeric" autocomplete="tel" maxlength="16" required placeholder="登记的手机号" />
                <button type="submit">"获取验证码"</button>
            </form>
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
            <p><a href="/check">"没收到？重新获取验证码"</a></p>
        </Layout>
    }
}

#[component]
pub fn MyPaymentsPage() -> impl IntoView {
    let data = Resource::new_blocking(|| (), |_| get_my_payments());
    view! {
        <Layout>
            <Title text="我的补贴" />
            <Loaded data view=|p| view! { <PaymentsView data=p /> } />
        </Layout>
    }
}

#[component]
fn PaymentsView(data: MyPayments) -> impl IntoView {
    view! {
        <div class="my-header">
            <h1>{format!("{} 的补贴", data.name_masked)}</h1>
            <form method="post" action="/check/logout"><button type="submit" class="secondary">"退出查询"</button></form>
        </div>
        {data.household_head.then(|| view! { <p class="muted">"您是户主，同时显示按户发放和家庭成员的补贴。"</p> })}
        <p><a class="button" href="/check/statement">"打印或下载对账单"</a></p>
        {data.years.is_empty().then(|| view! { <p class="empty">"没有查到发放记录。如有疑问请联系补贴主管部门。"</p> })}
        {data.years.into_iter().map(|y| view! {
            <section class="year">
                <h2>{format!("{}年", y.year)}<span class="year-total">{format!("已到账 {} 元", y.paid_total.grouped())}</span></h2>
                <ul class="my-payments">
                    {y.payments.into_iter().map(|p| view! { <PaymentCard p /> }).collect_view()}
                </ul>
            </section>
        }).collect_view()}
    }
}

#[component]
fn PaymentCard(p: MyPayment) -> impl IntoView {
    let badge = status_name(&p);
    let class = match (p.status.as_str(), p.reissued) {
        ("paid", _) => "paid",
        ("failed", true) => "reissued",
        ("failed", false) => "failed",
        _ => "pending",
    };
    let advice = (p.status == "failed" && !p.reissued)
        .then(|| failure_advice(p.failure_reason.as_deref().unwrap_or("other"), &p.bank, &p.department, &p.department_phone));
    let reason = (p.status == "failed").then(|| failure_advice(p.failure_reason.as_deref().unwrap_or("other"), "", "", "").0);
    let id = p.id;
    let markable = p.status == "paid";
    let confirmed = p.confirmed;
    let case_no = p.case_no.clone();
    view! {
        <li class=format!("my-payment status-{class}") id=format!("p{id}")>
            <div class="line">
                <strong>{p.item}</strong>
                <span class="amount">{format!("{} 元", p.amount.grouped())}</span>
            </div>
            {p.for_member.map(|m| view! { <p class="muted">{format!("家庭成员：{m}")}</p> })}
            <p class="meta">
                <span>{format!("期次 {}", p.period)}</span>
                {p.paid_on.map(|d| view! { <span>{format!("到账 {d}")}</span> })}
                <span class="badge">{badge}</span>
            </p>
            {reason.map(|r| view! { <p class="reason">{format!("失败原因：{r}")}</p> })}
            {advice.map(|(_, todo)| view! { <p class="advice">{format!("怎么办：{todo}")}</p> })}
            <p class="three-way">
                {match p.publicity {
                    Some(seen) => format!(
                        "公示：{} {} 元 {}（{}）",
                        seen.name_masked, seen.amount.grouped(), line_status_name(&seen.status), seen.published_on
                    ),
                    None => "公示：未查到".to_string(),
                }}
                {p.mismatch.map(|m| view! { <span class="flag">{m}</span> })}
            </p>
            <p class="meta">
                <span>{format!("{} {}", p.bank, p.account_masked)}</span>
                <span>{p.department}" "<a href=format!("tel:{}", p.department_phone)>{p.department_phone.clone()}</a></span>
            </p>
            {markable.then(|| view! {
                <div class="confirm">
                    {match confirmed {
                        Some(true) => view! { <span class="confirmed">"您已确认：已收到"</span> }.into_any(),
                        Some(false) => view! {
                            <span class="flag">"您已反映：未收到"</span>
                            {case_no.map(|no| view! {
                                <span class="case-link">"已作为投诉转主管部门办理，受理编号 "<strong>{no}</strong>" "<a href="/cases/track">"查询进度"</a></span>
                            })}
                        }.into_any(),
                        None => ().into_any(),
                    }}
                    <form method="post" action="/check/confirm">
                        <input type="hidden" name="payment" value=id.to_string() />
                        <input type="hidden" name="received" value="yes" />
                        <button type="submit" class="secondary">"已收到"</button>
                    </form>
                    <form method="post" action="/check/confirm">
                        <input type="hidden" name="payment" value=id.to_string() />
                        <input type="hidden" name="received" value="no" />
                        <button type="submit" class="secondary">"未收到"</button>
                    </form>
                </div>
            })}
            <p class="question"><a href=format!("/cases/new?payment={id}")>"对此有疑问"</a></p>
        </li>
    }
}

#[component]
pub fn StatementPage() -> impl IntoView {
    let query = use_query_map();
    let data = Resource::new_blocking(move || query.read().get("year"), get_statement);
    view! {
        <Layout>
            <Title text="对账单" />
            <Loaded data view=|s| view! { <StatementView s /> } />
        </Layout>
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
        <p><a class="button" href=format!("/check/statement/csv?year={year}") download>"下载对账单（CSV）"</a></p>
        <div class="table-scroll" tabindex="0">
            <table class="statement">
                <thead><tr>
                    <th scope="col">"补贴项目"</th><th scope="col">"期次"</th><th scope="col">"金额（元）"</th>
                    <th scope="col">"状态"</th><th scope="col">"到账日期"</th><th scope="col">"银行账号"</th>
                </tr></thead>
                <tbody>
                    {s.payments.into_iter().map(|p| view! {
                        <tr>
                            <td>{p.item.clone()}{p.for_member.clone().map(|m| format!("（{m}）"))}</td>
                            <td>{p.period.clone()}</td>
                            <td class="num">{p.amount.grouped()}</td>
                            <td>{status_name(&p)}</td>
                            <td>{p.paid_on.clone().unwrap_or_default()}</td>
                            <td>{format!("{} {}", p.bank, p.account_masked)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
