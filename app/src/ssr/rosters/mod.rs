//! Roster import (统发清册): a department's file, checked row by row with a message naming the
//! row and the column, then written as a draft roster per township in one transaction, or not
//! at all. The same file twice is recognised and not written again.

pub mod file;
pub mod flow;

use self::file::{Column, Table};
use crate::api::rosters::{Problem, Screening};
use crate::domain::{mask, BankAccount, IdNumber, Money, Phone};
use crate::ssr::db::banks::Banks;
use crate::ssr::{
    clock,
    db::{bulk, Db},
    Vault,
};
use sqlx::Row;
use std::collections::HashMap;

/// Items one person may not receive for the same period (the partner of each code). 特困人员
/// 救助供养 and 最低生活保障 are not paid together; nor an orphan's basic living allowance and the
/// allowance for children in difficulty.
pub const EXCLUSIVE_ITEMS: &[(&str, &str)] = &[("14-01", "14-02"), ("14-04", "15-06")];

fn exclusive_partner(code: &str) -> Option<&'static str> {
    EXCLUSIVE_ITEMS.iter().find_map(|(a, b)| {
        if *a == code {
            Some(*b)
        } else if *b == code {
            Some(*a)
        } else {
            None
        }
    })
}

/// What the import was asked to do: which item (catalogue code) and which period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub item_code: String,
    pub period: String,
}

/// One row that passed every check.
#[derive(Debug, Clone)]
pub struct Line {
    pub row: usize,
    pub name: String,
    pub id: IdNumber,
    pub ethnicity: String,
    pub phone: Option<Phone>,
    pub township_id: i64,
    pub village_id: i64,
    pub bank_id: i64,
    pub account: BankAccount,
    pub amount: Money,
}

/// The result of checking a file: good lines, problems (blocking), screening hints (not blocking).
#[derive(Debug, Clone, Default)]
pub struct Checked {
    pub item_id: i64,
    pub item_name: String,
    pub department_id: i64,
    pub period: String,
    pub lines: Vec<Line>,
    pub problems: Vec<Problem>,
    pub screening: Vec<Screening>,
    pub rows: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{0}")]
    File(#[from] file::FileError),
    #[error("没有这个补贴项目（{0}）")]
    UnknownItem(String),
    #[error("期次“{0}”不符合该项目的发放周期，应为 {1}")]
    Period(String, &'static str),
    #[error("文件中有 {0} 处错误，请改正后重新上传，或选择排除错误行后导入")]
    NotClean(usize),
    #[error("文件中没有可导入的行")]
    NothingToImport,
    #[error("这个文件已经导入过（清册 {0}），没有重复导入")]
    AlreadyImported(String),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

/// The period forms each frequency takes, as the catalogue's rosters name them.
fn period_shape(frequency: &str) -> &'static str {
    match frequency {
        "monthly" => "YYYY-MM（如 2026-12）",
        "quarterly" => "YYYY-Qn（如 2026-Q4）",
        "half_yearly" => "YYYY-H1 或 YYYY-H2",
        _ => "YYYY（如 2026）",
    }
}

fn period_fits(period: &str, frequency: &str) -> bool {
    let year_ok = period.get(..4).is_some_and(|y| y.bytes().all(|b| b.is_ascii_digit()));
    let rest = period.get(4..).unwrap_or("");
    year_ok
        && match frequency {
            "monthly" => {
                rest.strip_prefix('-').and_then(|m| m.parse::<u32>().ok()).is_some_and(|m| (1..=12).contains(&m))
                    && rest.len() == 3
            }
            "quarterly" => matches!(rest, "-Q1" | "-Q2" | "-Q3" | "-Q4"),
            "half_yearly" => matches!(rest, "-H1" | "-H2"),
            _ => rest.is_empty(),
        }
}

/// Whether a 预计发放时间 is a month or a date that exists (2026-12, 2026-12-05, 2026年12月).
fn expected_time_ok(text: &str) -> bool {
    crate::domain::date::parse_written(text).is_some()
}

/// Why a cell of the ID or card number column is not that number: one that Excel kept as a
/// number and cut short, or one that does not parse. None when it parses.
fn number_cell_problem<T, E: std::fmt::Display>(
    text: &str,
    column: Column,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Option<String> {
    match file::inexact_number(text) {
        Some(shown) => Some(file::inexact_number_message(column, shown)),
        None => parse(text).err().map(|e| e.to_string()),
    }
}

/// A place name as written, reduced to compare (spaces and full-width forms away).
fn plain(s: &str) -> String {
    crate::domain::normalize_ascii(s).replace('（', "(").replace('）', ")")
}

/// What the database already knows of a person named in a file.
struct Known {
    id: i64,
    name: String,
    village_id: i64,
    is_deceased: bool,
    account_hash: Option<String>,
    account_last4: Option<String>,
    phone_hash: Option<String>,
    phone_enc: Option<Vec<u8>>,
}

impl Known {
    /// The last four digits of the phone on file, if any.
    fn phone_last4(&self, vault: &Vault) -> Option<String> {
        let phone = vault.decrypt(self.phone_enc.as_deref()?).ok()?;
        Some(Phone::parse(&phone).ok()?.last4().to_string())
    }
}

/// A change a line carries to its person's phone or account on file. It is held with the
/// roster until the roster passes finance review (see `flow::apply_changes`).
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
    fn of(known: &Known, vault: &Vault, phone: Option<&Phone>, account: &BankAccount, bank_id: i64) -> Vec<Change> {
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

/// A name as written, reduced to compare with the name on file (spaces and full-width forms away).
fn same_name(a: &str, b: &str) -> bool {
    let plain = |s: &str| crate::domain::normalize_ascii(s).chars().filter(|c| !c.is_whitespace()).collect::<String>();
    plain(a) == plain(b)
}

/// Rows per lookup statement: the hashes of a file are looked up this many at a time (binding
/// grows with the square of a statement's parameters, see `bulk::MAX_PARAMS`).
const LOOKUP_CHUNK: usize = 100;

/// `$first, $first+1, …` for `n` values: the inside of an `IN (…)`.
fn placeholders(first: usize, n: usize) -> String {
    (first..first + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// The people on file among `id_hashes`, by ID hash.
async fn known_people(
    conn: &mut sqlx::AnyConnection,
    id_hashes: &[String],
) -> Result<HashMap<String, Known>, sqlx::Error> {
    let mut known = HashMap::with_capacity(id_hashes.len());
    for chunk in id_hashes.chunks(LOOKUP_CHUNK) {
        let sql = format!(
            "SELECT id_hash, id, name, village_id, is_deceased, account_hash, account_last4, phone_hash, phone_enc FROM beneficiaries WHERE id_hash IN ({})",
            placeholders(1, chunk.len())
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for hash in chunk {
            query = query.bind(hash);
        }
        for r in query.fetch_all(&mut *conn).await? {
            known.insert(
                r.get("id_hash"),
                Known {
                    id: r.get("id"),
                    name: r.get("name"),
                    village_id: r.get("village_id"),
                    is_deceased: r.get::<i64, _>("is_deceased") != 0,
                    account_hash: r.get("account_hash"),
                    account_last4: r.get("account_last4"),
                    phone_hash: r.get("phone_hash"),
                    phone_enc: r.get("phone_enc"),
                },
            );
        }
    }
    Ok(known)
}

/// The `column` of every row parsed (with its keyed hash) where it parses, and the distinct
/// hashes, sorted: what the database is then asked about.
#[allow(clippy::type_complexity)]
fn hashed<T>(
    vault: &Vault,
    table: &Table,
    column: Column,
    parse: impl Fn(&str) -> Option<T>,
    text: impl Fn(&T) -> &str,
) -> (Vec<Option<(T, String)>>, Vec<String>) {
    let parsed: Vec<Option<(T, String)>> = table
        .rows
        .iter()
        .map(|(_, cells)| {
            parse(table.get(cells, column)).map(|value| {
                let hash = vault.lookup_hash(text(&value));
                (value, hash)
            })
        })
        .collect();
    let mut hashes: Vec<String> = parsed.iter().flatten().map(|(_, h)| h.clone()).collect();
    hashes.sort_unstable();
    hashes.dedup();
    (parsed, hashes)
}

/// Checks every row of `table` for `target`; reads the database, writes nothing. `progress` is
/// told how many rows are done, now and then. The database is asked about the file's people a
/// few hundred at a time, not row by row, so that a million-line roster checks in seconds.
pub async fn check(
    db: &Db,
    vault: &Vault,
    table: &Table,
    target: &Target,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Checked, ImportError> {
    let period = crate::domain::normalize_ascii(&target.period).to_uppercase();
    let year: i64 = period.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0);
    let item_code = target.item_code.trim();
    let item = sqlx::query(
        "SELECT id, name, department_id, frequency, standard_fen FROM subsidy_items WHERE code = $1 AND year = $2",
    )
    .bind(item_code)
    .bind(year)
    .fetch_optional(&db.pool)
    .await?
    .ok_or_else(|| ImportError::UnknownItem(format!("{item_code} {year}年")))?;
    let frequency: String = item.get("frequency");
    if !period_fits(&period, &frequency) {
        return Err(ImportError::Period(target.period.clone(), period_shape(&frequency)));
    }
    let standard: Option<i64> = item.get("standard_fen");
    let item_id: i64 = item.get("id");
    let partner = exclusive_partner(item_code).unwrap_or("");

    let places = sqlx::query("SELECT v.id, v.name, t.id AS t_id, t.name AS t_name FROM regions v JOIN regions t ON t.id = v.parent_id WHERE v.level = 'village'")
        .fetch_all(&db.pool)
        .await?;
    let townships: HashMap<String, i64> =
        places.iter().map(|r| (plain(&r.get::<String, _>("t_name")), r.get("t_id"))).collect();
    let villages: HashMap<(i64, String), i64> =
        places.iter().map(|r| ((r.get("t_id"), plain(&r.get::<String, _>("name"))), r.get("id"))).collect();
    let banks = Banks::load(db).await?;

    // First the file alone: ID numbers and accounts, hashed once.
    let (ids, id_hashes) = hashed(vault, table, Column::IdNumber, |text| IdNumber::parse(text).ok(), IdNumber::as_str);
    let (accounts, account_hashes) =
        hashed(vault, table, Column::Account, |text| BankAccount::parse(text).ok(), BankAccount::as_str);

    // Then the database, a chunk of people at a time: who is on file, who is already in this
    // item and period (or in its exclusive partner), who else holds each account.
    let mut conn = db.pool.acquire().await?;
    let known = known_people(&mut conn, &id_hashes).await?;
    progress(table.rows.len() / 3);
    let mut this_period: HashMap<String, String> = HashMap::new();
    let mut partner_item: HashMap<String, String> = HashMap::new();
    for chunk in id_hashes.chunks(LOOKUP_CHUNK) {
        let sql = format!(
            "SELECT b.id_hash, p.status, i.code, i.name FROM beneficiaries b JOIN payments p ON p.beneficiary_id = b.id \
             JOIN subsidy_items i ON i.id = p.item_id \
             WHERE p.period = $1 AND p.status <> 'failed' AND i.code IN ($2, $3) AND b.id_hash IN ({})",
            placeholders(4, chunk.len())
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(&period).bind(item_code).bind(partner);
        for hash in chunk {
            query = query.bind(hash);
        }
        for r in query.fetch_all(&mut *conn).await? {
            let (hash, code): (String, String) = (r.get("id_hash"), r.get("code"));
            if code == item_code {
                let status: String = r.get("status");
                let entry = this_period.entry(hash).or_insert_with(|| status.clone());
                if status == "paid" {
                    *entry = status;
                }
            } else {
                partner_item.insert(hash, r.get("name"));
            }
        }
    }
    progress(table.rows.len() * 2 / 3);
    let mut holders: HashMap<String, Vec<String>> = HashMap::new();
    for chunk in account_hashes.chunks(LOOKUP_CHUNK) {
        let sql = format!(
            "SELECT account_hash, id_hash FROM beneficiaries WHERE account_hash IN ({})",
            placeholders(1, chunk.len())
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for hash in chunk {
            query = query.bind(hash);
        }
        for r in query.fetch_all(&mut *conn).await? {
            holders.entry(r.get("account_hash")).or_default().push(r.get("id_hash"));
        }
    }
    drop(conn);

    let mut out = Checked {
        item_id,
        item_name: item.get("name"),
        department_id: item.get("department_id"),
        period: period.clone(),
        rows: table.rows.len(),
        ..Default::default()
    };
    let mut seen_ids: HashMap<&str, usize> = HashMap::new();
    let mut seen_accounts: HashMap<&str, usize> = HashMap::new();
    for (((row, cells), id), account) in table.rows.iter().zip(&ids).zip(&accounts) {
        let row = *row;
        let mut problems = Vec::new();
        let mut problem = |column: Column, message: String| {
            problems.push(Problem { row, column: column.label().to_string(), message })
        };
        let name = crate::domain::cases::clean_text(table.get(cells, Column::Name));
        if let Err(e) = crate::domain::check_person_name(&name) {
            problem(Column::Name, e.to_string());
        }
        if id.is_none() {
            if let Some(why) =
                number_cell_problem(table.get(cells, Column::IdNumber), Column::IdNumber, IdNumber::parse)
            {
                problem(Column::IdNumber, why);
            }
        }
        if let Some((id, _)) = id {
            if let Some(first) = seen_ids.insert(id.as_str(), row) {
                problem(Column::IdNumber, format!("同一人在文件中出现两次（第{first}行）"));
            }
        }
        // A person on file is who their ID number says: a roster cannot rename them.
        let on_file = id.as_ref().and_then(|(_, hash)| known.get(hash));
        if let Some(k) = on_file.filter(|k| !name.is_empty() && !same_name(&k.name, &name)) {
            problem(Column::IdNumber, format!("身份证号已登记为 {}，与姓名不符", mask::name(&k.name)));
        }
        let phone_text = table.get(cells, Column::Phone);
        let phone = if phone_text.is_empty() {
            None
        } else {
            Phone::parse(phone_text).map_err(|e| problem(Column::Phone, e.to_string())).ok()
        };
        let township = townships.get(&plain(table.get(cells, Column::Township))).copied();
        if township.is_none() {
            problem(Column::Township, format!("本县没有“{}”这个镇街", table.get(cells, Column::Township)));
        }
        let village = township.and_then(|t| villages.get(&(t, plain(table.get(cells, Column::Village)))).copied());
        if township.is_some() && village.is_none() {
            problem(
                Column::Village,
                format!(
                    "{}没有“{}”这个村(社区)",
                    table.get(cells, Column::Township),
                    table.get(cells, Column::Village)
                ),
            );
        }
        let bank = banks.find(table.get(cells, Column::Bank));
        if bank.is_none() {
            problem(Column::Bank, banks.unknown_message(table.get(cells, Column::Bank)));
        }
        if account.is_none() {
            if let Some(why) =
                number_cell_problem(table.get(cells, Column::Account), Column::Account, BankAccount::parse)
            {
                problem(Column::Account, why);
            }
        }
        if let (Some(bank), Some((account, _))) = (bank, account) {
            if banks.needs_luhn(bank) && !account.luhn_ok() {
                problem(
                    Column::Account,
                    format!(
                        "银行卡号 {} 的校验位不对（{}的卡号末位是校验位），请核对",
                        mask::account(account),
                        banks.name(bank)
                    ),
                );
            }
        }
        let expected = table.get(cells, Column::Expected);
        if !expected.is_empty() && !expected_time_ok(expected) {
            problem(Column::Expected, format!("“{expected}”不是有效的时间，请写成 2026-12 或 2026-12-05"));
        }
        let amount = Money::parse_positive(table.get(cells, Column::Amount))
            .map_err(|e| problem(Column::Amount, e.to_string()))
            .ok();
        if let (Some(a), Some(s)) = (amount, standard) {
            if a.fen() > s {
                problem(
                    Column::Amount,
                    format!("{} 元超过该项目的补贴标准 {} 元", a.grouped(), Money::from_fen(s).grouped()),
                );
            }
        }
        if let Some(status) = id.as_ref().and_then(|(_, hash)| this_period.get(hash)) {
            problem(
                Column::IdNumber,
                if status == "paid" {
                    "本期该项目已发放给此人".into()
                } else {
                    "此人已在本期该项目的其他清册中".into()
                },
            );
        }
        if let Some((account, _)) = account {
            if let Some(first) = seen_accounts.insert(account.as_str(), row) {
                out.screening
                    .push(Screening { row, message: format!("银行卡号与第{first}行相同（一卡多人）") });
            }
        }
        if let (Some((_, id_hash)), Some(v)) = (id, village) {
            if let Some(other) = partner_item.get(id_hash) {
                out.screening.push(Screening {
                    row, message: format!("本期已享受“{other}”，两项不能同时享受")
                });
            }
            if let (Some(k), Some(bank), Some((account, _))) = (on_file, bank, account) {
                for change in Change::of(k, vault, phone.as_ref(), account, bank) {
                    out.screening.push(Screening { row, message: change.hint() });
                }
            }
            if let Some(k) = known.get(id_hash) {
                if k.village_id != v {
                    out.screening.push(Screening {
                        row, message: "此人登记在另一个村(社区)（一人两村）".into()
                    });
                }
                if k.is_deceased {
                    out.screening.push(Screening { row, message: "此人在已故人员名单中".into() });
                }
            }
            if let Some((account, account_hash)) = account {
                if holders.get(account_hash).is_some_and(|ids| ids.iter().any(|h| h != id_hash)) {
                    out.screening.push(Screening {
                        row,
                        message: format!("银行卡号 {} 已登记在其他人名下（一卡多人）", mask::account(account)),
                    });
                }
            }
        }
        if problems.is_empty() {
            if let (
                Some((id, _)),
                Some(township_id),
                Some(village_id),
                Some(bank_id),
                Some((account, _)),
                Some(amount),
            ) = (id, township, village, bank, account, amount)
            {
                let ethnicity = crate::domain::cases::clean_text(table.get(cells, Column::Ethnicity));
                out.lines.push(Line {
                    row,
                    name,
                    id: id.clone(),
                    ethnicity,
                    phone,
                    township_id,
                    village_id,
                    bank_id,
                    account: account.clone(),
                    amount,
                });
            }
        } else {
            out.problems.extend(problems);
        }
    }
    progress(table.rows.len());
    Ok(out)
}

/// Writes the checked lines as one draft roster per township, with new beneficiaries registered,
/// all in one transaction. Refused when there are problems unless `exclude_bad`; a file already
/// imported (same SHA-256) is not written again. Returns the new rosters' ids.
pub async fn write(
    db: &Db,
    vault: &Vault,
    checked: &Checked,
    actor: &str,
    sha256: &str,
    exclude_bad: bool,
) -> Result<Vec<i64>, ImportError> {
    let earlier: Vec<i64> = sqlx::query_scalar("SELECT id FROM rosters WHERE source_sha256 = $1 ORDER BY id")
        .bind(sha256)
        .fetch_all(&db.pool)
        .await?;
    if !earlier.is_empty() {
        return Err(ImportError::AlreadyImported(earlier.iter().map(i64::to_string).collect::<Vec<_>>().join("、")));
    }
    if !checked.problems.is_empty() && !exclude_bad {
        return Err(ImportError::NotClean(checked.problems.len()));
    }
    if checked.lines.is_empty() {
        return Err(ImportError::NothingToImport);
    }
    let now = clock::now();
    let mut tx = db.begin().await?;
    db.bulk_cache(&mut tx, true).await?;
    let (beneficiaries, mut held) = register(&mut tx, vault, &checked.lines, &now).await?;
    let mut by_township: Vec<(i64, Vec<(&Line, i64)>)> = Vec::new();
    let mut township_at: HashMap<i64, usize> = HashMap::new();
    for (line, beneficiary) in checked.lines.iter().zip(beneficiaries) {
        let at = *township_at.entry(line.township_id).or_insert_with(|| {
            by_township.push((line.township_id, Vec::new()));
            by_township.len() - 1
        });
        by_township[at].1.push((line, beneficiary));
    }
    let mut roster_of_line: HashMap<usize, i64> = HashMap::new();
    let mut rosters = Vec::new();
    for (township, lines) in by_township {
        let batch: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(batch), 0) + 1 FROM rosters WHERE item_id = $1 AND period = $2 AND region_id = $3",
        )
        .bind(checked.item_id)
        .bind(&checked.period)
        .bind(township)
        .fetch_one(&mut *tx)
        .await?;
        let total: i64 = lines.iter().map(|(l, _)| l.amount.fen()).sum();
        let roster: i64 = sqlx::query_scalar(
            "INSERT INTO rosters (item_id, period, region_id, batch, department_id, status, line_count, total_fen, source_sha256, created_at) \
             VALUES ($1, $2, $3, $4, $5, 'draft', $6, $7, $8, $9) RETURNING id",
        )
        .bind(checked.item_id)
        .bind(&checked.period)
        .bind(township)
        .bind(batch)
        .bind(checked.department_id)
        .bind(lines.len() as i64)
        .bind(total)
        .bind(sha256)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
        let count = lines.len();
        let shared = [
            ("roster_id", roster.into()),
            ("item_id", checked.item_id.into()),
            ("period", checked.period.as_str().into()),
            ("status", "pending".into()),
            ("created_at", now.as_str().into()),
        ];
        for chunk in lines.chunks(WRITE_CHUNK) {
            let rows: Vec<Vec<bulk::Val>> = chunk
                .iter()
                .map(|(line, beneficiary)| {
                    vec![
                        (*beneficiary).into(),
                        (*beneficiary).into(),
                        line.amount.fen().into(),
                        line.bank_id.into(),
                        line.account.last4().into(),
                        vault.encrypt(line.account.as_str()).into(),
                    ]
                })
                .collect();
            bulk::insert_rows_sharing(&mut tx, "payments", &shared, PAYMENT_COLUMNS, rows).await?;
        }
        roster_of_line.extend(lines.iter().map(|(line, _)| (line.row, roster)));
        sqlx::query(
            "INSERT INTO roster_events (roster_id, step, staff_id, note, at) VALUES ($1, 'imported', NULL, $2, $3)",
        )
        .bind(roster)
        .bind(format!("{actor} 导入 {count} 行"))
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        crate::ssr::db::audit::append(
            &mut tx,
            actor,
            "roster_imported",
            &format!("roster:{roster}"),
            &format!("lines:{count}"),
        )
        .await?;
        rosters.push(roster);
    }
    for change in &mut held {
        change.roster_id = roster_of_line.get(&change.row).copied().unwrap_or_default();
    }
    hold_changes(&mut tx, vault, &held, &now).await?;
    db.bulk_cache(&mut tx, false).await?;
    tx.commit().await?;
    Ok(rosters)
}

/// A change a new roster line carries for a person on file, waiting for its roster.
pub struct HeldChange {
    /// The file's row, until the roster it went to is known.
    row: usize,
    pub roster_id: i64,
    pub beneficiary_id: i64,
    pub change: Change,
}

impl HeldChange {
    /// A change for a line of a roster that exists.
    pub fn new(roster_id: i64, beneficiary_id: i64, change: Change) -> Self {
        HeldChange { row: 0, roster_id, beneficiary_id, change }
    }
}

/// Records changes to people's phones and accounts with their rosters, to be applied when the
/// roster passes finance review; a newer change of the same roster and field replaces an older.
pub async fn hold_changes(
    conn: &mut sqlx::AnyConnection,
    vault: &Vault,
    held: &[HeldChange],
    now: &str,
) -> Result<(), sqlx::Error> {
    for h in held {
        let (field, old_last4, new_text, bank_id) = match &h.change {
            Change::Phone { old_last4, new } => ("phone", old_last4.clone(), new.as_str(), None),
            Change::Account { old_last4, new, bank_id } => ("account", old_last4.clone(), new.as_str(), Some(*bank_id)),
        };
        sqlx::query("DELETE FROM beneficiary_changes WHERE roster_id = $1 AND beneficiary_id = $2 AND field = $3 AND applied_at IS NULL")
            .bind(h.roster_id)
            .bind(h.beneficiary_id)
            .bind(field)
            .execute(&mut *conn)
            .await?;
        sqlx::query(
            "INSERT INTO beneficiary_changes (roster_id, beneficiary_id, field, old_last4, new_last4, new_enc, new_hash, bank_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(h.roster_id)
        .bind(h.beneficiary_id)
        .bind(field)
        .bind(old_last4)
        .bind(&new_text[new_text.len() - 4..])
        .bind(vault.encrypt(new_text))
        .bind(vault.lookup_hash(new_text))
        .bind(bank_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The beneficiary of each line, in order: found by ID number, or registered with a household
/// of their own. A person on file keeps their phone and account: what the file changes is
/// returned, to be held with the roster until it has been reviewed.
async fn register(
    conn: &mut sqlx::AnyConnection,
    vault: &Vault,
    lines: &[Line],
    now: &str,
) -> Result<(Vec<i64>, Vec<HeldChange>), sqlx::Error> {
    let hashes: Vec<String> = lines.iter().map(|l| vault.lookup_hash(l.id.as_str())).collect();
    let known = known_people(conn, &hashes).await?;
    let mut held = Vec::new();
    for (line, hash) in lines.iter().zip(&hashes) {
        let Some(k) = known.get(hash) else { continue };
        for change in Change::of(k, vault, line.phone.as_ref(), &line.account, line.bank_id) {
            held.push(HeldChange { row: line.row, roster_id: 0, beneficiary_id: k.id, change });
        }
    }
    let new: Vec<(&Line, &String)> = lines.iter().zip(&hashes).filter(|(_, h)| !known.contains_key(*h)).collect();
    let mut registered: HashMap<String, i64> = HashMap::with_capacity(new.len());
    for chunk in new.chunks(WRITE_CHUNK) {
        let rows: Vec<Vec<bulk::Val>> =
            chunk.iter().map(|(line, hash)| vec![household_code(hash).into(), line.village_id.into()]).collect();
        let households: HashMap<String, i64> =
            bulk::insert_returning(conn, "households", &["code", "village_id"], rows, "code, id")
                .await?
                .iter()
                .map(|r| (r.get("code"), r.get("id")))
                .collect();
        let rows: Vec<Vec<bulk::Val>> = chunk
            .iter()
            .map(|(line, hash)| beneficiary_row(vault, line, hash, households.get(&household_code(hash)).copied(), now))
            .collect();
        for r in bulk::insert_returning(conn, "beneficiaries", BENEFICIARY_COLUMNS, rows, "id_hash, id").await? {
            registered.insert(r.get("id_hash"), r.get("id"));
        }
    }
    let ids = hashes
        .iter()
        .map(|h| {
            known.get(h).map(|k| k.id).or_else(|| registered.get(h).copied()).ok_or_else(|| sqlx::Error::RowNotFound)
        })
        .collect::<Result<Vec<i64>, sqlx::Error>>()?;
    Ok((ids, held))
}

/// Lines written per round of multi-row statements.
const WRITE_CHUNK: usize = 5_000;

/// A payment line's own columns (the roster's are shared, see `write`); the account it is paid
/// into is the line's own, as its reviewers saw it.
const PAYMENT_COLUMNS: &[&str] =
    &["beneficiary_id", "recipient_id", "amount_fen", "bank_id", "account_last4", "account_enc"];

/// A new person's own household, named after their ID hash.
fn household_code(id_hash: &str) -> String {
    format!("HI{}", &id_hash[..16])
}

const BENEFICIARY_COLUMNS: &[&str] = &[
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
    "is_deceased",
    "created_at",
];

fn beneficiary_row(vault: &Vault, line: &Line, id_hash: &str, household: Option<i64>, now: &str) -> Vec<bulk::Val> {
    vec![
        id_hash.into(),
        vault.encrypt(line.id.as_str()).into(),
        mask::id_number(&line.id).into(),
        line.name.clone().into(),
        mask::name(&line.name).into(),
        (if line.id.is_male() { "male" } else { "female" }).into(),
        (if line.ethnicity.is_empty() { "汉族" } else { line.ethnicity.as_str() }).into(),
        line.phone.as_ref().map(|p| vault.encrypt(p.as_str())).into(),
        line.phone.as_ref().map(|p| vault.lookup_hash(p.as_str())).into(),
        line.village_id.into(),
        household.into(),
        1i64.into(),
        "issued".into(),
        line.bank_id.into(),
        vault.encrypt(line.account.as_str()).into(),
        vault.lookup_hash(line.account.as_str()).into(),
        line.account.last4().into(),
        0i64.into(),
        now.into(),
    ]
}

/// SHA-256 of a file, hex: how the same file is recognised when uploaded again.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    super::vault::encode_hex(&Sha256::digest(bytes))
}

/// Marks the people of a deceased list (a file with a 身份证号 column, e.g. from civil affairs or
/// the public security bureau) so that imports flag them. Returns (marked, not on file, bad rows).
pub async fn import_deceased(
    db: &Db,
    vault: &Vault,
    bytes: &[u8],
    actor: &str,
) -> Result<(usize, usize, Vec<Problem>), ImportError> {
    let grid = file::grid(bytes)?;
    let is_id = |h: &String| {
        ["身份证号", "身份证号码", "公民身份号码", "证件号码"].contains(&crate::domain::normalize_ascii(h).as_str())
    };
    let header_at = grid
        .iter()
        .take(10)
        .position(|row| row.iter().any(is_id))
        .ok_or_else(|| file::FileError::MissingColumns("身份证号".into()))?;
    let column = grid[header_at].iter().position(is_id).unwrap_or(0);
    let (mut marked, mut unknown, mut problems) = (0, 0, Vec::new());
    let mut tx = db.begin().await?;
    for (i, row) in grid.iter().enumerate().skip(header_at + 1) {
        let text = row.get(column).map(String::as_str).unwrap_or("").trim();
        if text.is_empty() {
            continue;
        }
        match IdNumber::parse(text) {
            Ok(id) => {
                let done = sqlx::query("UPDATE beneficiaries SET is_deceased = 1 WHERE id_hash = $1")
                    .bind(vault.lookup_hash(id.as_str()))
                    .execute(&mut *tx)
                    .await?;
                if done.rows_affected() > 0 {
                    marked += 1;
                } else {
                    unknown += 1;
                }
            }
            Err(e) => problems.push(Problem { row: i + 1, column: "身份证号".into(), message: e.to_string() }),
        }
    }
    crate::ssr::db::audit::append(
        &mut tx,
        actor,
        "deceased_list_imported",
        "beneficiaries",
        &format!("marked:{marked}"),
    )
    .await?;
    tx.commit().await?;
    Ok((marked, unknown, problems))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_follow_the_frequency() {
        assert!(
            period_fits("2026-12", "monthly")
                && !period_fits("2026-13", "monthly")
                && !period_fits("2026-1", "monthly")
        );
        assert!(period_fits("2026-Q4", "quarterly") && !period_fits("2026-Q5", "quarterly"));
        assert!(
            period_fits("2026-H2", "half_yearly") && period_fits("2026", "yearly") && !period_fits("2026-12", "yearly")
        );
        assert!(!period_fits("", "monthly") && !period_fits("二〇二六", "yearly"));
    }
}
