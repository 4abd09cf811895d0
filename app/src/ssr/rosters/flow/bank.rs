//! The bank's side of a roster: the file the bank pays from and its feedback (paid, or failed
//! and why), which publishes the payout.

use super::{event, FlowError, PAYOUT_PUBLICITY_DAYS};
use crate::api::rosters::Problem;
use crate::domain::date::format_days;
use crate::domain::{IdNumber, Money, Phone};
use crate::ssr::changes;
use crate::ssr::publicity_log;
use crate::ssr::rosters::file;
use crate::ssr::rosters::ImportError;
use crate::ssr::sms::SmsMessage;
use crate::ssr::staff::Staff;
use crate::ssr::{clock, AppContext};
use sqlx::Row;

/// The file for the bank: every line with the account to pay into, the line's own as reviewed,
/// and the account holder's name (户名: the person, or whoever receives it for them, 代领)
/// (staff only; audited). The bank answers by the person's ID number.
pub async fn bank_file(cx: &AppContext, staff: &Staff, roster: i64) -> Result<(String, String), FlowError> {
    let r = sqlx::query("SELECT status, department_id, period FROM rosters WHERE id = $1")
        .bind(roster)
        .fetch_optional(&cx.db.pool)
        .await?
        .ok_or(FlowError::NotFound)?;
    let may =
        crate::ssr::rosters::reads::actions(staff, r.get("department_id"), &r.get::<String, _>("status"), false, false);
    if !may.bank_file {
        return Err(FlowError::NotAllowed);
    }
    let lines = sqlx::query(
        "SELECT p.id, b.name, b.id_enc, COALESCE(p.account_enc, rb.account_enc) AS account_enc, rb.name AS holder, bk.name AS bank, p.amount_fen \
         FROM payments p JOIN beneficiaries b ON b.id = p.beneficiary_id \
         JOIN beneficiaries rb ON rb.id = p.recipient_id JOIN banks bk ON bk.id = p.bank_id WHERE p.roster_id = $1 ORDER BY p.id",
    )
    .bind(roster)
    .fetch_all(&cx.db.pool)
    .await?;
    let rows = lines.iter().map(|l| {
        let id = cx.vault.decrypt(&l.get::<Vec<u8>, _>("id_enc")).unwrap_or_default();
        let account =
            l.get::<Option<Vec<u8>>, _>("account_enc").and_then(|a| cx.vault.decrypt(&a).ok()).unwrap_or_default();
        vec![
            l.get::<i64, _>("id").to_string(),
            l.get("name"),
            id,
            l.get("bank"),
            account,
            l.get("holder"),
            Money::from_fen(l.get("amount_fen")).plain(),
            String::new(),
            String::new(),
            String::new(),
        ]
    });
    let csv = crate::api::csv::document(
        &["明细号", "姓名", "身份证号", "开户行", "银行卡号", "户名", "补贴额", "结果", "失败原因", "到账日期"],
        rows,
    );
    crate::ssr::audit::append_alone(
        &cx.db,
        &format!("staff:{}", staff.id),
        "roster_bank_file",
        &format!("roster:{roster}"),
        "",
    )
    .await?;
    Ok((format!("roster-{roster}-{}-bank.csv", r.get::<String, _>("period")), csv))
}

/// The bank's reason in its words → the stored reason.
fn failure_reason(text: &str) -> &'static str {
    let t = text.trim();
    if t.contains("未激活") || t.contains("激活") {
        "card_not_activated"
    } else if t.contains("销户") || t.contains("注销") {
        "account_closed"
    } else if t.contains("不一致") || t.contains("不符") || t.contains("户名") {
        "name_id_mismatch"
    } else if t.contains("冻结") || t.contains("挂失") {
        "account_frozen"
    } else if t.contains("不存在") || t.contains("无此") {
        "account_not_found"
    } else if t.contains("死亡") || t.contains("身故") {
        "deceased"
    } else {
        "other"
    }
}

/// Imports the bank's feedback for a roster sent to the bank: every line must be answered, paid
/// (with its date) or failed (with a reason). In one transaction: the lines' outcomes, the
/// payout publicity (automatic, flagged when later than 5 days after payment), and an SMS to each
/// beneficiary with a phone (主管部门 + 补贴名称 + 补贴金额 + the line's receipt code). Returns (paid, failed, late publicity).
pub async fn import_feedback(
    cx: &AppContext,
    staff: &Staff,
    roster: i64,
    bytes: &[u8],
) -> Result<(usize, usize, bool), FlowError> {
    let r = sqlx::query("SELECT ro.status, ro.department_id, i.name AS item, d.name AS department FROM rosters ro JOIN subsidy_items i ON i.id = ro.item_id \
                         JOIN departments d ON d.id = ro.department_id WHERE ro.id = $1")
        .bind(roster)
        .fetch_optional(&cx.db.pool)
        .await?
        .ok_or(FlowError::NotFound)?;
    let may =
        crate::ssr::rosters::reads::actions(staff, r.get("department_id"), &r.get::<String, _>("status"), false, false);
    if !may.feedback {
        return Err(FlowError::WrongState);
    }
    let table = feedback_table(bytes)?;
    let lines = sqlx::query("SELECT p.id, b.id_hash, p.amount_fen, b.phone_enc FROM payments p JOIN beneficiaries b ON b.id = p.beneficiary_id WHERE p.roster_id = $1")
        .bind(roster)
        .fetch_all(&cx.db.pool)
        .await?;
    let mut problems = Vec::new();
    let mut outcomes: Vec<(i64, Option<String>, Option<&'static str>)> = Vec::new();
    for (row, cells) in &table {
        let mut problem =
            |column: &str, message: String| problems.push(Problem { row: *row, column: column.into(), message });
        let id = match IdNumber::parse(&cells[0]) {
            Ok(id) => id,
            Err(e) => {
                problem("身份证号", e.to_string());
                continue;
            }
        };
        let Some(line) = lines.iter().find(|l| l.get::<String, _>("id_hash") == cx.vault.lookup_hash(id.as_str()))
        else {
            problem("身份证号", "此人不在这个清册中".into());
            continue;
        };
        let pid: i64 = line.get("id");
        if outcomes.iter().any(|(p, ..)| *p == pid) {
            problem("身份证号", "同一人反馈了两次".into());
            continue;
        }
        let result = cells[1].trim();
        if ["成功", "已发放", "已到账", "到账", "发放成功"].contains(&result) {
            match crate::domain::date::parse_written_date(&cells[3]) {
                Some(d) => outcomes.push((pid, Some(format_days(d)), None)),
                None if cells[3].trim().is_empty() => problem("到账日期", "请填写到账日期，如 2026-12-05".into()),
                None => problem("到账日期", format!("“{}”不是有效的日期，请写成 2026-12-05", cells[3].trim())),
            }
        } else if ["失败", "发放失败", "退回", "未到账"].contains(&result) {
            outcomes.push((pid, None, Some(failure_reason(&cells[2]))));
        } else {
            problem("结果", format!("“{result}”应为“成功”或“失败”"));
        }
    }
    if problems.is_empty() && outcomes.len() < lines.len() {
        problems.push(Problem {
            row: 0,
            column: "身份证号".into(),
            message: format!("还有 {} 人没有反馈结果", lines.len() - outcomes.len()),
        });
    }
    if !problems.is_empty() {
        return Err(FlowError::Feedback(problems));
    }
    let today = clock::local_today();
    let paid_on = outcomes.iter().filter_map(|(_, d, _)| d.clone()).max();
    let late = paid_on
        .as_deref()
        .and_then(|p| crate::domain::date::days_between(p, &today))
        .is_some_and(|d| d > PAYOUT_PUBLICITY_DAYS);
    let (item, department): (String, String) = (r.get("item"), r.get("department"));
    let mut tx = cx.db.begin().await?;
    let signer = publicity_log::key::signer(&mut tx, &cx.vault).await.map_err(publicity_log::LogError::from)?;
    // Earlier rosters whose failed lines this one paid again: their pages now say 补发.
    let mut reissued_from: Vec<i64> = Vec::new();
    for (pid, date, reason) in &outcomes {
        let status = if date.is_some() { "paid" } else { "failed" };
        sqlx::query("UPDATE payments SET status = $1, paid_on = $2, failure_reason = $3 WHERE id = $4")
            .bind(status)
            .bind(date)
            .bind(reason)
            .bind(pid)
            .execute(&mut *tx)
            .await?;
        // A reissue that paid marks the line it paid again as reissued on the publicity.
        if date.is_some() {
            let first: Option<i64> = sqlx::query_scalar("SELECT reissue_of_id FROM payments WHERE id = $1")
                .bind(pid)
                .fetch_one(&mut *tx)
                .await?;
            if let Some(first) = first {
                let entries: Vec<(i64, i64)> = sqlx::query_as(
                    "UPDATE publicity_entries SET status = 'reissued' WHERE payment_id = $1 RETURNING id, roster_id",
                )
                .bind(first)
                .fetch_all(&mut *tx)
                .await?;
                for (e, earlier) in entries {
                    changes::record(&mut tx, changes::PUBLICITY, e, false).await?;
                    if !reissued_from.contains(&earlier) {
                        reissued_from.push(earlier);
                    }
                }
            }
        }
        let entries: Vec<i64> = sqlx::query_scalar("UPDATE publicity_entries SET stage = 'after_payment', status = $1, published_on = $2 WHERE payment_id = $3 RETURNING id")
            .bind(status)
            .bind(&today)
            .bind(pid)
            .fetch_all(&mut *tx)
            .await?;
        for e in entries {
            changes::record(&mut tx, changes::PUBLICITY, e, false).await?;
        }
        let line = lines.iter().find(|l| l.get::<i64, _>("id") == *pid);
        let phone = line
            .and_then(|l| l.get::<Option<Vec<u8>>, _>("phone_enc"))
            .and_then(|e| cx.vault.decrypt(&e).ok())
            .and_then(|p| Phone::parse(&p).ok());
        if let (Some(phone), Some(line)) = (phone, line) {
            let message = SmsMessage::PaymentResult {
                department: department.clone(),
                item: item.clone(),
                amount: Money::from_fen(line.get("amount_fen")),
                paid: date.is_some(),
                receipt: publicity_log::receipt::code(&signer, *pid),
            };
            cx.sms.queue(&mut tx, &cx.vault, &phone, &message).await?;
        }
    }
    let done = sqlx::query("UPDATE rosters SET status = 'payout_publicised', paid_on = $1, payout_publicised_on = $2 WHERE id = $3 AND status = 'sent_to_bank'")
        .bind(&paid_on)
        .bind(&today)
        .bind(roster)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() != 1 {
        return Err(FlowError::WrongState);
    }
    let (paid, failed) =
        (outcomes.iter().filter(|o| o.1.is_some()).count(), outcomes.iter().filter(|o| o.1.is_none()).count());
    event(&mut tx, roster, "bank_feedback", Some(staff.id), &format!("到账 {paid} 人，失败 {failed} 人")).await?;
    event(&mut tx, roster, "payout_publicised", None, if late { "发放后公示晚于到账5日" } else { "" }).await?;
    let reason = format!("补发清册 {roster} 已到账，原发放失败的明细改为“已补发”");
    let mut publications = vec![publicity_log::Publication { roster, kind: "payout_publicity", reason: "" }];
    publications.extend(reissued_from.iter().map(|&earlier| publicity_log::Publication {
        roster: earlier,
        kind: "correction",
        reason: &reason,
    }));
    publicity_log::record(&mut tx, &cx.vault, &cx.log_tree, &publications).await?;
    crate::ssr::audit::append(
        &mut tx,
        &format!("staff:{}", staff.id),
        "roster_bank_feedback",
        &format!("roster:{roster}"),
        &format!("paid:{paid};failed:{failed}"),
    )
    .await?;
    tx.commit().await?;
    cx.sms.deliver_soon(cx);
    Ok((paid, failed, late))
}

/// The feedback file's rows as (row, [ID number, result, reason, date]).
fn feedback_table(bytes: &[u8]) -> Result<Vec<(usize, [String; 4])>, FlowError> {
    let grid = file::grid(bytes).map_err(ImportError::from)?;
    let wanted: [&[&str]; 4] = [
        &["身份证号", "身份证号码", "证件号码"],
        &["结果", "发放结果", "状态"],
        &["失败原因", "原因", "备注"],
        &["到账日期", "发放日期", "日期"],
    ];
    let norm = |s: &str| crate::domain::normalize_ascii(s).replace('（', "(").replace('）', ")");
    let header_at = grid.iter().take(10).position(|row| {
        row.iter().any(|h| wanted[0].contains(&norm(h).as_str()))
            && row.iter().any(|h| wanted[1].contains(&norm(h).as_str()))
    });
    let Some(header_at) = header_at else {
        return Err(ImportError::File(file::FileError::MissingColumns("身份证号”“结果".into())).into());
    };
    let index: Vec<Option<usize>> =
        wanted.iter().map(|names| grid[header_at].iter().position(|h| names.contains(&norm(h).as_str()))).collect();
    Ok(grid
        .iter()
        .enumerate()
        .skip(header_at + 1)
        .filter(|(_, row)| row.iter().any(|c| !c.trim().is_empty()))
        .map(|(i, row)| {
            (i + 1, std::array::from_fn(|k| index[k].and_then(|j| row.get(j)).cloned().unwrap_or_default()))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn bank_reasons_map_to_stored_reasons() {
        assert_eq!(super::failure_reason("社保卡金融功能未激活"), "card_not_activated");
        assert_eq!(super::failure_reason("账户已销户"), "account_closed");
        assert_eq!(super::failure_reason("户名与证件号不一致"), "name_id_mismatch");
        assert_eq!(super::failure_reason("账户冻结"), "account_frozen");
        assert_eq!(super::failure_reason("无此账户"), "account_not_found");
        assert_eq!(super::failure_reason("其他"), "other");
    }
}
