//! SQL for the department side's roster pages: the list, one roster with its lines and steps,
//! and what the signed-in person may do with it.

use crate::api::rosters::{
    RosterActions, RosterChange, RosterDetail, RosterLine, RosterList, RosterRow, RosterStep, SmallCell,
};
use crate::api::staff::StaffMe;
use crate::domain::publicity::SmallCells;
use crate::domain::{mask, Money};
use crate::ssr::staff::{Role, Staff};
use crate::ssr::Db;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

const COLUMNS: &str = "ro.id, i.name AS item, ro.period, t.name AS township, ro.batch, d.name AS department, ro.status, ro.line_count, \
     ro.total_fen, ro.created_at, ro.department_id, ro.publicity_start, ro.publicity_end, ro.paid_on, ro.payout_publicised_on";
const JOINS: &str = "FROM rosters ro JOIN subsidy_items i ON i.id = ro.item_id JOIN regions t ON t.id = ro.region_id \
     JOIN departments d ON d.id = ro.department_id";

fn row(r: &AnyRow) -> RosterRow {
    RosterRow {
        id: r.get("id"),
        item: r.get("item"),
        period: r.get("period"),
        township: r.get("township"),
        batch: r.get("batch"),
        department: r.get("department"),
        status: r.get("status"),
        lines: r.get("line_count"),
        total: Money::from_fen(r.get("total_fen")),
        created_at: crate::ssr::clock::local_minute(&r.get::<String, _>("created_at")),
    }
}

/// The newest 200 rosters the person may see, those in the review flow first.
pub async fn list(db: &Db, staff: &Staff, me: StaffMe) -> Result<RosterList, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} {JOINS} WHERE {} \
         ORDER BY CASE WHEN ro.status IN ('payout_publicised') THEN 1 ELSE 0 END, ro.id DESC LIMIT 200",
        staff.sees_sql("ro.department_id")
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&db.pool).await?;
    // What they may upload a roster for: their county's newest catalogue, their own items.
    let items = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT code, name FROM subsidy_items WHERE county_id = $1 AND year = (SELECT MAX(year) FROM catalogue_years WHERE county_id = $1) \
         AND {} ORDER BY sort_order, id",
        staff.sees_sql("department_id")
    )))
    .bind(staff.county_id())
    .fetch_all(&db.pool)
    .await?;
    Ok(RosterList {
        me,
        rosters: rows.iter().map(row).collect(),
        items: items.iter().map(|r| (r.get("code"), r.get("name"))).collect(),
    })
}

/// What `staff` may do with a roster of `department` in `status`.
pub fn actions(
    staff: &Staff,
    department: i64,
    status: &str,
    publicity_over: bool,
    failed_not_reissued: bool,
) -> RosterActions {
    let own = staff.role == Role::Department && staff.department_id == Some(department);
    let finance = staff.role == Role::Finance && staff.can_act(department);
    RosterActions {
        publicise: own && status == "draft",
        approve: own && ((status == "publicising" && publicity_over) || status == "returned"),
        finance_review: finance && status == "department_reviewed",
        send_to_bank: finance && status == "finance_reviewed",
        bank_file: (own || finance) && matches!(status, "sent_to_bank" | "bank_feedback" | "payout_publicised"),
        feedback: (own || finance) && status == "sent_to_bank",
        reissue: own && status == "payout_publicised" && failed_not_reissued,
        correct: own && status == "draft",
        withdraw: own && status == "publicising",
        claw_back: own && matches!(status, "bank_feedback" | "payout_publicised"),
        correct_publicity: own && matches!(status, "publicising" | "returned"),
    }
}

/// The villages of a roster of a sensitive item (by `rule`) whose lines would be a small cell,
/// with their region ids, in the roster's village order; none for another item.
pub async fn small_cells(
    conn: &mut AnyConnection,
    rule: &SmallCells,
    roster: i64,
) -> Result<Vec<(i64, SmallCell)>, sqlx::Error> {
    let item: Option<String> =
        sqlx::query_scalar("SELECT i.name FROM rosters ro JOIN subsidy_items i ON i.id = ro.item_id WHERE ro.id = $1")
            .bind(roster)
            .fetch_optional(&mut *conn)
            .await?;
    if !item.is_some_and(|name| rule.sensitive(&name)) {
        return Ok(Vec::new());
    }
    let villages = sqlx::query(
        "SELECT v.id, v.name, COUNT(*) AS lines FROM payments p JOIN beneficiaries b ON b.id = p.beneficiary_id \
         JOIN regions v ON v.id = b.village_id WHERE p.roster_id = $1 GROUP BY v.id, v.name, v.sort_order ORDER BY v.sort_order, v.id",
    )
    .bind(roster)
    .fetch_all(&mut *conn)
    .await?;
    Ok(villages
        .iter()
        .filter(|v| rule.small(v.get("lines")))
        .map(|v| (v.get("id"), SmallCell { village: v.get("name"), lines: v.get("lines") }))
        .collect())
}

/// The villages whose lines of a roster were publicised at township level.
async fn summarised_villages(db: &Db, roster: i64) -> Result<Vec<SmallCell>, sqlx::Error> {
    Ok(sqlx::query(
        "SELECT v.name, COUNT(*) AS lines FROM publicity_entries pe JOIN regions v ON v.id = pe.village_id \
         WHERE pe.roster_id = $1 AND pe.shown_as = 'township' GROUP BY v.id, v.name, v.sort_order ORDER BY v.sort_order, v.id",
    )
    .bind(roster)
    .fetch_all(&db.pool)
    .await?
    .iter()
    .map(|v| SmallCell { village: v.get("name"), lines: v.get("lines") })
    .collect())
}

/// One roster with its lines and steps, for someone who may see it; a draft of a sensitive item
/// with its small cells (by `rule`), a publicised one with the villages publicised at township level.
pub async fn detail(
    db: &Db,
    staff: &Staff,
    me: StaffMe,
    id: i64,
    rule: &SmallCells,
) -> Result<Option<RosterDetail>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} {JOINS} WHERE ro.id = $1 AND {}", staff.sees_sql("ro.department_id"));
    let Some(r) = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&db.pool).await? else {
        return Ok(None);
    };
    let lines = sqlx::query(
        "SELECT p.id, b.name, b.id_masked, v.name AS village, p.amount_fen, bk.name AS bank, p.account_last4, p.status, p.failure_reason, p.paid_on, \
                p.reissue_of_id, p.clawed_back_on, p.clawback_reason, p.corrected_on, p.correction_note, (SELECT COUNT(*) FROM payments x WHERE x.reissue_of_id = p.id) AS reissues \
         FROM payments p JOIN beneficiaries b ON b.id = p.beneficiary_id JOIN regions v ON v.id = b.village_id JOIN banks bk ON bk.id = p.bank_id \
         WHERE p.roster_id = $1 ORDER BY v.sort_order, p.id",
    )
    .bind(id)
    .fetch_all(&db.pool)
    .await?;
    let changes = sqlx::query(
        "SELECT b.name, c.field, c.old_last4, c.new_last4, c.applied_at FROM beneficiary_changes c JOIN beneficiaries b ON b.id = c.beneficiary_id \
         WHERE c.roster_id = $1 ORDER BY c.id",
    )
    .bind(id)
    .fetch_all(&db.pool)
    .await?
    .iter()
    .map(|c| RosterChange {
        name: c.get("name"),
        field: c.get("field"),
        old_last4: c.get("old_last4"),
        new_last4: c.get("new_last4"),
        applied: c.get::<Option<String>, _>("applied_at").is_some(),
    })
    .collect();
    let steps = sqlx::query(
        "SELECT e.step, e.at, e.note, s.display_name FROM roster_events e LEFT JOIN staff_users s ON s.id = e.staff_id WHERE e.roster_id = $1 ORDER BY e.id",
    )
    .bind(id)
    .fetch_all(&db.pool)
    .await?;
    let lines: Vec<RosterLine> = lines
        .iter()
        .map(|l| RosterLine {
            id: l.get("id"),
            name: l.get("name"),
            id_masked: l.get("id_masked"),
            village: l.get("village"),
            amount: Money::from_fen(l.get("amount_fen")),
            bank: l.get("bank"),
            account_masked: mask::account_last4(&l.get::<String, _>("account_last4")),
            status: l.get("status"),
            failure_reason: l.get("failure_reason"),
            paid_on: l.get("paid_on"),
            reissued: l.get::<i64, _>("reissues") > 0,
            clawed_back_on: l.get("clawed_back_on"),
            clawback_reason: l.get("clawback_reason"),
            corrected_on: l.get("corrected_on"),
            correction_note: l.get("correction_note"),
        })
        .collect();
    let reissue_of: Option<i64> = sqlx::query_scalar(
        "SELECT MAX(o.roster_id) FROM payments p JOIN payments o ON o.id = p.reissue_of_id WHERE p.roster_id = $1",
    )
    .bind(id)
    .fetch_one(&db.pool)
    .await?;
    let status: String = r.get("status");
    let publicity_end: Option<String> = r.get("publicity_end");
    let publicity_over = publicity_end.as_deref().is_some_and(|end| end < crate::ssr::clock::local_today().as_str());
    let failed_open = lines.iter().any(|l| l.status == "failed" && !l.reissued);
    let small_cells = if status == "draft" {
        small_cells(&mut *db.pool.acquire().await?, rule, id).await?.into_iter().map(|(_, c)| c).collect()
    } else {
        summarised_villages(db, id).await?
    };
    let small_cell_rule = if small_cells.is_empty() { String::new() } else { rule.rule_words() };
    let banks = sqlx::query("SELECT id, name FROM banks ORDER BY id")
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(|b| crate::api::staff::Choice { value: b.get::<i64, _>("id").to_string(), label: b.get("name") })
        .collect();
    Ok(Some(RosterDetail {
        small_cells,
        small_cell_rule,
        banks,
        actions: actions(staff, r.get("department_id"), &status, publicity_over, failed_open),
        me,
        roster: row(&r),
        publicity_start: r.get("publicity_start"),
        publicity_end,
        paid_on: r.get("paid_on"),
        payout_publicised_on: r.get("payout_publicised_on"),
        reissue_of,
        lines,
        changes,
        steps: steps
            .iter()
            .map(|s| RosterStep {
                step: s.get("step"),
                at: crate::ssr::clock::local_minute(&s.get::<String, _>("at")),
                who: s.get::<Option<String>, _>("display_name").unwrap_or_else(|| "系统".into()),
                note: s.get("note"),
            })
            .collect(),
    }))
}
