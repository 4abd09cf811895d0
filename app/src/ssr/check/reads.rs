//! SQL for the citizen's own view: their payments and, for a household head, the household's;
//! and what they do there (`confirm`: 收到了 or 没收到, which files a case for an unpaid line).

use crate::api::check::{MyPayment, MyPayments, YearOfPayments};
use crate::domain::payments::{three_way_check, PublicitySeen};
use crate::domain::{mask, Money};
use crate::ssr::db::{json_rows, Backend};
use crate::ssr::Db;
use std::collections::{HashMap, HashSet};

/// The columns of one line, in the order of `Line`'s fields.
const LINE_COLUMNS: &str =
    "l.id, l.beneficiary_id, l.item_id, l.bank_id, l.period, l.amount_fen, l.status, l.paid_on, \
     l.account_last4, l.failure_reason, l.reissue_of_id, l.pub_id, l.pub_name, l.pub_amount, l.pub_status, l.pub_on, l.pub_shown_as, \
     l.confirmed, l.case_no, l.sort_on, l.clawed_back_on, l.clawback_reason, l.corrected_on, l.correction_note";

/// The payment columns a line needs, taken once by each of the three look-ups below. All but the
/// two free-text reasons are in the index `payments_beneficiary` (migration 0013), so a person's
/// lines are read from a few index pages; the reasons, which few lines have, come from the table.
const PAYMENT_COLUMNS: &str = "x.id, x.roster_id, x.beneficiary_id, x.item_id, x.period, x.amount_fen, x.bank_id, \
     x.account_last4, x.status, x.failure_reason, x.paid_on, x.reissue_of_id, x.clawed_back_on, \
     CASE WHEN x.clawed_back_on IS NOT NULL THEN (SELECT t.clawback_reason FROM payments t WHERE t.id = x.id) END AS clawback_reason, \
     x.corrected_on, \
     CASE WHEN x.corrected_on IS NOT NULL THEN (SELECT t.correction_note FROM payments t WHERE t.id = x.id) END AS correction_note";

/// One statement: the person (`me`, `$1`); their lines, from three disjoint index look-ups
/// (their own, those paid to their card for someone else, and for a household head the rest of
/// the household's), each with its publicity and the citizen's word on it, and, only for a line
/// with no paid date, its roster's publicity date to sort by (with every line's roster joined, a
/// 180-line household took 1.40 ms on PostgreSQL; this, 1.21-1.36);
/// then, once each, the items, banks and people those lines name. Every join is on a key that
/// gives at most one row, except a line's publicity: a line publicised again after a correction
/// comes once per entry, and `payments` keeps the newest. Measured on PostgreSQL for a
/// 114-line household (issue 22, BENCHMARKS.md): a `MAX` subquery per line for the publicity and
/// one for the reissues, a UNION that sorted the ids and read each payment twice, and the
/// items', banks' and people's names joined to every line took 2.0–2.9 ms; this takes 1.0–1.1.
/// (An OR with a subquery made PostgreSQL scan every payment: 44 s at 10M lines.) The lines and
/// their publicity are read from indexes in person order (migration 0013): a line's publicity is
/// found by person and payment, and a line paid to someone else's card by the small index of such
/// lines; on PostgreSQL a 229-line household read 1,281 pages (445 not in its buffers) and now 771 (2).
/// `lines` is made once (`MATERIALIZED`): SQLite otherwise made it again in each of the four places
/// that read it.
pub fn payments_sql(backend: Backend) -> String {
    let lines = backend.json_rows(LINE_COLUMNS);
    let items = backend.json_rows("i.id, i.name, cty.name, d.name, d.phone");
    let banks = backend.json_rows("b.id, b.name, b.phone");
    let people = backend.json_rows("b.id, b.name_masked");
    format!(
        "WITH me AS (SELECT id, household_id, is_household_head, name_masked FROM beneficiaries WHERE id = $1), \
         lines AS MATERIALIZED ( \
           SELECT p.id, p.beneficiary_id, p.item_id, p.bank_id, p.period, p.amount_fen, p.status, p.paid_on, \
                  p.account_last4, p.failure_reason, p.reissue_of_id, pe.id AS pub_id, pe.name_masked AS pub_name, \
                  pe.amount_fen AS pub_amount, pe.status AS pub_status, pe.published_on AS pub_on, pe.shown_as AS pub_shown_as, \
                  c.received AS confirmed, k.tracking_no AS case_no, \
                  COALESCE(p.paid_on, (SELECT ro.publicity_start FROM rosters ro WHERE ro.id = p.roster_id)) AS sort_on, \
                  p.clawed_back_on, p.clawback_reason, p.corrected_on, p.correction_note \
           FROM (SELECT {PAYMENT_COLUMNS} FROM payments x WHERE x.beneficiary_id = $1 \
                 UNION ALL SELECT {PAYMENT_COLUMNS} FROM payments x WHERE x.recipient_id = $1 AND x.recipient_id <> x.beneficiary_id \
                 UNION ALL SELECT {PAYMENT_COLUMNS} FROM me \
                   JOIN beneficiaries h ON h.household_id = me.household_id AND h.id <> me.id \
                   JOIN payments x ON x.beneficiary_id = h.id \
                   WHERE me.is_household_head = 1 AND x.recipient_id <> $1) p \
           LEFT JOIN publicity_entries pe ON pe.beneficiary_id = p.beneficiary_id AND pe.payment_id = p.id \
           LEFT JOIN payment_confirmations c ON c.payment_id = p.id \
           LEFT JOIN cases k ON k.payment_id = p.id AND k.origin = 'not_received') \
         SELECT me.name_masked, me.is_household_head, \
           (SELECT {lines} FROM lines l) AS lines, \
           (SELECT {items} \
              FROM subsidy_items i JOIN departments d ON d.id = i.department_id JOIN regions cty ON cty.id = i.county_id \
              WHERE i.id IN (SELECT item_id FROM lines)) AS items, \
           (SELECT {banks} FROM banks b \
              WHERE b.id IN (SELECT bank_id FROM lines)) AS banks, \
           (SELECT {people} FROM beneficiaries b \
              WHERE b.id IN (SELECT beneficiary_id FROM lines)) AS people \
         FROM me"
    )
}

/// One line as the database gives it: a JSON array in the order of `LINE_COLUMNS`.
#[derive(serde::Deserialize)]
struct Line {
    id: i64,
    beneficiary_id: i64,
    item_id: i64,
    bank_id: i64,
    period: String,
    amount_fen: i64,
    status: String,
    paid_on: Option<String>,
    account_last4: String,
    failure_reason: Option<String>,
    reissue_of_id: Option<i64>,
    pub_id: Option<i64>,
    pub_name: Option<String>,
    pub_amount: Option<i64>,
    pub_status: Option<String>,
    pub_on: Option<String>,
    pub_shown_as: Option<String>,
    confirmed: Option<i64>,
    case_no: Option<String>,
    sort_on: Option<String>,
    clawed_back_on: Option<String>,
    clawback_reason: Option<String>,
    corrected_on: Option<String>,
    correction_note: Option<String>,
}

/// An item the lines name: id, name, county, department, the department's phone.
type Item = (i64, String, String, String, String);
/// A bank the lines name: id, name, phone.
type Bank = (i64, String, String);
/// A person the lines name: id, name as publicised.
type Person = (i64, String);

/// The person's name as publicised, whether they head their household, and their lines. The
/// lines come as one JSON array in one row: a household head's 200 lines came back as 200 rows,
/// each handed from SQLite's thread to the server's and converted value by value, which cost
/// more than the query (issue 22, BENCHMARKS.md). On PostgreSQL the statement runs on
/// connections that plan it once for anyone ([`Db::generic_plans`]): planning it for each
/// person took longer than running it.
pub async fn payments(db: &Db, beneficiary: i64) -> Result<MyPayments, sqlx::Error> {
    let row: (String, i64, Option<String>, Option<String>, Option<String>, Option<String>) =
        sqlx::query_as(sqlx::AssertSqlSafe(payments_sql(db.backend)))
            .bind(beneficiary)
            .fetch_one(&db.generic_plans)
            .await?;
    let (name_masked, head, lines, items, banks, people) = row;
    let head = head == 1;
    let mut lines: Vec<Line> = json_rows(lines)?;
    let items: HashMap<i64, Item> = json_rows::<Item>(items)?.into_iter().map(|i| (i.0, i)).collect();
    let banks: HashMap<i64, Bank> = json_rows::<Bank>(banks)?.into_iter().map(|b| (b.0, b)).collect();
    let people: HashMap<i64, String> = json_rows::<Person>(people)?.into_iter().collect();
    // A line publicised more than once (a correction) shows its newest entry, as the public sees it.
    lines.sort_by_key(|l| (l.id, l.pub_id));
    lines.dedup_by(|newer, older| {
        let same = newer.id == older.id;
        if same {
            std::mem::swap(newer, older);
        }
        same
    });
    // A reissue pays the same person again, so the line it pays again is among these lines.
    let reissued: HashSet<i64> = lines.iter().filter_map(|l| l.reissue_of_id).collect();
    // Newest first; a line with no date at all last.
    lines.sort_by(|a, b| (b.sort_on.is_some(), &b.sort_on, b.id).cmp(&(a.sort_on.is_some(), &a.sort_on, a.id)));
    let mut years: Vec<YearOfPayments> = Vec::new();
    let mut counties: Vec<String> = Vec::new();
    for l in lines {
        // Foreign keys keep every line's item and bank.
        let (Some(item), Some(bank)) = (items.get(&l.item_id), banks.get(&l.bank_id)) else {
            continue;
        };
        let county = item.2.clone();
        if !counties.contains(&county) {
            counties.push(county.clone());
        }
        let year = l.period.get(..4).unwrap_or_default().to_string();
        let amount = Money::from_fen(l.amount_fen);
        let publicity = l.pub_name.map(|name_masked| PublicitySeen {
            name_masked,
            amount: Money::from_fen(l.pub_amount.unwrap_or(0)),
            status: l.pub_status.unwrap_or_default(),
            published_on: l.pub_on.unwrap_or_default(),
            by_township: l.pub_shown_as.as_deref() == Some("township"),
        });
        let mismatch = three_way_check(&l.status, amount, publicity.as_ref());
        let payment = MyPayment {
            id: l.id,
            for_member: (l.beneficiary_id != beneficiary)
                .then(|| people.get(&l.beneficiary_id).cloned().unwrap_or_default()),
            item: item.1.clone(),
            county,
            department: item.3.clone(),
            department_phone: item.4.clone(),
            period: l.period,
            amount,
            paid_on: l.paid_on,
            bank: bank.1.clone(),
            bank_phone: bank.2.clone(),
            account_masked: mask::account_last4(&l.account_last4),
            failure_reason: l.failure_reason,
            reissued: reissued.contains(&l.id),
            is_reissue: l.reissue_of_id.is_some(),
            status: l.status,
            publicity,
            mismatch,
            confirmed: l.confirmed.map(|v| v != 0),
            case_no: l.case_no,
            receipt: None,
            clawed_back_on: l.clawed_back_on,
            clawback_reason: l.clawback_reason,
            corrected_on: l.corrected_on,
            correction_note: l.correction_note,
        };
        if years.last().is_none_or(|y| y.year != year) {
            years.push(YearOfPayments { year: year.clone(), paid_total: Money::ZERO, payments: Vec::new() });
        }
        let y = years.last_mut().expect("pushed above");
        if payment.status == "paid" && payment.clawed_back_on.is_none() {
            y.paid_total = y.paid_total.checked_add(amount).unwrap_or(y.paid_total);
        }
        y.payments.push(payment);
    }
    years.sort_by(|a, b| b.year.cmp(&a.year));
    Ok(MyPayments { name_masked, household_head: head, years, counties })
}

/// Records whether the citizen received a paid line they can see; false when the line is not theirs
/// to mark (not visible to them, or not reported paid by the bank). 未收到 also files a complaint
/// with the item's department (once per line), in the same transaction.
pub async fn confirm(
    cx: &crate::ssr::AppContext,
    beneficiary: i64,
    payment: i64,
    received: bool,
) -> Result<bool, crate::ssr::cases::CaseError> {
    let db = &cx.db;
    let mine = payments(db, beneficiary).await?;
    let markable = mine
        .years
        .iter()
        .flat_map(|y| y.payments.iter())
        .any(|p| p.id == payment && p.status == "paid" && p.clawed_back_on.is_none());
    if !markable {
        return Ok(false);
    }
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM payment_confirmations WHERE payment_id = $1").bind(payment).execute(&mut *tx).await?;
    sqlx::query("INSERT INTO payment_confirmations (payment_id, beneficiary_id, received, at) VALUES ($1, $2, $3, $4)")
        .bind(payment)
        .bind(beneficiary)
        .bind(i64::from(received))
        .bind(crate::ssr::clock::now())
        .execute(&mut *tx)
        .await?;
    crate::ssr::audit::append(
        &mut tx,
        "citizen",
        if received { "payment_received" } else { "payment_not_received" },
        &format!("payment:{payment}"),
        "",
    )
    .await?;
    if !received {
        crate::ssr::cases::file_not_received(&mut tx, cx, beneficiary, payment).await?;
    }
    tx.commit().await?;
    cx.sms.deliver_soon(cx);
    Ok(true)
}
