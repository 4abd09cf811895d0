//! Clawback (追回): the department recovers the money of a paid line (the person was not entitled,
//! had died, was paid twice), with a reason the public reads. The bank's answer stays; the line's
//! publicity says 已追回, the log records it, the person is told by SMS and their self-check shows it.

use super::{public_reason, record_line, take_roster, FlowError, LineDone};
use crate::domain::Money;
use crate::ssr::sms::SmsMessage;
use crate::ssr::staff::Staff;
use crate::ssr::{changes, clock, AppContext};
use sqlx::Row;

/// Claws back one paid line of a roster the department has paid, with `reason` (which is public:
/// no ID number, phone or account in it).
pub async fn claw_back(
    cx: &AppContext,
    staff: &Staff,
    roster: i64,
    payment: i64,
    reason: &str,
) -> Result<(), FlowError> {
    let reason = public_reason(reason, "追回理由")?;
    let mut tx = cx.db.begin().await?;
    take_roster(&mut tx, staff, roster, |may| may.claw_back).await?;
    let today = clock::local_today();
    // Only a paid line not yet clawed back; the condition in the statement keeps two clerks at
    // once from recovering it twice.
    let done = sqlx::query(
        "UPDATE payments SET clawed_back_on = $1, clawback_reason = $2 \
         WHERE id = $3 AND roster_id = $4 AND status = 'paid' AND clawed_back_on IS NULL",
    )
    .bind(&today)
    .bind(&reason)
    .bind(payment)
    .bind(roster)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() != 1 {
        return Err(FlowError::Invalid("这一行没有到账，或已经追回过".into()));
    }
    let entries: Vec<i64> = sqlx::query_scalar(
        "UPDATE publicity_entries SET status = 'clawed_back', published_on = $1 WHERE payment_id = $2 RETURNING id",
    )
    .bind(&today)
    .bind(payment)
    .fetch_all(&mut *tx)
    .await?;
    for entry in entries {
        changes::record(&mut tx, changes::PUBLICITY, entry, false).await?;
    }
    let line = sqlx::query(
        "SELECT b.name_masked, b.phone_enc, p.amount_fen, d.name AS department, i.name AS item FROM payments p \
         JOIN beneficiaries b ON b.id = p.beneficiary_id JOIN rosters ro ON ro.id = p.roster_id \
         JOIN departments d ON d.id = ro.department_id JOIN subsidy_items i ON i.id = ro.item_id WHERE p.id = $1",
    )
    .bind(payment)
    .fetch_one(&mut *tx)
    .await?;
    let who: String = line.get("name_masked");
    let done = LineDone {
        roster,
        payment,
        kind: "clawback",
        reason: &reason,
        step: "clawed_back",
        note: format!("明细 {payment}（{who}）追回：{reason}"),
        audit: "roster_line_clawed_back",
        phone_enc: line.get("phone_enc"),
        message: SmsMessage::ClawedBack {
            department: line.get("department"),
            item: line.get("item"),
            amount: Money::from_fen(line.get("amount_fen")),
        },
    };
    record_line(&mut tx, cx, staff, done).await?;
    tx.commit().await?;
    cx.sms.deliver_soon(cx);
    Ok(())
}
