//! `/open-data`: what anyone may download or call, with the bulk files' data dictionary (every
//! column, the masking rules, what an empty cell means), the API and the feeds.

use crate::api::open_data::{get_bulk_files, BulkFiles, BULK_COLUMNS, NEVER_EMPTY};
use crate::components::Page;
use leptos::prelude::*;

#[component]
pub fn OpenDataPage() -> impl IntoView {
    let data = Resource::new_blocking(|| (), |_| get_bulk_files());
    view! {
        <Page title="开放数据" data=data view=move |d| view! { <Files data=d /> }>
            <h1>"开放数据"</h1>
            <p>
                "本平台公开的政策清单、通知公告和各村发放公示，都可以整份下载或用程序读取，"
                "不用登录，也不用申请。名单中的姓名和身份证号与网页上一样经过脱敏；"
                "手机号、银行账号和出生日期从不公开。"
            </p>
        </Page>
    }
}

#[component]
fn Files(data: BulkFiles) -> impl IntoView {
    view! {
        <h2>"按年度下载发放公示"</h2>
        <p>
            "每个县（区）每年一个文件，含这一年各期次已公示的全部明细。"
            {format!("{}年以前的明细已超过公开期限，不再在网上公开，也不提供下载。", data.first_public_year)}
            "敏感类别（如孤儿、残疾人补贴）中一个村人数很少、按乡镇汇总公示的明细，文件里没有，只在乡镇的公示页上公布人数和金额。"
        </p>
        {data.files.is_empty().then(|| view! { <p class="empty">"还没有已公示的名单。"</p> })}
        <ul class="downloads">
            {data.files.into_iter().map(|f| view! {
                <li>
                    {format!("{} {}年：{} 行 ", f.county_name, f.year, grouped(f.lines))}
                    <a href=f.csv_url download>"CSV"</a>" · "<a href=f.gzip_url download>"压缩文件（.csv.gz）"</a>
                </li>
            }).collect_view()}
        </ul>
        <h2>"数据字典"</h2>
        <p>
            "文件为 UTF-8 编码（带 BOM，Excel 可直接打开）、逗号分隔、每行以回车换行结尾；"
            "含逗号、引号或换行的值用双引号括起，以 = + - @ 开头的值前加一个单引号，以免表格软件当作公式。"
            "第一行是下面的列名，顺序相同。"
        </p>
        <dl class="dictionary">
            {BULK_COLUMNS.iter().enumerate().map(|(i, c)| view! {
                <dt>{format!("{}. {}", i + 1, c.header)}</dt>
                <dd>
                    {c.meaning}<br />
                    <span class="when-empty">
                        {if c.when_empty == NEVER_EMPTY { NEVER_EMPTY.to_string() } else { format!("为空表示：{}", c.when_empty) }}
                    </span>
                </dd>
            }).collect_view()}
        </dl>
        <h2>"数据接口"</h2>
        <p>
            "网页上的数据都有对应的 JSON 接口，金额以“分”为单位的整数表示。每个接口的参数和返回字段见 "
            <a href="/api/openapi.json">"OpenAPI 说明（/api/openapi.json）"</a>
            "；年度文件的清单：" <a href="/api/v1/bulk">"/api/v1/bulk"</a>"。"
        </p>
        <h2>"订阅更新（Atom）"</h2>
        <ul>
            <li><a href="/feeds/notices.atom">"通知公告"</a>"：/feeds/notices.atom（加 ?county=县代码 只看一个县）"</li>
            <li>"一个村的发放公示：/feeds/publicity/乡镇代码/村代码.atom（各村公示页上有订阅链接）"</li>
            <li>"一个补贴项目的发放：/feeds/catalogue/项目代码.atom（各项目页上有订阅链接）"</li>
        </ul>
        <h2>"核对公示没有被改动"</h2>
        <p>"每一次公示都记入"<a href="/publicity/log">"公示日志"</a>"，任何人都可以用核对程序证明名单没有被悄悄改动。"</p>
    }
}

/// `6,276`: a count with thousands separators, as amounts are shown.
fn grouped(n: i64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
