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
    /// The county whose catalogue the item is in (a person may be paid by several).
    pub county: String,
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
    /// The receipt code (凭证码) the payout SMS carried, once the bank has answered for the line.
    pub receipt: Option<String>,
    /// When the department recovered this paid money (追回), and why.
    pub clawed_back_on: Option<String>,
    pub clawback_reason: Option<String>,
    /// When the department last corrected this line during its publicity (更正), and the public
    /// words of it (what changed, and why).
    pub corrected_on: Option<String>,
    pub correction_note: Option<String>,
}

pub use crate::domain::payments::PublicitySeen;

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
    /// The counties that paid them, in the order first met; more than one: grouped by county.
    pub counties: Vec<String>,
}

impl MyPayment {
    /// The line's state in the person's words (a reissue that paid, a failure paid again).
    pub fn status_words(&self) -> &'static str {
        if self.clawed_back_on.is_some() {
            return "已追回";
        }
        crate::domain::payments::own_status_name(&self.status, self.reissued, self.is_reissue)
    }

    /// The bank's reason for a failure in plain words.
    pub fn failure_words(&self) -> String {
        crate::domain::payments::failure_advice(self.failure_reason.as_deref().unwrap_or("other"), "", "", "").0
    }
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
        let chosen = year
            .filter(|y| years.iter().any(|x| x == y))
            .map(str::to_string)
            .or_else(|| years.first().cloned())
            .unwrap_or_default();
        let found = all.years.into_iter().find(|y| y.year == chosen);
        let (payments, paid_total) = found.map(|y| (y.payments, y.paid_total)).unwrap_or_default();
        Statement { name_masked: all.name_masked, year: chosen, years, payments, paid_total }
    }

    pub fn to_csv(&self) -> String {
        super::csv::document(
            &[
                "年度",
                "补贴项目",
                "家庭成员",
                "期次",
                "金额（元）",
                "状态",
                "到账日期",
                "银行",
                "账号",
                "主管部门",
                "电话",
            ],
            self.payments.iter().map(|p| {
                vec![
                    self.year.clone(),
                    p.item.clone(),
                    p.for_member.clone().unwrap_or_default(),
                    p.period.clone(),
                    p.amount.plain(),
                    p.status_words().to_string(),
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
    let typed = crate::ssr::request_cookie(TYPED_COOKIE)
        .and_then(|sealed| cx.vault.open(&sealed))
        .and_then(|json| serde_json::from_str(&json).ok());
    Ok(typed.unwrap_or_default())
}

#[server(prefix = "/api", endpoint = "my_payments")]
pub async fn get_my_payments() -> Result<MyPayments, ApiError> {
    let cx = crate::ssr::context()?;
    let token = crate::ssr::request_cookie(SESSION_COOKIE).ok_or(ApiError::NotSignedIn)?;
    let beneficiary =
        crate::ssr::check::session(&cx, &token).await.map_err(ApiError::internal)?.ok_or(ApiError::NotSignedIn)?;
    let mut mine = crate::ssr::check::reads::payments(&cx.db, beneficiary).await.map_err(ApiError::internal)?;
    let signer = cx.log_signer.get(&cx.db, &cx.vault).await.map_err(ApiError::internal)?;
    crate::ssr::publicity_log::receipt::mark(&signer, &mut mine);
    Ok(mine)
}
