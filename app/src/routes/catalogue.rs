//! `/staff/catalogue`: a year's catalogue as the department side edits it (its own items;
//! finance all, and adds items), with the forecast (应发数) and its revisions next to what was
//! actually paid, large deviations flagged.

use crate::api::catalogue::{get_catalogue, Catalogue, CatalogueItem, FREQUENCIES, REVISIONS};
use crate::api::policies::{frequency_name, level_name, LEVELS};
use crate::api::staff::Choice;
use crate::components::Page;
use crate::routes::staff::StaffBar;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

fn refusal(code: &str) -> &'static str {
    match code {
        "name" => "请填写项目名称（2至60字）",
        "amount" => "补贴标准金额应为大于0的数字，最多两位小数；按规则计算的可不填",
        "frequency" => "请选择发放周期",
        "add" => "新增项目：请填写编码（如 27 或 27-01）、名称、层级、主管部门和发放周期",
        "forecast" => "应发数应为大于0的金额，并选择调整批次",
        "documents" => "政策依据中有文号找不到对应的已发布文件，请先在“通知公告”发布，或核对文号",
        _ => "没有权限修改这个项目，或编码已存在",
    }
}

#[component]
pub fn CataloguePage() -> impl IntoView {
    let query = use_query_map();
    let data = Resource::new_blocking(
        move || {
            let q = query.read();
            (q.get("year").and_then(|y| y.parse::<i32>().ok()), q.get("county"))
        },
        |(year, county)| get_catalogue(year, county),
    );
    view! {
        <Page title="政策清单维护" data view=|c| view! { <CatalogueView c /> } />
    }
}

#[component]
fn Options(choices: Vec<Choice>, current: Option<i64>, blank: Option<&'static str>) -> impl IntoView {
    view! {
        {blank.map(|b| view! { <option value="">{b}</option> })}
        {choices.into_iter().map(|c| {
            let selected = current.map(|v| v.to_string()) == Some(c.value.clone());
            view! { <option value=c.value selected=selected>{c.label}</option> }
        }).collect_view()}
    }
}

#[component]
fn CatalogueView(c: Catalogue) -> impl IntoView {
    let query = use_query_map();
    let message = move || {
        let q = query.read();
        q.get("e")
            .map(|e| (true, refusal(&e).to_string()))
            .or_else(|| q.get("done").map(|_| (false, "已保存。".to_string())))
    };
    let (year, csrf, county) = (c.year, c.me.csrf.clone(), c.county.clone());
    let (departments, banks, finance) = (c.departments.clone(), c.banks.clone(), c.finance);
    let county_name = c.counties.iter().find(|x| x.value == county).map(|x| x.label.clone()).unwrap_or_default();
    view! {
        <StaffBar me=c.me.clone() />
        <h1>{format!("{county_name}{year}年政策清单维护")}</h1>
        {move || message().map(|(bad, m)| view! { <p class={if bad { "error-box" } else { "notice-box" }} role="alert">{m}</p> })}
        {(!c.counties.is_empty()).then(|| view! {
            <form method="get" action="/staff/catalogue" class="filters">
                <label>"县（市、区）"
                    <select name="county">
                        {c.counties.iter().map(|x| view! { <option value=x.value.clone() selected=x.value == county>{x.label.clone()}</option> }).collect_view()}
                    </select>
                </label>
                <button type="submit" class="secondary">"查看该县清单"</button>
            </form>
        })}
        <p class="years">"年度："{c.years.iter().map(|y| if *y == year {
            view! { <strong>{format!("{y}年")}</strong> }.into_any()
        } else {
            view! { <a href=format!("/staff/catalogue?year={y}&county={county}")>{format!("{y}年")}</a> }.into_any()
        }).collect_view()}</p>
        <p class="muted">"应发数为全年预计发放金额，可在6月、9月、12月调整；实际发放超过应发数，或年度结束时低于应发数20%以上的，标记提示。"</p>
        <div class="table-scroll" tabindex="0">
            <table class="catalogue">
                <thead><tr>
                    <th scope="col">"编码"</th><th scope="col">"项目"</th><th scope="col">"主管部门"</th><th scope="col">"标准"</th>
                    <th scope="col">"应发数（元）"</th><th scope="col">"实际发放（元）"</th><th scope="col">"完成"</th>
                </tr></thead>
                <tbody>
                    {c.items.iter().map(|i| view! {
                        <tr class={if i.flagged { "overdue" } else { "" }}>
                            <td>{i.code.clone()}</td>
                            <td>{i.name.clone()}</td>
                            <td>{i.department.clone()}</td>
                            <td>{i.standard_amount.map(|m| format!("{} 元", m.grouped())).unwrap_or_else(|| i.standard_text.clone())}</td>
                            <td class="num">{i.forecast.as_ref().map(|(r, m)| format!("{}（{}）", m.grouped(), REVISIONS.iter().find(|(k, _)| k == r).map_or("", |(_, n)| *n))).unwrap_or_else(|| "—".into())}</td>
                            <td class="num">{i.actual.grouped()}</td>
                            <td class="num">{i.actual_pct.map(|p| format!("{p}%")).unwrap_or_else(|| "—".into())}{i.flagged.then(|| view! { <span class="flag">"偏差"</span> })}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <h2>"修改项目"</h2>
        {c.items.into_iter().filter(|i| i.editable).map(|i| view! { <ItemForms i year county=county.clone() csrf=csrf.clone() departments=departments.clone() banks=banks.clone() finance /> }).collect_view()}
        {(finance && c.years.first() == Some(&year)).then(|| view! {
            <form method="post" action="/staff/catalogue">
                <input type="hidden" name="csrf" value=csrf.clone() />
                <input type="hidden" name="op" value="new_year" />
                <input type="hidden" name="year" value=year.to_string() />
                <input type="hidden" name="county" value=county.clone() />
                <button type="submit" class="secondary">{format!("以{year}年为底稿，新建{}年政策清单", year + 1)}</button>
            </form>
        })}
        {finance.then(|| view! {
            <h2>"新增项目"</h2>
            <form method="post" action="/staff/catalogue" class="filters">
                <input type="hidden" name="csrf" value=csrf.clone() />
                <input type="hidden" name="op" value="add" />
                <input type="hidden" name="year" value=year.to_string() />
                <input type="hidden" name="county" value=county.clone() />
                <label>"编码"<input name="code" required maxlength="10" placeholder="27 或 27-01" /></label>
                <label>"名称"<input name="name" required maxlength="60" /></label>
                <label>"层级"<select name="level">{LEVELS.iter().map(|l| view! { <option value=*l>{level_name(l)}</option> }).collect_view()}</select></label>
                <label>"主管部门"<select name="department" required><Options choices=departments.clone() current=None blank=None /></select></label>
                <label>"补贴标准（文字）"<input name="standard_text" maxlength="500" /></label>
                <label>"标准金额（元，可不填）"<input name="standard_amount" inputmode="decimal" maxlength="15" /></label>
                <label>"发放周期"<select name="frequency">{FREQUENCIES.iter().map(|f| view! { <option value=*f>{frequency_name(f)}</option> }).collect_view()}</select></label>
                <label>"代发银行"<select name="bank"><Options choices=banks.clone() current=None blank=Some("不指定") /></select></label>
                <button type="submit">"新增"</button>
            </form>
        })}
    }
}

#[component]
fn ItemForms(
    i: CatalogueItem,
    year: i32,
    county: String,
    csrf: String,
    departments: Vec<Choice>,
    banks: Vec<Choice>,
    finance: bool,
) -> impl IntoView {
    view! {
        <details class="item-edit">
            <summary>{format!("{} {}", i.code, i.name)}</summary>
            <form method="post" action="/staff/catalogue" class="filters">
                <input type="hidden" name="csrf" value=csrf.clone() />
                <input type="hidden" name="op" value="save" />
                <input type="hidden" name="year" value=year.to_string() />
                <input type="hidden" name="county" value=county.clone() />
                <input type="hidden" name="id" value=i.id.to_string() />
                <label>"名称"<input name="name" required maxlength="60" value=i.name.clone() /></label>
                <label>"补贴标准（文字）"<input name="standard_text" maxlength="500" value=i.standard_text.clone() /></label>
                <label>"标准金额（元）"<input name="standard_amount" inputmode="decimal" maxlength="15" value=i.standard_amount.map(|m| m.plain()).unwrap_or_default() /></label>
                <label>"发放周期"
                    <select name="frequency">
                        {FREQUENCIES.iter().map(|f| view! { <option value=*f selected=i.frequency == *f>{frequency_name(f)}</option> }).collect_view()}
                    </select>
                </label>
                <label>"代发银行"<select name="bank"><Options choices=banks current=i.bank_id blank=Some("不指定") /></select></label>
                <label>"简称（搜索用）"<input name="aliases" maxlength="100" value=i.aliases.clone() /></label>
                <label>"政策依据（文号，用；分隔）"<input name="documents" maxlength="500" value=i.documents.clone() /></label>
                {finance.then(|| view! {
                    <label>"主管部门"<select name="department"><Options choices=departments current=Some(i.department_id) blank=None /></select></label>
                })}
                <button type="submit" class="secondary">"保存"</button>
            </form>
            <form method="post" action="/staff/catalogue" class="filters">
                <input type="hidden" name="csrf" value=csrf />
                <input type="hidden" name="op" value="forecast" />
                <input type="hidden" name="year" value=year.to_string() />
                <input type="hidden" name="county" value=county />
                <input type="hidden" name="id" value=i.id.to_string() />
                <label>"应发数调整"<select name="revision">{REVISIONS.iter().map(|(k, n)| view! { <option value=*k>{*n}</option> }).collect_view()}</select></label>
                <label>"应发金额（元）"<input name="amount" inputmode="decimal" required maxlength="15" /></label>
                <label>"人数"<input name="people" inputmode="numeric" maxlength="8" /></label>
                <button type="submit" class="secondary">"保存应发数"</button>
            </form>
        </details>
    }
}
