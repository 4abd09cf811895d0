//! Small cells over real HTTP: a roster of a sensitive item (the orphans' living allowance) with
//! only a few children in one village. Its department is shown that village before publicity and
//! must choose; publicised at township level, those lines leave the village pages, search, bulk
//! files and the log's lines, and are counted on the township page with the rule beside them; the
//! children's own self-check and receipts say so, and both verifiers still pass.

use crate::flow::{import, pay_all, review, RosterFile};
use crate::helpers::{backends, contains_full_id_number, location, spawn_app, TestApp};
use crate::publicity_log::{get_json, outside_verifier, verify_log};
use crate::search::{ready, search};
use app::api::search::encode;
use app::domain::IdNumber;
use sqlx::Row;
use std::time::{Duration, Instant};

/// Where the test's lines are: two villages of one township.
struct Places {
    tc: String,
    /// The village with `big` children (code, name).
    big: (String, String),
    /// The village with `small` children.
    small: (String, String),
}

/// A roster file of the orphans' item paying `big` children in one village and `small` in the
/// next village of the same township (names 测试… and 样本… so that each village's are known);
/// with their ID numbers, phones for the self-check, and where they live.
async fn orphans_file(app: &TestApp, big: usize, small: usize, year: u32) -> (RosterFile, Vec<String>, Places) {
    let item = sqlx::query(
        "SELECT i.code, i.standard_fen, d.code AS dept FROM subsidy_items i JOIN departments d ON d.id = i.department_id \
         WHERE i.year = 2026 AND i.name LIKE '%孤儿%' AND i.standard_fen IS NOT NULL ORDER BY i.id LIMIT 1",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    let villages = sqlx::query(
        "SELECT t.name AS t, t.code AS tc, v.name AS v, v.code AS vc FROM regions v JOIN regions t ON t.id = v.parent_id \
         WHERE t.id = (SELECT parent_id FROM regions WHERE level = 'village' ORDER BY id LIMIT 1) ORDER BY v.id LIMIT 2",
    )
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    let bank: String =
        sqlx::query_scalar("SELECT name FROM banks ORDER BY id LIMIT 1").fetch_one(&app.db.pool).await.unwrap();
    let amount = format!("{}", item.get::<i64, _>("standard_fen") as f64 / 100.0);
    let township: String = villages[0].get("t");
    let mut csv = String::from("姓名,身份证号,民族,手机号,镇街,村(社区),开户行,银行卡号,补贴额,预计发放时间\n");
    let mut ids = Vec::new();
    for n in 0..big + small {
        let (surname, village) = if n < big { ("测试", &villages[0]) } else { ("样本", &villages[1]) };
        let id = IdNumber::from_parts("510999", year, 4, n as u32 + 1, 500 + n as u32).unwrap().as_str().to_string();
        let name = format!("{surname}{}", "甲乙丙丁戊己庚辛壬癸".chars().nth(n).unwrap());
        let v: String = village.get("v");
        csv.push_str(&format!(
            "{name},{id},汉族,1390000300{n},{township},{v},{bank},621700000000100{n},{amount},2026-12\n"
        ));
        ids.push(id);
    }
    let file = RosterFile {
        code: item.get("code"),
        dept: item.get("dept"),
        tc: villages[0].get("tc"),
        vc: villages[0].get("vc"),
        township,
        village: villages[0].get("v"),
        bank,
        amount,
        csv,
    };
    let places = Places {
        tc: villages[0].get("tc"),
        big: (villages[0].get("vc"), villages[0].get("v")),
        small: (villages[1].get("vc"), villages[1].get("v")),
    };
    (file, ids, places)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_villages_few_orphans_are_publicised_as_township_counts_once_the_department_chooses() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        ready(&app).await;
        let (file, ids, at) = orphans_file(&app, 5, 2, 2015).await;
        let (dep, fin) = (app.staff(&file.dept).await, app.staff("finance").await);
        let roster = import(&app, &dep, &file).await;
        let (tc, (vb, big_name), (vs, small_name)) = (&at.tc, &at.big, &at.small);

        // Before publicity the department sees the small village, and only it, with the rule.
        let (_, draft) = dep.get(&format!("/staff/rosters/{roster}")).await;
        assert!(draft.contains(&format!("{small_name}：2 人")), "{backend:?}: the small village is flagged");
        assert!(!draft.contains(&format!("{big_name}：5 人")), "{backend:?}: five is not a small cell");
        assert!(draft.contains("name=\"small_cells\"") && draft.contains("不足 5 人"), "{backend:?}");

        // Publicising without choosing is refused in words, and nothing is published.
        let r = dep.step(roster, "publicise", "").await;
        assert_eq!(r.status().as_u16(), 400, "{backend:?}");
        assert!(r.text().await.unwrap().contains("请先选择这些村按乡镇汇总公示还是逐人公示"));
        let entries: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM publicity_entries WHERE roster_id = $1")
            .bind(roster)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(entries, 0, "{backend:?}: nothing half-published");

        // Chosen: at township level.
        let r = dep
            .post(&format!("/staff/rosters/{roster}/step"), &[("step", "publicise"), ("small_cells", "township")])
            .await;
        assert!(location(&r).ends_with("done=publicise"), "{backend:?}");
        let (_, published) = dep.get(&format!("/staff/rosters/{roster}")).await;
        assert!(published.contains("2 人按乡镇汇总公示") && published.contains(&format!("{small_name}：2 人")));

        // The village pages list only the big village's children.
        let (_, small_village) = app.get_text(&format!("/publicity/{tc}/{vs}?year=2026")).await;
        assert!(!small_village.contains(&format!("/{roster}\"")), "{backend:?}: no roster link in the small village");
        let (_, big_village) = app.get_text(&format!("/publicity/{tc}/{vb}?year=2026")).await;
        assert!(big_village.contains(&format!("/publicity/{tc}/{vb}/{roster}")), "{backend:?}");
        let (_, page) = app.get_text(&format!("/publicity/{tc}/{vb}/{roster}")).await;
        assert_eq!(page.matches("测*").count(), 5, "{backend:?}");
        assert!(!page.contains("样*") && page.contains("本清册另有 2 人按乡镇汇总公示"), "{backend:?}");
        let json: serde_json::Value = get_json(&app, &format!("/api/v1/publicity/{tc}/{vs}/{roster}")).await;
        assert_eq!(json["lines"].as_array().map(Vec::len), Some(0), "{backend:?}: {json}");
        assert_eq!(json["summarised"]["lines"], 2, "{backend:?}: {json}");
        assert!(json["small_cell_rule"].as_str().unwrap().contains("不足 5 人"));

        // The township page counts them, with the rule, and no name.
        let (_, township) = app.get_text(&format!("/publicity/{tc}?year=2026")).await;
        assert!(township.contains("按乡镇汇总公示") && township.contains("不足 5 人"), "{backend:?}");
        let t: serde_json::Value = get_json(&app, &format!("/api/v1/publicity/{tc}")).await;
        let ours = t["summarised"].as_array().unwrap().iter().find(|r| r["id"] == roster).cloned();
        let ours = ours.unwrap_or_else(|| panic!("{backend:?}: the roster is summarised on the township: {t}"));
        assert_eq!((ours["lines"].as_i64(), ours["planned"].as_i64()), (Some(2), Some(280_000)), "{backend:?}");
        assert!(!township.contains("样*"));

        // Search finds the big village's lines and never the small one's.
        let deadline = Instant::now() + Duration::from_secs(60);
        let query = |v: &str| format!("q={}&kind=publicity", encode(&format!("{v} 孤儿")));
        while !search(&app, &query(big_name)).await.contains(&format!("/publicity/{tc}/{vb}/{roster}")) {
            assert!(Instant::now() < deadline, "{backend:?}: the new lines were not indexed in time");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        assert!(!search(&app, &query(small_name)).await.contains(&format!("/{roster}\"")), "{backend:?}");

        // The bulk file holds the five lines, not the two.
        let (_, bulk) = app.get_text("/open-data/510999/2026.csv").await;
        assert!(bulk.contains("测*甲") && !bulk.contains("样*"), "{backend:?}");

        // The log's entry: version 2, five lines and the two as counts.
        let logged: Vec<app::api::publicity_log::LogEntry> =
            get_json(&app, &format!("/api/v1/log/rosters/{roster}")).await;
        let text = logged[0].entry.clone().unwrap();
        assert!(text.starts_with("{\"v\":2,") && !text.contains("样*"), "{backend:?}: {text}");
        assert!(
            text.contains("\"summarised\":{\"line_count\":2,\"total_fen\":280000,\"paid_count\":0,\"paid_fen\":0}"),
            "{backend:?}: {text}"
        );

        // A child's own self-check says how their line was publicised.
        let cookie = app.citizen(&ids[5], "13900003005").await;
        let (_, mine) = app.get_text_as("/check/payments", &cookie).await;
        assert!(mine.contains("本笔按乡镇汇总公示（保护隐私）"), "{backend:?}");
        assert!(!mine.contains("已到账，但没有查到对应的公示"), "{backend:?}: not taken for a mismatch");

        // Paid: the receipt of a small village's line shows no name or village; the township's
        // counts are of the money paid.
        review(&app, &dep, &fin, roster).await;
        pay_all(&dep, &fin, roster, &ids).await;
        let payment: i64 = sqlx::query_scalar(
            "SELECT p.id FROM payments p JOIN beneficiaries b ON b.id = p.beneficiary_id WHERE p.roster_id = $1 AND b.name = '样本己'",
        )
        .bind(roster)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
        let signer =
            app::ssr::publicity_log::key::signer(&mut app.db.pool.acquire().await.unwrap(), &app.vault).await.unwrap();
        let code = app::ssr::publicity_log::receipt::code(&signer, payment);
        let (status, receipt) = app.get_text(&format!("/r/{code}")).await;
        assert_eq!(status, 200, "{backend:?}");
        assert!(receipt.contains("按乡镇汇总公示（保护隐私）") && receipt.contains("1,400.00"), "{backend:?}");
        assert!(!receipt.contains("样*") && !receipt.contains(small_name.as_str()), "{backend:?}");
        assert!(!contains_full_id_number(&receipt));
        let t: serde_json::Value = get_json(&app, &format!("/api/v1/publicity/{tc}")).await;
        let ours = t["summarised"].as_array().unwrap().iter().find(|r| r["id"] == roster).cloned().unwrap();
        assert_eq!(ours["amount"].as_i64(), Some(280_000), "{backend:?}: paid");

        // Both verifiers hold the pages to the log, the counts included.
        let roster_id = roster.to_string();
        let (ok, out) = outside_verifier(&app, &["roster", tc.as_str(), vb.as_str(), roster_id.as_str()]);
        assert!(ok && out.contains("按乡镇汇总公示的 2 人与日志记录的一致"), "{backend:?}: {out}");
        let (ok, out) = verify_log(&app);
        assert!(ok, "{backend:?}: {out}");
        // A clerk who moves a summarised line back onto its village's page is caught.
        sqlx::query("UPDATE publicity_entries SET shown_as = 'line' WHERE roster_id = $1 AND shown_as = 'township' AND payment_id = $2")
            .bind(roster)
            .bind(payment)
            .execute(&app.db.pool)
            .await
            .unwrap();
        let (ok, out) = verify_log(&app);
        assert!(!ok && out.contains(&format!("清册 {roster} 的公示页面")), "{backend:?}: {out}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_department_may_publicise_small_cells_line_by_line_and_says_so() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let (file, _, at) = orphans_file(&app, 1, 1, 2014).await;
        let dep = app.staff(&file.dept).await;
        let roster = import(&app, &dep, &file).await;
        let r =
            dep.post(&format!("/staff/rosters/{roster}/step"), &[("step", "publicise"), ("small_cells", "line")]).await;
        assert!(location(&r).ends_with("done=publicise"), "{backend:?}");
        let (_, page) = app.get_text(&format!("/publicity/{}/{}/{roster}", at.tc, at.small.0)).await;
        assert!(page.contains("样*") && !page.contains("按乡镇汇总公示"), "{backend:?}: listed as chosen");
        let (_, detail) = dep.get(&format!("/staff/rosters/{roster}")).await;
        assert!(detail.contains("经确认逐人公示"), "{backend:?}: the choice is in the roster's history");
        let text: String = sqlx::query_scalar("SELECT entry FROM publicity_log WHERE roster_id = $1")
            .bind(roster)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        assert!(text.starts_with("{\"v\":1,") && !text.contains("summarised"), "{backend:?}: as before: {text}");
    }
}
