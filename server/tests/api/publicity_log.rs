//! The publicity log over real HTTP: a published roster is an entry of the signed log, its proofs
//! check, and both verifiers (`server verify-log` on the database, the outside Python verifier on
//! the public API alone) catch a published line edited in the database, and a log rewritten to
//! cover it.

use crate::flow::{import, roster_file};
use crate::helpers::{backends, contains_full_id_number, spawn_app, TestApp};
use app::api::publicity_log::{InclusionProof, LogEntry, TreeHead};
use app::domain::IdNumber;
use app::ssr::publicity_log::{key, merkle};
use std::process::{Command, Output};

fn hash(hex: &str) -> merkle::Hash {
    app::ssr::vault::decode_hex(hex).and_then(|h| h.try_into().ok()).expect("64 hex characters")
}

pub(crate) async fn get_json<T: serde::de::DeserializeOwned>(app: &TestApp, path: &str) -> T {
    let r = app.client.get(app.url(path)).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200, "{path}");
    r.json().await.unwrap()
}

/// The outside verifier, as anyone would run it: Python's standard library and the site's URL.
pub(crate) fn outside_verifier(app: &TestApp, args: &[&str]) -> (bool, String) {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/verify-publicity.py");
    let out = Command::new("python3").arg(script).arg(app.url("")).args(args).output().expect("python3 runs");
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

/// `server verify-log` on the app's database.
pub(crate) fn verify_log(app: &TestApp) -> (bool, String) {
    let out: Output = Command::new(env!("CARGO_BIN_EXE_server"))
        .arg("verify-log")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("DATABASE_URL", app.database_url())
        .env("PORTAL_DATA_KEY", app.data_key())
        .output()
        .unwrap();
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_published_roster_is_in_the_signed_log_and_both_verifiers_catch_an_edit() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let ids: Vec<String> = (1..=3)
            .map(|n| IdNumber::from_parts("510999", 1971, 3, n, 640 + n).unwrap().as_str().to_string())
            .collect();
        let file = roster_file(&app, &ids).await;
        let dep = app.staff(&file.dept).await;
        let roster = import(&app, &dep, &file).await;
        let before: TreeHead = get_json(&app, "/api/v1/log/head").await;
        assert!(before.tree_size > 0, "{backend:?}: the demo's published rosters were entered at start");
        assert!(crate::helpers::location(&dep.step(roster, "publicise", "").await).ends_with("done=publicise"));

        // The publication is the log's newest entry, under a new signed head.
        let head: TreeHead = get_json(&app, "/api/v1/log/head").await;
        assert_eq!(head.tree_size, before.tree_size + 1, "{backend:?}");
        assert!(key::verify(&head), "{backend:?}: the head's signature checks");
        assert_eq!(head.public_key, before.public_key, "one key signs every head");
        let entries: Vec<LogEntry> = get_json(&app, &format!("/api/v1/log/rosters/{roster}")).await;
        assert_eq!(entries.len(), 1);
        let entry = &entries[0];
        assert_eq!((entry.record.kind.as_str(), entry.record.leaf_index), ("publicity", head.tree_size - 1));
        let text = entry.entry.as_deref().expect("this year's entry has its text");
        assert!(text.contains("测*") && !contains_full_id_number(text), "masked as the page is");
        let leaf = merkle::leaf_hash(text.as_bytes());
        assert_eq!(app::ssr::vault::encode_hex(&leaf), entry.record.leaf_hash);
        let proof: InclusionProof =
            get_json(&app, &format!("/api/v1/log/proof/inclusion?index={}", entry.record.leaf_index)).await;
        let path: Vec<merkle::Hash> = proof.audit_path.iter().map(|h| hash(h)).collect();
        assert!(merkle::verify_inclusion(
            entry.record.leaf_index as u64,
            head.tree_size as u64,
            &leaf,
            &path,
            &hash(&head.root_hash)
        ));
        let (_, page) = app.get_text(&format!("/publicity/{}/{}/{roster}", file.tc, file.vc)).await;
        assert!(
            page.contains("公示记录") && page.contains(&entry.record.leaf_hash),
            "{backend:?}: the roster's page shows its entry and hash"
        );
        let (status, log_page) = app.get_text("/publicity/log").await;
        assert!(status == 200 && log_page.contains(&head.root_hash) && log_page.contains(&head.public_key));

        // Both verifiers pass; the outside one keeps the head it saw.
        let dir = tempfile::tempdir().unwrap();
        let heads = dir.path().join("heads.json");
        let heads = heads.to_str().unwrap();
        let roster_id = roster.to_string();
        let args = [
            "roster",
            file.tc.as_str(),
            file.vc.as_str(),
            roster_id.as_str(),
            "--heads",
            heads,
            "--key",
            head.public_key.as_str(),
        ];
        let (ok, out) = outside_verifier(&app, &args);
        assert!(ok && out.contains("全部通过"), "{backend:?}: {out}");
        let (ok, out) = outside_verifier(&app, &["log", "--heads", heads]);
        assert!(ok && out.contains("全部通过") && out.contains("之前的记录未被改动"), "{backend:?}: {out}");
        let (ok, out) = verify_log(&app);
        assert!(ok && out.contains("公示日志完好"), "{backend:?}: {out}");

        // A clerk edits a published amount in the database: both verifiers name it.
        sqlx::query("UPDATE publicity_entries SET amount_fen = amount_fen + 50000 WHERE id = (SELECT MIN(id) FROM publicity_entries WHERE roster_id = $1)")
            .bind(roster)
            .execute(&app.db.pool)
            .await
            .unwrap();
        app.staff("finance").await; // an accepted post: the node's kept pages are emptied
        let (ok, out) = outside_verifier(&app, &args);
        assert!(!ok && out.contains("公示页面与日志第") && out.contains("第 1 行"), "{backend:?}: {out}");
        let (ok, out) = verify_log(&app);
        assert!(!ok && out.contains(&format!("清册 {roster} 的公示页面")), "{backend:?}: {out}");

        // And rewrites the log's entry to match: the signed heads no longer do.
        let forged = {
            let mut v: serde_json::Value = serde_json::from_str(text).unwrap();
            let amount = v["lines"][0]["amount_fen"].as_i64().unwrap();
            v["lines"][0]["amount_fen"] = serde_json::json!(amount + 50000);
            serde_json::to_string(&v).unwrap()
        };
        sqlx::query("UPDATE publicity_log SET entry = $1, leaf_hash = $2 WHERE leaf_index = $3")
            .bind(&forged)
            .bind(app::ssr::vault::encode_hex(&merkle::leaf_hash(forged.as_bytes())))
            .bind(entry.record.leaf_index)
            .execute(&app.db.pool)
            .await
            .unwrap();
        app.staff("finance").await;
        let (ok, out) = outside_verifier(&app, &args);
        assert!(!ok && out.contains("不在签名的日志中"), "{backend:?}: {out}");
        // The next publication's head is signed over the rewritten log: a head kept from before
        // shows it.
        let next_ids = [IdNumber::from_parts("510999", 1972, 4, 1, 650).unwrap().as_str().to_string()];
        let next = import(&app, &dep, &roster_file(&app, &next_ids).await).await;
        assert!(crate::helpers::location(&dep.step(next, "publicise", "").await).ends_with("done=publicise"));
        let (ok, out) = outside_verifier(&app, &args);
        assert!(!ok && out.contains("之前的记录被改过"), "{backend:?}: {out}");
        let (ok, out) = verify_log(&app);
        assert!(!ok && out.contains("根哈希"), "{backend:?}: {out}");
    }
}

/// The log's API refuses what does not fit it in words, and never answers with personal data.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_api_answers_bad_requests_plainly() {
    let app = spawn_app(crate::helpers::Backend::Sqlite).await;
    let head: TreeHead = get_json(&app, "/api/v1/log/head").await;
    for (path, status) in [
        ("/api/v1/log/proof/inclusion", 400),
        ("/api/v1/log/proof/inclusion?index=abc", 400),
        (&format!("/api/v1/log/proof/inclusion?index={}", head.tree_size) as &str, 404),
        ("/api/v1/log/proof/consistency?first=0&second=1", 404),
        (&format!("/api/v1/log/proof/consistency?first=1&second={}", head.tree_size + 1), 404),
        ("/api/v1/log/rosters/none", 404),
    ] {
        let r = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status().as_u16(), status, "{path}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert!(body["error"].as_str().is_some_and(|e| !e.is_empty() && !e.is_ascii()), "{path}: {body}");
    }
    let (status, _) = app.get_text(&format!("/api/v1/log/entries?start={}", i64::MAX)).await;
    assert_eq!(status, 200, "a start at the end of the numbers is an empty page, not a failure");
    let entries: Vec<LogEntry> = get_json(&app, "/api/v1/log/entries?start=0&end=100000").await;
    assert!(!entries.is_empty() && entries.len() <= 1000);
    assert!(entries.iter().all(|e| !contains_full_id_number(e.entry.as_deref().unwrap_or_default())));
    let proof: app::api::publicity_log::ConsistencyProof =
        get_json(&app, &format!("/api/v1/log/proof/consistency?first=1&second={}", head.tree_size)).await;
    let path: Vec<merkle::Hash> = proof.proof.iter().map(|h| hash(h)).collect();
    assert!(merkle::verify_consistency(
        1,
        head.tree_size as u64,
        &hash(&proof.first_root),
        &hash(&head.root_hash),
        &path
    ));
}

/// An installation that published rosters before the log existed: at its first start after the
/// upgrade every published roster gets one entry of what its pages show, under one signed head,
/// and the log then checks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rosters_published_before_the_log_are_entered_at_the_first_start() {
    for backend in backends() {
        let mut app = spawn_app(backend).await;
        // The old version is stopped before the upgrade (its housekeeping would sign the log).
        app.stop().await;
        for sql in [
            "DELETE FROM publicity_log_heads",
            "DELETE FROM publicity_log",
            "UPDATE publicity_log_size SET size = 0",
            "DELETE FROM settings WHERE key = 'publicity_log_key'",
        ] {
            sqlx::query(sql).execute(&app.db.pool).await.unwrap();
        }
        let published: i64 = sqlx::query_scalar("SELECT COUNT(DISTINCT roster_id) FROM publicity_entries")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        assert!(published > 0);
        let upgraded = crate::helpers::spawn_app_on(app.database_url(), app.data_key(), |_| {}).await;
        let head: TreeHead = get_json(&upgraded, "/api/v1/log/head").await;
        assert_eq!(head.tree_size, published, "{backend:?}: one entry per published roster");
        assert!(key::verify(&head));
        let heads: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM publicity_log_heads").fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(heads, 1, "{backend:?}: one head over them all");
        let (ok, out) = verify_log(&upgraded);
        assert!(ok, "{backend:?}: {out}");
        let (ok, out) = outside_verifier(&upgraded, &["log"]);
        assert!(ok, "{backend:?}: {out}");
    }
}

/// A department withdraws its roster during publicity (撤回) with a reason: its lines leave the
/// public pages at once, the roster's page says it was withdrawn and why, and the log keeps both
/// the publication and the withdrawal; publicised again, it is a third entry. Nobody else may
/// withdraw it, and never without a reason.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_withdrawn_roster_leaves_the_pages_and_its_withdrawal_stays_in_the_log() {
    use crate::helpers::location;
    for backend in backends() {
        let app = spawn_app(backend).await;
        let ids = crate::flow::test_ids(1966, 2, 610, 3);
        let file = roster_file(&app, &ids).await;
        let dep = app.staff(&file.dept).await;
        let roster = import(&app, &dep, &file).await;
        assert!(location(&dep.step(roster, "publicise", "").await).ends_with("done=publicise"));
        let page = format!("/publicity/{}/{}/{roster}", file.tc, file.vc);
        assert_eq!(app.get_text(&page).await.1.matches("测*").count(), 3, "{backend:?}");

        // Finance may not withdraw a department's roster; the department not without a reason.
        let fin = app.staff("finance").await;
        assert_eq!(fin.step(roster, "withdraw", "不对").await.status().as_u16(), 400, "{backend:?}");
        let r = dep.step(roster, "withdraw", "  ").await;
        assert_eq!(r.status().as_u16(), 400, "{backend:?}");
        assert!(r.text().await.unwrap().contains("请填写撤回理由"));
        let r = dep.step(roster, "withdraw", &format!("{} 的身份证号有误", ids[1])).await;
        assert_eq!(r.status().as_u16(), 400, "{backend:?}: the reason is public: no ID number in it");
        assert!(r.text().await.unwrap().contains("请不要写身份证号"));
        assert_eq!(app.get_text(&page).await.1.matches("测*").count(), 3, "{backend:?}: still published");

        let r = dep.step(roster, "withdraw", "第2行身份证号录入有误").await;
        assert!(location(&r).ends_with("done=withdraw"), "{backend:?}");
        let (status, public) = app.get_text(&page).await;
        assert_eq!(status, 200, "{backend:?}: the page stays, saying what happened");
        assert!(public.contains("已撤回公示") && public.contains("第2行身份证号录入有误"), "{backend:?}");
        assert!(!public.contains("测*"), "{backend:?}: no line is public any more");
        let (_, village) = app.get_text(&format!("/publicity/{}/{}?year=2026", file.tc, file.vc)).await;
        assert!(!village.contains(&format!("/{roster}\"")), "{backend:?}: nor listed in the village");
        let (_, detail) = dep.get(&format!("/staff/rosters/{roster}")).await;
        assert!(detail.contains("撤回公示") && detail.contains("开始公示（7天）"), "{backend:?}: a draft again");
        assert_eq!(app.get_text(&format!("{page}/notice")).await.0, 404, "{backend:?}: no notice to print");

        let entries: Vec<LogEntry> = get_json(&app, &format!("/api/v1/log/rosters/{roster}")).await;
        let kinds: Vec<&str> = entries.iter().map(|e| e.record.kind.as_str()).collect();
        assert_eq!(kinds, ["publicity", "withdrawal"], "{backend:?}");
        let withdrawal = entries[1].entry.as_deref().unwrap();
        assert!(withdrawal.contains("\"reason\":\"第2行身份证号录入有误\"") && withdrawal.contains("\"lines\":[]"));
        assert!(
            entries[0].entry.as_deref().unwrap().contains("测*"),
            "{backend:?}: what was published stays on record"
        );
        let (ok, out) = outside_verifier(&app, &["roster", file.tc.as_str(), file.vc.as_str(), &roster.to_string()]);
        assert!(ok, "{backend:?}: {out}");
        let (ok, out) = verify_log(&app);
        assert!(ok, "{backend:?}: {out}");

        // Corrected and publicised again: a third entry, the lines back.
        assert!(location(&dep.step(roster, "publicise", "").await).ends_with("done=publicise"));
        assert_eq!(app.get_text(&page).await.1.matches("测*").count(), 3, "{backend:?}");
        let entries: Vec<LogEntry> = get_json(&app, &format!("/api/v1/log/rosters/{roster}")).await;
        assert_eq!(entries.len(), 3, "{backend:?}");
    }
}

/// Once paid, a line's money recovered by its department (追回) with a public reason: the line says
/// 已追回 and leaves the paid total, the log records it with the reason, both verifiers pass, and the
/// person sees when and why. Only the department, only with a reason free of personal data, once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clawback_is_public_with_its_reason_and_the_person_sees_it() {
    use crate::flow::{pass_reviews, pay_all, test_ids};
    use crate::helpers::location;
    for backend in backends() {
        let app = spawn_app(backend).await;
        let ids = test_ids(1962, 8, 630, 3);
        let file = roster_file(&app, &ids).await;
        let (dep, fin) = (app.staff(&file.dept).await, app.staff("finance").await);
        let roster = import(&app, &dep, &file).await;
        pass_reviews(&app, &dep, &fin, roster).await;
        pay_all(&dep, &fin, roster, &ids).await;
        let payment: i64 = sqlx::query_scalar(
            "SELECT p.id FROM payments p JOIN beneficiaries b ON b.id = p.beneficiary_id WHERE p.roster_id = $1 AND b.name = '测试甲'",
        )
        .bind(roster)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
        let township_paid = |json: serde_json::Value| {
            let row =
                json["by_township"].as_array().unwrap().iter().find(|r| r["label"] == file.township.as_str()).cloned();
            row.map_or(0, |r| r["amount"].as_i64().unwrap())
        };
        let item = format!("/api/v1/catalogue/{}?year=2026", file.code);
        let paid_before = township_paid(get_json(&app, &item).await);
        let path = format!("/staff/rosters/{roster}/clawback");
        let claw = |who: &'static str, note: String| {
            let staffer = if who == "dep" { &dep } else { &fin };
            let (path, payment) = (path.clone(), payment.to_string());
            async move { staffer.post(&path, &[("payment", payment.as_str()), ("note", note.as_str())]).await }
        };
        assert_eq!(claw("fin", "不符合条件".into()).await.status().as_u16(), 400, "{backend:?}: not finance's to do");
        let r = claw("dep", " ".into()).await;
        assert!(r.status().as_u16() == 400 && r.text().await.unwrap().contains("请填写追回理由"), "{backend:?}");
        let r = claw("dep", "联系电话13900001000".into()).await;
        assert!(r.status().as_u16() == 400 && r.text().await.unwrap().contains("请不要写身份证号"), "{backend:?}");
        let r = claw("dep", "经核查不符合享受条件".into()).await;
        assert!(location(&r).ends_with("done=clawback"), "{backend:?}");
        let r = claw("dep", "重复".into()).await;
        assert!(r.status().as_u16() == 400 && r.text().await.unwrap().contains("已经追回过"), "{backend:?}: once");
        // Five clerks' posts at once for another line: one clawback, one log entry.
        let other: i64 = sqlx::query_scalar(
            "SELECT p.id FROM payments p JOIN beneficiaries b ON b.id = p.beneficiary_id WHERE p.roster_id = $1 AND b.name = '测试乙'",
        )
        .bind(roster)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
        let other = other.to_string();
        let posts =
            (0..5).map(|n| {
                let note = format!("重复发放{n}");
                let (path, other) = (path.clone(), other.clone());
                let dep = &dep;
                async move {
                    dep.post(&path, &[("payment", other.as_str()), ("note", note.as_str())]).await.status().as_u16()
                }
            });
        let codes = futures_util::future::join_all(posts).await;
        assert_eq!(codes.iter().filter(|&&c| c == 303).count(), 1, "{backend:?}: {codes:?}");
        assert_eq!(codes.iter().filter(|&&c| c == 400).count(), 4, "{backend:?}: the others told in words: {codes:?}");

        let json: serde_json::Value =
            get_json(&app, &format!("/api/v1/publicity/{}/{}/{roster}", file.tc, file.vc)).await;
        let statuses: Vec<&str> =
            json["lines"].as_array().unwrap().iter().map(|l| l["status"].as_str().unwrap()).collect();
        assert_eq!(statuses, ["clawed_back", "clawed_back", "paid"], "{backend:?}");
        assert_eq!(
            json["roster"]["amount"],
            json["roster"]["planned"].as_i64().unwrap() / 3,
            "{backend:?}: paid total"
        );
        let paid_after = township_paid(get_json(&app, &item).await);
        let one: i64 = json["roster"]["planned"].as_i64().unwrap() / 3;
        assert_eq!(paid_before - paid_after, 2 * one, "{backend:?}: the item's payouts leave out what was clawed back");
        let (_, page) = app.get_text(&format!("/publicity/{}/{}/{roster}", file.tc, file.vc)).await;
        assert!(
            page.contains("已追回")
                && page.contains("经核查不符合享受条件")
                && page.contains("3笔，已发放")
                && page.contains("（其中2笔已追回）"),
            "{backend:?}: the line and the reason"
        );
        let entries: Vec<LogEntry> = get_json(&app, &format!("/api/v1/log/rosters/{roster}")).await;
        let kinds: Vec<&str> = entries.iter().map(|e| e.record.kind.as_str()).collect();
        assert_eq!(kinds, ["publicity", "payout_publicity", "clawback", "clawback"], "{backend:?}");
        let text = entries[2].entry.as_deref().unwrap();
        assert!(
            text.contains("\"reason\":\"经核查不符合享受条件\"") && text.contains("\"status\":\"clawed_back\""),
            "{text}"
        );
        let (ok, out) = outside_verifier(&app, &["roster", file.tc.as_str(), file.vc.as_str(), &roster.to_string()]);
        assert!(ok, "{backend:?}: {out}");
        let (ok, out) = verify_log(&app);
        assert!(ok, "{backend:?}: {out}");

        let cookie = app.citizen(&ids[0], "13900001000").await;
        let (_, mine) = app.get_text_as("/check/payments", &cookie).await;
        assert!(mine.contains("已追回") && mine.contains("理由：经核查不符合享受条件"), "{backend:?}");
        let told = crate::helpers::messages_to(&app, "13900001000").await;
        let amount = format!("{}元", app::domain::Money::from_fen(one).plain());
        assert!(told.iter().any(|m| m.contains("已追回发放给您的") && m.contains(&amount)), "{backend:?}: {told:?}");
    }
}

/// The log's key from configuration (`PORTAL_LOG_KEY`): every head is signed with it; a start on
/// the same log with another key, or with a key that is not a key, is refused in words.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_key_comes_from_configuration_and_another_is_refused() {
    use server::config::Secret;
    for backend in backends() {
        let app = crate::helpers::spawn_app_with(backend, |c| c.log_key = Some(Secret::new("42".repeat(32)))).await;
        let head: TreeHead = get_json(&app, "/api/v1/log/head").await;
        let configured = key::Signer::from_seed(&[0x42; 32]).unwrap().public_key();
        assert_eq!(head.public_key, configured, "{backend:?}: the demo's heads are signed with the configured key");
        assert!(key::verify(&head));
        let start_with = |seed: &str| {
            let dir = tempfile::tempdir().unwrap();
            let mut config = crate::helpers::test_config(dir.path(), app.database_url().to_string());
            config.data_key = Some(Secret::new(app.data_key().to_string()));
            config.log_key = Some(Secret::new(seed.to_string()));
            async move {
                let refused = server::startup::Application::build(&config).await.err().map(|e| e.to_string());
                drop(dir);
                refused
            }
        };
        let refused = start_with(&"43".repeat(32)).await.expect("another key is refused");
        assert!(refused.contains("PORTAL_LOG_KEY is not the key") && refused.contains(&configured), "{refused}");
        let refused = start_with("not a key").await.expect("a malformed key is refused");
        assert!(refused.contains("64 hex characters"), "{refused}");
        assert!(start_with(&"42".repeat(32)).await.is_none(), "{backend:?}: the same key starts");
    }
}

/// The payout SMS carries a receipt code; `/r/{code}` (or the code typed into `/r`) opens that
/// masked line with its log entry and the proof, with no ID number asked; a code changed by one
/// character opens nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payout_sms_carries_a_receipt_code_that_opens_its_line() {
    use crate::flow::pass_reviews;
    use crate::helpers::{location, messages_to};
    for backend in backends() {
        let app = spawn_app(backend).await;
        let ids: Vec<String> = (1..=2)
            .map(|n| IdNumber::from_parts("510999", 1968, 7, n, 660 + n).unwrap().as_str().to_string())
            .collect();
        let file = roster_file(&app, &ids).await;
        let (dep, fin) = (app.staff(&file.dept).await, app.staff("finance").await);
        let roster = import(&app, &dep, &file).await;
        pass_reviews(&app, &dep, &fin, roster).await;
        assert!(location(&fin.step(roster, "send_to_bank", "").await).ends_with("done=send_to_bank"));
        let feedback =
            format!("身份证号,结果,失败原因,到账日期\n{},成功,,2026-12-05\n{},失败,账户已销户,\n", ids[0], ids[1]);
        let r = dep.upload(&format!("/staff/rosters/{roster}/feedback"), &[], feedback.into_bytes()).await;
        assert!(location(&r).contains("done=feedback&paid=1&failed=1"), "{backend:?}");

        let code_in = |sms: Vec<String>| {
            let text = sms.into_iter().find(|m| m.contains("凭证码")).expect("a payout SMS with a receipt code");
            let at = text.find("凭证码").unwrap() + "凭证码".len();
            text[at..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect::<String>()
        };
        let paid = code_in(messages_to(&app, "13900001000").await);
        let failed = code_in(messages_to(&app, "13900001001").await);
        assert_eq!(paid.len(), 10, "{backend:?}: {paid}");
        assert_ne!(paid, failed);

        let entry: Vec<LogEntry> = get_json(&app, &format!("/api/v1/log/rosters/{roster}")).await;
        let newest = &entry.last().unwrap().record;
        assert_eq!(newest.kind, "payout_publicity");
        let (status, page) = app.get_text(&format!("/r/{paid}")).await;
        assert_eq!(status, 200);
        assert!(
            page.contains("测*") && page.contains("已到账") && page.contains(&newest.leaf_hash),
            "{backend:?}: the line as published, and its log entry"
        );
        assert!(page.contains("包含证明") && !contains_full_id_number(&page), "{backend:?}");
        let (_, page) = app.get_text(&format!("/r/{failed}")).await;
        assert!(page.contains("发放失败"), "{backend:?}: a failed line's code opens it too");
        let typed = paid.to_lowercase().replace('-', "");
        let (_, page) = app.get_text(&format!("/r?code={typed}")).await;
        assert!(page.contains(&format!("凭证码 {paid}")), "{backend:?}: typed in lower case without the hyphen");
        let mut forged: Vec<char> = paid.chars().collect();
        let last = forged.len() - 1;
        forged[last] = if forged[last] == '2' { '3' } else { '2' };
        let forged: String = forged.into_iter().collect();
        let (_, page) = app.get_text(&format!("/r/{forged}")).await;
        assert!(page.contains("没有找到凭证码") && !page.contains("测*"), "{backend:?}: a made-up code opens nothing");
    }
}

/// Clerks publicising at once on two nodes (two processes on one database): every publication
/// is one entry, numbered without a gap or a repeat, each under its own signed head, and the
/// whole log checks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publications_at_once_on_two_nodes_keep_one_log() {
    use crate::helpers::{location, spawn_node_on};
    for backend in backends() {
        let app = spawn_app(backend).await;
        let node = spawn_node_on(app.database_url(), app.data_key()).await;
        let mut rosters = Vec::new();
        let mut dept = String::new();
        for r in 0..6u32 {
            let ids: Vec<String> = (1..=2)
                .map(|n| IdNumber::from_parts("510999", 1980 + r, 2, n, 700 + 10 * r + n).unwrap().as_str().to_string())
                .collect();
            let file = roster_file(&app, &ids).await;
            dept = file.dept.clone();
            rosters.push(import(&app, &app.staff(&dept).await, &file).await);
        }
        let before: TreeHead = get_json(&app, "/api/v1/log/head").await;
        let heads_before: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM publicity_log_heads").fetch_one(&app.db.pool).await.unwrap();
        let (here, there) = (app.staff(&dept).await, node.staff(&dept).await);
        let steps = rosters.iter().enumerate().map(|(i, &r)| {
            let clerk = if i % 2 == 0 { &here } else { &there };
            async move { location(&clerk.step(r, "publicise", "").await) }
        });
        for done in futures_util::future::join_all(steps).await {
            assert!(done.ends_with("done=publicise"), "{backend:?}: {done}");
        }
        let indexes: Vec<i64> = sqlx::query_scalar("SELECT leaf_index FROM publicity_log ORDER BY leaf_index")
            .fetch_all(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(indexes, (0..before.tree_size + 6).collect::<Vec<_>>(), "{backend:?}: no gap, no repeat");
        let heads: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM publicity_log_heads").fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(heads, heads_before + 6, "{backend:?}: a head for each publication");
        let (ok, out) = verify_log(&app);
        assert!(ok, "{backend:?}: {out}");
    }
}

/// Heads signed from the node's kept tree (its blocks, and the leaves since read inside the
/// publication's transaction) are the heads of every leaf; a publication rolled back leaves
/// nothing behind in the kept tree.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heads_signed_from_the_kept_tree_are_the_heads_of_every_leaf() {
    use app::ssr::publicity_log::{record, KeptTree, Publication};
    for backend in backends() {
        let app = spawn_app(backend).await;
        let kept = KeptTree::default();
        kept.keep_up(&app.db).await.unwrap();
        let roster: i64 =
            sqlx::query_scalar("SELECT MIN(roster_id) FROM publicity_entries").fetch_one(&app.db.pool).await.unwrap();
        let correction = [Publication { roster, kind: "correction", reason: "测试：更正" }];
        let mut tx = app.db.begin().await.unwrap();
        record(&mut tx, &app.vault, &kept, &correction).await.unwrap();
        tx.rollback().await.unwrap();
        for i in 0..70 {
            let mut tx = app.db.begin().await.unwrap();
            record(&mut tx, &app.vault, &kept, &correction).await.unwrap();
            tx.commit().await.unwrap();
            if i % 7 == 0 {
                kept.keep_up(&app.db).await.unwrap();
            }
        }
        kept.keep_up(&app.db).await.unwrap();
        let mut tx = app.db.begin().await.unwrap();
        record(&mut tx, &app.vault, &kept, &correction).await.unwrap();
        tx.commit().await.unwrap();
        let found = app::ssr::publicity_log::verify(&app.db, &app.vault).await.unwrap();
        assert!(found.problems.is_empty(), "{backend:?}: {:?}", found.problems);
        assert!(found.heads >= 72, "{backend:?}: {} heads", found.heads);
    }
}
