//! The review steps of a roster (publicity, approval, finance review or return, sending to the
//! bank, reissue), what finance review applies to people's records, and a line's correction.

use super::{event, FlowError, PUBLICITY_DAYS};
use crate::domain::date::{format_days, parse_days};
use crate::domain::publicity::SmallCellChoice;
use crate::domain::rosters::{RosterStatus, RosterStep};
use crate::domain::Phone;
use crate::ssr::changes;
use crate::ssr::publicity_log;
use crate::ssr::sms::SmsMessage;
use crate::ssr::staff::{Role, Staff};
use crate::ssr::{clock, AppContext};
use sqlx::{AnyConnection, Row};

/// A step on a roster by its form's code (`publicise`, with the choice for its small cells if it
/// has any; `approve`, `finance_review`, `return` with a reason, `send_to_bank`, `reissue`).
/// Returns the roster to show next.
pub async fn step(
    cx: &AppContext,
    staff: &Staff,
    roster: i64,
    code: &str,
    note: &str,
    small_cells: Option<SmallCellChoice>,
) -> Result<i64, FlowError> {
    let step = RosterStep::from_code(code).ok_or(FlowError::WrongState)?;
    let mut tx = cx.db.begin().await?;
    let r = sqlx::query("SELECT status, department_id, publicity_end FROM rosters WHERE id = $1")
        .bind(roster)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(FlowError::NotFound)?;
    let (status, department): (String, i64) = (r.get("status"), r.get("department_id"));
    if !staff.can_see(department) {
        return Err(FlowError::NotFound);
    }
    let today = clock::local_today();
    let end: Option<String> = r.get("publicity_end");
    let failed_open: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM payments p WHERE p.roster_id = $1 AND p.status = 'failed' AND NOT EXISTS (SELECT 1 FROM payments x WHERE x.reissue_of_id = p.id)",
    )
    .bind(roster)
    .fetch_one(&mut *tx)
    .await?;
    let may = crate::ssr::rosters::reads::actions(
        staff,
        department,
        &status,
        end.as_deref().is_some_and(|e| e < today.as_str()),
        failed_open > 0,
    );
    let allowed = match step {
        RosterStep::Publicise => may.publicise,
        RosterStep::Approve => may.approve,
        RosterStep::FinanceReview | RosterStep::Return => may.finance_review,
        RosterStep::SendToBank => may.send_to_bank,
        RosterStep::Reissue => may.reissue,
        RosterStep::Withdraw => may.withdraw,
    };
    if !allowed {
        if step == RosterStep::Approve && status == RosterStatus::Publicising.code() && staff.role == Role::Department {
            return Err(FlowError::PublicityNotOver(end.unwrap_or_default()));
        }
        return Err(if staff.role == Role::Supervisor { FlowError::NotAllowed } else { FlowError::WrongState });
    }
    let mut shown = roster;
    let event_note = match step {
        RosterStep::Publicise => {
            let end = format_days(parse_days(&today).unwrap_or(0) + PUBLICITY_DAYS);
            sqlx::query("UPDATE rosters SET publicity_start = $1, publicity_end = $2 WHERE id = $3")
                .bind(&today)
                .bind(&end)
                .bind(roster)
                .execute(&mut *tx)
                .await?;
            let cells = crate::ssr::rosters::reads::small_cells(&mut tx, &cx.small_cells, roster).await?;
            let people: i64 = cells.iter().map(|(_, c)| c.lines).sum();
            let (by_township, words) = match (cells.is_empty(), small_cells) {
                (true, _) => (Vec::new(), String::new()),
                (false, None) => return Err(FlowError::SmallCellsUnchosen(cells.len())),
                (false, Some(SmallCellChoice::Township)) => (
                    cells.iter().map(|(id, _)| *id).collect(),
                    format!("；{} 个村（社区）共 {people} 人按乡镇汇总公示（敏感类别小样本）", cells.len()),
                ),
                (false, Some(SmallCellChoice::Line)) => {
                    (Vec::new(), format!("；敏感类别人数少的 {} 个村（社区）经确认逐人公示", cells.len()))
                }
            };
            publicise_lines(&mut tx, roster, &today, &by_township).await?;
            let publication = publicity_log::Publication { roster, kind: "publicity", reason: "" };
            publicity_log::record(&mut tx, &cx.vault, &cx.log_tree, &[publication]).await?;
            format!("公示期至{end}{words}")
        }
        RosterStep::Approve => String::new(),
        RosterStep::FinanceReview => {
            let applied = apply_changes(&mut tx, cx, roster).await?;
            if applied > 0 {
                format!("更新 {applied} 项登记信息（手机号、银行卡号）")
            } else {
                String::new()
            }
        }
        RosterStep::Return => {
            let reason = crate::domain::cases::clean_text(note);
            if reason.is_empty() {
                return Err(FlowError::ReasonRequired("退回理由"));
            }
            reason
        }
        RosterStep::SendToBank => {
            sqlx::query("UPDATE rosters SET sent_to_bank_on = $1 WHERE id = $2")
                .bind(&today)
                .bind(roster)
                .execute(&mut *tx)
                .await?;
            String::new()
        }
        RosterStep::Reissue => {
            shown = create_reissue(&mut tx, roster).await?;
            format!("补发清册 {shown}")
        }
        RosterStep::Withdraw => {
            let reason = super::public_reason(note, "撤回理由")?;
            withdraw_lines(&mut tx, roster).await?;
            let publication = publicity_log::Publication { roster, kind: "withdrawal", reason: &reason };
            publicity_log::record(&mut tx, &cx.vault, &cx.log_tree, &[publication]).await?;
            reason
        }
    };
    let new_status: &str = match step.leads_to() {
        Some(next) => next.code(),
        None => &status,
    };
    let done = sqlx::query("UPDATE rosters SET status = $1 WHERE id = $2 AND status = $3")
        .bind(new_status)
        .bind(roster)
        .bind(&status)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() != 1 {
        return Err(FlowError::WrongState);
    }
    event(&mut tx, roster, step.event(), Some(staff.id), &event_note).await?;
    crate::ssr::audit::append(
        &mut tx,
        &format!("staff:{}", staff.id),
        &format!("roster_{}", step.event()),
        &format!("roster:{roster}"),
        "",
    )
    .await?;
    tx.commit().await?;
    if step == RosterStep::FinanceReview {
        cx.sms.deliver_soon(cx);
    }
    Ok(shown)
}

/// Applies what a roster that has passed its reviews changes in people's records: their phone
/// (the old phone is told, with the department and the new number's last four digits) and
/// their account on file. Returns how many changes were applied.
async fn apply_changes(conn: &mut AnyConnection, cx: &AppContext, roster: i64) -> Result<usize, sqlx::Error> {
    let department: String =
        sqlx::query_scalar("SELECT d.name FROM rosters r JOIN departments d ON d.id = r.department_id WHERE r.id = $1")
            .bind(roster)
            .fetch_one(&mut *conn)
            .await?;
    let changes = sqlx::query(
        "SELECT c.id, c.beneficiary_id, c.field, c.new_last4, c.new_enc, c.new_hash, c.bank_id, b.phone_enc, b.phone_hash FROM beneficiary_changes c \
         JOIN beneficiaries b ON b.id = c.beneficiary_id WHERE c.roster_id = $1 AND c.applied_at IS NULL ORDER BY c.id",
    )
    .bind(roster)
    .fetch_all(&mut *conn)
    .await?;
    let now = clock::now();
    for c in &changes {
        let (person, field, new_hash): (i64, String, String) =
            (c.get("beneficiary_id"), c.get("field"), c.get("new_hash"));
        if field == "phone" {
            let old = c
                .get::<Option<Vec<u8>>, _>("phone_enc")
                .and_then(|e| cx.vault.decrypt(&e).ok())
                .and_then(|p| Phone::parse(&p).ok());
            sqlx::query("UPDATE beneficiaries SET phone_enc = $1, phone_hash = $2 WHERE id = $3")
                .bind(c.get::<Vec<u8>, _>("new_enc"))
                .bind(&new_hash)
                .bind(person)
                .execute(&mut *conn)
                .await?;
            if let Some(old) =
                old.filter(|_| c.get::<Option<String>, _>("phone_hash").as_deref() != Some(new_hash.as_str()))
            {
                let message =
                    SmsMessage::PhoneChanged { department: department.clone(), new_last4: c.get("new_last4") };
                cx.sms.queue(conn, &cx.vault, &old, &message).await?;
            }
        } else {
            sqlx::query("UPDATE beneficiaries SET card_bank_id = $1, account_enc = $2, account_hash = $3, account_last4 = $4 WHERE id = $5")
                .bind(c.get::<Option<i64>, _>("bank_id"))
                .bind(c.get::<Vec<u8>, _>("new_enc"))
                .bind(&new_hash)
                .bind(c.get::<String, _>("new_last4"))
                .bind(person)
                .execute(&mut *conn)
                .await?;
        }
        sqlx::query("UPDATE beneficiary_changes SET applied_at = $1 WHERE id = $2")
            .bind(&now)
            .bind(c.get::<i64, _>("id"))
            .execute(&mut *conn)
            .await?;
        crate::ssr::audit::append(
            conn,
            "system",
            &format!("beneficiary_{field}_changed"),
            &format!("beneficiary:{person}"),
            &format!("roster:{roster}"),
        )
        .await?;
    }
    Ok(changes.len())
}

/// The masked publicity entries of every line, as the public will see them, indexed for search;
/// the lines of the villages `by_township` publicised at township level (counts only).
async fn publicise_lines(
    conn: &mut AnyConnection,
    roster: i64,
    today: &str,
    by_township: &[i64],
) -> Result<(), sqlx::Error> {
    let lines = sqlx::query(
        "SELECT p.id, p.beneficiary_id, p.recipient_id, p.item_id, p.period, p.amount_fen, b.name_masked, b.id_masked, b.village_id, \
                r.name_masked AS recipient_masked, b.custodian_kind FROM payments p JOIN beneficiaries b ON b.id = p.beneficiary_id \
         JOIN beneficiaries r ON r.id = p.recipient_id WHERE p.roster_id = $1",
    )
    .bind(roster)
    .fetch_all(&mut *conn)
    .await?;
    for l in lines {
        let recipient = (l.get::<i64, _>("recipient_id") != l.get::<i64, _>("beneficiary_id")
            && l.get::<Option<String>, _>("custodian_kind").is_some())
        .then(|| l.get::<String, _>("recipient_masked"));
        let entry: i64 = sqlx::query_scalar(
            "INSERT INTO publicity_entries (roster_id, payment_id, beneficiary_id, stage, name_masked, id_masked, recipient_name_masked, village_id, item_id, \
             period, amount_fen, status, published_on, shown_as) \
             VALUES ($1, $2, $3, 'before_payment', $4, $5, $6, $7, $8, $9, $10, 'pending', $11, $12) RETURNING id",
        )
        .bind(roster)
        .bind(l.get::<i64, _>("id"))
        .bind(l.get::<i64, _>("beneficiary_id"))
        .bind(l.get::<String, _>("name_masked"))
        .bind(l.get::<String, _>("id_masked"))
        .bind(recipient)
        .bind(l.get::<i64, _>("village_id"))
        .bind(l.get::<i64, _>("item_id"))
        .bind(l.get::<String, _>("period"))
        .bind(l.get::<i64, _>("amount_fen"))
        .bind(today)
        .bind(if by_township.contains(&l.get::<i64, _>("village_id")) { "township" } else { "line" })
        .fetch_one(&mut *conn)
        .await?;
        changes::record(conn, changes::PUBLICITY, entry, false).await?;
    }
    Ok(())
}

/// Takes a roster's lines off the public pages and out of search (its publicity dates with them),
/// as a withdrawal leaves it: a draft that has published nothing.
async fn withdraw_lines(conn: &mut AnyConnection, roster: i64) -> Result<(), sqlx::Error> {
    let entries: Vec<i64> = sqlx::query_scalar("DELETE FROM publicity_entries WHERE roster_id = $1 RETURNING id")
        .bind(roster)
        .fetch_all(&mut *conn)
        .await?;
    for entry in entries {
        changes::record(conn, changes::PUBLICITY, entry, true).await?;
    }
    sqlx::query("UPDATE rosters SET publicity_start = NULL, publicity_end = NULL WHERE id = $1")
        .bind(roster)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A new draft roster (next batch, same item, period and township) for the failed lines not yet
/// reissued, each linked to the line it pays again, with the beneficiary's current bank details.
async fn create_reissue(conn: &mut AnyConnection, roster: i64) -> Result<i64, sqlx::Error> {
    let r = sqlx::query("SELECT item_id, period, region_id, department_id FROM rosters WHERE id = $1")
        .bind(roster)
        .fetch_one(&mut *conn)
        .await?;
    let (item, period, region): (i64, String, i64) = (r.get("item_id"), r.get("period"), r.get("region_id"));
    let failed = sqlx::query(
        "SELECT p.id, p.beneficiary_id, p.recipient_id, p.amount_fen, COALESCE(b.card_bank_id, p.bank_id) AS bank_id, \
                COALESCE(b.account_last4, p.account_last4) AS last4, COALESCE(b.account_enc, p.account_enc) AS account_enc \
         FROM payments p JOIN beneficiaries b ON b.id = p.recipient_id \
         WHERE p.roster_id = $1 AND p.status = 'failed' AND NOT EXISTS (SELECT 1 FROM payments x WHERE x.reissue_of_id = p.id)",
    )
    .bind(roster)
    .fetch_all(&mut *conn)
    .await?;
    let batch: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(batch), 0) + 1 FROM rosters WHERE item_id = $1 AND period = $2 AND region_id = $3",
    )
    .bind(item)
    .bind(&period)
    .bind(region)
    .fetch_one(&mut *conn)
    .await?;
    let total: i64 = failed.iter().map(|f| f.get::<i64, _>("amount_fen")).sum();
    let now = clock::now();
    let new: i64 = sqlx::query_scalar(
        "INSERT INTO rosters (item_id, period, region_id, batch, department_id, status, line_count, total_fen, created_at) \
         VALUES ($1, $2, $3, $4, $5, 'draft', $6, $7, $8) RETURNING id",
    )
    .bind(item)
    .bind(&period)
    .bind(region)
    .bind(batch)
    .bind(r.get::<i64, _>("department_id"))
    .bind(failed.len() as i64)
    .bind(total)
    .bind(&now)
    .fetch_one(&mut *conn)
    .await?;
    for f in &failed {
        sqlx::query(
            "INSERT INTO payments (roster_id, beneficiary_id, recipient_id, item_id, period, amount_fen, bank_id, account_last4, account_enc, status, reissue_of_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', $10, $11)",
        )
        .bind(new)
        .bind(f.get::<i64, _>("beneficiary_id"))
        .bind(f.get::<i64, _>("recipient_id"))
        .bind(item)
        .bind(&period)
        .bind(f.get::<i64, _>("amount_fen"))
        .bind(f.get::<i64, _>("bank_id"))
        .bind(f.get::<String, _>("last4"))
        .bind(f.get::<Option<Vec<u8>>, _>("account_enc"))
        .bind(f.get::<i64, _>("id"))
        .bind(&now)
        .execute(&mut *conn)
        .await?;
    }
    event(conn, new, "imported", None, &format!("补发清册 {roster} 中发放失败的 {} 行", failed.len())).await?;
    Ok(new)
}

/// Corrects the bank details of one line of a draft roster (a new card after a failed payment):
/// the line is paid into the new account; the person's account on file follows when the roster
/// has passed its reviews, as for an imported roster. Recorded on the roster (masked).
pub async fn correct_line(
    cx: &AppContext,
    staff: &Staff,
    roster: i64,
    payment: i64,
    bank: i64,
    account: &str,
) -> Result<(), FlowError> {
    let account = crate::domain::BankAccount::parse(account).map_err(|e| FlowError::Invalid(e.to_string()))?;
    let mut tx = cx.db.begin().await?;
    let r = sqlx::query("SELECT status, department_id FROM rosters WHERE id = $1")
        .bind(roster)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(FlowError::NotFound)?;
    if !crate::ssr::rosters::reads::actions(staff, r.get("department_id"), &r.get::<String, _>("status"), false, false)
        .correct
    {
        return Err(FlowError::WrongState);
    }
    let luhn: Option<i64> =
        sqlx::query_scalar("SELECT luhn FROM banks WHERE id = $1").bind(bank).fetch_optional(&mut *tx).await?;
    let line = sqlx::query("SELECT p.recipient_id, b.account_hash, b.account_last4 FROM payments p JOIN beneficiaries b ON b.id = p.recipient_id WHERE p.id = $1 AND p.roster_id = $2")
        .bind(payment)
        .bind(roster)
        .fetch_optional(&mut *tx)
        .await?;
    let (Some(line), Some(luhn)) = (line, luhn) else { return Err(FlowError::NotFound) };
    if luhn != 0 && !account.luhn_ok() {
        return Err(FlowError::Invalid("银行卡号的校验位不对（该行卡号末位是校验位），请核对".into()));
    }
    sqlx::query("UPDATE payments SET bank_id = $1, account_last4 = $2, account_enc = $3 WHERE id = $4")
        .bind(bank)
        .bind(account.last4())
        .bind(cx.vault.encrypt(account.as_str()))
        .bind(payment)
        .execute(&mut *tx)
        .await?;
    if line.get::<Option<String>, _>("account_hash").as_deref() != Some(cx.vault.lookup_hash(account.as_str()).as_str())
    {
        let held = crate::ssr::rosters::HeldChange::new(
            roster,
            line.get("recipient_id"),
            crate::ssr::rosters::Change::Account {
                old_last4: line.get("account_last4"),
                new: account.clone(),
                bank_id: bank,
            },
        );
        crate::ssr::rosters::hold_changes(&mut tx, &cx.vault, &[held], &clock::now()).await?;
    }
    event(
        &mut tx,
        roster,
        "corrected",
        Some(staff.id),
        &format!("明细 {payment} 银行卡号更正为 {}", crate::domain::mask::account(&account)),
    )
    .await?;
    crate::ssr::audit::append(
        &mut tx,
        &format!("staff:{}", staff.id),
        "roster_line_corrected",
        &format!("payment:{payment}"),
        "",
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
