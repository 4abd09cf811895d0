//! The change log: every write that the public can search records what it changed, so that the
//! search index of every app node can follow the database.

use sqlx::AnyConnection;

/// Entities the search index follows.
pub const ITEM: &str = "item";
pub const DOCUMENT: &str = "document";
pub const PUBLICITY: &str = "publicity";

/// Records an upsert or delete of `entity` `id`, inside the caller's transaction.
pub async fn record(conn: &mut AnyConnection, entity: &str, id: i64, deleted: bool) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO change_log (entity, entity_id, op, at) VALUES ($1, $2, $3, $4)")
        .bind(entity)
        .bind(id)
        .bind(if deleted { "delete" } else { "upsert" })
        .bind(crate::ssr::clock::now())
        .execute(conn)
        .await?;
    Ok(())
}
