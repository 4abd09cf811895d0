//! The `server` binary's command line, run as a user would.

use std::process::Command;

fn server() -> Command {
    Command::new(env!("CARGO_BIN_EXE_server"))
}

#[test]
fn help_describes_every_command() {
    let out = server().arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for command in ["serve", "migrate", "demo", "config", "verify-audit", "backup"] {
        assert!(help.contains(command), "--help lists {command}:\n{help}");
    }
    let out = server().args(["demo", "--help"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("--seed"));
}

#[test]
fn config_prints_without_secrets_and_bad_values_fail_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let out = server()
        .arg("config")
        .current_dir(dir.path())
        .env("PORTAL_DATA_KEY", "ab".repeat(32))
        .env("DATABASE_URL", "postgres://someone:hunter2@db.example/portal")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("hunter2") && !text.contains(&"ab".repeat(32)), "{text}");
    assert!(text.contains("PORTAL_DEMO"));

    let out = server().arg("config").current_dir(dir.path()).env("PORTAL_ADDR", "not an address").output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("PORTAL_ADDR"));
}

#[test]
fn demo_command_loads_an_empty_database_once() {
    let dir = tempfile::tempdir().unwrap();
    let run = || {
        server()
            .args(["demo", "--people", "600", "--seed", "3"])
            .current_dir(dir.path())
            .env("DATABASE_URL", format!("sqlite://{}/p.db", dir.path().display()))
            .env_remove("PORTAL_DATA_KEY")
            .output()
            .unwrap()
    };
    let first = run();
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(first.status.success(), "{stdout}{}", String::from_utf8_lossy(&first.stderr));
    assert!(stdout.contains("demo county loaded") && stdout.contains("ID "), "{stdout}");
    assert!(dir.path().join("data/portal.key").exists(), "a key file was created");
    let second = run();
    assert!(!second.status.success());
    assert!(String::from_utf8_lossy(&second.stderr).contains("already holds data"));
}

/// `server backup` copies the running database; a node started on the copy with the same key
/// serves the same people; `server verify-audit` passes on it and finds an edited or deleted entry.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_restores_and_verify_audit_finds_tampering() {
    use crate::check::{someone, start, verify};
    use crate::helpers::{code_sent_to, location, set_cookie, spawn_app, spawn_node_on, Backend};
    let app = spawn_app(Backend::Sqlite).await;
    for user in ["finance", "supervisor"] {
        crate::staff::login(&app, user).await;
    }
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy.db");
    let run = |args: &[&str], url: &str| server().args(args).current_dir(dir.path()).env("DATABASE_URL", url).env("PORTAL_DATA_KEY", app.data_key()).output().unwrap();
    let out = run(&["backup", copy.to_str().unwrap()], app.database_url());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("已备份到"));
    let again = run(&["backup", copy.to_str().unwrap()], app.database_url());
    assert!(!again.status.success() && String::from_utf8_lossy(&again.stderr).contains("已存在"), "never overwrites");

    let copy_url = format!("sqlite://{}", copy.display());
    let restored = spawn_node_on(&copy_url, app.data_key()).await;
    for table in ["beneficiaries", "payments", "publicity_entries", "cases", "audit_log", "staff_users"] {
        let count = |db: &app::ssr::Db| {
            let pool = db.pool.clone();
            async move { sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}"))).fetch_one(&pool).await.unwrap() }
        };
        assert_eq!(count(&restored.db).await, count(&app.db).await, "{table} restored whole");
    }
    let me = someone(&restored).await;
    let r = start(&restored, &me.id, &me.phone).await;
    let pending = set_cookie(&r, "check_pending").expect("a pending cookie");
    let code = code_sent_to(&restored, &me.phone).await.expect("a code");
    assert_eq!(location(&verify(&restored, &pending, &code).await), "/check/payments", "the copy's personal data opens with the key");

    let out = run(&["verify-audit"], &copy_url);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && text.contains("审计日志完整") && text.contains("最新哈希"), "{text}{}", String::from_utf8_lossy(&out.stderr));
    let entries: Vec<i64> = sqlx::query_scalar("SELECT id FROM audit_log ORDER BY id").fetch_all(&restored.db.pool).await.unwrap();
    assert!(entries.len() >= 4, "logins and the code were audited: {entries:?}");
    sqlx::query("UPDATE audit_log SET detail = 'edited' WHERE id = $1").bind(entries[1]).execute(&restored.db.pool).await.unwrap();
    let out = run(&["verify-audit"], &copy_url);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains(&format!("第 {} 号记录处断链", entries[1])), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("改动"));
    sqlx::query("DELETE FROM audit_log WHERE id = $1").bind(entries[1]).execute(&restored.db.pool).await.unwrap();
    let out = run(&["verify-audit"], &copy_url);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains(&format!("第 {} 号记录处断链", entries[2])) && String::from_utf8_lossy(&out.stderr).contains("删除"));

    if crate::helpers::backends().contains(&Backend::Postgres) {
        let pg = crate::helpers::PostgresDatabase::create().await;
        let out = run(&["backup", dir.path().join("pg.db").to_str().unwrap()], &pg.url);
        assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("pg_dump"), "PostgreSQL is pointed to pg_dump");
    }
}
