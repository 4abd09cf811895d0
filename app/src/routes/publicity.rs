//! `/publicity`: payment publicity by township → village → roster, masked as published.

use crate::api::publicity::{
    get_publicity_index, get_roster_publicity, get_township_publicity, get_village_publicity, AreaTotal,
    RosterPublicity, RosterSummary, PAYOUT_PUBLICITY_DAYS,
};
use crate::api::publicity_log::{kind_name, LogRecord};
use crate::components::chart::Bar;
use crate::components::{keep_county, url_county, BarChart, CountyField, Layout, Loaded, Page};
use crate::domain::date::{local_minute, period_words};
use crate::domain::payments::line_status_name;
use crate::domain::rosters::status_name as roster_status_name;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

fn year_param() -> impl Fn() -> Option<i32> + Copy {
    let query = use_query_map();
    move || query.read().get("year").and_then(|y| y.parse().ok())
}

fn param(name: &'static str) -> impl Fn() -> String + Copy {
    let params = use_params_map();
    move || params.read().get(name).unwrap_or_default()
}

#[component]
fn YearLinks(years: Vec<i32>, year: i32, base: String) -> impl IntoView {
    view! {
        <p class="years">
            "年度："
            {years.into_iter().map(|y| if y == year {
                view! { <strong>{format!("{y}年")}</strong> }.into_any()
            } else {
                view! { <a href=keep_county(format!("{base}?year={y}"))>{format!("{y}年")}</a> }.into_any()
            }).collect_view()}
        </p>
    }
}

#[component]
fn TotalsTable(first: &'static str, rows: Vec<AreaTotal>, link: impl Fn(&str) -> String + 'static) -> impl IntoView {
    view! {
        <div class="table-scroll" tabindex="0">
            <table class="totals cards">
                <thead><tr><th scope="col">{first}</th><th scope="col">"发放金额（元）"</th><th scope="col">"公示笔数"</th><th scope="col">"人数"</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|r| view! {
                        <tr>
                            <td data-label=first><a href=link(&r.place.code)>{r.place.name}</a></td>
                            <td data-label="发放金额（元）" class="num">{r.amount.grouped()}</td>
                            <td data-label="公示笔数" class="num">{r.lines}</td>
                            <td data-label="人数" class="num">{r.people}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
pub fn PublicityPage() -> impl IntoView {
    let year = year_param();
    let county = url_county();
    let data = Resource::new_blocking(move || (year(), county()), |(year, county)| get_publicity_index(year, county));
    view! {
        <Page title="发放公示" data=data view=move |d| {
                let bars = d.townships.iter().map(|t| Bar { label: t.place.name.clone(), value: t.amount.fen(), shown: format!("{}元", t.amount.wan()) }).collect();
                view! {
                    <YearLinks years=d.years year=d.year base="/publicity".into() />
                    <BarChart title=format!("{}年各乡镇发放金额", d.year) bars />
                    <TotalsTable first="乡镇（街道）" rows=d.townships link=move |code| keep_county(format!("/publicity/{code}?year={}", d.year)) />
                }
            }>
            <h1>"补贴发放公示"</h1>
            <p>"按乡镇（街道）、村（社区）查看各项补贴的发放名单。村级公开明细，乡镇公开分村汇总。姓名和身份证号已按规定脱敏。"</p>
            <p>"每次公示都记入"<a href="/publicity/log">"公示日志"</a>"，公示后的名单若被改动，任何人都能查出来。"</p>
            <form method="get" action="/r" class="find-name" role="search">
                <label for="receipt-code">"收到发放短信了？输入短信里的凭证码，核对这笔钱的公示"</label>
                <input id="receipt-code" name="code" maxlength="20" autocomplete="off" autocapitalize="characters" />
                <button type="submit">"核对"</button>
            </form>
        </Page>
    }
}

#[component]
pub fn TownshipPublicityPage() -> impl IntoView {
    let (township, year) = (param("township"), year_param());
    let data = Resource::new_blocking(move || (township(), year()), |(t, y)| get_township_publicity(t, y));
    view! {
        <Layout>
            <Loaded data=data view=move |d| {
                let t = d.township.clone();
                let year = d.year;
                view! {
                    <Title text=format!("{}发放公示", t.name) />
                    <p class="breadcrumb"><a href=keep_county(format!("/publicity?year={year}"))>"发放公示"</a></p>
                    <h1>{format!("{} 发放公示（分村汇总）", t.name)}</h1>
                    <YearLinks years=d.years year base=format!("/publicity/{}", t.code) />
                    <TotalsTable first="村（社区）" rows=d.villages link=move |code| keep_county(format!("/publicity/{}/{code}?year={year}", t.code)) />
                    <TownshipSummaries rosters=d.summarised rule=d.small_cell_rule />
                }
            } />
        </Layout>
    }
}

/// Rosters (sorted by item) grouped by item: the item's name and its rosters, in order.
fn by_item(rosters: Vec<RosterSummary>) -> Vec<(String, Vec<RosterSummary>)> {
    let mut groups: Vec<(String, Vec<RosterSummary>)> = Vec::new();
    for r in rosters {
        match groups.last_mut() {
            Some((name, list)) if *name == r.item_name => list.push(r),
            _ => groups.push((r.item_name.clone(), vec![r])),
        }
    }
    groups
}

/// The township's lines publicised at township level (small cells), roster by roster, with the
/// rule they were publicised by; nothing when there are none.
#[component]
fn TownshipSummaries(rosters: Vec<RosterSummary>, rule: String) -> impl IntoView {
    (!rosters.is_empty()).then(|| {
        view! {
            <section class="township-summaries" aria-labelledby="summaries-title">
                <h2 id="summaries-title">"按乡镇汇总公示"</h2>
                <p>{rule}</p>
                <p>"以下人数和金额不计入上表各村，也不列出姓名。"</p>
                {by_item(rosters).into_iter().map(|(item, rosters)| view! {
                    <h3>{item}</h3>
                    <ul class="periods">
                        {rosters.into_iter().map(|r| view! {
                            <li>
                                {period_words(&r.period)}{(r.batch > 1).then(|| format!("（第{}批）", r.batch))}
                                " "<span class="meta">{r.money_words()}</span>
                            </li>
                        }).collect_view()}
                    </ul>
                }).collect_view()}
            </section>
        }
    })
}

#[component]
pub fn VillagePublicityPage() -> impl IntoView {
    let (township, village, year) = (param("township"), param("village"), year_param());
    let data =
        Resource::new_blocking(move || (township(), village(), year()), |(t, v, y)| get_village_publicity(t, v, y));
    view! {
        <Layout>
            <Loaded data=data view=move |d| {
                let base = format!("/publicity/{}/{}", d.township.code, d.village.code);
                // Group the village's rosters by item: one heading per item, its periods as links.
                let groups = by_item(d.rosters);
                view! {
                    <Title text=format!("{}{}发放公示", d.township.name, d.village.name) />
                    <p class="breadcrumb">
                        <a href=keep_county(format!("/publicity?year={}", d.year))>"发放公示"</a>" › "
                        <a href=keep_county(format!("/publicity/{}?year={}", d.township.code, d.year))>{d.township.name.clone()}</a>
                    </p>
                    <h1>{format!("{} {} 发放公示", d.township.name, d.village.name)}</h1>
                    <YearLinks years=d.years year=d.year base=base.clone() />
                    <crate::components::FeedLink
                        href=format!("/feeds/publicity/{}/{}.atom", d.township.code, d.village.code)
                        title=format!("{}{}发放公示", d.township.name, d.village.name)
                    />
                    {groups.is_empty().then(|| view! { <p class="empty">"本年度暂无公示。"</p> })}
                    {groups.into_iter().map(|(item, rosters)| {
                        let base = base.clone();
                        view! {
                            <section class="roster-group">
                                <h2>{item}</h2>
                                <ul class="periods">
                                    {rosters.into_iter().map(|r| view! {
                                        <li>
                                            <a href=keep_county(format!("{base}/{}", r.id))>
                                                {period_words(&r.period)}{(r.batch > 1).then(|| format!("（第{}批）", r.batch))}
                                            </a>
                                            <span class="meta">{r.money_words()}</span>
                                            {r.publicity_late().then(|| view! {
                                                <span class="flag">{format!("公示超期：发放后第{}天才公示（应在{PAYOUT_PUBLICITY_DAYS}日内）", r.publicity_delay().unwrap_or_default())}</span>
                                            })}
                                        </li>
                                    }).collect_view()}
                                </ul>
                            </section>
                        }
                    }).collect_view()}
                }
            } />
        </Layout>
    }
}

#[component]
pub fn RosterPublicityPage() -> impl IntoView {
    let (township, village, roster) = (param("township"), param("village"), param("roster"));
    let data = Resource::new_blocking(
        move || (township(), village(), roster().parse::<i64>().unwrap_or(0)),
        |(t, v, r)| get_roster_publicity(t, v, r),
    );
    view! {
        <Layout>
            <Loaded data=data view=move |d| view! { <RosterView data=d /> } />
        </Layout>
    }
}

#[component]
fn RosterView(data: RosterPublicity) -> impl IntoView {
    let RosterPublicity { township, village, roster: r, lines, versions, summarised, small_cell_rule } = data;
    let year = r.period.get(..4).unwrap_or_default().to_string();
    let here = format!("/publicity/{}/{}/{}", township.code, village.code, r.id);
    let csv = format!("{here}/csv");
    let delay = r.publicity_delay();
    let late = r.publicity_late();
    let title = format!("{} {} {}", village.name, r.item_name, period_words(&r.period));
    // Withdrawn by its department (its newest log entry): nothing of it is public until it is
    // publicised again.
    let withdrawn = versions.last().filter(|v| v.kind == "withdrawal").cloned();
    let is_withdrawn = withdrawn.is_some();
    // A person finds their own line by their name (masked as the list masks it), without JavaScript.
    let query = use_query_map();
    let sought = query
        .read_untracked()
        .get("name")
        .map(|n| n.trim().chars().take(20).collect::<String>())
        .filter(|n| !n.is_empty());
    // A printed notice's QR code names the log entry it shows (`?entry=`).
    let scanned = query.read_untracked().get("entry").and_then(|e| e.parse::<i64>().ok());
    let count = lines.len();
    let shown: Vec<_> = lines
        .into_iter()
        .filter(|l| {
            sought.as_deref().is_none_or(|n| name_matches(n, &l.name_masked, l.recipient_name_masked.as_deref()))
        })
        .collect();
    view! {
        <Title text=format!("{title} 发放公示") />
        <p class="breadcrumb">
            <a href=keep_county(format!("/publicity?year={year}"))>"发放公示"</a>" › "
            <a href=keep_county(format!("/publicity/{}?year={year}", township.code))>{township.name.clone()}</a>" › "
            <a href=keep_county(format!("/publicity/{}/{}?year={year}", township.code, village.code))>{village.name.clone()}</a>
        </p>
        <h1>{format!("{}{}", title, if r.batch > 1 { format!("（第{}批）", r.batch) } else { String::new() })}</h1>
        <dl class="facts">
            <dt>"主管部门"</dt><dd>{r.department.clone()}</dd>
            <dt>"清册状态"</dt><dd>{if withdrawn.is_some() { "已撤回公示" } else { roster_status_name(&r.status) }}</dd>
            <dt>"公示期"</dt>
            <dd>{match (&r.publicity_start, &r.publicity_end) { (Some(s), Some(e)) => format!("{s} 至 {e}"), _ => "—".to_string() }}</dd>
            <dt>"发放日期"</dt><dd>{r.paid_on.clone().unwrap_or_else(|| "尚未发放".into())}</dd>
            <dt>"发放后公示"</dt>
            <dd>
                {r.payout_publicised_on.clone().unwrap_or_else(|| "—".into())}
                {delay.map(|d| format!("（发放后第{d}天）"))}
                {late.then(|| view! { <span class="flag">{format!("公示超期：应在发放后{PAYOUT_PUBLICITY_DAYS}日内公示")}</span> })}
            </dd>
            <dt>"本村合计"</dt><dd>{r.money_words()}</dd>
        </dl>
        {summarised.map(|s| view! {
            <p class="small-cell-note">
                {format!("本清册另有 {} 人按乡镇汇总公示，不列入各村名单（{}）。", s.lines, s.money_words())}
                <a href=keep_county(format!("/publicity/{}?year={year}", township.code))>"见乡镇汇总"</a>
                <br /><span class="muted">{small_cell_rule}</span>
            </p>
        })}
        {withdrawn.map(|w| view! {
            <p class="flag-box" role="status">
                {format!("这份名单已于 {} 由{}撤回公示，理由：{}。名单改正后重新公示的，会在这里显示。", local_minute(&w.at), r.department, w.reason)}
            </p>
        })}
        {(!is_withdrawn).then(|| view! {
            <form method="get" action=here.clone() class="find-name" role="search">
                <CountyField />
                <label for="find-name">"找自己的名字：输入姓名"</label>
                <input id="find-name" name="name" maxlength="20" autocomplete="off" value=sought.clone().unwrap_or_default() />
                <button type="submit">"查找"</button>
            </form>
            {sought.clone().map(|n| view! {
                <p role="status">{format!("“{n}”：找到 {} 人（共 {count} 人）。", shown.len())}" "<a href=here.clone()>"显示全部"</a></p>
            })}
            <p class="roster-downloads">
                <a class="button secondary" href=csv download>"下载本页名单（表格，Excel可打开）"</a>
                <a class="button secondary" href=format!("{here}/notice")>"打印公示单（张贴公示栏用）"</a>
            </p>
            <div class="table-scroll" tabindex="0">
                <table class="lines">
                    <thead>
                        <tr>
                            <th scope="col">"姓名"</th><th scope="col">"身份证号"</th><th scope="col">"金额（元）"</th><th scope="col">"状态"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {shown.into_iter().map(|l| view! {
                            <tr>
                                <td data-label="姓名">
                                    {l.name_masked.clone()}
                                    {l.recipient_name_masked.clone().map(|rn| view! { <span class="recipient">{format!("（代领/代管：{rn}）")}</span> })}
                                </td>
                                <td class="mono" data-label="身份证号">{l.id_masked}</td>
                                <td class="num" data-label="金额（元）">{l.amount.grouped()}</td>
                                <td class=format!("status status-{}", l.status) data-label="状态">{line_status_name(&l.status)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        })}
        <Versions versions scanned />
    }
}

/// A roster's version history: each publication as the publicity log recorded it, with the
/// entry's hash and the link to its proof.
#[component]
fn Versions(versions: Vec<LogRecord>, scanned: Option<i64>) -> impl IntoView {
    let newest = versions.last().map(|v| v.leaf_index);
    let later = scanned.map(|s| versions.iter().filter(|v| v.leaf_index > s).count());
    let known = scanned.is_some_and(|s| versions.iter().any(|v| v.leaf_index == s));
    view! {
        <section class="versions" aria-labelledby="versions-title">
            <h2 id="versions-title">"公示记录"</h2>
            <p>
                "这份清册的每次公示、发放后公示、更正、撤回和追回都记入"<a href="/publicity/log">"公示日志"</a>
                "。日志只能添加，不能改动：记入后若有人改动名单，任何人都能查出来。"
            </p>
            {versions.is_empty().then(|| view! { <p class="empty">"本清册尚无公示日志记录。"</p> })}
            {match (known, later) {
                (true, Some(0)) => Some(view! { <p class="scanned" role="status">"您扫描的公示单就是这份名单现在的版本（下面标出的那一条）。"</p> }.into_any()),
                (true, Some(n)) => Some(view! {
                    <p class="scanned flag-box" role="status">{format!("您扫描的公示单之后，这份名单又有 {n} 条记录（更正或发放后公示），以网上现在的版本为准，见下。")}</p>
                }.into_any()),
                (false, Some(_)) => Some(view! { <p class="scanned flag-box" role="status">"您扫描的公示单所记的日志条目不属于这份名单，请核对。"</p> }.into_any()),
                _ => None,
            }}
            <ol class="versions">
                {versions.into_iter().map(|v| view! {
                    <li class=(scanned == Some(v.leaf_index)).then_some("scanned-entry")>
                        <strong>{kind_name(&v.kind)}</strong>" "{local_minute(&v.at)}
                        {(!v.reason.is_empty()).then(|| view! { <span class="reason">{format!("（{}）", v.reason)}</span> })}
                        <br />
                        <span class="meta">{format!("日志第 {} 条，哈希 ", v.leaf_index)}</span>
                        <code class="hash">{v.leaf_hash}</code>" "
                        <a href=format!("/api/v1/log/proof/inclusion?index={}", v.leaf_index)>"包含证明"</a>
                        {(scanned == Some(v.leaf_index)).then(|| view! { <strong class="scanned-mark">{if newest == scanned { "（您扫描的公示单，即现在的版本）" } else { "（您扫描的公示单）" }}</strong> })}
                    </li>
                }).collect_view()}
            </ol>
        </section>
    }
}

/// Whether a name typed by a visitor is the masked name of a line: typed in full it is masked as
/// the list masks names; one character finds the names that begin with it.
fn name_matches(typed: &str, masked: &str, recipient: Option<&str>) -> bool {
    let typed: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    let wanted = if typed.chars().count() == 1 { typed.clone() } else { crate::domain::mask::name(&typed) };
    let hit = |m: &str| if typed.chars().count() == 1 { m.starts_with(&wanted) } else { m == wanted };
    hit(masked) || recipient.is_some_and(hit)
}
