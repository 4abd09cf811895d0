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

use super::ApiError;
use crate::api::staff::StaffMe;
use crate::domain::Money;
use leptos::prelude::*;

/// One roster in the department side's list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RosterRow {
    pub id: i64,
    pub item: String,
    pub period: String,
    pub township: String,
    pub batch: i64,
    pub department: String,
    pub status: String,
    pub lines: i64,
    pub total: Money,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RosterList {
    pub me: StaffMe,
    pub rosters: Vec<RosterRow>,
    /// (code, name) of this year's items the signed-in person may import for.
    pub items: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RosterLine {
    pub id: i64,
    pub name: String,
    pub id_masked: String,
    pub village: String,
    pub amount: Money,
    pub bank: String,
    pub account_masked: String,
    pub status: String,
    pub failure_reason: Option<String>,
    pub paid_on: Option<String>,
    pub reissued: bool,
    /// When its money was recovered (追回), and why.
    pub clawed_back_on: Option<String>,
    pub clawback_reason: Option<String>,
    /// When the line was last corrected during its publicity (更正), and the public words of it.
    pub corrected_on: Option<String>,
    pub correction_note: Option<String>,
}

/// A change a roster carries to a person's phone or account on file: held until the roster has
/// passed finance review, shown to its reviewers as a screening hint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RosterChange {
    pub name: String,
    /// `phone` or `account`.
    pub field: String,
    pub old_last4: Option<String>,
    pub new_last4: String,
    pub applied: bool,
}

impl RosterChange {
    /// The hint in words, e.g. "王秀英　手机号变更：尾号1234 → 尾号5678".
    pub fn hint(&self) -> String {
        let what = if self.field == "phone" { "手机号变更" } else { "银行卡号变更" };
        let old = self.old_last4.as_ref().map_or_else(|| "原未登记".to_string(), |l| format!("尾号{l}"));
        format!("{}　{what}：{old} → 尾号{}", self.name, self.new_last4)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RosterStep {
    pub step: String,
    pub at: String,
    pub who: String,
    pub note: String,
}

/// The steps a signed-in person may take on a roster now.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RosterActions {
    pub publicise: bool,
    pub approve: bool,
    pub finance_review: bool,
    pub send_to_bank: bool,
    pub bank_file: bool,
    pub feedback: bool,
    pub reissue: bool,
    /// Correct a line's bank details (a draft, e.g. a reissue after a failed payment).
    pub correct: bool,
    /// Withdraw it from publicity (撤回), with a reason, while it is in its publicity.
    pub withdraw: bool,
    /// Claw back a paid line (追回), with a reason, once the bank has answered.
    pub claw_back: bool,
    /// Correct a published line before it is paid (更正: amount, 代领, 核减), with a reason, while
    /// the roster is in its publicity or back from finance.
    pub correct_publicity: bool,
}

/// A village of a sensitive item's roster with fewer lines than the small-cell rule's threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SmallCell {
    pub village: String,
    pub lines: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RosterDetail {
    pub me: StaffMe,
    pub roster: RosterRow,
    pub publicity_start: Option<String>,
    pub publicity_end: Option<String>,
    pub paid_on: Option<String>,
    pub payout_publicised_on: Option<String>,
    pub reissue_of: Option<i64>,
    pub lines: Vec<RosterLine>,
    pub changes: Vec<RosterChange>,
    pub steps: Vec<RosterStep>,
    pub actions: RosterActions,
    /// The paying banks, for corrections.
    pub banks: Vec<crate::api::staff::Choice>,
    /// A draft of a sensitive item: its villages that are small cells, for the department to
    /// choose how to publicise them. Once publicised: the villages publicised at township level.
    pub small_cells: Vec<SmallCell>,
    /// The small-cell rule in words (empty when `small_cells` is).
    pub small_cell_rule: String,
}

/// A checked upload, before anything is written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UploadPreview {
    pub me: StaffMe,
    pub token: String,
    pub file_name: String,
    pub item: String,
    pub period: String,
    pub rows: usize,
    pub good: usize,
    pub total: Money,
    pub problems: Vec<Problem>,
    pub screening: Vec<Screening>,
    /// Set when the file cannot be read at all (or the item/period is wrong).
    pub error: Option<String>,
}

#[server(prefix = "/api", endpoint = "staff_rosters")]
pub async fn get_rosters() -> Result<RosterList, ApiError> {
    let (cx, staff, me) = crate::api::staff::signed_in().await?;
    crate::ssr::rosters::reads::list(&cx.db, &staff, me).await.map_err(ApiError::internal)
}

#[server(prefix = "/api", endpoint = "staff_roster")]
pub async fn get_roster(#[server(default)] id: i64) -> Result<RosterDetail, ApiError> {
    let (cx, staff, me) = crate::api::staff::signed_in().await?;
    crate::ssr::rosters::reads::detail(&cx.db, &staff, me, id, &cx.small_cells)
        .await
        .map_err(ApiError::internal)?
        .ok_or(ApiError::NotFound)
}

#[server(prefix = "/api", endpoint = "staff_upload")]
pub async fn get_upload_preview(#[server(default)] token: String) -> Result<UploadPreview, ApiError> {
    let (cx, staff, me) = crate::api::staff::signed_in().await?;
    crate::ssr::rosters::flow::preview(&cx, &staff, me, &token)
        .await
        .map_err(ApiError::internal)?
        .ok_or(ApiError::NotFound)
}
