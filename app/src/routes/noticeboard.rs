//! `/publicity/{township}/{village}/{roster}/notice`: the village notice for the noticeboard
//! (公示栏), A4 in large type when printed from the browser (JavaScript on or off).

use crate::api::noticeboard::{get_noticeboard, Noticeboard};
use crate::api::publicity::RosterPublicity;
use crate::api::publicity_log::kind_name;
use crate::components::{Layout, Loaded};
use crate::domain::date::{local_minute, period_words};
use crate::domain::payments::line_status_name;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn NoticeboardPage() -> impl IntoView {
    let params = use_params_map();
    let part = move |name: &str| params.read().get(name).unwrap_or_default();
    let data = Resource::new_blocking(
        move || (part("township"), part("village"), part("roster").parse::<i64>().unwrap_or(0)),
        |(t, v, r)| get_noticeboard(t, v, r),
    );
    view! {
        <Layout>
            <Loaded data=data view=move |d| view! { <Sheet data=d /> } />
        </Layout>
    }
}

#[component]
fn Sheet(data: Noticeboard) -> impl IntoView {
    let Noticeboard { publicity, department_phone, url, qr_svg } = data;
    let RosterPublicity { township, village, roster: r, lines, versions, .. } = publicity;
    let paid = r.paid_on.is_some();
    let title = format!(
        "{}{}{}{}",
        village.name,
        r.item_name,
        period_words(&r.period),
        if r.batch > 1 { format!("（第{}批）", r.batch) } else { String::new() }
    );
    let kind = if paid { "发放后公示" } else { "发放公示" };
    let back = format!("/publicity/{}/{}/{}", township.code, village.code, r.id);
    let objection = if paid {
        format!(
            "对发放结果有疑问的，请向{}反映（电话 {department_phone}），也可以扫描二维码或登录本平台提出咨询、投诉。本人可在平台“查询我的补贴”查看到账情况。",
            r.department
        )
    } else {
        format!(
            "公示期：{} 至 {}。对名单有异议的，请在公示期内向{}反映（电话 {department_phone}），也可以扫描二维码或登录本平台提出咨询、投诉。",
            r.publicity_start.clone().unwrap_or_default(),
            r.publicity_end.clone().unwrap_or_default(),
            r.department
        )
    };
    let entry = versions.last().cloned();
    view! {
        <Title text=format!("{title} {kind}（公示栏）") />
        <div class="sheet-help">
            <p class="breadcrumb"><a href=back>"返回网上公示"</a></p>
            <p>"这是张贴在村务公开栏的公示单。用浏览器菜单里的“打印”即可打印在A4纸上，或另存为PDF。"</p>
        </div>
        <article class="notice-sheet">
            <h1>{title}<br />{kind}</h1>
            <p class="sheet-meta">{format!("{} {} · 主管部门：{}", township.name, village.name, r.department)}</p>
            <div class="table-scroll" tabindex="0">
            <table class="sheet-lines cards">
                <thead>
                    <tr><th scope="col">"序号"</th><th scope="col">"姓名"</th><th scope="col">"身份证号"</th><th scope="col">"金额（元）"</th><th scope="col">"状态"</th></tr>
                </thead>
                <tbody>
                    {lines.into_iter().enumerate().map(|(i, l)| view! {
                        <tr>
                            <td class="num" data-label="序号">{i + 1}</td>
                            <td data-label="姓名">
                                {l.name_masked}
                                {l.recipient_name_masked.map(|rn| view! { <span class="recipient">{format!("（代领/代管：{rn}）")}</span> })}
                            </td>
                            <td class="mono" data-label="身份证号">{l.id_masked}</td>
                            <td class="num" data-label="金额（元）">{l.amount.grouped()}</td>
                            <td data-label="状态">{line_status_name(&l.status)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            </div>
            <p class="sheet-total">{format!("本村合计：{}", r.money_words())}</p>
            <div class="sheet-foot">
                <div class="sheet-words">
                    <h2>"有异议怎么办"</h2>
                    <p>{objection}</p>
                    <p class="sheet-verify">
                        {entry.map(|e| format!("本公示单是公示日志第 {} 条记录（{}，{}）的内容，该条哈希：", e.leaf_index, kind_name(&e.kind), local_minute(&e.at)))}
                        {versions.last().map(|e| view! { <code class="hash">{e.leaf_hash.clone()}</code> })}
                    </p>
                    <p class="sheet-url">"网上版本："<code class="hash">{url}</code></p>
                </div>
                <figure class="sheet-qr">
                    <div class="qr" inner_html=qr_svg></div>
                    <figcaption>"扫码查看网上公示"</figcaption>
                </figure>
            </div>
        </article>
    }
}
