//! The citizen's own payments, after the SMS check.

use super::ApiError;
use crate::domain::Money;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub const SESSION_COOKIE: &str = "citizen_session";
pub const PENDING_COOKIE: &str = "check_pending";
/// What was typed into the self-check form when it came back with a problem (sealed, minutes).
pub const TYPED_COOKIE: &str = "check_typed";

/// The self-check form as the visitor last typed it, to fill it again after a problem.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TypedCheck {
    pub id_number: String,
    pub phone: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MyPayment {
    pub id: i64,
    /// Whose subsidy it is (masked) when it is a household member's, not the viewer's own.
    pub for_member: Option<String>,
    pub item: String,
    pub department: String,
    pub department_phone: String,
    pub period: String,
    pub amount: Money,
    pub status: String,
    pub paid_on: Option<String>,
    pub bank: String,
    pub bank_phone: String,
    pub account_masked: String,
    pub failure_reason: Option<String>,
    /// The later line that paid a failed one again.
    pub reissued: bool,
    /// This line is itself a reissue of a failed one.
    pub is_reissue: bool,
    /// What the public saw for this line, if it was publicised.
    pub publicity: Option<PublicitySeen>,
    /// The three-way check: how publicity and the bank's outcome disagree, in words.
    pub mismatch: Option<String>,
    /// The citizen's own word on a paid line: received (true) or not (false).
    pub confirmed: Option<bool>,
    /// The complaint filed when they said 未收到.
    pub case_no: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublicitySeen {
    pub name_masked: String,
    pub amount: Money,
    pub status: String,
    pub published_on: String,
}

/// Compares what was publicised with what the bank reports for one line.
pub fn three_way_check(status: &str, amount: Money, publicity: Option<&PublicitySeen>) -> Option<String> {
    match publicity {
        None if status == "paid" => Some("已到账，但没有查到对应的公示".into()),
        None => None,
        Some(p) if p.amount != amount => Some(format!("公示金额 {} 元与发放金额 {} 元不一致", p.amount.grouped(), amount.grouped())),
        Some(p) if matches!(p.status.as_str(), "paid" | "reissued") && status != "paid" => Some("公示显示已到账，但银行反馈没有到账".into()),
        Some(_) => None,
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct YearOfPayments {
    pub year: String,
    pub paid_total: Money,
    pub payments: Vec<MyPayment>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MyPayments {
    pub name_masked: String,
    pub household_head: bool,
    pub years: Vec<YearOfPayments>,
}

impl MyPayments {
    /// Failed lines not yet paid again: what needs the person's action, newest first.
    pub fn to_act_on(&self) -> Vec<&MyPayment> {
        self.years.iter().flat_map(|y| &y.payments).filter(|p| p.status == "failed" && !p.reissued).collect()
    }

    /// One of the person's lines by id.
    pub fn line(&self, id: i64) -> Option<&MyPayment> {
        self.years.iter().flat_map(|y| &y.payments).find(|p| p.id == id)
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

/// A statement (对账单) of one year's payments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Statement {
    pub name_masked: String,
    pub year: String,
    pub years: Vec<String>,
    pub payments: Vec<MyPayment>,
    pub paid_total: Money,
}

impl Statement {
    /// The year chosen (default: the newest) out of everything the person can see.
    pub fn of(all: MyPayments, year: Option<&str>) -> Statement {
        let years: Vec<String> = all.years.iter().map(|y| y.year.clone()).collect();
        let chosen = year.filter(|y| years.iter().any(|x| x == y)).map(str::to_string).or_else(|| years.first().cloned()).unwrap_or_default();
        let found = all.years.into_iter().find(|y| y.year == chosen);
        let (payments, paid_total) = found.map(|y| (y.payments, y.paid_total)).unwrap_or_default();
        Statement { name_masked: all.name_masked, year: chosen, years, payments, paid_total }
    }

    pub fn to_csv(&self) -> String {
        super::csv::document(
            &["年度", "补贴项目", "家庭成员", "期次", "金额（元）", "状态", "到账日期", "银行", "账号", "主管部门", "电话"],
            self.payments.iter().map(|p| {
                vec![
                    self.year.clone(),
                    p.item.clone(),
                    p.for_member.clone().unwrap_or_default(),
                    p.period.clone(),
                    p.amount.plain(),
                    status_name(p),
                    p.paid_on.clone().unwrap_or_default(),
                    p.bank.clone(),
                    p.account_masked.clone(),
                    p.department.clone(),
                    p.department_phone.clone(),
                ]
            }),
        )
    }
}

/// The status of a line in the citizen's words.
pub fn status_name(p: &MyPayment) -> String {
    match (p.status.as_str(), p.reissued, p.is_reissue) {
        ("paid", _, true) => "补发到账",
        ("paid", _, false) => "已到账",
        ("failed", true, _) => "发放失败，已补发",
        ("failed", false, _) => "发放失败",
        _ => "待发放",
    }
    .to_string()
}

#[server(prefix = "/api", endpoint = "my_statement")]
pub async fn get_statement(year: Option<String>) -> Result<Statement, ApiError> {
    let all = get_my_payments().await?;
    Ok(Statement::of(all, year.as_deref()))
}

/// What this visitor typed into the self-check form, if it came back with a problem a moment
/// ago (their own browser's sealed cookie; empty otherwise).
#[server(prefix = "/api", endpoint = "my_typed_check")]
pub async fn get_typed_check() -> Result<TypedCheck, ApiError> {
    let cx = crate::ssr::context()?;
    let typed = crate::ssr::request_cookie(TYPED_COOKIE).and_then(|sealed| cx.vault.open(&sealed)).and_then(|json| serde_json::from_str(&json).ok());
    Ok(typed.unwrap_or_default())
}

#[server(prefix = "/api", endpoint = "my_payments")]
pub async fn get_my_payments() -> Result<MyPayments, ApiError> {
    let cx = crate::ssr::context()?;
    let token = crate::ssr::request_cookie(SESSION_COOKIE).ok_or(ApiError::NotSignedIn)?;
    let beneficiary = crate::ssr::check::session(&cx, &token).await.map_err(ApiError::internal)?.ok_or(ApiError::NotSignedIn)?;
    crate::ssr::db::check::payments(&cx.db, beneficiary).await.map_err(ApiError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(fen: i64, status: &str) -> PublicitySeen {
        PublicitySeen { name_masked: "张*三".into(), amount: Money::from_fen(fen), status: status.into(), published_on: "2026-03-18".into() }
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
        for reason in ["card_not_activated", "account_closed", "name_id_mismatch", "account_frozen", "account_not_found", "deceased", "other"] {
            let (what, todo) = failure_advice(reason, "某银行", "县民政局", "0818-1");
            assert!(!what.is_empty() && todo.contains("0818-1") || todo.contains("某银行"), "{reason}");
        }
        assert!(failure_advice("card_not_activated", "青岚农村商业银行", "县民政局", "1").1.contains("青岚农村商业银行"));
    }
}
