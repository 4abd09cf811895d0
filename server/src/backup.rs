//! `server backup` and `server restore`: a consistent copy of the database taken while the
//! server runs, and its way back into an empty database (SQLite: `VACUUM INTO` and a file copy;
//! PostgreSQL: `pg_dump` and `pg_restore`). The data key is never in a backup.

use crate::config::Config;
use app::ssr::audit;
use app::ssr::db::{postgres_tables, sqlite_path, Backend, Counted, Db};
use std::ffi::OsStr;
use std::path::Path;
use std::time::Instant;

pub async fn backup(config: &Config, file: &Path) -> Result<(), String> {
    if file.exists() {
        return Err(format!("{} 已存在；备份不会覆盖已有文件", file.display()));
    }
    let url = config.database_url.expose();
    let started = Instant::now();
    match Backend::of_url(url) {
        Some(Backend::Sqlite) => {
            let db = Db::connect(url, 1).await.map_err(|e| e.to_string())?;
            let target = file.to_str().ok_or_else(|| format!("{}: 路径须为 UTF-8", file.display()))?;
            db.copy_sqlite_to(target).await.map_err(|e| format!("备份失败：{e}"))?;
        }
        Some(Backend::Postgres) => {
            // pg_dump reads in one snapshot: consistent while the nodes keep writing.
            let args = [
                OsStr::new("--format=custom"),
                OsStr::new("--no-owner"),
                OsStr::new("--file"),
                file.as_os_str(),
                OsStr::new("--dbname"),
                OsStr::new(url),
            ];
            if let Err(e) = pg_tool("pg_dump", &args) {
                let _ = std::fs::remove_file(file);
                return Err(e);
            }
        }
        None => return Err("DATABASE_URL 须以 sqlite: 或 postgres: 开头".into()),
    }
    let bytes = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    println!(
        "已备份到 {}（{:.1} MB，用时 {:.1} 秒）。数据密钥不在其中，请另行保管。",
        file.display(),
        bytes as f64 / 1e6,
        started.elapsed().as_secs_f32()
    );
    Ok(())
}

/// Restores a backup into the database DATABASE_URL names, which must be new: a SQLite file that
/// does not exist yet, or a PostgreSQL database without tables. Then checks that the copy opens
/// and its audit chain is whole.
pub async fn restore(config: &Config, file: &Path) -> Result<(), String> {
    if !file.is_file() {
        return Err(format!("{} 不存在", file.display()));
    }
    let url = config.database_url.expose();
    let started = Instant::now();
    match Backend::of_url(url) {
        Some(Backend::Sqlite) => {
            let path = sqlite_path(url).ok_or("DATABASE_URL 须指向一个 SQLite 文件")?;
            if Path::new(path).exists() {
                return Err(format!(
                    "{path} 已存在；恢复只写入新文件：请先停止服务，移走现有数据库文件（连同 -wal、-shm 文件）"
                ));
            }
            let mut head = [0u8; 16];
            let is_sqlite =
                std::fs::File::open(file).and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head)).is_ok()
                    && &head == b"SQLite format 3\0";
            if !is_sqlite {
                return Err(format!("{} 不是 SQLite 数据库的备份", file.display()));
            }
            // Copied beside the target, then renamed: the target is whole or absent.
            let partial = format!("{path}.restoring");
            std::fs::copy(file, &partial)
                .and_then(|_| std::fs::File::open(&partial)?.sync_all())
                .and_then(|_| std::fs::rename(&partial, path))
                .map_err(|e| {
                    let _ = std::fs::remove_file(&partial);
                    format!("恢复失败：{e}")
                })?;
        }
        Some(Backend::Postgres) => {
            let tables = postgres_tables(url).await.map_err(|e| format!("无法连接数据库：{e}"))?;
            if tables > 0 {
                return Err(format!("目标数据库不是空的（已有 {tables} 张表）；恢复只写入空数据库：请新建一个（createdb）并把 DATABASE_URL 指向它"));
            }
            let args = [
                OsStr::new("--no-owner"),
                OsStr::new("--no-acl"),
                OsStr::new("--exit-on-error"),
                OsStr::new("--single-transaction"),
                OsStr::new("--dbname"),
                OsStr::new(url),
                file.as_os_str(),
            ];
            pg_tool("pg_restore", &args)?;
        }
        None => return Err("DATABASE_URL 须以 sqlite: 或 postgres: 开头".into()),
    }
    let db = Db::connect(url, 1).await.map_err(|e| format!("恢复的数据库无法打开：{e}"))?;
    let chain = audit::verify(&db).await.map_err(|e| e.to_string())?;
    if let Some((id, why)) = chain.broken {
        return Err(format!("已恢复，但审计日志第 {id} 号记录处断链：{why}"));
    }
    let people = db.count(Counted::People).await.map_err(|e| e.to_string())?;
    let cases = db.count(Counted::Cases).await.map_err(|e| e.to_string())?;
    println!(
        "已恢复（用时 {:.1} 秒）：补贴对象 {people} 人，案件 {cases} 件；审计日志 {} 条完整，最新哈希 {}。",
        started.elapsed().as_secs_f32(),
        chain.entries,
        chain.last_hash
    );
    println!("下一步：用原来的数据密钥（PORTAL_DATA_KEY_FILE 或 PORTAL_DATA_KEY）启动服务；搜索索引会自动重建。");
    Ok(())
}

/// Runs a PostgreSQL client program; its own messages go to the terminal as they are.
fn pg_tool(program: &str, args: &[&OsStr]) -> Result<(), String> {
    match std::process::Command::new(program).args(args).status() {
        Ok(status) if status.success() => Ok(()),
        Ok(status) => Err(format!("{program} 未成功（{status}），见上方的信息")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(format!(
            "找不到 {program}：请安装与服务器同版本或更新的 PostgreSQL 客户端（Debian：apt install postgresql-client）"
        )),
        Err(e) => Err(format!("无法运行 {program}：{e}")),
    }
}
