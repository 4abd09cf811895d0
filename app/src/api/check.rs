//! The citizen's own payments, after the SMS check.

use super::ApiError;
use crate::domain::Money;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub const SESSION_COOKIE: &str = "citizen_session";
pub const PENDING_COOKIE: &str = "check_pending";

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

#[server(prefix = "/api", endpoint = "my_payments")]
pub async fn get_my_payments() -> Result<MyPayments, ApiError> {
    let cx = crate::ssr::context()?;
    let token = crate::ssr::request_cookie(SESSION_COOKIE).ok_or(ApiError::NotSignedIn)?;
    let beneficiary = crate::ssr::check::session(&cx, &token).await.map_err(ApiError::internal)?.ok_or(ApiError::NotSignedIn)?;
    crate::ssr::db::check::payments(&cx.db, beneficiary).await.map_err(ApiError::internal)
}
