//! `/publicity/log`: the publicity log's signed tree heads, its public key, and how anyone can
//! check a roster against it; `/r/{code}`: what a payout SMS's receipt code opens.

use crate::api::publicity_log::{get_log_heads, get_receipt, kind_name, LogHeads, Receipt};
use crate::components::{Page, Pager};
use crate::domain::date::{local_minute, period_words};
use crate::domain::payments::line_status_name;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn PublicityLogPage() -> impl IntoView {
    let query = use_query_map();
    let page = move || query.read().get("page").and_then(|p| p.parse::<i64>().ok());
    let data = Resource::new_blocking(page, get_log_heads);
    view! {
        <Page title="公示日志" data=data view=move |d| view! { <Heads data=d /> }>
            <p class="breadcrumb"><a href="/publicity">"发放公示"</a></p>
            <h1>"公示日志"</h1>
            <p>
                "每一次公示（发放前公示、发放后公示）和对已公示名单的每一次更正、撤回、追回，连同理由，都记入这本日志。日志只能往后添加，"
                "已记入的内容不能改动。平台在每次公示时和每天至少一次，用自己的密钥给日志当时的状态签名，"
                "叫作“签名树头”。"
            </p>
            <p>
                "您可以保存这些树头。以后若有人悄悄改动已公示的名单，名单就和树头对不上，"
                "用下面的核对程序一查便知，不需要相信本平台。"
            </p>
        </Page>
    }
}

#[component]
fn Heads(data: LogHeads) -> impl IntoView {
    let LogHeads { public_key, tree_size, page, pages, heads } = data;
    view! {
        <dl class="facts">
            <dt>"日志公钥（Ed25519）"</dt><dd><code class="hash">{public_key}</code></dd>
            <dt>"日志条数"</dt><dd>{tree_size}</dd>
        </dl>
        <h2>"怎样核对"</h2>
        <ol>
            <li>"下载核对程序 "<a href="/publicity/log/verify.py" download>"verify-publicity.py"</a>"（只需要电脑上有 Python 3）。"</li>
            <li>"核对某个村的一份公示名单（乡镇代码、村代码和清册号见该名单页面的网址）："<br />
                <code class="command">"python3 verify-publicity.py 本站地址 roster 乡镇代码 村代码 清册号 --heads 树头.json"</code></li>
            <li>"核对整本日志：" <code class="command">"python3 verify-publicity.py 本站地址 log --heads 树头.json"</code></li>
        </ol>
        <p>
            "加上 "<code>"--heads 文件"</code>"，程序会把当前树头存进这个文件，下次核对时先证明日志是那时的延续。"
            "数据接口："<a href="/api/v1/log/head">"最新树头"</a>"、"<a href="/api/v1/log/heads">"全部树头"</a>
            "（说明见"<a href="/api/openapi.json">"开放数据接口"</a>"）。"
        </p>
        <h2>"签名树头"</h2>
        {heads.is_empty().then(|| view! { <p class="empty">"还没有签名树头。"</p> })}
        <div class="table-scroll" tabindex="0">
            <table class="heads cards">
                <thead>
                    <tr><th scope="col">"签署时间"</th><th scope="col">"条数"</th><th scope="col">"根哈希"</th><th scope="col">"签名"</th></tr>
                </thead>
                <tbody>
                    {heads.into_iter().map(|h| view! {
                        <tr>
                            <td data-label="签署时间">{local_minute(&h.signed_at)}</td>
                            <td data-label="条数" class="num">{h.tree_size}</td>
                            <td data-label="根哈希"><code class="hash">{h.root_hash}</code></td>
                            <td data-label="签名"><code class="hash">{h.signature}</code></td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <Pager page pages base="/publicity/log?".to_string() />
    }
}

/// `/r` and `/r/{code}`: a receipt code typed (or followed from the SMS) opens its line.
#[component]
pub fn ReceiptPage() -> impl IntoView {
    let (params, query) = (use_params_map(), use_query_map());
    let typed = move || {
        let code = params.read().get("code").or_else(|| query.read().get("code")).unwrap_or_default();
        code.trim().chars().take(20).collect::<String>()
    };
    let data = Resource::new_blocking(typed, |code| async move {
        if code.is_empty() {
            Ok(None)
        } else {
            get_receipt(code).await
        }
    });
    view! {
        <Page title="核对发放凭证" data=data view=move |r| view! { <ReceiptView receipt=r typed=typed() /> }>
            <p class="breadcrumb"><a href="/publicity">"发放公示"</a></p>
            <h1>"核对发放凭证"</h1>
            <p>"发放短信里有一个凭证码，例如 3B4CD-7XKQ。输入它，可以看到这笔钱在公示名单里的那一行，以及公示日志的记录。不需要身份证号。"</p>
            <form method="get" action="/r" class="find-name" role="search">
                <label for="receipt-code">"凭证码（在发放短信里）"</label>
                <input id="receipt-code" name="code" maxlength="20" autocomplete="off" autocapitalize="characters" value=typed() />
                <button type="submit">"查看"</button>
            </form>
        </Page>
    }
}

#[component]
fn ReceiptView(receipt: Option<Receipt>, typed: String) -> impl IntoView {
    let Some(r) = receipt else {
        return (!typed.is_empty())
            .then(|| {
                view! {
                    <p class="error-box" role="alert">
                        {format!("没有找到凭证码“{typed}”。请对照短信核对字母和数字（凭证码里没有 0、1、I、O）。")}
                    </p>
                }
            })
            .into_any();
    };
    let Receipt { code, township, village, roster, department, line, by_township, entry, head, proof } = r;
    let page = match &village {
        Some(v) => format!("/publicity/{}/{}/{roster}", township.code, v.code),
        None => format!("/publicity/{}?year={}", township.code, line.period.get(..4).unwrap_or_default()),
    };
    view! {
        <section class="receipt" aria-labelledby="receipt-title">
            <h2 id="receipt-title">{format!("凭证码 {code}")}</h2>
            {by_township.then(|| view! {
                <p class="small-cell-note">"这一笔属于敏感类别，按乡镇汇总公示（保护隐私）：公示只有乡镇的人数和金额，不列出姓名、身份证号和村。"</p>
            })}
            <dl class="facts">
                {village.as_ref().map(|_| view! {
                    <dt>"姓名"</dt>
                    <dd>
                        {line.name_masked.clone()}
                        {line.recipient_name_masked.clone().map(|rn| view! { <span class="recipient">{format!("（代领/代管：{rn}）")}</span> })}
                    </dd>
                    <dt>"身份证号"</dt><dd class="mono">{line.id_masked.clone()}</dd>
                })}
                <dt>"补贴项目"</dt><dd>{line.item.clone()}</dd>
                <dt>"期次"</dt><dd>{period_words(&line.period)}</dd>
                <dt>"金额"</dt><dd>{format!("{} 元", line.amount.grouped())}</dd>
                <dt>"状态"</dt><dd class=format!("status-{}", line.status)>{line_status_name(&line.status)}</dd>
                <dt>{if village.is_some() { "村（社区）" } else { "乡镇（街道）" }}</dt>
                <dd>{match &village { Some(v) => format!("{} {}", township.name, v.name), None => township.name.clone() }}</dd>
                <dt>"主管部门"</dt><dd>{department}</dd>
            </dl>
            <p><a href=page>{if by_township { "查看乡镇的汇总公示" } else { "查看这一行所在的整份公示名单" }}</a></p>
            <h2>"公示日志"</h2>
            {match entry {
                None => view! { <p class="empty">"这份名单还没有公示日志记录。"</p> }.into_any(),
                Some(e) => view! {
                    <p>{format!("这份名单已记入公示日志第 {} 条（{}，{}），这一条的哈希：", e.leaf_index, kind_name(&e.kind), local_minute(&e.at))}</p>
                    <p><code class="hash">{e.leaf_hash}</code></p>
                    {head.zip(proof).map(|(h, p)| view! {
                        <p>{format!("它在 {} 签署的树头里（日志共 {} 条），树头的根哈希：", local_minute(&h.signed_at), h.tree_size)}</p>
                        <p><code class="hash">{h.root_hash}</code></p>
                        <details>
                            <summary>{format!("包含证明（{} 步）", p.audit_path.len())}</summary>
                            <ol class="proof">
                                {p.audit_path.into_iter().map(|step| view! { <li><code class="hash">{step}</code></li> }).collect_view()}
                            </ol>
                        </details>
                    })}
                    <p><a href="/publicity/log">"怎样自己核对，不需要相信本平台"</a></p>
                }.into_any(),
            }}
        </section>
    }
    .into_any()
}
