//! No personal data on any public page, download or API: every plain ID number, phone and bank
//! account of the demo is looked for in everything the public can fetch.

use crate::helpers::spawn_app;
use app::ssr::db::Backend;
use sqlx::Row;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_id_phone_account_or_birth_date_anywhere_public() {
    let app = spawn_app(Backend::Sqlite).await;
    let mut secrets: Vec<String> = Vec::new();
    for row in
        sqlx::query("SELECT id_enc, phone_enc, account_enc FROM beneficiaries").fetch_all(&app.db.pool).await.unwrap()
    {
        for column in ["id_enc", "phone_enc", "account_enc"] {
            if let Some(blob) = row.get::<Option<Vec<u8>>, _>(column) {
                let plain = app.vault.decrypt(&blob).unwrap();
                if column == "id_enc" {
                    secrets.push(plain[6..14].to_string()); // the birth date
                }
                secrets.push(plain);
            }
        }
    }
    // Publicity pages of every village of one township, with their rosters and CSVs.
    let mut paths: Vec<String> = [
        "/",
        "/policies",
        "/policies?year=2024",
        "/policies/14-01",
        "/notices",
        "/publicity",
        "/search?q=%E6%9D%91",
        "/publicity/log",
        "/api/v1/log/heads",
        "/api/v1/log/entries?start=0&end=999",
        "/open-data",
        "/api/v1/bulk",
        "/open-data/510999/2026.csv",
        "/open-data/510999/2025.csv",
        "/feeds/notices.atom",
        "/feeds/catalogue/14-01.atom",
    ]
    .iter()
    .map(|p| p.to_string())
    .collect();
    let rows = sqlx::query(
        "SELECT DISTINCT t.code AS t, v.code AS v, pe.roster_id AS r FROM publicity_entries pe \
         JOIN regions v ON v.id = pe.village_id JOIN regions t ON t.id = v.parent_id WHERE t.code = '510999002' \
         AND pe.period >= '2026' ORDER BY pe.roster_id LIMIT 40",
    )
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    for r in rows {
        let (t, v, ro): (String, String, i64) = (r.get("t"), r.get("v"), r.get("r"));
        paths.push(format!("/publicity/{t}"));
        paths.push(format!("/publicity/{t}/{v}"));
        paths.push(format!("/publicity/{t}/{v}/{ro}"));
        paths.push(format!("/publicity/{t}/{v}/{ro}/csv"));
        paths.push(format!("/api/v1/publicity/{t}/{v}/{ro}"));
        paths.push(format!("/api/v1/log/rosters/{ro}"));
        paths.push(format!("/publicity/{t}/{v}/{ro}/notice"));
        paths.push(format!("/feeds/publicity/{t}/{v}.atom"));
    }
    // What receipt codes open (a payout SMS's line, with its log entry and proof).
    let signer =
        app::ssr::publicity_log::key::signer(&mut app.db.pool.acquire().await.unwrap(), &app.vault).await.unwrap();
    let paid: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM payments WHERE status IN ('paid', 'failed') ORDER BY id LIMIT 10")
            .fetch_all(&app.db.pool)
            .await
            .unwrap();
    for p in paid {
        paths.push(format!("/r/{}", app::ssr::publicity_log::receipt::code(&signer, p)));
    }
    paths.sort();
    paths.dedup();
    assert!(paths.len() > 50);
    for path in &paths {
        let (status, body) = app.get_text(path).await;
        assert_eq!(status, 200, "{path}");
        // Birth dates are 8 digits; only look for them where they could not be a date of payment.
        for secret in &secrets {
            let is_birth_date = secret.len() == 8;
            if is_birth_date {
                assert!(!body.contains(&format!("*{secret}")), "{path}: a birth date next to a mask");
            } else {
                assert!(!body.contains(secret.as_str()), "{path}: personal data in public output");
            }
        }
    }
}

/// Every run of 11 or more digits (and X) in `bytes` that is, or contains at its ends, one of
/// `secrets` (checked by length: phones 11, accounts 12–19 and more, ID numbers 18).
fn plain_secrets_in(bytes: &[u8], secrets: &std::collections::HashSet<String>) -> Vec<String> {
    let lengths: std::collections::BTreeSet<usize> = secrets.iter().map(String::len).collect();
    let mut found = Vec::new();
    for run in bytes.split(|b| !(b.is_ascii_digit() || *b == b'X')).filter(|r| r.len() >= 11) {
        let run = std::str::from_utf8(run).unwrap_or("");
        for len in lengths.iter().copied().filter(|l| *l <= run.len()) {
            for start in 0..=run.len() - len {
                if secrets.contains(&run[start..start + len]) {
                    found.push(run[start..start + len].to_string());
                }
            }
        }
    }
    found
}

/// After a demo load, a roster import, a self-check, a case and staff work, the database's files
/// (with the WAL) and the server's log hold no plain ID number, phone or bank account.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_database_files_and_the_log_hold_no_plain_personal_data() {
    use crate::check::someone;
    use crate::flow::{import, roster_file};
    use crate::helpers::{location, spawn_node};
    let node = spawn_node(Backend::Sqlite).await;
    let ids: Vec<String> = (1..=3)
        .map(|n| app::domain::IdNumber::from_parts("510999", 1966, 7, n, 700 + n).unwrap().as_str().to_string())
        .collect();
    let roster = roster_file(&node, &ids).await;
    let dep = node.staff(&roster.dept).await;
    let id = import(&node, &dep, &roster).await;
    assert!(location(&dep.step(id, "publicise", "").await).ends_with("done=publicise"));
    let me = someone(&node).await;
    let session = node.citizen(&me.id, &me.phone).await;
    node.client.get(node.url("/check/payments")).header("cookie", &session).send().await.unwrap();
    let at = crate::cases::place(&node, 0).await;
    node.file_case(&at.item, &format!("{}/{}", at.township, at.village), "13911112222", false).await;

    let mut secrets = std::collections::HashSet::new();
    for row in
        sqlx::query("SELECT id_enc, phone_enc, account_enc FROM beneficiaries").fetch_all(&node.db.pool).await.unwrap()
    {
        for column in ["id_enc", "phone_enc", "account_enc"] {
            if let Some(blob) = row.get::<Option<Vec<u8>>, _>(column) {
                secrets.insert(node.vault.decrypt(&blob).unwrap());
            }
        }
    }
    secrets.insert("13911112222".to_string());
    assert!(secrets.contains(&ids[0]) && secrets.contains(&me.phone) && secrets.len() > 2_000, "{}", secrets.len());
    assert_eq!(
        plain_secrets_in(format!("x{}x", ids[1]).as_bytes(), &secrets),
        vec![ids[1].clone()],
        "the scan finds what is there"
    );

    let db_file = node.database_url().trim_start_matches("sqlite://").to_string();
    for path in [db_file.clone(), format!("{db_file}-wal"), node.dir().join("server.log").display().to_string()] {
        let bytes = std::fs::read(&path).unwrap_or_default();
        let found = plain_secrets_in(&bytes, &secrets);
        assert!(
            found.is_empty(),
            "{path} ({} bytes) holds plain personal data: {:?}",
            bytes.len(),
            &found[..found.len().min(5)]
        );
    }
    assert!(std::fs::metadata(&db_file).unwrap().len() > 1_000_000, "the database was read");
    assert!(
        std::fs::read_to_string(node.dir().join("server.log")).unwrap().contains("portal listening"),
        "the log was read"
    );
}
