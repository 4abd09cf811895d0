//! Correction (更正) of a published line before it is paid, while its roster is in its publicity
//! or back from finance: its amount, who receives it for the person (代领), or its removal (核减),
//! with a reason the public reads. The pages show the corrected line at once, the log records a
//! `correction` entry, the person is told by SMS and sees it in their self-check.

use super::{public_reason, record_line, take_roster, FlowError, LineDone};
use crate::domain::publicity::LineCorrection;
use crate::domain::Money;
use crate::ssr::sms::SmsMessage;
use crate::ssr::staff::Staff;
use crate::ssr::{changes, clock, AppContext};
use sqlx::{AnyConnection, Row};

/// Corrects one pending line of a roster the department has published, with `reason` (which is
/// public: no ID number, phone or account in it).
pub async fn correct_publicity(
    cx: &AppContext,
    staff: &Staff,
    roster: i64,
    payment: i64,
    correction: &LineCorrection,
    reason: &str,
) -> Result<(), FlowError> {
    let reason = public_reason(reason, "更正理由")?;
    let mut tx = cx.db.begin().await?;
    let r = take_roster(&mut tx, staff, roster, |may| may.correct_publicity).await?;
    let line = sqlx::query(
        "SELECT p.beneficiary_id, p.recipient_id, p.amount_fen, b.name_masked, b.id_masked, b.phone_enc, pe.shown_as, \
                d.name AS department, i.name AS item, i.standard_fen \
         FROM payments p JOIN beneficiaries b ON b.id = p.beneficiary_id JOIN rosters ro ON ro.id = p.roster_id \
         JOIN departments d ON d.id = ro.department_id JOIN subsidy_items i ON i.id = ro.item_id \
         LEFT JOIN publicity_entries pe ON pe.payment_id = p.id \
         WHERE p.id = $1 AND p.roster_id = $2 AND p.status = 'pending'",
    )
    .bind(payment)
    .bind(roster)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| FlowError::Invalid("本清册没有这一行（可能已经核减）".into()))?;
    let old = Money::from_fen(line.get("amount_fen"));
    // A line publicised at township level is not named in the public log either.
    let who = if line.get::<Option<String>, _>("shown_as").as_deref() == Some("township") {
        "按乡镇汇总公示的1人".to_string()
    } else {
        format!("{}（{}）", line.get::<String, _>("name_masked"), line.get::<String, _>("id_masked"))
    };
    let today = clock::local_today();
    let (what, told) = match correction {
        LineCorrection::Amount(new) => {
            let new = *new;
            if new == old {
                return Err(FlowError::Invalid(format!("新金额与原金额相同（{} 元）", old.grouped())));
            }
            let standard: Option<i64> = line.get("standard_fen");
            if let Some(standard) = standard.filter(|s| new.fen() > *s) {
                return Err(FlowError::Invalid(format!(
                    "{} 元超过该项目的补贴标准 {} 元",
                    new.grouped(),
                    Money::from_fen(standard).grouped()
                )));
            }
            set_amount(&mut tx, roster, payment, old, new).await?;
            (format!("{who}金额由 {} 元改为 {} 元", old.grouped(), new.grouped()), format!("金额改为{}元", new.plain()))
        }
        LineCorrection::Recipient(id) => {
            let county: i64 = sqlx::query_scalar("SELECT parent_id FROM regions WHERE id = $1")
                .bind(r.get::<i64, _>("region_id"))
                .fetch_one(&mut *tx)
                .await?;
            let person = sqlx::query(
                "SELECT b.id, b.name_masked, b.card_bank_id, b.account_last4, b.account_enc, b.is_deceased \
                 FROM beneficiaries b JOIN regions v ON v.id = b.village_id JOIN regions t ON t.id = v.parent_id \
                 WHERE b.id_hash = $1 AND t.parent_id = $2",
            )
            .bind(cx.vault.lookup_hash(id.as_str()))
            .bind(county)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| FlowError::Invalid("本县没有登记这个身份证号的人，代领人须先在本县登记".into()))?;
            let (to, beneficiary): (i64, i64) = (person.get("id"), line.get("beneficiary_id"));
            if to == line.get::<i64, _>("recipient_id") {
                return Err(FlowError::Invalid("这一行已经由此人领取，没有变化".into()));
            }
            if person.get::<i64, _>("is_deceased") != 0 {
                return Err(FlowError::Invalid("此人已登记为身故，不能代领".into()));
            }
            let (Some(bank), Some(last4), Some(account)) = (
                person.get::<Option<i64>, _>("card_bank_id"),
                person.get::<Option<String>, _>("account_last4"),
                person.get::<Option<Vec<u8>>, _>("account_enc"),
            ) else {
                return Err(FlowError::Invalid("此人没有登记社保卡（银行卡）账户，不能领取".into()));
            };
            let masked: String = person.get("name_masked");
            sqlx::query(
                "UPDATE payments SET recipient_id = $1, bank_id = $2, account_last4 = $3, account_enc = $4 WHERE id = $5",
            )
            .bind(to)
            .bind(bank)
            .bind(last4)
            .bind(account)
            .bind(payment)
            .execute(&mut *tx)
            .await?;
            let shown = (to != beneficiary).then_some(masked.clone());
            update_entry(&mut tx, payment, "recipient_name_masked = $1", shown).await?;
            if to == beneficiary {
                (format!("{who}改回本人领取"), "改回本人领取".to_string())
            } else {
                (format!("{who}改由 {masked} 代领"), format!("改由{masked}代领"))
            }
        }
        LineCorrection::Remove => {
            if r.get::<i64, _>("line_count") <= 1 {
                return Err(FlowError::Invalid("这是清册中唯一的一行，不能核减；请撤回公示".into()));
            }
            remove_line(&mut tx, roster, payment, old).await?;
            (format!("{who}核减，本期不予发放"), "核减，本期不予发放".to_string())
        }
    };
    let public = format!("{what}；理由：{reason}");
    if *correction != LineCorrection::Remove {
        sqlx::query("UPDATE payments SET corrected_on = $1, correction_note = $2 WHERE id = $3")
            .bind(&today)
            .bind(&public)
            .bind(payment)
            .execute(&mut *tx)
            .await?;
    }
    let done = LineDone {
        roster,
        payment,
        kind: "correction",
        reason: &public,
        step: "publicity_corrected",
        note: format!("明细 {payment}：{public}"),
        audit: "roster_line_publicity_corrected",
        phone_enc: line.get("phone_enc"),
        message: SmsMessage::PublicityCorrected {
            department: line.get("department"),
            item: line.get("item"),
            change: told,
        },
    };
    record_line(&mut tx, cx, staff, done).await?;
    tx.commit().await?;
    cx.sms.deliver_soon(cx);
    Ok(())
}

/// The line's amount, its published entry's and the roster's total.
async fn set_amount(
    conn: &mut AnyConnection,
    roster: i64,
    payment: i64,
    old: Money,
    new: Money,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE payments SET amount_fen = $1 WHERE id = $2")
        .bind(new.fen())
        .bind(payment)
        .execute(&mut *conn)
        .await?;
    update_entry(conn, payment, "amount_fen = $1", Some(new.fen())).await?;
    sqlx::query("UPDATE rosters SET total_fen = total_fen + $1 WHERE id = $2")
        .bind(new.fen() - old.fen())
        .bind(roster)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Sets one column of the line's published entry (`set` names it, its value `$1`), recorded for
/// the search index and the other nodes.
async fn update_entry<T>(conn: &mut AnyConnection, payment: i64, set: &'static str, value: T) -> Result<(), sqlx::Error>
where
    T: for<'q> sqlx::Encode<'q, sqlx::Any> + sqlx::Type<sqlx::Any> + Send,
{
    let entries: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "UPDATE publicity_entries SET {set} WHERE payment_id = $2 RETURNING id"
    )))
    .bind(value)
    .bind(payment)
    .fetch_all(&mut *conn)
    .await?;
    for entry in entries {
        changes::record(conn, changes::PUBLICITY, entry, false).await?;
    }
    Ok(())
}

/// Takes the line off the roster and its pages (核减): its published entry and the payment go, a
/// case filed about it keeps its words without the link, and the roster's count and total follow.
async fn remove_line(conn: &mut AnyConnection, roster: i64, payment: i64, amount: Money) -> Result<(), sqlx::Error> {
    let entries: Vec<i64> = sqlx::query_scalar("DELETE FROM publicity_entries WHERE payment_id = $1 RETURNING id")
        .bind(payment)
        .fetch_all(&mut *conn)
        .await?;
    for entry in entries {
        changes::record(conn, changes::PUBLICITY, entry, true).await?;
    }
    sqlx::query("UPDATE cases SET payment_id = NULL WHERE payment_id = $1").bind(payment).execute(&mut *conn).await?;
    sqlx::query(
        "DELETE FROM beneficiary_changes WHERE roster_id = $1 AND applied_at IS NULL AND beneficiary_id = \
                 (SELECT beneficiary_id FROM payments WHERE id = $2)",
    )
    .bind(roster)
    .bind(payment)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM payments WHERE id = $1").bind(payment).execute(&mut *conn).await?;
    sqlx::query("UPDATE rosters SET line_count = line_count - 1, total_fen = total_fen - $1 WHERE id = $2")
        .bind(amount.fen())
        .bind(roster)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
