//! Filing a case: from the public form (kept while it is corrected, confirmed by the filer's SMS
//! code), straight from a signed-in self-check, or as 未收到 on a paid line; routed on filing.

use super::{calendar, deadline_after, event, CaseDraft, CaseError, Filed, DRAFT_TTL_SECS};
use crate::api::cases::CaseFormFields;
use crate::domain::cases::{tracking_no, CaseFormError};
use crate::domain::{CaseKind, Phone};
use crate::ssr::code::{self, Asker, CodeCheck, Purpose, Started, Unlocks, Verified};
use crate::ssr::sms::SmsMessage;
use crate::ssr::{audit, clock, AppContext};
use sqlx::{AnyConnection, Row};
use std::net::IpAddr;

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
    // The county of the place chosen: its catalogue names the item's department.
    let county = crate::ssr::regions::county_of(conn, township_id).await?.unwrap_or(0);
    let item = match &draft.item_code {
        Some(code) => sqlx::query(
            "SELECT i.id, d.id AS department_id, d.name FROM subsidy_items i JOIN departments d ON d.id = i.department_id \
             WHERE i.code = $1 AND i.county_id = $2 ORDER BY i.year DESC LIMIT 1",
        )
        .bind(code)
        .bind(county)
        .fetch_optional(&mut *conn)
        .await?,
        None => None,
    };
    let (item_id, department_id, department) = match item {
        Some(r) => (Some(r.get("id")), r.get("department_id"), r.get("name")),
        None => {
            // That county's finance bureau's triage queue; should the county have no department
            // yet, its city's, then its province's (a finance bureau first at each level); any
            // department at all only when none of them has one.
            let chain = crate::ssr::regions::ancestry(conn, county).await?;
            let nearest: String = chain.iter().enumerate().map(|(i, id)| format!("WHEN {id} THEN {i} ")).collect();
            let r = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT id, name FROM departments ORDER BY CASE region_id {nearest}ELSE 99 END, is_finance DESC, id LIMIT 1"
            )))
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
    let deadline = deadline_after(&calendar(conn, routing.department_id).await?, &today, cx.deadlines.days(draft.kind));
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
    audit::append(
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
    audit::append(&mut tx, "citizen", "case_code_sent", &format!("phone:{}", asker.phone_hash()), "filing").await?;
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
        let mine = crate::ssr::check::reads::payments(&cx.db, beneficiary).await?;
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
