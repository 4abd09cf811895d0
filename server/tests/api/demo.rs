//! The demo county as loaded into a real database: its size, its personal data encrypted and
//! masked, its flow (failures, reissues, publicity), and that it never loads twice.

use crate::helpers::{backends, spawn_app, TEST_PEOPLE, TEST_SEED};
use app::domain::IdNumber;
use server::demo::{self, DemoError, DemoOptions};
use sqlx::Row;

async fn count(app: &crate::helpers::TestApp, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&app.db.pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_county_has_the_promised_shape() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        assert!(count(&app, "SELECT COUNT(*) FROM regions WHERE level = 'township'").await >= 10);
        assert!(count(&app, "SELECT COUNT(*) FROM regions WHERE level = 'village'").await >= 120);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM beneficiaries").await, TEST_PEOPLE as i64);
        assert_eq!(
            count(&app, "SELECT COUNT(*) FROM documents WHERE kind = 'policy'").await,
            5,
            "{backend:?}: the five seed documents"
        );
        assert_eq!(count(&app, "SELECT COUNT(*) FROM catalogue_years").await, 3);
        // The Wanyuan list's 23 items and the Sichuan list's extra two are top-level items.
        assert!(count(&app, "SELECT COUNT(*) FROM subsidy_items WHERE year = 2026 AND parent_id IS NULL").await >= 25);
        assert!(count(&app, "SELECT COUNT(*) FROM subsidy_items WHERE parent_id IS NOT NULL").await > 0);
        let payments = count(&app, "SELECT COUNT(*) FROM payments").await;
        assert!(payments >= 8 * TEST_PEOPLE as i64, "{backend:?}: only {payments} payments");
        let failed = count(&app, "SELECT COUNT(*) FROM payments WHERE status = 'failed'").await;
        assert!(failed * 100 > payments && failed * 100 < payments * 6, "{backend:?}: {failed} failed of {payments}");
        assert!(count(&app, "SELECT COUNT(*) FROM payments WHERE reissue_of_id IS NOT NULL").await > 0);
        assert!(
            count(&app, "SELECT COUNT(*) FROM payments WHERE status = 'pending'").await > 0,
            "the current month is in review"
        );
        assert!(count(&app, "SELECT COUNT(*) FROM beneficiaries WHERE custodian_id IS NOT NULL").await > 0);
        assert!(
            count(&app, "SELECT COUNT(*) FROM publicity_entries WHERE recipient_name_masked IS NOT NULL").await > 0
        );
        assert!(count(&app, "SELECT COUNT(*) FROM rosters r WHERE total_fen <> (SELECT CAST(SUM(amount_fen) AS BIGINT) FROM payments p WHERE p.roster_id = r.id)").await == 0,
            "{backend:?}: roster totals match their lines");
        // Names of 2, 3 and 4 characters and names with '·'.
        let names: Vec<String> =
            sqlx::query_scalar("SELECT name FROM beneficiaries").fetch_all(&app.db.pool).await.unwrap();
        for len in [2, 3] {
            assert!(names.iter().any(|n| n.chars().count() == len), "a {len}-character name");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn personal_data_is_encrypted_hashed_and_masked() {
    let app = spawn_app(app::ssr::db::Backend::Sqlite).await;
    let rows = sqlx::query("SELECT id_hash, id_enc, id_masked, phone_enc, phone_hash FROM beneficiaries LIMIT 200")
        .fetch_all(&app.db.pool)
        .await
        .unwrap();
    for row in rows {
        let id_plain = app.vault.decrypt(&row.get::<Vec<u8>, _>("id_enc")).expect("decrypts with the server's key");
        let id = IdNumber::parse(&id_plain).expect("a checksum-valid ID number");
        assert!(id.as_str().starts_with(server::demo::plans::QINGLAN.code));
        assert_eq!(row.get::<String, _>("id_hash"), app.vault.lookup_hash(id.as_str()));
        assert_eq!(row.get::<String, _>("id_masked"), app::domain::mask::id_number(&id));
        if let Some(phone) = row.get::<Option<Vec<u8>>, _>("phone_enc") {
            let phone = app.vault.decrypt(&phone).unwrap();
            assert_eq!(row.get::<Option<String>, _>("phone_hash"), Some(app.vault.lookup_hash(&phone)));
        }
    }
    // Nothing in the stored ciphertext looks like the plain number.
    let blobs: Vec<Vec<u8>> =
        sqlx::query_scalar("SELECT id_enc FROM beneficiaries").fetch_all(&app.db.pool).await.unwrap();
    assert!(blobs.iter().all(|b| !crate::helpers::contains_full_id_number(&String::from_utf8_lossy(b))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_never_loads_into_a_database_with_data() {
    let app = spawn_app(app::ssr::db::Backend::Sqlite).await;
    let before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM payments").fetch_one(&app.db.pool).await.unwrap();
    let again =
        demo::load(&app.db, &app.vault, &DemoOptions { seed: TEST_SEED, people: TEST_PEOPLE, counties: 1 }).await;
    assert!(matches!(again, Err(DemoError::NotEmpty)), "{again:?}");
    let after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM payments").fetch_one(&app.db.pool).await.unwrap();
    assert_eq!(before, after);
}

/// The default demo: a province of five counties under two cities, each county generated alone
/// and joined as `import-county` joins one; people of one county also paid in the next are one
/// person; the counties inherit the province's calendar; each county's pages list its notices.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_province_joins_five_counties() {
    for backend in backends() {
        let app = crate::helpers::spawn_app_with(backend, |c| {
            c.demo_counties = demo::DEFAULT_COUNTIES;
            c.demo_people = Some(500);
        })
        .await;
        let levels: Vec<(String, i64)> =
            sqlx::query_as("SELECT level, COUNT(*) FROM regions WHERE level IN ('province', 'city', 'county') GROUP BY level ORDER BY level")
                .fetch_all(&app.db.pool)
                .await
                .unwrap();
        assert_eq!(levels, vec![("city".into(), 2), ("county".into(), 5), ("province".into(), 1)], "{backend:?}");
        // 40 people of each of the first four counties also live in the next: one record each.
        assert_eq!(count(&app, "SELECT COUNT(*) FROM beneficiaries").await, 5 * 500 - 4 * 40, "{backend:?}");
        assert_eq!(count(&app, "SELECT COUNT(DISTINCT region_id) FROM holidays").await, 1, "{backend:?}");
        assert_eq!(count(&app, "SELECT COUNT(*) FROM banks").await, 5, "{backend:?}: one set of banks");
        let dushan: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM subsidy_items i JOIN regions r ON r.id = i.county_id WHERE r.code = '510995' AND i.year = 2024",
        )
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
        assert_eq!(dushan, 57, "{backend:?}: Dushan's 57-item county catalogue");
        let finance: String = sqlx::query_scalar(
            "SELECT r.code FROM staff_users s JOIN regions r ON r.id = s.region_id WHERE s.username = 'finance_510998'",
        )
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
        assert_eq!(finance, "510998");

        let (status, page) = app.get_text("/notices?county=510998").await;
        assert_eq!(status, 200);
        assert!(page.contains("峨溪县（演示）2026年惠民惠农财政补贴政策清单"), "{backend:?}");
        assert!(!page.contains("青岚县（演示）2026年"), "{backend:?}: another county's notice");
        let (_, open) = app.get_text("/api/v1/notices?county=510995").await;
        assert!(open.contains("独峰县（演示）2026年") && !open.contains("峨溪县（演示）"), "{backend:?}: {open}");
        let (_, all) = app.get_text("/api/v1/notices").await;
        assert!(
            all.contains("\"total\":20"),
            "{backend:?}: every notice without a county: {}",
            &all[..all.len().min(300)]
        );
    }
}
