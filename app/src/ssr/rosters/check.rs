//! Checks a roster file row by row.

use super::file::{self, Column, Table};
use super::people::{fetch_json_rows, json_list, known_people, listed, Change, Known, OnFile, Stamp, LOOKUP_CHUNK};
use super::{Checked, ImportError, Line, Target};
use crate::api::rosters::{Problem, Screening};
use crate::domain::{mask, BankAccount, IdNumber, Money, Phone};
use crate::ssr::banks::Banks;
use crate::ssr::db::{Backend, Db};
use crate::ssr::Vault;
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

/// A name as written, reduced to compare with the name on file (spaces and full-width forms away).
fn same_name(a: &str, b: &str) -> bool {
    let plain = |s: &str| crate::domain::normalize_ascii(s).chars().filter(|c| !c.is_whitespace()).collect::<String>();
    plain(a) == plain(b)
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

/// What a file's rows are checked against: the item, the county's places and banks, and what
/// the database knows of the people the file names. Read once per file by `check`.
#[derive(Default)]
pub struct Facts {
    /// The item's standard, when it has one (fen per person and period).
    pub standard: Option<i64>,
    /// Township ids by name as written plainly.
    pub townships: HashMap<String, i64>,
    /// Village ids by township id and name as written plainly.
    pub villages: HashMap<(i64, String), i64>,
    pub banks: Banks,
    /// People on file, by ID hash.
    pub people: HashMap<String, Known>,
    /// When `people` was read, if it was read from the database.
    pub people_stamp: Option<Stamp>,
    /// By ID hash: the status of their line in this item and period, "paid" if any is.
    pub this_period: HashMap<String, String>,
    /// By ID hash: the name of the exclusive partner item they receive this period.
    pub partner_item: HashMap<String, String>,
    /// By account hash: the ID hashes of the people on file who hold the account.
    pub holders: HashMap<String, Vec<String>>,
}

/// One row of the file as `check_row` takes it: its number, its cells, and its ID number and
/// account, parsed (where they parse) with their keyed hashes.
pub struct RowIn<'a> {
    pub row: usize,
    pub cells: &'a [String],
    pub id: Option<&'a (IdNumber, String)>,
    pub account: Option<&'a (BankAccount, String)>,
}

/// The ID numbers and accounts of the rows checked so far, with their row numbers.
#[derive(Default)]
pub struct Seen<'a> {
    ids: HashMap<&'a str, usize>,
    accounts: HashMap<&'a str, usize>,
    /// Each township, village and bank cell as written, with what it was found to be: a file
    /// names the same few dozen places and banks on every row.
    places: HashMap<(&'a str, &'a str), Place>,
    banks: HashMap<&'a str, Option<i64>>,
}

/// A row's township and village, where found.
type Place = (Option<i64>, Option<i64>);

/// What one row comes to: a line to write when it has no problem, its problems (which block
/// it) and its screening hints (which reviewers read).
#[derive(Debug, Default)]
pub struct RowOutcome {
    pub line: Option<Line>,
    pub problems: Vec<Problem>,
    pub screening: Vec<Screening>,
}

/// Checks every row of `table` for `target`; reads the database, writes nothing. `progress` is
/// told how many rows are done, now and then. The database is asked about the file's people a
/// few hundred at a time, not row by row, so that a million-line roster checks in seconds; each
/// row is then checked alone by `check_row`.
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
    let county = match target.county {
        Some(county) => county,
        None => crate::ssr::regions::home_county(db).await?.unwrap_or(0),
    };
    let item = sqlx::query(
        "SELECT id, name, department_id, frequency, standard_fen FROM subsidy_items WHERE code = $1 AND year = $2 AND county_id = $3",
    )
    .bind(item_code)
    .bind(year)
    .bind(county)
    .fetch_optional(&db.pool)
    .await?
    .ok_or_else(|| ImportError::UnknownItem(format!("{item_code} {year}年")))?;
    let frequency: String = item.get("frequency");
    if !period_fits(&period, &frequency) {
        return Err(ImportError::Period(target.period.clone(), period_shape(&frequency)));
    }

    // First the file alone: ID numbers and accounts, hashed once.
    let (ids, id_hashes) = hashed(vault, table, Column::IdNumber, |text| IdNumber::parse(text).ok(), IdNumber::as_str);
    let (accounts, account_hashes) =
        hashed(vault, table, Column::Account, |text| BankAccount::parse(text).ok(), BankAccount::as_str);

    // Then the database.
    let facts = Facts {
        standard: item.get("standard_fen"),
        ..look_up(db, county, &id_hashes, &account_hashes, &period, item_code, table.rows.len(), progress).await?
    };

    let mut out = Checked {
        item_id: item.get("id"),
        item_name: item.get("name"),
        department_id: item.get("department_id"),
        period: period.clone(),
        rows: table.rows.len(),
        ..Default::default()
    };
    let mut seen = Seen::default();
    for (((row, cells), id), account) in table.rows.iter().zip(&ids).zip(&accounts) {
        let row = RowIn { row: *row, cells, id: id.as_ref(), account: account.as_ref() };
        let outcome = check_row(&facts, vault, table, row, &mut seen);
        out.lines.extend(outcome.line);
        out.problems.extend(outcome.problems);
        out.screening.extend(outcome.screening);
    }
    progress(table.rows.len());
    if let Some(stamp) = facts.people_stamp {
        out.on_file = OnFile::new(stamp, facts.people);
    }
    Ok(out)
}

/// What the database knows for a file, a chunk of people at a time: the places and banks, who
/// is on file, who is already in this item and period (or in its exclusive partner), who else
/// holds each account. The townships and villages are the county's.
#[allow(clippy::too_many_arguments)]
async fn look_up(
    db: &Db,
    county: i64,
    id_hashes: &[String],
    account_hashes: &[String],
    period: &str,
    item_code: &str,
    rows: usize,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Facts, sqlx::Error> {
    let places = sqlx::query(
        "SELECT v.id, v.name, t.id AS t_id, t.name AS t_name FROM regions v JOIN regions t ON t.id = v.parent_id \
         WHERE v.level = 'village' AND t.parent_id = $1",
    )
    .bind(county)
    .fetch_all(&db.pool)
    .await?;
    let townships = places.iter().map(|r| (plain(&r.get::<String, _>("t_name")), r.get("t_id"))).collect();
    let villages = places.iter().map(|r| ((r.get("t_id"), plain(&r.get::<String, _>("name"))), r.get("id"))).collect();
    let banks = Banks::load(db).await?;
    let partner = exclusive_partner(item_code).unwrap_or("");

    // Three look-ups, each on a connection of its own, at the same time: SQLite answers each on
    // its connection's thread, PostgreSQL in its own backend.
    let finished = std::sync::atomic::AtomicUsize::new(0);
    let done = || progress(rows * (finished.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1) / 3);
    let people = async {
        let mut conn = db.lookup_connection().await?;
        let stamp = Stamp::read(&mut conn).await?;
        let people = known_people(&mut conn, id_hashes).await?;
        done();
        Ok::<_, sqlx::Error>((people, stamp))
    };
    let this_period = async {
        let mut conn = db.lookup_connection().await?;
        // The items of the two codes, in every county and year: a person paid in another
        // county in this period is paid already.
        let items: HashMap<i64, (String, String)> =
            sqlx::query("SELECT id, code, name FROM subsidy_items WHERE code IN ($1, $2)")
                .bind(item_code)
                .bind(partner)
                .fetch_all(&mut *conn)
                .await?
                .iter()
                .map(|r| (r.get("id"), (r.get("code"), r.get("name"))))
                .collect();
        let mut this_period: HashMap<String, String> = HashMap::new();
        let mut partner_item: HashMap<String, String> = HashMap::new();
        let mut note = |hash: String, status: String, item: i64| {
            let Some((code, name)) = items.get(&item) else { return };
            if code == item_code {
                let entry = this_period.entry(hash).or_insert_with(|| status.clone());
                if status == "paid" {
                    *entry = status;
                }
            } else {
                partner_item.insert(hash, name.clone());
            }
        };
        // What each way costs is known first: the period's lines of the two codes against the
        // file's people. A period with fewer lines (a new period: none) is read once for the whole
        // file; otherwise each person's own lines are read from the covering index, a chunk at a
        // time. Either way alone was slow somewhere (issue 22, BENCHMARKS.md): seeking a million
        // people in a new period took 17 s at 10M lines on PostgreSQL, where its lines cost under
        // a millisecond; reading a 72,000-line period again for each chunk took SQLite 26 s.
        let in_period: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM payments WHERE period = $1 AND item_id IN (SELECT id FROM subsidy_items WHERE code IN ($2, $3))",
        )
        .bind(period)
        .bind(item_code)
        .bind(partner)
        .fetch_one(&mut *conn)
        .await?;
        let backend = Backend::of_connection(&conn);
        if usize::try_from(in_period).unwrap_or(usize::MAX) < id_hashes.len() {
            let sql = format!(
                "SELECT {} FROM payments p JOIN beneficiaries b ON b.id = p.beneficiary_id \
                 WHERE p.period = $1 AND p.status <> 'failed' \
                 AND p.item_id IN (SELECT id FROM subsidy_items WHERE code IN ($2, $3))",
                backend.json_rows("b.id_hash, p.status, p.item_id")
            );
            let text: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .bind(period)
                .bind(item_code)
                .bind(partner)
                .fetch_one(&mut *conn)
                .await?;
            for (hash, status, item) in crate::ssr::db::json_rows::<(String, String, i64)>(text)? {
                note(hash, status, item);
            }
        } else {
            // The `+` keeps the item ids from choosing the index: SQLite would seek each person
            // once per item (a province has an item of the code per county and year).
            let sql = format!(
                "SELECT {} FROM beneficiaries b JOIN payments p ON p.beneficiary_id = b.id \
                 WHERE b.id_hash IN {} AND p.period = $1 AND p.status <> 'failed' \
                 AND +p.item_id IN (SELECT id FROM subsidy_items WHERE code IN ($2, $3))",
                backend.json_rows("b.id_hash, p.status, p.item_id"),
                listed(&conn, 4)
            );
            for chunk in id_hashes.chunks(LOOKUP_CHUNK) {
                let text: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone()))
                    .bind(period)
                    .bind(item_code)
                    .bind(partner)
                    .bind(json_list(chunk))
                    .fetch_one(&mut *conn)
                    .await?;
                for (hash, status, item) in crate::ssr::db::json_rows::<(String, String, i64)>(text)? {
                    note(hash, status, item);
                }
            }
        }
        done();
        Ok((this_period, partner_item))
    };
    let holders = async {
        let mut conn = db.lookup_connection().await?;
        let mut holders: HashMap<String, Vec<String>> = HashMap::new();
        let sql = format!(
            "SELECT {} FROM beneficiaries WHERE account_hash IN {}",
            Backend::of_connection(&conn).json_rows("account_hash, id_hash"),
            listed(&conn, 1)
        );
        for chunk in account_hashes.chunks(LOOKUP_CHUNK) {
            let rows: Vec<(String, String)> = fetch_json_rows(&mut conn, sql.clone(), json_list(chunk)).await?;
            for (account_hash, id_hash) in rows {
                holders.entry(account_hash).or_default().push(id_hash);
            }
        }
        done();
        Ok(holders)
    };
    let ((people, stamp), (this_period, partner_item), holders) = tokio::try_join!(people, this_period, holders)?;
    Ok(Facts {
        standard: None,
        townships,
        villages,
        banks,
        people,
        people_stamp: Some(stamp),
        this_period,
        partner_item,
        holders,
    })
}

/// Checks one row against `facts` and the rows before it (`seen`); pure, so every rule can be
/// tried without a database.
pub fn check_row<'a>(facts: &Facts, vault: &Vault, table: &Table, input: RowIn<'a>, seen: &mut Seen<'a>) -> RowOutcome {
    let RowIn { row, cells, id, account } = input;
    let mut out = RowOutcome::default();
    let mut problems = Vec::new();
    let mut problem =
        |column: Column, message: String| problems.push(Problem { row, column: column.label().to_string(), message });
    let mut screening = |message: String| out.screening.push(Screening { row, message });
    let name = crate::domain::cases::clean_text(table.get(cells, Column::Name));
    if let Err(e) = crate::domain::check_person_name(&name) {
        problem(Column::Name, e.to_string());
    }
    if id.is_none() {
        if let Some(why) = number_cell_problem(table.get(cells, Column::IdNumber), Column::IdNumber, IdNumber::parse) {
            problem(Column::IdNumber, why);
        }
    }
    if let Some((id, _)) = id {
        if let Some(first) = seen.ids.insert(id.as_str(), row) {
            problem(Column::IdNumber, format!("同一人在文件中出现两次（第{first}行）"));
        }
    }
    // A person on file is who their ID number says: a roster cannot rename them.
    let on_file = id.and_then(|(_, hash)| facts.people.get(hash));
    if let Some(k) = on_file.filter(|k| !name.is_empty() && !same_name(&k.name, &name)) {
        problem(Column::IdNumber, format!("身份证号已登记为 {}，与姓名不符", mask::name(&k.name)));
    }
    let phone_text = table.get(cells, Column::Phone);
    let phone = if phone_text.is_empty() {
        None
    } else {
        Phone::parse(phone_text).map_err(|e| problem(Column::Phone, e.to_string())).ok()
    };
    let place = (table.get(cells, Column::Township), table.get(cells, Column::Village));
    let (township, village) = *seen.places.entry(place).or_insert_with(|| {
        let township = facts.townships.get(&plain(place.0)).copied();
        (township, township.and_then(|t| facts.villages.get(&(t, plain(place.1))).copied()))
    });
    if township.is_none() {
        problem(Column::Township, format!("本县没有“{}”这个镇街", table.get(cells, Column::Township)));
    }
    if township.is_some() && village.is_none() {
        problem(
            Column::Village,
            format!("{}没有“{}”这个村(社区)", table.get(cells, Column::Township), table.get(cells, Column::Village)),
        );
    }
    let banks = &facts.banks;
    let bank = *seen.banks.entry(table.get(cells, Column::Bank)).or_insert_with_key(|written| banks.find(written));
    if bank.is_none() {
        problem(Column::Bank, banks.unknown_message(table.get(cells, Column::Bank)));
    }
    if account.is_none() {
        if let Some(why) = number_cell_problem(table.get(cells, Column::Account), Column::Account, BankAccount::parse) {
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
    if let (Some(a), Some(s)) = (amount, facts.standard) {
        if a.fen() > s {
            problem(
                Column::Amount,
                format!("{} 元超过该项目的补贴标准 {} 元", a.grouped(), Money::from_fen(s).grouped()),
            );
        }
    }
    if let Some(status) = id.and_then(|(_, hash)| facts.this_period.get(hash)) {
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
        if let Some(first) = seen.accounts.insert(account.as_str(), row) {
            screening(format!("银行卡号与第{first}行相同（一卡多人）"));
        }
    }
    if let (Some((_, id_hash)), Some(v)) = (id, village) {
        if let Some(other) = facts.partner_item.get(id_hash) {
            screening(format!("本期已享受“{other}”，两项不能同时享受"));
        }
        if let (Some(k), Some(bank), Some((account, _))) = (on_file, bank, account) {
            for change in Change::of(k, vault, phone.as_ref(), account, bank) {
                screening(change.hint());
            }
        }
        if let Some(k) = on_file {
            if k.village_id != v {
                screening("此人登记在另一个村(社区)（一人两村）".into());
            }
            if k.is_deceased {
                screening("此人在已故人员名单中".into());
            }
        }
        if let Some((account, account_hash)) = account {
            if facts.holders.get(account_hash).is_some_and(|ids| ids.iter().any(|h| h != id_hash)) {
                screening(format!("银行卡号 {} 已登记在其他人名下（一卡多人）", mask::account(account)));
            }
        }
    }
    if !problems.is_empty() {
        out.problems = problems;
        return out;
    }
    if let (
        Some((id, id_hash)),
        Some(township_id),
        Some(village_id),
        Some(bank_id),
        Some((account, account_hash)),
        Some(amount),
    ) = (id, township, village, bank, account, amount)
    {
        let ethnicity = crate::domain::cases::clean_text(table.get(cells, Column::Ethnicity));
        out.line = Some(Line {
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
            id_hash: id_hash.clone(),
            account_hash: account_hash.clone(),
        });
    }
    out
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

    use crate::ssr::banks::Bank;

    const HEADER: &str = "姓名,身份证号,手机号,镇街,村(社区),开户行,银行卡号,补贴额";
    const WANG: &str = "411521195603120028";
    const LI: &str = "411521194807050039";

    /// The county of these tests: one township with one village, two banks (one checks the
    /// card's last digit), an item with a 200 元 standard.
    fn facts() -> Facts {
        let bank =
            |id, name: &str, alias: &str, luhn| Bank { id, name: name.into(), aliases: vec![alias.into()], luhn };
        Facts {
            standard: Some(20_000),
            townships: [("青岚镇".to_string(), 1)].into(),
            villages: [((1, "东山村".to_string()), 11)].into(),
            banks: vec![bank(1, "青岚农村商业银行", "农商行", false), bank(2, "中国农业银行", "农行", true)].into(),
            ..Facts::default()
        }
    }

    fn vault() -> Vault {
        Vault::from_hex(&"ab".repeat(32)).unwrap()
    }

    /// Checks each row of a CSV file (header first) as `check` would, against `facts`.
    fn rows(facts: &Facts, vault: &Vault, lines: &[&str]) -> Vec<RowOutcome> {
        let text = std::iter::once(HEADER).chain(lines.iter().copied()).collect::<Vec<_>>().join("\n");
        let table = file::read(text.as_bytes()).unwrap();
        let (ids, _) = hashed(vault, &table, Column::IdNumber, |t| IdNumber::parse(t).ok(), IdNumber::as_str);
        let (accounts, _) = hashed(vault, &table, Column::Account, |t| BankAccount::parse(t).ok(), BankAccount::as_str);
        let mut seen = Seen::default();
        table
            .rows
            .iter()
            .zip(&ids)
            .zip(&accounts)
            .map(|(((row, cells), id), account)| {
                let input = RowIn { row: *row, cells, id: id.as_ref(), account: account.as_ref() };
                check_row(facts, vault, &table, input, &mut seen)
            })
            .collect()
    }

    fn messages(outcome: &RowOutcome) -> Vec<String> {
        outcome.problems.iter().map(|p| format!("{}: {}", p.column, p.message)).collect()
    }

    #[test]
    fn a_good_row_becomes_a_line() {
        let (facts, vault) = (facts(), vault());
        let out =
            rows(&facts, &vault, &[&format!("王秀英,{WANG},13800001111,青岚镇,东山村,农商行,6228480000000001,150.50")]);
        assert!(out[0].problems.is_empty() && out[0].screening.is_empty(), "{:?}", messages(&out[0]));
        let line = out[0].line.as_ref().unwrap();
        assert_eq!((line.row, line.name.as_str(), line.id.as_str()), (2, "王秀英", WANG));
        assert_eq!((line.township_id, line.village_id, line.bank_id, line.amount.fen()), (1, 11, 1, 15_050));
    }

    #[test]
    fn places_banks_amounts_and_check_digits_are_checked_against_the_county() {
        let (facts, vault) = (facts(), vault());
        let out = rows(
            &facts,
            &vault,
            &[
                &format!("王秀英,{WANG},,青岚乡,东山村,农商行,6228480000000001,100"),
                &format!("王秀英,{WANG},,青岚镇,西山村,某某银行,6228480000000001,100"),
                &format!("李德全,{LI},,青岚镇,东山村,中国农业银行,6217991234567800011,300"),
            ],
        );
        assert_eq!(messages(&out[0]), ["镇街: 本县没有“青岚乡”这个镇街"]);
        let second = messages(&out[1]);
        assert!(second.iter().any(|m| m == "身份证号: 同一人在文件中出现两次（第2行）"), "{second:?}");
        assert!(second.iter().any(|m| m == "村(社区): 青岚镇没有“西山村”这个村(社区)"), "{second:?}");
        assert!(second.iter().any(|m| m.starts_with("开户行: ") && m.contains("某某银行")), "{second:?}");
        let third = messages(&out[2]);
        assert!(third.iter().any(|m| m.starts_with("银行卡号: ") && m.contains("校验位")), "{third:?}");
        assert!(third.iter().any(|m| m == "补贴额: 300.00 元超过该项目的补贴标准 200.00 元"), "{third:?}");
        assert!(out.iter().all(|o| o.line.is_none()), "a row with a problem is not written");
    }

    #[test]
    fn a_person_on_file_keeps_their_name_and_what_the_row_changes_is_screened() {
        let (mut facts, vault) = (facts(), vault());
        facts.people.insert(
            vault.lookup_hash(WANG),
            Known {
                id: 7,
                name: "王秀英".into(),
                village_id: 12,
                is_deceased: true,
                account_hash: Some(vault.lookup_hash("6228480000000001")),
                account_last4: Some("0001".into()),
                phone_hash: None,
                phone_enc: None,
            },
        );
        facts.holders.insert(vault.lookup_hash("6228480000000002"), vec![vault.lookup_hash(LI)]);
        let renamed = rows(&facts, &vault, &[&format!("王秀兰,{WANG},,青岚镇,东山村,农商行,6228480000000001,100")]);
        assert_eq!(messages(&renamed[0]), ["身份证号: 身份证号已登记为 王*英，与姓名不符"]);
        let out =
            rows(&facts, &vault, &[&format!("王 秀 英,{WANG},13800001111,青岚镇,东山村,农商行,6228480000000002,100")]);
        let hints: Vec<&str> = out[0].screening.iter().map(|s| s.message.as_str()).collect();
        for hint in [
            "手机号变更：原未登记 → 尾号1111",
            "银行卡号变更：尾号0001 → 尾号0002",
            "一人两村",
            "已故人员名单",
            "已登记在其他人名下",
        ] {
            assert!(hints.iter().any(|h| h.contains(hint)), "{hint} in {hints:?}");
        }
        assert!(out[0].line.is_some(), "hints do not block: reviewers decide");
    }

    #[test]
    fn a_person_already_in_this_item_and_period_is_refused_and_a_shared_card_screened() {
        let (mut facts, vault) = (facts(), vault());
        facts.this_period.insert(vault.lookup_hash(WANG), "paid".into());
        facts.partner_item.insert(vault.lookup_hash(LI), "特困人员救助供养金".into());
        let out = rows(
            &facts,
            &vault,
            &[
                &format!("王秀英,{WANG},,青岚镇,东山村,农商行,6228480000000001,100"),
                &format!("李德全,{LI},,青岚镇,东山村,农商行,6228480000000001,100"),
            ],
        );
        assert_eq!(messages(&out[0]), ["身份证号: 本期该项目已发放给此人"]);
        let hints: Vec<&str> = out[1].screening.iter().map(|s| s.message.as_str()).collect();
        assert!(hints.contains(&"银行卡号与第2行相同（一卡多人）"), "{hints:?}");
        assert!(hints.contains(&"本期已享受“特困人员救助供养金”，两项不能同时享受"), "{hints:?}");
    }
}
