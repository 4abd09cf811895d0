//! `kill -9` in the middle of writes: a large roster import, cases being filed, an index rebuild.
//! After a restart nothing is half-written, no case that got its number is lost, and the index
//! catches up and matches the database.

use crate::flow::roster_file;
use crate::helpers::{backends, code_in_outbox, location, set_cookie, spawn_node, TestApp};
use app::domain::IdNumber;
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::Duration;

/// A clean roster of `rows` new people in the first village.
async fn big_roster(app: &TestApp, rows: u32) -> (String, String) {
    let file = roster_file(app, &[]).await;
    let example = file.csv.lines().next().unwrap().to_string();
    let place = sqlx::query_as::<_, (String, String)>(
        "SELECT t.name, v.name FROM regions v JOIN regions t ON t.id = v.parent_id WHERE v.code = $1",
    )
    .bind(&file.vc)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    let bank: String =
        sqlx::query_scalar("SELECT name FROM banks ORDER BY id LIMIT 1").fetch_one(&app.db.pool).await.unwrap();
    let mut csv = format!("{example}\n");
    for n in 0..rows {
        let id = IdNumber::from_parts("510999", 1940 + n % 50, 1 + (n / 50) % 12, 1 + (n / 600) % 28, 1 + n / 16_800)
            .unwrap();
        let name = format!("压测{}", "甲乙丙丁戊己庚辛壬癸".chars().nth((n % 10) as usize).unwrap_or('甲'));
        csv.push_str(&format!(
            "{name},{},汉族,139{:08},{},{},{bank},6217{:012},{},2026-12\n",
            id.as_str(),
            n,
            place.0,
            place.1,
            n,
            file.amount
        ));
    }
    (file.code, csv)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_import_writes_nothing_and_runs_again() {
    for backend in backends() {
        let mut node = spawn_node(backend).await;
        let (item, csv) = big_roster(&node, 12_000).await;
        let path = node.index_dir().with_file_name("roster.csv");
        std::fs::write(&path, csv).unwrap();
        let before = [node.count("rosters").await, node.count("payments").await, node.count("beneficiaries").await];
        let import = |node: &TestApp| {
            let mut command = node.server_command();
            command.args(["import-roster", path.to_str().unwrap(), "--item", &item, "--period", "2026-12"]);
            command
        };

        let mut child = import(&node).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        let stderr = BufReader::new(child.stderr.take().unwrap());
        let writing =
            stderr.split(b'\n').map_while(Result::ok).any(|line| String::from_utf8_lossy(&line).contains("正在写入"));
        assert!(writing, "{backend:?}: the import reached its write");
        tokio::time::sleep(Duration::from_millis(300)).await;
        child.kill().unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            !String::from_utf8_lossy(&out.stdout).contains("已导入"),
            "{backend:?}: killed before it finished writing"
        );

        node.restart().await;
        let after = [node.count("rosters").await, node.count("payments").await, node.count("beneficiaries").await];
        assert_eq!(after, before, "{backend:?}: no roster, line or person half-written");
        let out = import(&node).output().unwrap();
        assert!(out.status.success(), "{backend:?}: {}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(node.count("payments").await, before[1] + 12_000, "{backend:?}: the whole file the second time");
    }
}

/// Files a case on `node`; the tracking number, or None when the node did not answer.
async fn try_file(node: &TestApp, item: &str, place: &str, phone: &str) -> Option<String> {
    let fields = [
        ("kind", "inquiry"),
        ("item", item),
        ("place", place),
        ("description", crate::cases::DESCRIPTION),
        ("name", "李大山"),
        ("phone", phone),
    ];
    let r = node.client.post(node.url("/cases/start")).form(&fields).send().await.ok()?;
    let form = set_cookie(&r, "case_form")?;
    // The node may be killed at any moment: an outbox that does not answer means not filed.
    let outbox = node.client.get(node.url("/dev/sms")).send().await.ok()?.text().await.ok()?;
    let code = code_in_outbox(&outbox, phone)?;
    let r = node
        .client
        .post(node.url("/cases/verify"))
        .header("cookie", &form)
        .form(&[("code", code.as_str())])
        .send()
        .await
        .ok()?;
    location(&r).strip_prefix("/cases/filed?no=").map(str::to_string)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cases_filed_before_a_kill_are_all_there() {
    for backend in backends() {
        let node = std::sync::Arc::new(spawn_node(backend).await);
        let at = crate::cases::place(&node, 0).await;
        let place = format!("{}/{}", at.township, at.village);
        let (sent, mut numbers) = tokio::sync::mpsc::unbounded_channel();
        let mut filing = tokio::task::JoinSet::new();
        for n in 0..40u32 {
            let (node, item, place, sent) = (node.clone(), at.item.clone(), place.clone(), sent.clone());
            filing.spawn(async move {
                tokio::time::sleep(Duration::from_millis(50 * n as u64)).await;
                let _ = sent.send(try_file(&node, &item, &place, &format!("1370000{n:04}")).await);
            });
        }
        drop(sent);
        // Kill the node once several filers have their numbers and others are still filing.
        let mut filed = Vec::new();
        while filed.len() < 6 {
            match numbers.recv().await {
                Some(Some(no)) => filed.push(no),
                Some(None) => {}
                None => panic!("{backend:?}: the filings ended before six were filed"),
            }
        }
        std::process::Command::new("kill")
            .args(["-9", &node.pid().expect("a node process").to_string()])
            .status()
            .unwrap();
        while let Some(result) = numbers.recv().await {
            filed.extend(result);
        }
        filing.join_all().await;
        let mut node = std::sync::Arc::into_inner(node).expect("no filer holds the node any more");
        node.restart().await;
        for no in &filed {
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cases WHERE tracking_no = $1")
                .bind(no)
                .fetch_one(&node.db.pool)
                .await
                .unwrap();
            assert_eq!(n, 1, "{backend:?}: case {no} was confirmed to its filer and is kept");
        }
        let orphans: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM cases c WHERE NOT EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id)",
        )
        .fetch_one(&node.db.pool)
        .await
        .unwrap();
        assert_eq!(orphans, 0, "{backend:?}: no case without its filing event");
        assert_eq!(
            app::ssr::audit::verify(&node.db).await.unwrap().broken,
            None,
            "{backend:?}: the audit chain survived"
        );
        let (status, _) = node.get_text(&format!("/case/{}", filed[0])).await;
        assert_eq!(status, 200, "{backend:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_reindex_leaves_an_index_that_catches_up() {
    for backend in backends() {
        let mut node = spawn_node(backend).await;
        node.kill();
        let mut child =
            node.server_command().arg("reindex").stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        // Progress comes as "\r[===   ] done/total": kill it half way.
        let stderr = BufReader::new(child.stderr.take().unwrap());
        let half_way = stderr.split(b'\r').map_while(Result::ok).any(|piece| {
            let text = String::from_utf8_lossy(&piece).to_string();
            let numbers = text
                .rsplit(' ')
                .next()
                .and_then(|f| f.trim().split_once('/'))
                .and_then(|(d, t)| Some((d.parse::<u64>().ok()?, t.parse::<u64>().ok()?)));
            numbers.is_some_and(|(done, total)| done > 0 && done < total)
        });
        assert!(half_way, "{backend:?}: the rebuild was under way");
        child.kill().unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(!String::from_utf8_lossy(&out.stdout).contains("rebuilt"), "{backend:?}: killed before it finished");

        // A notice posted while the index is down must be found after the restart.
        let id = crate::search::notice_in_database(&node, "关于枇杷补贴试点的通知", "枇杷种植户补贴试点。").await;
        node.restart().await;
        let html = crate::search::search(&node, &format!("q={}", app::api::search::encode("枇杷补贴"))).await;
        assert_eq!(
            crate::search::hit_links(&html).first(),
            Some(&format!("/notices/{id}")),
            "{backend:?}: caught up with the change"
        );

        // The caught-up index holds exactly what a fresh rebuild from the database holds.
        node.kill();
        let fresh = node.index_dir().with_file_name("fresh-index");
        let out = node.server_command().env("PORTAL_INDEX_DIR", &fresh).arg("reindex").output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let entries = |dir: &std::path::Path| search_index::SearchIndex::open_or_create(dir).unwrap().len();
        assert_eq!(entries(&node.index_dir()), entries(&fresh), "{backend:?}: the same entries as a fresh rebuild");
    }
}
