//! Multi-row INSERTs for bulk writes (the demo, roster imports), in the SQL both backends accept.

use sqlx::any::AnyRow;
use sqlx::AnyConnection;

#[derive(Clone)]
pub enum Val {
    Int(Option<i64>),
    Text(Option<String>),
    Blob(Option<Vec<u8>>),
}

impl From<i64> for Val {
    fn from(v: i64) -> Self {
        Val::Int(Some(v))
    }
}
impl From<Option<i64>> for Val {
    fn from(v: Option<i64>) -> Self {
        Val::Int(v)
    }
}
impl From<&str> for Val {
    fn from(v: &str) -> Self {
        Val::Text(Some(v.to_string()))
    }
}
impl From<String> for Val {
    fn from(v: String) -> Self {
        Val::Text(Some(v))
    }
}
impl From<Option<String>> for Val {
    fn from(v: Option<String>) -> Self {
        Val::Text(v)
    }
}
impl From<Option<&str>> for Val {
    fn from(v: Option<&str>) -> Self {
        Val::Text(v.map(str::to_string))
    }
}
impl From<Vec<u8>> for Val {
    fn from(v: Vec<u8>) -> Self {
        Val::Blob(Some(v))
    }
}
impl From<Option<Vec<u8>>> for Val {
    fn from(v: Option<Vec<u8>>) -> Self {
        Val::Blob(v)
    }
}

/// Parameters per statement on PostgreSQL (its limit is 65,535). Each statement is a round trip:
/// at 120 a million-line import sent about 220,000 of them and its write took 126 s.
pub const MAX_PARAMS: usize = 16_000;

/// Parameters per statement on SQLite, which takes them as plain `?` in order. (SQLite finds a
/// named `$n` by walking the statement's list of names, so binding `$n` grows with the square
/// of a statement's parameters: measured on a million-line import, 1,000 per statement spent a
/// fifth of the time there.)
const MAX_PARAMS_SQLITE: usize = 2_000;

/// Inserts `rows` (each with one value per column) into `table`, many rows per statement.
/// Returns the number of rows written.
pub async fn insert_rows(
    conn: &mut AnyConnection,
    table: &str,
    columns: &[&str],
    rows: impl IntoIterator<Item = Vec<Val>>,
) -> Result<u64, sqlx::Error> {
    insert_rows_sharing(conn, table, &[], columns, rows).await
}

/// Like [`insert_rows`], with `shared` values (the same in every row: a roster id, a date),
/// given once (PostgreSQL binds them once per statement, SQLite in every row).
pub async fn insert_rows_sharing(
    conn: &mut AnyConnection,
    table: &str,
    shared: &[(&str, Val)],
    columns: &[&str],
    rows: impl IntoIterator<Item = Vec<Val>>,
) -> Result<u64, sqlx::Error> {
    let mut written = 0;
    insert(conn, Shape { table, shared, columns, returning: None }, rows, |n, _| written += n).await?;
    Ok(written)
}

/// Inserts like [`insert_rows`] and returns the `returning` columns (e.g. `"code, id"`) of every
/// row written, in no particular order: match them up by a unique column.
pub async fn insert_returning(
    conn: &mut AnyConnection,
    table: &str,
    columns: &[&str],
    rows: impl IntoIterator<Item = Vec<Val>>,
    returning: &str,
) -> Result<Vec<AnyRow>, sqlx::Error> {
    let mut out = Vec::new();
    insert(conn, Shape { table, shared: &[], columns, returning: Some(returning) }, rows, |_, rows| out.extend(rows))
        .await?;
    Ok(out)
}

/// What a bulk INSERT statement looks like, whatever its number of rows.
#[derive(Clone, Copy)]
struct Shape<'a> {
    table: &'a str,
    shared: &'a [(&'a str, Val)],
    columns: &'a [&'a str],
    returning: Option<&'a str>,
}

async fn insert(
    conn: &mut AnyConnection,
    shape: Shape<'_>,
    rows: impl IntoIterator<Item = Vec<Val>>,
    mut done: impl FnMut(u64, Vec<AnyRow>),
) -> Result<(), sqlx::Error> {
    let sqlite = conn.backend_name() != "PostgreSQL";
    let max = if sqlite { MAX_PARAMS_SQLITE } else { MAX_PARAMS };
    let per_statement = ((max - shape.shared.len()) / shape.columns.len().max(1)).max(1);
    let full_sql = statement(shape, per_statement, sqlite);
    let mut batch: Vec<Vec<Val>> = Vec::with_capacity(per_statement);
    for row in rows {
        debug_assert_eq!(row.len(), shape.columns.len(), "row width for {}", shape.table);
        batch.push(row);
        if batch.len() == per_statement {
            let (n, rows) = flush(conn, &full_sql, shape, &mut batch, sqlite).await?;
            done(n, rows);
        }
    }
    if !batch.is_empty() {
        let sql = statement(shape, batch.len(), sqlite);
        let (n, rows) = flush(conn, &sql, shape, &mut batch, sqlite).await?;
        done(n, rows);
    }
    Ok(())
}

/// PostgreSQL: `INSERT INTO t (shared…, columns…) VALUES ($1…$k, $k+1…), ($1…$k, …) [RETURNING …]`.
/// SQLite: `INSERT OR FAIL INTO t (…) VALUES (?, …), (?, …) …`, the shared values bound again in
/// every row. FAIL: a constraint that fails ends the statement where it is instead of undoing
/// it (ABORT, the default), which would need a copy of every page the statement touched (a
/// statement journal; with random keys such as ID hashes, a page per row and index). Every
/// caller writes in a transaction that an error rolls back whole.
fn statement(shape: Shape<'_>, rows: usize, sqlite: bool) -> String {
    let names: Vec<&str> = shape.shared.iter().map(|(name, _)| *name).chain(shape.columns.iter().copied()).collect();
    let insert = if sqlite { "INSERT OR FAIL" } else { "INSERT" };
    let mut sql = format!("{insert} INTO {} ({}) VALUES ", shape.table, names.join(", "));
    let row_of_marks = format!("({})", vec!["?"; shape.shared.len() + shape.columns.len()].join(","));
    let shared: Vec<String> = (1..=shape.shared.len()).map(|i| format!("${i}")).collect();
    let mut n = shape.shared.len();
    for r in 0..rows {
        if r > 0 {
            sql.push(',');
        }
        if sqlite {
            sql.push_str(&row_of_marks);
            continue;
        }
        sql.push('(');
        sql.push_str(&shared.join(","));
        for c in 0..shape.columns.len() {
            if c > 0 || !shared.is_empty() {
                sql.push(',');
            }
            n += 1;
            sql.push('$');
            sql.push_str(&n.to_string());
        }
        sql.push(')');
    }
    if let Some(returning) = shape.returning {
        sql.push_str(" RETURNING ");
        sql.push_str(returning);
    }
    sql
}

async fn flush(
    conn: &mut AnyConnection,
    sql: &str,
    shape: Shape<'_>,
    batch: &mut Vec<Vec<Val>>,
    sqlite: bool,
) -> Result<(u64, Vec<AnyRow>), sqlx::Error> {
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    let shared = || shape.shared.iter().map(|(_, v)| v.clone());
    let values: Box<dyn Iterator<Item = Val>> = if sqlite {
        Box::new(batch.drain(..).flat_map(|row| shared().chain(row)))
    } else {
        Box::new(shared().chain(batch.drain(..).flatten()))
    };
    for val in values {
        query = match val {
            Val::Int(v) => query.bind(v),
            Val::Text(v) => query.bind(v),
            Val::Blob(v) => query.bind(v),
        };
    }
    if shape.returning.is_some() {
        let rows = query.fetch_all(&mut *conn).await?;
        Ok((rows.len() as u64, rows))
    } else {
        Ok((query.execute(&mut *conn).await?.rows_affected(), Vec::new()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_values_are_named_in_every_row_and_bound_once_on_postgresql() {
        let shared = [("roster_id", Val::from(7i64))];
        let shape = Shape { table: "payments", shared: &shared, columns: &["a", "b"], returning: Some("id") };
        assert_eq!(
            statement(shape, 2, false),
            "INSERT INTO payments (roster_id, a, b) VALUES ($1,$2,$3),($1,$4,$5) RETURNING id"
        );
        assert_eq!(
            statement(shape, 2, true),
            "INSERT OR FAIL INTO payments (roster_id, a, b) VALUES (?,?,?),(?,?,?) RETURNING id"
        );
        let plain = Shape { table: "t", shared: &[], columns: &["a", "b"], returning: None };
        assert_eq!(statement(plain, 2, false), "INSERT INTO t (a, b) VALUES ($1,$2),($3,$4)");
    }
}
