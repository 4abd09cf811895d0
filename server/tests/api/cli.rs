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
    for command in ["serve", "migrate", "demo", "config"] {
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
