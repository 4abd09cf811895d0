//! The demo county's payment flow: rosters per item, period and township, their lines with the
//! bank's outcome, reissues of failed lines, and the publicity the public saw.

use super::catalogue::{self, Amount, ItemSpec, Who};
use super::people::Person;
use super::plans::Plan;
use super::rng::Rng;
use super::{date, invalid, month_index, stamp, DemoError, DemoSummary, Table, END, FIRST_YEAR};
use app::domain::date::days_from_civil;
use app::domain::mask;
use app::ssr::db::bulk::Val;
use std::collections::{BTreeMap, HashMap, HashSet};

pub(super) struct RosterRow {
    pub(super) id: i64,
    pub(super) item_id: i64,
    pub(super) period: String,
    pub(super) township: usize,
    pub(super) batch: i64,
    pub(super) department_id: i64,
    pub(super) status: &'static str,
    pub(super) line_count: i64,
    pub(super) total_fen: i64,
    pub(super) publicity_start: i64,
    pub(super) paid_on: Option<i64>,
    pub(super) payout_publicised_on: Option<i64>,
    /// An item whose small cells (few lines in a village) are publicised at township level.
    pub(super) sensitive: bool,
}

pub(super) struct PaymentRow {
    pub(super) id: i64,
    pub(super) roster: usize,
    pub(super) beneficiary: i64,
    pub(super) recipient: i64,
    pub(super) item_id: i64,
    pub(super) amount_fen: i64,
    pub(super) status: &'static str,
    pub(super) failure_reason: Option<&'static str>,
    pub(super) reissue_of: Option<i64>,
}

pub(super) const PAYMENT_COLUMNS: &[&str] = &[
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
pub(super) const PUBLICITY_COLUMNS: &[&str] = &[
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
    "shown_as",
];

/// The people and the payment flow, from which the payment and publicity rows are made.
pub(super) struct Lines {
    pub(super) people: Vec<Person>,
    pub(super) flow: Flow,
    /// Village region ids, by village index.
    pub(super) villages: Vec<i64>,
    /// Decides the few lines publicised wrongly or not at all.
    pub(super) mismatch: Rng,
}

impl Lines {
    fn person(&self, id: i64) -> &Person {
        &self.people[(id - 1) as usize]
    }

    pub(super) fn payment_rows(&self) -> impl Iterator<Item = Vec<Val>> + '_ {
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
    /// paid; a very few lines were publicised with a wrong amount or not at all, as happens. In a
    /// sensitive item, a village's lines that make a small cell in their roster were publicised
    /// at township level, as the department chooses by default.
    pub(super) fn publicity_rows(&self) -> impl Iterator<Item = Vec<Val>> + '_ {
        let mut rng = self.mismatch.clone();
        let mut id = 0i64;
        let rule = app::domain::publicity::SmallCells::default();
        let mut cells: HashMap<(usize, usize), i64> = HashMap::new();
        for p in self.flow.payments.iter().filter(|p| self.flow.rosters[p.roster].sensitive) {
            *cells.entry((p.roster, self.person(p.beneficiary).village)).or_default() += 1;
        }
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
            let small = cells.get(&(p.roster, person.village)).is_some_and(|&n| rule.small(n));
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
                if small { "township" } else { "line" }.into(),
            ])
        })
    }
}

pub(super) struct Flow {
    pub(super) rosters: Vec<RosterRow>,
    pub(super) payments: Vec<PaymentRow>,
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

/// Every item's rosters and lines from `FIRST_YEAR` to `END`, then the reissues.
pub(super) fn make_payments(
    rng: &mut Rng,
    plan: &Plan,
    people: &[Person],
    item_id: &HashMap<(i32, &'static str), i64>,
) -> Result<Flow, DemoError> {
    let mut rosters: Vec<RosterRow> = Vec::new();
    let mut payments: Vec<PaymentRow> = Vec::new();
    let mut reissues: Vec<(usize, usize)> = Vec::new(); // (payment index, roster index)
    let end_month = month_index(END.0, END.1);
    let scale = people.len() as u64;
    let usable: Vec<&Person> = people.iter().filter(|p| p.account.is_some() || p.age < 16).collect();

    for spec in &plan.items() {
        let Some(payout) = spec.payout else { continue };
        let dept = plan.department_id(spec.department).ok_or_else(|| invalid(spec.department))?;
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
        let mut item_rng = rng.fork(spec.code.bytes().fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b))));
        let fixed_recipients = choose(&mut item_rng, &pool, wanted);

        for year in spec.first_year.max(FIRST_YEAR)..=spec.last_year.min(END.0) {
            let Some(&item) = item_id.get(&(year, spec.code)) else { continue };
            let (_, cap) = catalogue::standard_for(spec, year);
            let lines = year_lines(spec, year, payout.month, wanted, &pool, &fixed_recipients, &mut item_rng);
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
                    sensitive: app::domain::publicity::SmallCells::default().sensitive(spec.name),
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

    add_reissues(&mut rosters, &mut payments, reissues);
    Ok(Flow { rosters, payments })
}

/// An item's lines in one year, as (recipient, period, month paid): the same people every
/// period for a regular item, a fresh draw for an occasional one; `pay_month` 0 is any month.
fn year_lines<'a>(
    spec: &ItemSpec,
    year: i32,
    pay_month: u32,
    wanted: usize,
    pool: &[&'a Person],
    fixed_recipients: &[&'a Person],
    rng: &mut Rng,
) -> Vec<(&'a Person, String, u32)> {
    let mut lines: Vec<(&Person, String, u32)> = Vec::new();
    if is_regular(spec) {
        for (period, month) in periods(spec, year, if pay_month == 0 { 6 } else { pay_month }) {
            for p in fixed_recipients {
                lines.push((p, period.clone(), month));
            }
        }
    } else {
        let count = if spec.frequency == "one_off" { (wanted / 3).max(1) } else { wanted };
        for p in choose(rng, pool, count) {
            let month = if pay_month == 0 { rng.between(1, 12) as u32 } else { pay_month };
            lines.push((p, format!("{year}-{month:02}"), month));
        }
    }
    lines
}

/// An item paid every period to the same people (not one-off or on demand).
fn is_regular(spec: &ItemSpec) -> bool {
    matches!(spec.frequency, "monthly" | "quarterly" | "half_yearly" | "yearly")
}

/// Reissues of the failed lines in `reissues` (payment index, roster index): one batch-2 roster
/// per original roster, paid three to five weeks later.
fn add_reissues(rosters: &mut Vec<RosterRow>, payments: &mut Vec<PaymentRow>, reissues: Vec<(usize, usize)>) {
    let mut reissue_roster: HashMap<usize, usize> = HashMap::new();
    for (payment_index, roster_index) in reissues {
        let original = &rosters[roster_index];
        let (item_id, period, township, department_id, sensitive) =
            (original.item_id, original.period.clone(), original.township, original.department_id, original.sensitive);
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
                sensitive,
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

/// The `rosters` and `roster_events` tables: each roster with the steps it went through.
pub(super) fn roster_tables(flow: &Flow, township_ids: &[i64], tables: &mut Vec<Table>, summary: &mut DemoSummary) {
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

    tables.push(("roster_events", &["id", "roster_id", "step", "staff_id", "note", "at"], events));
}
