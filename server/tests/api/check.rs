//! The self-check over real HTTP with the dev SMS outbox: the whole flow, identical answers for
//! unknown people, wrong tries, reuse, expiry, the resend limit, sessions and what a person sees.

use crate::helpers::{
    backends, code_sent_to, location, messages_to, post_all_at_once, set_cookie, spawn_app, Backend, TestApp,
};
use app::domain::{IdNumber, Phone};
use sqlx::Row;
use std::time::Duration;

pub struct Person {
    pub id: String,
    pub phone: String,
    pub beneficiary: i64,
}

/// A demo person with a phone and a failed payment that was not reissued (`nth` picks another one).
async fn someone_nth(app: &TestApp, nth: i64) -> Person {
    let row = sqlx::query(
        "SELECT b.id, b.id_enc, b.phone_enc FROM beneficiaries b WHERE b.phone_enc IS NOT NULL \
         AND EXISTS (SELECT 1 FROM payments p WHERE p.beneficiary_id = b.id AND p.status = 'failed' \
                     AND NOT EXISTS (SELECT 1 FROM payments r WHERE r.reissue_of_id = p.id)) ORDER BY b.id LIMIT 1 OFFSET $1",
    )
    .bind(nth)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    Person {
        id: app.vault.decrypt(&row.get::<Vec<u8>, _>("id_enc")).unwrap(),
        phone: app.vault.decrypt(&row.get::<Vec<u8>, _>("phone_enc")).unwrap(),
        beneficiary: row.get("id"),
    }
}

pub async fn someone(app: &TestApp) -> Person {
    someone_nth(app, 0).await
}

/// Another demo person with a phone than `other`.
pub async fn someone_else(app: &TestApp, other: &Person) -> Person {
    let next = someone_nth(app, 1).await;
    assert_ne!(next.beneficiary, other.beneficiary);
    next
}

pub async fn start(app: &TestApp, id: &str, phone: &str) -> reqwest::Response {
    app.client.post(app.url("/check/start")).form(&[("id_number", id), ("phone", phone)]).send().await.unwrap()
}

pub async fn verify(app: &TestApp, pending: &str, code: &str) -> reqwest::Response {
    app.client.post(app.url("/check/verify")).header("cookie", pending).form(&[("code", code)]).send().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_sees_their_payments_after_the_code() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let me = someone(&app).await;
        let r = start(&app, &me.id.to_lowercase(), &format!("+86 {}", me.phone)).await;
        assert_eq!((r.status().as_u16(), location(&r).as_str()), (303, "/check/code"), "{backend:?}");
        let pending = set_cookie(&r, "check_pending").expect("a pending cookie");
        assert!(r
            .headers()
            .get_all("set-cookie")
            .iter()
            .any(|c| c.to_str().unwrap().contains("HttpOnly; SameSite=Strict")));
        let (status, html) = app.get_text("/check/code").await;
        assert_eq!(status, 200);
        assert!(html.contains("如信息无误，验证码已发送至该手机"));

        let code = code_sent_to(&app, &me.phone).await.expect("an SMS with the code");
        let r = verify(&app, &pending, &code).await;
        assert_eq!(location(&r), "/check/payments", "{backend:?}");
        let session = set_cookie(&r, "citizen_session").expect("a session cookie");

        let (status, html) = app.get_text_as("/check/payments", &session).await;
        assert_eq!(status, 200);
        assert!(html.contains("的补贴") && html.contains("已到账"));
        assert!(html.contains("失败原因：") && html.contains("怎么办："), "a failed line explains itself");
        assert!(!html.contains(&me.id) && !html.contains(&me.phone), "no full ID or phone even in the own view");
        // Each answered line carries its receipt code, as its SMS did, and the code opens that line.
        let at = html.find("href=\"/r/").expect("a receipt code on an answered line") + "href=\"/r/".len();
        let code: String = html[at..].chars().take_while(|c| *c != '"').collect();
        assert!(html.contains(&format!("凭证码 {code}")), "{backend:?}");
        let (status, receipt) = app.get_text(&format!("/r/{code}")).await;
        assert!(
            status == 200 && receipt.contains(&format!("凭证码 {code}")) && receipt.contains("公示日志第"),
            "{backend:?}"
        );

        // Exactly the person's own lines, plus the household's when head, plus those paid to their card.
        let expected: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM payments p WHERE p.beneficiary_id = $1 OR p.recipient_id = $1 OR \
             ((SELECT is_household_head FROM beneficiaries WHERE id = $1) = 1 AND p.beneficiary_id IN \
              (SELECT id FROM beneficiaries WHERE household_id = (SELECT household_id FROM beneficiaries WHERE id = $1)))",
        )
        .bind(me.beneficiary)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
        assert_eq!(html.matches("class=\"my-payment card-").count() as i64, expected, "{backend:?}");

        // The three-way check is shown for every line.
        assert_eq!(html.matches("class=\"three-way\"").count() as i64, expected);

        // The statement of a year, as a page and as CSV with the same lines.
        let year: String =
            sqlx::query_scalar("SELECT MIN(SUBSTR(period, 1, 4)) FROM payments WHERE beneficiary_id = $1")
                .bind(me.beneficiary)
                .fetch_one(&app.db.pool)
                .await
                .unwrap();
        let statement = app
            .client
            .get(app.url(&format!("/check/statement?year={year}")))
            .header("cookie", &session)
            .send()
            .await
            .unwrap();
        assert_eq!(statement.status().as_u16(), 200);
        let statement = statement.text().await.unwrap();
        assert!(statement.contains(&format!("{year}年补贴对账单")));
        let rows = statement.matches("<tr>").count() - 1;
        let csv = app
            .client
            .get(app.url(&format!("/check/statement/csv?year={year}")))
            .header("cookie", &session)
            .send()
            .await
            .unwrap();
        assert_eq!(csv.status().as_u16(), 200);
        let csv = csv.text().await.unwrap();
        assert_eq!(csv.lines().count() - 1, rows, "the CSV has the page's lines");
        assert!(csv.lines().skip(1).all(|l| l.starts_with(&year)));
        let (status, _) = app.get_text(&format!("/check/statement/csv?year={year}")).await;
        assert_eq!(status, 401, "no statement without the session");

        // Marking a paid line: 未收到 is recorded and shown; someone else's line cannot be marked.
        let paid: i64 =
            sqlx::query_scalar("SELECT MIN(id) FROM payments WHERE beneficiary_id = $1 AND status = 'paid'")
                .bind(me.beneficiary)
                .fetch_one(&app.db.pool)
                .await
                .unwrap();
        let r = app
            .client
            .post(app.url("/check/confirm"))
            .header("cookie", &session)
            .form(&[("payment", paid.to_string()), ("received", "no".to_string())])
            .send()
            .await
            .unwrap();
        assert_eq!(location(&r), format!("/check/payments#p{paid}"));
        let html = app
            .client
            .get(app.url("/check/payments"))
            .header("cookie", &session)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("您已反映：未收到"));
        let other: i64 = sqlx::query_scalar(
            "SELECT MIN(p.id) FROM payments p JOIN beneficiaries b ON b.id = p.beneficiary_id \
             WHERE p.status = 'paid' AND b.household_id <> (SELECT household_id FROM beneficiaries WHERE id = $1) AND p.recipient_id <> $1",
        )
        .bind(me.beneficiary)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
        app.client
            .post(app.url("/check/confirm"))
            .header("cookie", &session)
            .form(&[("payment", other.to_string()), ("received", "yes".to_string())])
            .send()
            .await
            .unwrap();
        let marks: Vec<(i64, i64)> = sqlx::query("SELECT payment_id, received FROM payment_confirmations")
            .fetch_all(&app.db.pool)
            .await
            .unwrap()
            .iter()
            .map(|r| (r.get("payment_id"), r.get("received")))
            .collect();
        assert_eq!(marks, vec![(paid, 0)], "{backend:?}");

        // Without the session: asked to verify first. After logout: the same.
        let (status, html) = app.get_text("/check/payments").await;
        assert_eq!(status, 401);
        assert!(html.contains("请先验证身份"));
        let r = app.client.post(app.url("/check/logout")).header("cookie", &session).send().await.unwrap();
        assert_eq!(location(&r), "/check?e=signed_out");
        let again = app.client.get(app.url("/check/payments")).header("cookie", &session).send().await.unwrap();
        assert_eq!(again.status().as_u16(), 401);

        // The code sent and the look-up are audited, with keyed hashes only.
        let audit: Vec<String> =
            sqlx::query_scalar("SELECT action || ' ' || subject || ' ' || detail FROM audit_log ORDER BY id")
                .fetch_all(&app.db.pool)
                .await
                .unwrap();
        assert!(audit.iter().any(|a| a.starts_with("self_check_code_sent phone:")));
        assert!(audit.iter().any(|a| a.starts_with("self_check_verified beneficiary:")));
        assert!(audit.iter().all(|a| !a.contains(&me.id) && !a.contains(&me.phone)));

        // The code was single use.
        let r = verify(&app, &pending, &code).await;
        assert_eq!(location(&r), "/check?e=expired");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_people_get_the_same_answer_and_no_sms() {
    let app = spawn_app(app::ssr::db::Backend::Sqlite).await;
    let me = someone(&app).await;
    let stranger = IdNumber::from_parts("510999", 1980, 1, 1, 999).unwrap();
    let known = start(&app, &me.id, &me.phone).await;
    let unknown = start(&app, stranger.as_str(), "13900000001").await;
    let other = someone_nth(&app, 1).await;
    let wrong_phone = start(&app, &other.id, "13900000002").await;
    for r in [&known, &unknown, &wrong_phone] {
        assert_eq!((r.status().as_u16(), location(r)), (303, "/check/code".to_string()));
        assert!(set_cookie(r, "check_pending").is_some());
    }
    let sent: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sms_outbox").fetch_one(&app.db.pool).await.unwrap();
    assert_eq!(sent, 1, "only the real person got an SMS");
    // Guessing on an unknown person's pending check never opens a session.
    let pending = set_cookie(&unknown, "check_pending").unwrap();
    let r = verify(&app, &pending, "000000").await;
    assert!(location(&r).starts_with("/check/code?left=4"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_tries_void_the_code_and_expiry_is_enforced() {
    let app = spawn_app(app::ssr::db::Backend::Sqlite).await;
    let me = someone(&app).await;
    let r = start(&app, &me.id, &me.phone).await;
    let pending = set_cookie(&r, "check_pending").unwrap();
    let code = code_sent_to(&app, &me.phone).await.unwrap();
    let wrong = if code == "111111" { "222222" } else { "111111" };
    for left in (1..=4).rev() {
        let r = verify(&app, &pending, wrong).await;
        assert_eq!(location(&r), format!("/check/code?left={left}"));
    }
    assert_eq!(location(&verify(&app, &pending, wrong).await), "/check?e=expired", "the fifth wrong try voids it");
    assert_eq!(location(&verify(&app, &pending, &code).await), "/check?e=expired", "even the right code is void now");

    // A fresh code that has expired is refused (the resend limit is lifted by ageing the first code).
    sqlx::query("UPDATE verification_codes SET created_at = '2000-01-01T00:00:00Z'")
        .execute(&app.db.pool)
        .await
        .unwrap();
    let r = start(&app, &me.id, &me.phone).await;
    let pending = set_cookie(&r, "check_pending").unwrap();
    let code = code_sent_to(&app, &me.phone).await.unwrap();
    sqlx::query("UPDATE verification_codes SET expires_at = '2000-01-01T00:05:00Z' WHERE used_at IS NULL")
        .execute(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(location(&verify(&app, &pending, &code).await), "/check?e=expired");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn codes_are_limited_per_phone_and_id() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let me = someone(&app).await;
        assert_eq!(start(&app, &me.id, &me.phone).await.status().as_u16(), 303);
        let r = start(&app, &me.id, &me.phone).await;
        assert_eq!(r.status().as_u16(), 429, "one code a minute");
        assert!(r.headers().get("retry-after").is_some());
        let text = r.text().await.unwrap();
        assert!(text.contains("分钟后再试") || text.contains("秒后再试"), "{text}");
        assert!(text.contains("<a class=\"site-name\" href=\"/\">"), "the site's name leads home: {text}");
        // The same ID with another phone sends nothing, so no limit of the person's applies to it.
        assert_eq!(start(&app, &me.id, "13900000003").await.status().as_u16(), 303);

        // Ten a day: age the codes past the minute, then fill the day.
        for _ in 0..9 {
            sqlx::query("UPDATE verification_codes SET created_at = $1")
                .bind(app::ssr::clock::from_now(-3600))
                .execute(&app.db.pool)
                .await
                .unwrap();
            assert_eq!(start(&app, &me.id, &me.phone).await.status().as_u16(), 303);
        }
        sqlx::query("UPDATE verification_codes SET created_at = $1")
            .bind(app::ssr::clock::from_now(-3600))
            .execute(&app.db.pool)
            .await
            .unwrap();
        let r = start(&app, &me.id, &me.phone).await;
        assert_eq!(r.status().as_u16(), 429, "the eleventh code of the day");
        assert!(r.text().await.unwrap().contains("小时后再试"));
        let sent = messages_to(&app, &me.phone).await.iter().filter(|m| m.contains("验证码")).count();
        assert_eq!(sent, 10, "{backend:?}: ten codes a day, no more");
        // A stranger trying the person's ID with another phone learns nothing from that limit.
        assert_eq!(start(&app, &me.id, "13900000004").await.status().as_u16(), 303, "{backend:?}");
    }
}

/// The answer to one start: its status and where it sends the visitor.
async fn start_alone(app: &TestApp, id: &str, phone: &str) -> (u16, String) {
    let r = start(app, id, phone).await;
    (r.status().as_u16(), location(&r))
}

/// Starts with each (ID, phone) at the same time.
async fn starts_at_once(app: &TestApp, pairs: &[(&str, &str)]) -> Vec<(u16, String)> {
    let forms = pairs
        .iter()
        .map(|(id, phone)| vec![("id_number".to_string(), id.to_string()), ("phone".to_string(), phone.to_string())])
        .collect();
    post_all_at_once(app, "/check/start", forms).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_requests_at_once_send_one_code() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let me = someone(&app).await;
        let answers = starts_at_once(&app, &vec![(me.id.as_str(), me.phone.as_str()); 50]).await;
        let sent = messages_to(&app, &me.phone).await.iter().filter(|m| m.contains("验证码")).count();
        assert_eq!(sent, 1, "{backend:?}: one code whatever arrives at once ({answers:?})");
        assert_eq!(answers.iter().filter(|a| a.0 == 303).count(), 1, "{backend:?}: the others are told to wait");
        let recorded: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM verification_codes WHERE sent = 1")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(recorded, 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stranger_trying_other_phones_cannot_lock_a_person_out() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let me = someone(&app).await;
        let stranger_phones: Vec<String> = (0..20).map(|n| format!("1370000{n:04}")).collect();
        let pairs: Vec<(&str, &str)> = stranger_phones.iter().map(|p| (me.id.as_str(), p.as_str())).collect();
        let answers = starts_at_once(&app, &pairs).await;
        assert!(
            answers.iter().all(|a| *a == (303, "/check/code".to_string())),
            "{backend:?}: the same answer as for the person: {answers:?}"
        );
        assert!(
            messages_to(&app, &stranger_phones[0]).await.is_empty(),
            "nothing is sent to a phone that is not the person's"
        );
        // The person, at once (no minute to wait), with their own phone.
        assert_eq!(start_alone(&app, &me.id, &me.phone).await, (303, "/check/code".to_string()), "{backend:?}");
        assert!(code_sent_to(&app, &me.phone).await.is_some(), "{backend:?}: the person gets their code");

        // Known and unknown people get the same answer, and so does a stranger after the person's
        // own codes were used up.
        let unknown = IdNumber::from_parts("510999", 1961, 2, 3, 777).unwrap();
        assert_eq!(start_alone(&app, unknown.as_str(), "13700009999").await, (303, "/check/code".to_string()));
        sqlx::query("UPDATE verification_codes SET created_at = $1 WHERE sent = 1")
            .bind(app::ssr::clock::from_now(-3600))
            .execute(&app.db.pool)
            .await
            .unwrap();
        for _ in 0..9 {
            sqlx::query("UPDATE verification_codes SET created_at = $1")
                .bind(app::ssr::clock::from_now(-3600))
                .execute(&app.db.pool)
                .await
                .unwrap();
            assert_eq!(start_alone(&app, &me.id, &me.phone).await.0, 303);
        }
        sqlx::query("UPDATE verification_codes SET created_at = $1")
            .bind(app::ssr::clock::from_now(-3600))
            .execute(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(start_alone(&app, &me.id, &me.phone).await.0, 429, "the person's own tenth code was the last today");
        assert_eq!(
            start_alone(&app, &me.id, "13700008888").await,
            (303, "/check/code".to_string()),
            "{backend:?}: no sign of that to a stranger"
        );
    }
}

/// A form that comes back with a problem keeps what was typed, marks the field, and only for the
/// browser that typed it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_with_a_wrong_id_comes_back_filled_with_the_field_marked() {
    let app = spawn_app(app::ssr::db::Backend::Sqlite).await;
    let r = start(&app, "110105194912310021", "13800138000").await;
    assert_eq!(location(&r), "/check?e=id:checksum");
    let typed = set_cookie(&r, "check_typed").expect("what was typed, sealed");
    assert!(!typed.contains("110105") && !typed.contains("13800138000"), "sealed, not readable: {typed}");
    let (status, html) = app.get_text_as("/check?e=id:checksum", &typed).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("value=\"110105194912310021\"") && html.contains("value=\"13800138000\""),
        "the form comes back filled"
    );
    let id_input = html.split("<input").find(|i| i.contains("id=\"id_number\"")).unwrap();
    assert!(
        id_input.contains("aria-invalid=\"true\"") && id_input.contains("aria-describedby=\"check-error\""),
        "{id_input}"
    );
    let phone_input = html.split("<input").find(|i| i.contains("id=\"phone\"")).unwrap();
    assert!(!phone_input.contains("aria-invalid"), "{phone_input}");
    let (_, other) = app.get_text("/check?e=id:checksum").await;
    assert!(!other.contains("110105194912310021"), "another browser sees an empty form");
    let forged = app.get_text_as("/check", "check_typed=00ff00ff").await.1;
    assert!(forged.contains("id=\"id_number\""), "a cookie that does not open is an empty form");
    // Right details: the typed values are forgotten.
    let me = someone(&app).await;
    let r = app
        .client
        .post(app.url("/check/start"))
        .header("cookie", &typed)
        .form(&[("id_number", me.id.as_str()), ("phone", me.phone.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), "/check/code");
    assert_eq!(set_cookie(&r, "check_typed").as_deref(), Some("check_typed="), "cleared");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_named_and_dev_sms_is_demo_only() {
    let app = spawn_app(app::ssr::db::Backend::Sqlite).await;
    let r = start(&app, "11010519491231002Y", "13800138000").await;
    assert_eq!(location(&r), "/check?e=id:characters");
    let r = start(&app, "110105194912310021", "13800138000").await;
    assert_eq!(location(&r), "/check?e=id:checksum");
    let (_, html) = app.get_text("/check?e=id:checksum").await;
    assert!(html.contains("身份证号校验位不正确"));
    let r = start(&app, "11010519491231002X", "12345").await;
    assert_eq!(location(&r), "/check?e=phone:length");
    let r = app
        .client
        .post(app.url("/check/start"))
        .body("garbage")
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), "/check?e=id:empty", "missing fields are an empty ID, not a crash");
    assert!(Phone::parse("13800138000").is_ok());

    // The outbox page is the demo's: a database flag alone does not serve it, nor does a demo
    // server whose messages go to a real provider, nor a server that is not running the demo.
    sqlx::query("UPDATE settings SET value = '0' WHERE key = 'demo'").execute(&app.db.pool).await.unwrap();
    assert_eq!(app.get_text("/dev/sms").await.0, 200, "the server decides, not the database");
    drop(app);
    let real = crate::helpers::spawn_app_with(app::ssr::db::Backend::Sqlite, |c| {
        c.sms_provider = "tencent".into();
        c.sms_endpoint = "http://127.0.0.1:9".into();
    })
    .await;
    assert_eq!(real.get_text("/dev/sms").await.0, 404, "messages go to a provider: no outbox page");
    let url = real.database_url().to_string();
    let key = real.data_key().to_string();
    let not_demo = crate::helpers::spawn_app_on(&url, &key, |c| c.demo = false).await;
    let flagged: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = 'demo'")
        .fetch_optional(&not_demo.db.pool)
        .await
        .unwrap();
    assert_eq!(flagged.as_deref(), Some("1"), "the database holds the demo county");
    assert_eq!(not_demo.get_text("/dev/sms").await.0, 404, "a server not running the demo has no outbox page");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_cannot_ask_for_codes_without_end() {
    let app = spawn_app(app::ssr::db::Backend::Sqlite).await;
    let per_ip = app::ssr::code::PER_ADDRESS_PER_MINUTE as usize;
    let mut statuses = Vec::new();
    for n in 0..per_ip + 1 {
        let id = IdNumber::from_parts("510999", 1970, 1, 1 + (n as u32 % 28), n as u32).unwrap();
        let r = start(&app, id.as_str(), &format!("139{:08}", n)).await;
        statuses.push(r.status().as_u16());
    }
    assert!(statuses[..per_ip].iter().all(|s| *s == 303), "{statuses:?}");
    assert_eq!(statuses[per_ip], 429, "the address is over its quota");
}

/// Behind the load balancer: every address of an IPv6 visitor's /64 is that one visitor, and the
/// limit is counted in the database, so a second node sees the same count.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ipv6_network_is_one_address_on_every_node() {
    for backend in backends() {
        let balancer = |c: &mut server::config::Config| c.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
        let one = crate::helpers::spawn_app_with(backend, balancer).await;
        let two = crate::helpers::spawn_app_on(one.database_url(), one.data_key(), balancer).await;
        let per_ip = app::ssr::code::PER_ADDRESS_PER_MINUTE as u32;
        let mut statuses = Vec::new();
        for n in 0..=per_ip {
            let node = if n % 2 == 0 { &one } else { &two };
            let id = IdNumber::from_parts("510999", 1971, 2, 1 + n % 28, n).unwrap();
            let r = node
                .client
                .post(node.url("/check/start"))
                .header("x-forwarded-for", format!("2001:db8:7:8:{:x}::{:x}", n * 7, n + 1))
                .form(&[("id_number", id.as_str()), ("phone", &format!("137{:08}", n))])
                .send()
                .await
                .unwrap();
            statuses.push(r.status().as_u16());
        }
        assert!(statuses[..per_ip as usize].iter().all(|s| *s == 303), "{backend:?}: {statuses:?}");
        assert_eq!(statuses[per_ip as usize], 429, "{backend:?}: one /64, over its quota across both nodes");
        let r = two
            .client
            .post(two.url("/check/start"))
            .header("x-forwarded-for", "2001:db8:7:9::1")
            .form(&[
                ("id_number", IdNumber::from_parts("510999", 1971, 3, 3, 999).unwrap().as_str()),
                ("phone", "13799999999"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 303, "{backend:?}: the next /64 is someone else");
    }
}

/// What the self-check shows of each line, read the plain way: one query per line, each value
/// from its own table (the newest publicity entry, reissues counted), to hold the self-check's
/// one statement to.
async fn line_as_stored(app: &TestApp, me: i64, payment: i64) -> String {
    let r = sqlx::query(
        "SELECT p.beneficiary_id, ben.name_masked, i.name AS item, cty.name AS county, d.name AS department, \
                d.phone AS department_phone, p.period, p.amount_fen, p.status, p.paid_on, b.name AS bank, \
                b.phone AS bank_phone, p.failure_reason, p.reissue_of_id, \
                (SELECT COUNT(*) FROM payments r WHERE r.reissue_of_id = p.id) AS reissues, \
                pe.name_masked AS pub_name, pe.amount_fen AS pub_amount, pe.status AS pub_status, pe.published_on AS pub_on, \
                (SELECT c.received FROM payment_confirmations c WHERE c.payment_id = p.id) AS confirmed, \
                (SELECT k.tracking_no FROM cases k WHERE k.payment_id = p.id AND k.origin = 'not_received') AS case_no \
         FROM payments p JOIN subsidy_items i ON i.id = p.item_id JOIN departments d ON d.id = i.department_id \
         JOIN regions cty ON cty.id = i.county_id JOIN banks b ON b.id = p.bank_id \
         JOIN beneficiaries ben ON ben.id = p.beneficiary_id \
         LEFT JOIN publicity_entries pe ON pe.id = (SELECT MAX(y.id) FROM publicity_entries y WHERE y.payment_id = p.id) \
         WHERE p.id = $1",
    )
    .bind(payment)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    let beneficiary: i64 = r.get("beneficiary_id");
    format!(
        "{:?} {} {} {} {} {} {} {} {:?} {} {} {:?} {} {} {:?} {:?} {:?} {:?} {:?} {:?}",
        (beneficiary != me).then(|| r.get::<String, _>("name_masked")),
        r.get::<String, _>("item"),
        r.get::<String, _>("county"),
        r.get::<String, _>("department"),
        r.get::<String, _>("department_phone"),
        r.get::<String, _>("period"),
        r.get::<i64, _>("amount_fen"),
        r.get::<String, _>("status"),
        r.get::<Option<String>, _>("paid_on"),
        r.get::<String, _>("bank"),
        r.get::<String, _>("bank_phone"),
        r.get::<Option<String>, _>("failure_reason"),
        r.get::<i64, _>("reissues") > 0,
        r.get::<Option<i64>, _>("reissue_of_id").is_some(),
        r.get::<Option<String>, _>("pub_name"),
        r.get::<Option<i64>, _>("pub_amount"),
        r.get::<Option<String>, _>("pub_status"),
        r.get::<Option<String>, _>("pub_on"),
        r.get::<Option<i64>, _>("confirmed").map(|v| v != 0),
        r.get::<Option<String>, _>("case_no"),
    )
}

/// The same line as the self-check gives it.
fn line_as_shown(p: &app::api::check::MyPayment) -> String {
    let publicity = p.publicity.as_ref();
    format!(
        "{:?} {} {} {} {} {} {} {} {:?} {} {} {:?} {} {} {:?} {:?} {:?} {:?} {:?} {:?}",
        p.for_member,
        p.item,
        p.county,
        p.department,
        p.department_phone,
        p.period,
        p.amount.fen(),
        p.status,
        p.paid_on,
        p.bank,
        p.bank_phone,
        p.failure_reason,
        p.reissued,
        p.is_reissue,
        publicity.map(|s| s.name_masked.clone()),
        publicity.map(|s| s.amount.fen()),
        publicity.map(|s| s.status.clone()),
        publicity.map(|s| s.published_on.clone()),
        p.confirmed,
        p.case_no,
    )
}

#[tokio::test]
async fn the_self_check_shows_every_line_once_as_stored_newest_publicity_and_reissues_included() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let one = |sql: &'static str| {
            let pool = app.db.pool.clone();
            async move { sqlx::query_scalar::<_, i64>(sql).fetch_one(&pool).await.unwrap() }
        };
        // A household head with the most lines in their household; someone paid on another's
        // behalf (their card receives a line that is not theirs); someone whose failed line was
        // paid again; someone on their own.
        let head = one("SELECT h.id FROM beneficiaries h JOIN beneficiaries m ON m.household_id = h.household_id \
             JOIN payments p ON p.beneficiary_id = m.id WHERE h.is_household_head = 1 \
             GROUP BY h.id ORDER BY COUNT(*) DESC, h.id LIMIT 1")
        .await;
        let recipient = one("SELECT MIN(recipient_id) FROM payments WHERE recipient_id <> beneficiary_id").await;
        let reissued = one(
            "SELECT MIN(p.beneficiary_id) FROM payments p WHERE EXISTS (SELECT 1 FROM payments r WHERE r.reissue_of_id = p.id)",
        )
        .await;
        let alone = one("SELECT MIN(b.id) FROM beneficiaries b WHERE b.is_household_head = 0 \
             AND EXISTS (SELECT 1 FROM payments p WHERE p.beneficiary_id = b.id)")
        .await;
        // One of the head's household's lines publicised again after a correction, with another
        // amount (the newest entry is what the public sees), and one marked received.
        let corrected: i64 = sqlx::query_scalar(
            "SELECT MAX(e.payment_id) FROM publicity_entries e JOIN beneficiaries m ON m.id = e.beneficiary_id \
             WHERE m.household_id = (SELECT household_id FROM beneficiaries WHERE id = $1) AND m.id <> $1",
        )
        .bind(head)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO publicity_entries (roster_id, payment_id, beneficiary_id, stage, name_masked, id_masked, \
               recipient_name_masked, village_id, item_id, period, amount_fen, status, published_on) \
             SELECT roster_id, payment_id, beneficiary_id, stage, name_masked, id_masked, recipient_name_masked, \
               village_id, item_id, period, amount_fen + 100, status, '2099-01-01' \
             FROM publicity_entries WHERE id = (SELECT MAX(id) FROM publicity_entries WHERE payment_id = $1)",
        )
        .bind(corrected)
        .execute(&app.db.pool)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO payment_confirmations (payment_id, beneficiary_id, received, at) \
             SELECT id, beneficiary_id, 1, '2026-12-01T00:00:00Z' FROM payments WHERE id = $1",
        )
        .bind(corrected)
        .execute(&app.db.pool)
        .await
        .unwrap();

        let mut seen_corrected = false;
        let mut seen_reissued = false;
        let mut seen_unpaid = false;
        for me in [head, recipient, reissued, alone] {
            let expected: Vec<i64> = sqlx::query_scalar(
                "SELECT p.id FROM payments p WHERE p.beneficiary_id = $1 OR p.recipient_id = $1 OR \
                 ((SELECT is_household_head FROM beneficiaries WHERE id = $1) = 1 AND p.beneficiary_id IN \
                  (SELECT id FROM beneficiaries WHERE household_id = (SELECT household_id FROM beneficiaries WHERE id = $1))) \
                 ORDER BY p.id",
            )
            .bind(me)
            .fetch_all(&app.db.pool)
            .await
            .unwrap();
            let mine = app::ssr::check::reads::payments(&app.db, me).await.unwrap();
            let shown: Vec<&app::api::check::MyPayment> = mine.years.iter().flat_map(|y| &y.payments).collect();
            let mut ids: Vec<i64> = shown.iter().map(|p| p.id).collect();
            ids.sort();
            assert_eq!(ids, expected, "{backend:?}: person {me}'s lines, each once");
            for p in shown {
                assert_eq!(line_as_shown(p), line_as_stored(&app, me, p.id).await, "{backend:?}: line {}", p.id);
                seen_corrected |=
                    p.id == corrected && p.publicity.as_ref().is_some_and(|s| s.published_on == "2099-01-01");
                seen_reissued |= p.reissued;
                seen_unpaid |= p.paid_on.is_none();
            }
            // Newest first within each year: by the day paid, or for a line not paid (yet) by its
            // roster's publicity date; a line with neither last.
            for year in &mine.years {
                let mut keys = Vec::new();
                for p in &year.payments {
                    let on: Option<String> = sqlx::query_scalar(
                        "SELECT COALESCE(p.paid_on, ro.publicity_start) FROM payments p \
                         JOIN rosters ro ON ro.id = p.roster_id WHERE p.id = $1",
                    )
                    .bind(p.id)
                    .fetch_one(&app.db.pool)
                    .await
                    .unwrap();
                    keys.push((on.is_some(), on, p.id));
                }
                assert!(
                    keys.windows(2).all(|w| w[0] > w[1]),
                    "{backend:?}: person {me}'s {} newest first: {keys:?}",
                    year.year
                );
            }
        }
        assert!(seen_corrected, "{backend:?}: the corrected line shows its newest publicity");
        assert!(seen_reissued, "{backend:?}: a line paid again says so");
        assert!(seen_unpaid, "{backend:?}: a line not paid is among them (sorted by its roster's date)");
    }
}

/// Signs `me` in through the form and the SMS code; the session cookie.
async fn signed_in(app: &TestApp, me: &Person) -> String {
    let r = start(app, &me.id, &me.phone).await;
    let pending = set_cookie(&r, "check_pending").expect("a pending cookie");
    let code = code_sent_to(app, &me.phone).await.expect("an SMS with the code");
    set_cookie(&verify(app, &pending, &code).await, "citizen_session").expect("a session cookie")
}

#[tokio::test]
async fn the_self_check_answers_after_postgresql_dropped_its_idle_connections() {
    for backend in backends().into_iter().filter(|b| *b == Backend::Postgres) {
        let app = spawn_app(backend).await;
        // The self-check's statement is planned once for anyone; other statements as usual.
        let mode = |pool: sqlx::AnyPool| async move {
            sqlx::query_scalar::<_, String>("SHOW plan_cache_mode").fetch_one(&pool).await.unwrap()
        };
        assert_eq!(mode(app.db.generic_plans.clone()).await, "force_generic_plan");
        assert_eq!(mode(app.db.pool.clone()).await, "auto");

        let me = someone(&app).await;
        let session = signed_in(&app, &me).await;
        let (status, before) = app.get_text_as("/check/payments", &session).await;
        assert_eq!(status, 200);
        // The database drops every other connection (a restart, a failover), and the site is
        // quiet for a while: the next citizen gets their page, not an error.
        let dropped: Vec<bool> = sqlx::query_scalar(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
        .fetch_all(&app.db.pool)
        .await
        .unwrap();
        assert!(dropped.len() >= 2, "the server's connections were dropped: {dropped:?}");
        tokio::time::sleep(app::ssr::db::TRUSTED_IDLE + Duration::from_secs(1)).await;
        let (status, after) = app.get_text_as("/check/payments", &session).await;
        assert_eq!(status, 200, "{after}");
        assert_eq!(
            after.matches("class=\"my-payment card-").count(),
            before.matches("class=\"my-payment card-").count()
        );
    }
}

/// An installation from before migration 0008 kept 64-character lookup hashes. After the upgrade
/// cuts every kept hash to its first 32 characters (what `lookup_hash` now gives), the same person
/// still signs in and sees their payments, and a session opened before the upgrade goes on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_and_sessions_kept_before_the_shorter_hashes_still_work_after_the_upgrade() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let me = someone(&app).await;
        let session = signed_in(&app, &me).await;
        let (status, before) = app.get_text_as("/check/payments", &session).await;
        assert_eq!(status, 200, "{backend:?}");

        // The rows as 0007 left them: each kept hash 64 characters, its first 32 what is looked up.
        let tail = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
        for (table, columns) in [
            ("beneficiaries", &["id_hash", "phone_hash", "account_hash"][..]),
            ("verification_codes", &["phone_hash", "id_hash", "code_hash", "token_hash", "pair_hash", "addr_hash"]),
            ("sessions", &["token_hash"]),
            ("sms_outbox", &["phone_hash"]),
            ("cases", &["filer_phone_hash"]),
        ] {
            let sets = columns.iter().map(|c| format!("{c} = {c} || '{tail}'")).collect::<Vec<_>>().join(", ");
            sqlx::query(sqlx::AssertSqlSafe(format!("UPDATE {table} SET {sets}"))).execute(&app.db.pool).await.unwrap();
        }
        let (status, _) = app.get_text_as("/check/payments", &session).await;
        assert_ne!(
            status, 200,
            "{backend:?}: with the longer hashes the session is not found, so the upgrade is tested"
        );
        sqlx::query("DELETE FROM _sqlx_migrations WHERE version = 8").execute(&app.db.pool).await.unwrap();

        // The next start applies 0008.
        let upgraded = crate::helpers::spawn_app_on(app.database_url(), app.data_key(), |_| {}).await;
        let longest: i64 = sqlx::query_scalar("SELECT MAX(LENGTH(id_hash)) FROM beneficiaries")
            .fetch_one(&upgraded.db.pool)
            .await
            .unwrap();
        assert_eq!(longest, 32, "{backend:?}");
        let (status, after) = upgraded.get_text_as("/check/payments", &session).await;
        let lines = |html: &str| html.matches("class=\"my-payment card-").count();
        assert!(lines(&before) > 0, "{backend:?}");
        assert_eq!(status, 200, "{backend:?}: the session opened before the upgrade goes on");
        assert_eq!(lines(&after), lines(&before), "{backend:?}: the same payments");
        crate::helpers::age_codes(&upgraded).await;
        let again = signed_in(&upgraded, &me).await;
        let (status, html) = upgraded.get_text_as("/check/payments", &again).await;
        assert_eq!(
            (status, lines(&html)),
            (200, lines(&before)),
            "{backend:?}: signing in again finds the same person"
        );
    }
}

/// The self-check reads a person's lines and each line's publicity from the two indexes that hold
/// them (migration 0013), not from a table page per line; lines paid to someone else's card come
/// from the small index of such lines. A column added to the statement but not to an index would
/// send every line back to the table.
#[tokio::test]
async fn the_self_check_reads_a_persons_lines_and_publicity_from_their_indexes() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let person: i64 =
            sqlx::query_scalar("SELECT MIN(beneficiary_id) FROM payments").fetch_one(&app.db.pool).await.unwrap();
        let sql = app::ssr::check::reads::payments_sql(backend);
        let plan: Vec<String> = match backend {
            Backend::Sqlite => sqlx::query(sqlx::AssertSqlSafe(format!("EXPLAIN QUERY PLAN {sql}")))
                .bind(person)
                .fetch_all(&app.db.pool)
                .await
                .unwrap()
                .iter()
                .map(|r| r.get::<String, _>("detail"))
                .collect(),
            Backend::Postgres => {
                // As the site runs it (one plan for anyone), with the tables vacuumed as after a
                // load; the planner may not choose a sequential scan of the small test tables.
                let mut conn = app.db.pool.acquire().await.unwrap();
                for set in [
                    "VACUUM ANALYZE payments",
                    "VACUUM ANALYZE publicity_entries",
                    "SET plan_cache_mode = force_generic_plan",
                    "SET enable_seqscan = off",
                    "SET enable_bitmapscan = off",
                ] {
                    sqlx::query(set).execute(&mut *conn).await.unwrap();
                }
                sqlx::query(sqlx::AssertSqlSafe(format!("EXPLAIN {sql}")))
                    .bind(person)
                    .fetch_all(&mut *conn)
                    .await
                    .unwrap()
                    .iter()
                    .map(|r| r.get::<String, _>(0))
                    .collect()
            }
        };
        let shows = |what: &str| plan.iter().filter(|line| line.contains(what)).count();
        let (lines, publicity, recipient) = match backend {
            Backend::Sqlite => (
                "USING COVERING INDEX payments_beneficiary",
                "USING COVERING INDEX publicity_beneficiary",
                "USING INDEX payments_recipient",
            ),
            Backend::Postgres => (
                "Index Only Scan using payments_beneficiary",
                "Index Only Scan using publicity_beneficiary",
                "using payments_recipient",
            ),
        };
        let plan = plan.join("\n");
        if backend == Backend::Sqlite {
            assert!(plan.contains("MATERIALIZE lines"), "{backend:?}: the lines are made once\n{plan}");
        }
        assert_eq!(shows(lines), 2, "{backend:?}: a person's own lines and the household's\n{plan}");
        // SQLite joins the publicity in each of the three look-ups, PostgreSQL once to all lines.
        assert!(shows(publicity) >= 1, "{backend:?}: each line's publicity\n{plan}");
        assert_eq!(shows(recipient), 1, "{backend:?}: lines paid to this person's card for someone else\n{plan}");
        assert!(!plan.contains("publicity_payment"), "{backend:?}\n{plan}");
    }
}
