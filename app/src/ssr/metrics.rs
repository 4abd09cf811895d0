//! SQL behind `/metrics`: figures every node reads from the one database.

use super::Db;
use sqlx::Row;

/// Counts by a label value (an SMS or roster status).
pub type ByStatus = Vec<(String, i64)>;

#[derive(Debug, Clone, Default)]
pub struct Figures {
    pub sms_by_status: ByStatus,
    pub rosters_by_status: ByStatus,
    pub payment_lines: i64,
    pub cases_open: i64,
    pub cases_overdue: i64,
}

pub async fn figures(db: &Db) -> Result<Figures, sqlx::Error> {
    let by_status = |sql: &'static str| async move {
        Ok::<_, sqlx::Error>(
            sqlx::query(sql)
                .fetch_all(&db.pool)
                .await?
                .iter()
                .map(|r| (r.get::<String, _>("status"), r.get::<i64, _>("n")))
                .collect::<ByStatus>(),
        )
    };
    let count = |sql: &'static str| async move { sqlx::query_scalar::<_, i64>(sql).fetch_one(&db.pool).await };
    let today = crate::ssr::clock::local_today();
    Ok(Figures {
        sms_by_status: by_status("SELECT status, COUNT(*) AS n FROM sms_outbox GROUP BY status ORDER BY status")
            .await?,
        rosters_by_status: by_status("SELECT status, COUNT(*) AS n FROM rosters GROUP BY status ORDER BY status")
            .await?,
        payment_lines: count("SELECT COUNT(*) FROM payments").await?,
        cases_open: count("SELECT COUNT(*) FROM cases WHERE status IN ('open', 'accepted', 'info_requested')").await?,
        cases_overdue: sqlx::query_scalar(
            "SELECT COUNT(*) FROM cases WHERE status IN ('open', 'accepted') AND deadline_on < $1",
        )
        .bind(today)
        .fetch_one(&db.pool)
        .await?,
    })
}
