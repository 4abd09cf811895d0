//! `demo`: fills an empty database with a fictional county, deterministic from a seed: regions,
//! departments, banks, the seed documents as notices, three yearly catalogues, households and
//! beneficiaries, and three years of rosters, payments, bank failures, reissues and publicity.

mod cases;
pub mod catalogue;
mod names;
pub mod notices;
pub mod office;
pub mod places;
mod rng;

use app::domain::date::{civil_from_days, days_from_civil, parse_days};
use app::domain::{mask, BankAccount, Calendar, IdNumber, Phone};
use app::ssr::db::bulk::{insert_rows, Val};
use app::ssr::{clock, Db, Vault};
use catalogue::{Amount, ItemSpec, Who, BANKS, DEPARTMENTS, FINANCE, ITEMS};
use rng::Rng;
use std::collections::{BTreeMap, HashMap, HashSet};

/// The demo covers January of `FIRST_YEAR` to `END` (year, month): earlier months are paid,
/// the last month's rosters are still in the review flow.
pub const FIRST_YEAR: i32 = 2024;
pub const END: (i32, u32) = (2026, 11);
pub const DEFAULT_SEED: u64 = 20_240_101;
pub const DEFAULT_PEOPLE: usize = 50_000;

#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub seed: u64,
    /// Number of beneficiaries (people registered in the county's rolls).
    pub people: usize,
}

impl Default for DemoOptions {
    fn default() -> Self {
        Self { seed: DEFAULT_SEED, people: DEFAULT_PEOPLE }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("the database already holds data; the demo county is only loaded into an empty database")]
    NotEmpty,
    #[error("the demo needs at least 500 people, {0} were asked for")]
    TooSmall(usize),
    #[error("database error while loading the demo: {0}")]
    Db(#[from] sqlx::Error),
    #[error("the demo generator produced an invalid value: {0}")]
    Invalid(String),
}

/// A demo person worth trying the self-check with (printed after loading, listed in the README).
#[derive(Debug, Clone)]
pub struct Example {
    pub label: &'static str,
    pub name: String,
    pub id_number: IdNumber,
    pub phone: Phone,
}

#[derive(Debug, Default)]
pub struct DemoSummary {
    pub townships: usize,
    pub villages: usize,
    pub items: usize,
    pub documents: usize,
    pub households: usize,
    pub beneficiaries: usize,
    pub rosters: usize,
    pub payments: usize,
    pub failed: usize,
    pub reissued: usize,
    pub publicity_entries: usize,
    pub cases: usize,
    /// An answered public case and its filer's phone, to try tracking with.
    pub example_case: Option<(String, Phone)>,
    pub examples: Vec<Example>,
}

/// True when nothing has been loaded yet (no regions).
pub async fn is_empty(db: &Db) -> Result<bool, sqlx::Error> {
    Ok(db.held().await?.regions == 0)
}

/// Generates the county and writes it in one transaction: all of it or nothing.
pub async fn load(db: &Db, vault: &Vault, opts: &DemoOptions) -> Result<DemoSummary, DemoError> {
    if opts.people < 500 {
        return Err(DemoError::TooSmall(opts.people));
    }
    if !is_empty(db).await? {
        return Err(DemoError::NotEmpty);
    }
    let started = std::time::Instant::now();
    let mut county = generate(vault, opts)?;
    tracing::debug!(seconds = started.elapsed().as_secs_f32(), "demo generated in memory");
    let mut tx = db.begin().await?;
    db.bulk_cache(&mut tx, true).await?;
    county.write(&mut tx).await?;
    app::ssr::rosters::reads::carry_line_accounts(&mut tx).await?;
    db.bulk_cache(&mut tx, false).await?;
    tx.commit().await?;
    db.sync_id_sequences(&[
        "regions",
        "departments",
        "banks",
        "staff_users",
        "documents",
        "subsidy_items",
        "households",
        "beneficiaries",
        "rosters",
        "roster_events",
        "payments",
        "publicity_entries",
        "cases",
        "case_events",
    ])
    .await?;
    Ok(county.summary)
}

// ---------------------------------------------------------------------------------------------
// Dates

fn date(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

fn stamp(days: i64, secs: i64) -> String {
    clock::timestamp(days * 86_400 + secs)
}

fn month_index(y: i32, m: u32) -> i64 {
    i64::from(y) * 12 + i64::from(m) - 1
}

// ---------------------------------------------------------------------------------------------
// The generated county, kept as rows until written

struct Person {
    id: i64,
    name: String,
    ethnicity: &'static str,
    id_number: IdNumber,
    phone: Option<Phone>,
    age: u32,
    village: usize,
    township: usize,
    household: i64,
    head: i64,
    card_status: &'static str,
    bank: i64,
    account: Option<BankAccount>,
    custodian: Option<(&'static str, i64)>,
}

struct RosterRow {
    id: i64,
    item_id: i64,
    period: String,
    township: usize,
    batch: i64,
    department_id: i64,
    status: &'static str,
    line_count: i64,
    total_fen: i64,
    publicity_start: i64,
    paid_on: Option<i64>,
    payout_publicised_on: Option<i64>,
}

struct PaymentRow {
    id: i64,
    roster: usize,
    beneficiary: i64,
    recipient: i64,
    item_id: i64,
    amount_fen: i64,
    status: &'static str,
    failure_reason: Option<&'static str>,
    reissue_of: Option<i64>,
}

/// A table's rows: generated already, or made while writing from the payment flow.
enum Rows {
    Ready(Vec<Vec<Val>>),
    Payments,
    Publicity,
}

struct County {
    rows: Vec<(&'static str, &'static [&'static str], Rows)>,
    lines: Lines,
    summary: DemoSummary,
}

impl County {
    async fn write(&mut self, tx: &mut sqlx::Transaction<'static, sqlx::Any>) -> Result<(), sqlx::Error> {
        for (table, columns, rows) in &mut self.rows {
            let started = std::time::Instant::now();
            let written = match rows {
                Rows::Ready(rows) => insert_rows(tx, table, columns, std::mem::take(rows)).await?,
                Rows::Payments => insert_rows(tx, table, columns, self.lines.payment_rows()).await?,
                Rows::Publicity => {
                    let n = insert_rows(tx, table, columns, self.lines.publicity_rows()).await?;
                    self.summary.publicity_entries = n as usize;
                    n
                }
            };
            tracing::debug!(table, written, seconds = started.elapsed().as_secs_f32(), "demo table written");
        }
        Ok(())
    }
}

const PAYMENT_COLUMNS: &[&str] = &[
    "id",
    "roster_id",
    "beneficiary_id",
    "recipient_id",
    "item_id",
    "period",
    "amount_fen",
    "bank_id",
    "account_last4",
    "status",
    "failure_reason",
    "paid_on",
    "reissue_of_id",
    "created_at",
];
const PUBLICITY_COLUMNS: &[&str] = &[
    "id",
    "roster_id",
    "payment_id",
    "beneficiary_id",
    "stage",
    "name_masked",
    "id_masked",
    "recipient_name_masked",
    "village_id",
    "item_id",
    "period",
    "amount_fen",
    "status",
    "published_on",
];

/// The people and the payment flow, from which the payment and publicity rows are made.
struct Lines {
    people: Vec<Person>,
    flow: Flow,
    /// Village region ids, by village index.
    villages: Vec<i64>,
    /// Decides the few lines publicised wrongly or not at all.
    mismatch: Rng,
}

impl Lines {
    fn person(&self, id: i64) -> &Person {
        &self.people[(id - 1) as usize]
    }

    fn payment_rows(&self) -> impl Iterator<Item = Vec<Val>> + '_ {
        self.flow.payments.iter().map(|p| {
            let r = &self.flow.rosters[p.roster];
            let recipient = self.person(p.recipient);
            let paid_on = (p.status == "paid").then_some(r.paid_on).flatten();
            vec![
                p.id.into(),
                r.id.into(),
                p.beneficiary.into(),
                p.recipient.into(),
                p.item_id.into(),
                r.period.clone().into(),
                p.amount_fen.into(),
                recipient.bank.into(),
                recipient.account.as_ref().map(|a| a.last4().to_string()).unwrap_or_else(|| "0000".into()).into(),
                p.status.into(),
                p.failure_reason.into(),
                paid_on.map(date).into(),
                p.reissue_of.into(),
                stamp(r.publicity_start - 2, 9 * 3600).into(),
            ]
        })
    }

    /// What the public saw: before payment while the roster is in review, after payment once
    /// paid; a very few lines were publicised with a wrong amount or not at all, as happens.
    fn publicity_rows(&self) -> impl Iterator<Item = Vec<Val>> + '_ {
        let mut rng = self.mismatch.clone();
        let mut id = 0i64;
        self.flow.payments.iter().filter_map(move |p| {
            let r = &self.flow.rosters[p.roster];
            let person = self.person(p.beneficiary);
            let recipient = self.person(p.recipient);
            let (stage, published, status) = match r.paid_on {
                None => ("before_payment", r.publicity_start, "pending"),
                Some(_) => (
                    "after_payment",
                    r.payout_publicised_on.unwrap_or(r.publicity_start),
                    match (p.status, p.reissue_of) {
                        (_, Some(_)) => "reissued",
                        ("failed", None) => "failed",
                        _ => "paid",
                    },
                ),
            };
            let skip = rng.chance(1);
            let amount = if rng.chance(1) { p.amount_fen + 10_000 } else { p.amount_fen };
            if skip {
                return None;
            }
            id += 1;
            let recipient_masked =
                (p.recipient != p.beneficiary && person.custodian.is_some()).then(|| mask::name(&recipient.name));
            Some(vec![
                id.into(),
                r.id.into(),
                p.id.into(),
                p.beneficiary.into(),
                stage.into(),
                mask::name(&person.name).into(),
                mask::id_number(&person.id_number).into(),
                recipient_masked.into(),
                self.villages[person.village].into(),
                p.item_id.into(),
                r.period.clone().into(),
                amount.into(),
                status.into(),
                date(published).into(),
            ])
        })
    }
}

fn invalid(e: impl std::fmt::Display) -> DemoError {
    DemoError::Invalid(e.to_string())
}

/// One table of generated rows: its name, its columns, its rows.
type Table = (&'static str, &'static [&'static str], Vec<Vec<Val>>);

fn generate(vault: &Vault, opts: &DemoOptions) -> Result<County, DemoError> {
    let mut root = Rng::new(opts.seed);
    let mut summary = DemoSummary::default();
    let mut tables: Vec<Table> = Vec::new();
    let created = stamp(days_from_civil(FIRST_YEAR - 1, 12, 1), 9 * 3600);

    // Settings.
    tables.push((
        "settings",
        &["key", "value"],
        vec![
            vec!["county_name".into(), places::COUNTY_NAME.into()],
            vec!["demo".into(), "1".into()],
            vec!["demo_seed".into(), opts.seed.to_string().into()],
        ],
    ));

    // Regions.
    let townships = places::townships(&mut root.fork(1), opts.people);
    let mut regions = vec![vec![
        1i64.into(),
        places::COUNTY_CODE.into(),
        places::COUNTY_NAME.into(),
        "county".into(),
        Val::Int(None),
        0i64.into(),
    ]];
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
            1i64.into(),
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

    // Departments and banks.
    let department_id = |code: &str| DEPARTMENTS.iter().position(|d| d.0 == code).map(|i| i as i64 + 1);
    tables.push((
        "departments",
        &["id", "code", "name", "phone", "address", "is_finance"],
        DEPARTMENTS
            .iter()
            .enumerate()
            .map(|(i, (code, name, phone, address))| {
                vec![
                    (i as i64 + 1).into(),
                    (*code).into(),
                    (*name).into(),
                    (*phone).into(),
                    (*address).into(),
                    i64::from(*code == FINANCE).into(),
                ]
            })
            .collect(),
    ));
    tables.push((
        "banks",
        &["id", "code", "name", "phone", "aliases", "luhn"],
        BANKS
            .iter()
            .enumerate()
            .map(|(i, (code, name, phone, aliases, luhn))| {
                vec![
                    (i as i64 + 1).into(),
                    (*code).into(),
                    (*name).into(),
                    (*phone).into(),
                    (*aliases).into(),
                    i64::from(*luhn).into(),
                ]
            })
            .collect(),
    ));

    // Documents: the seed notices, then one catalogue notice per year.
    let mut documents = Vec::new();
    for (i, n) in notices::SEED_NOTICES.iter().enumerate() {
        documents.push(vec![
            (i as i64 + 1).into(),
            "policy".into(),
            n.title.into(),
            n.doc_number.into(),
            n.issuer.into(),
            n.published_on.into(),
            n.body.into(),
            Val::Int(None),
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
            format!("{}{year}年惠民惠农财政补贴政策清单", places::COUNTY_NAME).into(),
            format!("青财发〔{year}〕1号").into(),
            "县财政局".into(),
            format!("{year}-01-15").into(),
            catalogue_notice_body(*year).into(),
            department_id(FINANCE).into(),
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
        &["year", "title", "published_on", "document_id"],
        years
            .iter()
            .map(|y| {
                vec![
                    i64::from(*y).into(),
                    format!("{y}年惠民惠农财政补贴政策清单").into(),
                    format!("{y}-01-15").into(),
                    catalogue_doc[y].into(),
                ]
            })
            .collect(),
    ));

    // Catalogue items per year, and their basis documents.
    let mut items = Vec::new();
    let mut item_docs = Vec::new();
    let mut item_id: HashMap<(i32, &str), i64> = HashMap::new();
    for year in &years {
        for (order, spec) in ITEMS.iter().enumerate().filter(|(_, s)| (s.first_year..=s.last_year).contains(year)) {
            let id = items.len() as i64 + 1;
            item_id.insert((*year, spec.code), id);
            let parent = spec.parent_code().and_then(|p| item_id.get(&(*year, p)).copied());
            let (standard, standard_fen) = catalogue::standard_for(spec, *year);
            let dept = department_id(spec.department).ok_or_else(|| invalid(spec.department))?;
            items.push(vec![
                id.into(),
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
            for doc in basis_documents(spec.code) {
                item_docs.push(vec![id.into(), doc.into()]);
            }
        }
    }
    summary.items = ITEMS.len();
    tables.push((
        "subsidy_items",
        &[
            "id",
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

    // Households and people.
    let people = make_people(&mut root.fork(2), opts.people, &villages)?;
    let households: BTreeMap<i64, usize> = people.iter().map(|p| (p.household, p.village)).collect();
    summary.households = households.len();
    summary.beneficiaries = people.len();
    tables.push((
        "households",
        &["id", "code", "village_id"],
        households
            .iter()
            .map(|(id, v)| vec![(*id).into(), format!("HH{id:07}").into(), villages[*v].0.into()])
            .collect(),
    ));
    tables.push((
        "beneficiaries",
        &[
            "id",
            "id_hash",
            "id_enc",
            "id_masked",
            "name",
            "name_masked",
            "gender",
            "ethnicity",
            "phone_enc",
            "phone_hash",
            "village_id",
            "household_id",
            "is_household_head",
            "card_status",
            "card_bank_id",
            "account_enc",
            "account_hash",
            "account_last4",
            "custodian_kind",
            "custodian_id",
            "is_deceased",
            "created_at",
        ],
        people
            .iter()
            .map(|p| {
                vec![
                    p.id.into(),
                    vault.lookup_hash(p.id_number.as_str()).into(),
                    vault.encrypt(p.id_number.as_str()).into(),
                    mask::id_number(&p.id_number).into(),
                    p.name.clone().into(),
                    mask::name(&p.name).into(),
                    (if p.id_number.is_male() { "male" } else { "female" }).into(),
                    p.ethnicity.into(),
                    p.phone.as_ref().map(|ph| vault.encrypt(ph.as_str())).into(),
                    p.phone.as_ref().map(|ph| vault.lookup_hash(ph.as_str())).into(),
                    villages[p.village].0.into(),
                    p.household.into(),
                    i64::from(p.head == p.id).into(),
                    p.card_status.into(),
                    p.account.as_ref().map(|_| p.bank).into(),
                    p.account.as_ref().map(|a| vault.encrypt(a.as_str())).into(),
                    p.account.as_ref().map(|a| vault.lookup_hash(a.as_str())).into(),
                    p.account.as_ref().map(|a| a.last4().to_string()).into(),
                    p.custodian.map(|(kind, _)| kind).into(),
                    p.custodian.map(|(_, id)| id).into(),
                    0i64.into(),
                    created.clone().into(),
                ]
            })
            .collect(),
    ));

    // Rosters, payments and publicity.
    let flow = make_payments(&mut root.fork(3), &people, &township_ids, &item_id, &department_id)?;
    summary.rosters = flow.rosters.len();
    summary.payments = flow.payments.len();
    summary.failed = flow.payments.iter().filter(|p| p.status == "failed").count();
    summary.reissued = flow.payments.iter().filter(|p| p.reissue_of.is_some()).count();
    let mut events = Vec::new();
    let roster_rows = flow
        .rosters
        .iter()
        .map(|r| {
            let start = r.publicity_start;
            let steps: Vec<(&str, i64)> = match r.paid_on {
                Some(paid) => vec![
                    ("imported", start - 2),
                    ("publicised", start),
                    ("department_reviewed", start + 8),
                    ("finance_reviewed", start + 9),
                    ("sent_to_bank", paid - 2),
                    ("bank_feedback", paid),
                    ("payout_publicised", r.payout_publicised_on.unwrap_or(paid)),
                ],
                None => {
                    let all = [
                        ("imported", start - 2),
                        ("publicised", start),
                        ("department_reviewed", start + 8),
                        ("finance_reviewed", start + 9),
                        ("sent_to_bank", start + 10),
                    ];
                    let upto = match r.status {
                        "publicising" => 2,
                        "department_reviewed" => 3,
                        "finance_reviewed" => 4,
                        _ => 5,
                    };
                    all[..upto].to_vec()
                }
            };
            for (step, day) in steps {
                events.push(vec![
                    (events.len() as i64 + 1).into(),
                    r.id.into(),
                    step.into(),
                    Val::Int(None),
                    "".into(),
                    stamp(day, 10 * 3600).into(),
                ]);
            }
            vec![
                r.id.into(),
                r.item_id.into(),
                r.period.clone().into(),
                township_ids[r.township].into(),
                r.batch.into(),
                r.department_id.into(),
                r.status.into(),
                r.line_count.into(),
                r.total_fen.into(),
                date(start).into(),
                date(start + 7).into(),
                r.paid_on
                    .map(|d| date(d - 2))
                    .or_else(|| (r.status == "sent_to_bank").then(|| date(start + 10)))
                    .into(),
                r.paid_on.map(date).into(),
                r.payout_publicised_on.map(date).into(),
                Val::Text(None),
                stamp(start - 2, 9 * 3600).into(),
            ]
        })
        .collect();
    tables.push((
        "rosters",
        &[
            "id",
            "item_id",
            "period",
            "region_id",
            "batch",
            "department_id",
            "status",
            "line_count",
            "total_fen",
            "publicity_start",
            "publicity_end",
            "sent_to_bank_on",
            "paid_on",
            "payout_publicised_on",
            "source_sha256",
            "created_at",
        ],
        roster_rows,
    ));

    let mismatch = root.fork(4); // drawn here, in the order the county has always been made
    tables.push(("roster_events", &["id", "roster_id", "step", "staff_id", "note", "at"], events));

    // The office side: logins, the holiday calendar, a year of cases.
    tables.push((
        "staff_users",
        &[
            "id",
            "username",
            "display_name",
            "password_hash",
            "role",
            "department_id",
            "failed_logins",
            "locked_until",
            "created_at",
        ],
        office::staff_rows(&created, department_id),
    ));
    let holidays = office::holidays();
    let calendar = Calendar::new(holidays.iter().filter_map(|(d, k, _)| Some((parse_days(d)?, *k == "holiday"))));
    tables.push((
        "holidays",
        &["day", "kind", "name"],
        holidays.iter().map(|(d, k, n)| vec![d.clone().into(), (*k).into(), (*n).into()]).collect(),
    ));
    let departments: Vec<cases::Department> = DEPARTMENTS
        .iter()
        .enumerate()
        .map(|(i, (_, name, phone, _))| cases::Department { id: i as i64 + 1, name, phone })
        .collect();
    let case_items: Vec<cases::Item> = ITEMS
        .iter()
        .filter(|s| (s.first_year..=s.last_year).contains(&END.0) && s.parent_code().is_none())
        .filter_map(|s| {
            Some(cases::Item {
                id: *item_id.get(&(END.0, s.code))?,
                name: s.name,
                department: DEPARTMENTS.iter().position(|d| d.0 == s.department)?,
            })
        })
        .collect();
    let township_rows: Vec<(i64, String)> =
        township_ids.iter().zip(&townships).map(|(id, t)| (*id, t.name.clone())).collect();
    let finance = DEPARTMENTS.iter().position(|d| d.0 == FINANCE).unwrap_or(0);
    let last_day = days_from_civil(END.0, END.1, 20);
    let case_rows = cases::make_cases(
        &mut root.fork(5),
        vault,
        &people,
        &villages,
        &township_rows,
        &case_items,
        &departments,
        finance,
        &calendar,
        last_day,
    );
    summary.cases = case_rows.cases.len();
    summary.example_case = case_rows.example.clone();
    tables.push(("cases", cases::CASE_COLUMNS, case_rows.cases));
    tables.push(("case_events", cases::EVENT_COLUMNS, case_rows.events));
    tables.push(("case_sequences", &["day", "last_value"], case_rows.sequences));

    summary.examples = examples(&people, &flow.payments);
    // Payments and their publicity are written straight from the flow, a statement at a time,
    // right after the rosters, so that a province-sized demo (ten million lines) fits in memory.
    let mut rows: Vec<(&'static str, &'static [&'static str], Rows)> = Vec::with_capacity(tables.len() + 2);
    for (table, columns, ready) in tables {
        let after_rosters = table == "rosters";
        rows.push((table, columns, Rows::Ready(ready)));
        if after_rosters {
            rows.push(("payments", PAYMENT_COLUMNS, Rows::Payments));
            rows.push(("publicity_entries", PUBLICITY_COLUMNS, Rows::Publicity));
        }
    }
    let villages = villages.iter().map(|(id, _)| *id).collect();
    Ok(County { rows, lines: Lines { people, flow, villages, mismatch }, summary })
}

/// Documents each item rests on, besides its year's catalogue notice.
fn basis_documents(code: &str) -> Vec<i64> {
    const SICHUAN_18: &[&str] = &[
        "01", "02", "04", "05", "06-01", "07", "08", "09", "10", "12", "13", "14", "15", "16", "17", "18", "24", "25",
    ];
    let top = code.split('-').next().unwrap_or(code);
    let mut docs = Vec::new();
    if SICHUAN_18.contains(&code) || SICHUAN_18.contains(&top) {
        docs.push(2); // Leshan letter carrying the Sichuan pilot plan and its list of 18
    }
    if top.parse::<u32>().is_ok_and(|n| n <= 23) {
        docs.push(1); // Wanyuan item list
    }
    if code == "26" {
        docs.push(5); // Dushan 2024 county catalogue
    }
    docs
}

/// The catalogue notice, with the list as a tab-separated table like the seed documents.
fn catalogue_notice_body(year: i32) -> String {
    let mut body = format!(
        "{county}{year}年惠民惠农财政补贴政策清单\n\n根据上级有关规定，现将本县{year}年通过社会保障卡“一卡通”发放的惠民惠农财政补贴政策清单公布如下。\n\n\t序号\t项目名称\t层级\t主管部门\t补贴标准\t发放周期\n",
        county = places::COUNTY_NAME
    );
    for spec in ITEMS.iter().filter(|s| (s.first_year..=s.last_year).contains(&year)) {
        let dept = DEPARTMENTS.iter().find(|d| d.0 == spec.department).map_or("", |d| d.1);
        let (standard, _) = catalogue::standard_for(spec, year);
        body.push_str(&format!(
            "\t{}\t{}\t{}\t{dept}\t{standard}\t{}\n",
            spec.code,
            spec.name,
            level_zh(spec.level),
            frequency_zh(spec.frequency)
        ));
    }
    body.push_str("\n群众对补贴发放有疑问的，可向主管部门咨询或投诉，也可通过本平台提交。\n\n青岚县财政局（演示）\n");
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

fn make_people(rng: &mut Rng, count: usize, villages: &[(i64, usize)]) -> Result<Vec<Person>, DemoError> {
    let mut people: Vec<Person> = Vec::with_capacity(count + 8);
    let mut ids = HashSet::with_capacity(count);
    let mut phones = HashSet::with_capacity(count);
    let mut household = 0i64;
    const SIZES: &[(u32, usize)] = &[(12, 1), (25, 2), (25, 3), (22, 4), (12, 5), (4, 6)];
    const BANK_WEIGHTS: &[(u32, i64)] = &[(70, 1), (12, 2), (10, 3), (5, 4), (3, 5)];
    while people.len() < count {
        household += 1;
        let village = (household as usize * 7 + rng.below(5) as usize) % villages.len();
        let size = *rng.weighted(SIZES);
        let head_age = rng.between(28, 86) as u32;
        let head_male = rng.chance(700);
        let head_id = people.len() as i64 + 1;
        let mut members: Vec<(u32, bool)> = vec![(head_age, head_male)];
        if size >= 2 {
            members.push(((head_age as i64 + rng.between(-5, 5)).clamp(20, 100) as u32, !head_male));
        }
        for _ in 2..size.min(5) {
            let gap = rng.between(22, 34) as u32;
            members.push((head_age.saturating_sub(gap).max(1), rng.chance(520)));
        }
        if size >= 6 && head_age < 70 {
            members.push(((head_age + rng.between(24, 30) as u32).min(104), rng.chance(400)));
        }
        for (age, male) in members {
            let id = people.len() as i64 + 1;
            let (birth_y, birth_m, birth_d) =
                (END.0 - age as i32, rng.between(1, 12) as u32, rng.between(1, 28) as u32);
            let id_number = loop {
                let seq = rng.below(500) as u32 * 2 + u32::from(male);
                let candidate = IdNumber::from_parts(places::COUNTY_CODE, birth_y as u32, birth_m, birth_d, seq)
                    .map_err(invalid)?;
                if ids.insert(candidate.as_str().to_string()) {
                    break candidate;
                }
            };
            let (name, ethnicity) = names::person_name(rng, male);
            let phone = if age >= 16 && rng.chance(920) {
                loop {
                    let candidate = format!("1{}{:09}", rng.pick(&["3", "5", "7", "8", "9"]), rng.below(1_000_000_000));
                    if phones.insert(candidate.clone()) {
                        break Some(Phone::parse(&candidate).map_err(invalid)?);
                    }
                }
            } else {
                None
            };
            let card_status = match rng.below(1000) {
                0..=949 => "activated",
                950..=979 => "issued",
                _ => "not_issued",
            };
            let bank = *rng.weighted(BANK_WEIGHTS);
            let account = (card_status != "not_issued")
                .then(|| {
                    BankAccount::with_check_digit(&format!(
                        "62{:04}{:012}",
                        1000 + bank * 1111,
                        rng.below(10_000_000_000_000) / 10
                    ))
                })
                .transpose()
                .map_err(invalid)?;
            // A few frail elderly people have a relative keep their card (代管), and a very few
            // people without an ID card have someone collect for them (代为领取).
            let custodian = if id != head_id && age >= 75 && rng.chance(40) {
                Some(("custodian", head_id))
            } else if id != head_id && rng.chance(3) {
                Some(("proxy_recipient", head_id))
            } else {
                None
            };
            people.push(Person {
                id,
                name,
                ethnicity,
                id_number,
                phone,
                age,
                village,
                township: villages[village].1,
                household,
                head: head_id,
                card_status,
                bank,
                account,
                custodian,
            });
            if people.len() >= count {
                break;
            }
        }
    }
    Ok(people)
}

struct Flow {
    rosters: Vec<RosterRow>,
    payments: Vec<PaymentRow>,
}

/// One period of an item: its label and the month it is paid in.
fn periods(spec: &ItemSpec, year: i32, pay_month: u32) -> Vec<(String, u32)> {
    match spec.frequency {
        "monthly" => (1..=12).map(|m| (format!("{year}-{m:02}"), m)).collect(),
        "quarterly" => (1..=4).map(|q| (format!("{year}-Q{q}"), q * 3)).collect(),
        "half_yearly" => vec![(format!("{year}-H1"), 3), (format!("{year}-H2"), 9)],
        _ => vec![(format!("{year}"), pay_month)],
    }
}

fn make_payments(
    rng: &mut Rng,
    people: &[Person],
    township_ids: &[i64],
    item_id: &HashMap<(i32, &str), i64>,
    department_id: &dyn Fn(&str) -> Option<i64>,
) -> Result<Flow, DemoError> {
    let mut rosters: Vec<RosterRow> = Vec::new();
    let mut payments: Vec<PaymentRow> = Vec::new();
    let mut reissues: Vec<(usize, usize)> = Vec::new(); // (payment index, roster index)
    let end_month = month_index(END.0, END.1);
    let scale = people.len() as u64;
    let usable: Vec<&Person> = people.iter().filter(|p| p.account.is_some() || p.age < 16).collect();

    for spec in ITEMS {
        let Some(payout) = spec.payout else { continue };
        let dept = department_id(spec.department).ok_or_else(|| invalid(spec.department))?;
        let pool: Vec<&Person> = usable
            .iter()
            .copied()
            .filter(|p| match payout.who {
                Who::Household => p.head == p.id,
                Who::Age(lo, hi) => (lo..=hi).contains(&p.age),
            })
            .collect();
        if pool.is_empty() {
            continue;
        }
        let wanted = ((u64::from(payout.per_10k) * scale) / 10_000).max(1) as usize;
        let regular = matches!(spec.frequency, "monthly" | "quarterly" | "half_yearly" | "yearly");
        let mut item_rng = rng.fork(spec.code.bytes().fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b))));
        let fixed_recipients = choose(&mut item_rng, &pool, wanted);

        for year in spec.first_year.max(FIRST_YEAR)..=spec.last_year.min(END.0) {
            let Some(&item) = item_id.get(&(year, spec.code)) else { continue };
            let (_, cap) = catalogue::standard_for(spec, year);
            // (recipient, month paid, period)
            let mut lines: Vec<(&Person, String, u32)> = Vec::new();
            if regular {
                for (period, month) in periods(spec, year, if payout.month == 0 { 6 } else { payout.month }) {
                    for p in &fixed_recipients {
                        lines.push((p, period.clone(), month));
                    }
                }
            } else {
                let count = if spec.frequency == "one_off" { (wanted / 3).max(1) } else { wanted };
                for p in choose(&mut item_rng, &pool, count) {
                    let month = if payout.month == 0 { item_rng.between(1, 12) as u32 } else { payout.month };
                    lines.push((p, format!("{year}-{month:02}"), month));
                }
            }
            // Group by period and township into rosters.
            let mut grouped: BTreeMap<(u32, String, usize), Vec<&Person>> = BTreeMap::new();
            for (p, period, month) in lines {
                if month_index(year, month) > end_month {
                    continue;
                }
                grouped.entry((month, period, p.township)).or_default().push(p);
            }
            for ((month, period, township), members) in grouped {
                let current = month_index(year, month) == end_month;
                let pay_day =
                    days_from_civil(year, month, (10 + (township as u32 % 8) + item_rng.below(4) as u32).min(28));
                let late = item_rng.chance(30);
                let status = if current {
                    ["publicising", "department_reviewed", "finance_reviewed", "sent_to_bank"][township % 4]
                } else {
                    "payout_publicised"
                };
                let roster_index = rosters.len();
                let mut roster = RosterRow {
                    id: roster_index as i64 + 1,
                    item_id: item,
                    period,
                    township,
                    batch: 1,
                    department_id: dept,
                    status,
                    line_count: 0,
                    total_fen: 0,
                    publicity_start: if current { days_from_civil(year, month, 12) } else { pay_day - 20 },
                    paid_on: (!current).then_some(pay_day),
                    payout_publicised_on: (!current)
                        .then(|| pay_day + if late { item_rng.between(6, 12) } else { item_rng.between(1, 4) }),
                };
                let recent = month_index(year, month) >= end_month - 2;
                for person in members {
                    let head = &people[(person.head - 1) as usize];
                    let beneficiary = if spec.per_household { head } else { person };
                    let recipient = match beneficiary.custodian {
                        Some((_, keeper)) => &people[(keeper - 1) as usize],
                        None if beneficiary.age < 16 => head,
                        None => beneficiary,
                    };
                    let mut amount = base_amount(&mut item_rng, payout.amount, beneficiary);
                    if let Some(cap) = cap {
                        amount = amount.min(cap);
                    }
                    let (status, failure_reason) = if current {
                        ("pending", None)
                    } else if recipient.card_status != "activated" && recent {
                        ("failed", Some("card_not_activated"))
                    } else if item_rng.chance(20) {
                        (
                            "failed",
                            Some(*item_rng.weighted(&[
                                (30, "account_frozen"),
                                (25, "account_closed"),
                                (25, "name_id_mismatch"),
                                (15, "account_not_found"),
                                (5, "other"),
                            ])),
                        )
                    } else {
                        ("paid", None)
                    };
                    roster.line_count += 1;
                    roster.total_fen += amount;
                    let index = payments.len();
                    payments.push(PaymentRow {
                        id: index as i64 + 1,
                        roster: roster_index,
                        beneficiary: beneficiary.id,
                        recipient: recipient.id,
                        item_id: item,
                        amount_fen: amount,
                        status,
                        failure_reason,
                        reissue_of: None,
                    });
                    if status == "failed" && !recent && item_rng.chance(750) {
                        reissues.push((index, roster_index));
                    }
                }
                rosters.push(roster);
            }
        }
    }

    // Reissues: one batch-2 roster per original roster, paid three to five weeks later.
    let mut reissue_roster: HashMap<usize, usize> = HashMap::new();
    for (payment_index, roster_index) in reissues {
        let original = &rosters[roster_index];
        let (item_id, period, township, department_id) =
            (original.item_id, original.period.clone(), original.township, original.department_id);
        let paid = original.paid_on.unwrap_or(original.publicity_start) + 21 + (roster_index as i64 % 14);
        let r = *reissue_roster.entry(roster_index).or_insert_with(|| {
            rosters.push(RosterRow {
                id: rosters.len() as i64 + 1,
                item_id,
                period,
                township,
                batch: 2,
                department_id,
                status: "payout_publicised",
                line_count: 0,
                total_fen: 0,
                publicity_start: paid - 10,
                paid_on: Some(paid),
                payout_publicised_on: Some(paid + 2),
            });
            rosters.len() - 1
        });
        let failed = &payments[payment_index];
        let line = PaymentRow {
            id: payments.len() as i64 + 1,
            roster: r,
            beneficiary: failed.beneficiary,
            recipient: failed.recipient,
            item_id: failed.item_id,
            amount_fen: failed.amount_fen,
            status: "paid",
            failure_reason: None,
            reissue_of: Some(failed.id),
        };
        rosters[r].line_count += 1;
        rosters[r].total_fen += line.amount_fen;
        payments.push(line);
    }
    let _ = township_ids;
    Ok(Flow { rosters, payments })
}

/// `count` distinct people from `pool` (all of them if the pool is smaller), in pool order.
fn choose<'a>(rng: &mut Rng, pool: &[&'a Person], count: usize) -> Vec<&'a Person> {
    if count >= pool.len() {
        return pool.to_vec();
    }
    let mut picked = HashSet::with_capacity(count);
    while picked.len() < count {
        picked.insert(rng.below(pool.len() as u64) as usize);
    }
    let mut indices: Vec<usize> = picked.into_iter().collect();
    indices.sort_unstable();
    indices.into_iter().map(|i| pool[i]).collect()
}

fn base_amount(rng: &mut Rng, amount: Amount, person: &Person) -> i64 {
    match amount {
        Amount::Fixed(fen) => fen,
        Amount::Range(lo, hi) => rng.between(lo / 100, hi / 100) * 100,
        Amount::PerMu(rate, lo, hi) => rate * rng.between(i64::from(lo), i64::from(hi)),
        Amount::ByAge(eighty, ninety, hundred) => match person.age {
            100.. => hundred,
            90..=99 => ninety,
            _ => eighty,
        },
    }
}

/// People worth trying the self-check with: a household head, someone with a failed payment,
/// someone whose card a relative keeps. All have a phone on file.
fn examples(people: &[Person], payments: &[PaymentRow]) -> Vec<Example> {
    let mut out = Vec::new();
    let example = |label, p: &Person| Example {
        label,
        name: p.name.clone(),
        id_number: p.id_number.clone(),
        phone: p.phone.clone().expect("examples are chosen among people with a phone"),
    };
    let paid_heads: HashSet<i64> = payments.iter().filter(|p| p.status == "paid").map(|p| p.beneficiary).collect();
    if let Some(p) = people.iter().find(|p| p.head == p.id && p.phone.is_some() && paid_heads.contains(&p.id)) {
        out.push(example("户主（家庭补贴发到本人卡上）", p));
    }
    let reissued: HashSet<i64> = payments.iter().filter_map(|p| p.reissue_of).collect();
    if let Some(p) = payments
        .iter()
        .filter(|x| x.status == "failed" && x.failure_reason == Some("card_not_activated"))
        .map(|x| &people[(x.beneficiary - 1) as usize])
        .find(|p| p.phone.is_some())
    {
        out.push(example("有发放失败（社保卡未激活）的人", p));
    }
    if let Some(p) = payments
        .iter()
        .filter(|x| reissued.contains(&x.id))
        .map(|x| &people[(x.beneficiary - 1) as usize])
        .find(|p| p.phone.is_some())
    {
        out.push(example("发放失败后已补发的人", p));
    }
    if let Some(p) = people.iter().find(|p| p.custodian.is_some() && p.phone.is_some() && paid_heads.contains(&p.head))
    {
        out.push(example("社保卡由亲属代管的人", p));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_is_deterministic_and_complete() {
        let vault = Vault::from_hex(&"11".repeat(32)).unwrap();
        let opts = DemoOptions { seed: 7, people: 2_000 };
        let a = generate(&vault, &opts).unwrap();
        let b = generate(&vault, &opts).unwrap();
        assert_eq!(a.summary.payments, b.summary.payments);
        assert_eq!(
            a.summary.examples.iter().map(|e| e.id_number.clone()).collect::<Vec<_>>(),
            b.summary.examples.iter().map(|e| e.id_number.clone()).collect::<Vec<_>>()
        );
        assert!(a.summary.villages >= 120, "{} villages", a.summary.villages);
        assert!(a.summary.townships >= 10);
        assert_eq!(a.summary.beneficiaries, 2_000);
        assert!(a.summary.failed > 0 && a.summary.reissued > 0);
        assert_eq!(a.summary.examples.len(), 4, "{:?}", a.summary.examples);
    }

    #[test]
    fn readme_names_people_of_the_default_demo() {
        let vault = Vault::from_hex(&"11".repeat(32)).unwrap();
        let county = generate(&vault, &DemoOptions::default()).unwrap();
        let readme = include_str!("../../../README.md");
        assert_eq!(county.summary.examples.len(), 4);
        for e in &county.summary.examples {
            let row = format!("| {} | {} | {} |", e.name, e.id_number.as_str(), e.phone.as_str());
            assert!(readme.contains(&row), "README should list {row} ({})", e.label);
        }
        assert!(county.summary.payments >= 500_000, "{} payments", county.summary.payments);
        assert!(county.summary.beneficiaries >= 50_000);
    }
}
