//! The case flow: filing (confirmed by the filer's SMS code, or straight from a signed-in
//! self-check), routing to the responsible department, working-day deadlines, staff actions,
//! the filer's reopening, and escalation of overdue cases. This module keeps what they share:
//! the case's errors and draft, the calendar and deadlines, the event log and the case as loaded.
//! `filing` files a case, `filer` serves whoever filed it, `actions` is what staff do.

mod actions;
mod filer;
mod filing;
pub mod reads;

pub use actions::{act, escalate_overdue, Action};
pub use filer::{reopen, start_tracking, supplement, tracked, verify_tracking};
pub use filing::{
    file, file_for_citizen, file_not_received, forget_form, load_form, save_form, start_filing, verify_filing,
};

use super::clock;
use super::AppContext;
use crate::api::cases::CaseFormFields;
use crate::domain::cases::{check_description, check_name, clean_text, CaseActionError, CaseFormError};
use crate::domain::date::{format_days, parse_days};
use crate::domain::{Calendar, CaseKind, Phone};
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row};

/// A kept form stays this long while it is being corrected (then as long as its code).
pub const DRAFT_TTL_SECS: i64 = 1800;
/// Statuses in which the deadline runs (not while waiting for the filer's supplement).
const RUNNING: &str = "('open', 'accepted')";

#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    #[error("{0}")]
    Form(#[from] CaseFormError),
    #[error("{0}")]
    Action(#[from] CaseActionError),
    #[error("no such case")]
    NotFound,
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

/// A case as the filer wrote it, validated for form and length (places are checked on filing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseDraft {
    pub kind: CaseKind,
    pub item_code: Option<String>,
    pub township_code: String,
    pub village_code: Option<String>,
    pub description: String,
    pub filer_name: String,
    pub anonymous: bool,
    pub payment_id: Option<i64>,
}

impl CaseDraft {
    /// From the form's fields as typed.
    pub fn parse(f: &CaseFormFields) -> Result<CaseDraft, CaseFormError> {
        let kind = CaseKind::from_code(&f.kind).ok_or(CaseFormError::Kind)?;
        let (township, village) = f.place.split_once('/').unwrap_or((&f.place, ""));
        let township_code = township.trim().to_string();
        if township_code.is_empty() {
            return Err(CaseFormError::Township);
        }
        let description = clean_text(&f.description);
        check_description(&description)?;
        let filer_name = clean_text(&f.name).replace('\n', " ");
        check_name(&filer_name)?;
        let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty() && s != "unsure");
        Ok(CaseDraft {
            kind,
            item_code: opt(&f.item),
            township_code,
            village_code: opt(village),
            description,
            filer_name,
            anonymous: f.anonymous,
            payment_id: f.payment,
        })
    }
}

/// A filed case: what the filer is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filed {
    pub id: i64,
    pub tracking_no: String,
    pub department: String,
}

/// Every column of `cases`, in the table's order (bulk writers: the demo, a county's import).
pub const COLUMNS: &[&str] = &[
    "id",
    "tracking_no",
    "kind",
    "origin",
    "item_id",
    "payment_id",
    "township_id",
    "village_id",
    "department_id",
    "status",
    "description",
    "filer_name",
    "filer_phone_enc",
    "filer_phone_hash",
    "anonymous",
    "filed_at",
    "filed_on",
    "deadline_on",
    "extended",
    "reopened",
    "escalated",
    "reply",
    "answered_on",
    "answered_on_time",
    "closed_at",
];

/// The working-day calendar of a department's region as admins configured it: the county's own
/// days, else its city's, else its province's.
pub async fn calendar(conn: &mut AnyConnection, department_id: i64) -> Result<Calendar, sqlx::Error> {
    let region: Option<i64> = sqlx::query_scalar("SELECT region_id FROM departments WHERE id = $1")
        .bind(department_id)
        .fetch_optional(&mut *conn)
        .await?;
    let chain = match region {
        Some(region) => crate::ssr::regions::ancestry(conn, region).await?,
        None => Vec::new(),
    };
    Ok(Calendar::new(holiday_days(conn, &chain).await?.into_iter().map(|(day, kind)| (day, kind == "holiday"))))
}

/// The departments a case held by `department_id` may be transferred to: those of its county
/// and of the city and province above it (which pay some items), never another county's.
pub async fn transfer_targets(conn: &mut AnyConnection, department_id: i64) -> Result<Vec<(i64, String)>, sqlx::Error> {
    let region: Option<i64> = sqlx::query_scalar("SELECT region_id FROM departments WHERE id = $1")
        .bind(department_id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(region) = region else { return Ok(Vec::new()) };
    // Up to the province, and down to the counties under a city's or province's department.
    let mut regions = crate::ssr::regions::ancestry(conn, region).await?;
    regions.extend(crate::ssr::regions::area(conn, region).await?.regions);
    let sql = format!(
        "SELECT d.id, d.name, r.name AS region, r.level FROM departments d JOIN regions r ON r.id = d.region_id \
         WHERE d.region_id IN ({}) ORDER BY d.id",
        crate::ssr::regions::ids_sql(&regions)
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(conn).await?;
    // Departments of more than one county: each named with its county.
    let many = rows
        .iter()
        .filter(|r| r.get::<String, _>("level") == "county")
        .map(|r| r.get::<String, _>("region"))
        .collect::<std::collections::HashSet<_>>()
        .len()
        > 1;
    Ok(rows
        .iter()
        .map(|r| {
            let (name, region): (String, String) = (r.get("name"), r.get("region"));
            (r.get("id"), crate::ssr::regions::department_label(&name, &region, many))
        })
        .collect())
}

/// The days of the regions' calendars (day number, kind), the nearest region's entry for a day
/// winning over those above it.
pub async fn holiday_days(conn: &mut AnyConnection, chain: &[i64]) -> Result<Vec<(i64, String)>, sqlx::Error> {
    let sql = format!(
        "SELECT region_id, day, kind FROM holidays WHERE region_id IN ({})",
        crate::ssr::regions::ids_sql(chain)
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(conn).await?;
    let mut days: std::collections::BTreeMap<i64, (usize, String)> = Default::default();
    for r in rows {
        let rank = chain.iter().position(|c| *c == r.get::<i64, _>("region_id")).unwrap_or(usize::MAX);
        let Some(day) = parse_days(&r.get::<String, _>("day")) else { continue };
        let kind: String = r.get("kind");
        if days.get(&day).is_none_or(|(nearest, _)| rank < *nearest) {
            days.insert(day, (rank, kind));
        }
    }
    Ok(days.into_iter().map(|(day, (_, kind))| (day, kind)).collect())
}

/// The deadline `days` working days after `from` (a local ISO date).
fn deadline_after(calendar: &Calendar, from: &str, days: u32) -> String {
    format_days(calendar.add_working_days(parse_days(from).unwrap_or(0), days))
}

/// Appends to a case's history (what the public and the filer see as its steps).
async fn event(
    conn: &mut AnyConnection,
    case_id: i64,
    kind: &str,
    from: Option<i64>,
    to: Option<i64>,
    staff: Option<i64>,
    note: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO case_events (case_id, kind, from_department_id, to_department_id, staff_id, note, at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(case_id)
        .bind(kind)
        .bind(from)
        .bind(to)
        .bind(staff)
        .bind(note)
        .bind(clock::now())
        .execute(conn)
        .await?;
    Ok(())
}

/// A case as the steps on it need it.
struct CaseRow {
    kind: CaseKind,
    department_id: i64,
    status: String,
    extended: bool,
    reopened: bool,
    deadline_on: String,
    answered_on: Option<String>,
    tracking_no: String,
    phone: Option<Phone>,
}

/// The case `id`, with the filer's phone decrypted.
async fn load(conn: &mut AnyConnection, cx: &AppContext, id: i64) -> Result<CaseRow, CaseError> {
    let r = sqlx::query(
        "SELECT kind, department_id, status, extended, reopened, deadline_on, answered_on, tracking_no, filer_phone_enc FROM cases WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?
    .ok_or(CaseError::NotFound)?;
    Ok(CaseRow {
        kind: CaseKind::from_code(&r.get::<String, _>("kind")).unwrap_or(CaseKind::Inquiry),
        department_id: r.get("department_id"),
        status: r.get("status"),
        extended: r.get::<i64, _>("extended") != 0,
        reopened: r.get::<i64, _>("reopened") != 0,
        deadline_on: r.get("deadline_on"),
        answered_on: r.get("answered_on"),
        tracking_no: r.get("tracking_no"),
        phone: cx.vault.decrypt(&r.get::<Vec<u8>, _>("filer_phone_enc")).ok().and_then(|p| Phone::parse(&p).ok()),
    })
}

/// A conditional update that changed nothing means someone else changed the case first.
fn unchanged_if(rows: u64) -> Result<(), CaseError> {
    if rows == 1 {
        Ok(())
    } else {
        Err(CaseActionError::WrongState.into())
    }
}
