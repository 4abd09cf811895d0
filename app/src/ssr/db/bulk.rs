//! Multi-row INSERTs for bulk writes (the demo, roster imports), in the SQL both backends accept.

use super::Backend;
use sqlx::AnyConnection;
use std::future::Future;
use std::sync::Arc;
use std::task::Poll;

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

/// Rows made as they are written (encrypting, hashing), boxed: a caller's iterator of closures
/// held across an await would make its future's `Send` unprovable to the compiler.
pub type Lazy<'r> = Box<dyn Iterator<Item = Vec<Val>> + Send + 'r>;

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
    insert(conn, Shape { table, shared, columns }, rows).await
}

/// Ids for `n` new rows of `table` (whose key is `id`), taken in the writing transaction, so that
/// a bulk write names its rows' ids itself instead of reading them back: on SQLite, which the
/// transaction holds alone, the ones after the largest; on PostgreSQL from the table's identity
/// sequence, which other writers share.
pub async fn new_ids(conn: &mut AnyConnection, table: &str, n: usize) -> Result<Vec<i64>, sqlx::Error> {
    if n == 0 {
        return Ok(Vec::new());
    }
    if Backend::of_connection(conn) == Backend::Postgres {
        // The sequence named once (naming it in every row looks it up again each time: 2.2 s
        // for 900,000 ids against 0.3 s), and its values read back as runs of consecutive ids.
        let sequence: String =
            sqlx::query_scalar("SELECT pg_get_serial_sequence($1, 'id')").bind(table).fetch_one(&mut *conn).await?;
        let sql = format!(
            "SELECT MIN(id), MAX(id) FROM (SELECT id, id - ROW_NUMBER() OVER (ORDER BY id) AS run \
             FROM (SELECT nextval('{sequence}'::regclass) AS id FROM generate_series(1, $1)) taken) runs \
             GROUP BY run ORDER BY 1"
        );
        let runs: Vec<(i64, i64)> =
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(n as i64).fetch_all(&mut *conn).await?;
        return Ok(runs.into_iter().flat_map(|(first, last)| first..=last).collect());
    }
    let sql = format!("SELECT COALESCE(MAX(id), 0) FROM {table}");
    let last: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_one(&mut *conn).await?;
    Ok((last + 1..=last + n as i64).collect())
}

/// What a bulk INSERT statement looks like, whatever its number of rows.
#[derive(Clone, Copy)]
struct Shape<'a> {
    table: &'a str,
    shared: &'a [(&'a str, Val)],
    columns: &'a [&'a str],
}

/// Writes `rows` in statements of as many rows as the backend's parameters allow; returns the
/// number written.
async fn insert(
    conn: &mut AnyConnection,
    shape: Shape<'_>,
    rows: impl IntoIterator<Item = Vec<Val>>,
) -> Result<u64, sqlx::Error> {
    let sqlite = Backend::of_connection(conn) == Backend::Sqlite;
    let max = if sqlite { MAX_PARAMS_SQLITE } else { MAX_PARAMS };
    let per_statement = ((max - shape.shared.len()) / shape.columns.len().max(1)).max(1);
    let full_sql: Arc<str> = statement(shape, per_statement, sqlite).into();
    let mut rows = rows.into_iter();
    // The next statement with its values bound, or None when every row is written.
    let mut next = || -> Option<Statement> {
        let batch: Vec<Vec<Val>> = rows.by_ref().take(per_statement).collect();
        if batch.is_empty() {
            return None;
        }
        debug_assert!(batch.iter().all(|row| row.len() == shape.columns.len()), "row width for {}", shape.table);
        let sql =
            if batch.len() == per_statement { full_sql.clone() } else { statement(shape, batch.len(), sqlite).into() };
        Some(bound(sql, shape, batch, sqlite))
    };
    let mut written = 0;
    let mut ready = next();
    while let Some(query) = ready {
        let mut running = std::pin::pin!(query.execute(&mut *conn));
        // The first poll hands the statement to the database (SQLite's worker thread, or
        // PostgreSQL's server); the next one (the caller's rows: encryption, hashing; and their
        // binding) is made while it runs.
        let first = std::future::poll_fn(|cx| Poll::Ready(running.as_mut().poll(cx))).await;
        ready = next();
        written += match first {
            Poll::Ready(result) => result?,
            Poll::Pending => running.await?,
        }
        .rows_affected();
    }
    Ok(written)
}

/// A bulk INSERT with its values bound, ready to run.
type Statement = sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments>;

/// PostgreSQL: `INSERT INTO t (shared…, columns…) VALUES ($1…$k, $k+1…), ($1…$k, …)`.
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
    sql
}

/// `sql` with the values of `batch` (and the shared ones) bound in its order.
fn bound(sql: Arc<str>, shape: Shape<'_>, batch: Vec<Vec<Val>>, sqlite: bool) -> Statement {
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    let shared = || shape.shared.iter().map(|(_, v)| v.clone());
    let values: Box<dyn Iterator<Item = Val>> = if sqlite {
        Box::new(batch.into_iter().flat_map(|row| shared().chain(row)))
    } else {
        Box::new(shared().chain(batch.into_iter().flatten()))
    };
    for val in values {
        query = match val {
            Val::Int(v) => query.bind(v),
            Val::Text(v) => query.bind(v),
            Val::Blob(v) => query.bind(v),
        };
    }
    query
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_values_are_named_in_every_row_and_bound_once_on_postgresql() {
        let shared = [("roster_id", Val::from(7i64))];
        let shape = Shape { table: "payments", shared: &shared, columns: &["a", "b"] };
        assert_eq!(statement(shape, 2, false), "INSERT INTO payments (roster_id, a, b) VALUES ($1,$2,$3),($1,$4,$5)");
        assert_eq!(statement(shape, 2, true), "INSERT OR FAIL INTO payments (roster_id, a, b) VALUES (?,?,?),(?,?,?)");
        let plain = Shape { table: "t", shared: &[], columns: &["a", "b"] };
        assert_eq!(statement(plain, 2, false), "INSERT INTO t (a, b) VALUES ($1,$2),($3,$4)");
    }
}
