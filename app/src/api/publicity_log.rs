//! The publicity log (公示日志): every publication of a roster as an entry of an append-only
//! Merkle tree (RFC 9162), its signed tree heads, and the proofs anyone can check.

use super::publicity::{Place, PublicityLine};
use super::ApiError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What an entry records: a roster's publicity, its payout publicity, a correction of a published
/// line, a clawback (追回) or a withdrawal (撤回).
pub fn kind_name(kind: &str) -> &'static str {
    match kind {
        "publicity" => "公示",
        "payout_publicity" => "发放后公示",
        "correction" => "更正",
        "clawback" => "追回",
        "withdrawal" => "撤回",
        _ => "其他",
    }
}

/// A signed tree head: the log's size and root hash at a time, signed with the portal's log key.
/// The signed message is `portal-publicity-log/v1\n{tree_size}\n{signed_at}\n{root_hash}\n`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct TreeHead {
    pub tree_size: i64,
    /// SHA-256 root (RFC 9162 MTH), 64 hex characters.
    pub root_hash: String,
    /// UTC, `YYYY-MM-DDTHH:MM:SSZ`.
    pub signed_at: String,
    /// Ed25519 public key, 64 hex characters.
    pub public_key: String,
    /// Ed25519 signature of the message above, 128 hex characters.
    pub signature: String,
}

/// One entry of the log without its text (a roster page's version history).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct LogRecord {
    pub leaf_index: i64,
    pub roster_id: i64,
    /// `publicity`, `payout_publicity`, `correction`, `clawback` or `withdrawal`.
    pub kind: String,
    /// Why, for a correction (empty otherwise).
    pub reason: String,
    /// When it was appended (UTC).
    pub at: String,
    /// `SHA-256(0x00 || entry)`, 64 hex characters.
    pub leaf_hash: String,
}

/// One entry with its canonical text: the UTF-8 bytes hashed are exactly `entry`'s.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct LogEntry {
    #[serde(flatten)]
    pub record: LogRecord,
    /// `null` once the roster's lines are past the years the portal keeps them public: the
    /// entry is then proved by `leaf_hash` alone.
    pub entry: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct InclusionProof {
    pub leaf_index: i64,
    pub tree_size: i64,
    pub leaf_hash: String,
    pub root_hash: String,
    /// The audit path, from the leaf's sibling up (RFC 9162, 2.1.3.1).
    pub audit_path: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct ConsistencyProof {
    pub first: i64,
    pub second: i64,
    pub first_root: String,
    pub second_root: String,
    /// RFC 9162, 2.1.4.1.
    pub proof: Vec<String>,
}

/// The `/publicity/log` page: the key, the heads (newest first, a page of them) and the size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct LogHeads {
    pub public_key: String,
    pub tree_size: i64,
    pub page: i64,
    pub pages: i64,
    pub heads: Vec<TreeHead>,
}

/// Heads shown per page of `/publicity/log`.
pub const HEADS_PER_PAGE: i64 = 20;

#[server(prefix = "/api", endpoint = "publicity_log")]
pub async fn get_log_heads(page: Option<i64>) -> Result<LogHeads, ApiError> {
    let cx = crate::ssr::context()?;
    crate::ssr::publicity_log::heads(&cx.db, &cx.vault, page.unwrap_or(1)).await.map_err(ApiError::internal)
}

/// What a receipt code (凭证码) from a payout SMS opens: the line as published, where and whose,
/// and the roster's newest log entry with the proof that the newest signed head holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Receipt {
    /// The code as printed, `ABCDE-FGHJ`.
    pub code: String,
    pub township: Place,
    /// `null` when the line was publicised at township level (`by_township`).
    pub village: Option<Place>,
    pub roster: i64,
    pub department: String,
    /// The line as published; publicised at township level, its name, ID number, recipient and
    /// village are left empty, as no page lists them.
    pub line: PublicityLine,
    /// The line was publicised at township level (a small cell of a sensitive item): the public
    /// saw its township's count and amount only.
    pub by_township: bool,
    pub entry: Option<LogRecord>,
    pub head: Option<TreeHead>,
    pub proof: Option<InclusionProof>,
}

/// The line a receipt code opens; `None` when the code is not one of the portal's.
#[server(prefix = "/api", endpoint = "receipt")]
pub async fn get_receipt(#[server(default)] code: String) -> Result<Option<Receipt>, ApiError> {
    let cx = crate::ssr::context()?;
    let signer = cx.log_signer.get(&cx.db, &cx.vault).await.map_err(ApiError::internal)?;
    let receipt = crate::ssr::publicity_log::receipt::open(&cx.db, &cx.log_tree, &signer, &code)
        .await
        .map_err(ApiError::internal)?;
    // A line past the public years opens nothing public, and says why.
    if receipt.as_ref().is_some_and(|r| !crate::domain::publicity::public_from(&r.line.period, cx.first_public_year()))
    {
        return Err(ApiError::Retired);
    }
    Ok(receipt)
}
