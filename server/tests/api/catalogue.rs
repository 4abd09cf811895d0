//! The department side keeps the public content: a notice published (and found by search within
//! seconds) and withdrawn; catalogue items edited by their department (finance: all, and new
//! items); the forecast (应发数) with revisions and the flag when payouts stray from it.

use crate::helpers::{location, spawn_app, Backend};

use sqlx::Row;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_department_publishes_a_notice_that_search_finds_and_withdraws_it() {
    let app = spawn_app(Backend::Sqlite).await;
    let who = app.staff("civil_affairs").await;
    let r = who
        .post(
            "/staff/notices",
            &[
                ("op", "publish"),
                ("kind", "notice"),
                ("title", "x"),
                ("published_on", "2026-11-22"),
                ("body", "正文正文正文正文正文正文"),
            ],
        )
        .await;
    assert_eq!(location(&r), "/staff/notices?e=title");
    let body = "关于发放2026年12月城乡低保金的通知\n\n各乡镇：现将有关事项通知如下。\n\n\t乡镇\t人数\t金额\n\t青山镇\t120\t67200.00\n";
    let r = who
        .post(
            "/staff/notices",
            &[
                ("op", "publish"),
                ("kind", "notice"),
                ("title", "关于发放十二月低保金的通知"),
                ("doc_number", "青民发〔2026〕9号"),
                ("published_on", "2026-11-22"),
                ("body", body),
            ],
        )
        .await;
    let to = location(&r);
    assert!(to.starts_with("/staff/notices?done="), "{to}");
    let id: i64 = to.trim_start_matches("/staff/notices?done=").parse().unwrap();
    let (status, html) = app.get_text(&format!("/notices/{id}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("县民政局") && html.contains("<table"), "issued by the department, its table rendered");
    let mut found = false;
    for _ in 0..40 {
        let (_, results) = app.get_text("/search?q=十二月低保金").await;
        if results.contains(&format!("/notices/{id}")) {
            found = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    assert!(found, "the search index follows within seconds");
    let other_department = app.staff("health").await;
    let r = other_department.post("/staff/notices", &[("op", "withdraw"), ("id", &id.to_string())]).await;
    assert_eq!(location(&r), "/staff/notices?e=withdraw", "another department cannot withdraw it");
    let r = who.post("/staff/notices", &[("op", "withdraw"), ("id", &id.to_string())]).await;
    assert_eq!(location(&r), "/staff/notices");
    assert_eq!(app.get_text(&format!("/notices/{id}")).await.0, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn items_are_edited_by_their_department_and_the_forecast_flags_deviations() {
    for backend in crate::helpers::backends() {
        let app = spawn_app(backend).await;
        let item = sqlx::query(
            "SELECT i.id, i.code, i.name, i.frequency, d.code AS dept FROM subsidy_items i JOIN departments d ON d.id = i.department_id \
             WHERE i.year = 2026 AND d.is_finance = 0 AND EXISTS (SELECT 1 FROM payments p WHERE p.item_id = i.id AND p.status = 'paid') ORDER BY i.id LIMIT 1",
        )
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
        let (id, code, name, frequency, dept): (i64, String, String, String, String) =
            (item.get("id"), item.get("code"), item.get("name"), item.get("frequency"), item.get("dept"));
        let who = app.staff(&dept).await;
        let (status, html) = who.get("/staff/catalogue?year=2026").await;
        assert_eq!(status, 200);
        assert!(html.contains(&name));
        let id_s = id.to_string();
        let edit = |standard: &'static str| {
            vec![
                ("csrf", who.csrf.clone()),
                ("op", "save".to_string()),
                ("year", "2026".to_string()),
                ("id", id_s.clone()),
                ("name", name.clone()),
                ("standard_text", "每人每月560元".to_string()),
                ("standard_amount", standard.to_string()),
                ("frequency", frequency.clone()),
                ("aliases", "".to_string()),
            ]
        };
        let r = app
            .client
            .post(app.url("/staff/catalogue"))
            .header("cookie", &who.cookie)
            .form(&edit("abc"))
            .send()
            .await
            .unwrap();
        assert_eq!(location(&r), "/staff/catalogue?year=2026&e=amount");
        let r = app
            .client
            .post(app.url("/staff/catalogue"))
            .header("cookie", &who.cookie)
            .form(&edit("560"))
            .send()
            .await
            .unwrap();
        assert_eq!(location(&r), "/staff/catalogue?year=2026&done=save", "{backend:?}");
        let (_, public) = app.get_text(&format!("/policies/{code}")).await;
        assert!(public.contains("每人每月560元"), "the public catalogue shows the new standard");

        // Basis documents are named by their 文号; an unknown one is refused, a known one is shown.
        let doc = sqlx::query(
            "SELECT doc_number, title FROM documents WHERE doc_number <> '' AND kind = 'policy' ORDER BY id LIMIT 1",
        )
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
        let (number, title): (String, String) = (doc.get("doc_number"), doc.get("title"));
        let mut with_docs = edit("560");
        with_docs.push(("documents", "无此文号〔2099〕1号".to_string()));
        let r = app
            .client
            .post(app.url("/staff/catalogue"))
            .header("cookie", &who.cookie)
            .form(&with_docs)
            .send()
            .await
            .unwrap();
        assert_eq!(location(&r), "/staff/catalogue?year=2026&e=documents");
        with_docs.last_mut().unwrap().1 = format!(" {number} ");
        let r = app
            .client
            .post(app.url("/staff/catalogue"))
            .header("cookie", &who.cookie)
            .form(&with_docs)
            .send()
            .await
            .unwrap();
        assert_eq!(location(&r), "/staff/catalogue?year=2026&done=save");
        let linked: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM item_documents x JOIN documents d ON d.id = x.document_id WHERE x.item_id = $1 AND d.doc_number = $2")
            .bind(id)
            .bind(&number)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(linked, 1, "{backend:?}: {title}");

        // Another department may not edit it.
        let other_department = app.staff(if dept == "health" { "education" } else { "health" }).await;
        let mut form = edit("560");
        form[0].1 = other_department.csrf.clone();
        let r = app
            .client
            .post(app.url("/staff/catalogue"))
            .header("cookie", &other_department.cookie)
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(location(&r), "/staff/catalogue?year=2026&e=refused");

        // A forecast far below what was paid is flagged; a December revision replaces it.
        let forecast = |amount: &'static str, revision: &'static str| {
            vec![
                ("csrf", who.csrf.clone()),
                ("op", "forecast".to_string()),
                ("year", "2026".to_string()),
                ("id", id_s.clone()),
                ("revision", revision.to_string()),
                ("amount", amount.to_string()),
                ("people", "10".to_string()),
            ]
        };
        let r = app
            .client
            .post(app.url("/staff/catalogue"))
            .header("cookie", &who.cookie)
            .form(&forecast("1", "initial"))
            .send()
            .await
            .unwrap();
        assert_eq!(location(&r), "/staff/catalogue?year=2026&done=forecast");
        let (_, html) = who.get("/staff/catalogue?year=2026").await;
        assert!(html.contains("偏差"), "{backend:?}: actual payouts far above the forecast are flagged");
        let actual: i64 = sqlx::query_scalar(
            "SELECT CAST(SUM(p.amount_fen) AS BIGINT) FROM payments p WHERE p.item_id = $1 AND p.status = 'paid'",
        )
        .bind(id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
        let revised = app::domain::Money::from_fen(actual + actual / 20).plain();
        let mut f = forecast("0", "december");
        f[5].1 = revised;
        let r =
            app.client.post(app.url("/staff/catalogue")).header("cookie", &who.cookie).form(&f).send().await.unwrap();
        assert_eq!(location(&r), "/staff/catalogue?year=2026&done=forecast");
        let (_, html) = who.get("/staff/catalogue?year=2026").await;
        let row = html.split("<tr").find(|r| r.contains(&format!(">{code}<"))).unwrap_or_default().to_string();
        assert!(row.contains("12月调整") && !row.contains("偏差"), "{backend:?}: {row}");

        // Only finance adds items.
        let add = [
            ("op", "add"),
            ("year", "2026"),
            ("code", "99"),
            ("name", "测试补贴"),
            ("level", "county"),
            ("department", "2"),
            ("frequency", "yearly"),
        ];
        assert_eq!(who.post("/staff/catalogue", &add).await.status().as_u16(), 403);
        let finance = app.staff("finance").await;
        assert_eq!(location(&finance.post("/staff/catalogue", &add).await), "/staff/catalogue?year=2026&done=add");
        assert_eq!(
            location(&finance.post("/staff/catalogue", &add).await),
            "/staff/catalogue?year=2026&e=refused",
            "the code is taken"
        );
        let (status, _) = app.get_text("/policies/99").await;
        assert_eq!(status, 200, "the new item is public");

        // Next year's catalogue opens as a copy of this year's, sub-items under their parents.
        let r = finance.post("/staff/catalogue", &[("op", "new_year"), ("year", "2026")]).await;
        assert_eq!(location(&r), "/staff/catalogue?year=2027&done=new_year");
        let (n2026, n2027): (i64, i64) = (
            sqlx::query_scalar("SELECT COUNT(*) FROM subsidy_items WHERE year = 2026")
                .fetch_one(&app.db.pool)
                .await
                .unwrap(),
            sqlx::query_scalar("SELECT COUNT(*) FROM subsidy_items WHERE year = 2027")
                .fetch_one(&app.db.pool)
                .await
                .unwrap(),
        );
        assert_eq!(n2026, n2027);
        let orphans: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM subsidy_items c WHERE c.year = 2027 AND c.code LIKE '%-%' AND c.parent_id IS NULL",
        )
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
        assert_eq!(orphans, 0);
        let r = finance.post("/staff/catalogue", &[("op", "new_year"), ("year", "2026")]).await;
        assert_eq!(location(&r), "/staff/catalogue?year=2026&e=refused", "only once");
    }
}
