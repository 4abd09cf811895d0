//! SMS verification codes, shared by the self-check and cases: 6 digits, valid 5 minutes, single
//! use, void after 5 wrong tries. Limits are counted in the database, inside the transaction
//! that records the code and under a lock per phone, ID number and address (PostgreSQL advisory
//! locks; SQLite writes one transaction at a time), so that they hold whatever arrives at once
//! and on any number of nodes:
//! - a request (a phone with the ID number or tracking number it names): once a minute, ten a day;
//! - an address (IPv6 by its /64): thirty requests a minute;
//! - codes really sent: once a minute and ten a day per phone, ten a day per ID number.
//!
//! The limits on codes sent apply only to a request that would send one, so a stranger trying
//! a person's ID number with other phones never uses up that person's codes, and the answer to a
//! request that sends nothing never depends on anyone else's requests.

use super::sms::SmsMessage;
use super::{audit, clock, AppContext};
use crate::domain::Phone;
use crate::ssr::db::Backend;
use sqlx::{AnyConnection, Row};
use std::net::IpAddr;

pub const CODE_TTL_SECS: i64 = 300;
pub const RESEND_AFTER_SECS: i64 = 60;
pub const MAX_TRIES: i64 = 5;
pub const PER_PHONE_PER_DAY: i64 = 10;
pub const PER_ID_PER_DAY: i64 = 10;
pub const PER_REQUEST_PER_DAY: i64 = 10;
/// Codes asked from one address per minute (a village may share one carrier address, so this is
/// generous; the per-phone and per-ID limits are the strict ones).
pub const PER_ADDRESS_PER_MINUTE: i64 = 30;
const DAY: i64 = 86_400;
/// Codes are kept this long (for the daily limits and the audit of tries), then pruned.
const KEEP_SECS: i64 = 2 * DAY;

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
    Right {
        unlocks: Unlocks,
        phone_hash: String,
    },
    Wrong {
        tries_left: i64,
    },
    Expired,
}

/// Random bytes as hex, for tokens.
pub fn random_hex(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    getrandom::getrandom(&mut b).expect("the operating system provides randomness");
    super::vault::encode_hex(&b)
}

/// A random number below `n` (for codes and the random part of tracking numbers).
pub fn random_below(n: u32) -> u32 {
    let mut b = [0u8; 8];
    getrandom::getrandom(&mut b).expect("the operating system provides randomness");
    (u64::from_le_bytes(b) % u64::from(n)) as u32
}

fn random_code() -> String {
    format!("{:06}", random_below(1_000_000))
}

fn seconds_of(ts: &str) -> Option<i64> {
    let part = |r: std::ops::Range<usize>| ts.get(r).and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
    crate::domain::date::parse_days(ts).map(|d| d * DAY + part(11..13) * 3600 + part(14..16) * 60 + part(17..19))
}

/// The address a limit counts: an IPv4 address, or the /64 network of an IPv6 address (one
/// household or phone gets a whole /64, and can pick any address in it).
pub fn address_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(std::net::Ipv6Addr::from(u128::from(v6) & !u128::from(u64::MAX))),
        },
        v4 => v4,
    }
}

/// Who asks for a code, as the limits count them (all keyed hashes).
#[derive(Debug, Clone)]
pub struct Asker {
    purpose: Purpose,
    phone_hash: String,
    /// The ID number a self-check names.
    id_hash: Option<String>,
    /// The request: purpose, phone and the ID or tracking number it names.
    pair_hash: String,
    addr_hash: Option<String>,
}

impl Asker {
    /// `subject` is what the phone is asked with: an ID number (self-check) or a tracking number.
    pub fn new(
        cx: &AppContext,
        purpose: Purpose,
        phone: &Phone,
        id: Option<&str>,
        subject: Option<&str>,
        addr: Option<IpAddr>,
    ) -> Asker {
        let subject = id.or(subject).unwrap_or("");
        Asker {
            purpose,
            phone_hash: cx.vault.lookup_hash(phone.as_str()),
            id_hash: id.map(|id| cx.vault.lookup_hash(id)),
            pair_hash: cx.vault.lookup_hash(&format!("{}:{subject}:{}", purpose.code(), phone.as_str())),
            addr_hash: addr.map(|a| cx.vault.lookup_hash(&format!("addr:{}", address_key(a)))),
        }
    }

    pub fn phone_hash(&self) -> &str {
        &self.phone_hash
    }

    pub fn id_hash(&self) -> Option<&str> {
        self.id_hash.as_deref()
    }
}

/// Takes, in the caller's transaction, the locks under which this asker's limits are counted and
/// its code recorded: one per phone, ID number and address, in a fixed order (so two requests
/// never wait for each other's second lock). On SQLite the transaction itself is the lock.
pub async fn lock(conn: &mut AnyConnection, backend: Backend, asker: &Asker) -> Result<(), sqlx::Error> {
    if backend != Backend::Postgres {
        return Ok(());
    }
    let mut keys: Vec<i64> = [Some(&asker.phone_hash), asker.id_hash.as_ref(), asker.addr_hash.as_ref()]
        .into_iter()
        .flatten()
        .map(|h| i64::from_str_radix(h.get(..15).unwrap_or("0"), 16).unwrap_or(0) | (1 << 60))
        .collect();
    keys.sort_unstable();
    keys.dedup();
    for key in keys {
        sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(key).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Seconds to wait before this asker may have a code, if any (see the module's limits), read in
/// the caller's transaction after [`lock`]. `sends` says whether a code would really be sent.
pub async fn wait_needed(conn: &mut AnyConnection, asker: &Asker, sends: bool) -> Result<Option<i64>, sqlx::Error> {
    let now = clock::unix_seconds();
    let rows = sqlx::query(
        "SELECT created_at, phone_hash, id_hash, pair_hash, addr_hash, sent FROM verification_codes \
         WHERE created_at > $1 AND (pair_hash = $2 OR addr_hash = $3 OR (sent = 1 AND (phone_hash = $4 OR id_hash = $5)))",
    )
    .bind(clock::timestamp(now - DAY))
    .bind(&asker.pair_hash)
    .bind(asker.addr_hash.as_deref().unwrap_or("-"))
    .bind(&asker.phone_hash)
    .bind(asker.id_hash.as_deref().unwrap_or("-"))
    .fetch_all(&mut *conn)
    .await?;
    let times = |same: &dyn Fn(&sqlx::any::AnyRow) -> bool| {
        let mut t: Vec<i64> =
            rows.iter().filter(|r| same(r)).filter_map(|r| seconds_of(&r.get::<String, _>("created_at"))).collect();
        t.sort_unstable();
        t
    };
    let sent = |r: &sqlx::any::AnyRow| r.get::<i64, _>("sent") == 1;
    let pair = times(&|r| r.get::<Option<String>, _>("pair_hash").as_deref() == Some(asker.pair_hash.as_str()));
    let addr = times(&|r| asker.addr_hash.is_some() && r.get::<Option<String>, _>("addr_hash") == asker.addr_hash);
    let phone = times(&|r| sent(r) && r.get::<String, _>("phone_hash") == asker.phone_hash);
    let id = times(&|r| sent(r) && asker.id_hash.is_some() && r.get::<Option<String>, _>("id_hash") == asker.id_hash);
    // (times, at most this many, within this many seconds)
    let mut limits: Vec<(&Vec<i64>, i64, i64)> =
        vec![(&pair, 1, RESEND_AFTER_SECS), (&pair, PER_REQUEST_PER_DAY, DAY), (&addr, PER_ADDRESS_PER_MINUTE, 60)];
    if sends {
        limits.extend([
            (&phone, 1, RESEND_AFTER_SECS),
            (&phone, PER_PHONE_PER_DAY, DAY),
            (&id, 1, RESEND_AFTER_SECS),
            (&id, PER_ID_PER_DAY, DAY),
        ]);
    }
    let wait = limits
        .into_iter()
        .map(|(times, limit, window)| {
            let recent: Vec<i64> = times.iter().copied().filter(|t| *t > now - window).collect();
            if recent.len() as i64 >= limit {
                recent[recent.len() - limit as usize] + window - now
            } else {
                0
            }
        })
        .max()
        .unwrap_or(0);
    Ok((wait > 0).then_some(wait))
}

/// Ends step 1 of a code request whose limits passed: records the request under a new token and,
/// only when `sends`, keeps the SMS and its audit entry (`action`, `detail`) and wakes the outbox.
/// The same writes happen either way (the unsent message is dropped with its savepoint), so the
/// answer takes the same time whether or not the asker is on file.
#[allow(clippy::too_many_arguments)]
pub async fn send(
    cx: &AppContext,
    mut tx: sqlx::Transaction<'static, sqlx::Any>,
    asker: &Asker,
    phone: &Phone,
    sends: bool,
    unlocks: Unlocks,
    action: &str,
    detail: &str,
) -> Result<Started, sqlx::Error> {
    let token = random_hex(32);
    let code = record(&mut tx, cx, asker, &token, sends, unlocks).await?;
    let mut sp = sqlx::Connection::begin(&mut *tx).await?;
    cx.sms.queue(&mut sp, &cx.vault, phone, &SmsMessage::VerificationCode { code }).await?;
    audit::append(&mut sp, "citizen", action, &format!("phone:{}", asker.phone_hash()), detail).await?;
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

/// Records a new code for the visitor holding `token` and returns it, for the caller to send
/// (or not, as `sends` says: the details matched nobody) in the same transaction.
pub async fn record(
    conn: &mut AnyConnection,
    cx: &AppContext,
    asker: &Asker,
    token: &str,
    sends: bool,
    unlocks: Unlocks,
) -> Result<String, sqlx::Error> {
    let code = random_code();
    sqlx::query(
        "INSERT INTO verification_codes (purpose, phone_hash, id_hash, code_hash, attempts, created_at, expires_at, token_hash, beneficiary_id, case_id, \
         sent, pair_hash, addr_hash) VALUES ($1, $2, $3, $4, 0, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(asker.purpose.code())
    .bind(&asker.phone_hash)
    .bind(&asker.id_hash)
    .bind(cx.vault.lookup_hash(&format!("{token}:{code}")))
    .bind(clock::now())
    .bind(clock::from_now(CODE_TTL_SECS))
    .bind(cx.vault.lookup_hash(token))
    .bind(unlocks.beneficiary)
    .bind(unlocks.case_id)
    .bind(i64::from(sends))
    .bind(&asker.pair_hash)
    .bind(&asker.addr_hash)
    .execute(conn)
    .await?;
    Ok(code)
}

/// Forgets codes older than the longest limit looks back.
pub async fn prune(db: &crate::ssr::Db) -> Result<u64, sqlx::Error> {
    let before = clock::timestamp(clock::unix_seconds() - KEEP_SECS);
    Ok(sqlx::query("DELETE FROM verification_codes WHERE created_at < $1")
        .bind(before)
        .execute(&db.pool)
        .await?
        .rows_affected())
}

/// Checks the code typed for the pending code named by `token`, in `conn` (the caller's
/// transaction, which the caller commits whatever the answer, so that wrong tries count). Each
/// try is counted atomically, so parallel guesses cannot get past the limit.
pub async fn check(
    cx: &AppContext,
    conn: &mut AnyConnection,
    purpose: Purpose,
    token: &str,
    typed: &str,
) -> Result<CodeCheck, sqlx::Error> {
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
    let tried: Option<i64> = sqlx::query_scalar(
        "UPDATE verification_codes SET attempts = attempts + 1 WHERE id = $1 AND attempts < $2 RETURNING attempts",
    )
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
        return Ok(if used.rows_affected() == 1 {
            CodeCheck::Right { unlocks, phone_hash: row.get("phone_hash") }
        } else {
            CodeCheck::Expired
        });
    }
    let left = MAX_TRIES - attempts;
    Ok(if left > 0 { CodeCheck::Wrong { tries_left: left } } else { CodeCheck::Expired })
}

#[cfg(test)]
mod tests {
    use super::address_key;
    use std::net::IpAddr;

    #[test]
    fn an_ipv6_visitor_is_counted_by_its_64() {
        let key = |a: &str| address_key(a.parse::<IpAddr>().unwrap()).to_string();
        assert_eq!(key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::");
        assert_eq!(key("2001:db8:1:2:ffff:ffff:ffff:ffff"), "2001:db8:1:2::");
        assert_ne!(key("2001:db8:1:3::1"), key("2001:db8:1:2::1"));
        assert_eq!(key("203.0.113.9"), "203.0.113.9");
        assert_eq!(key("::ffff:203.0.113.9"), "203.0.113.9", "an IPv4 client seen through an IPv6 socket");
    }
}
