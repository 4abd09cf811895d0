//! The region tree (province → city → county → township → village): the counties a visitor picks
//! from and the one a public page shows, a staff member's area, the county a township or village
//! is in, the chain a county's holiday calendar is inherited along.

use super::db::Db;
use sqlx::Row;

/// A region with what lies under it down to the counties.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Area {
    /// The region itself and the cities and counties under it.
    pub regions: Vec<i64>,
    /// The counties among them, in the tree's order.
    pub counties: Vec<i64>,
}

/// The region's name (e.g. 岚山市（演示）); unknown: `None`.
pub async fn name(conn: &mut sqlx::AnyConnection, region_id: i64) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT name FROM regions WHERE id = $1").bind(region_id).fetch_optional(conn).await
}

/// The area rooted at `region_id` (a county's area is the county alone). Unknown: empty.
pub async fn area(conn: &mut sqlx::AnyConnection, region_id: i64) -> Result<Area, sqlx::Error> {
    let rows = sqlx::query(
        "WITH RECURSIVE area (id, level, sort_order) AS ( \
             SELECT id, level, sort_order FROM regions WHERE id = $1 AND level IN ('province', 'city', 'county') \
             UNION ALL \
             SELECT r.id, r.level, r.sort_order FROM regions r JOIN area a ON r.parent_id = a.id \
             WHERE r.level IN ('city', 'county')) \
         SELECT id, level FROM area ORDER BY sort_order, id",
    )
    .bind(region_id)
    .fetch_all(conn)
    .await?;
    let mut area = Area::default();
    for r in rows {
        let id: i64 = r.get("id");
        area.regions.push(id);
        if r.get::<String, _>("level") == "county" {
            area.counties.push(id);
        }
    }
    Ok(area)
}

/// A department as someone choosing among several counties' needs to see it: with its county or
/// city in front ("峨溪县 县民政局"), since every county has a 县民政局; as it is otherwise.
pub fn department_label(name: &str, region: &str, many_counties: bool) -> String {
    if many_counties && !name.starts_with(region) {
        format!("{region} {name}")
    } else {
        name.to_string()
    }
}

/// Region ids as an SQL list (`NULL`, which matches nothing, when empty). Ids are integers, so
/// inlining them is safe.
pub fn ids_sql(ids: &[i64]) -> String {
    if ids.is_empty() {
        "NULL".into()
    } else {
        ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
    }
}

/// A county as public pages name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct County {
    pub id: i64,
    /// GB/T 2260 code (six digits), as URLs carry it (`?county=510999`).
    pub code: String,
    pub name: String,
    /// The city above it, if the installation has one.
    pub city: Option<String>,
}

/// The cookie that remembers the county a visitor chose.
pub const COUNTY_COOKIE: &str = "county";

/// Whether `code` could be a county's code (six ASCII digits): anything else in a URL or cookie is
/// ignored before it reaches SQL.
pub fn county_code_shape(code: &str) -> bool {
    code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit())
}

/// The installation's counties, city by city, in the tree's order.
pub async fn counties(db: &Db) -> Result<Vec<County>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT c.id, c.code, c.name, p.name AS city, p.level AS parent_level FROM regions c \
         LEFT JOIN regions p ON p.id = c.parent_id WHERE c.level = 'county' \
         ORDER BY COALESCE(p.sort_order, 0), COALESCE(p.id, 0), c.sort_order, c.id",
    )
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .iter()
        .map(|r| County {
            id: r.get("id"),
            code: r.get("code"),
            name: r.get("name"),
            city: r.get::<Option<String>, _>("parent_level").filter(|l| l == "city").and(r.get("city")),
        })
        .collect())
}

/// The county a public page shows: the one its URL names, else the one the visitor chose before
/// (the cookie), else the installation's first. `None` only before any county is loaded.
pub async fn public_county(db: &Db, wanted: Option<&str>) -> Result<Option<County>, sqlx::Error> {
    Ok(public_county_among(&counties(db).await?, wanted))
}

/// [`public_county`] among counties already read.
pub fn public_county_among(all: &[County], wanted: Option<&str>) -> Option<County> {
    let chosen = super::request_cookie(COUNTY_COOKIE);
    let find =
        |code: Option<&str>| code.filter(|c| county_code_shape(c)).and_then(|c| all.iter().find(|x| x.code == c));
    find(wanted).or_else(|| find(chosen.as_deref())).or_else(|| all.first()).cloned()
}

/// The first county of the installation: the county of a one-county portal, whose catalogue,
/// departments and figures its public pages show.
pub async fn home_county(db: &Db) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM regions WHERE level = 'county' ORDER BY sort_order, id LIMIT 1")
        .fetch_optional(&db.pool)
        .await
}

/// The county a region is in (itself for a county); `None` above the counties or when unknown.
pub async fn county_of(conn: &mut sqlx::AnyConnection, region_id: i64) -> Result<Option<i64>, sqlx::Error> {
    let mut at = region_id;
    // Village → township → county: never more than a few steps.
    for _ in 0..6 {
        let row = sqlx::query("SELECT level, parent_id FROM regions WHERE id = $1")
            .bind(at)
            .fetch_optional(&mut *conn)
            .await?;
        let Some(row) = row else { return Ok(None) };
        match row.get::<String, _>("level").as_str() {
            "county" => return Ok(Some(at)),
            "province" | "city" => return Ok(None),
            _ => match row.get::<Option<i64>, _>("parent_id") {
                Some(parent) => at = parent,
                None => return Ok(None),
            },
        }
    }
    Ok(None)
}

/// A region and the regions above it, nearest first: a county's holiday calendar is its own
/// days, then its city's, then its province's.
pub async fn ancestry(conn: &mut sqlx::AnyConnection, region_id: i64) -> Result<Vec<i64>, sqlx::Error> {
    let mut chain = vec![region_id];
    while chain.len() < 8 {
        let parent: Option<Option<i64>> = sqlx::query_scalar("SELECT parent_id FROM regions WHERE id = $1")
            .bind(chain[chain.len() - 1])
            .fetch_optional(&mut *conn)
            .await?;
        match parent.flatten() {
            Some(p) => chain.push(p),
            None => break,
        }
    }
    Ok(chain)
}

#[cfg(test)]
mod tests {
    use super::ids_sql;

    #[test]
    fn only_six_digits_name_a_county() {
        assert!(super::county_code_shape("510999"));
        for bad in ["51099", "5109990", "51099x", "５１０９９９", "' OR 1", ""] {
            assert!(!super::county_code_shape(bad), "{bad}");
        }
    }

    #[test]
    fn id_lists_are_sql_lists() {
        assert_eq!(ids_sql(&[3, 14]), "3, 14");
        assert_eq!(ids_sql(&[]), "NULL");
    }
}
