//! A county that ran alone joins a portal of several (`server import-county`): every region,
//! department, staff user, catalogue, notice, person, household, roster, payment, publicity line,
//! case with its history and audit entry of its database, in one transaction of the target.
//!
//! Ids are shifted past the target's (each table by its own largest id), so references stay
//! references without a lookup per row; people already on file (same ID number) are merged into
//! the target's record; personal data is decrypted under the county's key and encrypted, and its
//! lookup hashes made, under the target's. Transient rows (sessions, codes, kept forms, uploads,
//! the SMS outbox) stay behind. The county's audit entries are appended to the target's chain;
//! a setting records the import, so that running it again changes nothing.

use crate::ssr::audit::entry_hash;
use crate::ssr::cases::COLUMNS as CASE_COLUMNS;
use crate::ssr::db::bulk::{insert_rows, Val};
use crate::ssr::db::Backend;
use crate::ssr::rosters::BENEFICIARY_COLUMNS as PEOPLE_COLUMNS;
use crate::ssr::{changes, Db, Vault};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;

/// Rows read from the county's database at a time.
const CHUNK: i64 = 5_000;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("导入的数据库应当恰好有一个县，实际有 {0} 个")]
    NotOneCounty(usize),
    #[error("密钥与导入的数据库不符：无法解密其中的个人信息")]
    WrongKey,
    #[error("本平台已有代码为 {0} 的地区，不能再导入同一代码的县")]
    CodeTaken(String),
    #[error("本平台没有代码为 {0} 的省或市")]
    UnknownParent(String),
    #[error("查询编号 {0} 在本平台已被使用，导入已取消，未做任何改动")]
    TrackingNumberTaken(String),
    #[error("导入的数据库的审计日志在第 {0} 条被改动过，导入已取消")]
    AuditBroken(i64),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Imported {
    pub county: String,
    /// The county had been imported before: nothing was changed.
    pub already: bool,
    pub people: usize,
    /// People of the county already on file in the portal (the same ID number): one record.
    pub merged: usize,
    pub payments: usize,
    pub cases: usize,
    pub audit_entries: usize,
    /// Usernames taken in the portal, and what they became.
    pub renamed: Vec<(String, String)>,
}

/// How a column is carried over.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Col {
    Int,
    Text,
    /// The row's own id or a reference to a row of that table: shifted past the target's ids
    /// (a person on file: the target's record; a bank: the target's bank of the same code).
    Id(&'static str),
    /// Encrypted personal data: decrypted under the county's key, encrypted under the target's.
    Secret,
}

use Col::{Id, Int, Secret, Text};

/// The tables carried over, in an order that writes every referenced row first, with their
/// columns. Beneficiaries, staff users, households, cases, audit entries and the small keyed
/// tables are handled on their own below.
const TABLES: &[(&str, &[(&str, Col)])] = &[
    (
        "departments",
        &[
            ("id", Id("departments")),
            ("region_id", Id("regions")),
            ("code", Text),
            ("name", Text),
            ("phone", Text),
            ("address", Text),
            ("is_finance", Int),
        ],
    ),
    (
        "documents",
        &[
            ("id", Id("documents")),
            ("kind", Text),
            ("title", Text),
            ("doc_number", Text),
            ("issuer", Text),
            ("published_on", Text),
            ("body", Text),
            ("department_id", Id("departments")),
            ("source", Text),
        ],
    ),
    (
        "catalogue_years",
        &[
            ("county_id", Id("regions")),
            ("year", Int),
            ("title", Text),
            ("published_on", Text),
            ("document_id", Id("documents")),
        ],
    ),
    (
        "subsidy_items",
        &[
            ("id", Id("subsidy_items")),
            ("county_id", Id("regions")),
            ("year", Int),
            ("code", Text),
            ("name", Text),
            ("parent_id", Id("subsidy_items")),
            ("level", Text),
            ("department_id", Id("departments")),
            ("standard", Text),
            ("standard_fen", Int),
            ("frequency", Text),
            ("bank_id", Id("banks")),
            ("per_household", Int),
            ("aliases", Text),
            ("sort_order", Int),
        ],
    ),
    ("item_documents", &[("item_id", Id("subsidy_items")), ("document_id", Id("documents"))]),
    ("holidays", &[("region_id", Id("regions")), ("day", Text), ("kind", Text), ("name", Text)]),
];

/// Tables written after people and staff.
const LATER_TABLES: &[(&str, &[(&str, Col)])] = &[
    (
        "forecasts",
        &[
            ("county_id", Id("regions")),
            ("year", Int),
            ("item_code", Text),
            ("revision", Text),
            ("amount_fen", Int),
            ("people", Int),
            ("staff_id", Id("staff_users")),
            ("at", Text),
        ],
    ),
    (
        "rosters",
        &[
            ("id", Id("rosters")),
            ("item_id", Id("subsidy_items")),
            ("period", Text),
            ("region_id", Id("regions")),
            ("batch", Int),
            ("department_id", Id("departments")),
            ("status", Text),
            ("line_count", Int),
            ("total_fen", Int),
            ("publicity_start", Text),
            ("publicity_end", Text),
            ("sent_to_bank_on", Text),
            ("paid_on", Text),
            ("payout_publicised_on", Text),
            ("source_sha256", Text),
            ("created_at", Text),
        ],
    ),
    (
        "roster_events",
        &[
            ("id", Id("roster_events")),
            ("roster_id", Id("rosters")),
            ("step", Text),
            ("staff_id", Id("staff_users")),
            ("note", Text),
            ("at", Text),
        ],
    ),
    (
        "payments",
        &[
            ("id", Id("payments")),
            ("roster_id", Id("rosters")),
            ("beneficiary_id", Id("beneficiaries")),
            ("recipient_id", Id("beneficiaries")),
            ("item_id", Id("subsidy_items")),
            ("period", Text),
            ("amount_fen", Int),
            ("bank_id", Id("banks")),
            ("account_last4", Text),
            ("status", Text),
            ("failure_reason", Text),
            ("paid_on", Text),
            ("reissue_of_id", Id("payments")),
            ("created_at", Text),
            ("account_enc", Secret),
            ("clawed_back_on", Text),
            ("clawback_reason", Text),
            ("corrected_on", Text),
            ("correction_note", Text),
        ],
    ),
    (
        "publicity_entries",
        &[
            ("id", Id("publicity_entries")),
            ("roster_id", Id("rosters")),
            ("payment_id", Id("payments")),
            ("beneficiary_id", Id("beneficiaries")),
            ("stage", Text),
            ("name_masked", Text),
            ("id_masked", Text),
            ("recipient_name_masked", Text),
            ("village_id", Id("regions")),
            ("item_id", Id("subsidy_items")),
            ("period", Text),
            ("amount_fen", Int),
            ("status", Text),
            ("published_on", Text),
            ("shown_as", Text),
        ],
    ),
    (
        "payment_confirmations",
        &[
            ("id", Id("payment_confirmations")),
            ("payment_id", Id("payments")),
            ("beneficiary_id", Id("beneficiaries")),
            ("received", Int),
            ("at", Text),
        ],
    ),
    (
        "case_events",
        &[
            ("id", Id("case_events")),
            ("case_id", Id("cases")),
            ("kind", Text),
            ("from_department_id", Id("departments")),
            ("to_department_id", Id("departments")),
            ("staff_id", Id("staff_users")),
            ("note", Text),
            ("at", Text),
        ],
    ),
];

/// Tables whose ids are shifted.
const WITH_IDS: &[&str] = &[
    "regions",
    "departments",
    "banks",
    "documents",
    "subsidy_items",
    "staff_users",
    "households",
    "beneficiaries",
    "rosters",
    "roster_events",
    "payments",
    "publicity_entries",
    "payment_confirmations",
    "beneficiary_changes",
    "cases",
    "case_events",
];

/// How source ids become target ids.
struct Ids {
    offset: HashMap<&'static str, i64>,
    /// County people already on file in the target: their target ids.
    people: HashMap<i64, i64>,
    /// The county's banks by the target's bank of the same code.
    banks: HashMap<i64, i64>,
}

impl Ids {
    fn map(&self, table: &str, id: Option<i64>) -> Option<i64> {
        let id = id?;
        match table {
            "beneficiaries" if self.people.contains_key(&id) => self.people.get(&id).copied(),
            "banks" => self.banks.get(&id).copied(),
            _ => Some(id + self.offset.get(table).copied().unwrap_or(0)),
        }
    }
}

/// Imports the one county of `source` (its data encrypted under `source_vault`) into `target`,
/// under the province or city `under` (a code), if given.
pub async fn import_county(
    target: &Db,
    vault: &Vault,
    source: &Db,
    source_vault: &Vault,
    under: Option<&str>,
) -> Result<Imported, ImportError> {
    let counties =
        sqlx::query("SELECT id, code, name FROM regions WHERE level = 'county'").fetch_all(&source.pool).await?;
    let [county] = counties.as_slice() else { return Err(ImportError::NotOneCounty(counties.len())) };
    let (code, name): (String, String) = (county.get("code"), county.get("name"));
    let mut done = Imported { county: name.clone(), ..Imported::default() };
    let marker = format!("imported_county:{code}");
    let before: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
        .bind(&marker)
        .fetch_optional(&target.pool)
        .await?;
    if before.is_some() {
        done.already = true;
        return Ok(done);
    }
    let taken: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM regions WHERE code = $1").bind(&code).fetch_one(&target.pool).await?;
    if taken > 0 {
        return Err(ImportError::CodeTaken(code));
    }
    let parent = match under {
        Some(u) => Some(
            sqlx::query_scalar::<_, i64>("SELECT id FROM regions WHERE code = $1 AND level IN ('province', 'city')")
                .bind(u)
                .fetch_optional(&target.pool)
                .await?
                .ok_or_else(|| ImportError::UnknownParent(u.to_string()))?,
        ),
        None => None,
    };
    let sample: Option<Vec<u8>> =
        sqlx::query_scalar("SELECT id_enc FROM beneficiaries ORDER BY id LIMIT 1").fetch_optional(&source.pool).await?;
    if sample.is_some_and(|s| source_vault.decrypt(&s).is_err()) {
        return Err(ImportError::WrongKey);
    }
    let chain = crate::ssr::audit::verify(source).await?;
    if let Some(broken) = chain.broken {
        return Err(ImportError::AuditBroken(broken.0));
    }

    let mut tx = target.begin().await?;
    let mut ids = Ids { offset: HashMap::new(), people: HashMap::new(), banks: HashMap::new() };
    for table in WITH_IDS {
        let max: Option<i64> =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT MAX(id) FROM {table}"))).fetch_one(&mut *tx).await?;
        ids.offset.insert(table, max.unwrap_or(0));
    }

    regions(&mut tx, source, &ids, parent).await?;
    banks(&mut tx, source, &mut ids).await?;
    for (table, columns) in TABLES {
        copy(&mut tx, source, source_vault, vault, &ids, table, columns).await?;
    }
    done.renamed = staff(&mut tx, source, &ids, &code).await?;
    households(&mut tx, source, &ids, &code).await?;
    (done.people, done.merged) = people(&mut tx, source, source_vault, vault, &mut ids).await?;
    for (table, columns) in LATER_TABLES.iter().take(3) {
        copy(&mut tx, source, source_vault, vault, &ids, table, columns).await?;
    }
    done.payments = copy(&mut tx, source, source_vault, vault, &ids, "payments", LATER_TABLES[3].1).await?;
    for (table, columns) in &LATER_TABLES[4..6] {
        copy(&mut tx, source, source_vault, vault, &ids, table, columns).await?;
    }
    changes_carried(&mut tx, source, source_vault, vault, &ids).await?;
    done.cases = cases(&mut tx, source, source_vault, vault, &ids).await?;
    copy(&mut tx, source, source_vault, vault, &ids, "case_events", LATER_TABLES[6].1).await?;
    sequences(&mut tx, source).await?;
    done.audit_entries = audit(&mut tx, source, &ids).await?;
    searchable(&mut tx, source, &ids).await?;
    sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2)")
        .bind(&marker)
        .bind(crate::ssr::clock::now())
        .execute(&mut *tx)
        .await?;
    let summary = format!(
        "{name}（{code}）：{} 人（{} 人已在册，合并），{} 笔发放，{} 件诉求，{} 条审计记录",
        done.people, done.merged, done.payments, done.cases, done.audit_entries
    );
    crate::ssr::audit::append(&mut tx, "system", "county_imported", &format!("region:{code}"), &summary).await?;
    tx.commit().await?;
    target.sync_id_sequences(WITH_IDS).await?;
    Ok(done)
}

/// Reads `columns` of `table` from the county's database, a chunk at a time (by id when the table
/// has one), and writes them to the target with ids shifted and personal data re-encrypted.
async fn copy(
    tx: &mut AnyConnection,
    source: &Db,
    source_vault: &Vault,
    vault: &Vault,
    ids: &Ids,
    table: &str,
    columns: &[(&str, Col)],
) -> Result<usize, ImportError> {
    let names: Vec<&str> = columns.iter().map(|(n, _)| *n).collect();
    let keyed = names.first() == Some(&"id");
    let mut after = 0i64;
    let mut written = 0;
    loop {
        let rows = read(source, table, &names, keyed, after).await?;
        let Some(last) = rows.last() else { break };
        if keyed {
            after = last.get("id");
        }
        let out: Vec<Vec<Val>> = rows
            .iter()
            .map(|r| columns.iter().map(|(n, c)| value(r, n, *c, ids, source_vault, vault)).collect())
            .collect();
        written += out.len();
        insert_rows(tx, table, &names, out).await?;
        if !keyed {
            break;
        }
    }
    Ok(written)
}

/// A chunk of rows after id `after` (a table without ids: all of it).
async fn read(source: &Db, table: &str, names: &[&str], keyed: bool, after: i64) -> Result<Vec<AnyRow>, sqlx::Error> {
    let columns = names.join(", ");
    if keyed {
        let sql = format!("SELECT {columns} FROM {table} WHERE id > $1 ORDER BY id LIMIT {CHUNK}");
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(after).fetch_all(&source.pool).await
    } else {
        sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {columns} FROM {table}"))).fetch_all(&source.pool).await
    }
}

/// One column of a source row as the target stores it.
fn value(r: &AnyRow, name: &str, col: Col, ids: &Ids, source_vault: &Vault, vault: &Vault) -> Val {
    match col {
        Int => Val::Int(r.get(name)),
        Text => Val::Text(r.get(name)),
        Id(table) => Val::Int(ids.map(table, r.get(name))),
        Secret => Val::Blob(reencrypt(r.get(name), source_vault, vault)),
    }
}

fn reencrypt(stored: Option<Vec<u8>>, source_vault: &Vault, vault: &Vault) -> Option<Vec<u8>> {
    stored.and_then(|s| source_vault.decrypt(&s).ok()).map(|plain| vault.encrypt(&plain))
}

/// The county with its townships, villages and groups, the county under `parent`.
async fn regions(tx: &mut AnyConnection, source: &Db, ids: &Ids, parent: Option<i64>) -> Result<(), sqlx::Error> {
    let rows = sqlx::query("SELECT id, code, name, level, parent_id, sort_order FROM regions ORDER BY id")
        .fetch_all(&source.pool)
        .await?;
    let out = rows.iter().map(|r| {
        let level: String = r.get("level");
        let up = if level == "county" { parent } else { ids.map("regions", r.get("parent_id")) };
        vec![
            Val::Int(ids.map("regions", r.get("id"))),
            Val::Text(r.get("code")),
            Val::Text(r.get("name")),
            Val::Text(Some(level)),
            Val::Int(up),
            Val::Int(r.get("sort_order")),
        ]
    });
    insert_rows(tx, "regions", &["id", "code", "name", "level", "parent_id", "sort_order"], out).await?;
    Ok(())
}

/// The county's paying banks: the target's bank of the same code, else a new one.
async fn banks(tx: &mut AnyConnection, source: &Db, ids: &mut Ids) -> Result<(), sqlx::Error> {
    let rows = sqlx::query("SELECT id, code, name, phone, aliases, luhn FROM banks ORDER BY id")
        .fetch_all(&source.pool)
        .await?;
    for r in rows {
        let code: String = r.get("code");
        let known: Option<i64> =
            sqlx::query_scalar("SELECT id FROM banks WHERE code = $1").bind(&code).fetch_optional(&mut *tx).await?;
        let id = match known {
            Some(id) => id,
            None => {
                let id = r.get::<i64, _>("id") + ids.offset["banks"];
                sqlx::query("INSERT INTO banks (id, code, name, phone, aliases, luhn) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(id)
                    .bind(&code)
                    .bind(r.get::<String, _>("name"))
                    .bind(r.get::<String, _>("phone"))
                    .bind(r.get::<String, _>("aliases"))
                    .bind(r.get::<i64, _>("luhn"))
                    .execute(&mut *tx)
                    .await?;
                id
            }
        };
        ids.banks.insert(r.get("id"), id);
    }
    Ok(())
}

/// Staff users of the county; a username the portal already has gets the county's code appended.
async fn staff(
    tx: &mut AnyConnection,
    source: &Db,
    ids: &Ids,
    code: &str,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, username, display_name, password_hash, role, department_id, failed_logins, locked_until, created_at, active, region_id \
         FROM staff_users ORDER BY id",
    )
    .fetch_all(&source.pool)
    .await?;
    let mut renamed = Vec::new();
    let mut out = Vec::new();
    for r in &rows {
        let username: String = r.get("username");
        let taken: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM staff_users WHERE username = $1")
            .bind(&username)
            .fetch_one(&mut *tx)
            .await?;
        let name = if taken > 0 {
            let new = format!("{username}_{code}");
            renamed.push((username, new.clone()));
            new
        } else {
            username
        };
        out.push(vec![
            Val::Int(ids.map("staff_users", r.get("id"))),
            Val::Text(Some(name)),
            Val::Text(r.get("display_name")),
            Val::Text(r.get("password_hash")),
            Val::Text(r.get("role")),
            Val::Int(ids.map("departments", r.get("department_id"))),
            Val::Int(r.get("failed_logins")),
            Val::Text(r.get("locked_until")),
            Val::Text(r.get("created_at")),
            Val::Int(r.get("active")),
            Val::Int(ids.map("regions", r.get("region_id"))),
        ]);
    }
    let columns = [
        "id",
        "username",
        "display_name",
        "password_hash",
        "role",
        "department_id",
        "failed_logins",
        "locked_until",
        "created_at",
        "active",
        "region_id",
    ];
    insert_rows(tx, "staff_users", &columns, out).await?;
    Ok(renamed)
}

/// Households, their codes marked with the county's (codes are unique across the portal).
async fn households(tx: &mut AnyConnection, source: &Db, ids: &Ids, code: &str) -> Result<(), sqlx::Error> {
    let mut after = 0i64;
    loop {
        let rows = read(source, "households", &["id", "code", "village_id"], true, after).await?;
        let Some(last) = rows.last() else { break };
        after = last.get("id");
        let out = rows.iter().map(|r| {
            vec![
                Val::Int(ids.map("households", r.get("id"))),
                Val::Text(Some(format!("{}@{code}", r.get::<String, _>("code")))),
                Val::Int(ids.map("regions", r.get("village_id"))),
            ]
        });
        insert_rows(tx, "households", &["id", "code", "village_id"], out).await?;
    }
    Ok(())
}

/// The county's people: those on file in the portal (the same ID number) are merged into that
/// record; the others are written with their data encrypted and hashed under the target's key.
/// Returns (people, merged).
async fn people(
    tx: &mut AnyConnection,
    source: &Db,
    source_vault: &Vault,
    vault: &Vault,
    ids: &mut Ids,
) -> Result<(usize, usize), sqlx::Error> {
    // First who is on file, so that a custodian written before the person they keep for points
    // at the right record.
    let mut after = 0i64;
    let mut total = 0;
    loop {
        let rows = read(source, "beneficiaries", &["id", "id_enc"], true, after).await?;
        let Some(last) = rows.last() else { break };
        after = last.get("id");
        total += rows.len();
        let hashes: Vec<(i64, String)> = rows
            .iter()
            .filter_map(|r| {
                let plain = source_vault.decrypt(&r.get::<Vec<u8>, _>("id_enc")).ok()?;
                Some((r.get("id"), vault.lookup_hash(&plain)))
            })
            .collect();
        for chunk in hashes.chunks(100) {
            let sql = format!(
                "SELECT id, id_hash FROM beneficiaries WHERE id_hash IN ({})",
                (1..=chunk.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (_, hash) in chunk {
                query = query.bind(hash.clone());
            }
            for found in query.fetch_all(&mut *tx).await? {
                let hash: String = found.get("id_hash");
                if let Some((source_id, _)) = chunk.iter().find(|(_, h)| *h == hash) {
                    ids.people.insert(*source_id, found.get("id"));
                }
            }
        }
    }
    let hash_of = |stored: Option<Vec<u8>>| {
        stored
            .and_then(|s| source_vault.decrypt(&s).ok())
            .map(|plain| (vault.encrypt(&plain), vault.lookup_hash(&plain)))
    };
    let mut after = 0i64;
    loop {
        let rows = read(source, "beneficiaries", PEOPLE_COLUMNS, true, after).await?;
        let Some(last) = rows.last() else { break };
        after = last.get("id");
        let ids = &*ids;
        let out: Vec<Vec<Val>> = rows
            .iter()
            .filter(|r| !ids.people.contains_key(&r.get::<i64, _>("id")))
            .map(|r| {
                let (id_enc, id_hash) = hash_of(r.get("id_enc")).unzip();
                let (phone_enc, phone_hash) = hash_of(r.get("phone_enc")).unzip();
                let (account_enc, account_hash) = hash_of(r.get("account_enc")).unzip();
                vec![
                    Val::Int(ids.map("beneficiaries", r.get("id"))),
                    Val::Text(id_hash),
                    Val::Blob(id_enc),
                    Val::Text(r.get("id_masked")),
                    Val::Text(r.get("name")),
                    Val::Text(r.get("name_masked")),
                    Val::Text(r.get("gender")),
                    Val::Text(r.get("ethnicity")),
                    Val::Blob(phone_enc),
                    Val::Text(phone_hash),
                    Val::Int(ids.map("regions", r.get("village_id"))),
                    Val::Int(ids.map("households", r.get("household_id"))),
                    Val::Int(r.get("is_household_head")),
                    Val::Text(r.get("card_status")),
                    Val::Int(ids.map("banks", r.get("card_bank_id"))),
                    Val::Blob(account_enc),
                    Val::Text(account_hash),
                    Val::Text(r.get("account_last4")),
                    Val::Text(r.get("custodian_kind")),
                    Val::Int(ids.map("beneficiaries", r.get("custodian_id"))),
                    Val::Int(r.get("is_deceased")),
                    Val::Text(r.get("created_at")),
                ]
            })
            .collect();
        // A custodian may come later in id order than the person they keep for: written without
        // the reference first, set once everyone is written.
        let custodians: Vec<(Val, Val)> = out.iter().map(|row| (row[0].clone(), row[19].clone())).collect();
        let out = out.into_iter().map(|mut row| {
            row[19] = Val::Int(None);
            row
        });
        insert_rows(tx, "beneficiaries", PEOPLE_COLUMNS, out).await?;
        for (id, custodian) in custodians {
            if let (Val::Int(Some(id)), Val::Int(Some(custodian))) = (id, custodian) {
                sqlx::query("UPDATE beneficiaries SET custodian_id = $1 WHERE id = $2")
                    .bind(custodian)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
        }
    }
    Ok((total, ids.people.len()))
}

/// Phone and account changes carried by rosters: the new value re-encrypted and re-hashed.
async fn changes_carried(
    tx: &mut AnyConnection,
    source: &Db,
    source_vault: &Vault,
    vault: &Vault,
    ids: &Ids,
) -> Result<(), sqlx::Error> {
    let columns = [
        "id",
        "roster_id",
        "beneficiary_id",
        "field",
        "old_last4",
        "new_last4",
        "new_enc",
        "new_hash",
        "bank_id",
        "created_at",
        "applied_at",
    ];
    let mut after = 0i64;
    loop {
        let rows = read(source, "beneficiary_changes", &columns, true, after).await?;
        let Some(last) = rows.last() else { break };
        after = last.get("id");
        let out = rows.iter().map(|r| {
            let plain = source_vault.decrypt(&r.get::<Vec<u8>, _>("new_enc")).unwrap_or_default();
            vec![
                Val::Int(ids.map("beneficiary_changes", r.get("id"))),
                Val::Int(ids.map("rosters", r.get("roster_id"))),
                Val::Int(ids.map("beneficiaries", r.get("beneficiary_id"))),
                Val::Text(r.get("field")),
                Val::Text(r.get("old_last4")),
                Val::Text(r.get("new_last4")),
                Val::Blob(Some(vault.encrypt(&plain))),
                Val::Text(Some(vault.lookup_hash(&plain))),
                Val::Int(ids.map("banks", r.get("bank_id"))),
                Val::Text(r.get("created_at")),
                Val::Text(r.get("applied_at")),
            ]
        });
        insert_rows(tx, "beneficiary_changes", &columns, out).await?;
    }
    Ok(())
}

/// Cases with their tracking numbers as their filers hold them (a number the portal already has
/// stops the import); the filer's phone re-encrypted and re-hashed.
async fn cases(
    tx: &mut AnyConnection,
    source: &Db,
    source_vault: &Vault,
    vault: &Vault,
    ids: &Ids,
) -> Result<usize, ImportError> {
    let mut after = 0i64;
    let mut written = 0;
    loop {
        let rows = read(source, "cases", CASE_COLUMNS, true, after).await?;
        let Some(last) = rows.last() else { break };
        after = last.get("id");
        for r in &rows {
            let no: String = r.get("tracking_no");
            let taken: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cases WHERE tracking_no = $1")
                .bind(&no)
                .fetch_one(&mut *tx)
                .await?;
            if taken > 0 {
                return Err(ImportError::TrackingNumberTaken(no));
            }
        }
        let out: Vec<Vec<Val>> = rows
            .iter()
            .map(|r| {
                let plain = source_vault.decrypt(&r.get::<Vec<u8>, _>("filer_phone_enc")).unwrap_or_default();
                CASE_COLUMNS
                    .iter()
                    .map(|c| match *c {
                        "id" => Val::Int(ids.map("cases", r.get("id"))),
                        "item_id" => Val::Int(ids.map("subsidy_items", r.get("item_id"))),
                        "payment_id" => Val::Int(ids.map("payments", r.get("payment_id"))),
                        "township_id" | "village_id" => Val::Int(ids.map("regions", r.get(*c))),
                        "department_id" => Val::Int(ids.map("departments", r.get("department_id"))),
                        "filer_phone_enc" => Val::Blob(Some(vault.encrypt(&plain))),
                        "filer_phone_hash" => Val::Text(Some(vault.lookup_hash(&plain))),
                        "anonymous" | "extended" | "reopened" | "escalated" | "answered_on_time" => Val::Int(r.get(*c)),
                        _ => Val::Text(r.get(*c)),
                    })
                    .collect()
            })
            .collect();
        written += out.len();
        insert_rows(tx, "cases", CASE_COLUMNS, out).await?;
    }
    Ok(written)
}

/// Each day's case numbering continues after the larger of the two sequences.
async fn sequences(tx: &mut AnyConnection, source: &Db) -> Result<(), sqlx::Error> {
    for r in sqlx::query("SELECT day, last_value FROM case_sequences").fetch_all(&source.pool).await? {
        sqlx::query(
            "INSERT INTO case_sequences (day, last_value) VALUES ($1, $2) \
             ON CONFLICT (day) DO UPDATE SET last_value = CASE WHEN case_sequences.last_value > $2 THEN case_sequences.last_value ELSE $2 END",
        )
        .bind(r.get::<String, _>("day"))
        .bind(r.get::<i64, _>("last_value"))
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

/// The county's audit entries, appended to the target's chain in their order with their own
/// times; who and what they name are the imported rows' new ids.
async fn audit(tx: &mut AnyConnection, source: &Db, ids: &Ids) -> Result<usize, sqlx::Error> {
    if Backend::of_connection(tx) == Backend::Postgres {
        sqlx::query("SELECT 1 FROM pg_advisory_xact_lock($1)")
            .bind(crate::ssr::audit::POSTGRES_LOCK)
            .execute(&mut *tx)
            .await?;
    }
    let prev: Option<String> =
        sqlx::query_scalar("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1").fetch_optional(&mut *tx).await?;
    let mut prev = prev.unwrap_or_else(|| "0".repeat(64));
    let renamed = |who: String| -> String {
        let Some((kind, id)) = who.split_once(':') else { return who };
        let table = match kind {
            "staff" => "staff_users",
            "roster" => "rosters",
            "case" => "cases",
            "item" => "subsidy_items",
            "document" => "documents",
            "department" => "departments",
            "payment" => "payments",
            _ => return who,
        };
        match id.parse::<i64>() {
            Ok(id) => format!("{kind}:{}", ids.map(table, Some(id)).unwrap_or(id)),
            Err(_) => who,
        }
    };
    let mut after = 0i64;
    let mut written = 0;
    loop {
        let rows =
            read(source, "audit_log", &["id", "at", "actor", "action", "subject", "detail"], true, after).await?;
        let Some(last) = rows.last() else { break };
        after = last.get("id");
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let (at, action, detail): (String, String, String) = (r.get("at"), r.get("action"), r.get("detail"));
            let (actor, subject) = (renamed(r.get("actor")), renamed(r.get("subject")));
            let hash = entry_hash(&prev, &at, &actor, &action, &subject, &detail);
            out.push(vec![
                at.into(),
                actor.into(),
                action.into(),
                subject.into(),
                detail.into(),
                prev.clone().into(),
                hash.clone().into(),
            ]);
            prev = hash;
        }
        written += out.len();
        insert_rows(tx, "audit_log", &["at", "actor", "action", "subject", "detail", "prev_hash", "hash"], out).await?;
    }
    Ok(written)
}

/// Records the imported items, notices and publicity lines in the change log, so that every
/// node's search index takes them in.
async fn searchable(tx: &mut AnyConnection, source: &Db, ids: &Ids) -> Result<(), sqlx::Error> {
    let now = crate::ssr::clock::now();
    for (table, entity) in
        [("subsidy_items", changes::ITEM), ("documents", changes::DOCUMENT), ("publicity_entries", changes::PUBLICITY)]
    {
        let mut after = 0i64;
        loop {
            let rows = read(source, table, &["id"], true, after).await?;
            let Some(last) = rows.last() else { break };
            after = last.get("id");
            // One lock per batch on PostgreSQL, as `changes::record` takes it.
            changes::record(tx, entity, ids.map(table, Some(after)).unwrap_or(0), false).await?;
            let out = rows.iter().map(|r| {
                vec![entity.into(), Val::Int(ids.map(table, r.get("id"))), "upsert".into(), now.clone().into()]
            });
            insert_rows(tx, "change_log", &["entity", "entity_id", "op", "at"], out).await?;
        }
    }
    Ok(())
}
