//! The one data layer: an sqlx `Any` pool over SQLite (default) or PostgreSQL, with the
//! migrations of both kept in step. SQL is written once in the portable subset both accept
//! (`$1` placeholders, BIGINT casts on sums, ISO text dates).

pub mod admin;
pub mod audit;
pub mod bulk;
pub mod cases;
pub mod catalogue;
pub mod changes;
pub mod check;
pub mod home;
pub mod notices;
pub mod policies;
pub mod publicity;
pub mod rosters;
pub mod search;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Executor};
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
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("DATABASE_URL must start with sqlite: or postgres:")]
    UnknownBackend,
    #[error("cannot create the directory for the SQLite file {0}: {1}")]
    Directory(String, std::io::Error),
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

#[derive(Clone, Debug)]
pub struct Db {
    pub pool: AnyPool,
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
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
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
        backend.migrator().run(&pool).await?;
        Ok(Db { pool, backend })
    }

    /// Gives the connection of a bulk write (a roster import) a page cache of up to 1 GB, or back
    /// the usual 8 MB: with the small one SQLite spills a large transaction's pages to the WAL
    /// over and over. Nothing to do on PostgreSQL.
    pub async fn bulk_cache(&self, conn: &mut sqlx::AnyConnection, bulk: bool) -> Result<(), sqlx::Error> {
        if self.backend == Backend::Sqlite {
            let kib = if bulk { 1_048_576 } else { 8_000 };
            sqlx::query(sqlx::AssertSqlSafe(format!("PRAGMA cache_size = -{kib}"))).execute(conn).await?;
        }
        Ok(())
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
    let query = if query.contains("mode=") { query.to_string() } else if query.is_empty() { "mode=rwc".into() } else { format!("{query}&mode=rwc") };
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
    }

    #[test]
    fn sqlite_urls_get_create_mode() {
        let dir = std::env::temp_dir().join("portal-url-test");
        let url = format!("sqlite://{}/a.db", dir.display());
        assert!(prepare_sqlite_url(&url).unwrap().ends_with("a.db?mode=rwc"));
        assert!(prepare_sqlite_url("sqlite::memory:").unwrap().contains(":memory:"));
    }
}
