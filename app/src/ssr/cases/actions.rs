//! What staff do to a case (accept, ask, reply, transfer, extend, close) and the escalation of
//! overdue cases to the finance bureau.

use super::{calendar, deadline_after, event, load, unchanged_if, CaseError, RUNNING};
use crate::domain::cases::{check_note, CaseActionError};
use crate::ssr::sms::SmsMessage;
use crate::ssr::staff::Staff;
use crate::ssr::{admin, audit, clock, AppContext, Db};
use sqlx::Row;

/// What a staff member does to a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Accept,
    RequestInfo { note: String },
    Reply { text: String },
    Transfer { to_department: i64, reason: String },
    Extend { reason: String },
    Close,
}

/// A staff member's step on a case, checked against their role and the case's state, recorded
/// with who and when, in one transaction.
pub async fn act(cx: &AppContext, staff: &Staff, case_id: i64, action: Action) -> Result<(), CaseError> {
    let mut tx = cx.db.begin().await?;
    let c = load(&mut tx, cx, case_id).await?;
    if !staff.can_see(c.department_id) {
        return Err(CaseError::NotFound);
    }
    if !staff.can_act(c.department_id) {
        return Err(CaseActionError::NotAllowed.into());
    }
    let owing = matches!(c.status.as_str(), "open" | "accepted" | "info_requested");
    let department = admin::department_name(&mut tx, c.department_id).await?.unwrap_or_default();
    let mut message = None;
    let (kind, from, to, note) = match action {
        Action::Accept => {
            if c.status != "open" {
                return Err(CaseActionError::WrongState.into());
            }
            let done = sqlx::query("UPDATE cases SET status = 'accepted' WHERE id = $1 AND status = $2")
                .bind(case_id)
                .bind(&c.status)
                .execute(&mut *tx)
                .await?;
            unchanged_if(done.rows_affected())?;
            ("accepted", None, None, String::new())
        }
        Action::RequestInfo { note } => {
            let note = check_note(&note)?;
            if !matches!(c.status.as_str(), "open" | "accepted") {
                return Err(CaseActionError::WrongState.into());
            }
            let done = sqlx::query("UPDATE cases SET status = 'info_requested' WHERE id = $1 AND status = $2")
                .bind(case_id)
                .bind(&c.status)
                .execute(&mut *tx)
                .await?;
            unchanged_if(done.rows_affected())?;
            message = Some(SmsMessage::CaseInfoRequested { tracking_no: c.tracking_no.clone(), department });
            ("info_requested", None, None, note)
        }
        Action::Reply { text } => {
            let text = check_note(&text)?;
            if !owing {
                return Err(CaseActionError::WrongState.into());
            }
            let today = clock::local_today();
            let done = sqlx::query("UPDATE cases SET status = 'answered', reply = $1, answered_on = $2, answered_on_time = $3 WHERE id = $4 AND status = $5")
                .bind(&text)
                .bind(&today)
                .bind(i64::from(today <= c.deadline_on))
                .bind(case_id)
                .bind(&c.status)
                .execute(&mut *tx)
                .await?;
            unchanged_if(done.rows_affected())?;
            message = Some(SmsMessage::CaseReplied { tracking_no: c.tracking_no.clone(), department });
            ("replied", None, None, text)
        }
        Action::Transfer { to_department, reason } => {
            let reason = check_note(&reason)?;
            if !owing {
                return Err(CaseActionError::WrongState.into());
            }
            if to_department == c.department_id {
                return Err(CaseActionError::SameDepartment.into());
            }
            // Another county's department is as unknown as one that does not exist.
            if !super::transfer_targets(&mut tx, c.department_id).await?.iter().any(|(id, _)| *id == to_department) {
                return Err(CaseActionError::UnknownDepartment.into());
            }
            let done = sqlx::query("UPDATE cases SET department_id = $1, status = 'open' WHERE id = $2 AND status = $3 AND department_id = $4")
                .bind(to_department)
                .bind(case_id)
                .bind(&c.status)
                .bind(c.department_id)
                .execute(&mut *tx)
                .await?;
            unchanged_if(done.rows_affected())?;
            ("transferred", Some(c.department_id), Some(to_department), reason)
        }
        Action::Extend { reason } => {
            let reason = check_note(&reason)?;
            if !owing {
                return Err(CaseActionError::WrongState.into());
            }
            if c.extended {
                return Err(CaseActionError::AlreadyExtended.into());
            }
            let deadline =
                deadline_after(&calendar(&mut tx, c.department_id).await?, &c.deadline_on, cx.deadlines.days(c.kind));
            // A new deadline: the case may be escalated again if it passes that one too.
            let done = sqlx::query(
                "UPDATE cases SET extended = 1, escalated = 0, deadline_on = $1 WHERE id = $2 AND extended = 0",
            )
            .bind(&deadline)
            .bind(case_id)
            .execute(&mut *tx)
            .await?;
            unchanged_if(done.rows_affected())?;
            ("extended", None, None, format!("{reason}（办理期限延至{deadline}）"))
        }
        Action::Close => {
            if c.status != "answered" {
                return Err(CaseActionError::WrongState.into());
            }
            let done =
                sqlx::query("UPDATE cases SET status = 'closed', closed_at = $1 WHERE id = $2 AND status = 'answered'")
                    .bind(clock::now())
                    .bind(case_id)
                    .execute(&mut *tx)
                    .await?;
            unchanged_if(done.rows_affected())?;
            ("closed", None, None, String::new())
        }
    };
    event(&mut tx, case_id, kind, from, to, Some(staff.id), &note).await?;
    audit::append(&mut tx, &format!("staff:{}", staff.id), &format!("case_{kind}"), &format!("case:{case_id}"), "")
        .await?;
    if let (Some(message), Some(phone)) = (message, &c.phone) {
        cx.sms.queue(&mut tx, &cx.vault, phone, &message).await?;
    }
    tx.commit().await?;
    cx.sms.deliver_soon(cx);
    Ok(())
}

/// Flags every case past its deadline (once) and records that it went to the finance bureau's
/// view. Safe to run on several nodes at once. Returns how many were escalated now.
pub async fn escalate_overdue(db: &Db) -> Result<usize, sqlx::Error> {
    let sql =
        format!("SELECT id, department_id FROM cases WHERE escalated = 0 AND status IN {RUNNING} AND deadline_on < $1");
    let due = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(clock::local_today()).fetch_all(&db.pool).await?;
    let mut escalated = 0;
    for r in due {
        let id: i64 = r.get("id");
        let mut tx = db.begin().await?;
        let done = sqlx::query("UPDATE cases SET escalated = 1 WHERE id = $1 AND escalated = 0")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 1 {
            event(&mut tx, id, "escalated", Some(r.get("department_id")), None, None, "").await?;
            escalated += 1;
        }
        tx.commit().await?;
    }
    Ok(escalated)
}
