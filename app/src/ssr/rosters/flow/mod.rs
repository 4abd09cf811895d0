//! The review flow of a roster, each step recorded with who and when: draft → publicity (公示,
//! on `/publicity` at once) → department approved → finance procedural review (or returned) →
//! sent to the bank (export file) → bank feedback (paid / failed + reason) → payout publicity
//! (automatic) → a reissue roster for the failed lines; a published line may be corrected before
//! it is paid (更正), a paid one clawed back (追回). In five parts: `upload` (from file to draft),
//! `review` (the steps), `correction`, `bank` (the bank's file and feedback), `clawback`.

mod bank;
mod clawback;
mod correction;
mod review;
mod upload;

pub use bank::{bank_file, import_feedback};
pub use clawback::claw_back;
pub use correction::correct_publicity;
pub use review::{correct_line, step};
pub use upload::{import, keep_upload, may_import, preview};

use super::ImportError;
use crate::api::rosters::Problem;
use crate::ssr::clock;
use sqlx::AnyConnection;

/// Calendar days of the publicity (objection) period.
pub const PUBLICITY_DAYS: i64 = 7;
/// Payout publicity later than this many days after payment is flagged.
pub const PAYOUT_PUBLICITY_DAYS: i64 = 5;

#[derive(Debug, thiserror::Error)]
pub enum FlowError {
    #[error("您没有办理这一步的权限")]
    NotAllowed,
    #[error("清册当前状态下不能进行这一步")]
    WrongState,
    #[error("公示期未满（{0}结束），公示期满后才能审核")]
    PublicityNotOver(String),
    /// Which reason (退回理由, 撤回理由, 更正理由, 追回理由).
    #[error("请填写{0}")]
    ReasonRequired(&'static str),
    #[error("本清册有 {0} 个村（社区）的敏感类别人数不足规定人数，请先选择这些村按乡镇汇总公示还是逐人公示")]
    SmallCellsUnchosen(usize),
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
    #[error("publicity log: {0}")]
    Log(#[from] crate::ssr::publicity_log::LogError),
}

/// A reason bound for the public log (`which`: 撤回理由, 追回理由, 更正理由), cleaned; refused when
/// empty or when it holds what looks like an ID number, phone or account.
fn public_reason(text: &str, which: &'static str) -> Result<String, FlowError> {
    let reason = crate::domain::cases::clean_text(text);
    if reason.is_empty() {
        return Err(FlowError::ReasonRequired(which));
    }
    if crate::domain::publicity::looks_personal(&reason) {
        return Err(FlowError::Invalid(format!(
            "{which}会公开记入公示日志，请不要写身份证号、手机号或银行卡号（写“第几行”即可）"
        )));
    }
    Ok(reason)
}

/// Takes a roster for an action on one of its lines: its row is written first, so that a step,
/// a withdrawal or another line's action on it (on any node) waits until this transaction ends;
/// refused unless `staff` may see it and `may` allows it now. Returns the roster's `status`,
/// `department_id`, `region_id` and `line_count`.
async fn take_roster(
    conn: &mut AnyConnection,
    staff: &crate::ssr::staff::Staff,
    roster: i64,
    may: fn(&crate::api::rosters::RosterActions) -> bool,
) -> Result<sqlx::any::AnyRow, FlowError> {
    use sqlx::Row;
    let r = sqlx::query(
        "UPDATE rosters SET status = status WHERE id = $1 \
         RETURNING status, department_id, region_id, line_count",
    )
    .bind(roster)
    .fetch_optional(conn)
    .await?
    .ok_or(FlowError::NotFound)?;
    let department: i64 = r.get("department_id");
    if !staff.can_see(department) {
        return Err(FlowError::NotFound);
    }
    if !may(&crate::ssr::rosters::reads::actions(staff, department, &r.get::<String, _>("status"), false, false)) {
        return Err(FlowError::WrongState);
    }
    Ok(r)
}

/// What was done to one published line of a roster: its log entry (`kind`, with the public
/// `reason`), the roster's event (`step`, with its note for staff), the audit line's action, and
/// the SMS for the person (sent when they have a phone on file, `phone_enc`).
struct LineDone<'a> {
    roster: i64,
    payment: i64,
    kind: &'a str,
    reason: &'a str,
    step: &'a str,
    note: String,
    audit: &'a str,
    phone_enc: Option<Vec<u8>>,
    message: crate::ssr::sms::SmsMessage,
}

/// Records what was done to a line, inside the caller's transaction (which then commits and
/// has the SMS delivered soon).
async fn record_line(
    conn: &mut AnyConnection,
    cx: &crate::ssr::AppContext,
    staff: &crate::ssr::staff::Staff,
    done: LineDone<'_>,
) -> Result<(), FlowError> {
    let publication =
        crate::ssr::publicity_log::Publication { roster: done.roster, kind: done.kind, reason: done.reason };
    crate::ssr::publicity_log::record(conn, &cx.vault, &cx.log_tree, &[publication]).await?;
    event(conn, done.roster, done.step, Some(staff.id), &done.note).await?;
    let payment = format!("payment:{}", done.payment);
    crate::ssr::audit::append(conn, &format!("staff:{}", staff.id), done.audit, &payment, "").await?;
    let phone =
        done.phone_enc.and_then(|e| cx.vault.decrypt(&e).ok()).and_then(|p| crate::domain::Phone::parse(&p).ok());
    if let Some(phone) = phone {
        cx.sms.queue(conn, &cx.vault, &phone, &done.message).await?;
    }
    Ok(())
}

/// Records a step on a roster.
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
