//! No personal data on any public page, download or API: every plain ID number, phone and bank
//! account of the demo is looked for in everything the public can fetch.

use crate::helpers::spawn_app;
use app::ssr::db::Backend;
use sqlx::Row;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_id_phone_account_or_birth_date_anywhere_public() {
    let app = spawn_app(Backend::Sqlite).await;
    let mut secrets: Vec<String> = Vec::new();
    for row in sqlx::query("SELECT id_enc, phone_enc, account_enc FROM beneficiaries").fetch_all(&app.db.pool).await.unwrap() {
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
    let mut paths: Vec<String> = ["/", "/policies", "/policies?year=2024", "/policies/14-01", "/notices", "/publicity", "/search?q=%E6%9D%91"]
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
