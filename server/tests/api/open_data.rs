//! The open data API: JSON for every public page, described by an OpenAPI document, masked like
//! the pages.

use crate::helpers::{contains_full_id_number, spawn_app};
use serde_json::Value;
use sqlx::Row;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_endpoint_answers_with_masked_json() {
    for backend in crate::helpers::backends() {
        let app = spawn_app(backend).await;
        let get = |path: String| {
            let client = app.client.clone();
            let url = app.url(&path);
            async move {
                let r = client.get(url).send().await.unwrap();
                let status = r.status().as_u16();
                let text = r.text().await.unwrap();
                (status, text)
            }
        };
        let (status, text) = get("/api/openapi.json".into()).await;
        assert_eq!(status, 200);
        let doc: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(doc["openapi"], "3.1.0");
        let paths = doc["paths"].as_object().unwrap();
        assert!(paths.len() >= 9);

        let row = sqlx::query(
            "SELECT t.code AS township, v.code AS village, pe.roster_id FROM publicity_entries pe \
             JOIN regions v ON v.id = pe.village_id JOIN regions t ON t.id = v.parent_id ORDER BY pe.id LIMIT 1",
        )
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
        let (t, v, r): (String, String, i64) = (row.get("township"), row.get("village"), row.get("roster_id"));
        let doc_id: i64 = sqlx::query_scalar("SELECT MIN(id) FROM documents").fetch_one(&app.db.pool).await.unwrap();
        let mut all = String::new();
        for path in [
            "/api/v1/aggregates".to_string(),
            "/api/v1/catalogue?year=2025".into(),
            "/api/v1/catalogue/14-01".into(),
            "/api/v1/notices".into(),
            format!("/api/v1/notices/{doc_id}"),
            "/api/v1/publicity".into(),
            format!("/api/v1/publicity/{t}"),
            format!("/api/v1/publicity/{t}/{v}"),
            format!("/api/v1/publicity/{t}/{v}/{r}"),
        ] {
            let (status, text) = get(path.clone()).await;
            assert_eq!(status, 200, "{path}");
            let value: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
            assert!(value.is_object(), "{path}");
            assert!(!contains_full_id_number(&text), "{path}");
            all.push_str(&text);
        }
        let roster: Value = serde_json::from_str(&get(format!("/api/v1/publicity/{t}/{v}/{r}")).await.1).unwrap();
        let lines = roster["lines"].as_array().unwrap();
        assert!(!lines.is_empty());
        assert!(lines[0]["id_masked"].as_str().unwrap().contains("****************"));

        // No phone or account of anyone appears in the open data.
        let people =
            sqlx::query("SELECT phone_enc, account_enc FROM beneficiaries").fetch_all(&app.db.pool).await.unwrap();
        for p in people {
            for column in ["phone_enc", "account_enc"] {
                if let Some(blob) = p.get::<Option<Vec<u8>>, _>(column) {
                    let plain = app.vault.decrypt(&blob).unwrap();
                    assert!(!all.contains(&plain), "{column} leaked into open data");
                }
            }
        }

        let (status, text) = get("/api/v1/catalogue/99-99".into()).await;
        assert_eq!(status, 404);
        assert!(text.contains("未找到相关内容"));
        let (status, _) = get(format!("/api/v1/publicity/{t}/{v}/not-a-number")).await;
        assert_eq!(status, 404);
    }
}
