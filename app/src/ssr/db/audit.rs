//! The audit log: append-only, each entry carrying the hash of the one before, so an edited or
//! deleted entry breaks the chain. Personal data only ever as keyed hashes.

use crate::ssr::clock;
use sha2::{Digest, Sha256};
use sqlx::AnyConnection;

/// Appends one entry inside the caller's transaction.
pub async fn append(conn: &mut AnyConnection, actor: &str, action: &str, subject: &str, detail: &str) -> Result<(), sqlx::Error> {
    let prev: Option<String> = sqlx::query_scalar("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1").fetch_optional(&mut *conn).await?;
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
