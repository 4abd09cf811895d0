//! The public pages with JavaScript off: policy list and filters, item pages, notices with their
//! tables, publicity from township to roster and its CSV; no personal data anywhere.

use crate::helpers::{contains_full_id_number, spawn_app, TestApp};
use sqlx::Row;

async fn page(app: &TestApp, path: &str) -> String {
    let (status, html) = app.get_text(path).await;
    assert_eq!(status, 200, "GET {path}");
    assert!(!html.contains("<template"), "{path}: content must not need JavaScript");
    assert!(!contains_full_id_number(&html), "{path}: a full ID number on a public page");
    html
}

/// Every plain ID number, phone and account of the people on `html`'s page must be absent.
async fn assert_no_personal_data(app: &TestApp, text: &str, beneficiary_ids: &[i64]) {
    for id in beneficiary_ids {
        let row = sqlx::query("SELECT id_enc, phone_enc, account_enc FROM beneficiaries WHERE id = $1")
            .bind(id)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        for column in ["id_enc", "phone_enc", "account_enc"] {
            if let Some(blob) = row.get::<Option<Vec<u8>>, _>(column) {
                let plain = app.vault.decrypt(&blob).unwrap();
                assert!(!text.contains(&plain), "{column} of beneficiary {id} appears in public output");
                let tail = &plain[plain.len() - 8..];
                assert!(!text.contains(tail), "8 trailing characters of {column} of beneficiary {id} appear");
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn policy_list_filters_by_level_department_and_keyword() {
    for backend in crate::helpers::backends() {
        let app = spawn_app(backend).await;
        let all = page(&app, "/policies").await;
        assert!(all.contains("2026年清单共"));
        assert!(all.contains("耕地地力保护补贴资金") && all.contains("高龄津贴"));
        assert!(all.contains("县民政局") && all.contains("0818-8621809"), "department and its phone");
        assert!(all.contains("/notices/"), "basis documents are linked");

        let county = page(&app, "/policies?level=county").await;
        assert!(county.contains("高龄津贴") && !county.contains("耕地地力保护补贴资金"));

        let civil = page(&app, "/policies?department=civil_affairs").await;
        assert!(civil.contains("最低生活保障金") && !civil.contains("稻谷目标价格补贴资金"));

        let keyword = page(&app, "/policies?q=%E4%BD%8E%E4%BF%9D").await; // 低保
        assert!(keyword.contains("最低生活保障金"), "an abbreviation finds its item");
        assert!(!keyword.contains("农机购置补贴资金"));

        let none = page(&app, "/policies?q=zzzz").await;
        assert!(none.contains("没有符合条件的补贴项目"));

        // Earlier years stay viewable with what changed.
        let y2025 = page(&app, "/policies?year=2025").await;
        assert!(y2025.contains("与2024年清单相比的变化"));
        assert!(y2025.contains("新增：") && y2025.contains("五小庭院"), "2025 added an item");
        assert!(y2025.contains("标准调整："), "2025 raised a standard");
        let y2026 = page(&app, "/policies?year=2026").await;
        assert!(y2026.contains("取消：") && y2026.contains("精准扶贫培训生活交通补助"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn item_page_shows_payouts_that_add_up() {
    for backend in crate::helpers::backends() {
        let app = spawn_app(backend).await;
        let html = page(&app, "/policies/14-01?year=2025").await;
        assert!(html.contains("最低生活保障金") && html.contains("困难群众救助资金"), "item and its parent");
        assert!(html.contains("按乡镇") && html.contains("<svg"), "chart and table");
        let total: i64 = sqlx::query_scalar(
            "SELECT CAST(SUM(p.amount_fen) AS BIGINT) FROM payments p JOIN subsidy_items i ON i.id = p.item_id \
             WHERE p.status = 'paid' AND i.year = 2025 AND i.code = '14-01'",
        )
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
        let shown = app::domain::Money::from_fen(total).grouped();
        assert!(html.contains(&format!("已发放 {shown} 元")), "total {shown}");
        let (status, _) = app.get_text("/policies/99-99").await;
        assert_eq!(status, 404);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notices_render_tables_and_contents() {
    for backend in crate::helpers::backends() {
        let app = spawn_app(backend).await;
        let list = page(&app, "/notices").await;
        assert!(list.contains("万源市惠民惠农财政补贴“一卡通”资金项目表"));
        let id: i64 = sqlx::query_scalar("SELECT id FROM documents WHERE title LIKE '万源市%'")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        let html = page(&app, &format!("/notices/{id}")).await;
        assert!(html.contains("<table>"), "flattened tables become tables");
        assert!(html.contains("<th scope=\"col\">项目名称</th>"));
        assert!(html.contains("<td>耕地地力保护补贴资金</td>"));
        assert!(html.contains("目录"), "a long document gets a table of contents");
        let (status, body) = app.get_text("/notices/999999").await;
        assert_eq!(status, 404);
        assert!(body.contains("未找到相关内容"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publicity_from_township_to_roster_and_csv() {
    for backend in crate::helpers::backends() {
        let app = spawn_app(backend).await;
        let index = page(&app, "/publicity?year=2025").await;
        assert!(index.contains("青岚镇") && index.contains("/publicity/510999001?year=2025"));

        let township = page(&app, "/publicity/510999001?year=2025").await;
        assert!(township.contains("分村汇总"));
        // A village with lines in 2025 and one of its rosters.
        let row = sqlx::query(
            "SELECT v.code AS village, pe.roster_id, COUNT(*) AS n, MIN(pe.beneficiary_id) AS someone \
             FROM publicity_entries pe JOIN regions v ON v.id = pe.village_id \
             WHERE v.code LIKE '510999001%' AND pe.period >= '2025' AND pe.period < '2026' \
             GROUP BY v.code, pe.roster_id ORDER BY n DESC LIMIT 1",
        )
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
        let (village, roster, n): (String, i64, i64) = (row.get("village"), row.get("roster_id"), row.get("n"));
        assert!(township.contains(&format!("/publicity/510999001/{village}?year=2025")));

        let village_page = page(&app, &format!("/publicity/510999001/{village}?year=2025")).await;
        assert!(village_page.contains(&format!("/publicity/510999001/{village}/{roster}")));

        let roster_page = page(&app, &format!("/publicity/510999001/{village}/{roster}")).await;
        assert_eq!(roster_page.matches("data-label=\"身份证号\"").count() as i64, n, "one row per published line");
        assert!(roster_page.contains("发放后公示"));

        let response =
            app.client.get(app.url(&format!("/publicity/510999001/{village}/{roster}/csv"))).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200);
        assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        let csv = response.text().await.unwrap();
        assert_eq!(csv.lines().count() as i64, n + 1, "header plus the same lines as the page");
        assert!(csv.starts_with("\u{feff}姓名,身份证号"));
        assert!(!contains_full_id_number(&csv));

        let people: Vec<i64> = sqlx::query_scalar("SELECT beneficiary_id FROM publicity_entries WHERE roster_id = $1")
            .bind(roster)
            .fetch_all(&app.db.pool)
            .await
            .unwrap();
        assert_no_personal_data(&app, &roster_page, &people).await;
        assert_no_personal_data(&app, &csv, &people).await;

        // A roster of another township, or a village outside the township, is not found.
        let (status, _) = app.get_text(&format!("/publicity/510999002/{village}/{roster}")).await;
        assert_eq!(status, 404);
        let (status, _) = app.get_text("/publicity/510999001/nope/1/csv").await;
        assert_eq!(status, 404);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn late_payout_publicity_is_flagged() {
    for backend in crate::helpers::backends() {
        let app = spawn_app(backend).await;
        let late: Option<(i64, String, String)> = sqlx::query(
            "SELECT ro.id, t.code AS township, MIN(v.code) AS village, ro.paid_on, ro.payout_publicised_on \
             FROM rosters ro JOIN regions t ON t.id = ro.region_id \
             JOIN publicity_entries pe ON pe.roster_id = ro.id JOIN regions v ON v.id = pe.village_id \
             WHERE ro.paid_on IS NOT NULL GROUP BY ro.id, t.code, ro.paid_on, ro.payout_publicised_on",
        )
        .fetch_all(&app.db.pool)
        .await
        .unwrap()
        .into_iter()
        .find(|r| {
            app::domain::date::days_between(&r.get::<String, _>("paid_on"), &r.get::<String, _>("payout_publicised_on"))
                .unwrap_or(0)
                > 5
        })
        .map(|r| (r.get("id"), r.get("township"), r.get("village")));
        let (roster, township, village) = late.expect("the demo has some late payout publicity");
        let html = page(&app, &format!("/publicity/{township}/{village}/{roster}")).await;
        assert!(html.contains("公示超期：应在发放后5日内公示"), "the flag says what it means");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn home_has_the_entry_charts_and_links() {
    for backend in crate::helpers::backends() {
        let app = spawn_app(backend).await;
        let html = page(&app, "/").await;
        assert!(html.contains("查询我的补贴"));
        assert_eq!(html.matches("<svg").count(), 2, "by item and by township");
        assert!(
            html.contains("href=\"/policies\"")
                && html.contains("href=\"/publicity\"")
                && html.contains("href=\"/notices/")
        );
    }
}

/// Public pages are kept for a few seconds per node, with an ETag: a page asked for again is
/// served as kept (or 304 Not Modified), a visitor with a session always gets a fresh page, and
/// a change made through this node shows at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_pages_are_kept_with_an_etag_and_a_change_shows_at_once() {
    let app = spawn_app(crate::helpers::Backend::Sqlite).await;
    let client = &app.client; // no cookie store, redirects not followed
    let first = client.get(app.url("/policies")).send().await.unwrap();
    assert_eq!(first.status(), 200);
    let etag = first.headers().get("etag").expect("a public page has an ETag").to_str().unwrap().to_string();
    let again = client.get(app.url("/policies")).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(again.status(), 304, "the browser's copy is still good");
    let policy =
        |r: &reqwest::Response| r.headers().get("content-security-policy").map(|v| v.to_str().unwrap().to_string());
    assert!(policy(&first).is_some_and(|p| p.contains("'nonce-")), "the page names its scripts' nonce");
    assert_eq!(policy(&again), policy(&first), "the browser keeps its copy with the copy's own policy");
    assert!(again.text().await.unwrap().is_empty());

    // Changed behind the server's back (as through another node): the kept page is served.
    sqlx::query("UPDATE subsidy_items SET name = '高龄津贴（新名称）' WHERE name = '高龄津贴'")
        .execute(&app.db.pool)
        .await
        .unwrap();
    let kept = page(&app, "/policies").await;
    assert!(!kept.contains("高龄津贴（新名称）"), "kept for a few seconds");
    let signed_in = client.get(app.url("/policies")).header("cookie", "citizen_session=none").send().await.unwrap();
    assert!(signed_in.headers().get("etag").is_none(), "a visitor with a session is not served kept pages");
    assert!(signed_in.text().await.unwrap().contains("高龄津贴（新名称）"));

    // Large text is its own variant.
    let large = client.get(app.url("/policies")).header("cookie", "text_size=large").send().await.unwrap();
    assert_ne!(large.headers().get("etag").unwrap().to_str().unwrap(), etag);

    // A citizen's post (here asking for a code) can change only the case pages: those are
    // rendered again, the others stay kept.
    assert!(page(&app, "/cases/stats").await.contains("县民政局"));
    sqlx::query("UPDATE departments SET name = '县民政局（改）' WHERE name = '县民政局'")
        .execute(&app.db.pool)
        .await
        .unwrap();
    let asked = client
        .post(app.url("/check/start"))
        .form(&[("id_number", "110101199003074514"), ("phone", "13800000000")])
        .send()
        .await
        .unwrap();
    assert_eq!(asked.status(), 303);
    assert!(page(&app, "/cases/stats").await.contains("县民政局（改）"), "the case statistics are rendered again");
    assert!(!page(&app, "/policies").await.contains("县民政局（改）"), "the policy list is still the kept one");

    // A change accepted by this node (here a staff login) empties the kept pages at once.
    let login = client
        .post(app.url("/staff/login"))
        .form(&[("username", "civil_affairs"), ("password", server::demo::office::DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(crate::helpers::location(&login), "/staff", "signed in");
    let fresh = client.get(app.url("/policies")).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(fresh.status(), 200, "the kept copy is gone");
    assert_ne!(fresh.headers().get("etag").unwrap().to_str().unwrap(), etag);
    assert!(fresh.text().await.unwrap().contains("高龄津贴（新名称）"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lines_past_the_public_years_leave_pages_search_and_open_data_but_keep_their_hashes() {
    use app::api::search::encode;
    for backend in crate::helpers::backends() {
        // Only this year's lines are public.
        let app = crate::helpers::spawn_app_with(backend, |c| c.public_line_years = 1).await;
        let year = app::ssr::clock::local_year();
        let old = sqlx::query(
            "SELECT t.code AS t, v.code AS v, v.name AS village, pe.roster_id AS r, pe.payment_id AS p, pe.name_masked AS name \
             FROM publicity_entries pe JOIN regions v ON v.id = pe.village_id JOIN regions t ON t.id = v.parent_id \
             JOIN payments p ON p.id = pe.payment_id WHERE pe.period < $1 AND p.status = 'paid' ORDER BY pe.id LIMIT 1",
        )
        .bind(year.to_string())
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
        let (t, v, r, p): (String, String, i64, i64) = (old.get("t"), old.get("v"), old.get("r"), old.get("p"));

        // The pages offer this year only; an older year asked for shows this one.
        let index: serde_json::Value = serde_json::from_str(&app.get_text("/api/v1/publicity").await.1).unwrap();
        assert_eq!(index["years"], serde_json::json!([year]));
        let asked: serde_json::Value =
            serde_json::from_str(&app.get_text(&format!("/api/v1/publicity?year={}", year - 1)).await.1).unwrap();
        assert_eq!(asked["year"], year);
        // An old roster's page, JSON, CSV and notice say why there is nothing (410), in Chinese.
        for path in [
            format!("/publicity/{t}/{v}/{r}"),
            format!("/api/v1/publicity/{t}/{v}/{r}"),
            format!("/publicity/{t}/{v}/{r}/csv"),
            format!("/publicity/{t}/{v}/{r}/notice"),
        ] {
            let (status, body) = app.get_text(&path).await;
            assert_eq!(status, 410, "{path}");
            assert!(body.contains("已超过公开期限"), "{path}: {body}");
            assert!(!body.contains(old.get::<String, _>("name").as_str()) || path.ends_with("notice"), "{path}");
        }
        // A receipt of an old line says the same.
        let signer =
            app::ssr::publicity_log::key::signer(&mut app.db.pool.acquire().await.unwrap(), &app.vault).await.unwrap();
        let (status, body) = app.get_text(&format!("/r/{}", app::ssr::publicity_log::receipt::code(&signer, p))).await;
        assert_eq!(status, 410);
        assert!(body.contains("已超过公开期限") && body.contains("查询我的补贴"));
        // Open data: no file of last year, and the log serves old entries by their hash alone.
        let files = app.get_text("/api/v1/bulk").await.1;
        assert!(files.contains(&format!("\"year\":{year}")) && !files.contains(&format!("\"year\":{}", year - 1)));
        assert_eq!(app.get_text(&format!("/open-data/510999/{}.csv", year - 1)).await.0, 404);
        let entries: Vec<app::api::publicity_log::LogEntry> =
            serde_json::from_str(&app.get_text(&format!("/api/v1/log/rosters/{r}")).await.1).unwrap();
        assert!(!entries.is_empty() && entries.iter().all(|e| e.entry.is_none() && e.record.leaf_hash.len() == 64));
        // Search finds this year's lines of the village, none of the years before.
        crate::search::ready(&app).await;
        let html = crate::search::search(
            &app,
            &format!("q={}&kind=publicity", encode(old.get::<String, _>("village").as_str())),
        )
        .await;
        assert!(!crate::search::hit_links(&html).is_empty(), "this year's lines are found");
        assert!(html.contains(&format!("year={year}")), "this year's facet");
        assert!(
            !html.contains(&format!("/year/{}", year - 1)) && !html.contains(&format!("year={}", year - 1)),
            "no facet of last year"
        );
        assert!(!crate::search::hit_links(&html).contains(&format!("/publicity/{t}/{v}/{r}")));
        // Both verifiers still hold the whole log: the hashes prove it.
        let (ok, out) = crate::publicity_log::outside_verifier(&app, &["log"]);
        assert!(ok && out.contains("已超过公开期限，只有哈希"), "{out}");
        let (ok, out) = crate::publicity_log::verify_log(&app);
        assert!(ok, "{out}");
    }
}
