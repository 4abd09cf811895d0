//! The database itself: an sqlx `Any` pool over SQLite (default) or PostgreSQL, with the
//! migrations of both kept in step, bulk writes, row counts, and a SQLite file's copy for backups.
//! Each area's SQL lives in its own module of `ssr` (none here), written once in the portable
//! subset both backends accept (`$1` placeholders, BIGINT casts on sums, ISO text dates).

pub mod bulk;

use sqlx::any::{install_default_drivers, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Connection, Executor};
use std::time::Duration;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Option<Self> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }

    /// The migrations for this backend; both directories hold the same numbered files.
    pub fn migrator(self) -> &'static Migrator {
        match self {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        }
    }

    /// The backend of an open connection.
    pub fn of_connection(conn: &sqlx::AnyConnection) -> Self {
        if conn.backend_name() == "PostgreSQL" {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }

    /// An aggregate giving `columns` of every row it sees as one JSON text of arrays (read it
    /// with [`json_rows`]). Many rows handed one at a time through sqlx's `Any` driver cost more
    /// than the query: a household head's 200 lines, a roster check's million people (issue 22,
    /// BENCHMARKS.md).
    pub fn json_rows(self, columns: &str) -> String {
        match self {
            Backend::Sqlite => format!("CAST(json_group_array(json_array({columns})) AS TEXT)"),
            Backend::Postgres => format!("CAST(json_agg(json_build_array({columns})) AS TEXT)"),
        }
    }
}

/// The rows of a [`Backend::json_rows`] aggregate, each as `T` (none for NULL: PostgreSQL's
/// aggregate of no rows).
pub fn json_rows<T: serde::de::DeserializeOwned>(json: Option<String>) -> Result<Vec<T>, sqlx::Error> {
    match json {
        Some(json) => serde_json::from_str(&json).map_err(|e| sqlx::Error::Decode(Box::new(e))),
        None => Ok(Vec::new()),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("DATABASE_URL must start with sqlite: or postgres:")]
    UnknownBackend,
    #[error("cannot create the directory for the SQLite file {0}: {1}")]
    Directory(String, std::io::Error),
    #[error("cannot lock {0} while migrating: {1}")]
    MigrationLock(String, std::io::Error),
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

#[derive(Clone, Debug)]
pub struct Db {
    pub pool: AnyPool,
    /// The same database through connections that plan a prepared statement once for any
    /// parameters (PostgreSQL's generic plan; on SQLite, which plans every statement once
    /// anyway, `pool` itself). For a look-up whose planning costs more than its run and whose
    /// plan does not depend on the values: PostgreSQL planned the self-check's query anew for
    /// each person (3–4 ms) and then ran it in 0.1–2 ms (issue 22, BENCHMARKS.md).
    pub generic_plans: AnyPool,
    pub backend: Backend,
}

impl Db {
    /// Connects (creating the SQLite file and its directory if missing) and applies the
    /// pending migrations. SQLite runs in WAL mode with foreign keys on.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, DbError> {
        install_default_drivers();
        let backend = Backend::of_url(url).ok_or(DbError::UnknownBackend)?;
        let url = match backend {
            Backend::Sqlite => prepare_sqlite_url(url)?,
            Backend::Postgres => url.to_string(),
        };
        let pool = pool_options(max_connections)
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    // Pages are read with read(), not through a memory map: a person's lines
                    // and their publicity are on a few index pages (migration 0013), and a map
                    // made the server hold most of the file as its own resident memory, the
                    // kernel mapping 64 KB around every page touched (issue 22, BENCHMARKS.md).
                    if backend == Backend::Sqlite {
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
                             PRAGMA cache_size = -8000; PRAGMA temp_store = MEMORY;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await?;
        // PostgreSQL migrations take an advisory lock; SQLite's take none, so nodes (or the CLI)
        // starting together on one new file hold a lock file while they migrate.
        let _lock = match backend {
            Backend::Sqlite => migration_lock(&url).await?,
            Backend::Postgres => None,
        };
        backend.migrator().run(&pool).await?;
        let generic_plans = match backend {
            Backend::Sqlite => pool.clone(),
            Backend::Postgres => pool_options(max_connections)
                .after_connect(|conn, _meta| {
                    Box::pin(async move {
                        conn.execute("SET plan_cache_mode = force_generic_plan").await?;
                        Ok(())
                    })
                })
                .connect_lazy(&url)?,
        };
        Ok(Db { pool, generic_plans, backend })
    }

    /// Begins a transaction that will write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`, waiting up to the busy timeout): a transaction that read first and
    /// only then tried to write would fail at once when another connection or process wrote
    /// in between, and the busy timeout cannot help it.
    pub async fn begin(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
    }

    /// A connection of its own for a bulk write of rows this program made and keyed itself (a
    /// roster import, the demo). On SQLite it gets a page cache of up to 1 GB (with the usual
    /// 8 MB SQLite spills a large transaction's pages to the WAL over and over) and no
    /// foreign-key enforcement: with it, every multi-row INSERT keeps a copy of each page it
    /// touches until it ends (a statement journal), a tenth of a million-line import's time.
    /// On PostgreSQL the same: each foreign key is a trigger that looks up the row referred to,
    /// once per row written, three quarters of the database's time in a million-line import.
    /// Skipping them (`session_replication_role = replica`) needs a superuser or a role granted
    /// it (`GRANT SET ON PARAMETER session_replication_role TO …`); without that the write is
    /// checked row by row as usual, only slower.
    /// The ids such a write refers to were read in the same transaction. The connection is
    /// closed when dropped, so these settings never reach the pool. Begin with [`Db::begin_on`].
    pub async fn bulk_connection(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Any>, sqlx::Error> {
        let mut conn = self.lookup_connection().await?;
        conn.close_on_drop();
        match self.backend {
            Backend::Sqlite => {
                sqlx::query("PRAGMA foreign_keys = OFF").execute(&mut *conn).await?;
            }
            Backend::Postgres => {
                if let Err(e) = sqlx::query("SET session_replication_role = replica").execute(&mut *conn).await {
                    let denied = e.as_database_error().and_then(|d| d.code()).is_some_and(|code| code == "42501");
                    if !denied {
                        return Err(e);
                    }
                    tracing::info!("bulk write with foreign keys checked row by row: this role may not skip them");
                }
            }
        }
        Ok(conn)
    }

    /// A connection for reading much of the database at once (a large roster's check runs
    /// three of them side by side): on SQLite with a bulk write's page cache instead of the
    /// pool's 8 MB, which a million-line roster's look-ups outgrow (2.5 s of a 9 s check on the
    /// 1M benchmark, issue 22). Closed when dropped, so the cache never stays in the pool.
    pub async fn lookup_connection(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Any>, sqlx::Error> {
        let mut conn = self.pool.acquire().await?;
        if self.backend == Backend::Sqlite {
            conn.close_on_drop();
            sqlx::query(LARGE_CACHE).execute(&mut *conn).await?;
        }
        Ok(conn)
    }

    /// Begins a writing transaction on `conn`, as [`Db::begin`] does on a pooled connection.
    pub async fn begin_on<'c>(
        &self,
        conn: &'c mut sqlx::AnyConnection,
    ) -> Result<sqlx::Transaction<'c, sqlx::Any>, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => conn.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => conn.begin().await,
        }
    }

    /// Whether the database answers (for the readiness check).
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map(|_| ())
    }

    /// How many rows `table` holds (what a backup, a start or the demo reports or checks).
    pub async fn count(&self, table: Counted) -> Result<i64, sqlx::Error> {
        let sql = format!("SELECT COUNT(*) FROM {}", table.table());
        sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql)).fetch_one(&self.pool).await
    }

    /// Writes a consistent copy of a SQLite database to `target` (one statement, one read
    /// transaction, so the server may keep writing meanwhile).
    pub async fn copy_sqlite_to(&self, target: &str) -> Result<(), sqlx::Error> {
        sqlx::query("VACUUM INTO $1").bind(target).execute(&self.pool).await.map(|_| ())
    }

    /// Brings identity sequences past explicitly inserted ids (PostgreSQL only; SQLite's
    /// rowids need nothing). Called after bulk loads that choose their own ids.
    pub async fn sync_id_sequences(&self, tables: &[&str]) -> Result<(), sqlx::Error> {
        if self.backend == Backend::Postgres {
            for table in tables {
                let sql = format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                     GREATEST((SELECT MAX(id) FROM {table}), 1))"
                );
                sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&self.pool).await?;
            }
        }
        Ok(())
    }

    /// After a bulk load (the demo, a county joining): PostgreSQL plans from table statistics,
    /// which autovacuum gathers only a while later; until then a self-check joined every payment
    /// (38 s on the 2,000-person demo). The vacuum marks the new pages all-visible, so the
    /// self-check reads a person's lines from its indexes alone (migration 0013) from the start
    /// instead of visiting each line's table page. SQLite plans from its indexes alone.
    pub async fn gather_statistics(&self) -> Result<(), sqlx::Error> {
        if self.backend == Backend::Postgres {
            sqlx::query("VACUUM ANALYZE").execute(&self.pool).await?;
        }
        Ok(())
    }
}

/// SQLite's page cache on a connection for a bulk write or a large read: up to 1 GB, used only as
/// pages are read.
const LARGE_CACHE: &str = "PRAGMA cache_size = -1048576";

/// How long a pooled connection may sit unused before it is asked whether it is still there.
pub const TRUSTED_IDLE: Duration = Duration::from_secs(5);

/// The options both pools share. sqlx asks a pooled connection whether it is still there (a
/// round trip) when it is given back, and by default again before each use: a second round trip
/// for every query, waited for by the request, a fifth of a self-check on PostgreSQL (issue 22).
/// A connection given back in the last few seconds is taken as it is; one idle for longer is
/// still asked first, so a database restarted while the site was quiet costs nobody an error.
fn pool_options(max_connections: u32) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(30))
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for > TRUSTED_IDLE {
                    conn.ping().await?;
                }
                Ok(true)
            })
        })
}

/// What the database's size is told by: its regions (none before anything is loaded), its
/// people and its cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    Regions,
    People,
    Cases,
}

impl Counted {
    fn table(self) -> &'static str {
        match self {
            Counted::Regions => "regions",
            Counted::People => "beneficiaries",
            Counted::Cases => "cases",
        }
    }
}

/// The number of tables in a PostgreSQL database's public schema, without migrating it (a
/// restore goes only into an empty database).
pub async fn postgres_tables(url: &str) -> Result<i64, sqlx::Error> {
    install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(url).await?;
    let tables = sqlx::query_scalar("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'")
        .fetch_one(&mut conn)
        .await;
    let _ = conn.close().await;
    tables
}

/// The file of a SQLite URL (`sqlite://data/portal.db?mode=rwc` → `data/portal.db`); none for
/// an in-memory database or another backend.
pub fn sqlite_path(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("sqlite:")?.trim_start_matches("//");
    let path = rest.split_once('?').map_or(rest, |(p, _)| p);
    (!path.is_empty() && path != ":memory:").then_some(path)
}

/// An exclusive lock on `<file>.migrate-lock` next to the SQLite file, held until dropped.
async fn migration_lock(url: &str) -> Result<Option<std::fs::File>, DbError> {
    let Some(path) = sqlite_path(url) else {
        return Ok(None);
    };
    let lock_path = format!("{path}.migrate-lock");
    let locked = tokio::task::spawn_blocking(move || {
        let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&lock_path)?;
        file.lock()?;
        Ok::<_, std::io::Error>(file)
    })
    .await
    .map_err(|e| DbError::MigrationLock(path.to_string(), std::io::Error::other(e.to_string())))?
    .map_err(|e| DbError::MigrationLock(path.to_string(), e))?;
    Ok(Some(locked))
}

/// `sqlite://path` → make sure the directory exists and the file may be created.
fn prepare_sqlite_url(url: &str) -> Result<String, DbError> {
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path != ":memory:" && !path.is_empty() {
        if let Some(dir) = std::path::Path::new(path).parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| DbError::Directory(path.to_string(), e))?;
        }
    }
    let query = if query.contains("mode=") {
        query.to_string()
    } else if query.is_empty() {
        "mode=rwc".into()
    } else {
        format!("{query}&mode=rwc")
    };
    Ok(format!("sqlite://{path}?{query}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_backends_have_the_same_migrations() {
        let names = |m: &Migrator| m.iter().map(|x| (x.version, x.description.to_string())).collect::<Vec<_>>();
        assert_eq!(names(&SQLITE_MIGRATIONS), names(&POSTGRES_MIGRATIONS));
        assert!(SQLITE_MIGRATIONS.iter().count() > 0);
        // After each migration both backends have the same tables, columns and indexes (SQLite
        // may rebuild a table where PostgreSQL alters it).
        let (mut lite, mut pg) = (Schema::default(), Schema::default());
        for (lite_sql, pg_sql) in SQLITE_MIGRATIONS.iter().zip(POSTGRES_MIGRATIONS.iter()) {
            let before = lite.objects();
            lite.apply(lite_sql.sql.as_str());
            pg.apply(pg_sql.sql.as_str());
            assert_ne!(before, lite.objects(), "migration {} changes nothing", lite_sql.version);
            assert_eq!(
                lite.objects(),
                pg.objects(),
                "after migration {}, migrations/sqlite and migrations/postgres differ",
                lite_sql.version
            );
        }
        let last = lite.objects();
        for object in ["settings", "settings.key", "regions.parent_id", "index regions_parent", "departments.region_id"]
        {
            assert!(last.contains(&object.to_string()), "{object} in {last:?}");
        }
        let rebuilt = "CREATE TABLE a_new (\n    y INTEGER\n);\nDROP TABLE a;\nALTER TABLE a_new RENAME TO a;";
        let (mut one, mut other) = (Schema::default(), Schema::default());
        one.apply("CREATE TABLE a (\n    x INTEGER\n);\nCREATE INDEX a_x ON a (x);");
        other.apply("CREATE TABLE a (\n    x INTEGER\n);\nCREATE INDEX a_x ON a (x);");
        other.apply(rebuilt);
        assert_eq!(other.objects(), vec!["a".to_string(), "a.y".to_string()]);
        one.apply("ALTER TABLE a ADD COLUMN y INTEGER;\nALTER TABLE a ADD CONSTRAINT k UNIQUE (y);");
        assert_eq!(one.objects(), vec!["a", "a.x", "a.y", "index a_x"]);
        one.apply("DROP INDEX a_x;\nCREATE INDEX a_x ON a (x) WHERE x IS NOT NULL;");
        assert_eq!(one.objects(), vec!["a", "a.x", "a.y", "index a_x, partial"]);
    }

    /// Tables with their columns and indexes, as a sequence of migrations leaves them.
    #[derive(Default)]
    struct Schema {
        tables: std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
        /// Index name → its table, and whether it is partial (`WHERE …`).
        indexes: std::collections::BTreeMap<String, (String, bool)>,
    }

    impl Schema {
        /// "table", "table.column" and "index name" ("index name, partial"), sorted.
        fn objects(&self) -> Vec<String> {
            let mut objects: Vec<String> = self
                .tables
                .iter()
                .flat_map(|(t, columns)| {
                    std::iter::once(t.clone()).chain(columns.iter().map(move |c| format!("{t}.{c}")))
                })
                .collect();
            objects.extend(
                self.indexes
                    .iter()
                    .map(|(i, (_, partial))| format!("index {i}{}", if *partial { ", partial" } else { "" })),
            );
            objects.sort();
            objects
        }

        fn apply(&mut self, sql: &str) {
            let mut table: Option<String> = None;
            for line in sql.lines().map(|l| l.split("--").next().unwrap_or("").trim()) {
                let words: Vec<&str> = line.split_whitespace().collect();
                let upper: Vec<String> = words.iter().map(|w| w.to_ascii_uppercase()).collect();
                let up = |i: usize| upper.get(i).map(String::as_str).unwrap_or("");
                let word = |i: usize| {
                    words
                        .get(i)
                        .map(|w| w.trim_matches(|c| c == '(' || c == ';' || c == ',').to_string())
                        .unwrap_or_default()
                };
                if up(0) == "CREATE" && up(1) == "TABLE" {
                    let name = if up(2) == "IF" { word(5) } else { word(2) };
                    self.tables.insert(name.clone(), Default::default());
                    table = Some(name);
                } else if up(0) == "CREATE" && upper.iter().any(|w| w == "INDEX") {
                    let at = upper.iter().position(|w| w == "INDEX").unwrap_or(0) + 1;
                    let at = if up(at) == "IF" { at + 3 } else { at };
                    let on = upper.iter().position(|w| w == "ON").unwrap_or(0) + 1;
                    self.indexes.insert(word(at), (word(on), upper.iter().any(|w| w == "WHERE")));
                } else if up(0) == "DROP" && up(1) == "TABLE" {
                    let name = word(2);
                    self.tables.remove(&name);
                    self.indexes.retain(|_, (t, _)| *t != name);
                } else if up(0) == "DROP" && up(1) == "INDEX" {
                    self.indexes.remove(&word(2));
                } else if up(0) == "ALTER" && up(1) == "TABLE" && up(3) == "RENAME" && up(4) == "TO" {
                    let (from, to) = (word(2), word(5));
                    if let Some(columns) = self.tables.remove(&from) {
                        self.tables.insert(to.clone(), columns);
                    }
                    self.indexes.values_mut().filter(|(t, _)| *t == from).for_each(|(t, _)| *t = to.clone());
                } else if up(0) == "ALTER" && up(1) == "TABLE" && up(3) == "ADD" {
                    let at = if up(4) == "COLUMN" { 5 } else { 4 };
                    if !["CONSTRAINT", "PRIMARY", "UNIQUE", "FOREIGN", "CHECK"].contains(&up(at)) {
                        self.tables.entry(word(2)).or_default().insert(word(at));
                    }
                } else if line.starts_with(')') {
                    table = None;
                } else if let Some(t) = &table {
                    let first = word(0);
                    let keyword = ["PRIMARY", "UNIQUE", "FOREIGN", "CHECK", "CONSTRAINT"].contains(&up(0));
                    if !keyword && !first.is_empty() && first.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                        self.tables.entry(t.clone()).or_default().insert(first);
                    }
                }
            }
        }
    }

    #[test]
    fn sqlite_urls_get_create_mode() {
        let dir = std::env::temp_dir().join("portal-url-test");
        let url = format!("sqlite://{}/a.db", dir.display());
        assert!(prepare_sqlite_url(&url).unwrap().ends_with("a.db?mode=rwc"));
        assert!(prepare_sqlite_url("sqlite::memory:").unwrap().contains(":memory:"));
    }
}
