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
    for command in ["serve", "migrate", "demo", "config", "verify-audit", "verify-log", "backup", "restore"] {
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
            .args(["demo", "--people", "500", "--seed", "3"])
            .current_dir(dir.path())
            .env("DATABASE_URL", format!("sqlite://{}/p.db", dir.path().display()))
            .env_remove("PORTAL_DATA_KEY")
            .output()
            .unwrap()
    };
    let first = run();
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(first.status.success(), "{stdout}{}", String::from_utf8_lossy(&first.stderr));
    // The default demo: the province's five counties, and a person paid in two of them.
    assert!(stdout.contains("demo loaded") && stdout.contains("独峰县（演示） 510995"), "{stdout}");
    assert!(stdout.contains("在两个县都有补贴的人") && stdout.contains("ID "), "{stdout}");
    assert!(dir.path().join("data/portal.key").exists(), "a key file was created");
    let second = run();
    assert!(!second.status.success());
    assert!(String::from_utf8_lossy(&second.stderr).contains("already holds data"));
}

/// `server backup` copies the running database and `server restore` puts the copy into a new
/// one (SQLite: VACUUM INTO and a file copy; PostgreSQL: pg_dump and pg_restore): a node started
/// on it with the same key serves the same people; `server verify-audit` passes on it and finds
/// an edited or deleted entry.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_restores_and_verify_audit_finds_tampering() {
    use crate::check::{someone, start, verify};
    use crate::helpers::{
        backends, code_sent_to, location, set_cookie, spawn_app, spawn_node_on, Backend, PostgresDatabase,
    };
    for backend in backends() {
        let app = spawn_app(backend).await;
        for user in ["finance", "supervisor"] {
            app.staff(user).await;
        }
        let dir = tempfile::tempdir().unwrap();
        let backup = dir.path().join("portal.backup");
        let run = |args: &[&str], url: &str| {
            server()
                .args(args)
                .current_dir(dir.path())
                .env("DATABASE_URL", url)
                .env("PORTAL_DATA_KEY", app.data_key())
                .output()
                .unwrap()
        };
        let out = run(&["backup", backup.to_str().unwrap()], app.database_url());
        assert!(out.status.success(), "{backend:?}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stdout).contains("已备份到"));
        let again = run(&["backup", backup.to_str().unwrap()], app.database_url());
        assert!(
            !again.status.success() && String::from_utf8_lossy(&again.stderr).contains("已存在"),
            "never overwrites"
        );

        // Restored into a new database; never over one that holds data.
        let postgres = match backend {
            Backend::Postgres => Some(PostgresDatabase::create().await),
            Backend::Sqlite => None,
        };
        let copy_url = postgres
            .as_ref()
            .map_or_else(|| format!("sqlite://{}", dir.path().join("restored.db").display()), |p| p.url.clone());
        let out = run(&["restore", backup.to_str().unwrap()], &copy_url);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && text.contains("已恢复") && text.contains("完整"),
            "{backend:?}: {text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let over = run(&["restore", backup.to_str().unwrap()], &copy_url);
        let why = String::from_utf8_lossy(&over.stderr);
        assert!(!over.status.success() && (why.contains("已存在") || why.contains("不是空的")), "{backend:?}: {why}");
        let not_a_backup = run(&["restore", dir.path().join("none").to_str().unwrap()], &copy_url);
        assert!(!not_a_backup.status.success() && String::from_utf8_lossy(&not_a_backup.stderr).contains("不存在"));

        let restored = spawn_node_on(&copy_url, app.data_key()).await;
        for table in ["beneficiaries", "payments", "publicity_entries", "cases", "audit_log", "staff_users"] {
            assert_eq!(restored.count(table).await, app.count(table).await, "{backend:?}: {table} restored whole");
        }
        let me = someone(&restored).await;
        let r = start(&restored, &me.id, &me.phone).await;
        let pending = set_cookie(&r, "check_pending").expect("a pending cookie");
        let code = code_sent_to(&restored, &me.phone).await.expect("a code");
        assert_eq!(
            location(&verify(&restored, &pending, &code).await),
            "/check/payments",
            "the copy's personal data opens with the key"
        );

        let out = run(&["verify-audit"], &copy_url);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && text.contains("审计日志完整") && text.contains("最新哈希"),
            "{text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let entries: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM audit_log ORDER BY id").fetch_all(&restored.db.pool).await.unwrap();
        assert!(entries.len() >= 4, "logins and the code were audited: {entries:?}");
        sqlx::query("UPDATE audit_log SET detail = 'edited' WHERE id = $1")
            .bind(entries[1])
            .execute(&restored.db.pool)
            .await
            .unwrap();
        let out = run(&["verify-audit"], &copy_url);
        assert!(!out.status.success());
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(&format!("第 {} 号记录处断链", entries[1])),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stderr).contains("改动"));
        sqlx::query("DELETE FROM audit_log WHERE id = $1").bind(entries[1]).execute(&restored.db.pool).await.unwrap();
        let out = run(&["verify-audit"], &copy_url);
        assert!(!out.status.success());
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(&format!("第 {} 号记录处断链", entries[2]))
                && String::from_utf8_lossy(&out.stderr).contains("删除")
        );
        drop(restored);
    }
}

/// `server rotate-key` re-encrypts everything under a new key: a node started with the new key
/// finds and shows people as before, the old key opens nothing, sessions end, the audit chain
/// holds, and a rotation to the same key is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotate_key_moves_every_secret_to_the_new_key() {
    use crate::check::{someone, start, verify};
    use crate::helpers::{backends, code_sent_to, location, set_cookie, spawn_app, spawn_node_on};
    use sqlx::Row;
    for backend in backends() {
        let app = spawn_app(backend).await;
        let me = someone(&app).await;
        app.staff("finance").await;
        let log_key = |node: &crate::helpers::TestApp| {
            let url = node.url("/api/v1/log/heads");
            let client = node.client.clone();
            async move {
                let heads: serde_json::Value = client.get(url).send().await.unwrap().json().await.unwrap();
                heads["public_key"].as_str().unwrap().to_string()
            }
        };
        let log_key_before = log_key(&app).await;
        let dir = tempfile::tempdir().unwrap();
        let new_key = dir.path().join("new.key");
        let run = |args: &[&str]| {
            server()
                .args(args)
                .current_dir(dir.path())
                .env("DATABASE_URL", app.database_url())
                .env("PORTAL_DATA_KEY", app.data_key())
                .output()
                .unwrap()
        };

        let same = dir.path().join("same.key");
        std::fs::write(&same, app.data_key()).unwrap();
        let out = run(&["rotate-key", same.to_str().unwrap()]);
        assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("相同"), "{backend:?}");

        let out = run(&["rotate-key", new_key.to_str().unwrap()]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{backend:?}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(text.contains("已用新密钥重新加密") && text.contains("会话"), "{text}");
        let new_hex = std::fs::read_to_string(&new_key).unwrap().trim().to_string();
        assert_eq!(new_hex.len(), 64);
        assert!(!text.contains(&new_hex) && !text.contains(app.data_key()), "keys are never printed");

        let sessions: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions").fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(sessions, 0, "{backend:?}: sessions end");
        for row in sqlx::query("SELECT id_enc, phone_enc FROM beneficiaries ORDER BY id LIMIT 50")
            .fetch_all(&app.db.pool)
            .await
            .unwrap()
        {
            assert!(
                app.vault.decrypt(&row.get::<Vec<u8>, _>("id_enc")).is_err(),
                "{backend:?}: the old key opens nothing"
            );
        }

        let node = spawn_node_on(app.database_url(), &new_hex).await;
        let r = start(&node, &me.id, &me.phone).await;
        let pending = set_cookie(&r, "check_pending").expect("a pending cookie");
        let code = code_sent_to(&node, &me.phone).await.expect("a code to the same phone, found by its new hash");
        assert_eq!(location(&verify(&node, &pending, &code).await), "/check/payments", "{backend:?}");
        assert_eq!(app::ssr::audit::verify(&node.db).await.unwrap().broken, None, "{backend:?}");
        let rotated: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'data_key_rotated'")
            .fetch_one(&node.db.pool)
            .await
            .unwrap();
        assert_eq!(rotated, 1);
        assert_eq!(log_key(&node).await, log_key_before, "{backend:?}: the publicity log keeps its signing key");
        let out = run(&["verify-log"]);
        assert!(!out.status.success(), "{backend:?}: the old data key no longer opens the log key");
        let out = server()
            .arg("verify-log")
            .env("DATABASE_URL", app.database_url())
            .env("PORTAL_DATA_KEY", &new_hex)
            .output()
            .unwrap();
        assert!(out.status.success(), "{backend:?}: {}", String::from_utf8_lossy(&out.stdout));
    }
}
