//! Server-side sessions behind an HttpOnly cookie: a citizen's self-check, a filer tracking their
//! case, or a staff member. Stored in the database (hashed token), so any app node can serve them.

use super::{clock, code::random_hex, AppContext};
use sqlx::{AnyConnection, Row};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Unlocks one beneficiary's payments (and their household's).
    Citizen,
    /// Unlocks one case for its filer.
    Case,
    /// A staff member signed in.
    Staff,
}

impl Kind {
    fn code(self) -> &'static str {
        match self {
            Kind::Citizen => "citizen",
            Kind::Case => "case",
            Kind::Staff => "staff",
        }
    }

    fn subject_column(self) -> &'static str {
        match self {
            Kind::Citizen => "beneficiary_id",
            Kind::Case => "case_id",
            Kind::Staff => "staff_id",
        }
    }

    /// Idle time after which the session ends.
    pub fn idle_secs(self) -> i64 {
        match self {
            Kind::Citizen | Kind::Case => 900,
            Kind::Staff => 1800,
        }
    }

    /// Time after which the session ends however busy it is.
    pub fn max_secs(self) -> i64 {
        match self {
            Kind::Citizen | Kind::Case => 2 * 3600,
            Kind::Staff => 8 * 3600,
        }
    }

    /// The cookie that carries this kind of session.
    pub fn cookie(self) -> &'static str {
        match self {
            Kind::Citizen => crate::api::check::SESSION_COOKIE,
            Kind::Case => "case_session",
            Kind::Staff => "staff_session",
        }
    }
}

/// How often a session in use has its idle timeout pushed back.
const EXTEND_EVERY_SECS: i64 = 60;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The beneficiary, case or staff member the session unlocks.
    pub subject: i64,
    /// The token every form of this session must carry back.
    pub csrf: String,
}

/// Opens a session for `subject` in the caller's transaction; returns the cookie's token.
pub async fn open(conn: &mut AnyConnection, cx: &AppContext, kind: Kind, subject: i64) -> Result<String, sqlx::Error> {
    let token = random_hex(32);
    let sql = format!(
        "INSERT INTO sessions (token_hash, kind, {}, csrf_token, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5, $5, $6)",
        kind.subject_column()
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(cx.vault.lookup_hash(&token))
        .bind(kind.code())
        .bind(subject)
        .bind(random_hex(16))
        .bind(clock::now())
        .bind(clock::from_now(kind.idle_secs()))
        .execute(conn)
        .await?;
    Ok(token)
}

/// The live session of this kind named by `token`, extending its idle timeout; a session idle
/// too long, or older than its kind's maximum whatever its activity, is ended.
pub async fn find(cx: &AppContext, kind: Kind, token: &str) -> Result<Option<Session>, sqlx::Error> {
    let hash = cx.vault.lookup_hash(token);
    let sql = format!(
        "SELECT {} AS subject, csrf_token, created_at, last_seen_at, expires_at FROM sessions WHERE token_hash = $1 AND kind = $2",
        kind.subject_column()
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(&hash).bind(kind.code()).fetch_optional(&cx.db.pool).await?;
    let Some(row) = row else { return Ok(None) };
    let subject: Option<i64> = row.get("subject");
    let idle = row.get::<String, _>("expires_at") < clock::now();
    let too_old = row.get::<String, _>("created_at") < clock::from_now(-kind.max_secs());
    if idle || too_old || subject.is_none() {
        close(cx, token).await?;
        return Ok(None);
    }
    // The idle timeout is pushed back at most once a minute: a page view is then a read, not a
    // write (writes queue behind each other on SQLite).
    if row.get::<String, _>("last_seen_at") < clock::from_now(-EXTEND_EVERY_SECS) {
        sqlx::query("UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE token_hash = $3")
            .bind(clock::now())
            .bind(clock::from_now(kind.idle_secs()))
            .bind(&hash)
            .execute(&cx.db.pool)
            .await?;
    }
    Ok(subject.map(|subject| Session { subject, csrf: row.get("csrf_token") }))
}

/// The session of this kind named by the request's cookie (inside a server function or render).
pub async fn current(cx: &AppContext, kind: Kind) -> Result<Option<Session>, sqlx::Error> {
    match super::request_cookie(kind.cookie()) {
        Some(token) => find(cx, kind, &token).await,
        None => Ok(None),
    }
}

pub async fn close(cx: &AppContext, token: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(cx.vault.lookup_hash(token))
        .execute(&cx.db.pool)
        .await?;
    Ok(())
}
