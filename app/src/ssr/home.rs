//! SQL behind the home page and the site header.

use super::regions::County;
use super::Db;
use crate::api::home::{HomeFigures, NoticeHeadline, SiteInfo};
use crate::domain::Money;
use sqlx::Row;
use std::time::Duration;

/// How long a node keeps what every page's header reads before reading it again. The serving
/// process never changes it; a county added by `server import-county` reaches the headers of
/// running nodes within this time. Read for each page, it was two of the four queries of a
/// citizen's payments page (issue 22, BENCHMARKS.md).
pub const SITE_TTL: Duration = Duration::from_secs(1);

/// What every page's header reads, the same for every visitor: the counties, the installation's
/// name for itself and whether its data is the demo's.
#[derive(Debug, Clone)]
pub struct Site {
    counties: Vec<County>,
    county_name: Option<String>,
    is_demo: bool,
}

pub async fn site(db: &Db) -> Result<Site, sqlx::Error> {
    let rows =
        sqlx::query("SELECT key, value FROM settings WHERE key IN ('county_name', 'demo')").fetch_all(&db.pool).await?;
    let get = |k: &str| rows.iter().find(|r| r.get::<String, _>("key") == k).map(|r| r.get::<String, _>("value"));
    Ok(Site {
        counties: super::regions::counties(db).await?,
        county_name: get("county_name"),
        is_demo: get("demo").as_deref() == Some("1"),
    })
}

/// The county the page shows (`wanted`: the URL's county code) and whether this is the demo.
pub fn site_info(site: &Site, wanted: Option<&str>) -> SiteInfo {
    let many_counties = site.counties.len() > 1;
    let county = super::regions::public_county_among(&site.counties, wanted);
    let county_name = match (&county, many_counties) {
        (Some(c), true) => c.name.clone(),
        _ => site.county_name.clone().unwrap_or_else(|| "（未配置县名）".to_string()),
    };
    SiteInfo {
        county_name,
        county_code: county.map(|c| c.code).unwrap_or_default(),
        many_counties,
        is_demo: site.is_demo,
    }
}

/// A county's figures of the latest year with payments.
pub async fn figures(db: &Db, county: i64) -> Result<HomeFigures, sqlx::Error> {
    let last_paid: Option<String> = sqlx::query_scalar(
        "SELECT MAX(p.paid_on) FROM payments p JOIN subsidy_items i ON i.id = p.item_id \
         WHERE p.paid_on IS NOT NULL AND p.status = 'paid' AND i.county_id = $1",
    )
    .bind(county)
    .fetch_one(&db.pool)
    .await?;
    let year = last_paid.as_deref().and_then(|d| d.get(..4)).and_then(|y| y.parse::<i32>().ok());
    let (amount_paid, people_paid, items_paid, by_item, by_township) = match year {
        Some(year) => {
            let row = sqlx::query(
                "SELECT CAST(COALESCE(SUM(p.amount_fen), 0) AS BIGINT) AS amount, \
                        COUNT(DISTINCT p.beneficiary_id) AS people, \
                        COUNT(DISTINCT i.code) AS items \
                 FROM payments p JOIN subsidy_items i ON i.id = p.item_id \
                 WHERE p.status = 'paid' AND p.clawed_back_on IS NULL AND p.paid_on >= $1 AND p.paid_on < $2 AND i.county_id = $3",
            )
            .bind(format!("{year}-01-01"))
            .bind(format!("{}-01-01", year + 1))
            .bind(county)
            .fetch_one(&db.pool)
            .await?;
            let range = (format!("{year}-01-01"), format!("{}-01-01", year + 1));
            let by_item = sqlx::query(
                "SELECT COALESCE(parent.name, i.name) AS label, CAST(SUM(p.amount_fen) AS BIGINT) AS amount \
                 FROM payments p JOIN subsidy_items i ON i.id = p.item_id \
                 LEFT JOIN subsidy_items parent ON parent.id = i.parent_id \
                 WHERE p.status = 'paid' AND p.clawed_back_on IS NULL AND p.paid_on >= $1 AND p.paid_on < $2 AND i.county_id = $3 \
                 GROUP BY COALESCE(parent.name, i.name) ORDER BY amount DESC",
            )
            .bind(&range.0)
            .bind(&range.1)
            .bind(county)
            .fetch_all(&db.pool)
            .await?;
            let by_township = sqlx::query(
                "SELECT t.name AS label, CAST(SUM(p.amount_fen) AS BIGINT) AS amount \
                 FROM payments p JOIN rosters ro ON ro.id = p.roster_id JOIN regions t ON t.id = ro.region_id \
                 WHERE p.status = 'paid' AND p.clawed_back_on IS NULL AND p.paid_on >= $1 AND p.paid_on < $2 AND t.parent_id = $3 \
                 GROUP BY t.id, t.name, t.sort_order ORDER BY t.sort_order",
            )
            .bind(&range.0)
            .bind(&range.1)
            .bind(county)
            .fetch_all(&db.pool)
            .await?;
            let pairs = |rows: Vec<sqlx::any::AnyRow>| -> Vec<(String, Money)> {
                rows.into_iter().map(|r| (r.get("label"), Money::from_fen(r.get("amount")))).collect()
            };
            (
                Money::from_fen(row.get("amount")),
                row.get("people"),
                row.get("items"),
                pairs(by_item),
                pairs(by_township),
            )
        }
        None => (Money::ZERO, 0, 0, Vec::new(), Vec::new()),
    };
    let latest = format!(
        "SELECT id, title, published_on FROM documents WHERE {} ORDER BY published_on DESC, id DESC LIMIT 6",
        super::notices::shown_in(county)
    );
    let latest_notices = sqlx::query(sqlx::AssertSqlSafe(latest))
        .fetch_all(&db.pool)
        .await?
        .into_iter()
        .map(|r| NoticeHeadline { id: r.get("id"), title: r.get("title"), published_on: r.get("published_on") })
        .collect();
    let townships_paid = by_township.len();
    Ok(HomeFigures { year, amount_paid, people_paid, items_paid, by_item, by_township, townships_paid, latest_notices })
}
