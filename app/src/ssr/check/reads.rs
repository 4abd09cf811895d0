//! SQL for the citizen's own view: their payments and, for a household head, the household's;
//! and what they do there (`confirm`: 收到了 or 没收到, which files a case for an unpaid line).

use crate::api::check::{MyPayment, MyPayments, YearOfPayments};
use crate::domain::payments::{three_way_check, PublicitySeen};
use crate::domain::{mask, Money};
use crate::ssr::Db;
use sqlx::Row;

pub async fn payments(db: &Db, beneficiary: i64) -> Result<MyPayments, sqlx::Error> {
    let me = sqlx::query("SELECT name_masked, household_id, is_household_head FROM beneficiaries WHERE id = $1")
        .bind(beneficiary)
        .fetch_one(&db.pool)
        .await?;
    let household: i64 = me.get("household_id");
    let head = me.get::<i64, _>("is_household_head") == 1;
    // The person's lines, as recipient too, and a household head's household's: a UNION of index
    // lookups first, then the rest joined to those few lines. (An OR with a subquery made
    // PostgreSQL scan every payment, 44 s at 10M lines; the same UNION in the WHERE clause let it
    // join every payment to its publicity before keeping the person's, 38 s on a fresh demo.)
    let rows = sqlx::query(
        "SELECT p.id, p.beneficiary_id, ben.name_masked, i.name AS item, cty.name AS county, d.name AS department, d.phone AS department_phone, \
                p.period, p.amount_fen, p.status, p.paid_on, b.name AS bank, b.phone AS bank_phone, p.account_last4, \
                p.failure_reason, p.reissue_of_id, \
                (SELECT COUNT(*) FROM payments r WHERE r.reissue_of_id = p.id) AS reissues, \
                pe.name_masked AS pub_name, pe.amount_fen AS pub_amount, pe.status AS pub_status, pe.published_on AS pub_on, \
                (SELECT c.received FROM payment_confirmations c WHERE c.payment_id = p.id) AS confirmed, \
                (SELECT MAX(k.tracking_no) FROM cases k WHERE k.payment_id = p.id AND k.origin = 'not_received') AS case_no \
         FROM (SELECT x.id FROM payments x WHERE x.beneficiary_id = $1 \
               UNION SELECT x.id FROM payments x WHERE x.recipient_id = $1 \
               UNION SELECT x.id FROM payments x JOIN beneficiaries h ON h.id = x.beneficiary_id \
                     WHERE $2 = 1 AND h.household_id = $3) mine \
         JOIN payments p ON p.id = mine.id \
         JOIN subsidy_items i ON i.id = p.item_id JOIN departments d ON d.id = i.department_id \
         JOIN regions cty ON cty.id = i.county_id JOIN banks b ON b.id = p.bank_id JOIN beneficiaries ben ON ben.id = p.beneficiary_id \
         JOIN rosters ro ON ro.id = p.roster_id \
         LEFT JOIN publicity_entries pe ON pe.payment_id = p.id \
              AND NOT EXISTS (SELECT 1 FROM publicity_entries y WHERE y.payment_id = p.id AND y.id > pe.id) \
         ORDER BY COALESCE(p.paid_on, ro.publicity_start) DESC, p.id DESC",
    )
    .bind(beneficiary)
    .bind(i64::from(head))
    .bind(household)
    .fetch_all(&db.pool)
    .await?;
    let mut years: Vec<YearOfPayments> = Vec::new();
    let mut counties: Vec<String> = Vec::new();
    for r in rows {
        let county: String = r.get("county");
        if !counties.contains(&county) {
            counties.push(county.clone());
        }
        let period: String = r.get("period");
        let year = period.get(..4).unwrap_or_default().to_string();
        let amount = Money::from_fen(r.get("amount_fen"));
        let status: String = r.get("status");
        let publicity = r.get::<Option<String>, _>("pub_name").map(|name_masked| PublicitySeen {
            name_masked,
            amount: Money::from_fen(r.get::<Option<i64>, _>("pub_amount").unwrap_or(0)),
            status: r.get::<Option<String>, _>("pub_status").unwrap_or_default(),
            published_on: r.get::<Option<String>, _>("pub_on").unwrap_or_default(),
        });
        let mismatch = three_way_check(&status, amount, publicity.as_ref());
        let payment = MyPayment {
            id: r.get("id"),
            for_member: (r.get::<i64, _>("beneficiary_id") != beneficiary).then(|| r.get("name_masked")),
            item: r.get("item"),
            county,
            department: r.get("department"),
            department_phone: r.get("department_phone"),
            period,
            amount,
            paid_on: r.get("paid_on"),
            bank: r.get("bank"),
            bank_phone: r.get("bank_phone"),
            account_masked: mask::account_last4(&r.get::<String, _>("account_last4")),
            failure_reason: r.get("failure_reason"),
            reissued: r.get::<i64, _>("reissues") > 0,
            is_reissue: r.get::<Option<i64>, _>("reissue_of_id").is_some(),
            status: status.clone(),
            publicity,
            mismatch,
            confirmed: r.get::<Option<i64>, _>("confirmed").map(|v| v != 0),
            case_no: r.get("case_no"),
        };
        if years.last().is_none_or(|y| y.year != year) {
            years.push(YearOfPayments { year: year.clone(), paid_total: Money::ZERO, payments: Vec::new() });
        }
        let y = years.last_mut().expect("pushed above");
        if status == "paid" {
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
