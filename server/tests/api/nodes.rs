//! Several app nodes on one database: two real server processes, each with its own search index,
//! share sessions, codes, case numbers and the audit chain through the database and follow its
//! change log.

use crate::cases::place;
use crate::check::{someone, start, verify};
use crate::flow::{import, roster_file};
use crate::helpers::{
    backends, code_sent_to, location, messages_to, post_all_at_once, set_cookie, spawn_node, spawn_node_on,
    spawn_node_with, TestApp,
};
use crate::search::{hit_links, search};
use app::api::search::encode;
use app::domain::IdNumber;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_serve_one_portal() {
    for backend in backends() {
        let one = Arc::new(spawn_node(backend).await);
        let two = Arc::new(spawn_node_on(one.database_url(), one.data_key()).await);

        // A roster published through node 1 is public and searchable on node 2.
        let ids: Vec<String> = (1..=2)
            .map(|n| IdNumber::from_parts("510999", 1958, 3, n, 800 + n).unwrap().as_str().to_string())
            .collect();
        let roster = roster_file(&one, &ids).await;
        let dep = one.staff(&roster.dept).await;
        let id = import(&one, &dep, &roster).await;
        assert!(location(&dep.step(id, "publicise", "").await).ends_with("done=publicise"), "{backend:?}");
        let page = format!("/publicity/{}/{}/{id}", roster.tc, roster.vc);
        let (status, html) = two.get_text(&page).await;
        assert_eq!(status, 200, "{backend:?}");
        assert!(
            html.contains("测*甲") && !html.contains(&ids[0]),
            "{backend:?}: node 2 shows the masked lines: {}",
            &html[html.find("<main").unwrap_or(0)..]
        );

        // The staff session made on node 1 is good on node 2.
        let r = two
            .client
            .get(two.url(&format!("/staff/rosters/{id}")))
            .header("cookie", &dep.cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200, "{backend:?}: a session lives in the database");

        found_by_search(&two, &roster.vc, &page, &format!("{backend:?}: node 2's index follows the change log")).await;

        // A code sent through node 1 verifies on node 2.
        let me = someone(&one).await;
        let r = start(&one, &me.id, &me.phone).await;
        assert_eq!(location(&r), "/check/code", "{backend:?}");
        let pending = set_cookie(&r, "check_pending").expect("a pending cookie");
        let code = code_sent_to(&one, &me.phone).await.expect("the code");
        let r = verify(&two, &pending, &code).await;
        assert_eq!(location(&r), "/check/payments", "{backend:?}: node 2 verifies node 1's code");

        // Cases filed at the same time on both nodes get distinct numbers.
        let at = place(&one, 0).await;
        let mut filing = tokio::task::JoinSet::new();
        for n in 0..12u32 {
            let node = if n % 2 == 0 { one.clone() } else { two.clone() };
            let (item, where_) = (at.item.clone(), format!("{}/{}", at.township, at.village));
            filing
                .spawn(async move { node.file_case(&item, &where_, &format!("1390000{:04}", 2000 + n), false).await });
        }
        let numbers: Vec<String> = filing.join_all().await;
        let distinct: HashSet<&String> = numbers.iter().collect();
        assert_eq!(distinct.len(), 12, "{backend:?}: {numbers:?}");
        for no in &numbers {
            let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cases WHERE tracking_no = $1")
                .bind(no)
                .fetch_one(&one.db.pool)
                .await
                .unwrap();
            assert_eq!(stored, 1, "{backend:?}: case {no} stored once");
        }
        // Twenty codes asked for one phone through both nodes at once: one is sent.
        let phone = "13900003000";
        let form = |_| {
            vec![
                ("kind".to_string(), "inquiry".to_string()),
                ("item".to_string(), at.item.clone()),
                ("place".to_string(), format!("{}/{}", at.township, at.village)),
                ("description".to_string(), crate::cases::DESCRIPTION.to_string()),
                ("name".to_string(), "王秀英".to_string()),
                ("phone".to_string(), phone.to_string()),
            ]
        };
        let (a, b) = tokio::join!(
            post_all_at_once(&one, "/cases/start", (0..10).map(form).collect()),
            post_all_at_once(&two, "/cases/start", (0..10).map(form).collect())
        );
        let sent = messages_to(&one, phone).await.iter().filter(|m| m.contains("验证码")).count();
        assert_eq!(sent, 1, "{backend:?}: one code a minute to a phone across nodes: {a:?} {b:?}");

        // Both nodes appended to the audit log at once: still one unbroken chain.
        let chain = app::ssr::audit::verify(&one.db).await.unwrap();
        assert_eq!(chain.broken, None, "{backend:?}");
        assert!(chain.entries >= 12, "{backend:?}: {chain:?}");
    }
}

/// Waits (a minute at most) until `node`'s search for the roster's first masked name (测*甲) in the
/// village `village_code` links to `page`.
async fn found_by_search(node: &TestApp, village_code: &str, page: &str, why: &str) {
    let village: String = sqlx::query_scalar("SELECT name FROM regions WHERE code = $1")
        .bind(village_code)
        .fetch_one(&node.db.pool)
        .await
        .unwrap();
    let query = format!("q={}&kind=publicity", encode(&format!("测*甲 {village}")));
    let deadline = Instant::now() + Duration::from_secs(60);
    while !hit_links(&search(node, &query).await).contains(&page.to_string()) {
        assert!(Instant::now() < deadline, "{why}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// "“最低生活保障金” 共找到 N 条结果" of a search page.
fn total(html: &str) -> String {
    let at = html.find("共找到").expect("a result count");
    html[at..].split(' ').nth(1).expect("the count").to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_node_copies_the_index_of_a_running_one_and_follows_on() {
    for backend in backends() {
        let one = spawn_node(backend).await;
        // Only the portal's own network may copy the index: through the balancer it does not exist.
        let outside = one
            .client
            .get(one.url("/internal/search-index"))
            .header("x-forwarded-for", "203.0.113.9")
            .send()
            .await
            .unwrap();
        assert_eq!(outside.status().as_u16(), 404, "{backend:?}");

        let peer = vec![("PORTAL_INDEX_PEER", one.url(""))];
        let two = spawn_node_with(one.database_url(), one.data_key(), peer).await;
        let log = std::fs::read_to_string(two.dir().join("server.log")).unwrap();
        assert!(log.contains("search index copied from a peer"), "{backend:?}: {log}");
        assert!(!log.contains("could not copy"), "{backend:?}: {log}");
        let query = format!("q={}", encode("最低生活保障金"));
        let (a, b) = (search(&one, &query).await, search(&two, &query).await);
        assert_eq!(total(&b), total(&a), "{backend:?}");
        assert_eq!(hit_links(&b), hit_links(&a), "{backend:?}");
        // Every entry came with the copy: the first catch-up wrote none of the demo's thousands.
        let built = std::fs::read_to_string(one.dir().join("server.log")).unwrap();
        assert!(built.matches("search index updated").count() >= 1, "{backend:?}: node 1 built its index");
        assert!(!log.contains("search index updated"), "{backend:?}: node 2 rebuilt entries: {log}");

        // Then node 2 follows the change log from where the copy stood.
        let ids = vec![IdNumber::from_parts("510999", 1961, 5, 9, 901).unwrap().as_str().to_string()];
        let roster = roster_file(&one, &ids).await;
        let dep = one.staff(&roster.dept).await;
        let id = import(&one, &dep, &roster).await;
        assert!(location(&dep.step(id, "publicise", "").await).ends_with("done=publicise"), "{backend:?}");
        let page = format!("/publicity/{}/{}/{id}", roster.tc, roster.vc);
        found_by_search(&two, &roster.vc, &page, &format!("{backend:?}: the copied index follows the change log"))
            .await;

        // A peer that does not answer: the node builds its index from the database.
        let three = spawn_node_with(
            one.database_url(),
            one.data_key(),
            vec![("PORTAL_INDEX_PEER", "http://127.0.0.1:9".into())],
        )
        .await;
        let log = std::fs::read_to_string(three.dir().join("server.log")).unwrap();
        assert!(log.contains("could not copy the search index"), "{backend:?}: {log}");
        assert_eq!(total(&search(&three, &format!("q={}", encode("最低生活保障金"))).await), total(&a), "{backend:?}");
    }
}
