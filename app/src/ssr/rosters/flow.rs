//! The review flow of a roster, each step recorded with who and when: draft → publicity (公示,
//! on `/publicity` at once) → department approved → finance procedural review (or returned) →
//! sent to the bank (export file) → bank feedback (paid / failed + reason) → payout publicity
//! (automatic) → a reissue roster for the failed lines. Also the upload kept between preview and
//! import.

use super::file;
use super::{check, sha256_hex, write, ImportError, Target};
use crate::api::rosters::{Problem, UploadPreview};
use crate::api::staff::StaffMe;
use crate::domain::date::{format_days, parse_days};
use crate::domain::rosters::{RosterStatus, RosterStep};
use crate::domain::{IdNumber, Money, Phone};
use crate::ssr::code::random_hex;
use crate::ssr::db::changes;
use crate::ssr::sms::SmsMessage;
use crate::ssr::staff::{Role, Staff};
use crate::ssr::{clock, AppContext};
use sqlx::{AnyConnection, Row};

/// Calendar days of the publicity (objection) period.
pub const PUBLICITY_DAYS: i64 = 7;
/// Payout publicity later than this many days after payment is flagged.
pub const PAYOUT_PUBLICITY_DAYS: i64 = 5;
const UPLOAD_TTL_SECS: i64 = 3600;

#[derive(Debug, thiserror::Error)]
pub enum FlowError {
    #[error("您没有办理这一步的权限")]
    NotAllowed,
    #[error("清册当前状态下不能进行这一步")]
    WrongState,
    #[error("公示期未满（{0}结束），公示期满后才能审核")]
    PublicityNotOver(String),
    #[error("请填写退回理由")]
    ReasonRequired,
    #[error("上传已过期，请重新上传")]
    UploadExpired,
    #[error("{0}")]
    Import(#[from] ImportError),
    #[error("银行反馈文件有 {} 处问题", .0.len())]
    Feedback(Vec<Problem>),
    #[error("没有这个清册或明细")]
    NotFound,
    #[error("{0}")]
    Invalid(String),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

/// Whether `staff` may upload, preview and import a roster for the item `item_code` in the
/// year of `period`: the item's department and the finance bureau only (a preview shows who is
/// paid, deceased or registered elsewhere). An item that does not exist is theirs to be told so.
pub async fn may_import(cx: &AppContext, staff: &Staff, item_code: &str, period: &str) -> Result<bool, sqlx::Error> {
    match staff.role {
        Role::Finance => Ok(true),
        Role::Supervisor | Role::Admin => Ok(false),
        Role::Department => {
            let year: i64 = crate::domain::normalize_ascii(period).get(..4).and_then(|y| y.parse().ok()).unwrap_or(0);
            let department: Option<i64> =
                sqlx::query_scalar("SELECT department_id FROM subsidy_items WHERE code = $1 AND year = $2")
                    .bind(item_code.trim())
                    .bind(year)
                    .fetch_optional(&cx.db.pool)
                    .await?;
            Ok(department.is_none_or(|d| staff.department_id == Some(d)))
        }
    }
}

/// Keeps an uploaded file (encrypted) for an hour; returns the token that names it.
#[allow(clippy::too_many_arguments)]
pub async fn keep_upload(
    cx: &AppContext,
    staff: &Staff,
    purpose: &str,
    item_code: &str,
    period: &str,
    roster: Option<i64>,
    file_name: &str,
    bytes: &[u8],
) -> Result<String, sqlx::Error> {
    let token = random_hex(16);
    sqlx::query("DELETE FROM roster_uploads WHERE expires_at < $1").bind(clock::now()).execute(&cx.db.pool).await?;
    sqlx::query(
        "INSERT INTO roster_uploads (token_hash, purpose, staff_id, item_code, period, roster_id, file_name, file_enc, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(cx.vault.lookup_hash(&token))
    .bind(purpose)
    .bind(staff.id)
    .bind(item_code.trim())
    .bind(period.trim())
    .bind(roster)
    .bind(file_name.chars().take(100).collect::<String>())
    .bind(cx.vault.encrypt_bytes(bytes))
    .bind(clock::now())
    .bind(clock::from_now(UPLOAD_TTL_SECS))
    .execute(&cx.db.pool)
    .await?;
    Ok(token)
}

struct Upload {
    item_code: String,
    period: String,
    file_name: String,
    bytes: Vec<u8>,
}

async fn upload(cx: &AppContext, staff: &Staff, token: &str) -> Result<Option<Upload>, sqlx::Error> {
    let row = sqlx::query("SELECT item_code, period, file_name, file_enc, expires_at FROM roster_uploads WHERE token_hash = $1 AND staff_id = $2 AND purpose = 'roster'")
        .bind(cx.vault.lookup_hash(token))
        .bind(staff.id)
        .fetch_optional(&cx.db.pool)
        .await?;
    Ok(row.filter(|r| r.get::<String, _>("expires_at") >= clock::now()).and_then(|r| {
        Some(Upload {
            item_code: r.get("item_code"),
            period: r.get("period"),
            file_name: r.get("file_name"),
            bytes: cx.vault.decrypt_bytes(&r.get::<Vec<u8>, _>("file_enc")).ok()?,
        })
    }))
}

/// The check of a kept upload, for the preview page.
pub async fn preview(
    cx: &AppContext,
    staff: &Staff,
    me: StaffMe,
    token: &str,
) -> Result<Option<UploadPreview>, sqlx::Error> {
    let Some(u) = upload(cx, staff, token).await? else { return Ok(None) };
    if !may_import(cx, staff, &u.item_code, &u.period).await? {
        return Ok(None);
    }
    let mut out = UploadPreview {
        me,
        token: token.to_string(),
        file_name: u.file_name.clone(),
        item: u.item_code.clone(),
        period: u.period.clone(),
        rows: 0,
        good: 0,
        total: Money::ZERO,
        problems: Vec::new(),
        screening: Vec::new(),
        error: None,
    };
    let table = match file::read(&u.bytes) {
        Ok(t) => t,
        Err(e) => {
            out.error = Some(e.to_string());
            return Ok(Some(out));
        }
    };
    match check(&cx.db, &cx.vault, &table, &Target { item_code: u.item_code, period: u.period }, &|_| {}).await {
        Ok(c) => {
            out.item = c.item_name;
            out.period = c.period;
            out.rows = c.rows;
            out.good = c.lines.len();
            out.total = Money::from_fen(c.lines.iter().map(|l| l.amount.fen()).sum());
            out.problems = c.problems;
            out.screening = c.screening;
        }
        Err(ImportError::Db(e)) => return Err(e),
        Err(e) => out.error = Some(e.to_string()),
    }
    Ok(Some(out))
}

/// Imports a kept upload (checked again: the database may have changed since the preview).
pub async fn import(cx: &AppContext, staff: &Staff, token: &str, exclude_bad: bool) -> Result<Vec<i64>, FlowError> {
    let u = upload(cx, staff, token).await?.ok_or(FlowError::UploadExpired)?;
    if !may_import(cx, staff, &u.item_code, &u.period).await? {
        return Err(FlowError::NotAllowed);
    }
    let table = file::read(&u.bytes).map_err(ImportError::from)?;
    let checked =
        check(&cx.db, &cx.vault, &table, &Target { item_code: u.item_code, period: u.period }, &|_| {}).await?;
    if staff.role == Role::Department && staff.department_id != Some(checked.department_id) {
        return Err(FlowError::NotAllowed);
    }
    if !matches!(staff.role, Role::Department | Role::Finance) {
        return Err(FlowError::NotAllowed);
    }
    let ids =
        write(&cx.db, &cx.vault, &checked, &format!("staff:{}", staff.id), &sha256_hex(&u.bytes), exclude_bad).await?;
    sqlx::query(
        "UPDATE roster_events SET staff_id = $1 WHERE roster_id IN (SELECT id FROM rosters WHERE source_sha256 = $2)",
    )
    .bind(staff.id)
    .bind(sha256_hex(&u.bytes))
    .execute(&cx.db.pool)
    .await?;
    sqlx::query("DELETE FROM roster_uploads WHERE token_hash = $1")
        .bind(cx.vault.lookup_hash(token))
        .execute(&cx.db.pool)
        .await?;
    Ok(ids)
}

/// A step on a roster by its form's code (`publicise`, `approve`, `finance_review`, `return`
/// with a reason, `send_to_bank`, `reissue`). Returns the roster to show next.
pub async fn step(cx: &AppContext, staff: &Staff, roster: i64, code: &str, note: &str) -> Result<i64, FlowError> {
    let step = RosterStep::from_code(code).ok_or(FlowError::WrongState)?;
    let mut tx = cx.db.begin().await?;
    let r = sqlx::query("SELECT status, department_id, publicity_end FROM rosters WHERE id = $1")
        .bind(roster)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(FlowError::NotFound)?;
    let (status, department): (String, i64) = (r.get("status"), r.get("department_id"));
    let sees = match staff.role {
        Role::Department => staff.department_id == Some(department),
        Role::Finance | Role::Supervisor => true,
        Role::Admin => false,
    };
    if !sees {
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
    let may = crate::ssr::db::rosters::actions(
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
            publicise_lines(&mut tx, roster, &today).await?;
            format!("公示期至{end}")
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
                return Err(FlowError::ReasonRequired);
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
    crate::ssr::db::audit::append(
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
        crate::ssr::db::audit::append(
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

async fn event(
    conn: &mut AnyConnection,
    roster: i64,
    step: &str,
    staff: Option<i64>,
    note: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO roster_events (roster_id, step, staff_id, note, at) VALUES ($1, $2, $3, $4, $5)")
        .bind(roster)
        .bind(step)
        .bind(staff)
        .bind(note)
        .bind(clock::now())
        .execute(conn)
        .await?;
    Ok(())
}

/// The masked publicity entries of every line, as the public will see them, indexed for search.
async fn publicise_lines(conn: &mut AnyConnection, roster: i64, today: &str) -> Result<(), sqlx::Error> {
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
             period, amount_fen, status, published_on) VALUES ($1, $2, $3, 'before_payment', $4, $5, $6, $7, $8, $9, $10, 'pending', $11) RETURNING id",
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
        .fetch_one(&mut *conn)
        .await?;
        changes::record(conn, changes::PUBLICITY, entry, false).await?;
    }
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
    if !crate::ssr::db::rosters::actions(staff, r.get("department_id"), &r.get::<String, _>("status"), false, false)
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
        let held = super::HeldChange::new(
            roster,
            line.get("recipient_id"),
            super::Change::Account { old_last4: line.get("account_last4"), new: account.clone(), bank_id: bank },
        );
        super::hold_changes(&mut tx, &cx.vault, &[held], &clock::now()).await?;
    }
    event(
        &mut tx,
        roster,
        "corrected",
        Some(staff.id),
        &format!("明细 {payment} 银行卡号更正为 {}", crate::domain::mask::account(&account)),
    )
    .await?;
    crate::ssr::db::audit::append(
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

/// The file for the bank: every line with the account to pay into, the line's own as reviewed
/// (staff only; audited).
pub async fn bank_file(cx: &AppContext, staff: &Staff, roster: i64) -> Result<(String, String), FlowError> {
    let r = sqlx::query("SELECT status, department_id, period FROM rosters WHERE id = $1")
        .bind(roster)
        .fetch_optional(&cx.db.pool)
        .await?
        .ok_or(FlowError::NotFound)?;
    let may =
        crate::ssr::db::rosters::actions(staff, r.get("department_id"), &r.get::<String, _>("status"), false, false);
    if !may.bank_file {
        return Err(FlowError::NotAllowed);
    }
    let lines = sqlx::query(
        "SELECT p.id, b.name, b.id_enc, COALESCE(p.account_enc, rb.account_enc) AS account_enc, bk.name AS bank, p.amount_fen \
         FROM payments p JOIN beneficiaries b ON b.id = p.beneficiary_id \
         JOIN beneficiaries rb ON rb.id = p.recipient_id JOIN banks bk ON bk.id = p.bank_id WHERE p.roster_id = $1 ORDER BY p.id",
    )
    .bind(roster)
    .fetch_all(&cx.db.pool)
    .await?;
    let rows = lines.iter().map(|l| {
        let id = cx.vault.decrypt(&l.get::<Vec<u8>, _>("id_enc")).unwrap_or_default();
        let account =
            l.get::<Option<Vec<u8>>, _>("account_enc").and_then(|a| cx.vault.decrypt(&a).ok()).unwrap_or_default();
        vec![
            l.get::<i64, _>("id").to_string(),
            l.get("name"),
            id,
            l.get("bank"),
            account,
            Money::from_fen(l.get("amount_fen")).plain(),
            String::new(),
            String::new(),
            String::new(),
        ]
    });
    let csv = crate::api::csv::document(
        &["明细号", "姓名", "身份证号", "开户行", "银行卡号", "补贴额", "结果", "失败原因", "到账日期"],
        rows,
    );
    crate::ssr::db::audit::append_alone(
        &cx.db,
        &format!("staff:{}", staff.id),
        "roster_bank_file",
        &format!("roster:{roster}"),
        "",
    )
    .await?;
    Ok((format!("roster-{roster}-{}-bank.csv", r.get::<String, _>("period")), csv))
}

/// The bank's reason in its words → the stored reason.
fn failure_reason(text: &str) -> &'static str {
    let t = text.trim();
    if t.contains("未激活") || t.contains("激活") {
        "card_not_activated"
    } else if t.contains("销户") || t.contains("注销") {
        "account_closed"
    } else if t.contains("不一致") || t.contains("不符") || t.contains("户名") {
        "name_id_mismatch"
    } else if t.contains("冻结") || t.contains("挂失") {
        "account_frozen"
    } else if t.contains("不存在") || t.contains("无此") {
        "account_not_found"
    } else if t.contains("死亡") || t.contains("身故") {
        "deceased"
    } else {
        "other"
    }
}

/// Imports the bank's feedback for a roster sent to the bank: every line must be answered, paid
/// (with its date) or failed (with a reason). In one transaction: the lines' outcomes, the
/// payout publicity (automatic, flagged when later than 5 days after payment), and an SMS to each
/// beneficiary with a phone (主管部门 + 补贴名称 + 补贴金额). Returns (paid, failed, late publicity).
pub async fn import_feedback(
    cx: &AppContext,
    staff: &Staff,
    roster: i64,
    bytes: &[u8],
) -> Result<(usize, usize, bool), FlowError> {
    let r = sqlx::query("SELECT ro.status, ro.department_id, i.name AS item, d.name AS department FROM rosters ro JOIN subsidy_items i ON i.id = ro.item_id \
                         JOIN departments d ON d.id = ro.department_id WHERE ro.id = $1")
        .bind(roster)
        .fetch_optional(&cx.db.pool)
        .await?
        .ok_or(FlowError::NotFound)?;
    let may =
        crate::ssr::db::rosters::actions(staff, r.get("department_id"), &r.get::<String, _>("status"), false, false);
    if !may.feedback {
        return Err(FlowError::WrongState);
    }
    let table = feedback_table(bytes)?;
    let lines = sqlx::query("SELECT p.id, b.id_hash, p.amount_fen, b.phone_enc FROM payments p JOIN beneficiaries b ON b.id = p.beneficiary_id WHERE p.roster_id = $1")
        .bind(roster)
        .fetch_all(&cx.db.pool)
        .await?;
    let mut problems = Vec::new();
    let mut outcomes: Vec<(i64, Option<String>, Option<&'static str>)> = Vec::new();
    for (row, cells) in &table {
        let mut problem =
            |column: &str, message: String| problems.push(Problem { row: *row, column: column.into(), message });
        let id = match IdNumber::parse(&cells[0]) {
            Ok(id) => id,
            Err(e) => {
                problem("身份证号", e.to_string());
                continue;
            }
        };
        let Some(line) = lines.iter().find(|l| l.get::<String, _>("id_hash") == cx.vault.lookup_hash(id.as_str()))
        else {
            problem("身份证号", "此人不在这个清册中".into());
            continue;
        };
        let pid: i64 = line.get("id");
        if outcomes.iter().any(|(p, ..)| *p == pid) {
            problem("身份证号", "同一人反馈了两次".into());
            continue;
        }
        let result = cells[1].trim();
        if ["成功", "已发放", "已到账", "到账", "发放成功"].contains(&result) {
            match crate::domain::date::parse_written_date(&cells[3]) {
                Some(d) => outcomes.push((pid, Some(format_days(d)), None)),
                None if cells[3].trim().is_empty() => problem("到账日期", "请填写到账日期，如 2026-12-05".into()),
                None => problem("到账日期", format!("“{}”不是有效的日期，请写成 2026-12-05", cells[3].trim())),
            }
        } else if ["失败", "发放失败", "退回", "未到账"].contains(&result) {
            outcomes.push((pid, None, Some(failure_reason(&cells[2]))));
        } else {
            problem("结果", format!("“{result}”应为“成功”或“失败”"));
        }
    }
    if problems.is_empty() && outcomes.len() < lines.len() {
        problems.push(Problem {
            row: 0,
            column: "身份证号".into(),
            message: format!("还有 {} 人没有反馈结果", lines.len() - outcomes.len()),
        });
    }
    if !problems.is_empty() {
        return Err(FlowError::Feedback(problems));
    }
    let today = clock::local_today();
    let paid_on = outcomes.iter().filter_map(|(_, d, _)| d.clone()).max();
    let late = paid_on
        .as_deref()
        .and_then(|p| crate::domain::date::days_between(p, &today))
        .is_some_and(|d| d > PAYOUT_PUBLICITY_DAYS);
    let (item, department): (String, String) = (r.get("item"), r.get("department"));
    let mut tx = cx.db.begin().await?;
    for (pid, date, reason) in &outcomes {
        let status = if date.is_some() { "paid" } else { "failed" };
        sqlx::query("UPDATE payments SET status = $1, paid_on = $2, failure_reason = $3 WHERE id = $4")
            .bind(status)
            .bind(date)
            .bind(reason)
            .bind(pid)
            .execute(&mut *tx)
            .await?;
        // A reissue that paid marks the line it paid again as reissued on the publicity.
        if date.is_some() {
            let first: Option<i64> = sqlx::query_scalar("SELECT reissue_of_id FROM payments WHERE id = $1")
                .bind(pid)
                .fetch_one(&mut *tx)
                .await?;
            if let Some(first) = first {
                let entries: Vec<i64> = sqlx::query_scalar(
                    "UPDATE publicity_entries SET status = 'reissued' WHERE payment_id = $1 RETURNING id",
                )
                .bind(first)
                .fetch_all(&mut *tx)
                .await?;
                for e in entries {
                    changes::record(&mut tx, changes::PUBLICITY, e, false).await?;
                }
            }
        }
        let entries: Vec<i64> = sqlx::query_scalar("UPDATE publicity_entries SET stage = 'after_payment', status = $1, published_on = $2 WHERE payment_id = $3 RETURNING id")
            .bind(status)
            .bind(&today)
            .bind(pid)
            .fetch_all(&mut *tx)
            .await?;
        for e in entries {
            changes::record(&mut tx, changes::PUBLICITY, e, false).await?;
        }
        let line = lines.iter().find(|l| l.get::<i64, _>("id") == *pid);
        let phone = line
            .and_then(|l| l.get::<Option<Vec<u8>>, _>("phone_enc"))
            .and_then(|e| cx.vault.decrypt(&e).ok())
            .and_then(|p| Phone::parse(&p).ok());
        if let (Some(phone), Some(line)) = (phone, line) {
            let message = SmsMessage::PaymentResult {
                department: department.clone(),
                item: item.clone(),
                amount: Money::from_fen(line.get("amount_fen")),
                paid: date.is_some(),
            };
            cx.sms.queue(&mut tx, &cx.vault, &phone, &message).await?;
        }
    }
    let done = sqlx::query("UPDATE rosters SET status = 'payout_publicised', paid_on = $1, payout_publicised_on = $2 WHERE id = $3 AND status = 'sent_to_bank'")
        .bind(&paid_on)
        .bind(&today)
        .bind(roster)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() != 1 {
        return Err(FlowError::WrongState);
    }
    let (paid, failed) =
        (outcomes.iter().filter(|o| o.1.is_some()).count(), outcomes.iter().filter(|o| o.1.is_none()).count());
    event(&mut tx, roster, "bank_feedback", Some(staff.id), &format!("到账 {paid} 人，失败 {failed} 人")).await?;
    event(&mut tx, roster, "payout_publicised", None, if late { "发放后公示晚于到账5日" } else { "" }).await?;
    crate::ssr::db::audit::append(
        &mut tx,
        &format!("staff:{}", staff.id),
        "roster_bank_feedback",
        &format!("roster:{roster}"),
        &format!("paid:{paid};failed:{failed}"),
    )
    .await?;
    tx.commit().await?;
    cx.sms.deliver_soon(cx);
    Ok((paid, failed, late))
}

/// The feedback file's rows as (row, [ID number, result, reason, date]).
fn feedback_table(bytes: &[u8]) -> Result<Vec<(usize, [String; 4])>, FlowError> {
    let grid = file::grid(bytes).map_err(ImportError::from)?;
    let wanted: [&[&str]; 4] = [
        &["身份证号", "身份证号码", "证件号码"],
        &["结果", "发放结果", "状态"],
        &["失败原因", "原因", "备注"],
        &["到账日期", "发放日期", "日期"],
    ];
    let norm = |s: &str| crate::domain::normalize_ascii(s).replace('（', "(").replace('）', ")");
    let header_at = grid.iter().take(10).position(|row| {
        row.iter().any(|h| wanted[0].contains(&norm(h).as_str()))
            && row.iter().any(|h| wanted[1].contains(&norm(h).as_str()))
    });
    let Some(header_at) = header_at else {
        return Err(ImportError::File(file::FileError::MissingColumns("身份证号”“结果".into())).into());
    };
    let index: Vec<Option<usize>> =
        wanted.iter().map(|names| grid[header_at].iter().position(|h| names.contains(&norm(h).as_str()))).collect();
    Ok(grid
        .iter()
        .enumerate()
        .skip(header_at + 1)
        .filter(|(_, row)| row.iter().any(|c| !c.trim().is_empty()))
        .map(|(i, row)| {
            (i + 1, std::array::from_fn(|k| index[k].and_then(|j| row.get(j)).cloned().unwrap_or_default()))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn bank_reasons_map_to_stored_reasons() {
        assert_eq!(super::failure_reason("社保卡金融功能未激活"), "card_not_activated");
        assert_eq!(super::failure_reason("账户已销户"), "account_closed");
        assert_eq!(super::failure_reason("户名与证件号不一致"), "name_id_mismatch");
        assert_eq!(super::failure_reason("账户冻结"), "account_frozen");
        assert_eq!(super::failure_reason("无此账户"), "account_not_found");
        assert_eq!(super::failure_reason("其他"), "other");
    }
}
