//! Payment publicity (公示): township → village → roster, as the public saw it (masked).

use super::ApiError;
use crate::domain::Money;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Payout publicity later than this many days after payment is flagged (the rules ask for 5).
pub const PAYOUT_PUBLICITY_DAYS: i64 = 5;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct Place {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct AreaTotal {
    pub place: Place,
    pub lines: i64,
    pub people: i64,
    pub amount: Money,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct PublicityIndex {
    pub year: i32,
    pub years: Vec<i32>,
    pub townships: Vec<AreaTotal>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct TownshipPublicity {
    pub year: i32,
    pub years: Vec<i32>,
    pub township: Place,
    /// Each village's lines, people and amount paid (lines publicised at township level left out).
    pub villages: Vec<AreaTotal>,
    /// The township's rosters with lines publicised at township level (small cells of a sensitive
    /// item): each counts those lines only, for the whole township.
    pub summarised: Vec<RosterSummary>,
    /// The rule those lines were publicised by, in words; empty when there are none.
    pub small_cell_rule: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct RosterSummary {
    pub id: i64,
    pub item_code: String,
    pub item_name: String,
    pub department: String,
    /// `2026-03` (a month), `2026-Q1`, `2026-H1` or `2026` (a year).
    pub period: String,
    /// 1 for the first roster of an item and period; a reissue (补发) is a later batch.
    pub batch: i64,
    /// Where the roster is: `publicising`, `department_reviewed`, `finance_reviewed`, `sent_to_bank`,
    /// `bank_feedback` or `payout_publicised`.
    pub status: String,
    /// `YYYY-MM-DD`; the objection period runs from `publicity_start` to `publicity_end`.
    pub publicity_start: Option<String>,
    pub publicity_end: Option<String>,
    pub paid_on: Option<String>,
    pub payout_publicised_on: Option<String>,
    /// Lines and amount paid within the place being viewed (the whole roster on a township page).
    pub lines: i64,
    pub amount: Money,
    /// What those lines are to pay: the amount publicised before payment.
    pub planned: Money,
    /// Of those lines, how many the bank could not pay (not yet paid again) and how many were
    /// clawed back (追回).
    pub failed: i64,
    pub clawed_back: i64,
}

impl RosterSummary {
    /// Days from payment to payout publicity, when both happened.
    pub fn publicity_delay(&self) -> Option<i64> {
        crate::domain::date::days_between(self.paid_on.as_deref()?, self.payout_publicised_on.as_deref()?)
    }

    pub fn publicity_late(&self) -> bool {
        self.publicity_delay().is_some_and(|d| d > PAYOUT_PUBLICITY_DAYS)
    }

    /// The lines and their money in words: paid once the bank has answered, to be paid before.
    pub fn money_words(&self) -> String {
        if self.paid_on.is_some() {
            let not_paid = [(self.failed, "发放失败"), (self.clawed_back, "已追回")]
                .iter()
                .filter(|(n, _)| *n > 0)
                .map(|(n, what)| format!("{n}笔{what}"))
                .collect::<Vec<_>>();
            let note =
                if not_paid.is_empty() { String::new() } else { format!("（其中{}）", not_paid.join("，")) };
            format!("{}笔，已发放 {} 元{note}", self.lines, self.amount.grouped())
        } else {
            format!("{}笔，拟发放 {} 元（尚未发放）", self.lines, self.planned.grouped())
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct VillagePublicity {
    pub year: i32,
    pub years: Vec<i32>,
    pub township: Place,
    pub village: Place,
    pub rosters: Vec<RosterSummary>,
}

/// One publicity line, exactly as published: masked by the domain masking functions when stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct PublicityLine {
    pub name_masked: String,
    pub id_masked: String,
    /// Who actually receives the money for a custodian or proxy case (masked).
    pub recipient_name_masked: Option<String>,
    pub village: String,
    pub item: String,
    pub period: String,
    pub amount: Money,
    /// `pending` (not yet answered by the bank), `paid`, `failed`, `reissued` (failed, then paid by a
    /// reissue) or `clawed_back` (paid, then recovered by the department: 追回).
    pub status: String,
    /// `YYYY-MM-DD` of the line's latest publication (before payment, or the payout publicity).
    pub published_on: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct RosterPublicity {
    pub township: Place,
    pub village: Place,
    pub roster: RosterSummary,
    pub lines: Vec<PublicityLine>,
    /// The roster's entries in the publicity log, oldest first: its public version history.
    pub versions: Vec<crate::api::publicity_log::LogRecord>,
    /// The roster's lines publicised at township level (small cells), counted over the whole
    /// roster and listed in no village; `null` when there are none.
    pub summarised: Option<RosterSummary>,
    /// The rule those lines were publicised by, in words; empty when there are none.
    pub small_cell_rule: String,
}

/// A county's townships (`county`: the code the page's URL carries, if any).
#[server(prefix = "/api", endpoint = "publicity")]
pub async fn get_publicity_index(year: Option<i32>, county: Option<String>) -> Result<PublicityIndex, ApiError> {
    let cx = crate::ssr::context()?;
    let county = crate::ssr::regions::public_county(&cx.db, county.as_deref()).await.map_err(ApiError::internal)?;
    let (id, code) = county.map(|c| (c.id, c.code)).unwrap_or_default();
    // Keyed by the county and year shown (any other ?year= shows the newest), never by what was typed.
    let first = cx.first_public_year();
    let year = crate::ssr::publicity::shown_year(&cx.db, id, year, first).await.map_err(ApiError::internal)?;
    let key = format!("publicity_index/{code}/{year}");
    cx.cache
        .get_or_load(&key, crate::ssr::publicity::index(&cx.db, id, Some(year), first))
        .await
        .map_err(ApiError::internal)
}

#[server(prefix = "/api", endpoint = "publicity_township")]
pub async fn get_township_publicity(
    #[server(default)] code: String,
    year: Option<i32>,
) -> Result<TownshipPublicity, ApiError> {
    let cx = crate::ssr::context()?;
    crate::ssr::publicity::township(&cx.db, &code, year, cx.first_public_year(), &cx.small_cells)
        .await
        .map_err(ApiError::internal)?
        .ok_or(ApiError::NotFound)
}

#[server(prefix = "/api", endpoint = "publicity_village")]
pub async fn get_village_publicity(
    #[server(default)] township: String,
    #[server(default)] code: String,
    year: Option<i32>,
) -> Result<VillagePublicity, ApiError> {
    let cx = crate::ssr::context()?;
    crate::ssr::publicity::village(&cx.db, &township, &code, year, cx.first_public_year())
        .await
        .map_err(ApiError::internal)?
        .ok_or(ApiError::NotFound)
}

#[server(prefix = "/api", endpoint = "publicity_roster")]
pub async fn get_roster_publicity(
    #[server(default)] township: String,
    #[server(default)] village: String,
    #[server(default)] roster: i64,
) -> Result<RosterPublicity, ApiError> {
    let cx = crate::ssr::context()?;
    let first = cx.first_public_year();
    match crate::ssr::publicity::roster(&cx.db, &township, &village, roster, first, &cx.small_cells)
        .await
        .map_err(ApiError::internal)?
    {
        Some(publicity) => Ok(publicity),
        None => Err(missing_roster(&cx, roster).await),
    }
}

/// Why a roster's page has nothing to show: its lines are past the public years, or there is no
/// such published roster there.
#[cfg(feature = "ssr")]
pub async fn missing_roster(cx: &crate::ssr::AppContext, roster: i64) -> ApiError {
    match crate::ssr::publicity::retired(&cx.db, roster, cx.first_public_year()).await {
        Ok(true) => ApiError::Retired,
        Ok(false) => ApiError::NotFound,
        Err(e) => ApiError::internal(e),
    }
}

impl RosterPublicity {
    /// The roster page's table as CSV, with exactly the columns and values the page shows.
    pub fn to_csv(&self) -> String {
        super::csv::document(
            &["姓名", "身份证号", "实际领取人", "村（社区）", "补贴项目", "期次", "金额（元）", "状态", "公示日期"],
            self.lines.iter().map(|l| {
                vec![
                    l.name_masked.clone(),
                    l.id_masked.clone(),
                    l.recipient_name_masked.clone().unwrap_or_default(),
                    l.village.clone(),
                    l.item.clone(),
                    l.period.clone(),
                    l.amount.plain(),
                    crate::domain::payments::line_status_name(&l.status).to_string(),
                    l.published_on.clone(),
                ]
            }),
        )
    }

    pub fn csv_file_name(&self) -> String {
        format!("publicity-{}-{}-{}.csv", self.village.code, self.roster.item_code, self.roster.period)
    }
}
