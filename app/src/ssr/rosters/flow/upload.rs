//! A roster file from upload to import: who may import it, the file kept (encrypted) between
//! the preview and the import, the preview's check and the import.

use super::FlowError;
use crate::api::rosters::UploadPreview;
use crate::api::staff::StaffMe;
use crate::domain::Money;
use crate::ssr::code::random_hex;
use crate::ssr::rosters::file;
use crate::ssr::rosters::{check, sha256_hex, write, ImportError, Target};
use crate::ssr::staff::{Role, Staff};
use crate::ssr::{clock, AppContext};
use sqlx::Row;

const UPLOAD_TTL_SECS: i64 = 3600;

/// Whether `staff` may upload, preview and import a roster for the item `item_code` in the
/// year of `period`: the item's department and the finance bureau only (a preview shows who is
/// paid, deceased or registered elsewhere). An item that does not exist is theirs to be told so.
pub async fn may_import(cx: &AppContext, staff: &Staff, item_code: &str, period: &str) -> Result<bool, sqlx::Error> {
    match staff.role {
        Role::Supervisor | Role::Admin => Ok(false),
        Role::Finance | Role::Department => {
            let year: i64 = crate::domain::normalize_ascii(period).get(..4).and_then(|y| y.parse().ok()).unwrap_or(0);
            let department: Option<i64> = sqlx::query_scalar(
                "SELECT department_id FROM subsidy_items WHERE code = $1 AND year = $2 AND county_id = $3",
            )
            .bind(item_code.trim())
            .bind(year)
            .bind(staff.county_id())
            .fetch_optional(&cx.db.pool)
            .await?;
            Ok(department.is_none_or(|d| staff.can_act(d)))
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
    match check(
        &cx.db,
        &cx.vault,
        &table,
        &Target { item_code: u.item_code, period: u.period, county: Some(staff.county_id()) },
        &|_| {},
    )
    .await
    {
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
    let checked = check(
        &cx.db,
        &cx.vault,
        &table,
        &Target { item_code: u.item_code, period: u.period, county: Some(staff.county_id()) },
        &|_| {},
    )
    .await?;
    if !staff.can_act(checked.department_id) {
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
