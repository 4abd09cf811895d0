//! Multi-row INSERTs for bulk loads, in the SQL both backends accept.

use sqlx::AnyConnection;

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

/// Parameters per statement: well under SQLite's 32,766 and PostgreSQL's 65,535.
const MAX_PARAMS: usize = 300;

/// Inserts `rows` (each with one value per column) into `table`, many rows per statement.
/// Returns the number of rows written.
pub async fn insert_rows(
    conn: &mut AnyConnection,
    table: &str,
    columns: &[&str],
    rows: impl IntoIterator<Item = Vec<Val>>,
) -> Result<u64, sqlx::Error> {
    let per_statement = (MAX_PARAMS / columns.len()).max(1);
    let full_sql = statement(table, columns, per_statement);
    let mut batch: Vec<Vec<Val>> = Vec::with_capacity(per_statement);
    let mut written = 0;
    for row in rows {
        debug_assert_eq!(row.len(), columns.len(), "row width for {table}");
        batch.push(row);
        if batch.len() == per_statement {
            written += flush(conn, &full_sql, &mut batch).await?;
        }
    }
    if !batch.is_empty() {
        let sql = statement(table, columns, batch.len());
        written += flush(conn, &sql, &mut batch).await?;
    }
    Ok(written)
}

fn statement(table: &str, columns: &[&str], rows: usize) -> String {
    let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
    let mut n = 0;
    for r in 0..rows {
        if r > 0 {
            sql.push(',');
        }
        sql.push('(');
        for c in 0..columns.len() {
            if c > 0 {
                sql.push(',');
            }
            n += 1;
            sql.push('$');
            sql.push_str(&n.to_string());
        }
        sql.push(')');
    }
    sql
}

async fn flush(conn: &mut AnyConnection, sql: &str, batch: &mut Vec<Vec<Val>>) -> Result<u64, sqlx::Error> {
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for row in batch.drain(..) {
        for val in row {
            query = match val {
                Val::Int(v) => query.bind(v),
                Val::Text(v) => query.bind(v),
                Val::Blob(v) => query.bind(v),
            };
        }
    }
    Ok(query.execute(&mut *conn).await?.rows_affected())
}
