//! SQL that feeds the search index (entries built from rows) and links its hits back to pages.

use crate::domain::payments::line_status_name;
use crate::domain::Money;
use crate::ssr::Db;
use search_index::{Entry, Kind};
use sqlx::Row;
use std::collections::HashMap;

/// This database's identity, created once; an index built from another database is rebuilt.
pub async fn instance_id(db: &Db) -> Result<String, sqlx::Error> {
    let fresh = crate::ssr::vault::encode_hex(&{
        let mut b = [0u8; 8];
        getrandom::getrandom(&mut b).map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
        b
    });
    sqlx::query("INSERT INTO settings (key, value) VALUES ('instance_id', $1) ON CONFLICT (key) DO NOTHING")
        .bind(fresh)
        .execute(&db.pool)
        .await?;
    sqlx::query_scalar("SELECT value FROM settings WHERE key = 'instance_id'").fetch_one(&db.pool).await
}

pub async fn last_change(db: &Db) -> Result<i64, sqlx::Error> {
    let id: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM change_log").fetch_one(&db.pool).await?;
    Ok(id.unwrap_or(0))
}

/// (change id, entity, entity id, deleted) after `after`, oldest first.
pub async fn changes_after(db: &Db, after: i64, limit: i64) -> Result<Vec<(i64, String, i64, bool)>, sqlx::Error> {
    Ok(sqlx::query("SELECT id, entity, entity_id, op FROM change_log WHERE id > $1 ORDER BY id LIMIT $2")
        .bind(after)
        .bind(limit)
        .fetch_all(&db.pool)
        .await?
        .into_iter()
        .map(|r| (r.get("id"), r.get("entity"), r.get("entity_id"), r.get::<String, _>("op") == "delete"))
        .collect())
}

/// One entry per item code, from the newest catalogue that has it.
pub async fn items(db: &Db, only_id: Option<i64>) -> Result<Vec<Entry>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT i.id, i.code, i.name, i.year, i.aliases, i.standard, i.frequency, d.name AS department, \
                p.name AS parent_name, c.code AS county, \
                (SELECT COUNT(*) FROM subsidy_items s WHERE s.parent_id = i.id) AS subs \
         FROM subsidy_items i JOIN departments d ON d.id = i.department_id JOIN regions c ON c.id = i.county_id \
         LEFT JOIN subsidy_items p ON p.id = i.parent_id \
         WHERE i.year = (SELECT MAX(year) FROM subsidy_items x WHERE x.code = i.code AND x.county_id = i.county_id) \
           AND ($1 = 0 OR (i.code, i.county_id) = (SELECT code, county_id FROM subsidy_items WHERE id = $1)) \
         ORDER BY i.code",
    )
    .bind(only_id.unwrap_or(0))
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let department: String = r.get("department");
            let parent: Option<String> = r.get("parent_name");
            let county: String = r.get("county");
            Entry {
                kind: Kind::Item,
                key: item_key(&r.get::<String, _>("code"), &county),
                title: r.get("name"),
                body: format!(
                    "{} {} {} {}",
                    parent.unwrap_or_default(),
                    r.get::<String, _>("standard"),
                    department,
                    crate::api::policies::frequency_name(&r.get::<String, _>("frequency"))
                ),
                aliases: r.get("aliases"),
                department: Some(department),
                year: Some(r.get::<i64, _>("year") as i32),
                township: None,
                county: Some(county),
            }
        })
        .collect())
}

/// An item's key in the index: its code in its county's catalogue (`14-01@510999`).
fn item_key(code: &str, county: &str) -> String {
    format!("{code}@{county}")
}

/// The page of an item's key: `/policies/14-01`, naming the county on a portal of several.
fn item_url(key: &str, many_counties: bool) -> String {
    match key.split_once('@') {
        Some((code, county)) if many_counties => format!("/policies/{code}?county={county}"),
        Some((code, _)) => format!("/policies/{code}"),
        None => format!("/policies/{key}"),
    }
}

pub async fn documents(db: &Db, only_id: Option<i64>) -> Result<Vec<Entry>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT doc.id, doc.title, doc.doc_number, doc.issuer, doc.published_on, doc.body, d.name AS department, \
                CASE WHEN r.level = 'county' THEN r.code END AS county \
         FROM documents doc LEFT JOIN departments d ON d.id = doc.department_id LEFT JOIN regions r ON r.id = d.region_id \
         WHERE ($1 = 0 OR doc.id = $1)",
    )
    .bind(only_id.unwrap_or(0))
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Entry {
            kind: Kind::Document,
            key: r.get::<i64, _>("id").to_string(),
            title: r.get("title"),
            body: format!(
                "{} {} {}",
                r.get::<String, _>("doc_number"),
                r.get::<String, _>("issuer"),
                r.get::<String, _>("body")
            ),
            aliases: String::new(),
            department: r.get::<Option<String>, _>("department").or_else(|| Some(r.get("issuer"))),
            year: r.get::<String, _>("published_on").get(..4).and_then(|y| y.parse().ok()),
            township: None,
            county: r.get("county"),
        })
        .collect())
}

const PUBLICITY_SQL: &str =
    "SELECT pe.id, pe.name_masked, pe.id_masked, pe.recipient_name_masked, pe.period, pe.amount_fen, \
        pe.status, v.name AS village, t.name AS township, i.name AS item, d.name AS department, c.code AS county \
     FROM publicity_entries pe JOIN regions v ON v.id = pe.village_id JOIN regions t ON t.id = v.parent_id \
     JOIN regions c ON c.id = t.parent_id \
     JOIN subsidy_items i ON i.id = pe.item_id JOIN departments d ON d.id = i.department_id";

fn publicity_entry(r: &sqlx::any::AnyRow) -> Entry {
    use crate::domain::date::period_words;
    let (name, village, item, period): (String, String, String, String) =
        (r.get("name_masked"), r.get("village"), r.get("item"), r.get("period"));
    let township: String = r.get("township");
    let recipient: Option<String> = r.get("recipient_name_masked");
    Entry {
        kind: Kind::Publicity,
        key: r.get::<i64, _>("id").to_string(),
        title: format!("{name} {village} {item} {}", period_words(&period)),
        body: format!(
            "{name} {} {}{township} {village} {item} {} {period} {}元 {}",
            r.get::<String, _>("id_masked"),
            recipient.map(|r| format!("代领/代管：{r} ")).unwrap_or_default(),
            period_words(&period),
            Money::from_fen(r.get("amount_fen")).plain(),
            line_status_name(&r.get::<String, _>("status")),
        ),
        aliases: String::new(),
        department: Some(r.get("department")),
        year: period.get(..4).and_then(|y| y.parse().ok()),
        township: Some(township),
        county: Some(r.get("county")),
    }
}

/// Publicity lines with id above `after` of periods `first` and later (the public years), in id
/// order, at most `limit` (for batched rebuilds).
pub async fn publicity_batch(db: &Db, after: i64, limit: i64, first: i32) -> Result<Vec<(i64, Entry)>, sqlx::Error> {
    let sql = format!(
        "{PUBLICITY_SQL} WHERE pe.id > $1 AND pe.period >= $3 AND pe.shown_as = 'line' ORDER BY pe.id LIMIT $2"
    );
    Ok(sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(after)
        .bind(limit)
        .bind(first.to_string())
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(|r| (r.get::<i64, _>("id"), publicity_entry(r)))
        .collect())
}

/// One publicity line, unless its period is before `first` (past the public years) or it was
/// publicised at township level (a small cell: no village page lists it, so search does not).
pub async fn publicity_one(db: &Db, id: i64, first: i32) -> Result<Option<Entry>, sqlx::Error> {
    let sql = format!("{PUBLICITY_SQL} WHERE pe.id = $1 AND pe.period >= $2 AND pe.shown_as = 'line'");
    Ok(sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(first.to_string())
        .fetch_optional(&db.pool)
        .await?
        .as_ref()
        .map(publicity_entry))
}

pub async fn publicity_count(db: &Db, first: i32) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM publicity_entries WHERE period >= $1 AND shown_as = 'line'")
        .bind(first.to_string())
        .fetch_one(&db.pool)
        .await
}

/// Page links of publicity hits, all in one query: entry id → (township code, village code, roster id).
pub async fn publicity_links(db: &Db, ids: &[i64]) -> Result<HashMap<i64, (String, String, i64)>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let placeholders: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT pe.id, t.code AS township, v.code AS village, pe.roster_id FROM publicity_entries pe \
         JOIN regions v ON v.id = pe.village_id JOIN regions t ON t.id = v.parent_id WHERE pe.id IN ({})",
        placeholders.join(", ")
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for id in ids {
        query = query.bind(*id);
    }
    Ok(query
        .fetch_all(&db.pool)
        .await?
        .into_iter()
        .map(|r| (r.get("id"), (r.get("township"), r.get("village"), r.get("roster_id"))))
        .collect())
}

/// Runs a search and turns its hits into links, loading the rows behind publicity hits in one query.
pub async fn run(
    db: &Db,
    search: &crate::ssr::search::Search,
    q: String,
    filter: crate::api::search::SearchFilter,
    page: u64,
) -> Result<crate::api::search::SearchPage, crate::ssr::search::QueryError> {
    use crate::api::search::{kind_name, FacetCount, Fragment, SearchHit, SearchPage, HITS_PER_PAGE};
    let (text, f) = (q.clone(), filter.clone());
    let results = search
        .query(move |index| {
            index.search(&search_index::Query {
                text: &text,
                kind: f.kind.as_deref().and_then(Kind::parse),
                department: f.department.as_deref(),
                year: f.year,
                township: f.township.as_deref(),
                county: f.county.as_deref(),
                offset: ((page - 1) * HITS_PER_PAGE) as usize,
                limit: HITS_PER_PAGE as usize,
            })
        })
        .await?;
    let publicity_ids: Vec<i64> =
        results.hits.iter().filter(|h| h.kind == Kind::Publicity).filter_map(|h| h.key.parse().ok()).collect();
    let links = publicity_links(db, &publicity_ids).await?;
    let counties = crate::ssr::regions::counties(db).await?;
    let many_counties = counties.len() > 1;
    let fragments = |f: &[search_index::Fragment]| -> Vec<Fragment> {
        f.iter().map(|x| Fragment { text: x.text.clone(), highlighted: x.highlighted }).collect()
    };
    let hits = results
        .hits
        .iter()
        .filter_map(|h| {
            let url = match h.kind {
                Kind::Item => item_url(&h.key, many_counties),
                Kind::Document => format!("/notices/{}", h.key),
                Kind::Publicity => {
                    let (t, v, r) = links.get(&h.key.parse::<i64>().ok()?)?;
                    format!("/publicity/{t}/{v}/{r}")
                }
            };
            Some(SearchHit {
                kind: h.kind.as_str().to_string(),
                url,
                title: fragments(&h.title),
                snippet: fragments(&h.snippet),
            })
        })
        .collect();
    let facet = |value: String, label: String, count: u64| FacetCount { value, label, count };
    let total = results.total as u64;
    Ok(SearchPage {
        q,
        filter,
        total,
        page,
        pages: total.div_ceil(HITS_PER_PAGE).max(1),
        hits,
        kinds: results
            .facets
            .kinds
            .iter()
            .map(|(k, n)| facet(k.as_str().into(), kind_name(k.as_str()).into(), *n))
            .collect(),
        departments: results.facets.departments.iter().map(|(d, n)| facet(d.clone(), d.clone(), *n)).collect(),
        years: results.facets.years.iter().map(|(y, n)| facet(y.to_string(), format!("{y}年"), *n)).collect(),
        townships: results.facets.townships.iter().map(|(t, n)| facet(t.clone(), t.clone(), *n)).collect(),
        // Offered only on a portal of several counties, by name.
        counties: results
            .facets
            .counties
            .iter()
            .filter(|_| many_counties)
            .map(|(code, n)| {
                let name = counties.iter().find(|c| &c.code == code).map_or_else(|| code.clone(), |c| c.name.clone());
                facet(code.clone(), name, *n)
            })
            .collect(),
        ready: search.is_ready(),
    })
}
