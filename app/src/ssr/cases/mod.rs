//! The case flow: filing (confirmed by the filer's SMS code, or straight from a signed-in
//! self-check), routing to the responsible department, working-day deadlines, staff actions,
//! the filer's reopening, and escalation of overdue cases.

pub mod reads;

use super::code::{self, Asker, CodeCheck, Purpose, Started, Unlocks, Verified};
use super::session::{self, Kind};
use super::sms::SmsMessage;
use super::staff::Staff;
use super::{clock, AppContext};
use crate::api::cases::CaseFormFields;
use crate::domain::cases::{
    check_description, check_name, check_note, clean_text, tracking_no, CaseActionError, CaseFormError,
    REOPEN_WITHIN_DAYS,
};
use crate::domain::date::{days_between, format_days, parse_days};
use crate::domain::{Calendar, CaseKind, Phone};
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row};
use std::net::IpAddr;

/// A kept form stays this long while it is being corrected (then as long as its code).
pub const DRAFT_TTL_SECS: i64 = 1800;
/// Statuses in which the deadline runs (not while waiting for the filer's supplement).
const RUNNING: &str = "('open', 'accepted')";

#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    #[error("{0}")]
    Form(#[from] CaseFormError),
    #[error("{0}")]
    Action(#[from] CaseActionError),
    #[error("no such case")]
    NotFound,
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

/// A case as the filer wrote it, validated for form and length (places are checked on filing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseDraft {
    pub kind: CaseKind,
    pub item_code: Option<String>,
    pub township_code: String,
    pub village_code: Option<String>,
    pub description: String,
    pub filer_name: String,
    pub anonymous: bool,
    pub payment_id: Option<i64>,
}

impl CaseDraft {
    /// From the form's fields as typed.
    pub fn parse(f: &CaseFormFields) -> Result<CaseDraft, CaseFormError> {
        let kind = CaseKind::from_code(&f.kind).ok_or(CaseFormError::Kind)?;
        let (township, village) = f.place.split_once('/').unwrap_or((&f.place, ""));
        let township_code = township.trim().to_string();
        if township_code.is_empty() {
            return Err(CaseFormError::Township);
        }
        let description = clean_text(&f.description);
        check_description(&description)?;
        let filer_name = clean_text(&f.name).replace('\n', " ");
        check_name(&filer_name)?;
        let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty() && s != "unsure");
        Ok(CaseDraft {
            kind,
            item_code: opt(&f.item),
            township_code,
            village_code: opt(village),
            description,
            filer_name,
            anonymous: f.anonymous,
            payment_id: f.payment,
        })
    }
}

/// A filed case: what the filer is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filed {
    pub id: i64,
    pub tracking_no: String,
    pub department: String,
}

/// The working-day calendar as admins configured it.
pub async fn calendar(conn: &mut AnyConnection) -> Result<Calendar, sqlx::Error> {
    let rows = sqlx::query("SELECT day, kind FROM holidays").fetch_all(conn).await?;
    Ok(Calendar::new(
        rows.iter()
            .filter_map(|r| Some((parse_days(&r.get::<String, _>("day"))?, r.get::<String, _>("kind") == "holiday"))),
    ))
}

/// The deadline `days` working days after `from` (a local ISO date).
fn deadline_after(calendar: &Calendar, from: &str, days: u32) -> String {
    format_days(calendar.add_working_days(parse_days(from).unwrap_or(0), days))
}

struct Routing {
    item_id: Option<i64>,
    department_id: i64,
    department: String,
    township_id: i64,
    village_id: Option<i64>,
}

/// Where a draft goes: the item's department (this year's catalogue), else the finance bureau's
/// triage queue; the township and village must exist and belong together.
async fn route(conn: &mut AnyConnection, draft: &CaseDraft) -> Result<Routing, CaseError> {
    let township: Option<i64> = sqlx::query_scalar("SELECT id FROM regions WHERE code = $1 AND level = 'township'")
        .bind(&draft.township_code)
        .fetch_optional(&mut *conn)
        .await?;
    let township_id = township.ok_or(CaseFormError::Township)?;
    let village_id = match &draft.village_code {
        Some(code) => Some(
            sqlx::query_scalar::<_, i64>(
                "SELECT id FROM regions WHERE code = $1 AND level = 'village' AND parent_id = $2",
            )
            .bind(code)
            .bind(township_id)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(CaseFormError::Township)?,
        ),
        None => None,
    };
    let item = match &draft.item_code {
        Some(code) => sqlx::query(
            "SELECT i.id, d.id AS department_id, d.name FROM subsidy_items i JOIN departments d ON d.id = i.department_id \
             WHERE i.code = $1 ORDER BY i.year DESC LIMIT 1",
        )
        .bind(code)
        .fetch_optional(&mut *conn)
        .await?,
        None => None,
    };
    let (item_id, department_id, department) = match item {
        Some(r) => (Some(r.get("id")), r.get("department_id"), r.get("name")),
        None => {
            // The finance bureau's triage queue (any department, should an installation have none).
            let r = sqlx::query("SELECT id, name FROM departments ORDER BY is_finance DESC, id LIMIT 1")
                .fetch_one(&mut *conn)
                .await?;
            (None, r.get("id"), r.get("name"))
        }
    };
    Ok(Routing { item_id, department_id, department, township_id, village_id })
}

/// Stores a case, its first event and the SMS with its tracking number, in the caller's
/// transaction. `origin` is `form` or `not_received`.
pub async fn file(
    conn: &mut AnyConnection,
    cx: &AppContext,
    draft: &CaseDraft,
    phone: &Phone,
    origin: &str,
) -> Result<Filed, CaseError> {
    let routing = route(conn, draft).await?;
    let today = clock::local_today();
    let sequence: i64 = sqlx::query_scalar(
        "INSERT INTO case_sequences (day, last_value) VALUES ($1, 1) \
         ON CONFLICT (day) DO UPDATE SET last_value = case_sequences.last_value + 1 RETURNING last_value",
    )
    .bind(&today)
    .fetch_one(&mut *conn)
    .await?;
    let no = tracking_no(&today, sequence, code::random_below(1_000_000));
    let deadline = deadline_after(&calendar(conn).await?, &today, cx.deadlines.days(draft.kind));
    let now = clock::now();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO cases (tracking_no, kind, origin, item_id, payment_id, township_id, village_id, department_id, status, description, \
         filer_name, filer_phone_enc, filer_phone_hash, anonymous, filed_at, filed_on, deadline_on) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id",
    )
    .bind(&no)
    .bind(draft.kind.code())
    .bind(origin)
    .bind(routing.item_id)
    .bind(draft.payment_id)
    .bind(routing.township_id)
    .bind(routing.village_id)
    .bind(routing.department_id)
    .bind(&draft.description)
    .bind(&draft.filer_name)
    .bind(cx.vault.encrypt(phone.as_str()))
    .bind(cx.vault.lookup_hash(phone.as_str()))
    .bind(i64::from(draft.anonymous))
    .bind(&now)
    .bind(&today)
    .bind(&deadline)
    .fetch_one(&mut *conn)
    .await?;
    event(conn, id, "filed", None, Some(routing.department_id), None, "").await?;
    super::audit::append(
        conn,
        "citizen",
        "case_filed",
        &format!("case:{id}"),
        &format!("department:{}", routing.department_id),
    )
    .await?;
    cx.sms
        .queue(
            conn,
            &cx.vault,
            phone,
            &SmsMessage::CaseFiled { tracking_no: no.clone(), department: routing.department.clone() },
        )
        .await?;
    Ok(Filed { id, tracking_no: no, department: routing.department })
}

async fn event(
    conn: &mut AnyConnection,
    case_id: i64,
    kind: &str,
    from: Option<i64>,
    to: Option<i64>,
    staff: Option<i64>,
    note: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO case_events (case_id, kind, from_department_id, to_department_id, staff_id, note, at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(case_id)
        .bind(kind)
        .bind(from)
        .bind(to)
        .bind(staff)
        .bind(note)
        .bind(clock::now())
        .execute(conn)
        .await?;
    Ok(())
}

/// Keeps the form as typed (encrypted) and returns the token that names it: the visitor's own
/// `token` when it names a form this server kept and that has not expired, else a new one (a
/// token the visitor made up names nothing). The form lives [`DRAFT_TTL_SECS`] while it is being
/// corrected, and only as long as its code once one is sent.
pub async fn save_form(cx: &AppContext, token: Option<&str>, fields: &CaseFormFields) -> Result<String, sqlx::Error> {
    let json = serde_json::to_string(fields).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let mut tx = cx.db.begin().await?;
    sqlx::query("DELETE FROM case_drafts WHERE expires_at < $1").bind(clock::now()).execute(&mut *tx).await?;
    let kept = match token {
        Some(t) => {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM case_drafts WHERE token_hash = $1")
                .bind(cx.vault.lookup_hash(t))
                .fetch_one(&mut *tx)
                .await?
                > 0
        }
        None => false,
    };
    let token = match token {
        Some(t) if kept => t.to_string(),
        _ => code::random_hex(32),
    };
    let hash = cx.vault.lookup_hash(&token);
    sqlx::query("DELETE FROM case_drafts WHERE token_hash = $1").bind(&hash).execute(&mut *tx).await?;
    sqlx::query("INSERT INTO case_drafts (token_hash, form_enc, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(&hash)
        .bind(cx.vault.encrypt(&json))
        .bind(clock::now())
        .bind(clock::from_now(DRAFT_TTL_SECS))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(token)
}

/// The form kept under `token`, if it has not expired.
pub async fn load_form(cx: &AppContext, token: &str) -> Result<Option<CaseFormFields>, sqlx::Error> {
    load_form_in(&mut *cx.db.pool.acquire().await?, cx, token).await
}

async fn load_form_in(
    conn: &mut AnyConnection,
    cx: &AppContext,
    token: &str,
) -> Result<Option<CaseFormFields>, sqlx::Error> {
    let row = sqlx::query("SELECT form_enc, expires_at FROM case_drafts WHERE token_hash = $1")
        .bind(cx.vault.lookup_hash(token))
        .fetch_optional(conn)
        .await?;
    Ok(row
        .filter(|r| r.get::<String, _>("expires_at") >= clock::now())
        .and_then(|r| cx.vault.decrypt(&r.get::<Vec<u8>, _>("form_enc")).ok())
        .and_then(|json| serde_json::from_str(&json).ok()))
}

pub async fn forget_form(cx: &AppContext, token: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM case_drafts WHERE token_hash = $1")
        .bind(cx.vault.lookup_hash(token))
        .execute(&cx.db.pool)
        .await?;
    Ok(())
}

/// Filing step 1 (the form is already kept under `token`): checks it and the places, then sends
/// a code to the phone; `addr` is the visitor's address.
pub async fn start_filing(
    cx: &AppContext,
    token: &str,
    fields: &CaseFormFields,
    addr: Option<IpAddr>,
) -> Result<Started, CaseError> {
    // Only a signed-in citizen's case may name a payment line (their own, see file_for_citizen).
    let draft = CaseDraft { payment_id: None, ..CaseDraft::parse(fields)? };
    let phone = Phone::parse(&fields.phone).map_err(|_| CaseFormError::Phone)?;
    route(&mut *cx.db.pool.acquire().await?, &draft).await?;
    let asker = Asker::new(cx, Purpose::Case, &phone, None, None, addr);
    let mut tx = cx.db.begin().await?;
    code::lock(&mut tx, cx.db.backend, &asker).await?;
    if let Some(retry_after_secs) = code::wait_needed(&mut tx, &asker, true).await? {
        tx.rollback().await?;
        return Ok(Started::Limited { retry_after_secs });
    }
    let code = code::record(&mut tx, cx, &asker, token, true, Unlocks { beneficiary: None, case_id: None }).await?;
    // From now on the kept form lives as long as its code.
    sqlx::query("UPDATE case_drafts SET expires_at = $1 WHERE token_hash = $2")
        .bind(clock::from_now(code::CODE_TTL_SECS))
        .bind(cx.vault.lookup_hash(token))
        .execute(&mut *tx)
        .await?;
    cx.sms.queue(&mut tx, &cx.vault, &phone, &SmsMessage::VerificationCode { code }).await?;
    super::audit::append(&mut tx, "citizen", "case_code_sent", &format!("phone:{}", asker.phone_hash()), "filing")
        .await?;
    tx.commit().await?;
    cx.sms.deliver_soon(cx);
    Ok(Started::Pending { token: token.to_string() })
}

/// Filing step 2: a right code files the draft, in one transaction with using up the code.
pub async fn verify_filing(cx: &AppContext, token: &str, typed: &str) -> Result<Verified<Filed>, CaseError> {
    let mut tx = cx.db.begin().await?;
    let sent_to = match code::check(cx, &mut tx, Purpose::Case, token, typed).await? {
        CodeCheck::Right { phone_hash, .. } => phone_hash,
        CodeCheck::Wrong { tries_left } => {
            tx.commit().await?;
            return Ok(Verified::Wrong { tries_left });
        }
        CodeCheck::Expired => {
            tx.commit().await?;
            return Ok(Verified::Expired);
        }
    };
    let Some(fields) = load_form_in(&mut tx, cx, token).await? else { return Ok(Verified::Expired) };
    let draft = CaseDraft { payment_id: None, ..CaseDraft::parse(&fields)? };
    let phone = Phone::parse(&fields.phone).map_err(|_| CaseFormError::Phone)?;
    // The form may have changed since the code was sent: the case goes only to the phone that got it.
    if cx.vault.lookup_hash(phone.as_str()) != sent_to {
        return Ok(Verified::Expired);
    }
    sqlx::query("DELETE FROM case_drafts WHERE token_hash = $1")
        .bind(cx.vault.lookup_hash(token))
        .execute(&mut *tx)
        .await?;
    let filed = file(&mut tx, cx, &draft, &phone, "form").await?;
    tx.commit().await?;
    cx.sms.deliver_soon(cx);
    Ok(Verified::Done(filed))
}

/// Files straight away for a citizen signed in to the self-check (their phone is verified).
pub async fn file_for_citizen(cx: &AppContext, beneficiary: i64, fields: &CaseFormFields) -> Result<Filed, CaseError> {
    let mut draft = CaseDraft::parse(fields)?;
    if let Some(payment) = draft.payment_id {
        let mine = super::check::reads::payments(&cx.db, beneficiary).await?;
        if !mine.years.iter().flat_map(|y| &y.payments).any(|p| p.id == payment) {
            draft.payment_id = None;
        }
    }
    let draft = &draft;
    let phone = citizen_phone(cx, beneficiary).await?.ok_or(CaseError::NotFound)?;
    let mut tx = cx.db.begin().await?;
    let filed = file(&mut tx, cx, draft, &phone, "form").await?;
    tx.commit().await?;
    cx.sms.deliver_soon(cx);
    Ok(filed)
}

async fn citizen_phone(cx: &AppContext, beneficiary: i64) -> Result<Option<Phone>, sqlx::Error> {
    let enc: Option<Vec<u8>> = sqlx::query_scalar("SELECT phone_enc FROM beneficiaries WHERE id = $1")
        .bind(beneficiary)
        .fetch_optional(&cx.db.pool)
        .await?
        .flatten();
    Ok(enc.and_then(|e| cx.vault.decrypt(&e).ok()).and_then(|p| Phone::parse(&p).ok()))
}

/// 未收到 on a line the bank reports paid: a complaint to the item's department, once per line
/// (not shown to the public). Returns its tracking number.
pub async fn file_not_received(
    conn: &mut AnyConnection,
    cx: &AppContext,
    beneficiary: i64,
    payment: i64,
) -> Result<String, CaseError> {
    let existing: Option<String> =
        sqlx::query_scalar("SELECT tracking_no FROM cases WHERE payment_id = $1 AND origin = 'not_received'")
            .bind(payment)
            .fetch_optional(&mut *conn)
            .await?;
    if let Some(no) = existing {
        return Ok(no);
    }
    let r = sqlx::query(
        "SELECT i.code AS item_code, i.name AS item, p.period, p.amount_fen, p.paid_on, v.code AS village, t.code AS township, b.name, b.phone_enc \
         FROM payments p JOIN subsidy_items i ON i.id = p.item_id JOIN beneficiaries ben ON ben.id = p.beneficiary_id \
         JOIN regions v ON v.id = ben.village_id JOIN regions t ON t.id = v.parent_id JOIN beneficiaries b ON b.id = $2 \
         WHERE p.id = $1",
    )
    .bind(payment)
    .bind(beneficiary)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(CaseError::NotFound)?;
    let phone = r
        .get::<Option<Vec<u8>>, _>("phone_enc")
        .and_then(|e| cx.vault.decrypt(&e).ok())
        .and_then(|p| Phone::parse(&p).ok())
        .ok_or(CaseError::NotFound)?;
    let amount = crate::domain::Money::from_fen(r.get("amount_fen"));
    let draft = CaseDraft {
        kind: CaseKind::Complaint,
        item_code: Some(r.get("item_code")),
        township_code: r.get("township"),
        village_code: Some(r.get("village")),
        description: format!(
            "本人在“查询我的补贴”中反映：{}期{} {}元，银行反馈已于{}到账，但本人未收到。",
            r.get::<String, _>("period"),
            r.get::<String, _>("item"),
            amount.grouped(),
            r.get::<Option<String>, _>("paid_on").unwrap_or_default()
        ),
        filer_name: r.get("name"),
        anonymous: true,
        payment_id: Some(payment),
    };
    Ok(file(conn, cx, &draft, &phone, "not_received").await?.tracking_no)
}

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
    let token = code::random_hex(32);
    let code = code::record(&mut tx, cx, &asker, &token, sends, Unlocks { beneficiary: None, case_id }).await?;
    let mut sp = sqlx::Connection::begin(&mut *tx).await?;
    cx.sms.queue(&mut sp, &cx.vault, phone, &SmsMessage::VerificationCode { code }).await?;
    super::audit::append(&mut sp, "citizen", "case_code_sent", &format!("phone:{}", asker.phone_hash()), "tracking")
        .await?;
    if sends {
        sp.commit().await?;
    } else {
        sp.rollback().await?;
    }
    tx.commit().await?;
    if sends {
        cx.sms.deliver_soon(cx);
    }
    Ok(Started::Pending { token })
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

struct CaseRow {
    kind: CaseKind,
    department_id: i64,
    status: String,
    extended: bool,
    reopened: bool,
    deadline_on: String,
    answered_on: Option<String>,
    tracking_no: String,
    phone: Option<Phone>,
}

async fn load(conn: &mut AnyConnection, cx: &AppContext, id: i64) -> Result<CaseRow, CaseError> {
    let r = sqlx::query(
        "SELECT kind, department_id, status, extended, reopened, deadline_on, answered_on, tracking_no, filer_phone_enc FROM cases WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?
    .ok_or(CaseError::NotFound)?;
    Ok(CaseRow {
        kind: CaseKind::from_code(&r.get::<String, _>("kind")).unwrap_or(CaseKind::Inquiry),
        department_id: r.get("department_id"),
        status: r.get("status"),
        extended: r.get::<i64, _>("extended") != 0,
        reopened: r.get::<i64, _>("reopened") != 0,
        deadline_on: r.get("deadline_on"),
        answered_on: r.get("answered_on"),
        tracking_no: r.get("tracking_no"),
        phone: cx.vault.decrypt(&r.get::<Vec<u8>, _>("filer_phone_enc")).ok().and_then(|p| Phone::parse(&p).ok()),
    })
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
    let department = super::admin::department_name(&mut tx, c.department_id).await?.unwrap_or_default();
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
            super::admin::department_name(&mut tx, to_department).await?.ok_or(CaseActionError::UnknownDepartment)?;
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
            let deadline = deadline_after(&calendar(&mut tx).await?, &c.deadline_on, cx.deadlines.days(c.kind));
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
    super::audit::append(
        &mut tx,
        &format!("staff:{}", staff.id),
        &format!("case_{kind}"),
        &format!("case:{case_id}"),
        "",
    )
    .await?;
    if let (Some(message), Some(phone)) = (message, &c.phone) {
        cx.sms.queue(&mut tx, &cx.vault, phone, &message).await?;
    }
    tx.commit().await?;
    cx.sms.deliver_soon(cx);
    Ok(())
}

/// A conditional update that changed nothing means someone else changed the case first.
fn unchanged_if(rows: u64) -> Result<(), CaseError> {
    if rows == 1 {
        Ok(())
    } else {
        Err(CaseActionError::WrongState.into())
    }
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
    let deadline = deadline_after(&calendar(&mut tx).await?, &today, cx.deadlines.days(c.kind));
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
    super::audit::append(&mut tx, "citizen", "case_reopened", &format!("case:{case_id}"), "").await?;
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
    let calendar = calendar(&mut tx).await?;
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
    super::audit::append(&mut tx, "citizen", "case_supplemented", &format!("case:{case_id}"), "").await?;
    tx.commit().await?;
    Ok(())
}

/// Flags every case past its deadline (once) and records that it went to the finance bureau's
/// view. Safe to run on several nodes at once. Returns how many were escalated now.
pub async fn escalate_overdue(db: &super::Db) -> Result<usize, sqlx::Error> {
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

/// The case a filer's tracking session unlocks, if the session is live.
pub async fn tracked(cx: &AppContext, token: &str) -> Result<Option<i64>, sqlx::Error> {
    Ok(session::find(cx, Kind::Case, token).await?.map(|s| s.subject))
}
