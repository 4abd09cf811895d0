//! The people a file names as the database knows them, and what a line changes for a person on
//! file (their phone, their account).

use crate::domain::{BankAccount, Phone};
use crate::ssr::db::Backend;
use crate::ssr::Vault;
use std::collections::HashMap;

/// Every column of `beneficiaries`, in the table's order (bulk writers: the demo, a county's
/// import).
pub const COLUMNS: &[&str] = &[
    "id",
    "id_hash",
    "id_enc",
    "id_masked",
    "name",
    "name_masked",
    "gender",
    "ethnicity",
    "phone_enc",
    "phone_hash",
    "village_id",
    "household_id",
    "is_household_head",
    "card_status",
    "card_bank_id",
    "account_enc",
    "account_hash",
    "account_last4",
    "custodian_kind",
    "custodian_id",
    "is_deceased",
    "created_at",
];

/// What the database already knows of a person named in a file.
pub struct Known {
    pub id: i64,
    pub name: String,
    pub village_id: i64,
    pub is_deceased: bool,
    pub account_hash: Option<String>,
    pub account_last4: Option<String>,
    pub phone_hash: Option<String>,
    pub phone_enc: Option<Vec<u8>>,
}

impl Known {
    /// The last four digits of the phone on file, if any.
    fn phone_last4(&self, vault: &Vault) -> Option<String> {
        let phone = vault.decrypt(self.phone_enc.as_deref()?).ok()?;
        Some(Phone::parse(&phone).ok()?.last4().to_string())
    }
}

/// Who is on file, with their phones and accounts, as of one moment: the highest id of a person
/// and how many held changes have been applied. People are never deleted, and a person's phone
/// and account change only when a held change is applied (`flow::review::apply_changes`, in
/// the transaction that marks it applied). So two equal stamps say that what `known_people`
/// read is still so, but for someone registered meanwhile under a lower id than the highest
/// (PostgreSQL hands ids out before their writer commits): the ID hash's unique index refuses
/// them again, and `write` then looks everyone up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    last_id: i64,
    applied_changes: i64,
}

impl Stamp {
    pub(super) async fn read(conn: &mut sqlx::AnyConnection) -> Result<Stamp, sqlx::Error> {
        let (last_id, applied_changes): (i64, i64) = sqlx::query_as(
            "SELECT (SELECT COALESCE(MAX(id), 0) FROM beneficiaries), \
             (SELECT COUNT(*) FROM beneficiary_changes WHERE applied_at IS NOT NULL)",
        )
        .fetch_one(conn)
        .await?;
        Ok(Stamp { last_id, applied_changes })
    }
}

/// The people on file a check found among a file's, with the stamp read before it looked: the
/// write takes them as found while the stamp holds, instead of asking about every one again
/// (a million people: 1.7 s on SQLite and 4.8 s on PostgreSQL at 1M lines, 11 s on PostgreSQL at
/// 10M; issue 22).
#[derive(Default)]
pub struct OnFile {
    stamp: Option<Stamp>,
    known: HashMap<String, Known>,
}

impl OnFile {
    pub(super) fn new(stamp: Stamp, known: HashMap<String, Known>) -> Self {
        OnFile { stamp: Some(stamp), known }
    }

    /// The people as found, if the stamp still holds on `conn` (the write's transaction).
    pub(super) async fn still_so(
        &self,
        conn: &mut sqlx::AnyConnection,
    ) -> Result<Option<&HashMap<String, Known>>, sqlx::Error> {
        let Some(stamp) = self.stamp else { return Ok(None) };
        Ok((Stamp::read(conn).await? == stamp).then_some(&self.known))
    }
}

impl std::fmt::Debug for OnFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OnFile({:?}, {} people)", self.stamp, self.known.len())
    }
}

/// A change a line carries to its person's phone or account on file. It is held with the
/// roster until the roster passes finance review (see `flow::review::apply_changes`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Phone { old_last4: Option<String>, new: Phone },
    Account { old_last4: Option<String>, new: BankAccount, bank_id: i64 },
}

impl Change {
    /// The screening hint reviewers read.
    pub fn hint(&self) -> String {
        let old = |o: &Option<String>| o.as_ref().map_or_else(|| "原未登记".to_string(), |l| format!("尾号{l}"));
        match self {
            Change::Phone { old_last4, new } => format!(
                "手机号变更：{} → 尾号{}（财政复核通过后生效，并短信告知原手机号）",
                old(old_last4),
                new.last4()
            ),
            Change::Account { old_last4, new, .. } => format!(
                "银行卡号变更：{} → 尾号{}（本清册按新卡号发放，财政复核通过后更新登记信息）",
                old(old_last4),
                new.last4()
            ),
        }
    }

    /// What a line changes for a person on file: a phone or account other than theirs.
    pub(super) fn of(
        known: &Known,
        vault: &Vault,
        phone: Option<&Phone>,
        account: &BankAccount,
        bank_id: i64,
    ) -> Vec<Change> {
        let mut out = Vec::new();
        if let Some(phone) = phone {
            if known.phone_hash.as_deref() != Some(vault.lookup_hash(phone.as_str()).as_str()) {
                out.push(Change::Phone { old_last4: known.phone_last4(vault), new: phone.clone() });
            }
        }
        if known.account_hash.as_deref() != Some(vault.lookup_hash(account.as_str()).as_str()) {
            out.push(Change::Account { old_last4: known.account_last4.clone(), new: account.clone(), bank_id });
        }
        out
    }
}

/// Hashes per lookup statement: a file's hashes are sent this many at a time, as one JSON list
/// (one parameter, whatever its length: naming a hundred `$n` in an `IN (…)` spent most of a
/// statement's time on binding, and a million-line file needed 10,000 statements per look-up).
pub(super) const LOOKUP_CHUNK: usize = 5_000;

/// `IN` this: the values of the JSON list of strings bound as parameter `$n`.
pub(super) fn listed(conn: &sqlx::AnyConnection, n: usize) -> String {
    if Backend::of_connection(conn) == Backend::Postgres {
        format!("(SELECT json_array_elements_text(${n}::json))")
    } else {
        format!("(SELECT value FROM json_each(${n}))")
    }
}

/// A chunk of hashes as the JSON list `listed` takes.
pub(super) fn json_list(chunk: &[String]) -> String {
    serde_json::to_string(chunk).unwrap_or_default()
}

/// The rows of a statement whose one column is a [`Backend::json_rows`] aggregate, each as `T`,
/// with the JSON list `list` as its parameter.
pub(super) async fn fetch_json_rows<T: serde::de::DeserializeOwned>(
    conn: &mut sqlx::AnyConnection,
    sql: String,
    list: String,
) -> Result<Vec<T>, sqlx::Error> {
    let text: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(list).fetch_one(&mut *conn).await?;
    crate::ssr::db::json_rows(text)
}

/// A person on file as `known_people` reads them: ID hash, id, name, village, deceased (0/1),
/// account hash and last four digits, phone hash, encrypted phone as hex.
type KnownRow = (String, i64, String, i64, i64, Option<String>, Option<String>, Option<String>, Option<String>);

/// The people on file among `id_hashes`, by ID hash.
pub(super) async fn known_people(
    conn: &mut sqlx::AnyConnection,
    id_hashes: &[String],
) -> Result<HashMap<String, Known>, sqlx::Error> {
    let phone_hex =
        if Backend::of_connection(conn) == Backend::Postgres { "encode(phone_enc, 'hex')" } else { "hex(phone_enc)" };
    let sql = format!(
        "SELECT {} FROM beneficiaries WHERE id_hash IN {}",
        Backend::of_connection(conn).json_rows(&format!(
            "id_hash, id, name, village_id, is_deceased, account_hash, account_last4, phone_hash, {phone_hex}"
        )),
        listed(conn, 1)
    );
    let mut known = HashMap::new();
    for chunk in id_hashes.chunks(LOOKUP_CHUNK) {
        let rows: Vec<KnownRow> = fetch_json_rows(conn, sql.clone(), json_list(chunk)).await?;
        for (id_hash, id, name, village_id, is_deceased, account_hash, account_last4, phone_hash, phone_hex) in rows {
            // SQLite's `hex` of no phone is empty; a phone on file is never empty.
            let phone_enc = phone_hex.filter(|h| !h.is_empty()).and_then(|h| crate::ssr::vault::decode_hex(&h));
            known.insert(
                id_hash,
                Known {
                    id,
                    name,
                    village_id,
                    is_deceased: is_deceased != 0,
                    account_hash,
                    account_last4,
                    phone_hash,
                    phone_enc,
                },
            );
        }
    }
    Ok(known)
}
