//! Roster import as the department side sees it: a file's check, with every problem named by
//! row and column, and the screening hints for reviewers.

use serde::{Deserialize, Serialize};

/// A row that cannot be imported, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// The row number as the user sees it in Excel.
    pub row: usize,
    /// The column's name in the 基础信息表.
    pub column: String,
    pub message: String,
}

/// A screening hint (大数据比对) for reviewers; it does not stop the import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Screening {
    pub row: usize,
    pub message: String,
}
