//! Search over the demo county: abbreviations find their items, notice phrases their documents,
//! villages and masked names their publicity lines; facets, pages, junk input, and an index that
//! follows the database.

use crate::helpers::{contains_full_id_number, spawn_app, TestApp};
use app::api::search::encode;
use sqlx::Row;
use std::time::{Duration, Instant};

pub(crate) async fn search(app: &TestApp, query: &str) -> String {
    let (status, html) = app.get_text(&format!("/search?{query}")).await;
    assert_eq!(status, 200, "/search?{query}");
    assert!(!contains_full_id_number(&html));
    html
}

/// Waits for the first index build after start.
pub(crate) async fn ready(app: &TestApp) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while search(app, "q=x").await.contains("搜索索引正在建立") {
        assert!(Instant::now() < deadline, "the index was not built in time");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The links of the hits, in order.
pub(crate) fn hit_links(html: &str) -> Vec<String> {
    let pieces: Vec<&str> = html.split(" class=\"hit-title\"").collect();
    pieces[..pieces.len() - 1]
        .iter()
        .filter_map(|p| p.rsplit_once("href=\"").and_then(|(_, rest)| rest.split('"').next()))
        .map(str::to_string)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abbreviations_and_phrases_find_the_right_thing_first() {
    for backend in crate::helpers::backends() {
        let app = spawn_app(backend).await;
        ready(&app).await;
        let low = search(&app, &format!("q={}", encode("低保"))).await;
        assert_eq!(hit_links(&low).first().map(String::as_str), Some("/policies/14-01"), "低保 → 最低生活保障金");
        assert!(low.contains("<mark>"), "highlighted snippet");
        let five = search(&app, &format!("q={}", encode("五保"))).await;
        assert_eq!(
            hit_links(&five).first().map(String::as_str),
            Some("/policies/14-02"),
            "五保 → 分散特困人员救助供养金"
        );
        let old = search(&app, &format!("q={}", encode("高龄津贴"))).await;
        assert_eq!(hit_links(&old).first().map(String::as_str), Some("/policies/20"));

        let sishui: i64 = sqlx::query_scalar("SELECT id FROM documents WHERE title LIKE '%泗水县%'")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        let phrase = search(&app, &format!("q={}", encode("身份凭证和金融支付功能"))).await;
        assert_eq!(hit_links(&phrase).first(), Some(&format!("/notices/{sishui}")), "a phrase from a notice");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn villages_and_masked_names_find_publicity_lines() {
    for backend in crate::helpers::backends() {
        let app = spawn_app(backend).await;
        ready(&app).await;
        let row = sqlx::query(
            "SELECT pe.name_masked, v.name AS village, v.code AS village_code, i.name AS item \
             FROM publicity_entries pe JOIN regions v ON v.id = pe.village_id JOIN subsidy_items i ON i.id = pe.item_id \
             WHERE i.code = '14-01' ORDER BY pe.id LIMIT 1",
        )
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
        let (name, village, village_code): (String, String, String) =
            (row.get("name_masked"), row.get("village"), row.get("village_code"));
        let html = search(&app, &format!("q={}&kind=publicity", encode(&format!("{village} 最低生活保障金")))).await;
        let links = hit_links(&html);
        assert!(!links.is_empty());
        assert!(
            links.iter().take(5).all(|l| l.contains(&format!("/{village_code}/"))),
            "the village's lines first: {links:?}"
        );
        let html = search(&app, &format!("q={}&kind=publicity", encode(&format!("{name} {village}")))).await;
        assert!(html.contains(&name), "masked name found");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn facets_filters_and_pages() {
    for backend in crate::helpers::backends() {
        let app = spawn_app(backend).await;
        ready(&app).await;
        let all = search(&app, &format!("q={}", encode("最低生活保障金"))).await;
        assert!(
            all.contains("补贴项目")
                && all.contains("发放公示")
                && all.contains("年度")
                && all.contains("乡镇（街道）")
        );
        assert!(all.contains("rel=\"next\""), "many lines, several pages");
        let second = search(&app, &format!("q={}&page=2", encode("最低生活保障金"))).await;
        assert!(second.contains("第 2 /"));
        let items = search(&app, &format!("q={}&kind=item", encode("最低生活保障金"))).await;
        assert!(hit_links(&items).iter().all(|l| l.starts_with("/policies/")));
        let y2025 = search(&app, &format!("q={}&kind=publicity&year=2025", encode("最低生活保障金"))).await;
        assert!(y2025.contains(" 2025-") && !y2025.contains(" 2026-0"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_and_junk_queries_get_a_helpful_page() {
    for backend in crate::helpers::backends() {
        let app = spawn_app(backend).await;
        let empty = search(&app, "q=").await;
        assert!(empty.contains("请输入要查找的内容") && empty.contains("可以试试"));
        for junk in ["\"((*&^%$#@!", "title:(", "AND OR NOT", "😀😀", &"啊".repeat(500)] {
            let html = search(&app, &format!("q={}", encode(junk))).await;
            assert!(html.contains("共找到"), "{junk}");
        }
        let nothing = search(&app, &format!("q={}", encode("zzqqxx"))).await;
        assert!(nothing.contains("没有找到相关内容") && nothing.contains("可以试试"));
    }
}

/// A notice written straight into the database with its change-log entry, as another node
/// would write it; returns its id.
pub(crate) async fn notice_in_database(app: &TestApp, title: &str, body: &str) -> i64 {
    let mut tx = app.db.pool.begin().await.unwrap();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO documents (kind, title, doc_number, issuer, published_on, body, source) \
         VALUES ('notice', $1, '', '县财政局', '2026-11-20', $2, '') RETURNING id",
    )
    .bind(title)
    .bind(body)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    app::ssr::changes::record(&mut tx, app::ssr::changes::DOCUMENT, id, false).await.unwrap();
    tx.commit().await.unwrap();
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_index_follows_the_change_log() {
    for backend in crate::helpers::backends() {
        let app = spawn_app(backend).await;
        ready(&app).await;
        let id = notice_in_database(&app, "关于龙眼补贴试点的通知", "龙眼种植户补贴试点。").await;
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let html = search(&app, &format!("q={}", encode("龙眼补贴"))).await;
            if hit_links(&html).first() == Some(&format!("/notices/{id}")) {
                break;
            }
            assert!(Instant::now() < deadline, "a recorded change is searchable within seconds");
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }
}

/// On PostgreSQL a change recorded while another transaction's change is still uncommitted waits
/// for it, so a node never sees a larger change id before a smaller one (and skips it for good).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn change_ids_become_visible_in_order() {
    use app::ssr::changes;
    if !crate::helpers::backends().contains(&crate::helpers::Backend::Postgres) {
        return;
    }
    let pg = crate::helpers::PostgresDatabase::create().await;
    let db = app::ssr::Db::connect(&pg.url, 4).await.unwrap();
    let mut first = db.pool.begin().await.unwrap();
    changes::record(&mut first, changes::DOCUMENT, 1, false).await.unwrap();
    let pool = db.pool.clone();
    let second = tokio::spawn(async move {
        let mut tx = pool.begin().await.unwrap();
        changes::record(&mut tx, changes::DOCUMENT, 2, false).await.unwrap();
        tx.commit().await.unwrap();
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    let visible: Vec<i64> =
        sqlx::query_scalar("SELECT entity_id FROM change_log ORDER BY id").fetch_all(&db.pool).await.unwrap();
    assert!(visible.is_empty(), "the second writer waits for the first to commit: {visible:?}");
    first.commit().await.unwrap();
    second.await.unwrap();
    let in_order: Vec<i64> =
        sqlx::query_scalar("SELECT entity_id FROM change_log ORDER BY id").fetch_all(&db.pool).await.unwrap();
    assert_eq!(in_order, vec![1, 2]);
}

/// An index an older version wrote (its entries lacking what this one puts in them) is rebuilt
/// when the node starts, not followed from where it stopped: nobody has to run `server reindex`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_index_an_older_version_wrote_is_rebuilt_on_start() {
    use app::ssr::search::entries;
    let mut node = crate::helpers::spawn_node(crate::helpers::Backend::Sqlite).await;
    ready(&node).await;
    let query = format!("q={}", encode("高龄津贴"));
    assert!(!hit_links(&search(&node, &query).await).is_empty(), "the demo's items are found");
    node.kill();
    {
        // What an index from before entries had a version looks like: this database's instance
        // and last change in the old marker, over entries that lack today's words (none, here).
        let index = search_index::SearchIndex::open_or_create(&node.index_dir()).unwrap();
        let instance = entries::instance_id(&node.db).await.unwrap();
        let change = entries::last_change(&node.db).await.unwrap();
        index.clear().unwrap();
        index.commit(&format!("instance={instance};change={change}")).unwrap();
    }
    node.restart().await;
    assert!(!hit_links(&search(&node, &query).await).is_empty(), "the node rebuilt its index on start");
}
