//! What the filer does after filing: track the case with their code, add what was asked for,
//! and reopen an answer they find unsatisfactory.

use super::{calendar, deadline_after, event, load, unchanged_if, CaseError};
use crate::domain::cases::{check_note, CaseActionError, REOPEN_WITHIN_DAYS};
use crate::domain::date::{days_between, parse_days};
use crate::domain::Phone;
use crate::ssr::code::{self, Asker, CodeCheck, Purpose, Started, Unlocks, Verified};
use crate::ssr::session::{self, Kind};
use crate::ssr::{audit, clock, AppContext};
use std::net::IpAddr;

/// Tracking step 1: a code goes to the phone only when it is the one the case was filed with;
/// the answer is the same either way.
pub async fn start_tracking(
    cx: &AppContext,
    tracking_no: &str,
    phone: &Phone,
    addr: Option<IpAddr>,
) -> Result<Started, CaseError> {
    let asker = Asker::new(cx, Purpose::Case, phone, None, Some(tracking_no), addr);
    let mut tx = cx.db.begin().await?;
    code::lock(&mut tx, cx.db.backend, &asker).await?;
    let case_id: Option<i64> =
        sqlx::query_scalar("SELECT id FROM cases WHERE tracking_no = $1 AND filer_phone_hash = $2")
            .bind(tracking_no)
            .bind(asker.phone_hash())
            .fetch_optional(&mut *tx)
            .await?;
    let sends = case_id.is_some();
    if let Some(retry_after_secs) = code::wait_needed(&mut tx, &asker, sends).await? {
        tx.rollback().await?;
        return Ok(Started::Limited { retry_after_secs });
    }
    let unlocks = Unlocks { beneficiary: None, case_id };
    Ok(code::send(cx, tx, &asker, phone, sends, unlocks, "case_code_sent", "tracking").await?)
}

/// Tracking step 2: a right code opens a session on the case; `Done` carries its token.
pub async fn verify_tracking(cx: &AppContext, token: &str, typed: &str) -> Result<Verified<String>, CaseError> {
    let mut tx = cx.db.begin().await?;
    let answer = match code::check(cx, &mut tx, Purpose::Case, token, typed).await? {
        CodeCheck::Right { unlocks: Unlocks { case_id: Some(case_id), .. }, .. } => {
            Verified::Done(session::open(&mut tx, cx, Kind::Case, case_id).await?)
        }
        CodeCheck::Right { .. } | CodeCheck::Expired => Verified::Expired,
        CodeCheck::Wrong { tries_left } => Verified::Wrong { tries_left },
    };
    tx.commit().await?;
    Ok(answer)
}

/// The filer calls an answer unsatisfactory (within 15 days, once): the case opens again with a
/// new deadline from today, and counts as reopened in the department's figures.
pub async fn reopen(cx: &AppContext, case_id: i64, reason: &str) -> Result<(), CaseError> {
    let reason = check_note(reason)?;
    let mut tx = cx.db.begin().await?;
    let c = load(&mut tx, cx, case_id).await?;
    let today = clock::local_today();
    let within =
        c.answered_on.as_deref().and_then(|a| days_between(a, &today)).is_some_and(|d| d <= REOPEN_WITHIN_DAYS);
    if !matches!(c.status.as_str(), "answered" | "closed") || c.reopened || !within {
        return Err(CaseActionError::ReopenClosed.into());
    }
    let deadline = deadline_after(&calendar(&mut tx, c.department_id).await?, &today, cx.deadlines.days(c.kind));
    let done = sqlx::query(
        "UPDATE cases SET status = 'open', reopened = 1, escalated = 0, deadline_on = $1, reply = NULL, answered_on = NULL, \
         answered_on_time = NULL, closed_at = NULL WHERE id = $2 AND reopened = 0 AND status IN ('answered', 'closed')",
    )
    .bind(&deadline)
    .bind(case_id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() != 1 {
        return Err(CaseActionError::ReopenClosed.into());
    }
    event(
        &mut tx,
        case_id,
        "reopened",
        None,
        Some(c.department_id),
        None,
        &format!("{reason}（新的办理期限{deadline}）"),
    )
    .await?;
    audit::append(&mut tx, "citizen", "case_reopened", &format!("case:{case_id}"), "").await?;
    tx.commit().await?;
    Ok(())
}

/// The filer adds what the department asked for; the case goes back to the department.
pub async fn supplement(cx: &AppContext, case_id: i64, text: &str) -> Result<(), CaseError> {
    let text = check_note(text)?;
    let mut tx = cx.db.begin().await?;
    let c = load(&mut tx, cx, case_id).await?;
    if c.status != "info_requested" {
        return Err(CaseActionError::WrongState.into());
    }
    // The time spent waiting for the filer does not count (as with 补正 under the disclosure rules).
    let asked: Option<String> =
        sqlx::query_scalar("SELECT MAX(at) FROM case_events WHERE case_id = $1 AND kind = 'info_requested'")
            .bind(case_id)
            .fetch_one(&mut *tx)
            .await?;
    let today = clock::local_today();
    let calendar = calendar(&mut tx, c.department_id).await?;
    let asked_on = asked.map(|a| clock::local_minute(&a)[..10].to_string()).unwrap_or_else(|| today.clone());
    let waited =
        calendar.working_days_between(parse_days(&asked_on).unwrap_or(0), parse_days(&today).unwrap_or(0)).max(0);
    let deadline = deadline_after(&calendar, &c.deadline_on, waited as u32);
    let done = sqlx::query("UPDATE cases SET status = 'accepted', deadline_on = $1, description = description || $2 WHERE id = $3 AND status = 'info_requested'")
        .bind(&deadline)
        .bind(format!("\n\n【{today}补充】{text}"))
        .bind(case_id)
        .execute(&mut *tx)
        .await?;
    unchanged_if(done.rows_affected())?;
    event(&mut tx, case_id, "supplemented", None, None, None, "").await?;
    audit::append(&mut tx, "citizen", "case_supplemented", &format!("case:{case_id}"), "").await?;
    tx.commit().await?;
    Ok(())
}

/// The case a filer's tracking session unlocks, if the session is live.
pub async fn tracked(cx: &AppContext, token: &str) -> Result<Option<i64>, sqlx::Error> {
    Ok(session::find(cx, Kind::Case, token).await?.map(|s| s.subject))
}
