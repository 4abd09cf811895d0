//! The deceased list: marks the people it names so that imports flag them.

use super::file;
use super::ImportError;
use crate::api::rosters::Problem;
use crate::domain::IdNumber;
use crate::ssr::{db::Db, Vault};

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
    crate::ssr::audit::append(&mut tx, actor, "deceased_list_imported", "beneficiaries", &format!("marked:{marked}"))
        .await?;
    tx.commit().await?;
    Ok((marked, unknown, problems))
}
