//! The paying banks (代发银行): found by the names clerks write (邮储银行, 农商行, 信用社 …), whether
//! a bank's card numbers carry a Luhn check digit, and the admin's changes to both.

use super::admin::AdminChangeError;
use super::Db;
use crate::api::staff::{AdminBank, AdminError};
use crate::ssr::staff::Staff;
use sqlx::Row;

/// One paying bank as the import matches it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bank {
    pub id: i64,
    pub name: String,
    pub aliases: Vec<String>,
    pub luhn: bool,
}

/// The county's paying banks, each with the names it is found by (its name and aliases, plain).
#[derive(Debug, Clone, Default)]
pub struct Banks(Vec<(Bank, Vec<String>)>);

/// A bank name as written, reduced to compare (spaces and full-width forms away, ASCII brackets).
fn plain(s: &str) -> String {
    crate::domain::normalize_ascii(s).replace('（', "(").replace('）', ")")
}

/// Aliases as the admin types them: separated by commas, 、 or spaces; each at most 30 characters.
pub fn parse_aliases(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for a in text.split([',', '，', '、', ';', '；', ' ', '\n']).map(plain).filter(|a| !a.is_empty()) {
        if !out.contains(&a) {
            out.push(a.chars().take(30).collect());
        }
    }
    out.truncate(30);
    out
}

impl From<Vec<Bank>> for Banks {
    fn from(banks: Vec<Bank>) -> Self {
        Banks(
            banks
                .into_iter()
                .map(|b| {
                    let names = std::iter::once(plain(&b.name)).chain(b.aliases.iter().cloned()).collect();
                    (b, names)
                })
                .collect(),
        )
    }
}

impl Banks {
    pub async fn load(db: &Db) -> Result<Banks, sqlx::Error> {
        let rows = sqlx::query("SELECT id, name, aliases, luhn FROM banks ORDER BY id").fetch_all(&db.pool).await?;
        Ok(Banks::from(
            rows.iter()
                .map(|r| Bank {
                    id: r.get("id"),
                    name: r.get("name"),
                    aliases: parse_aliases(&r.get::<String, _>("aliases")),
                    luhn: r.get::<i64, _>("luhn") != 0,
                })
                .collect::<Vec<_>>(),
        ))
    }

    /// The bank a clerk means: the one whose name or alias is what was written; else the one
    /// bank whose name or alias the writing contains or is part of ("中国农业银行股份有限公司青岚
    /// 支行", "青岚农商"). None when nothing matches or when several banks would.
    pub fn find(&self, written: &str) -> Option<i64> {
        let w = plain(written);
        if w.is_empty() {
            return None;
        }
        if let Some((b, _)) = self.0.iter().find(|(_, names)| names.contains(&w)) {
            return Some(b.id);
        }
        let close: Vec<i64> = self
            .0
            .iter()
            .filter(|(_, names)| {
                names.iter().any(|n| {
                    (n.chars().count() >= 2 && w.contains(n.as_str()))
                        || (w.chars().count() >= 4 && n.contains(w.as_str()))
                })
            })
            .map(|(b, _)| b.id)
            .collect();
        match close.as_slice() {
            [one] => Some(*one),
            _ => None,
        }
    }

    /// Why a written bank was not taken, naming the banks (and their short names) that are.
    pub fn unknown_message(&self, written: &str) -> String {
        let accepted: Vec<String> = self
            .0
            .iter()
            .map(|(b, _)| {
                if b.aliases.is_empty() {
                    b.name.clone()
                } else {
                    format!("{}（或{}）", b.name, b.aliases.join("、"))
                }
            })
            .collect();
        if written.trim().is_empty() {
            format!("请填写开户行，本县的代发银行有：{}", accepted.join("；"))
        } else {
            format!("“{}”不是本县的代发银行，可填写：{}", written.trim(), accepted.join("；"))
        }
    }

    /// Whether this bank's card numbers carry a Luhn check digit.
    pub fn needs_luhn(&self, id: i64) -> bool {
        self.0.iter().any(|(b, _)| b.id == id && b.luhn)
    }

    pub fn name(&self, id: i64) -> &str {
        self.0.iter().find(|(b, _)| b.id == id).map_or("", |(b, _)| b.name.as_str())
    }
}

/// The banks as the admin page shows them.
pub async fn admin_list(db: &Db) -> Result<Vec<AdminBank>, sqlx::Error> {
    let banks = Banks::load(db).await?;
    Ok(banks
        .0
        .into_iter()
        .map(|(b, _)| AdminBank { id: b.id, name: b.name, aliases: b.aliases.join("、"), luhn: b.luhn })
        .collect())
}

/// The admin sets a bank's aliases and whether its card numbers carry a check digit.
pub async fn save(db: &Db, admin: &Staff, id: i64, aliases: &str, luhn: bool) -> Result<(), AdminChangeError> {
    let list = parse_aliases(aliases);
    let others = Banks::load(db).await?;
    // An alias names one bank only: two banks answering to 农行 would make every 农行 line refused.
    if list.iter().any(|a| others.0.iter().any(|(b, names)| b.id != id && names.contains(a))) {
        return Err(AdminError::Alias.into());
    }
    let mut tx = db.begin().await?;
    let done = sqlx::query("UPDATE banks SET aliases = $1, luhn = $2 WHERE id = $3")
        .bind(list.join(","))
        .bind(i64::from(luhn))
        .bind(id)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() != 1 {
        return Err(AdminError::Missing.into());
    }
    super::audit::append(
        &mut tx,
        &format!("staff:{}", admin.id),
        "bank_saved",
        &format!("bank:{id}"),
        &format!("luhn:{}", i64::from(luhn)),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn county() -> Banks {
        let bank =
            |id, name: &str, aliases: &str, luhn| Bank { id, name: name.into(), aliases: parse_aliases(aliases), luhn };
        Banks::from(vec![
            bank(1, "青岚农村商业银行", "农商行,农商银行,农村商业银行,信用社,农村信用社,农信,农信社", false),
            bank(2, "中国农业银行青岚县支行", "农行,农业银行,中国农业银行", true),
            bank(3, "中国邮政储蓄银行青岚县支行", "邮储,邮储银行,邮政储蓄银行,邮政银行", true),
            bank(4, "中国建设银行青岚县支行", "建行、建设银行", true),
            bank(5, "中国工商银行青岚县支行", "工行 工商银行", true),
        ])
    }

    #[test]
    fn banks_are_found_as_clerks_write_them() {
        let banks = county();
        for (written, id) in [
            ("邮储银行", 3),
            ("农商行", 1),
            ("农行", 2),
            ("信用社", 1),
            ("农信", 1),
            ("青岚农村商业银行", 1),
            ("中国农业银行股份有限公司青岚县支行", 2),
            ("中国邮政储蓄银行", 3),
            ("工商银行青岚支行", 5),
            ("ｊｉａｎ建行", 4),
        ] {
            assert_eq!(banks.find(written), Some(id), "{written}");
        }
        assert_eq!(banks.find("某某银行"), None);
        assert_eq!(banks.find(""), None);
        assert_eq!(banks.find("银行"), None, "too vague: every bank would do");
        let message = banks.unknown_message("某某银行");
        assert!(message.contains("某某银行") && message.contains("青岚农村商业银行（或农商行"), "{message}");
    }
}
