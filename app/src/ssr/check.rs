//! The self-check flow: ID number + phone → a 6-digit SMS code → a short citizen session.
//! Known and unknown people get the same answer; limits are counted in the database, so any
//! app node can serve any step.

use super::sms::SmsSender;
use super::{clock, AppContext};
use crate::domain::{IdNumber, Phone};
use sqlx::Row;

pub const CODE_TTL_SECS: i64 = 300;
pub const RESEND_AFTER_SECS: i64 = 60;
pub const MAX_TRIES: i64 = 5;
pub const PER_PHONE_PER_DAY: i64 = 10;
pub const PER_ID_PER_DAY: i64 = 10;
pub const SESSION_IDLE_SECS: i64 = 900;
const DAY: i64 = 86_400;

pub enum Started {
    /// A pending check exists for this token (whether or not a code was really sent).
    Pending { token: String },
    /// A limit was reached; try again after this many seconds.
    Limited { retry_after_secs: i64 },
}

pub enum Verified {
    Session { token: String },
    Wrong { tries_left: i64 },
    Expired,
}

fn random_hex(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    getrandom::getrandom(&mut b).expect("the operating system provides randomness");
    super::vault::encode_hex(&b)
}

fn random_code() -> String {
    let mut b = [0u8; 4];
    getrandom::getrandom(&mut b).expect("the operating system provides randomness");
    format!("{:06}", u32::from_le_bytes(b) % 1_000_000)
}

/// Seconds to wait before another code may be asked for this phone or ID, if any.
async fn wait_needed(cx: &AppContext, id_hash: &str, phone_hash: &str) -> Result<Option<i64>, sqlx::Error> {
    let now = clock::unix_seconds();
    let rows = sqlx::query(
        "SELECT created_at, phone_hash = $1 AS same_phone, id_hash = $2 AS same_id FROM verification_codes \
         WHERE (phone_hash = $1 OR id_hash = $2) AND created_at > $3 ORDER BY created_at",
    )
    .bind(phone_hash)
    .bind(id_hash)
    .bind(clock::timestamp(now - DAY))
    .fetch_all(&cx.db.pool)
    .await?;
    let secs = |t: &str| crate::domain::date::parse_days(t).map(|d| d * DAY + seconds_of_day(t)).unwrap_or(now);
    // Comparisons come back as 0/1 on SQLite and as booleans on PostgreSQL.
    let flag = |r: &sqlx::any::AnyRow, col: &str| r.try_get::<bool, _>(col).or_else(|_| r.try_get::<i64, _>(col).map(|v| v != 0)).unwrap_or(false);
    let times = |col: &str| rows.iter().filter(|r| flag(r, col)).map(|r| secs(&r.get::<String, _>("created_at"))).collect::<Vec<i64>>();
    let (phone_times, id_times) = (times("same_phone"), times("same_id"));
    let mut wait = rows.iter().map(|r| secs(&r.get::<String, _>("created_at"))).max().map_or(0, |last| last + RESEND_AFTER_SECS - now);
    for (times, limit) in [(&phone_times, PER_PHONE_PER_DAY), (&id_times, PER_ID_PER_DAY)] {
        if times.len() as i64 >= limit {
            wait = wait.max(times[times.len() - limit as usize] + DAY - now);
        }
    }
    Ok((wait > 0).then_some(wait))
}

fn seconds_of_day(ts: &str) -> i64 {
    let part = |r: std::ops::Range<usize>| ts.get(r).and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
    part(11..13) * 3600 + part(14..16) * 60 + part(17..19)
}

/// Step 1: records a pending check and, when the ID and phone belong to a beneficiary, sends the
/// code. The caller answers the same way in both cases.
pub async fn start(cx: &AppContext, sms: SmsSender, id: &IdNumber, phone: &Phone) -> Result<Started, sqlx::Error> {
    let id_hash = cx.vault.lookup_hash(id.as_str());
    let phone_hash = cx.vault.lookup_hash(phone.as_str());
    if let Some(retry_after_secs) = wait_needed(cx, &id_hash, &phone_hash).await? {
        return Ok(Started::Limited { retry_after_secs });
    }
    let beneficiary: Option<i64> = sqlx::query_scalar("SELECT id FROM beneficiaries WHERE id_hash = $1 AND phone_hash = $2")
        .bind(&id_hash)
        .bind(&phone_hash)
        .fetch_optional(&cx.db.pool)
        .await?;
    let token = random_hex(32);
    let code = random_code();
    let mut tx = cx.db.pool.begin().await?;
    sqlx::query(
        "INSERT INTO verification_codes (purpose, phone_hash, id_hash, code_hash, attempts, created_at, expires_at, token_hash, beneficiary_id) \
         VALUES ('self_check', $1, $2, $3, 0, $4, $5, $6, $7)",
    )
    .bind(&phone_hash)
    .bind(&id_hash)
    .bind(cx.vault.lookup_hash(&format!("{token}:{code}")))
    .bind(clock::now())
    .bind(clock::from_now(CODE_TTL_SECS))
    .bind(cx.vault.lookup_hash(&token))
    .bind(beneficiary)
    .execute(&mut *tx)
    .await?;
    if beneficiary.is_some() {
        let body = format!("【惠民惠农补贴查询】验证码{code}，5分钟内有效，请勿告诉他人。如非本人操作请忽略。");
        sms.send(&mut tx, &cx.vault, phone, "verification_code", &body).await?;
        super::db::audit::append(&mut tx, "citizen", "self_check_code_sent", &format!("phone:{phone_hash}"), &format!("id:{id_hash}")).await?;
    }
    tx.commit().await?;
    Ok(Started::Pending { token })
}

/// Step 2: checks the code of the pending check named by `token`.
pub async fn verify(cx: &AppContext, token: &str, code: &str) -> Result<Verified, sqlx::Error> {
    let row = sqlx::query(
        "SELECT id, code_hash, attempts, expires_at, used_at, beneficiary_id FROM verification_codes \
         WHERE token_hash = $1 AND purpose = 'self_check'",
    )
    .bind(cx.vault.lookup_hash(token))
    .fetch_optional(&cx.db.pool)
    .await?;
    let Some(row) = row else { return Ok(Verified::Expired) };
    let (id, attempts): (i64, i64) = (row.get("id"), row.get("attempts"));
    let expired = row.get::<String, _>("expires_at") < clock::now() || row.get::<Option<String>, _>("used_at").is_some();
    if expired || attempts >= MAX_TRIES {
        return Ok(Verified::Expired);
    }
    let code: String = code.chars().filter(|c| c.is_ascii_digit()).collect();
    let matches = row.get::<String, _>("code_hash") == cx.vault.lookup_hash(&format!("{token}:{code}"));
    match (matches, row.get::<Option<i64>, _>("beneficiary_id")) {
        (true, Some(beneficiary)) => {
            let session = random_hex(32);
            let mut tx = cx.db.pool.begin().await?;
            let used = sqlx::query("UPDATE verification_codes SET used_at = $1 WHERE id = $2 AND used_at IS NULL")
                .bind(clock::now())
                .bind(id)
                .execute(&mut *tx)
                .await?;
            if used.rows_affected() != 1 {
                return Ok(Verified::Expired);
            }
            sqlx::query(
                "INSERT INTO sessions (token_hash, kind, beneficiary_id, csrf_token, created_at, last_seen_at, expires_at) \
                 VALUES ($1, 'citizen', $2, $3, $4, $4, $5)",
            )
            .bind(cx.vault.lookup_hash(&session))
            .bind(beneficiary)
            .bind(random_hex(16))
            .bind(clock::now())
            .bind(clock::from_now(SESSION_IDLE_SECS))
            .execute(&mut *tx)
            .await?;
            super::db::audit::append(&mut tx, "citizen", "self_check_verified", &format!("beneficiary:{beneficiary}"), "").await?;
            tx.commit().await?;
            Ok(Verified::Session { token: session })
        }
        _ => {
            sqlx::query("UPDATE verification_codes SET attempts = attempts + 1 WHERE id = $1").bind(id).execute(&cx.db.pool).await?;
            let left = MAX_TRIES - attempts - 1;
            Ok(if left > 0 { Verified::Wrong { tries_left: left } } else { Verified::Expired })
        }
    }
}

/// The beneficiary of a live citizen session, extending its idle timeout.
pub async fn session(cx: &AppContext, token: &str) -> Result<Option<i64>, sqlx::Error> {
    let hash = cx.vault.lookup_hash(token);
    let row = sqlx::query("SELECT beneficiary_id, expires_at FROM sessions WHERE token_hash = $1 AND kind = 'citizen'")
        .bind(&hash)
        .fetch_optional(&cx.db.pool)
        .await?;
    let Some(row) = row else { return Ok(None) };
    if row.get::<String, _>("expires_at") < clock::now() {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(&hash).execute(&cx.db.pool).await?;
        return Ok(None);
    }
    sqlx::query("UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE token_hash = $3")
        .bind(clock::now())
        .bind(clock::from_now(SESSION_IDLE_SECS))
        .bind(&hash)
        .execute(&cx.db.pool)
        .await?;
    Ok(row.get("beneficiary_id"))
}

pub async fn logout(cx: &AppContext, token: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(cx.vault.lookup_hash(token)).execute(&cx.db.pool).await?;
    Ok(())
}
