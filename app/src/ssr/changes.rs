//! The change log: every write that the public can search records what it changed, so that the
//! search index of every app node can follow the database.
//!
//! Followers read the log in id order and remember the last id applied, so an id must never
//! become visible after a larger one. SQLite has one writer at a time; on PostgreSQL two
//! transactions could take ids 10 and 11 and commit 11 first, and a node reading in between
//! would skip 10 for good. So a PostgreSQL transaction takes the log's lock before its first
//! entry and holds it to commit: ids become visible in the order they were taken.

use crate::ssr::db::Backend;
use sqlx::AnyConnection;

/// Entities the search index follows.
pub const ITEM: &str = "item";
pub const DOCUMENT: &str = "document";
pub const PUBLICITY: &str = "publicity";

/// The transaction-level advisory lock that orders change-log writers on PostgreSQL.
pub const POSTGRES_LOCK: i64 = 0x6368_616e_6765; // "change"

/// Records an upsert or delete of `entity` `id`, inside the caller's transaction.
pub async fn record(conn: &mut AnyConnection, entity: &str, id: i64, deleted: bool) -> Result<(), sqlx::Error> {
    if Backend::of_connection(conn) == Backend::Postgres {
        // Re-entrant within a transaction; released at commit or rollback.
        sqlx::query("SELECT 1 FROM pg_advisory_xact_lock($1)").bind(POSTGRES_LOCK).execute(&mut *conn).await?;
    }
    sqlx::query("INSERT INTO change_log (entity, entity_id, op, at) VALUES ($1, $2, $3, $4)")
        .bind(entity)
        .bind(id)
        .bind(if deleted { "delete" } else { "upsert" })
        .bind(crate::ssr::clock::now())
        .execute(conn)
        .await?;
    Ok(())
}
