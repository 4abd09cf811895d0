//! Cases as the public and their filers see them: the filing form's choices, a case's public
//! record, the filer's own view, per-department figures and the answered cases.

use super::ApiError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemChoice {
    pub code: String,
    pub name: String,
    pub department: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TownshipChoice {
    pub code: String,
    pub name: String,
    /// (code, name) of each village.
    pub villages: Vec<(String, String)>,
}

/// What the form starts with when opened from a payment line of the self-check (对此有疑问).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prefill {
    pub payment_id: i64,
    pub item_code: String,
    pub township_code: String,
    pub village_code: String,
    pub description: String,
    /// The signed-in citizen's phone, last 4 digits: the case needs no new code.
    pub phone_last4: String,
}

/// The filing form's fields exactly as typed, kept (encrypted) between steps so that nothing
/// typed is lost when the form comes back with a message.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseFormFields {
    pub kind: String,
    pub item: String,
    /// `township` or `township/village` code.
    pub place: String,
    pub description: String,
    pub name: String,
    pub phone: String,
    pub anonymous: bool,
    pub payment: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseFormChoices {
    pub items: Vec<ItemChoice>,
    pub townships: Vec<TownshipChoice>,
    pub prefill: Option<Prefill>,
    /// What the visitor typed last time, when the form comes back.
    pub typed: Option<CaseFormFields>,
}

/// The cookie naming the visitor's kept form (and, after step 1, their pending code).
pub const FORM_COOKIE: &str = "case_form";
/// The cookie naming a pending tracking code.
pub const TRACK_COOKIE: &str = "case_track";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseEvent {
    pub kind: String,
    /// Local date and time, `YYYY-MM-DD HH:MM`.
    pub at: String,
    pub from_department: Option<String>,
    pub to_department: Option<String>,
    pub note: String,
}

/// Everything about a case that may be public: no description, no name, no phone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublicCase {
    pub tracking_no: String,
    pub kind: String,
    pub item: Option<String>,
    pub township: Option<String>,
    pub village: Option<String>,
    pub department: String,
    pub department_phone: String,
    pub status: String,
    pub filed_on: String,
    pub deadline_on: String,
    pub overdue: bool,
    pub extended: bool,
    pub reopened: bool,
    pub escalated: bool,
    pub reply: Option<String>,
    pub answered_on: Option<String>,
    pub events: Vec<CaseEvent>,
}

/// The filer's own view after the SMS code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrackedCase {
    pub case: PublicCase,
    pub description: String,
    pub filer_name: String,
    pub can_reopen: bool,
    pub can_supplement: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DepartmentCaseStats {
    pub department: String,
    pub received: i64,
    pub answered: i64,
    pub answered_on_time: i64,
    /// Per cent of answered cases answered on time.
    pub on_time_pct: Option<i64>,
    pub overdue_now: i64,
    /// Median calendar days from filing to answer.
    pub median_days: Option<f64>,
    pub transfers_out: i64,
    pub reopened: i64,
    /// 未收到 reported on lines the bank called paid.
    pub not_received: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseStats {
    /// Ranked by on-time rate.
    pub departments: Vec<DepartmentCaseStats>,
    pub received: i64,
    pub overdue_now: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnsweredCase {
    pub tracking_no: String,
    pub kind: String,
    pub item: Option<String>,
    pub township: Option<String>,
    pub department: String,
    pub answered_on: String,
    pub reply: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnsweredCases {
    pub items: Vec<ItemChoice>,
    pub item: Option<String>,
    pub cases: Vec<AnsweredCase>,
    pub page: i64,
    pub pages: i64,
}

pub const ANSWERED_PAGE_SIZE: i64 = 20;

#[server(prefix = "/api", endpoint = "case_form")]
pub async fn get_case_form(payment: Option<i64>, county: Option<String>) -> Result<CaseFormChoices, ApiError> {
    let cx = crate::ssr::context()?;
    let county = super::county_id(&cx, county).await?;
    let citizen =
        crate::ssr::session::current(&cx, crate::ssr::session::Kind::Citizen).await.map_err(ApiError::internal)?;
    let mut choices = crate::ssr::cases::reads::form_choices(&cx, county, payment.zip(citizen.map(|s| s.subject)))
        .await
        .map_err(ApiError::internal)?;
    if let Some(token) = crate::ssr::request_cookie(FORM_COOKIE) {
        choices.typed = crate::ssr::cases::load_form(&cx, &token).await.map_err(ApiError::internal)?;
    }
    Ok(choices)
}

#[server(prefix = "/api", endpoint = "case")]
pub async fn get_public_case(#[server(default)] tracking_no: String) -> Result<PublicCase, ApiError> {
    let cx = crate::ssr::context()?;
    let no = crate::domain::cases::parse_tracking_no(&tracking_no).ok_or(ApiError::NotFound)?;
    crate::ssr::cases::reads::public_case_by_no(&cx.db, &no)
        .await
        .map_err(ApiError::internal)?
        .ok_or(ApiError::NotFound)
}

#[server(prefix = "/api", endpoint = "my_case")]
pub async fn get_tracked_case() -> Result<TrackedCase, ApiError> {
    let cx = crate::ssr::context()?;
    let session =
        crate::ssr::session::current(&cx, crate::ssr::session::Kind::Case).await.map_err(ApiError::internal)?;
    let session = session.ok_or_else(|| ApiError::Invalid("请先输入受理编号和手机验证码".into()))?;
    crate::ssr::cases::reads::tracked_case(&cx.db, session.subject)
        .await
        .map_err(ApiError::internal)?
        .ok_or(ApiError::NotFound)
}

#[server(prefix = "/api", endpoint = "case_stats")]
pub async fn get_case_stats(county: Option<String>) -> Result<CaseStats, ApiError> {
    let cx = crate::ssr::context()?;
    let county = super::county_id(&cx, county).await?;
    crate::ssr::cases::reads::stats(&cx.db, county).await.map_err(ApiError::internal)
}

#[server(prefix = "/api", endpoint = "answered_cases")]
pub async fn get_answered_cases(
    item: Option<String>,
    page: Option<i64>,
    county: Option<String>,
) -> Result<AnsweredCases, ApiError> {
    let cx = crate::ssr::context()?;
    let county = super::county_id(&cx, county).await?;
    crate::ssr::cases::reads::answered(&cx.db, county, item.filter(|i| !i.is_empty()), page.unwrap_or(1).max(1))
        .await
        .map_err(ApiError::internal)
}

/// Working days to answer each kind, as this installation is configured.
#[server(prefix = "/api", endpoint = "case_deadlines")]
pub async fn get_deadlines() -> Result<crate::domain::Deadlines, ApiError> {
    Ok(crate::ssr::context()?.deadlines)
}
