//! The audit log: append-only, each entry carrying the hash of the one before, so an edited or
//! deleted entry breaks the chain. Personal data only ever as keyed hashes.

use crate::ssr::clock;
use crate::ssr::db::Backend;
use sha2::{Digest, Sha256};
use sqlx::AnyConnection;

/// The transaction-level advisory lock that keeps the chain one line on PostgreSQL: two nodes
/// appending at once would otherwise both read the same last entry and fork the chain. (On
/// SQLite the write transaction, `BEGIN IMMEDIATE`, already has the database to itself.)
pub const POSTGRES_LOCK: i64 = 0x0061_7564_6974; // "audit"

/// Appends one entry inside the caller's transaction.
pub async fn append(
    conn: &mut AnyConnection,
    actor: &str,
    action: &str,
    subject: &str,
    detail: &str,
) -> Result<(), sqlx::Error> {
    if Backend::of_connection(conn) == Backend::Postgres {
        sqlx::query("SELECT 1 FROM pg_advisory_xact_lock($1)").bind(POSTGRES_LOCK).execute(&mut *conn).await?;
    }
    let prev: Option<String> =
        sqlx::query_scalar("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1").fetch_optional(&mut *conn).await?;
    let prev = prev.unwrap_or_else(|| "0".repeat(64));
    let at = clock::now();
    let hash = entry_hash(&prev, &at, actor, action, subject, detail);
    sqlx::query("INSERT INTO audit_log (at, actor, action, subject, detail, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(at)
        .bind(actor)
        .bind(action)
        .bind(subject)
        .bind(detail)
        .bind(prev)
        .bind(hash)
        .execute(conn)
        .await?;
    Ok(())
}

/// Appends one entry in a transaction of its own (for an action that writes nothing else).
pub async fn append_alone(
    db: &super::Db,
    actor: &str,
    action: &str,
    subject: &str,
    detail: &str,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    append(&mut tx, actor, action, subject, detail).await?;
    tx.commit().await
}

/// What walking the chain found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainCheck {
    pub entries: u64,
    /// The hash of the newest entry: kept outside the database, it also shows a removed tail.
    pub last_hash: String,
    /// The first entry where the chain breaks, and why.
    pub broken: Option<(i64, &'static str)>,
}

/// Walks the whole chain, oldest first, a batch at a time: every entry's hash must match its
/// fields and the hash of the entry before it.
pub async fn verify(db: &super::Db) -> Result<ChainCheck, sqlx::Error> {
    use sqlx::Row;
    const BATCH: i64 = 10_000;
    let mut check = ChainCheck { entries: 0, last_hash: "0".repeat(64), broken: None };
    let mut after = 0i64;
    loop {
        let rows = sqlx::query("SELECT id, at, actor, action, subject, detail, prev_hash, hash FROM audit_log WHERE id > $1 ORDER BY id LIMIT $2")
            .bind(after)
            .bind(BATCH)
            .fetch_all(&db.pool)
            .await?;
        let Some(last) = rows.last() else { return Ok(check) };
        after = last.get("id");
        for r in &rows {
            let id: i64 = r.get("id");
            let (prev, hash): (String, String) = (r.get("prev_hash"), r.get("hash"));
            let fields: [String; 5] = [r.get("at"), r.get("actor"), r.get("action"), r.get("subject"), r.get("detail")];
            if prev != check.last_hash {
                check.broken = Some((id, "上一条记录被删除或改动（链接的哈希不符）"));
            } else if hash != entry_hash(&prev, &fields[0], &fields[1], &fields[2], &fields[3], &fields[4]) {
                check.broken = Some((id, "本条记录的内容被改动（哈希不符）"));
            }
            if check.broken.is_some() {
                return Ok(check);
            }
            check.entries += 1;
            check.last_hash = hash;
        }
    }
}

/// SHA-256 over the previous hash and the entry's fields, each length-prefixed.
pub fn entry_hash(prev: &str, at: &str, actor: &str, action: &str, subject: &str, detail: &str) -> String {
    let mut h = Sha256::new();
    for part in [prev, at, actor, action, subject, detail] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    crate::ssr::vault::encode_hex(&h.finalize())
}

#[cfg(test)]
mod tests {
    #[test]
    fn hashes_depend_on_every_field_and_the_chain() {
        let a = super::entry_hash("0", "t", "citizen", "code_sent", "phone:ab", "");
        assert_eq!(a.len(), 64);
        assert_ne!(a, super::entry_hash("1", "t", "citizen", "code_sent", "phone:ab", ""));
        assert_ne!(a, super::entry_hash("0", "t", "citizen", "code_sent", "phone:ab", "x"));
        assert_ne!(super::entry_hash("0", "t", "ab", "c", "", ""), super::entry_hash("0", "t", "a", "bc", "", ""));
    }
}
