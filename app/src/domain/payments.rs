//! A payment line's states, the bank's reasons for a failure and what to do about each, and the
//! check of what was publicised against what the bank paid — in the words people read.

use super::Money;
use serde::{Deserialize, Serialize};

/// A line's state as publicised: 待发放, 已到账, 发放失败, 已补发.
pub fn line_status_name(status: &str) -> &'static str {
    match status {
        "pending" => "待发放",
        "paid" => "已到账",
        "failed" => "发放失败",
        "reissued" => "已补发",
        "clawed_back" => "已追回",
        _ => "",
    }
}

/// A line's state in the person's own view: a reissue that paid, a failure paid again.
pub fn own_status_name(status: &str, reissued: bool, is_reissue: bool) -> &'static str {
    match (status, reissued, is_reissue) {
        ("paid", _, true) => "补发到账",
        ("paid", _, false) => "已到账",
        ("failed", true, _) => "发放失败，已补发",
        ("failed", false, _) => "发放失败",
        _ => "待发放",
    }
}

/// The bank's reason in plain words, and what to do about it.
pub fn failure_advice(reason: &str, bank: &str, department: &str, phone: &str) -> (String, String) {
    let (what, todo) = match reason {
        "card_not_activated" => ("社保卡金融功能未激活", format!("请携带身份证和社保卡到{bank}任一网点激活社保卡金融功能，激活后告知{department}（电话{phone}）重新发放。")),
        "account_closed" => ("银行账户已销户", format!("请到{bank}或人社部门补办社保卡，并将新卡告知{department}（电话{phone}）。")),
        "name_id_mismatch" => ("户名与身份证号不一致", format!("请携带身份证到{department}（电话{phone}）核对登记信息。")),
        "account_frozen" => ("账户被冻结或挂失", format!("请到{bank}网点办理解冻或补卡，再告知{department}（电话{phone}）。")),
        "account_not_found" => ("银行账号不存在", format!("请到{bank}核实社保卡账号，并告知{department}（电话{phone}）。")),
        "deceased" => ("人员已身故", format!("如有疑问请联系{department}（电话{phone}）。")),
        _ => ("银行退回", format!("请联系{department}（电话{phone}）了解原因。")),
    };
    (what.to_string(), todo)
}

/// What the public saw for a line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublicitySeen {
    pub name_masked: String,
    pub amount: Money,
    pub status: String,
    pub published_on: String,
    /// Publicised at township level (a small cell of a sensitive item): the public saw only the
    /// township's count and amount, not this line.
    #[serde(default)]
    pub by_township: bool,
}

/// Compares what was publicised with what the bank reports for one line (双向验证).
pub fn three_way_check(status: &str, amount: Money, publicity: Option<&PublicitySeen>) -> Option<String> {
    match publicity {
        None if status == "paid" => Some("已到账，但没有查到对应的公示".into()),
        None => None,
        Some(p) if p.amount != amount => {
            Some(format!("公示金额 {} 元与发放金额 {} 元不一致", p.amount.grouped(), amount.grouped()))
        }
        Some(p) if matches!(p.status.as_str(), "paid" | "reissued") && status != "paid" => {
            Some("公示显示已到账，但银行反馈没有到账".into())
        }
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(fen: i64, status: &str) -> PublicitySeen {
        PublicitySeen {
            name_masked: "张*三".into(),
            amount: Money::from_fen(fen),
            status: status.into(),
            published_on: "2026-03-18".into(),
            by_township: false,
        }
    }

    #[test]
    fn three_way_check_flags_each_kind_of_mismatch() {
        let m = Money::from_fen(50_000);
        assert_eq!(three_way_check("paid", m, Some(&seen(50_000, "paid"))), None);
        assert_eq!(three_way_check("failed", m, Some(&seen(50_000, "failed"))), None);
        assert_eq!(three_way_check("pending", m, Some(&seen(50_000, "pending"))), None);
        assert!(three_way_check("paid", m, None).unwrap().contains("没有查到对应的公示"));
        assert!(three_way_check("failed", m, Some(&seen(50_000, "paid"))).unwrap().contains("银行反馈没有到账"));
        assert!(three_way_check("paid", m, Some(&seen(60_000, "paid"))).unwrap().contains("600.00"));
        assert_eq!(three_way_check("failed", m, None), None, "a failed line never publicised is not a mismatch");
    }

    #[test]
    fn every_failure_reason_has_words_and_advice() {
        for reason in [
            "card_not_activated",
            "account_closed",
            "name_id_mismatch",
            "account_frozen",
            "account_not_found",
            "deceased",
            "other",
        ] {
            let (what, todo) = failure_advice(reason, "某银行", "县民政局", "0818-1");
            assert!(!what.is_empty() && todo.contains("0818-1") || todo.contains("某银行"), "{reason}");
        }
        assert!(failure_advice("card_not_activated", "青岚农村商业银行", "县民政局", "1")
            .1
            .contains("青岚农村商业银行"));
    }

    #[test]
    fn one_name_for_one_state() {
        assert_eq!(
            line_status_name("paid"),
            own_status_name("paid", false, false),
            "已到账 in public and in one's own view"
        );
        assert_eq!(line_status_name("failed"), own_status_name("failed", false, false));
    }
}
