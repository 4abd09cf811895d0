//! The home page: county name and this year's figures, straight from the database, in the first
//! HTML response (JavaScript off), with the hydration scripts in place.

use crate::helpers::{backends, contains_full_id_number, spawn_app};
use app::domain::Money;
use sqlx::Row;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn home_shows_the_county_and_figures_from_the_database() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let (status, html) = app.get_text("/").await;
        assert_eq!(status, 200, "{backend:?}");

        // Computed here independently of the server's own query.
        let year: String = sqlx::query_scalar("SELECT MAX(paid_on) FROM payments WHERE status = 'paid'")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        let year = &year[..4];
        // Items are counted by code: a reissue paid this year may belong to last year's catalogue.
        let rows = sqlx::query("SELECT p.amount_fen, p.beneficiary_id, i.code FROM payments p JOIN subsidy_items i ON i.id = p.item_id WHERE p.status = 'paid' AND p.paid_on LIKE $1")
            .bind(format!("{year}-%"))
            .fetch_all(&app.db.pool)
            .await
            .unwrap();
        let amount: Money = rows.iter().map(|r| Money::from_fen(r.get::<i64, _>("amount_fen"))).sum();
        let people: std::collections::HashSet<i64> = rows.iter().map(|r| r.get::<i64, _>("beneficiary_id")).collect();
        let items: std::collections::HashSet<String> = rows.iter().map(|r| r.get::<String, _>("code")).collect();
        assert!(amount > Money::ZERO && !people.is_empty());

        assert!(html.contains("青岚县（演示）"), "{backend:?}: county name missing");
        assert!(html.contains("演示数据"), "{backend:?}: demo notice missing");
        assert!(html.contains(&format!("{year}年发放情况")), "{backend:?}");
        assert!(
            html.contains(&format!("data-figure=\"amount-paid\">{}</dd>", amount.wan())),
            "{backend:?}: amount {}",
            amount.wan()
        );
        assert!(
            html.contains(&format!("data-figure=\"people-paid\">{}</dd>", people.len())),
            "{backend:?}: people {}",
            people.len()
        );
        assert!(
            html.contains(&format!("data-figure=\"items-paid\">{}</dd>", items.len())),
            "{backend:?}: items {}",
            items.len()
        );
        // The latest notice is listed (the seed documents are published as notices).
        assert!(html.contains("2026年惠民惠农财政补贴政策清单"), "{backend:?}");
        // Content is in the first response, not in a streamed <template> that needs JavaScript.
        assert!(!html.contains("<template"), "{backend:?}: streamed content needs JavaScript");
        // The page hydrates: the bundle is referenced.
        assert!(html.contains("/pkg/app.js") && html.contains("app_bg.wasm"), "{backend:?}: hydration scripts missing");
        assert!(html.contains("lang=\"zh-CN\""));
        assert!(!contains_full_id_number(&html), "{backend:?}: a full ID number on a public page");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn home_charts_the_ten_largest_townships_and_links_to_all_of_them() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        // This year's amount per township, computed here from the payments.
        let year: String = sqlx::query_scalar("SELECT MAX(paid_on) FROM payments WHERE status = 'paid'")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        let rows = sqlx::query(
            "SELECT t.name, p.amount_fen FROM payments p JOIN rosters ro ON ro.id = p.roster_id \
             JOIN regions t ON t.id = ro.region_id WHERE p.status = 'paid' AND p.paid_on LIKE $1",
        )
        .bind(format!("{}-%", &year[..4]))
        .fetch_all(&app.db.pool)
        .await
        .unwrap();
        let mut by_township: std::collections::HashMap<String, i64> = std::collections::HashMap::new();
        for r in &rows {
            *by_township.entry(r.get("name")).or_default() += r.get::<i64, _>("amount_fen");
        }
        let mut largest: Vec<(String, Money)> =
            by_township.into_iter().map(|(name, fen)| (name, Money::from_fen(fen))).collect();
        largest.sort_by_key(|t| std::cmp::Reverse(t.1));
        assert!(largest.len() > 10, "{backend:?}: the demo county pays {} townships", largest.len());

        let (status, html) = app.get_text("/").await;
        assert_eq!(status, 200, "{backend:?}");
        assert!(html.contains(&format!("{}年发放金额前十的乡镇", &year[..4])), "{backend:?}");
        assert!(html.contains(&format!("全部{}个乡镇的发放金额见发放公示", largest.len())), "{backend:?}");
        let tenth = largest[9].1;
        for (i, (name, amount)) in largest.iter().enumerate() {
            let bar = format!("<title>{name}：{}元</title>", amount.wan());
            // (A township paid exactly as much as the tenth may be either side of the cut.)
            if *amount != tenth {
                assert_eq!(html.contains(&bar), *amount > tenth, "{backend:?}: township {i} {name}");
            }
        }
        // The open data API keeps every township; the page's own data carries the ten.
        let all: serde_json::Value =
            app.client.get(app.url("/api/v1/aggregates")).send().await.unwrap().json().await.unwrap();
        assert_eq!(all["by_township"].as_array().unwrap().len(), largest.len(), "{backend:?}");
        assert_eq!(all["townships_paid"], largest.len(), "{backend:?}");
        let page: app::api::home::HomeFigures =
            app.client.post(app.url("/api/home_figures")).send().await.unwrap().json().await.unwrap();
        assert_eq!(page.by_township.len(), 10, "{backend:?}");
        assert_eq!(page.townships_paid, largest.len(), "{backend:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_function_returns_the_same_figures_as_json() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let response = app.client.post(app.url("/api/home_figures")).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200, "{backend:?}");
        let figures: app::api::home::HomeFigures = response.json().await.unwrap();
        let (_, html) = app.get_text("/").await;
        assert!(html.contains(&figures.amount_paid.wan()), "{backend:?}");
        assert!(figures.people_paid > 0 && figures.items_paid > 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_pages_get_a_chinese_404_and_health_is_ok() {
    let app = spawn_app(app::ssr::db::Backend::Sqlite).await;
    let (status, html) = app.get_text("/no/such/page").await;
    assert_eq!(status, 404);
    assert!(html.contains("页面不存在"));
    assert!(html.contains("返回首页"));
    let (status, body) = app.get_text("/healthz").await;
    assert_eq!((status, body.as_str()), (200, "ok"));
}
