//! Key rotation: every encrypted column re-encrypted and every lookup hash recomputed under a new
//! master key, in one transaction (all or nothing). What is only a hash of a secret nobody keeps
//! (session tokens, codes, the tokens of kept forms and upload previews) cannot be carried over:
//! those rows end, so people sign in again and forms waiting for a code are asked again. Audit
//! entries keep the hashes they were written with (the chain must not change); the rotation
//! itself is an audit entry.

use super::Db;
use crate::ssr::vault::{Vault, VaultError};
use sqlx::{AnyConnection, Row};

#[derive(Debug, thiserror::Error)]
pub enum RotationError {
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error("{table} row {id} cannot be decrypted with the current key ({source}); nothing was changed")]
    Decrypt { table: &'static str, id: i64, source: VaultError },
    #[error("the setting {0} cannot be opened with the current key; nothing was changed")]
    Sealed(&'static str),
}

/// What was carried over to the new key, and what ended.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Rotated {
    pub beneficiaries: u64,
    /// Payment lines carrying their own account (not yet paid), and changes held with rosters.
    pub lines: u64,
    pub changes: u64,
    pub cases: u64,
    pub sms: u64,
    pub sessions_ended: u64,
    pub codes_ended: u64,
    pub drafts_ended: u64,
}

/// An encrypted column and the lookup hash kept beside it (if any).
struct Secret {
    enc: &'static str,
    hash: Option<&'static str>,
}

const BATCH: i64 = 2_000;

pub async fn rotate(db: &Db, old: &Vault, new: &Vault, progress: impl Fn(&str, u64)) -> Result<Rotated, RotationError> {
    let mut tx = db.begin().await?;
    let beneficiaries = [
        Secret { enc: "id_enc", hash: Some("id_hash") },
        Secret { enc: "phone_enc", hash: Some("phone_hash") },
        Secret { enc: "account_enc", hash: Some("account_hash") },
    ];
    let mut done = Rotated {
        beneficiaries: table(&mut tx, "beneficiaries", &beneficiaries, "", old, new, &progress).await?,
        ..Rotated::default()
    };
    let line_accounts = [Secret { enc: "account_enc", hash: None }];
    done.lines = table(&mut tx, "payments", &line_accounts, "AND account_enc IS NOT NULL", old, new, &progress).await?;
    let held = [Secret { enc: "new_enc", hash: Some("new_hash") }];
    done.changes = table(&mut tx, "beneficiary_changes", &held, "", old, new, &progress).await?;
    done.cases = table(
        &mut tx,
        "cases",
        &[Secret { enc: "filer_phone_enc", hash: Some("filer_phone_hash") }],
        "",
        old,
        new,
        &progress,
    )
    .await?;
    done.sms =
        table(&mut tx, "sms_outbox", &[Secret { enc: "phone_enc", hash: Some("phone_hash") }], "", old, new, &progress)
            .await?;
    // The publicity log's signing key stays the same key, sealed now under the new data key.
    let log_key = super::publicity_log::key::SETTING;
    if let Some(sealed) = super::publicity_log::key::sealed(&mut tx).await? {
        let seed = old.open(&sealed).ok_or(RotationError::Sealed(log_key))?;
        sqlx::query("UPDATE settings SET value = $1 WHERE key = $2")
            .bind(new.seal(&seed))
            .bind(log_key)
            .execute(&mut *tx)
            .await?;
    }
    let end = |sql: &'static str| sqlx::query(sql);
    done.sessions_ended = end("DELETE FROM sessions").execute(&mut *tx).await?.rows_affected();
    done.codes_ended = end("DELETE FROM verification_codes").execute(&mut *tx).await?.rows_affected();
    done.drafts_ended = end("DELETE FROM case_drafts").execute(&mut *tx).await?.rows_affected()
        + end("DELETE FROM roster_uploads").execute(&mut *tx).await?.rows_affected();
    let detail = format!(
        "beneficiaries:{};lines:{};changes:{};cases:{};sms:{}",
        done.beneficiaries, done.lines, done.changes, done.cases, done.sms
    );
    super::audit::append(&mut tx, "operator", "data_key_rotated", "vault", &detail).await?;
    tx.commit().await?;
    Ok(done)
}

/// Re-encrypts `secrets` of every row of `table` (those `only` keeps, an `AND …` condition), a
/// batch of ids at a time; returns the rows.
async fn table(
    conn: &mut AnyConnection,
    table: &'static str,
    secrets: &[Secret],
    only: &'static str,
    old: &Vault,
    new: &Vault,
    progress: &impl Fn(&str, u64),
) -> Result<u64, RotationError> {
    let columns = secrets.iter().map(|s| s.enc).collect::<Vec<_>>().join(", ");
    let select = format!("SELECT id, {columns} FROM {table} WHERE id > $1 {only} ORDER BY id LIMIT $2");
    let sets = secrets
        .iter()
        .flat_map(|s| std::iter::once(s.enc).chain(s.hash))
        .enumerate()
        .map(|(n, column)| format!("{column} = ${}", n + 1))
        .collect::<Vec<_>>();
    let update = format!("UPDATE {table} SET {} WHERE id = ${}", sets.join(", "), sets.len() + 1);
    let (mut after, mut rows) = (0i64, 0u64);
    loop {
        let batch =
            sqlx::query(sqlx::AssertSqlSafe(select.clone())).bind(after).bind(BATCH).fetch_all(&mut *conn).await?;
        let Some(last) = batch.last() else { break };
        after = last.get("id");
        for row in &batch {
            let id: i64 = row.get("id");
            let mut query = sqlx::query(sqlx::AssertSqlSafe(update.clone()));
            for secret in secrets {
                let stored: Option<Vec<u8>> = row.get(secret.enc);
                let plain = stored.map(|s| old.decrypt(&s)).transpose().map_err(|source| RotationError::Decrypt {
                    table,
                    id,
                    source,
                })?;
                query = query.bind(plain.as_deref().map(|p| new.encrypt(p)));
                if secret.hash.is_some() {
                    query = query.bind(plain.as_deref().map(|p| new.lookup_hash(p)));
                }
            }
            query.bind(id).execute(&mut *conn).await?;
        }
        rows += batch.len() as u64;
        progress(table, rows);
    }
    Ok(rows)
}
