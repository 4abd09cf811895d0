//! SQL for the citizen's own view: their payments and, for a household head, the household's;
//! and what they do there (`confirm`: 收到了 or 没收到, which files a case for an unpaid line).

use crate::api::check::{MyPayment, MyPayments, YearOfPayments};
use crate::domain::payments::{three_way_check, PublicitySeen};
use crate::domain::{mask, Money};
use crate::ssr::db::Backend;
use crate::ssr::Db;
use sqlx::Row;

/// The columns of one line, in the order of `Line`'s fields.
const LINE_COLUMNS: &str =
    "l.id, l.beneficiary_id, l.name_masked, l.item, l.county, l.department, l.department_phone, \
     l.period, l.amount_fen, l.status, l.paid_on, l.bank, l.bank_phone, l.account_last4, l.failure_reason, \
     l.reissue_of_id, l.reissues, l.pub_name, l.pub_amount, l.pub_status, l.pub_on, l.confirmed, l.case_no, l.sort_on";

/// The person's lines, as recipient too, and a household head's household's: a UNION of index
/// lookups first, then the rest joined to those few lines. (An OR with a subquery made
/// PostgreSQL scan every payment, 44 s at 10M lines; the same UNION in the WHERE clause let it
/// join every payment to its publicity before keeping the person's, 38 s on a fresh demo.)
const LINES: &str = "SELECT p.id, p.beneficiary_id, ben.name_masked, i.name AS item, cty.name AS county, d.name AS department, \
            d.phone AS department_phone, p.period, p.amount_fen, p.status, p.paid_on, b.name AS bank, b.phone AS bank_phone, \
            p.account_last4, p.failure_reason, p.reissue_of_id, \
            (SELECT COUNT(*) FROM payments r WHERE r.reissue_of_id = p.id) AS reissues, \
            pe.name_masked AS pub_name, pe.amount_fen AS pub_amount, pe.status AS pub_status, pe.published_on AS pub_on, \
            (SELECT c.received FROM payment_confirmations c WHERE c.payment_id = p.id) AS confirmed, \
            (SELECT MAX(k.tracking_no) FROM cases k WHERE k.payment_id = p.id AND k.origin = 'not_received') AS case_no, \
            COALESCE(p.paid_on, ro.publicity_start) AS sort_on \
     FROM (SELECT x.id FROM payments x WHERE x.beneficiary_id = $1 \
           UNION SELECT x.id FROM payments x WHERE x.recipient_id = $1 \
           UNION SELECT x.id FROM payments x JOIN beneficiaries h ON h.id = x.beneficiary_id \
                 WHERE $2 = 1 AND h.household_id = $3) mine \
     JOIN payments p ON p.id = mine.id \
     JOIN subsidy_items i ON i.id = p.item_id JOIN departments d ON d.id = i.department_id \
     JOIN regions cty ON cty.id = i.county_id JOIN banks b ON b.id = p.bank_id JOIN beneficiaries ben ON ben.id = p.beneficiary_id \
     JOIN rosters ro ON ro.id = p.roster_id \
     LEFT JOIN publicity_entries pe ON pe.id = (SELECT MAX(y.id) FROM publicity_entries y WHERE y.payment_id = p.id)";

/// One line as the database gives it: a JSON array in the order of `LINE_COLUMNS`.
#[derive(serde::Deserialize)]
struct Line {
    id: i64,
    beneficiary_id: i64,
    name_masked: String,
    item: String,
    county: String,
    department: String,
    department_phone: String,
    period: String,
    amount_fen: i64,
    status: String,
    paid_on: Option<String>,
    bank: String,
    bank_phone: String,
    account_last4: String,
    failure_reason: Option<String>,
    reissue_of_id: Option<i64>,
    reissues: i64,
    pub_name: Option<String>,
    pub_amount: Option<i64>,
    pub_status: Option<String>,
    pub_on: Option<String>,
    confirmed: Option<i64>,
    case_no: Option<String>,
    sort_on: Option<String>,
}

/// All of the person's lines as one JSON array in one row: a household head's 200 lines came
/// back as 200 rows, each handed from SQLite's thread to the server's and converted value by
/// value, which cost more than the query (issue 22, BENCHMARKS.md).
fn lines_sql(backend: Backend) -> String {
    let (group, array) = match backend {
        Backend::Sqlite => ("json_group_array", "json_array"),
        Backend::Postgres => ("json_agg", "json_build_array"),
    };
    format!("SELECT CAST({group}({array}({LINE_COLUMNS})) AS TEXT) FROM ({LINES}) l")
}

pub async fn payments(db: &Db, beneficiary: i64) -> Result<MyPayments, sqlx::Error> {
    let me = sqlx::query("SELECT name_masked, household_id, is_household_head FROM beneficiaries WHERE id = $1")
        .bind(beneficiary)
        .fetch_one(&db.pool)
        .await?;
    let household: i64 = me.get("household_id");
    let head = me.get::<i64, _>("is_household_head") == 1;
    let query = sqlx::query_scalar(sqlx::AssertSqlSafe(lines_sql(db.backend)))
        .bind(beneficiary)
        .bind(i64::from(head))
        .bind(household);
    let json: Option<String> = match db.backend {
        Backend::Sqlite => query.fetch_one(&db.pool).await?,
        // PostgreSQL took 2–4 ms to plan this query and 0.1–1 ms to run it: for a prepared
        // statement it keeps making a plan per execution, because the plan for any parameters
        // looks dearer to it. That plan is as fast here (measured, BENCHMARKS.md), so the
        // lookup asks for it, for this transaction only (set with the BEGIN, one round trip).
        Backend::Postgres => {
            let mut tx = db.pool.begin_with("BEGIN; SET LOCAL plan_cache_mode = force_generic_plan").await?;
            let json = query.fetch_one(&mut *tx).await?;
            tx.commit().await?;
            json
        }
    };
    let mut lines: Vec<Line> = match json {
        Some(json) => serde_json::from_str(&json).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        None => Vec::new(),
    };
    // Newest first; a line with no date at all last.
    lines.sort_by(|a, b| (b.sort_on.is_some(), &b.sort_on, b.id).cmp(&(a.sort_on.is_some(), &a.sort_on, a.id)));
    let mut years: Vec<YearOfPayments> = Vec::new();
    let mut counties: Vec<String> = Vec::new();
    for l in lines {
        let county = l.county;
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
        });
        let mismatch = three_way_check(&l.status, amount, publicity.as_ref());
        let payment = MyPayment {
            id: l.id,
            for_member: (l.beneficiary_id != beneficiary).then_some(l.name_masked),
            item: l.item,
            county,
            department: l.department,
            department_phone: l.department_phone,
            period: l.period,
            amount,
            paid_on: l.paid_on,
            bank: l.bank,
            bank_phone: l.bank_phone,
            account_masked: mask::account_last4(&l.account_last4),
            failure_reason: l.failure_reason,
            reissued: l.reissues > 0,
            is_reissue: l.reissue_of_id.is_some(),
            status: l.status,
            publicity,
            mismatch,
            confirmed: l.confirmed.map(|v| v != 0),
            case_no: l.case_no,
        };
        if years.last().is_none_or(|y| y.year != year) {
            years.push(YearOfPayments { year: year.clone(), paid_total: Money::ZERO, payments: Vec::new() });
        }
        let y = years.last_mut().expect("pushed above");
        if payment.status == "paid" {
            y.paid_total = y.paid_total.checked_add(amount).unwrap_or(y.paid_total);
        }
        y.payments.push(payment);
    }
    years.sort_by(|a, b| b.year.cmp(&a.year));
    Ok(MyPayments { name_masked: me.get("name_masked"), household_head: head, years, counties })
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
    let markable = mine.years.iter().flat_map(|y| y.payments.iter()).any(|p| p.id == payment && p.status == "paid");
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
