//! The open data API: JSON for every public page, described by an OpenAPI document, masked like
//! the pages.

use crate::helpers::{contains_full_id_number, spawn_app};
use serde_json::Value;
use sqlx::Row;

/// The first published line's township, village and roster, and the first notice.
async fn first_published(app: &crate::helpers::TestApp) -> (String, String, i64, i64) {
    let row = sqlx::query(
        "SELECT t.code AS township, v.code AS village, pe.roster_id FROM publicity_entries pe \
         JOIN regions v ON v.id = pe.village_id JOIN regions t ON t.id = v.parent_id ORDER BY pe.id LIMIT 1",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    let doc_id: i64 = sqlx::query_scalar("SELECT MIN(id) FROM documents").fetch_one(&app.db.pool).await.unwrap();
    (row.get("township"), row.get("village"), row.get("roster_id"), doc_id)
}

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

        let (t, v, r, doc_id) = first_published(&app).await;
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

/// Every object schema closed (`unevaluatedProperties: false`): a field the type does not
/// declare fails validation as surely as a missing or mistyped one.
fn close_objects(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            if map.contains_key("properties") && !map.contains_key("additionalProperties") {
                map.insert("unevaluatedProperties".into(), Value::Bool(false));
            }
            map.values_mut().for_each(close_objects);
        }
        Value::Array(items) => items.iter_mut().for_each(close_objects),
        _ => {}
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_endpoint_answers_as_its_schema_says() {
    for backend in crate::helpers::backends() {
        let app = spawn_app(backend).await;
        let doc: Value = serde_json::from_str(&app.get_text("/api/openapi.json").await.1).unwrap();
        let mut components = doc["components"].clone();
        close_objects(&mut components);
        let (t, v, r, doc_id) = first_published(&app).await;
        let size: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM publicity_log").fetch_one(&app.db.pool).await.unwrap();
        // Each documented path, and a request of it that answers 200.
        let requests: Vec<(&str, String)> = vec![
            ("/api/v1/aggregates", "/api/v1/aggregates".into()),
            ("/api/v1/catalogue", "/api/v1/catalogue?year=2025".into()),
            ("/api/v1/catalogue/{code}", "/api/v1/catalogue/14-01".into()),
            ("/api/v1/notices", "/api/v1/notices".into()),
            ("/api/v1/notices/{id}", format!("/api/v1/notices/{doc_id}")),
            ("/api/v1/publicity", "/api/v1/publicity".into()),
            ("/api/v1/publicity/{township}", format!("/api/v1/publicity/{t}")),
            ("/api/v1/publicity/{township}/{village}", format!("/api/v1/publicity/{t}/{v}")),
            ("/api/v1/publicity/{township}/{village}/{roster}", format!("/api/v1/publicity/{t}/{v}/{r}")),
            ("/api/v1/log/head", "/api/v1/log/head".into()),
            ("/api/v1/log/heads", "/api/v1/log/heads".into()),
            ("/api/v1/log/entries", "/api/v1/log/entries?start=0&end=4".into()),
            ("/api/v1/log/rosters/{roster}", format!("/api/v1/log/rosters/{r}")),
            ("/api/v1/log/proof/inclusion", "/api/v1/log/proof/inclusion?index=0".into()),
            ("/api/v1/log/proof/consistency", format!("/api/v1/log/proof/consistency?first=1&second={size}")),
            ("/api/v1/bulk", "/api/v1/bulk".into()),
            ("/open-data/{county}/{file}", "/open-data/510999/2026.csv".into()),
            ("/feeds/notices.atom", "/feeds/notices.atom".into()),
            ("/feeds/publicity/{township}/{village}.atom", format!("/feeds/publicity/{t}/{v}.atom")),
            ("/feeds/catalogue/{code}.atom", "/feeds/catalogue/14-01.atom".into()),
        ];
        let documented: std::collections::BTreeSet<&str> =
            doc["paths"].as_object().unwrap().keys().map(String::as_str).collect();
        let requested: std::collections::BTreeSet<&str> = requests.iter().map(|(p, _)| *p).collect();
        assert_eq!(documented, requested, "every documented path is requested here, and no other");
        let mut checked = 0;
        for (template, path) in &requests {
            let response = app.client.get(app.url(path)).send().await.unwrap();
            assert_eq!(response.status(), 200, "{path}");
            let media_type = response.headers()["content-type"].to_str().unwrap().to_string();
            let body = response.text().await.unwrap();
            let content = &doc["paths"][*template]["get"]["responses"]["200"]["content"];
            let Some(schema) = content.get("application/json").map(|c| c["schema"].clone()) else {
                let declared = content.as_object().unwrap().keys().next().unwrap().clone();
                assert!(media_type.starts_with(&declared), "{path}: {media_type} is not {declared}");
                continue;
            };
            assert!(media_type.starts_with("application/json"), "{path}: {media_type}");
            assert!(schema.get("$ref").is_some() || schema.get("items").is_some(), "{path}: a schema, not {schema}");
            let root = serde_json::json!({ "components": components, "allOf": [schema] });
            let validator = jsonschema::validator_for(&root).unwrap_or_else(|e| panic!("{path}: {e}"));
            let value: Value = serde_json::from_str(&body).unwrap();
            let errors: Vec<String> =
                validator.iter_errors(&value).map(|e| format!("{e} at {}", e.instance_path())).collect();
            assert!(errors.is_empty(), "{path}: {errors:?}");
            checked += 1;
        }
        assert_eq!(checked, 16);

        // The check bites: a field the schema does not declare, or a string where a number is due.
        let schema = doc["paths"]["/api/v1/log/head"]["get"]["responses"]["200"]["content"]["application/json"]
            ["schema"]
            .clone();
        let validator =
            jsonschema::validator_for(&serde_json::json!({ "components": components, "allOf": [schema] })).unwrap();
        let mut head: Value = serde_json::from_str(&app.get_text("/api/v1/log/head").await.1).unwrap();
        assert!(validator.is_valid(&head));
        head["tree_size"] = Value::String("12".into());
        assert!(!validator.is_valid(&head));
        head["tree_size"] = Value::from(12);
        head["extra"] = Value::from(1);
        assert!(!validator.is_valid(&head));
        // Descriptions come from the types' doc comments.
        assert!(doc["components"]["schemas"]["Money"]["description"].as_str().unwrap().contains("fen"));
    }
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(bytes), &mut out).unwrap();
    out
}

/// Parses a bulk file: its header and rows.
fn bulk_rows(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::str::from_utf8(bytes).unwrap();
    let text = text.strip_prefix('\u{feff}').expect("a BOM first");
    assert!(text.ends_with("\r\n"));
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let header = reader.headers().unwrap().iter().map(str::to_string).collect();
    let rows = reader.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect();
    (header, rows)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_year_of_a_county_downloads_as_one_file_with_the_pages_lines() {
    for backend in crate::helpers::backends() {
        let app = spawn_app(backend).await;
        let files: Value = serde_json::from_str(&app.get_text("/api/v1/bulk").await.1).unwrap();
        let files = files["files"].as_array().unwrap();
        assert!(files.len() >= 2, "{files:?}");
        let file = files.iter().find(|f| f["year"] == 2026).unwrap();
        assert_eq!(file["csv_url"], "/open-data/510999/2026.csv");

        let plain = app.client.get(app.url("/open-data/510999/2026.csv")).send().await.unwrap();
        assert_eq!(plain.headers()["content-type"], "text/csv; charset=utf-8");
        assert!(plain.headers()["content-disposition"].to_str().unwrap().contains("publicity-510999-2026.csv"));
        let plain = plain.bytes().await.unwrap();
        let (header, rows) = bulk_rows(&plain);
        let columns: Vec<&str> = app::api::open_data::BULK_COLUMNS.iter().map(|c| c.header).collect();
        assert_eq!(header, columns);
        assert_eq!(rows.len() as i64, file["lines"].as_i64().unwrap());
        // More lines than one query reads: the file is written a chunk at a time.
        assert!(rows.len() > 1_000, "{} lines", rows.len());
        assert!(rows.iter().all(|r| r.len() == columns.len() && r[9].starts_with("2026")));
        assert!(!contains_full_id_number(std::str::from_utf8(&plain).unwrap()));

        // The gzip file is the same file compressed.
        let gz = app.client.get(app.url("/open-data/510999/2026.csv.gz")).send().await.unwrap();
        assert_eq!(gz.headers()["content-type"], "application/gzip");
        let gz = gz.bytes().await.unwrap();
        assert!(gz.len() * 4 < plain.len(), "{} of {}", gz.len(), plain.len());
        assert_eq!(gunzip(&gz), plain.to_vec());

        // Asked compressed, as browsers ask, the CSV comes gzip-encoded and whole; the .csv.gz is
        // not compressed twice.
        let asked_compressed = |path: &str| app.client.get(app.url(path)).header("accept-encoding", "gzip").send();
        let encoded = asked_compressed("/open-data/510999/2026.csv").await.unwrap();
        assert_eq!(encoded.headers()["content-encoding"], "gzip");
        assert_eq!(gunzip(&encoded.bytes().await.unwrap()), plain.to_vec());
        let gz_again = asked_compressed("/open-data/510999/2026.csv.gz").await.unwrap();
        assert!(gz_again.headers().get("content-encoding").is_none());
        assert_eq!(gz_again.bytes().await.unwrap(), gz);

        // A roster's rows in a village are the lines its page shows, and name its newest log entry.
        let row = &rows[rows.len() / 2];
        let (t, v, r) = (&row[2], &row[4], &row[11]);
        let page: Value =
            serde_json::from_str(&app.get_text(&format!("/api/v1/publicity/{t}/{v}/{r}")).await.1).unwrap();
        let shown: Vec<(String, String, String)> = page["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                let fen = l["amount"].as_i64().unwrap();
                (
                    l["name_masked"].as_str().unwrap().into(),
                    l["id_masked"].as_str().unwrap().into(),
                    format!("{}.{:02}", fen / 100, fen % 100),
                )
            })
            .collect();
        let in_file: Vec<(String, String, String)> = rows
            .iter()
            .filter(|x| &x[4] == v && &x[11] == r)
            .map(|x| (x[12].clone(), x[13].clone(), x[15].clone()))
            .collect();
        assert_eq!(in_file, shown);
        let newest = page["roster"]["id"].as_i64().unwrap();
        assert_eq!(newest.to_string(), *r);
        let versions = page["versions"].as_array().unwrap();
        assert_eq!(row[19], versions.last().unwrap()["leaf_index"].to_string());

        // What is not there says so in Chinese.
        for path in [
            "/open-data/510999/1999.csv",
            "/open-data/510999/2026.txt",
            "/open-data/000000/2026.csv",
            "/open-data/510999/%E4%BA%8C.csv",
        ] {
            let (status, body) = app.get_text(path).await;
            assert_eq!(status, 404, "{path}");
            assert!(body.contains("未找到"), "{path}: {body}");
        }
    }
}

/// The first child element of `node` named `name`.
fn child<'a, 'i>(node: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
    node.children().find(|c| c.tag_name().name() == name)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feeds_are_atom_and_link_to_the_pages_they_follow() {
    for backend in crate::helpers::backends() {
        let app = spawn_app(backend).await;
        let row = sqlx::query(
            "SELECT t.code AS township, v.code AS village FROM publicity_entries pe \
             JOIN regions v ON v.id = pe.village_id JOIN regions t ON t.id = v.parent_id ORDER BY pe.id DESC LIMIT 1",
        )
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
        let (t, v): (String, String) = (row.get("township"), row.get("village"));
        let notices: Value = serde_json::from_str(&app.get_text("/api/v1/notices").await.1).unwrap();
        for path in [
            "/feeds/notices.atom".to_string(),
            "/feeds/notices.atom?county=510999".into(),
            format!("/feeds/publicity/{t}/{v}.atom"),
            "/feeds/catalogue/14-01.atom".into(),
            "/feeds/catalogue/14.atom?county=510999".into(),
        ] {
            let response = app.client.get(app.url(&path)).header("host", "portal.example").send().await.unwrap();
            assert_eq!(response.status(), 200, "{path}");
            assert_eq!(response.headers()["content-type"], "application/atom+xml; charset=utf-8");
            let xml = response.text().await.unwrap();
            let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{path}: {e}"));
            let feed = doc.root_element();
            assert_eq!(feed.tag_name().namespace(), Some("http://www.w3.org/2005/Atom"));
            assert_eq!(feed.tag_name().name(), "feed");
            for name in ["id", "title", "updated", "author"] {
                assert!(child(feed, name).is_some(), "{path}: no {name}");
            }
            let entries: Vec<_> = feed.children().filter(|c| c.tag_name().name() == "entry").collect();
            assert!(!entries.is_empty(), "{path}: no entries");
            let mut ids = std::collections::HashSet::new();
            for e in &entries {
                let id = child(*e, "id").unwrap().text().unwrap();
                assert!(ids.insert(id.to_string()), "{path}: {id} twice");
                let updated = child(*e, "updated").unwrap().text().unwrap();
                assert!(updated.len() == 25 && updated.ends_with("T00:00:00+08:00"), "{path}: {updated}");
                assert!(!child(*e, "title").unwrap().text().unwrap().is_empty());
            }
            // Links are absolute on the host asked, and open the page the entry stands for.
            for e in entries.iter().take(3) {
                let href = child(*e, "link").unwrap().attribute("href").unwrap();
                let page = href.strip_prefix("http://portal.example").unwrap_or_else(|| panic!("{path}: {href}"));
                assert_eq!(app.get_text(page).await.0, 200, "{path}: {page}");
            }
            if path == "/feeds/notices.atom" {
                let first = &notices["notices"][0];
                assert_eq!(child(entries[0], "title").unwrap().text().unwrap(), first["title"].as_str().unwrap());
            }
            assert!(!contains_full_id_number(&xml));
        }
        // The pages announce their feeds.
        let (_, village) = app.get_text(&format!("/publicity/{t}/{v}")).await;
        assert!(village.contains(&format!("href=\"/feeds/publicity/{t}/{v}.atom\"")));
        assert!(village.contains("application/atom+xml"));
        assert!(app.get_text("/policies/14-01").await.1.contains("/feeds/catalogue/14-01.atom"));
        assert!(app.get_text("/notices").await.1.contains("/feeds/notices.atom"));
        for path in [
            "/feeds/publicity/000/000.atom",
            &format!("/feeds/publicity/{t}/{v}.xml"),
            "/feeds/catalogue/99-99.atom",
            "/feeds/notices.atom?county=000000",
        ] {
            let (status, body) = app.get_text(path).await;
            assert_eq!(status, 404, "{path}");
            assert!(body.contains("未找到"), "{path}: {body}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_open_data_page_names_every_column_and_file() {
    let app = spawn_app(crate::helpers::Backend::Sqlite).await;
    let (status, html) = app.get_text("/open-data").await;
    assert_eq!(status, 200);
    for c in app::api::open_data::BULK_COLUMNS {
        assert!(html.contains(c.header), "{}", c.header);
    }
    assert!(html.contains("href=\"/open-data/510999/2026.csv\""));
    assert!(html.contains("href=\"/open-data/510999/2026.csv.gz\""));
    assert!(html.contains("/api/openapi.json"));
    // Every page's footer leads here.
    assert!(app.get_text("/").await.1.contains("href=\"/open-data\""));
}
