//! SQL for editing the catalogue and the forecast (应发数). Every change is indexed for search
//! and audited.

use super::Db;
use crate::api::catalogue::{deviates, Catalogue, CatalogueItem};
use crate::api::staff::{Choice, StaffMe};
use crate::domain::Money;
use crate::ssr::staff::{Role, Staff};
use sqlx::Row;

/// The county of `staff`'s area whose catalogue they asked for by `code` (a city's or province's
/// finance bureau keeps several); any other code, or none: the one they keep (`Staff::county_id`).
pub async fn county_of(db: &Db, staff: &Staff, code: Option<&str>) -> Result<i64, sqlx::Error> {
    if let Some(code) = code.map(str::trim).filter(|c| !c.is_empty()) {
        let id: Option<i64> = sqlx::query_scalar("SELECT id FROM regions WHERE level = 'county' AND code = $1")
            .bind(code)
            .fetch_optional(&db.pool)
            .await?;
        if let Some(id) = id.filter(|id| staff.counties.contains(id)) {
            return Ok(id);
        }
    }
    Ok(staff.county_id())
}

/// A year's catalogue of `county` (one of the person's area, from `county_of`).
pub async fn catalogue(
    db: &Db,
    staff: &Staff,
    me: StaffMe,
    county: i64,
    year: Option<i32>,
) -> Result<Catalogue, sqlx::Error> {
    let years: Vec<i32> =
        sqlx::query_scalar::<_, i64>("SELECT year FROM catalogue_years WHERE county_id = $1 ORDER BY year DESC")
            .bind(county)
            .fetch_all(&db.pool)
            .await?
            .into_iter()
            .map(|y| y as i32)
            .collect();
    let year = year.filter(|y| years.contains(y)).or_else(|| years.first().copied()).unwrap_or(0);
    let rows = sqlx::query(
        "SELECT i.id, i.code, i.name, i.level, i.department_id, d.name AS department, i.standard, i.standard_fen, i.frequency, i.bank_id, i.aliases, \
                (SELECT CAST(COALESCE(SUM(p.amount_fen), 0) AS BIGINT) FROM payments p JOIN subsidy_items x ON x.id = p.item_id \
                  WHERE x.code = i.code AND x.county_id = i.county_id AND p.status = 'paid' AND p.clawed_back_on IS NULL AND p.period LIKE $2) AS actual \
         FROM subsidy_items i JOIN departments d ON d.id = i.department_id WHERE i.year = $1 AND i.county_id = $3 \
         ORDER BY i.sort_order, i.id",
    )
    .bind(i64::from(year))
    .bind(format!("{year}%"))
    .bind(county)
    .fetch_all(&db.pool)
    .await?;
    let forecasts = sqlx::query(
        "SELECT item_code, revision, amount_fen FROM forecasts WHERE year = $1 AND county_id = $2 ORDER BY CASE revision WHEN 'initial' THEN 0 WHEN 'june' THEN 1 WHEN 'september' THEN 2 ELSE 3 END",
    )
    .bind(i64::from(year))
    .bind(county)
    .fetch_all(&db.pool)
    .await?;
    let documents = sqlx::query(
        "SELECT x.item_id, d.doc_number FROM item_documents x JOIN documents d ON d.id = x.document_id JOIN subsidy_items i ON i.id = x.item_id \
         WHERE i.year = $1 AND i.county_id = $2 AND d.doc_number <> '' ORDER BY d.published_on",
    )
    .bind(i64::from(year))
    .bind(county)
    .fetch_all(&db.pool)
    .await?;
    let year_over = crate::ssr::clock::local_today().as_str() > format!("{year}-12-31").as_str();
    let items = rows
        .iter()
        .map(|r| {
            let code: String = r.get("code");
            let forecast = forecasts
                .iter()
                .rev()
                .find(|f| f.get::<String, _>("item_code") == code)
                .map(|f| (f.get::<String, _>("revision"), Money::from_fen(f.get("amount_fen"))));
            let actual = Money::from_fen(r.get("actual"));
            let department_id: i64 = r.get("department_id");
            let item_id: i64 = r.get("id");
            let docs: Vec<String> = documents
                .iter()
                .filter(|d| d.get::<i64, _>("item_id") == item_id)
                .map(|d| d.get("doc_number"))
                .collect();
            CatalogueItem {
                documents: docs.join("；"),
                id: r.get("id"),
                name: r.get("name"),
                level: r.get("level"),
                department: r.get("department"),
                standard_text: r.get("standard"),
                standard_amount: r.get::<Option<i64>, _>("standard_fen").map(Money::from_fen),
                frequency: r.get("frequency"),
                bank_id: r.get("bank_id"),
                aliases: r.get("aliases"),
                actual_pct: forecast.as_ref().filter(|(_, f)| f.fen() > 0).map(|(_, f)| actual.fen() * 100 / f.fen()),
                flagged: forecast.as_ref().is_some_and(|(_, f)| deviates(actual, *f, year_over)),
                forecast,
                actual,
                editable: may_edit(staff, department_id),
                department_id,
                code,
            }
        })
        .collect();
    let choices = |sql: String| async move {
        Ok::<_, sqlx::Error>(
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .fetch_all(&db.pool)
                .await?
                .iter()
                .map(|r| Choice { value: r.get::<i64, _>("id").to_string(), label: r.get("name") })
                .collect(),
        )
    };
    let counties: Vec<Choice> = if staff.counties.len() > 1 {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT code, name FROM regions WHERE id IN ({}) ORDER BY sort_order, id",
            super::regions::ids_sql(&staff.counties)
        )))
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(|r| Choice { value: r.get("code"), label: r.get("name") })
        .collect()
    } else {
        Vec::new()
    };
    let code: String =
        sqlx::query_scalar("SELECT code FROM regions WHERE id = $1").bind(county).fetch_one(&db.pool).await?;
    Ok(Catalogue {
        me,
        county: code,
        counties,
        year,
        years,
        items,
        // Those of the county and of the city and province above it that pay items there.
        departments: choices(format!(
            "SELECT d.id, d.name FROM departments d WHERE d.id IN ({}) AND d.region_id IN ( \
               SELECT id FROM regions WHERE id = {county} \
               UNION SELECT parent_id FROM regions WHERE id = {county} \
               UNION SELECT p.parent_id FROM regions p JOIN regions c ON c.parent_id = p.id WHERE c.id = {county}) \
             ORDER BY d.id",
            super::regions::ids_sql(&staff.departments)
        ))
        .await?,
        banks: choices("SELECT id, name FROM banks ORDER BY id".into()).await?,
        finance: staff.role == Role::Finance,
    })
}

/// Finance may edit the items of its area's departments; a department its own.
pub fn may_edit(staff: &Staff, department: i64) -> bool {
    staff.can_act(department) && matches!(staff.role, Role::Finance | Role::Department)
}

/// An item's standard, frequency, bank and names as edited; finance may move it to another department.
#[derive(Debug, Clone)]
pub struct ItemEdit {
    pub name: String,
    pub standard_text: String,
    pub standard_amount: Option<Money>,
    pub frequency: String,
    pub bank_id: Option<i64>,
    pub aliases: String,
    pub department_id: Option<i64>,
    /// 文号 of the basis documents; None leaves them as they are.
    pub documents: Option<Vec<String>>,
}

/// Why an edit was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditRefused {
    NotAllowed,
    UnknownDocument,
}

/// Saves an edit, with its basis documents named by 文号.
pub async fn save_item(db: &Db, staff: &Staff, id: i64, e: &ItemEdit) -> Result<Result<(), EditRefused>, sqlx::Error> {
    let mut tx = db.begin().await?;
    let department: Option<i64> = sqlx::query_scalar("SELECT department_id FROM subsidy_items WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(department) = department.filter(|d| may_edit(staff, *d)) else { return Ok(Err(EditRefused::NotAllowed)) };
    if let Some(numbers) = &e.documents {
        let mut ids = Vec::new();
        for number in numbers {
            let doc: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM documents WHERE doc_number = $1")
                .bind(number)
                .fetch_one(&mut *tx)
                .await?;
            match doc {
                Some(doc) => ids.push(doc),
                None => return Ok(Err(EditRefused::UnknownDocument)),
            }
        }
        // The year's catalogue notice stays; the rest are as named.
        sqlx::query("DELETE FROM item_documents WHERE item_id = $1 AND document_id NOT IN (SELECT document_id FROM catalogue_years WHERE document_id IS NOT NULL)")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        for doc in ids {
            sqlx::query("DELETE FROM item_documents WHERE item_id = $1 AND document_id = $2")
                .bind(id)
                .bind(doc)
                .execute(&mut *tx)
                .await?;
            sqlx::query("INSERT INTO item_documents (item_id, document_id) VALUES ($1, $2)")
                .bind(id)
                .bind(doc)
                .execute(&mut *tx)
                .await?;
        }
    }
    let department = match e.department_id {
        Some(to) if staff.role == Role::Finance && staff.departments.contains(&to) => to,
        Some(to) if staff.role == Role::Finance && to != department => return Ok(Err(EditRefused::NotAllowed)),
        _ => department,
    };
    sqlx::query("UPDATE subsidy_items SET name = $1, standard = $2, standard_fen = $3, frequency = $4, bank_id = $5, aliases = $6, department_id = $7 WHERE id = $8")
        .bind(&e.name)
        .bind(&e.standard_text)
        .bind(e.standard_amount.map(Money::fen))
        .bind(&e.frequency)
        .bind(e.bank_id)
        .bind(&e.aliases)
        .bind(department)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    super::changes::record(&mut tx, super::changes::ITEM, id, false).await?;
    super::audit::append(&mut tx, &format!("staff:{}", staff.id), "item_saved", &format!("item:{id}"), "").await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// Adds an item to a year's catalogue of `county` (one of the finance bureau's area, from
/// `county_of`; finance only; the department must be of its area); false when the code is taken.
#[allow(clippy::too_many_arguments)]
pub async fn add_item(
    db: &Db,
    staff: &Staff,
    county: i64,
    year: i32,
    code: &str,
    level: &str,
    department: i64,
    e: &ItemEdit,
) -> Result<bool, sqlx::Error> {
    if !staff.departments.contains(&department) || !staff.counties.contains(&county) {
        return Ok(false);
    }
    let mut tx = db.begin().await?;
    let taken: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM subsidy_items WHERE year = $1 AND code = $2 AND county_id = $3")
            .bind(i64::from(year))
            .bind(code)
            .bind(county)
            .fetch_one(&mut *tx)
            .await?;
    let listed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM catalogue_years WHERE year = $1 AND county_id = $2")
        .bind(i64::from(year))
        .bind(county)
        .fetch_one(&mut *tx)
        .await?;
    if taken > 0 || listed == 0 {
        return Ok(false);
    }
    let parent: Option<i64> = match code.split_once('-') {
        Some((p, _)) => {
            sqlx::query_scalar("SELECT id FROM subsidy_items WHERE year = $1 AND code = $2 AND county_id = $3")
                .bind(i64::from(year))
                .bind(p)
                .bind(county)
                .fetch_optional(&mut *tx)
                .await?
        }
        None => None,
    };
    let order: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(sort_order), 0) + 1 FROM subsidy_items WHERE year = $1 AND county_id = $2",
    )
    .bind(i64::from(year))
    .bind(county)
    .fetch_one(&mut *tx)
    .await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO subsidy_items (county_id, year, code, name, parent_id, level, department_id, standard, standard_fen, frequency, bank_id, per_household, aliases, sort_order) \
         VALUES ($13, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $11, $12) RETURNING id",
    )
    .bind(i64::from(year))
    .bind(code)
    .bind(&e.name)
    .bind(parent)
    .bind(level)
    .bind(department)
    .bind(&e.standard_text)
    .bind(e.standard_amount.map(Money::fen))
    .bind(&e.frequency)
    .bind(e.bank_id)
    .bind(&e.aliases)
    .bind(order)
    .bind(county)
    .fetch_one(&mut *tx)
    .await?;
    super::changes::record(&mut tx, super::changes::ITEM, id, false).await?;
    super::audit::append(&mut tx, &format!("staff:{}", staff.id), "item_added", &format!("item:{id}"), "").await?;
    tx.commit().await?;
    Ok(true)
}

/// Records a forecast revision for an item (replacing the same revision); false when not allowed.
pub async fn save_forecast(
    db: &Db,
    staff: &Staff,
    item: i64,
    revision: &str,
    amount: Money,
    people: i64,
) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin().await?;
    let row = sqlx::query("SELECT county_id, year, code, department_id FROM subsidy_items WHERE id = $1")
        .bind(item)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(row) = row.filter(|r| may_edit(staff, r.get("department_id"))) else { return Ok(false) };
    let (county, year, code): (i64, i64, String) = (row.get("county_id"), row.get("year"), row.get("code"));
    sqlx::query("DELETE FROM forecasts WHERE county_id = $1 AND year = $2 AND item_code = $3 AND revision = $4")
        .bind(county)
        .bind(year)
        .bind(&code)
        .bind(revision)
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO forecasts (county_id, year, item_code, revision, amount_fen, people, staff_id, at) VALUES ($8, $1, $2, $3, $4, $5, $6, $7)")
        .bind(year)
        .bind(&code)
        .bind(revision)
        .bind(amount.fen())
        .bind(people)
        .bind(staff.id)
        .bind(crate::ssr::clock::now())
        .bind(county)
        .execute(&mut *tx)
        .await?;
    super::audit::append(&mut tx, &format!("staff:{}", staff.id), "forecast_saved", &format!("item:{item}"), revision)
        .await?;
    tx.commit().await?;
    Ok(true)
}

/// Opens the next year's catalogue of the finance bureau's county as a copy of `year`'s; false
/// when it exists already.
pub async fn new_year(db: &Db, staff: &Staff, county: i64, year: i32) -> Result<bool, sqlx::Error> {
    let next = i64::from(year) + 1;
    if !staff.counties.contains(&county) {
        return Ok(false);
    }
    let mut tx = db.begin().await?;
    let listed = "SELECT COUNT(*) FROM catalogue_years WHERE year = $1 AND county_id = $2";
    let exists: i64 = sqlx::query_scalar(listed).bind(next).bind(county).fetch_one(&mut *tx).await?;
    let source: i64 = sqlx::query_scalar(listed).bind(i64::from(year)).bind(county).fetch_one(&mut *tx).await?;
    if exists > 0 || source == 0 {
        return Ok(false);
    }
    sqlx::query("INSERT INTO catalogue_years (county_id, year, title, published_on) VALUES ($4, $1, $2, $3)")
        .bind(next)
        .bind(format!("{next}年惠民惠农财政补贴政策清单"))
        .bind(crate::ssr::clock::local_today())
        .bind(county)
        .execute(&mut *tx)
        .await?;
    let items = sqlx::query(
        "SELECT i.id, i.code, i.name, p.code AS parent_code, i.level, i.department_id, i.standard, i.standard_fen, i.frequency, i.bank_id, \
                i.per_household, i.aliases, i.sort_order, i.source_region_id FROM subsidy_items i LEFT JOIN subsidy_items p ON p.id = i.parent_id \
         WHERE i.year = $1 AND i.county_id = $2 ORDER BY i.parent_id IS NOT NULL, i.sort_order, i.id",
    )
    .bind(i64::from(year))
    .bind(county)
    .fetch_all(&mut *tx)
    .await?;
    let mut ids = std::collections::HashMap::new();
    for r in &items {
        let parent = r.get::<Option<String>, _>("parent_code").and_then(|c| ids.get(&c).copied());
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO subsidy_items (county_id, source_region_id, year, code, name, parent_id, level, department_id, standard, standard_fen, \
             frequency, bank_id, per_household, aliases, sort_order) \
             VALUES ($14, $15, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
        )
        .bind(next)
        .bind(r.get::<String, _>("code"))
        .bind(r.get::<String, _>("name"))
        .bind(parent)
        .bind(r.get::<String, _>("level"))
        .bind(r.get::<i64, _>("department_id"))
        .bind(r.get::<String, _>("standard"))
        .bind(r.get::<Option<i64>, _>("standard_fen"))
        .bind(r.get::<String, _>("frequency"))
        .bind(r.get::<Option<i64>, _>("bank_id"))
        .bind(r.get::<i64, _>("per_household"))
        .bind(r.get::<String, _>("aliases"))
        .bind(r.get::<i64, _>("sort_order"))
        .bind(county)
        .bind(r.get::<Option<i64>, _>("source_region_id"))
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO item_documents (item_id, document_id) SELECT $1, document_id FROM item_documents WHERE item_id = $2")
            .bind(id)
            .bind(r.get::<i64, _>("id"))
            .execute(&mut *tx)
            .await?;
        ids.insert(r.get::<String, _>("code"), id);
        super::changes::record(&mut tx, super::changes::ITEM, id, false).await?;
    }
    super::audit::append(&mut tx, &format!("staff:{}", staff.id), "catalogue_year_opened", &format!("year:{next}"), "")
        .await?;
    tx.commit().await?;
    Ok(true)
}
