//! SQL for reading cases: the filing form's choices, a case's record (public, filer's, staff's),
//! per-department figures, answered cases, the staff inbox and the holiday calendar (which
//! admins also edit here: `put_holiday`, `delete_holiday`).

use crate::api::cases::{
    AnsweredCase, AnsweredCases, CaseEvent, CaseFormChoices, CaseStats, DepartmentCaseStats, ItemChoice, Prefill,
    PublicCase, TownshipChoice, TrackedCase, ANSWERED_PAGE_SIZE,
};
use crate::api::staff::{Choice, Holiday, Inbox, InboxFilter, InboxRow, StaffCase, StaffMe, INBOX_PAGE_SIZE};
use crate::domain::cases::REOPEN_WITHIN_DAYS;
use crate::domain::date::days_between;
use crate::domain::{mask, Phone};
use crate::ssr::staff::{Role, Staff};
use crate::ssr::Db;
use crate::ssr::{clock, regions, AppContext};
use sqlx::any::AnyRow;
use sqlx::Row;

/// Statuses in which the department still owes an answer.
const OPEN: &str = "('open', 'accepted', 'info_requested')";
/// Statuses in which the deadline runs (it stops while the filer is asked for more).
const RUNNING: &str = "('open', 'accepted')";

/// The items of a county's newest catalogue.
async fn items(db: &Db, county: i64) -> Result<Vec<ItemChoice>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT i.code, i.name, d.name AS department FROM subsidy_items i JOIN departments d ON d.id = i.department_id \
         WHERE i.county_id = $1 AND i.year = (SELECT MAX(year) FROM catalogue_years WHERE county_id = $1) ORDER BY i.sort_order, i.id",
    )
    .bind(county)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .iter()
        .map(|r| ItemChoice { code: r.get("code"), name: r.get("name"), department: r.get("department") })
        .collect())
}

/// A county's townships with their villages.
async fn townships(db: &Db, county: i64) -> Result<Vec<TownshipChoice>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT t.code, t.name, v.code AS v_code, v.name AS v_name FROM regions t \
         LEFT JOIN regions v ON v.parent_id = t.id AND v.level = 'village' \
         WHERE t.level = 'township' AND t.parent_id = $1 ORDER BY t.sort_order, t.id, v.sort_order, v.id",
    )
    .bind(county)
    .fetch_all(&db.pool)
    .await?;
    let mut out: Vec<TownshipChoice> = Vec::new();
    for r in rows {
        let code: String = r.get("code");
        if out.last().is_none_or(|t| t.code != code) {
            out.push(TownshipChoice { code, name: r.get("name"), villages: Vec::new() });
        }
        if let (Some(c), Some(n)) = (r.get::<Option<String>, _>("v_code"), r.get::<Option<String>, _>("v_name")) {
            out.last_mut().expect("pushed above").villages.push((c, n));
        }
    }
    Ok(out)
}

/// The form's choices: the items and places of `county`, or, pre-filled when opened from one of the
/// signed-in citizen's own lines, of the county that paid that line.
pub async fn form_choices(
    cx: &AppContext,
    county: i64,
    from_line: Option<(i64, i64)>,
) -> Result<CaseFormChoices, sqlx::Error> {
    let mut prefill = None;
    let mut county = county;
    if let Some((payment, beneficiary)) = from_line {
        let mine = crate::ssr::check::reads::payments(&cx.db, beneficiary).await?;
        if let Some(p) = mine.years.iter().flat_map(|y| &y.payments).find(|p| p.id == payment) {
            let r = sqlx::query(
                "SELECT i.code AS item_code, i.county_id, v.code AS village, t.code AS township FROM payments p \
                 JOIN subsidy_items i ON i.id = p.item_id JOIN beneficiaries b ON b.id = p.beneficiary_id \
                 JOIN regions v ON v.id = b.village_id JOIN regions t ON t.id = v.parent_id WHERE p.id = $1",
            )
            .bind(payment)
            .fetch_one(&cx.db.pool)
            .await?;
            county = r.get("county_id");
            let phone: Option<Vec<u8>> = sqlx::query_scalar("SELECT phone_enc FROM beneficiaries WHERE id = $1")
                .bind(beneficiary)
                .fetch_one(&cx.db.pool)
                .await?;
            let phone = phone.and_then(|e| cx.vault.decrypt(&e).ok()).and_then(|p| Phone::parse(&p).ok());
            prefill = Some(Prefill {
                payment_id: payment,
                item_code: r.get("item_code"),
                township_code: r.get("township"),
                village_code: r.get("village"),
                description: format!("关于{}期{} {}元（{}）：", p.period, p.item, p.amount.grouped(), p.status_words()),
                phone_last4: phone.map(|p| p.last4().to_string()).unwrap_or_default(),
            });
        }
    }
    Ok(CaseFormChoices {
        items: items(&cx.db, county).await?,
        townships: townships(&cx.db, county).await?,
        prefill,
        typed: None,
    })
}

const CASE_COLUMNS: &str = "c.id, c.tracking_no, c.kind, c.origin, c.status, c.filed_on, c.deadline_on, c.extended, c.reopened, c.escalated, \
     c.reply, c.answered_on, c.anonymous, c.description, c.filer_name, c.filer_phone_enc, c.payment_id, c.department_id, \
     i.name AS item, t.name AS township, v.name AS village, d.name AS department, d.phone AS department_phone";
const CASE_JOINS: &str =
    "FROM cases c JOIN departments d ON d.id = c.department_id LEFT JOIN subsidy_items i ON i.id = c.item_id \
     LEFT JOIN regions t ON t.id = c.township_id LEFT JOIN regions v ON v.id = c.village_id";

async fn case_row(db: &Db, condition: &str, value: &str) -> Result<Option<AnyRow>, sqlx::Error> {
    let sql = format!("SELECT {CASE_COLUMNS} {CASE_JOINS} WHERE {condition}");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(value).fetch_optional(&db.pool).await
}

async fn case_by_id(db: &Db, id: i64) -> Result<Option<AnyRow>, sqlx::Error> {
    let sql = format!("SELECT {CASE_COLUMNS} {CASE_JOINS} WHERE c.id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&db.pool).await
}

fn is_overdue(status: &str, deadline_on: &str, today: &str) -> bool {
    matches!(status, "open" | "accepted") && deadline_on < today
}

/// The record of a case; `private` keeps the filer's own words in the history (reopen reasons).
async fn record(db: &Db, r: &AnyRow, private: bool) -> Result<PublicCase, sqlx::Error> {
    let id: i64 = r.get("id");
    let events = sqlx::query(
        "SELECT e.kind, e.at, e.note, f.name AS from_name, t.name AS to_name FROM case_events e \
         LEFT JOIN departments f ON f.id = e.from_department_id LEFT JOIN departments t ON t.id = e.to_department_id \
         WHERE e.case_id = $1 ORDER BY e.id",
    )
    .bind(id)
    .fetch_all(&db.pool)
    .await?;
    let status: String = r.get("status");
    let deadline_on: String = r.get("deadline_on");
    Ok(PublicCase {
        tracking_no: r.get("tracking_no"),
        kind: r.get("kind"),
        item: r.get("item"),
        township: r.get("township"),
        village: r.get("village"),
        department: r.get("department"),
        department_phone: r.get("department_phone"),
        overdue: is_overdue(&status, &deadline_on, &clock::local_today()),
        status,
        filed_on: r.get("filed_on"),
        deadline_on,
        extended: r.get::<i64, _>("extended") != 0,
        reopened: r.get::<i64, _>("reopened") != 0,
        escalated: r.get::<i64, _>("escalated") != 0,
        reply: r.get("reply"),
        answered_on: r.get("answered_on"),
        events: events
            .iter()
            .map(|e| {
                let kind: String = e.get("kind");
                let public_note = !matches!(kind.as_str(), "reopened" | "supplemented");
                CaseEvent {
                    at: clock::local_minute(&e.get::<String, _>("at")),
                    from_department: e.get("from_name"),
                    to_department: e.get("to_name"),
                    note: if private || public_note { e.get("note") } else { String::new() },
                    kind,
                }
            })
            .collect(),
    })
}

/// A case's public record by tracking number; cases filed anonymous-to-the-public have none.
pub async fn public_case_by_no(db: &Db, no: &str) -> Result<Option<PublicCase>, sqlx::Error> {
    match case_row(db, "c.tracking_no = $1 AND c.anonymous = 0", no).await? {
        Some(r) => Ok(Some(record(db, &r, false).await?)),
        None => Ok(None),
    }
}

/// The filer's own view of their case.
pub async fn tracked_case(db: &Db, id: i64) -> Result<Option<TrackedCase>, sqlx::Error> {
    let Some(r) = case_by_id(db, id).await? else { return Ok(None) };
    let case = record(db, &r, true).await?;
    let today = clock::local_today();
    let within =
        case.answered_on.as_deref().and_then(|a| days_between(a, &today)).is_some_and(|d| d <= REOPEN_WITHIN_DAYS);
    Ok(Some(TrackedCase {
        can_reopen: matches!(case.status.as_str(), "answered" | "closed") && !case.reopened && within,
        can_supplement: case.status == "info_requested",
        description: r.get("description"),
        filer_name: r.get("filer_name"),
        case,
    }))
}

/// Per-department figures of a county, ranked by on-time rate (departments without answers last).
pub async fn stats(db: &Db, county: i64) -> Result<CaseStats, sqlx::Error> {
    let sql = format!(
        "SELECT d.id, d.name, \
           (SELECT COUNT(*) FROM cases c WHERE c.department_id = d.id) AS received, \
           (SELECT COUNT(*) FROM cases c WHERE c.department_id = d.id AND c.answered_on IS NOT NULL) AS answered, \
           (SELECT COUNT(*) FROM cases c WHERE c.department_id = d.id AND c.answered_on_time = 1) AS on_time, \
           (SELECT COUNT(*) FROM cases c WHERE c.department_id = d.id AND c.status IN {RUNNING} AND c.deadline_on < $1) AS overdue, \
           (SELECT COUNT(*) FROM case_events e WHERE e.kind = 'transferred' AND e.from_department_id = d.id) AS transfers_out, \
           (SELECT COUNT(*) FROM cases c WHERE c.department_id = d.id AND c.reopened = 1) AS reopened, \
           (SELECT COUNT(*) FROM cases c WHERE c.department_id = d.id AND c.origin = 'not_received') AS not_received \
         FROM departments d WHERE d.region_id = $2 ORDER BY d.id"
    );
    let rows =
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(clock::local_today()).bind(county).fetch_all(&db.pool).await?;
    let answered = sqlx::query(
        "SELECT c.department_id, c.filed_on, c.answered_on FROM cases c JOIN departments d ON d.id = c.department_id \
         WHERE c.answered_on IS NOT NULL AND d.region_id = $1",
    )
    .bind(county)
    .fetch_all(&db.pool)
    .await?;
    let mut departments: Vec<DepartmentCaseStats> = rows
        .iter()
        .map(|r| {
            let id: i64 = r.get("id");
            let days: Vec<i64> = answered
                .iter()
                .filter(|a| a.get::<i64, _>("department_id") == id)
                .filter_map(|a| days_between(&a.get::<String, _>("filed_on"), &a.get::<String, _>("answered_on")))
                .collect();
            let (answered, on_time): (i64, i64) = (r.get("answered"), r.get("on_time"));
            DepartmentCaseStats {
                department: r.get("name"),
                received: r.get("received"),
                answered,
                answered_on_time: on_time,
                on_time_pct: (answered > 0).then(|| (on_time * 100 + answered / 2) / answered),
                overdue_now: r.get("overdue"),
                median_days: crate::domain::cases::median(&days),
                transfers_out: r.get("transfers_out"),
                reopened: r.get("reopened"),
                not_received: r.get("not_received"),
            }
        })
        .collect();
    departments.sort_by(|a, b| {
        b.on_time_pct.unwrap_or(-1).cmp(&a.on_time_pct.unwrap_or(-1)).then(b.received.cmp(&a.received))
    });
    Ok(CaseStats {
        received: departments.iter().map(|d| d.received).sum(),
        overdue_now: departments.iter().map(|d| d.overdue_now).sum(),
        departments,
    })
}

/// Answered cases of a county the public may read (not anonymous), newest first, optionally for
/// one item.
pub async fn answered(db: &Db, county: i64, item: Option<String>, page: i64) -> Result<AnsweredCases, sqlx::Error> {
    // The county's id is an integer: inlined.
    let condition = format!(
        "c.anonymous = 0 AND c.answered_on IS NOT NULL AND c.reply IS NOT NULL AND ($1 = '' OR i.code = $1) AND d.region_id = {county}"
    );
    let item_code = item.clone().unwrap_or_default();
    let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) {CASE_JOINS} WHERE {condition}")))
        .bind(&item_code)
        .fetch_one(&db.pool)
        .await?;
    let pages = ((total + ANSWERED_PAGE_SIZE - 1) / ANSWERED_PAGE_SIZE).max(1);
    let page = page.min(pages);
    let sql = format!("SELECT {CASE_COLUMNS} {CASE_JOINS} WHERE {condition} ORDER BY c.answered_on DESC, c.id DESC LIMIT $2 OFFSET $3");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(&item_code)
        .bind(ANSWERED_PAGE_SIZE)
        .bind((page - 1) * ANSWERED_PAGE_SIZE)
        .fetch_all(&db.pool)
        .await?;
    Ok(AnsweredCases {
        items: items(db, county).await?,
        item,
        cases: rows
            .iter()
            .map(|r| AnsweredCase {
                tracking_no: r.get("tracking_no"),
                kind: r.get("kind"),
                item: r.get("item"),
                township: r.get("township"),
                department: r.get("department"),
                answered_on: r.get::<Option<String>, _>("answered_on").unwrap_or_default(),
                reply: r.get::<Option<String>, _>("reply").unwrap_or_default(),
            })
            .collect(),
        page,
        pages,
    })
}

/// The departments of a staff member's area, to filter the inbox by (named with their county
/// when the area has several).
async fn departments(db: &Db, staff: &Staff) -> Result<Vec<Choice>, sqlx::Error> {
    let sql = format!(
        "SELECT d.id, d.name, r.name AS region FROM departments d JOIN regions r ON r.id = d.region_id WHERE {} ORDER BY d.id",
        staff.sees_sql("d.id")
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&db.pool).await?;
    let many = staff.counties.len() > 1;
    Ok(rows
        .iter()
        .map(|r| {
            let (name, region): (String, String) = (r.get("name"), r.get("region"));
            Choice { value: r.get::<i64, _>("id").to_string(), label: regions::department_label(&name, &region, many) }
        })
        .collect())
}

/// What the inbox filters by place and item: a county's townships and its items; for a city's or
/// province's staff, their counties (a county's code in the township filter means the whole
/// county) and the items of all of them, one per code.
async fn inbox_choices(db: &Db, staff: &Staff) -> Result<(Vec<Choice>, Vec<Choice>), sqlx::Error> {
    if staff.counties.len() <= 1 {
        let county = staff.county_id();
        let townships =
            townships(db, county).await?.into_iter().map(|t| Choice { value: t.code, label: t.name }).collect();
        let items = items(db, county).await?.into_iter().map(|i| Choice { value: i.code, label: i.name }).collect();
        return Ok((townships, items));
    }
    let ids = regions::ids_sql(&staff.counties);
    let counties = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT code, name FROM regions WHERE id IN ({ids}) ORDER BY sort_order, id"
    )))
    .fetch_all(&db.pool)
    .await?
    .iter()
    .map(|r| Choice { value: r.get("code"), label: r.get("name") })
    .collect();
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT i.code, i.name FROM subsidy_items i WHERE i.county_id IN ({ids}) \
           AND i.year = (SELECT MAX(year) FROM catalogue_years y WHERE y.county_id = i.county_id) \
         ORDER BY i.sort_order, i.code, i.county_id"
    )))
    .fetch_all(&db.pool)
    .await?;
    let mut items: Vec<Choice> = Vec::new();
    for r in rows {
        let code: String = r.get("code");
        if !items.iter().any(|i| i.value == code) {
            items.push(Choice { value: code, label: r.get("name") });
        }
    }
    Ok((counties, items))
}

/// The cases a staff member may see, filtered; overdue first, then by deadline.
pub async fn inbox(db: &Db, staff: &Staff, me: StaffMe, f: &InboxFilter) -> Result<Inbox, sqlx::Error> {
    let scope = match staff.role {
        Role::Department => staff.department_id.unwrap_or(-1),
        Role::Finance | Role::Supervisor => f.department.unwrap_or(0),
        Role::Admin => -1,
    };
    let today = clock::local_today();
    let condition = format!(
        "{} AND ($1 = 0 OR c.department_id = $1) AND ($2 = '' OR c.status = $2) AND ($3 = '' OR c.kind = $3) \
         AND ($4 = 0 OR (c.status IN {RUNNING} AND c.deadline_on < $5)) AND ($6 = '' OR i.code = $6) \
         AND ($7 = '' OR t.code = $7 OR COALESCE(t.parent_id, d.region_id) IN (SELECT id FROM regions WHERE level = 'county' AND code = $7))",
        staff.sees_sql("c.department_id")
    );
    let binds = |sql: String| {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(scope)
            .bind(f.status.clone().unwrap_or_default())
            .bind(f.kind.clone().unwrap_or_default())
            .bind(i64::from(f.overdue))
            .bind(today.clone())
            .bind(f.item.clone().unwrap_or_default())
            .bind(f.township.clone().unwrap_or_default())
    };
    let total: i64 =
        binds(format!("SELECT COUNT(*) AS n {CASE_JOINS} WHERE {condition}")).fetch_one(&db.pool).await?.get("n");
    let pages = ((total + INBOX_PAGE_SIZE - 1) / INBOX_PAGE_SIZE).max(1);
    let page = f.page.unwrap_or(1).clamp(1, pages);
    let sql = format!(
        "SELECT c.id, c.tracking_no, c.kind, c.origin, c.status, c.filed_on, c.deadline_on, c.escalated, \
                i.name AS item, t.name AS township, d.name AS department, \
                (SELECT r.name FROM regions r WHERE r.id = d.region_id) AS department_region \
         {CASE_JOINS} WHERE {condition} \
         ORDER BY CASE WHEN c.status IN {RUNNING} AND c.deadline_on < $5 THEN 0 WHEN c.status IN {OPEN} THEN 1 ELSE 2 END, c.deadline_on, c.id \
         LIMIT {INBOX_PAGE_SIZE} OFFSET {}",
        (page - 1) * INBOX_PAGE_SIZE
    );
    let rows = binds(sql).fetch_all(&db.pool).await?;
    let overdue_sql = format!(
        "SELECT COUNT(*) FROM cases c WHERE {} AND ($1 = 0 OR c.department_id = $1) AND c.status IN {RUNNING} AND c.deadline_on < $2",
        staff.sees_sql("c.department_id")
    );
    let overdue_total: i64 =
        sqlx::query_scalar(sqlx::AssertSqlSafe(overdue_sql)).bind(scope).bind(&today).fetch_one(&db.pool).await?;
    let rows = rows
        .iter()
        .map(|r| {
            let status: String = r.get("status");
            let deadline_on: String = r.get("deadline_on");
            InboxRow {
                id: r.get("id"),
                tracking_no: r.get("tracking_no"),
                kind: r.get("kind"),
                item: r.get("item"),
                township: r.get("township"),
                department: regions::department_label(
                    &r.get::<String, _>("department"),
                    &r.get::<String, _>("department_region"),
                    staff.counties.len() > 1,
                ),
                overdue: is_overdue(&status, &deadline_on, &today),
                status,
                filed_on: r.get("filed_on"),
                deadline_on,
                escalated: r.get::<i64, _>("escalated") != 0,
                origin: r.get("origin"),
            }
        })
        .collect();
    let county = staff.county_id();
    let (townships, items) = inbox_choices(db, staff).await?;
    let triage_department =
        sqlx::query_scalar("SELECT id FROM departments WHERE is_finance = 1 AND region_id = $1 ORDER BY id LIMIT 1")
            .bind(county)
            .fetch_optional(&db.pool)
            .await?;
    Ok(Inbox {
        me,
        rows,
        total,
        page,
        pages,
        triage_department,
        overdue_total: if scope == -1 { 0 } else { overdue_total },
        by_county: staff.counties.len() > 1,
        departments: departments(db, staff).await?,
        items,
        townships,
    })
}

/// One case for a staff member who may see it (None otherwise: another department's case does
/// not exist for them).
pub async fn staff_case(
    cx: &AppContext,
    staff: &Staff,
    me: StaffMe,
    id: i64,
) -> Result<Option<StaffCase>, sqlx::Error> {
    let Some(r) = case_by_id(&cx.db, id).await? else { return Ok(None) };
    let department_id: i64 = r.get("department_id");
    if !staff.can_see(department_id) {
        return Ok(None);
    }
    let case = record(&cx.db, &r, true).await?;
    let phone = cx.vault.decrypt(&r.get::<Vec<u8>, _>("filer_phone_enc")).ok().and_then(|p| Phone::parse(&p).ok());
    let payment = match r.get::<Option<i64>, _>("payment_id") {
        Some(pid) => sqlx::query(
            "SELECT p.period, p.amount_fen, p.status, p.paid_on, i.name AS item, b.name AS bank, p.account_last4 FROM payments p \
             JOIN subsidy_items i ON i.id = p.item_id JOIN banks b ON b.id = p.bank_id WHERE p.id = $1",
        )
        .bind(pid)
        .fetch_optional(&cx.db.pool)
        .await?
        .map(|p| {
            format!(
                "{}期{} {}元，银行反馈：{}{}，{} {}",
                p.get::<String, _>("period"),
                p.get::<String, _>("item"),
                crate::domain::Money::from_fen(p.get("amount_fen")).grouped(),
                crate::domain::payments::line_status_name(&p.get::<String, _>("status")),
                p.get::<Option<String>, _>("paid_on").map(|d| format!("（{d}）")).unwrap_or_default(),
                p.get::<String, _>("bank"),
                mask::account_last4(&p.get::<String, _>("account_last4")),
            )
        }),
        None => None,
    };
    let mut conn = cx.db.pool.acquire().await?;
    let departments = super::transfer_targets(&mut conn, department_id)
        .await?
        .into_iter()
        .filter(|(id, _)| *id != department_id)
        .map(|(id, name)| Choice { value: id.to_string(), label: name })
        .collect();
    Ok(Some(StaffCase {
        me,
        id,
        origin: r.get("origin"),
        description: r.get("description"),
        filer_name: r.get("filer_name"),
        filer_phone_last4: phone.map(|p| mask::phone(&p)).unwrap_or_default(),
        anonymous: r.get::<i64, _>("anonymous") != 0,
        payment,
        can_act: staff.can_act(department_id),
        departments,
        case,
    }))
}

/// The days a region's own calendar sets (its counties inherit them unless they set the day too).
pub async fn holidays(db: &Db, region_id: i64) -> Result<Vec<Holiday>, sqlx::Error> {
    let rows = sqlx::query("SELECT day, kind, name FROM holidays WHERE region_id = $1 ORDER BY day")
        .bind(region_id)
        .fetch_all(&db.pool)
        .await?;
    Ok(rows.iter().map(|r| Holiday { day: r.get("day"), kind: r.get("kind"), name: r.get("name") }).collect())
}

/// Adds or replaces one day of the calendar of the admin's region (admins only; checked by the
/// caller), audited.
pub async fn put_holiday(db: &Db, staff: &Staff, day: &str, kind: &str, name: &str) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM holidays WHERE region_id = $1 AND day = $2")
        .bind(staff.region_id)
        .bind(day)
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO holidays (region_id, day, kind, name) VALUES ($1, $2, $3, $4)")
        .bind(staff.region_id)
        .bind(day)
        .bind(kind)
        .bind(name)
        .execute(&mut *tx)
        .await?;
    crate::ssr::audit::append(&mut tx, &format!("staff:{}", staff.id), "holiday_set", &format!("day:{day}"), kind)
        .await?;
    tx.commit().await
}

pub async fn delete_holiday(db: &Db, staff: &Staff, day: &str) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM holidays WHERE region_id = $1 AND day = $2")
        .bind(staff.region_id)
        .bind(day)
        .execute(&mut *tx)
        .await?;
    crate::ssr::audit::append(&mut tx, &format!("staff:{}", staff.id), "holiday_removed", &format!("day:{day}"), "")
        .await?;
    tx.commit().await
}
