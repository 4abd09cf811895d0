//! Roster import (统发清册): a department's file, checked row by row with a message naming the
//! row and the column (`check`), then written as a draft roster per township in one
//! transaction, or not at all (`write`). The same file twice is recognised and not written
//! again. The review flow that follows is in `flow`; what staff pages read, in `reads`.

mod check;
mod deceased;
pub mod file;
pub mod flow;
mod people;
pub use people::COLUMNS as BENEFICIARY_COLUMNS;
pub mod reads;
mod write;

pub use check::check;
pub use deceased::import_deceased;
pub use people::Change;
pub use write::{carry_line_accounts, hold_changes, write, HeldChange};

use crate::api::rosters::{Problem, Screening};
use crate::domain::{BankAccount, IdNumber, Money, Phone};

/// What the import was asked to do: which item (catalogue code) and which period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub item_code: String,
    pub period: String,
    /// The county whose catalogue holds the item and whose villages the rows name; `None`: the
    /// installation's first county (a one-county portal's county).
    pub county: Option<i64>,
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
    /// The keyed hashes of the ID number and the account, as the check made them.
    pub id_hash: String,
    pub account_hash: String,
}

/// The result of checking a file: good lines, problems (blocking), screening hints (not blocking).
#[derive(Debug, Default)]
pub struct Checked {
    pub item_id: i64,
    pub item_name: String,
    pub department_id: i64,
    pub period: String,
    pub lines: Vec<Line>,
    pub problems: Vec<Problem>,
    pub screening: Vec<Screening>,
    pub rows: usize,
    /// The people on file among the file's, as the check found them (for the write).
    on_file: people::OnFile,
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

/// SHA-256 of a file, hex: how the same file is recognised when uploaded again.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    super::vault::encode_hex(&Sha256::digest(bytes))
}
