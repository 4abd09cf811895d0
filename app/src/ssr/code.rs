//! SMS verification codes, shared by the self-check and cases: 6 digits, valid 5 minutes, single
//! use, void after 5 wrong tries; a new one after 60 s; at most 10 a day per phone and per ID.
//! Limits are counted in the database, so any app node can serve any step.

use super::{clock, AppContext};
use sqlx::{AnyConnection, Row};

pub const CODE_TTL_SECS: i64 = 300;
pub const RESEND_AFTER_SECS: i64 = 60;
pub const MAX_TRIES: i64 = 5;
pub const PER_PHONE_PER_DAY: i64 = 10;
pub const PER_ID_PER_DAY: i64 = 10;
const DAY: i64 = 86_400;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    SelfCheck,
    Case,
}

impl Purpose {
    fn code(self) -> &'static str {
        match self {
            Purpose::SelfCheck => "self_check",
            Purpose::Case => "case",
        }
    }
}

/// The answer to "send me a code".
pub enum Started {
    /// A pending code exists for this token (whether or not a message was really sent).
    Pending { token: String },
    /// A limit was reached; try again after this many seconds.
    Limited { retry_after_secs: i64 },
}

/// The answer to a typed code.
pub enum Verified<T> {
    Done(T),
    Wrong { tries_left: i64 },
    Expired,
}

/// What a right code unlocks, as recorded when it was issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unlocks {
    pub beneficiary: Option<i64>,
    pub case_id: Option<i64>,
}

pub enum CodeCheck {
    /// The code was right and is now used up; `phone_hash` is the phone it was sent to.
    Right { unlocks: Unlocks, phone_hash: String },
    Wrong { tries_left: i64 },
    Expired,
}

/// Random bytes as hex, for tokens.
pub fn random_hex(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    getrandom::getrandom(&mut b).expect("the operating system provides randomness");
    super::vault::encode_hex(&b)
}

fn random_code() -> String {
    let mut b = [0u8; 4];
    getrandom::getrandom(&mut b).expect("the operating system provides randomness");
    format!("{:06}", u32::from_le_bytes(b) % 1_000_000)
}

fn seconds_of(ts: &str) -> Option<i64> {
    let part = |r: std::ops::Range<usize>| ts.get(r).and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
    crate::domain::date::parse_days(ts).map(|d| d * DAY + part(11..13) * 3600 + part(14..16) * 60 + part(17..19))
}

/// Seconds to wait before another code may be sent to this phone (or for this ID), if any.
pub async fn wait_needed(cx: &AppContext, id_hash: Option<&str>, phone_hash: &str) -> Result<Option<i64>, sqlx::Error> {
    let now = clock::unix_seconds();
    let rows = sqlx::query(
        "SELECT created_at, phone_hash, id_hash FROM verification_codes \
         WHERE (phone_hash = $1 OR id_hash = $2) AND created_at > $3 ORDER BY created_at",
    )
    .bind(phone_hash)
    .bind(id_hash.unwrap_or("-"))
    .bind(clock::timestamp(now - DAY))
    .fetch_all(&cx.db.pool)
    .await?;
    let times = |same: &dyn Fn(&sqlx::any::AnyRow) -> bool| {
        rows.iter().filter(|r| same(r)).filter_map(|r| seconds_of(&r.get::<String, _>("created_at"))).collect::<Vec<i64>>()
    };
    let phone_times = times(&|r| r.get::<String, _>("phone_hash") == phone_hash);
    let id_times = times(&|r| id_hash.is_some() && r.get::<Option<String>, _>("id_hash").as_deref() == id_hash);
    let last = phone_times.iter().chain(&id_times).max().copied();
    let mut wait = last.map_or(0, |last| last + RESEND_AFTER_SECS - now);
    for (times, limit) in [(&phone_times, PER_PHONE_PER_DAY), (&id_times, PER_ID_PER_DAY)] {
        if times.len() as i64 >= limit {
            wait = wait.max(times[times.len() - limit as usize] + DAY - now);
        }
    }
    Ok((wait > 0).then_some(wait))
}

/// Records a new code for the visitor holding `token` and returns it, for the caller to send
/// (or not, when the details matched nobody) in the same transaction.
pub async fn record(
    conn: &mut AnyConnection,
    cx: &AppContext,
    purpose: Purpose,
    token: &str,
    phone_hash: &str,
    id_hash: Option<&str>,
    unlocks: Unlocks,
) -> Result<String, sqlx::Error> {
    let code = random_code();
    sqlx::query(
        "INSERT INTO verification_codes (purpose, phone_hash, id_hash, code_hash, attempts, created_at, expires_at, token_hash, beneficiary_id, case_id) \
         VALUES ($1, $2, $3, $4, 0, $5, $6, $7, $8, $9)",
    )
    .bind(purpose.code())
    .bind(phone_hash)
    .bind(id_hash)
    .bind(cx.vault.lookup_hash(&format!("{token}:{code}")))
    .bind(clock::now())
    .bind(clock::from_now(CODE_TTL_SECS))
    .bind(cx.vault.lookup_hash(token))
    .bind(unlocks.beneficiary)
    .bind(unlocks.case_id)
    .execute(conn)
    .await?;
    Ok(code)
}

/// Checks the code typed for the pending code named by `token`, in `conn` (the caller's
/// transaction, which the caller commits whatever the answer, so that wrong tries count). Each
/// try is counted atomically, so parallel guesses cannot get past the limit.
pub async fn check(cx: &AppContext, conn: &mut AnyConnection, purpose: Purpose, token: &str, typed: &str) -> Result<CodeCheck, sqlx::Error> {
    let row = sqlx::query(
        "SELECT id, code_hash, phone_hash, attempts, expires_at, used_at, beneficiary_id, case_id FROM verification_codes \
         WHERE token_hash = $1 AND purpose = $2 ORDER BY id DESC LIMIT 1",
    )
    .bind(cx.vault.lookup_hash(token))
    .bind(purpose.code())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(CodeCheck::Expired) };
    let id: i64 = row.get("id");
    if row.get::<String, _>("expires_at") < clock::now() || row.get::<Option<String>, _>("used_at").is_some() {
        return Ok(CodeCheck::Expired);
    }
    let tried: Option<i64> = sqlx::query_scalar("UPDATE verification_codes SET attempts = attempts + 1 WHERE id = $1 AND attempts < $2 RETURNING attempts")
        .bind(id)
        .bind(MAX_TRIES)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(attempts) = tried else { return Ok(CodeCheck::Expired) };
    let typed: String = crate::domain::normalize_ascii(typed).chars().filter(|c| c.is_ascii_digit()).collect();
    let unlocks = Unlocks { beneficiary: row.get("beneficiary_id"), case_id: row.get("case_id") };
    let right = row.get::<String, _>("code_hash") == cx.vault.lookup_hash(&format!("{token}:{typed}"));
    // A code that unlocks nothing was never sent: no typed code can be right.
    let unlocks_something = unlocks.beneficiary.is_some() || unlocks.case_id.is_some() || purpose == Purpose::Case;
    if right && unlocks_something {
        let used = sqlx::query("UPDATE verification_codes SET used_at = $1 WHERE id = $2 AND used_at IS NULL")
            .bind(clock::now())
            .bind(id)
            .execute(&mut *conn)
            .await?;
        return Ok(if used.rows_affected() == 1 { CodeCheck::Right { unlocks, phone_hash: row.get("phone_hash") } } else { CodeCheck::Expired });
    }
    let left = MAX_TRIES - attempts;
    Ok(if left > 0 { CodeCheck::Wrong { tries_left: left } } else { CodeCheck::Expired })
}
