//! Many counties on one portal: a county's installation upgrades without losing a row, and a
//! second county beside the demo's keeps its cases, rosters, users and calendar to itself.

use crate::cases::place;
use crate::helpers::{backends, location, spawn_app, spawn_app_on, Backend, PostgresDatabase, TestApp};
use sqlx::Row;

/// A second county beside the demo's, under a city of a province: what it was given.
pub struct Second {
    pub county: i64,
    pub township: String,
    pub village: String,
    pub finance: i64,
    pub civil: i64,
    /// The demo's first item code, in this county's 2026 catalogue under its civil affairs bureau.
    pub item: String,
}

async fn insert_id(app: &TestApp, sql: &str, values: &[&str]) -> i64 {
    let mut query = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("{sql} RETURNING id")));
    for v in values {
        query = query.bind(v.to_string());
    }
    query.fetch_one(&app.db.pool).await.unwrap()
}

/// Adds 邻县 (510998) under a city and a province, with a township, a village, a finance bureau,
/// a civil affairs bureau, a user of each and an admin (the demo password), a 2026 catalogue, and
/// a holiday set by the province (2030-01-03).
pub async fn add_county(app: &TestApp) -> Second {
    let region = "INSERT INTO regions (code, name, level, parent_id, sort_order) VALUES ($1, $2, $3, CAST(NULLIF($4, '') AS BIGINT), 1)";
    let province = insert_id(app, region, &["990000", "演示省", "province", ""]).await;
    let city = insert_id(app, region, &["990100", "演示市", "city", &province.to_string()]).await;
    let county = insert_id(app, region, &["510998", "邻县（测试）", "county", &city.to_string()]).await;
    let township = insert_id(app, region, &["510998001", "东岭镇", "township", &county.to_string()]).await;
    insert_id(app, region, &["510998001001", "石桥村", "village", &township.to_string()]).await;
    let department = "INSERT INTO departments (region_id, code, name, phone, address, is_finance) \
                      VALUES (CAST($1 AS BIGINT), $2, $3, '0818-7000000', '邻县', CAST($4 AS BIGINT))";
    let finance = insert_id(app, department, &[&county.to_string(), "finance", "邻县财政局", "1"]).await;
    let civil = insert_id(app, department, &[&county.to_string(), "civil_affairs", "邻县民政局", "0"]).await;
    let hash = app::ssr::staff::hash_password(server::demo::office::DEMO_PASSWORD);
    for (username, role, dept) in [
        ("lin_finance", "finance", Some(finance)),
        ("lin_civil", "department", Some(civil)),
        ("lin_admin", "admin", None),
    ] {
        sqlx::query(
            "INSERT INTO staff_users (username, display_name, password_hash, role, department_id, region_id, created_at) \
             VALUES ($1, $1, $2, $3, $4, $5, '2026-01-01T00:00:00Z')",
        )
        .bind(username)
        .bind(&hash)
        .bind(role)
        .bind(dept)
        .bind(county)
        .execute(&app.db.pool)
        .await
        .unwrap();
    }
    sqlx::query("INSERT INTO catalogue_years (county_id, year, title, published_on) VALUES ($1, 2026, '邻县2026年清单', '2026-01-15')")
        .bind(county)
        .execute(&app.db.pool)
        .await
        .unwrap();
    let item = place(app, 0).await.item;
    sqlx::query(
        "INSERT INTO subsidy_items (county_id, source_region_id, year, code, name, level, department_id, standard, frequency) \
         SELECT $1, $2, year, code, name, level, $3, standard, frequency FROM subsidy_items WHERE code = $4 AND year = 2026 AND county_id <> $1",
    )
    .bind(county)
    .bind(province)
    .bind(civil)
    .bind(&item)
    .execute(&app.db.pool)
    .await
    .unwrap();
    // Searchable as any item added through the catalogue.
    let id: i64 = sqlx::query_scalar("SELECT id FROM subsidy_items WHERE county_id = $1")
        .bind(county)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    let mut tx = app.db.pool.begin().await.unwrap();
    app::ssr::changes::record(&mut tx, app::ssr::changes::ITEM, id, false).await.unwrap();
    tx.commit().await.unwrap();
    sqlx::query("INSERT INTO holidays (region_id, day, kind, name) VALUES ($1, '2030-01-03', 'holiday', '省定假日')")
        .bind(province)
        .execute(&app.db.pool)
        .await
        .unwrap();
    Second { county, township: "510998001".into(), village: "510998001001".into(), finance, civil, item }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_countys_cases_users_and_calendar_stay_in_that_county() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let b = add_county(&app).await;
        let a = place(&app, 0).await;

        // A complaint is routed by the county of the village chosen: the same item code goes to
        // each county's own department.
        let in_b = app.file_case(&b.item, &format!("{}/{}", b.township, b.village), "13911110001", false).await;
        let in_a = app.file_case(&a.item, &format!("{}/{}", a.township, a.village), "13911110002", false).await;
        let department = |no: String| {
            let db = app.db.clone();
            async move {
                sqlx::query_scalar::<_, i64>("SELECT department_id FROM cases WHERE tracking_no = $1")
                    .bind(no)
                    .fetch_one(&db.pool)
                    .await
                    .unwrap()
            }
        };
        assert_eq!(department(in_b.clone()).await, b.civil, "{backend:?}: 邻县民政局");
        assert_eq!(department(in_a.clone()).await, a.department_id);
        let (id_a, id_b) = (crate::cases::case_id(&app, &in_a).await, crate::cases::case_id(&app, &in_b).await);

        // Finance of each county sees its own county's cases only.
        let finance_a = app.staff("finance").await;
        let finance_b = app.staff("lin_finance").await;
        assert_eq!(finance_a.get(&format!("/staff/cases/{id_b}")).await.0, 404, "{backend:?}");
        assert_eq!(finance_a.get(&format!("/staff/cases/{id_a}")).await.0, 200);
        assert_eq!(finance_b.get(&format!("/staff/cases/{id_a}")).await.0, 404);
        let (status, page) = finance_b.get(&format!("/staff/cases/{id_b}")).await;
        assert_eq!(status, 200);
        assert!(page.contains(&format!("<option value=\"{}\">邻县财政局</option>", b.finance)), "{backend:?}");
        assert!(
            !page.contains(&format!("<option value=\"{}\">", a.department_id)),
            "{backend:?}: no other county's department to transfer to"
        );
        let (_, inbox) = finance_b.get("/staff").await;
        assert_eq!(inbox.matches("href=\"/staff/cases/").count(), 1, "{backend:?}: only 邻县's one case");
        let (_, inbox) = finance_a.get("/staff").await;
        assert!(!inbox.contains(&in_b), "{backend:?}");
        assert!(finance_a.act(id_b, &[("action", "reply"), ("note", "越界答复")]).await.status().as_u16() == 404);

        // A clerk cannot hand a case to another county's department.
        let civil_b = app.staff("lin_civil").await;
        let r = civil_b
            .act(id_b, &[("action", "transfer"), ("to_department", &a.department_id.to_string()), ("note", "转给外县")])
            .await;
        assert_ne!(location(&r), "/staff?done=transfer", "{backend:?}");
        assert_eq!(department(in_b.clone()).await, b.civil, "{backend:?}: still 邻县's");
        let r = civil_b
            .act(id_b, &[("action", "transfer"), ("to_department", &b.finance.to_string()), ("note", "请财政局协调")])
            .await;
        assert_eq!(location(&r), "/staff?done=transfer", "{backend:?}: within the county it goes");

        // Rosters: 邻县 has none, and the demo county's are not theirs to open.
        let roster: i64 = sqlx::query_scalar("SELECT MIN(id) FROM rosters").fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(finance_b.get(&format!("/staff/rosters/{roster}")).await.0, 404, "{backend:?}");
        let (_, rosters) = finance_b.get("/staff/rosters").await;
        assert!(!rosters.contains(&format!("/staff/rosters/{roster}\"")), "{backend:?}");
        assert_eq!(finance_a.get(&format!("/staff/rosters/{roster}")).await.0, 200);

        // Each admin manages the users of their own county only.
        let (_, admin_a) = app.staff("admin").await.get("/staff/admin").await;
        assert!(admin_a.contains("agriculture") && !admin_a.contains("lin_finance"), "{backend:?}");
        let admin_b = app.staff("lin_admin").await;
        let (_, page) = admin_b.get("/staff/admin").await;
        assert!(page.contains("lin_finance") && !page.contains("agriculture"), "{backend:?}");
        let agriculture: i64 = sqlx::query_scalar("SELECT id FROM staff_users WHERE username = 'agriculture'")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        let r = admin_b.post("/staff/users", &[("op", "toggle"), ("id", &agriculture.to_string())]).await;
        assert_ne!(location(&r), "/staff/admin?done=1", "{backend:?}");
        let active: i64 = sqlx::query_scalar("SELECT active FROM staff_users WHERE id = $1")
            .bind(agriculture)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(active, 1, "{backend:?}: another county's account is untouched");

        // Deadlines: 邻县 inherits its province's holiday; the demo county does not have it.
        let mut conn = app.db.pool.acquire().await.unwrap();
        let day = app::domain::date::parse_days("2030-01-03").unwrap();
        let calendar_b = app::ssr::cases::calendar(&mut conn, b.civil).await.unwrap();
        let calendar_a = app::ssr::cases::calendar(&mut conn, a.department_id).await.unwrap();
        assert!(!calendar_b.is_working_day(day) && calendar_a.is_working_day(day), "{backend:?}");
        drop(conn);

        // A county with no department of its own yet: a case goes to its city's finance bureau,
        // not to some other county's department.
        let city: i64 = sqlx::query_scalar("SELECT parent_id FROM regions WHERE id = $1")
            .bind(b.county)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        let bureau = "INSERT INTO departments (region_id, code, name, phone, address, is_finance) \
                      VALUES (CAST($1 AS BIGINT), 'finance', '演示市财政局', '0818-7100000', '演示市', 1)";
        let city_finance = insert_id(&app, bureau, &[&city.to_string()]).await;
        let region =
            "INSERT INTO regions (code, name, level, parent_id, sort_order) VALUES ($1, $2, $3, CAST($4 AS BIGINT), 2)";
        let new_county = insert_id(&app, region, &["510997", "新设县（测试）", "county", &city.to_string()]).await;
        let township = insert_id(&app, region, &["510997001", "新城镇", "township", &new_county.to_string()]).await;
        insert_id(&app, region, &["510997001001", "新城社区", "village", &township.to_string()]).await;
        let no = app.file_case("", "510997001/510997001001", "13911110003", false).await;
        assert_eq!(department(no).await, city_finance, "{backend:?}: the city's finance bureau");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_city_finance_bureau_oversees_the_cases_catalogue_and_forecasts_of_each_of_its_counties() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let b = add_county(&app).await;
        // The demo county joins 邻县's city, which gets a finance bureau and a user.
        let city: i64 = sqlx::query_scalar("SELECT parent_id FROM regions WHERE id = $1")
            .bind(b.county)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        sqlx::query("UPDATE regions SET parent_id = $1 WHERE code = '510999'")
            .bind(city)
            .execute(&app.db.pool)
            .await
            .unwrap();
        let bureau = "INSERT INTO departments (region_id, code, name, phone, address, is_finance) \
                      VALUES (CAST($1 AS BIGINT), 'finance', '演示市财政局', '0818-7100000', '演示市', 1)";
        let city_finance = insert_id(&app, bureau, &[&city.to_string()]).await;
        sqlx::query(
            "INSERT INTO staff_users (username, display_name, password_hash, role, department_id, region_id, created_at) \
             VALUES ('city_finance', '演示市财政局经办人', $1, 'finance', $2, $3, '2026-01-01T00:00:00Z')",
        )
        .bind(app::ssr::staff::hash_password(server::demo::office::DEMO_PASSWORD))
        .bind(city_finance)
        .bind(city)
        .execute(&app.db.pool)
        .await
        .unwrap();
        let item_name: String = sqlx::query_scalar("SELECT name FROM subsidy_items WHERE county_id = $1")
            .bind(b.county)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        let own_items = |county: &str| {
            let db = app.db.clone();
            let sql = "SELECT COUNT(*) FROM subsidy_items i JOIN regions c ON c.id = i.county_id WHERE c.code = $1 AND i.year = 2026";
            let county = county.to_string();
            async move { sqlx::query_scalar::<_, i64>(sql).bind(county).fetch_one(&db.pool).await.unwrap() }
        };

        // The city's bureau picks either county; each page is that county's list.
        let city_user = app.staff("city_finance").await;
        let (status, page) = city_user.get("/staff/catalogue?year=2026").await;
        assert_eq!(status, 200, "{backend:?}");
        let bar = page.split("class=\"staff-bar\"").nth(1).and_then(|s| s.split("<a ").next()).unwrap();
        assert!(bar.contains("演示市财政局经办人"), "{backend:?}: {bar}");
        assert_eq!(
            bar.matches("演示市财政局").count(),
            1,
            "{backend:?}: the bureau is named once in the staff bar: {bar}"
        );
        assert!(
            page.contains("<select name=\"county\"") && page.contains("邻县（测试）"),
            "{backend:?}: a county picker"
        );
        let (_, lin) = city_user.get("/staff/catalogue?year=2026&county=510998").await;
        assert!(lin.contains("邻县（测试）2026年政策清单维护") && lin.contains(&item_name), "{backend:?}");
        assert_eq!(lin.matches("<tr class=").count(), 1, "{backend:?}: 邻县's one item, not the demo county's");
        let (_, elsewhere) = city_user.get("/staff/catalogue?year=2026&county=110101").await;
        assert!(
            !elsewhere.contains("邻县（测试）2026年政策清单维护"),
            "{backend:?}: a county outside the city is not shown"
        );

        // An item added on 邻县's page goes into 邻县's list, and the page comes back to it.
        let before = own_items("510998").await;
        let r = city_user
            .post(
                "/staff/catalogue",
                &[
                    ("op", "add"),
                    ("year", "2026"),
                    ("county", "510998"),
                    ("code", "90"),
                    ("name", "市级统筹补贴"),
                    ("level", "municipal"),
                    ("department", &city_finance.to_string()),
                    ("frequency", "yearly"),
                ],
            )
            .await;
        assert_eq!(location(&r), "/staff/catalogue?year=2026&county=510998&done=add", "{backend:?}");
        assert_eq!(own_items("510998").await, before + 1, "{backend:?}");

        // The city's inbox: each county's departments named with their county, filtered by county.
        let a = place(&app, 0).await;
        let in_b = app.file_case(&b.item, &format!("{}/{}", b.township, b.village), "13911110001", false).await;
        let in_a = app.file_case(&a.item, &format!("{}/{}", a.township, a.village), "13911110002", false).await;
        let (_, inbox) = city_user.get("/staff").await;
        assert!(inbox.contains(&in_a) && inbox.contains(&in_b), "{backend:?}: both counties' cases");
        assert!(
            inbox.contains("县（市、区）") && inbox.contains("<option value=\"510998\">邻县（测试）</option>"),
            "{backend:?}"
        );
        assert!(
            inbox.contains(&format!("<option value=\"{}\">邻县（测试） 邻县民政局</option>", b.civil)),
            "{backend:?}"
        );
        let (_, only_b) = city_user.get("/staff?township=510998").await;
        assert!(only_b.contains(&in_b) && !only_b.contains(&in_a), "{backend:?}: 邻县's cases only");

        // A county's own bureau cannot reach 邻县's list by naming it: its own list is used.
        let county_user = app.staff("finance").await;
        let (before_a, before_b) = (own_items("510999").await, own_items("510998").await);
        let (_, own) = county_user.get("/staff/catalogue?year=2026&county=510998").await;
        assert!(!own.contains("<select name=\"county\""), "{backend:?}: no picker for a county's bureau");
        assert_eq!(own.matches("<tr class=").count() as i64, before_a, "{backend:?}: its own county's items");
        let civil: i64 = sqlx::query_scalar("SELECT department_id FROM staff_users WHERE username = 'civil_affairs'")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        let r = county_user
            .post(
                "/staff/catalogue",
                &[
                    ("op", "add"),
                    ("year", "2026"),
                    ("county", "510998"),
                    ("code", "91"),
                    ("name", "县级新增补贴"),
                    ("level", "county"),
                    ("department", &civil.to_string()),
                    ("frequency", "yearly"),
                ],
            )
            .await;
        assert!(location(&r).contains("done=add"), "{backend:?}: {}", location(&r));
        assert_eq!((own_items("510999").await, own_items("510998").await), (before_a + 1, before_b), "{backend:?}");
    }
}

/// A payment of 邻县's item to `person`, paid, on a roster of 东岭镇.
async fn pay_in_second_county(app: &TestApp, b: &Second, person: i64) {
    let item: i64 = sqlx::query_scalar("SELECT id FROM subsidy_items WHERE county_id = $1")
        .bind(b.county)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    let township: i64 = sqlx::query_scalar("SELECT id FROM regions WHERE code = $1")
        .bind(&b.township)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    let roster: i64 = sqlx::query_scalar(
        "INSERT INTO rosters (item_id, period, region_id, department_id, status, line_count, total_fen, paid_on, created_at) \
         VALUES ($1, '2026-06', $2, $3, 'payout_publicised', 1, 12300, '2026-06-20', '2026-06-01T00:00:00Z') RETURNING id",
    )
    .bind(item)
    .bind(township)
    .bind(b.civil)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO payments (roster_id, beneficiary_id, recipient_id, item_id, period, amount_fen, bank_id, account_last4, status, paid_on, created_at) \
         VALUES ($1, $2, $2, $3, '2026-06', 12300, (SELECT MIN(id) FROM banks), '4321', 'paid', '2026-06-20', '2026-06-01T00:00:00Z')",
    )
    .bind(roster)
    .bind(person)
    .bind(item)
    .execute(&app.db.pool)
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_public_picks_a_county_and_every_page_shows_that_county() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let a = place(&app, 0).await;
        let (_, before) = app.get_text("/policies").await;
        assert!(!before.contains("切换县"), "{backend:?}: one county, no choice to make");
        let b = add_county(&app).await;
        // Added as `server import-county` would, from outside the serving process: the header
        // reads the counties again within `SITE_TTL`.
        tokio::time::sleep(app::ssr::home::SITE_TTL).await;
        let a_only: String = sqlx::query_scalar(
            "SELECT name FROM subsidy_items WHERE year = 2026 AND code <> $1 AND parent_id IS NULL ORDER BY id LIMIT 1",
        )
        .bind(&b.item)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();

        // The URL names the county: its catalogue, its departments, its townships.
        let (status, page) = app.get_text("/policies?county=510998").await;
        assert_eq!(status, 200);
        assert!(page.contains("邻县民政局") && !page.contains(&a_only), "{backend:?}: 邻县's one item only");
        assert!(page.contains("邻县（测试）") && page.contains("切换县"), "{backend:?}: the header names it");
        assert!(page.contains("name=\"county\" value=\"510998\""), "the filters keep the county");
        assert!(
            page.contains(&format!("/policies/{}?year=2026&amp;county=510998", b.item)),
            "{backend:?}: links keep it"
        );
        let (_, page) = app.get_text(&format!("/policies/{}?county=510998", b.item)).await;
        assert!(page.contains("邻县民政局"), "{backend:?}: the item as 邻县 lists it");
        let (_, page) = app.get_text("/publicity?county=510998").await;
        assert!(page.contains("东岭镇") && !page.contains(&a.township), "{backend:?}");
        let (_, home) = app.get_text("/?county=510998").await;
        assert!(home.contains("您正在查看：邻县（测试）"), "{backend:?}");
        let (_, page) = app.get_text("/policies").await;
        assert!(
            page.contains(&a_only) && !page.contains("邻县民政局"),
            "{backend:?}: without a choice, the first county"
        );

        // Picking: the list by city, then a cookie and the page asked for.
        let (_, list) = app.get_text("/counties?next=/policies").await;
        assert!(list.contains("演示市") && list.contains("邻县（测试）") && list.contains("青岚县"), "{backend:?}");
        let (_, found) = app.get_text("/counties?q=%E9%82%BB").await;
        assert_eq!(found.matches("/counties/choose?code=").count(), 1, "{backend:?}: typing 邻 finds 邻县 alone");
        assert!(found.contains("/counties/choose?code=510998"), "{backend:?}");
        let r = app.client.get(app.url("/counties/choose?code=510998&next=/policies")).send().await.unwrap();
        assert_eq!((r.status().as_u16(), location(&r).as_str()), (303, "/policies?county=510998"));
        let cookie = crate::helpers::set_cookie(&r, "county").expect("the choice is remembered");
        assert_eq!(cookie, "county=510998");
        let r = app.client.get(app.url("/counties/choose?code=510998&next=//evil.example")).send().await.unwrap();
        assert_eq!(location(&r), "/?county=510998", "only this site's pages");
        let r = app.client.get(app.url("/counties/choose?code=999999&next=/policies")).send().await.unwrap();
        assert_eq!(location(&r), "/counties");
        assert!(crate::helpers::set_cookie(&r, "county").is_none());
        // The remembered county is what a page without one shows, and nobody else gets it.
        let (_, mine) = app.get_text_as("/policies", &cookie).await;
        assert!(mine.contains("邻县民政局") && !mine.contains(&a_only), "{backend:?}");
        let (_, theirs) = app.get_text("/policies").await;
        assert!(theirs.contains(&a_only), "{backend:?}: the page kept for one visitor is not another's");

        // The counties compared: both listed, as a page and as a table Excel opens.
        let (status, page) = app.get_text("/counties/compare").await;
        assert_eq!(status, 200);
        assert!(
            page.contains("邻县（测试）") && page.contains("青岚县（演示）") && page.contains("不排名"),
            "{backend:?}"
        );
        let r = app.client.get(app.url("/counties/compare/csv")).send().await.unwrap();
        assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
        let csv = r.text().await.unwrap();
        assert!(csv.starts_with("\u{feff}排名,县（市、区）"), "{csv}");
        assert_eq!(csv.lines().count(), 3, "{backend:?}: a header and two counties\n{csv}");
        let demo_line = csv.lines().find(|l| l.contains("青岚县")).unwrap().to_string();
        // The comparison's year: the latest with payments.
        let latest: String = sqlx::query_scalar("SELECT MAX(paid_on) FROM payments WHERE status = 'paid'")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        let year: i32 = latest[..4].parse().unwrap();
        let received: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM cases c JOIN departments d ON d.id = c.department_id \
             WHERE d.region_id = (SELECT id FROM regions WHERE code = '510999') AND c.filed_on >= $1 AND c.filed_on < $2",
        )
        .bind(format!("{year}-01-01"))
        .bind(format!("{}-01-01", year + 1))
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
        assert_eq!(demo_line.split(',').nth(6), Some(received.to_string().as_str()), "{backend:?}: {demo_line}");
        // Each county's department figures are its own.
        let (_, stats) = app.get_text("/cases/stats?county=510998").await;
        assert!(stats.contains("邻县民政局") && !stats.contains(&a.department), "{backend:?}");

        // Search: a query typed on 邻县's pages finds 邻县's item first; its facet offers both counties.
        let name: String = sqlx::query_scalar("SELECT name FROM subsidy_items WHERE county_id = $1")
            .bind(b.county)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        let wanted = format!("q={}&county=510998", app::api::search::encode(&name));
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        let found = loop {
            let (_, html) = app.get_text(&format!("/search?{wanted}")).await;
            if html.contains(&format!("/policies/{}?county=510998", b.item)) {
                break html;
            }
            assert!(std::time::Instant::now() < deadline, "{backend:?}: 邻县's item is searchable");
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        };
        assert!(!found.contains(&format!("href=\"/policies/{}?county=510999\"", b.item)), "{backend:?}: 邻县 first");
        assert!(
            found.contains("县（市、区）") && found.contains("青岚县（演示）"),
            "{backend:?}: all counties offered"
        );
        let (_, everywhere) = app.get_text(&format!("/search?q={}", app::api::search::encode(&name))).await;
        assert!(everywhere.contains(&format!("/policies/{}?county=510999", b.item)), "{backend:?}: and across all");

        // Open data takes the county too.
        let (_, json) = app.get_text("/api/v1/catalogue?county=510998").await;
        let json: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(json["items"].as_array().map(Vec::len), Some(1), "{backend:?}: {json}");

        // One ID number and one code: a person's payments from both counties, grouped by county.
        let me = crate::check::someone(&app).await;
        pay_in_second_county(&app, &b, me.beneficiary).await;
        let session = app.citizen(&me.id, &me.phone).await;
        let (_, page) = app.get_text_as("/check/payments", &session).await;
        assert!(page.contains("您在2个县（市、区）有补贴"), "{backend:?}");
        assert!(page.contains("<h3 class=\"county\">邻县（测试）</h3>") && page.contains("123.00"), "{backend:?}");
        assert!(page.contains("0818-7000000"), "{backend:?}: 邻县's department and its phone");

        // A case form sent back for a fix keeps the county its page was in.
        let (_, form) = app.get_text("/cases/new?county=510998").await;
        assert!(form.contains("name=\"county\" value=\"510998\""), "{backend:?}: the form carries its county");
        let r = app
            .client
            .post(app.url("/cases/start"))
            .form(&[("kind", "complaint"), ("place", "bad"), ("description", "太短"), ("county", "510998")])
            .send()
            .await
            .unwrap();
        let back = location(&r);
        assert!(back.starts_with("/cases/new?e=") && back.ends_with("&county=510998"), "{backend:?}: {back}");
    }
}

/// Every table's rows, by name.
async fn row_counts(pool: &sqlx::AnyPool) -> Vec<(String, i64)> {
    let mut counts = Vec::new();
    for table in TABLES {
        let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
            .fetch_one(pool)
            .await
            .unwrap();
        counts.push((table.to_string(), n));
    }
    counts
}

const TABLES: [&str; 14] = [
    "settings",
    "regions",
    "departments",
    "banks",
    "staff_users",
    "documents",
    "catalogue_years",
    "subsidy_items",
    "item_documents",
    "forecasts",
    "holidays",
    "rosters",
    "payments",
    "cases",
];

/// A county as a release before many counties kept it (migrations 1 to 5): every table that
/// 0006 rebuilds or keys by county has rows, with references between them.
const COUNTY_AT_0005: &str = "
INSERT INTO settings (key, value) VALUES ('county_name', '老县');
INSERT INTO regions (id, code, name, level, parent_id, sort_order) VALUES (1, '510111', '老县', 'county', NULL, 0);
INSERT INTO regions (id, code, name, level, parent_id, sort_order) VALUES (2, '510111001', '老镇', 'township', 1, 0);
INSERT INTO regions (id, code, name, level, parent_id, sort_order) VALUES (3, '510111001001', '老村', 'village', 2, 0);
INSERT INTO departments (id, code, name, phone, address, is_finance) VALUES (1, 'finance', '老县财政局', '1', '县城', 1);
INSERT INTO departments (id, code, name, phone, address, is_finance) VALUES (2, 'civil_affairs', '老县民政局', '2', '县城', 0);
INSERT INTO banks (id, code, name, phone) VALUES (1, 'rcb', '老县农商银行', '3');
INSERT INTO staff_users (id, username, display_name, password_hash, role, department_id, created_at) VALUES (1, 'finance', '财政', 'x', 'finance', 1, '2025-01-01T00:00:00Z');
INSERT INTO staff_users (id, username, display_name, password_hash, role, department_id, created_at) VALUES (2, 'admin', '管理员', 'x', 'admin', NULL, '2025-01-01T00:00:00Z');
INSERT INTO documents (id, kind, title, doc_number, issuer, published_on, body, department_id, source) VALUES (1, 'notice', '2025年清单', '老财〔2025〕1号', '老县财政局', '2025-01-15', '清单', 1, '');
INSERT INTO catalogue_years (year, title, published_on, document_id) VALUES (2025, '2025年清单', '2025-01-15', 1);
INSERT INTO catalogue_years (year, title, published_on, document_id) VALUES (2026, '2026年清单', '2026-01-15', NULL);
INSERT INTO subsidy_items (id, year, code, name, parent_id, level, department_id, standard, standard_fen, frequency, bank_id) VALUES (1, 2025, '08', '高龄津贴', NULL, 'provincial', 2, '每人每月100元', 10000, 'monthly', 1);
INSERT INTO subsidy_items (id, year, code, name, parent_id, level, department_id, standard, standard_fen, frequency, bank_id) VALUES (2, 2026, '08', '高龄津贴', NULL, 'provincial', 2, '每人每月100元', 10000, 'monthly', 1);
INSERT INTO subsidy_items (id, year, code, name, parent_id, level, department_id, standard, standard_fen, frequency, bank_id) VALUES (3, 2026, '08-01', '百岁老人', 2, 'county', 2, '每人每月300元', 30000, 'monthly', 1);
INSERT INTO item_documents (item_id, document_id) VALUES (1, 1);
INSERT INTO forecasts (year, item_code, revision, amount_fen, people, staff_id, at) VALUES (2026, '08', 'initial', 120000000, 1000, 1, '2026-01-20T00:00:00Z');
INSERT INTO holidays (day, kind, name) VALUES ('2026-10-01', 'holiday', '国庆节');
INSERT INTO holidays (day, kind, name) VALUES ('2026-09-28', 'workday', '国庆节调休');
INSERT INTO households (id, code, village_id) VALUES (1, 'h1', 3);
INSERT INTO beneficiaries (id, id_hash, id_enc, id_masked, name, name_masked, gender, ethnicity, village_id, household_id, card_status, created_at) VALUES (1, 'hash', X'00', '5101**********1234', '张三', '张*', 'male', '汉族', 3, 1, 'activated', '2025-01-01T00:00:00Z');
INSERT INTO rosters (id, item_id, period, region_id, department_id, status, line_count, total_fen, created_at) VALUES (1, 2, '2026-01', 2, 2, 'payout_publicised', 1, 10000, '2026-01-05T00:00:00Z');
INSERT INTO payments (id, roster_id, beneficiary_id, recipient_id, item_id, period, amount_fen, bank_id, account_last4, status, paid_on, created_at) VALUES (1, 1, 1, 1, 2, '2026-01', 10000, 1, '1234', 'paid', '2026-01-20', '2026-01-05T00:00:00Z');
INSERT INTO cases (id, tracking_no, kind, origin, item_id, township_id, village_id, department_id, status, description, filer_name, filer_phone_enc, filer_phone_hash, filed_at, filed_on, deadline_on) VALUES (1, '20260105-0001', 'complaint', 'form', 2, 2, 3, 2, 'open', '没有收到', '张三', X'00', 'p', '2026-01-05T00:00:00Z', '2026-01-05', '2026-01-26');
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_county_installation_upgrades_to_many_counties_keeping_every_row() {
    for backend in backends() {
        let dir = tempfile::tempdir().unwrap();
        let postgres = match backend {
            Backend::Postgres => Some(PostgresDatabase::create().await),
            Backend::Sqlite => None,
        };
        let url = match &postgres {
            Some(pg) => pg.url.clone(),
            None => format!("sqlite://{}/county.db?mode=rwc", dir.path().display()),
        };
        sqlx::any::install_default_drivers();
        let pool = sqlx::any::AnyPoolOptions::new().max_connections(1).connect(&url).await.unwrap();
        backend.migrator().run_to(5, &pool).await.unwrap();
        for statement in COUNTY_AT_0005.split(";\n").map(str::trim).filter(|s| !s.is_empty()) {
            let statement = match backend {
                Backend::Postgres => statement.replace("X'00'", "'\\x00'::bytea"),
                Backend::Sqlite => statement.to_string(),
            };
            sqlx::query(sqlx::AssertSqlSafe(statement.clone()))
                .execute(&pool)
                .await
                .unwrap_or_else(|e| panic!("{statement}: {e}"));
        }
        let before = row_counts(&pool).await;
        pool.close().await;

        // The next start applies 0006.
        let db = app::ssr::Db::connect(&url, 2).await.unwrap();
        db.sync_id_sequences(&["regions", "departments"]).await.unwrap();
        assert_eq!(row_counts(&db.pool).await, before, "{backend:?}: every row kept");
        for (sql, expected) in [
            ("SELECT COUNT(*) FROM departments WHERE region_id = 1", 2),
            ("SELECT COUNT(*) FROM staff_users WHERE region_id = 1", 2),
            ("SELECT COUNT(*) FROM catalogue_years WHERE county_id = 1", 2),
            ("SELECT COUNT(*) FROM subsidy_items WHERE county_id = 1", 3),
            ("SELECT COUNT(*) FROM forecasts WHERE county_id = 1", 1),
            ("SELECT COUNT(*) FROM holidays WHERE region_id = 1", 2),
            ("SELECT COUNT(*) FROM subsidy_items WHERE parent_id = 2 AND code = '08-01'", 1),
            ("SELECT COUNT(*) FROM payments p JOIN rosters r ON r.id = p.roster_id JOIN subsidy_items i ON i.id = r.item_id", 1),
        ] {
            let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_one(&db.pool).await.unwrap();
            assert_eq!(n, expected, "{backend:?}: {sql}");
        }
        if backend == Backend::Sqlite {
            let broken = sqlx::query("PRAGMA foreign_key_check").fetch_all(&db.pool).await.unwrap();
            assert!(broken.is_empty(), "every reference still points at a row: {} broken", broken.len());
            let on: i64 = sqlx::query_scalar("PRAGMA foreign_keys").fetch_one(&db.pool).await.unwrap();
            assert_eq!(on, 1, "foreign keys are checked again after the migration");
        }
        // A second county may now use the same codes for its own departments and catalogue.
        sqlx::query("INSERT INTO regions (code, name, level, sort_order) VALUES ('510112', '新县', 'county', 1)")
            .execute(&db.pool)
            .await
            .unwrap();
        let county: i64 =
            sqlx::query_scalar("SELECT id FROM regions WHERE code = '510112'").fetch_one(&db.pool).await.unwrap();
        for sql in [
            "INSERT INTO departments (region_id, code, name, phone, address) VALUES ($1, 'civil_affairs', '新县民政局', '1', '')",
            "INSERT INTO catalogue_years (county_id, year, title, published_on) VALUES ($1, 2026, '新县清单', '2026-01-15')",
            "INSERT INTO holidays (region_id, day, kind, name) VALUES ($1, '2026-10-01', 'holiday', '国庆节')",
        ] {
            sqlx::query(sql).bind(county).execute(&db.pool).await.unwrap_or_else(|e| panic!("{backend:?} {sql}: {e}"));
        }
        let taken = sqlx::query(
            "INSERT INTO departments (region_id, code, name, phone, address) VALUES (1, 'civil_affairs', 'x', '1', '')",
        )
        .execute(&db.pool)
        .await;
        assert!(taken.is_err(), "{backend:?}: a code is unique within its county");
        let row = sqlx::query("SELECT name FROM departments WHERE region_id = $1")
            .bind(county)
            .fetch_one(&db.pool)
            .await
            .unwrap();
        assert_eq!(row.get::<String, _>("name"), "新县民政局");
        db.pool.close().await;
        drop(postgres);
    }
}

/// A province's portal: the province, a city, and a county of its own (邻县, 510997) with one
/// person on file, who also lives on in the demo county's records (`also_in_demo`: ID number).
async fn province_database(
    backend: Backend,
    dir: &std::path::Path,
    key: &str,
    also_in_demo: &str,
    phone: &str,
) -> (String, Option<PostgresDatabase>) {
    let postgres = match backend {
        Backend::Postgres => Some(PostgresDatabase::create().await),
        Backend::Sqlite => None,
    };
    let url = match &postgres {
        Some(pg) => pg.url.clone(),
        None => format!("sqlite://{}/province.db", dir.display()),
    };
    let db = app::ssr::Db::connect(&url, 2).await.unwrap();
    let vault = app::ssr::Vault::from_hex(key).unwrap();
    for sql in [
        "INSERT INTO regions (code, name, level, parent_id, sort_order) VALUES ('990000', '演示省', 'province', NULL, 0)",
        "INSERT INTO regions (code, name, level, parent_id, sort_order) SELECT '990100', '演示市', 'city', id, 0 FROM regions WHERE code = '990000'",
        "INSERT INTO regions (code, name, level, parent_id, sort_order) SELECT '510997', '邻县（测试）', 'county', id, 0 FROM regions WHERE code = '990100'",
        "INSERT INTO regions (code, name, level, parent_id, sort_order) SELECT '510997001', '西岭镇', 'township', id, 0 FROM regions WHERE code = '510997'",
        "INSERT INTO regions (code, name, level, parent_id, sort_order) SELECT '510997001001', '松林村', 'village', id, 0 FROM regions WHERE code = '510997001'",
        "INSERT INTO households (code, village_id) SELECT 'H-510997-1', id FROM regions WHERE code = '510997001001'",
        "INSERT INTO settings (key, value) VALUES ('county_name', '演示省')",
    ] {
        sqlx::query(sql).execute(&db.pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    sqlx::query(
        "INSERT INTO beneficiaries (id_hash, id_enc, id_masked, name, name_masked, gender, ethnicity, phone_enc, phone_hash, \
         village_id, household_id, is_household_head, card_status, created_at) \
         SELECT $1, $2, $3, '迁居者', '迁*者', 'male', '汉族', $4, $5, v.id, h.id, 1, 'activated', '2025-01-01T00:00:00Z' \
         FROM regions v JOIN households h ON h.village_id = v.id WHERE v.code = '510997001001'",
    )
    .bind(vault.lookup_hash(also_in_demo))
    .bind(vault.encrypt(also_in_demo))
    .bind(app::domain::mask::id_number(&app::domain::IdNumber::parse(also_in_demo).unwrap()))
    .bind(vault.encrypt(phone))
    .bind(vault.lookup_hash(phone))
    .execute(&db.pool)
    .await
    .unwrap();
    db.pool.close().await;
    (url, postgres)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_county_that_ran_alone_joins_a_province_and_its_people_find_everything() {
    for backend in backends() {
        // The county as it ran alone (its finance bureau signed in: an audit entry), and its backup.
        let county = spawn_app(Backend::Sqlite).await;
        county.staff("finance").await;
        let audited = county.count("audit_log").await;
        assert!(audited > 0);
        let dir = tempfile::tempdir().unwrap();
        let backup = dir.path().join("county-backup.db");
        county.db.copy_sqlite_to(&backup.display().to_string()).await.unwrap();
        let key_file = dir.path().join("county.key");
        std::fs::write(&key_file, county.data_key()).unwrap();
        let moved = crate::check::someone(&county).await;
        let stays = crate::check::someone_else(&county, &moved).await;
        let source_payments = county.count("payments").await;
        let moved_payments: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM payments WHERE beneficiary_id = $1")
            .bind(moved.beneficiary)
            .fetch_one(&county.db.pool)
            .await
            .unwrap();

        // The province already has the person who moved, under another phone.
        let key = app::ssr::Vault::generate_hex();
        let (url, postgres) = province_database(backend, dir.path(), &key, &moved.id, "13700001111").await;
        let import = || {
            std::process::Command::new(env!("CARGO_BIN_EXE_server"))
                .args([
                    "import-county",
                    &backup.display().to_string(),
                    "--key",
                    &key_file.display().to_string(),
                    "--under",
                    "990100",
                ])
                .current_dir(dir.path())
                .env("DATABASE_URL", &url)
                .env("PORTAL_DATA_KEY", &key)
                .env("PORTAL_INDEX_DIR", dir.path().join("index"))
                .output()
                .unwrap()
        };
        let out = import();
        let said = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(out.status.success(), "{backend:?}: {said}{}", String::from_utf8_lossy(&out.stderr));
        assert!(said.contains("已导入 青岚县（演示）") && said.contains("其中 1 人已在本平台"), "{backend:?}: {said}");

        // Started as the demo is (its dev SMS outbox shows the codes); the database has data, so no demo is loaded.
        let province = spawn_app_on(&url, &key, |_| {}).await;
        assert_eq!(province.count("payments").await, source_payments, "{backend:?}: every line");
        let chain = app::ssr::audit::verify(&province.db).await.unwrap();
        assert!(chain.broken.is_none(), "{backend:?}: one chain: {:?}", chain.broken);
        assert_eq!(chain.entries as i64, audited + 1, "{backend:?}: the county's entries, then the import's");
        let county_id: i64 = sqlx::query_scalar("SELECT parent_id FROM regions WHERE code = '510999'")
            .fetch_one(&province.db.pool)
            .await
            .unwrap();
        let city: String = sqlx::query_scalar("SELECT code FROM regions WHERE id = $1")
            .bind(county_id)
            .fetch_one(&province.db.pool)
            .await
            .unwrap();
        assert_eq!(city, "990100", "{backend:?}: under the city");

        // The person who moved: one record, the county's payments on it, with the province's phone.
        let session = province.citizen(&moved.id, "13700001111").await;
        let (_, page) = province.get_text_as("/check/payments", &session).await;
        let shown = page.matches("class=\"my-payment card-").count() as i64;
        assert!(shown >= moved_payments && moved_payments > 0, "{backend:?}: {shown} of {moved_payments}");
        // Someone who stayed signs in with the phone the county had.
        let session = province.citizen(&stays.id, &stays.phone).await;
        assert_eq!(province.get_text_as("/check/payments", &session).await.0, 200);

        // A case in the county goes to its department there; its staff sign in as before.
        let at = crate::cases::place(&province, 0).await;
        let (township, village): (String, String) = sqlx::query_as(
            "SELECT t.code, v.code FROM regions v JOIN regions t ON t.id = v.parent_id \
             WHERE t.parent_id = (SELECT id FROM regions WHERE code = '510999') ORDER BY v.id LIMIT 1",
        )
        .fetch_one(&province.db.pool)
        .await
        .unwrap();
        let no = province.file_case(&at.item, &format!("{township}/{village}"), "13911112222", false).await;
        let (department, region): (String, String) = sqlx::query_as(
            "SELECT d.name, r.code FROM cases c JOIN departments d ON d.id = c.department_id JOIN regions r ON r.id = d.region_id \
             WHERE c.tracking_no = $1",
        )
        .bind(&no)
        .fetch_one(&province.db.pool)
        .await
        .unwrap();
        assert_eq!((department, region.as_str()), (at.department.clone(), "510999"), "{backend:?}");
        let finance = province.staff("finance").await;
        let (_, inbox) = finance.get("/staff").await;
        assert!(inbox.contains(&no), "{backend:?}: the county's finance bureau sees the new case");

        // Search finds the county's items, named with their county.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            let (_, html) = province.get_text("/search?q=%E9%AB%98%E9%BE%84%E6%B4%A5%E8%B4%B4").await;
            if html.contains("?county=510999") {
                break;
            }
            assert!(std::time::Instant::now() < deadline, "{backend:?}: the county's items are searchable");
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        }

        // Again: nothing changes.
        let before = (
            province.count("payments").await,
            province.count("beneficiaries").await,
            province.count("audit_log").await,
        );
        let out = import();
        assert!(out.status.success());
        assert!(String::from_utf8_lossy(&out.stdout).contains("已经导入过"), "{backend:?}");
        let after = (
            province.count("payments").await,
            province.count("beneficiaries").await,
            province.count("audit_log").await,
        );
        assert_eq!(after, before, "{backend:?}: run twice, it changes nothing");
        drop(province);
        drop(postgres);
    }
}
