//! `/publicity/log`: the publicity log's signed tree heads, its public key, and how anyone can
//! check a roster against it.

use crate::api::publicity_log::{get_log_heads, LogHeads};
use crate::components::{Page, Pager};
use crate::domain::date::local_minute;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

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
                "每一次公示（发放前公示、发放后公示、对已公示名单的更正）都记入这本日志。日志只能往后添加，"
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
