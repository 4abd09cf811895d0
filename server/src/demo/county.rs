//! The demo county's fixed tables: settings, regions, departments and banks, the documents and
//! the yearly catalogues with their items.

use super::catalogue::{self, ItemSpec, BANKS, FINANCE, ITEMS};
use super::plans::Plan;
use super::rng::Rng;
use super::{invalid, notices, places, DemoError, DemoOptions, DemoSummary, Table, END, FIRST_YEAR};
use app::ssr::db::bulk::Val;
use std::collections::HashMap;

/// The county's townships and villages, as written to `regions`.
pub(super) struct Regions {
    pub townships: Vec<places::Township>,
    /// Region ids of the townships, by township index.
    pub township_ids: Vec<i64>,
    /// (region id, township index) of each village, by village index.
    pub villages: Vec<(i64, usize)>,
}

/// The region id of the demo county, which owns the departments, catalogues and calendar.
pub(super) const COUNTY_ID: i64 = 1;

impl Plan {
    /// The county's catalogue: the shared items it pays, then its own.
    pub fn items(&self) -> Vec<ItemSpec> {
        let shared = ITEMS.iter().filter(|s| self.items.is_none_or(|codes| codes.contains(&s.code)));
        shared.chain(self.own_items).copied().collect()
    }

    /// A department's id by its code (ids follow the order of `departments`).
    pub(super) fn department_id(&self, code: &str) -> Option<i64> {
        self.departments.iter().position(|d| d.0 == code).map(|i| i as i64 + 1)
    }

    /// The name of the county's finance bureau.
    pub(super) fn finance_name(&self) -> String {
        let name = self.departments.iter().find(|d| d.0 == FINANCE).map_or("县财政局", |d| d.1);
        match name.strip_prefix('县').or_else(|| name.strip_prefix('区')) {
            Some(rest) => format!("{}{rest}", self.short),
            None => name.to_string(),
        }
    }
}

/// The installation's settings: the county's name and that this is the demo.
pub(super) fn settings(opts: &DemoOptions, plan: &Plan, tables: &mut Vec<Table>) {
    tables.push((
        "settings",
        &["key", "value"],
        vec![
            vec!["county_name".into(), plan.name.into()],
            vec!["demo".into(), "1".into()],
            vec!["demo_seed".into(), opts.seed.to_string().into()],
        ],
    ));
}

/// The county, its townships and their villages.
pub(super) fn regions(
    rng: &mut Rng,
    plan: &Plan,
    people: usize,
    tables: &mut Vec<Table>,
    summary: &mut DemoSummary,
) -> Regions {
    let townships = places::townships(rng, plan, people);
    let mut regions =
        vec![vec![COUNTY_ID.into(), plan.code.into(), plan.name.into(), "county".into(), Val::Int(None), 0i64.into()]];
    let mut township_ids = Vec::new();
    let mut villages: Vec<(i64, usize)> = Vec::new(); // (region id, township index)
    let mut next_region = 2i64;
    for (t, township) in townships.iter().enumerate() {
        let tid = next_region;
        next_region += 1;
        township_ids.push(tid);
        regions.push(vec![
            tid.into(),
            township.code.clone().into(),
            township.name.clone().into(),
            "township".into(),
            COUNTY_ID.into(),
            (t as i64).into(),
        ]);
        for (v, (code, name)) in township.villages.iter().enumerate() {
            regions.push(vec![
                next_region.into(),
                code.clone().into(),
                name.clone().into(),
                "village".into(),
                tid.into(),
                (v as i64).into(),
            ]);
            villages.push((next_region, t));
            next_region += 1;
        }
    }
    summary.townships = townships.len();
    summary.villages = villages.len();
    tables.push(("regions", &["id", "code", "name", "level", "parent_id", "sort_order"], regions));
    Regions { townships, township_ids, villages }
}

/// The columns of `banks`.
pub(super) const BANK_COLUMNS: &[&str] = &["id", "code", "name", "phone", "aliases", "luhn"];

/// The paying banks, each named by `name` from its name in `BANKS`.
pub(super) fn bank_rows(name: impl Fn(&str) -> String) -> Vec<Vec<Val>> {
    BANKS
        .iter()
        .enumerate()
        .map(|(i, (code, bank, phone, aliases, luhn))| {
            vec![
                (i as i64 + 1).into(),
                (*code).into(),
                name(bank).into(),
                (*phone).into(),
                (*aliases).into(),
                i64::from(*luhn).into(),
            ]
        })
        .collect()
}

/// The departments (the finance bureau among them) and the banks that pay.
pub(super) fn departments_and_banks(plan: &Plan, tables: &mut Vec<Table>) {
    tables.push((
        "departments",
        &["id", "region_id", "code", "name", "phone", "address", "is_finance"],
        plan.departments
            .iter()
            .enumerate()
            .map(|(i, (code, name, phone, address))| {
                vec![
                    (i as i64 + 1).into(),
                    COUNTY_ID.into(),
                    (*code).into(),
                    (*name).into(),
                    (*phone).into(),
                    (*address).into(),
                    i64::from(*code == FINANCE).into(),
                ]
            })
            .collect(),
    ));
    tables.push(("banks", BANK_COLUMNS, bank_rows(|name| name.to_string())));
}

/// The seed notices, one catalogue notice per year, the yearly catalogues and their items with
/// the documents each rests on. Returns each item's id by (year, code).
pub(super) fn catalogue(
    plan: &Plan,
    seeds: &[usize],
    tables: &mut Vec<Table>,
    summary: &mut DemoSummary,
) -> Result<HashMap<(i32, &'static str), i64>, DemoError> {
    let specs = plan.items();
    let finance = plan.department_id(FINANCE).ok_or_else(|| invalid(plan.name))?;
    // A one-county portal publishes the five seed documents as its own (no department); a county
    // of the province publishes its one seed through its finance bureau, so that only that
    // county's pages list it.
    let seed_owner = if seeds.len() == 1 { Val::Int(Some(finance)) } else { Val::Int(None) };
    let mut documents = Vec::new();
    for (i, n) in seeds.iter().map(|s| &notices::SEED_NOTICES[*s]).enumerate() {
        documents.push(vec![
            (i as i64 + 1).into(),
            "policy".into(),
            n.title.into(),
            n.doc_number.into(),
            n.issuer.into(),
            n.published_on.into(),
            n.body.into(),
            seed_owner.clone(),
            n.source.into(),
        ]);
    }
    let years: Vec<i32> = (FIRST_YEAR..=END.0).collect();
    let mut catalogue_doc = HashMap::new();
    for year in &years {
        let id = documents.len() as i64 + 1;
        catalogue_doc.insert(*year, id);
        documents.push(vec![
            id.into(),
            "notice".into(),
            format!("{}{year}年惠民惠农财政补贴政策清单", plan.name).into(),
            format!("{}〔{year}〕1号", plan.notice_prefix).into(),
            plan.finance_name().into(),
            format!("{year}-01-15").into(),
            catalogue_notice_body(plan, &specs, *year).into(),
            finance.into(),
            "演示数据".into(),
        ]);
    }
    summary.documents = documents.len();
    tables.push((
        "documents",
        &["id", "kind", "title", "doc_number", "issuer", "published_on", "body", "department_id", "source"],
        documents,
    ));
    tables.push((
        "catalogue_years",
        &["county_id", "year", "title", "published_on", "document_id"],
        years
            .iter()
            .map(|y| {
                vec![
                    COUNTY_ID.into(),
                    i64::from(*y).into(),
                    format!("{y}年惠民惠农财政补贴政策清单").into(),
                    format!("{y}-01-15").into(),
                    catalogue_doc[y].into(),
                ]
            })
            .collect(),
    ));

    let mut items = Vec::new();
    let mut item_docs = Vec::new();
    let mut item_id: HashMap<(i32, &str), i64> = HashMap::new();
    for year in &years {
        for (order, spec) in specs.iter().enumerate().filter(|(_, s)| (s.first_year..=s.last_year).contains(year)) {
            let id = items.len() as i64 + 1;
            item_id.insert((*year, spec.code), id);
            let parent = spec.parent_code().and_then(|p| item_id.get(&(*year, p)).copied());
            let (standard, standard_fen) = catalogue::standard_for(spec, *year);
            let dept = plan.department_id(spec.department).ok_or_else(|| invalid(spec.department))?;
            items.push(vec![
                id.into(),
                COUNTY_ID.into(),
                i64::from(*year).into(),
                spec.code.into(),
                spec.name.into(),
                parent.into(),
                spec.level.into(),
                dept.into(),
                standard.into(),
                standard_fen.into(),
                spec.frequency.into(),
                1i64.into(),
                i64::from(spec.per_household).into(),
                spec.aliases.into(),
                (order as i64).into(),
            ]);
            item_docs.push(vec![id.into(), catalogue_doc[year].into()]);
            for seed in basis_documents(spec.code) {
                if let Some(doc) = seeds.iter().position(|s| *s == seed) {
                    item_docs.push(vec![id.into(), (doc as i64 + 1).into()]);
                }
            }
        }
    }
    summary.items = specs.len();
    tables.push((
        "subsidy_items",
        &[
            "id",
            "county_id",
            "year",
            "code",
            "name",
            "parent_id",
            "level",
            "department_id",
            "standard",
            "standard_fen",
            "frequency",
            "bank_id",
            "per_household",
            "aliases",
            "sort_order",
        ],
        items,
    ));
    tables.push(("item_documents", &["item_id", "document_id"], item_docs));
    Ok(item_id)
}

/// Seed documents (by index in `SEED_NOTICES`) each item rests on, besides its year's catalogue
/// notice.
fn basis_documents(code: &str) -> Vec<usize> {
    const SICHUAN_18: &[&str] = &[
        "01", "02", "04", "05", "06-01", "07", "08", "09", "10", "12", "13", "14", "15", "16", "17", "18", "24", "25",
    ];
    let top = code.split('-').next().unwrap_or(code);
    let mut docs = Vec::new();
    if SICHUAN_18.contains(&code) || SICHUAN_18.contains(&top) {
        docs.push(1); // Leshan letter carrying the Sichuan pilot plan and its list of 18
    }
    if top.parse::<u32>().is_ok_and(|n| n <= 23) {
        docs.push(0); // Wanyuan item list
    }
    if code == "26" {
        docs.push(4); // Dushan 2024 county catalogue
    }
    docs
}

/// The catalogue notice, with the list as a tab-separated table like the seed documents.
fn catalogue_notice_body(plan: &Plan, specs: &[ItemSpec], year: i32) -> String {
    let mut body = format!(
        "{county}{year}年惠民惠农财政补贴政策清单\n\n根据上级有关规定，现将本{kind}{year}年通过社会保障卡“一卡通”发放的惠民惠农财政补贴政策清单公布如下。\n\n\t序号\t项目名称\t层级\t主管部门\t补贴标准\t发放周期\n",
        county = plan.name,
        kind = if plan.short.ends_with('区') { "区" } else { "县" }
    );
    for spec in specs.iter().filter(|s| (s.first_year..=s.last_year).contains(&year)) {
        let dept = plan.departments.iter().find(|d| d.0 == spec.department).map_or("", |d| d.1);
        let (standard, _) = catalogue::standard_for(spec, year);
        body.push_str(&format!(
            "\t{}\t{}\t{}\t{dept}\t{standard}\t{}\n",
            spec.code,
            spec.name,
            level_zh(spec.level),
            frequency_zh(spec.frequency)
        ));
    }
    body.push_str(&format!(
        "\n群众对补贴发放有疑问的，可向主管部门咨询或投诉，也可通过本平台提交。\n\n{}（演示）\n",
        plan.finance_name()
    ));
    body
}

fn level_zh(level: &str) -> &'static str {
    match level {
        "central" => "中央",
        "provincial" => "省级",
        "municipal" => "市级",
        _ => "县级",
    }
}

fn frequency_zh(f: &str) -> &'static str {
    match f {
        "monthly" => "按月",
        "quarterly" => "按季",
        "half_yearly" => "按半年",
        "yearly" => "按年",
        "one_off" => "一次性",
        _ => "按需",
    }
}
