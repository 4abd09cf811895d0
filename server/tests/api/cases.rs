//! Cases over real HTTP: filing with an SMS code, routing per item and to the finance bureau's
//! triage, working-day deadlines, tracking with a code, reopening, 未收到 from the self-check,
//! and the public record and figures.

use crate::helpers::{
    age_codes, backends, code_sent_to, location, messages_to, post_all_at_once, set_cookie, spawn_app, TestApp,
};
use app::domain::date::{format_days, parse_days};
use sqlx::Row;

pub struct Place {
    pub item: String,
    pub department_id: i64,
    pub department: String,
    pub township: String,
    pub village: String,
}

/// An item of this year's catalogue run by a department other than finance, and a village.
pub async fn place(app: &TestApp, nth: i64) -> Place {
    let item = sqlx::query(
        "SELECT i.code, d.id, d.name FROM subsidy_items i JOIN departments d ON d.id = i.department_id \
         WHERE i.year = (SELECT MAX(year) FROM catalogue_years) AND d.is_finance = 0 AND i.parent_id IS NULL ORDER BY i.id LIMIT 1 OFFSET $1",
    )
    .bind(nth)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    let village = sqlx::query("SELECT t.code AS t, v.code AS v FROM regions v JOIN regions t ON t.id = v.parent_id WHERE v.level = 'village' ORDER BY v.id LIMIT 1")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    Place {
        item: item.get("code"),
        department_id: item.get("id"),
        department: item.get("name"),
        township: village.get("t"),
        village: village.get("v"),
    }
}

pub const DESCRIPTION: &str = "三月份的高龄津贴到现在还没有到账，请帮忙核实一下原因。";

async fn start(app: &TestApp, fields: &[(&str, &str)], cookie: Option<&str>) -> reqwest::Response {
    let mut request = app.client.post(app.url("/cases/start")).form(fields);
    if let Some(c) = cookie {
        request = request.header("cookie", c);
    }
    request.send().await.unwrap()
}

pub async fn case_id(app: &TestApp, no: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM cases WHERE tracking_no = $1").bind(no).fetch_one(&app.db.pool).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_case_is_filed_with_a_code_routed_to_its_department_and_tracked() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let (status, html) = app.get_text("/cases/new").await;
        assert_eq!(status, 200);
        assert!(html.contains("name=\"kind\"") && html.contains("<optgroup"), "{backend:?}");

        let p = place(&app, 0).await;
        let phone = "13912345678";
        let no = app.file_case(&p.item, &format!("{}/{}", p.township, p.village), phone, false).await;
        let today = app::ssr::clock::local_today();
        assert!(no.starts_with(&today.replace('-', "")), "{no}: the tracking number carries the filing date");

        // Routed to the item's department; the deadline is 15 working days on (complaint).
        let row = sqlx::query("SELECT department_id, deadline_on, status, filed_on FROM cases WHERE tracking_no = $1")
            .bind(&no)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(row.get::<i64, _>("department_id"), p.department_id, "{backend:?}");
        let calendar =
            app::ssr::cases::calendar(&mut app.db.pool.acquire().await.unwrap(), p.department_id).await.unwrap();
        let expected = format_days(calendar.add_working_days(parse_days(&today).unwrap(), 15));
        assert_eq!(row.get::<String, _>("deadline_on"), expected);
        assert_eq!(row.get::<String, _>("status"), "open");
        assert!(
            messages_to(&app, phone).await.iter().any(|m| m.contains(&no) && m.contains(&p.department)),
            "the tracking number by SMS"
        );

        // The public record: the facts and the history, never the words, the name or the phone.
        let (status, html) = app.get_text(&format!("/case/{no}")).await;
        assert_eq!(status, 200);
        assert!(html.contains(&p.department) && html.contains("待受理") && html.contains(&expected));
        assert!(!html.contains(DESCRIPTION) && !html.contains("王秀英") && !html.contains(phone), "{backend:?}");

        // Tracking: number + phone → code → the filer's own view.
        let r = app
            .client
            .post(app.url("/cases/track/start"))
            .form(&[("no", no.as_str()), ("phone", phone)])
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status().as_u16(),
            429,
            "the phone just had a code: the 60 s limit holds across filing and tracking"
        );
        age_codes(&app).await;
        let r = app
            .client
            .post(app.url("/cases/track/start"))
            .form(&[("no", no.replace('-', "").as_str()), ("phone", phone)])
            .send()
            .await
            .unwrap();
        assert_eq!(location(&r), "/cases/track/code");
        let pending = set_cookie(&r, "case_track").unwrap();
        let code = code_sent_to(&app, phone).await.unwrap();
        let r = app
            .client
            .post(app.url("/cases/track/verify"))
            .header("cookie", &pending)
            .form(&[("code", code.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(location(&r), "/cases/mine");
        let session = set_cookie(&r, "case_session").unwrap();
        let mine = app
            .client
            .get(app.url("/cases/mine"))
            .header("cookie", &session)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(mine.contains(DESCRIPTION) && mine.contains("王秀英") && mine.contains(&no));
        let without = app.client.get(app.url("/cases/mine")).send().await.unwrap();
        assert_eq!(without.status().as_u16(), 400, "no session, no case");

        // A wrong phone gets the same answer and no code.
        age_codes(&app).await;
        let before = messages_to(&app, "13900000001").await.len();
        let r = app
            .client
            .post(app.url("/cases/track/start"))
            .form(&[("no", no.as_str()), ("phone", "13900000001")])
            .send()
            .await
            .unwrap();
        assert_eq!(location(&r), "/cases/track/code");
        assert_eq!(messages_to(&app, "13900000001").await.len(), before);
        let audited: Vec<String> = sqlx::query_scalar(
            "SELECT detail FROM audit_log WHERE action = 'case_code_sent' AND subject = $1 ORDER BY id",
        )
        .bind(format!("phone:{}", app.vault.lookup_hash(phone)))
        .fetch_all(&app.db.pool)
        .await
        .unwrap();
        assert_eq!(audited, ["filing", "tracking"], "{backend:?}: every code sent is audited; the unsent one is not");

        // An unknown item goes to the finance bureau's triage queue.
        age_codes(&app).await;
        let other = app.file_case("unsure", &p.township, "13912345679", true).await;
        let finance: i64 = sqlx::query_scalar("SELECT c.department_id FROM cases c JOIN departments d ON d.id = c.department_id WHERE c.tracking_no = $1 AND d.is_finance = 1")
            .bind(&other)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        assert!(finance > 0);
        let (status, _) = app.get_text(&format!("/case/{other}")).await;
        assert_eq!(status, 404, "a case filed anonymous-to-the-public has no public page");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_form_comes_back_with_the_reason_and_everything_typed() {
    let app = spawn_app(crate::helpers::Backend::Sqlite).await;
    let p = place(&app, 0).await;
    let r = start(
        &app,
        &[
            ("kind", "inquiry"),
            ("item", &p.item),
            ("place", &p.township),
            ("description", "太短"),
            ("name", "李大山"),
            ("phone", "13912340000"),
        ],
        None,
    )
    .await;
    assert_eq!(location(&r), "/cases/new?e=short");
    let form = set_cookie(&r, "case_form").unwrap();
    let html = app
        .client
        .get(app.url("/cases/new?e=short"))
        .header("cookie", &form)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("至少10个字") && html.contains("李大山") && html.contains("13912340000") && html.contains("太短")
    );

    let r = start(
        &app,
        &[
            ("kind", "inquiry"),
            ("place", "999999"),
            ("description", DESCRIPTION),
            ("name", "李大山"),
            ("phone", "13912340000"),
        ],
        Some(&form),
    )
    .await;
    assert_eq!(location(&r), "/cases/new?e=township", "an unknown township is refused before any SMS");
    let r = start(
        &app,
        &[
            ("kind", "inquiry"),
            ("place", &p.township),
            ("description", DESCRIPTION),
            ("name", "李大山"),
            ("phone", "123"),
        ],
        Some(&form),
    )
    .await;
    assert_eq!(location(&r), "/cases/new?e=phone");
    let r = start(
        &app,
        &[
            ("kind", "rumour"),
            ("place", &p.township),
            ("description", DESCRIPTION),
            ("name", "李大山"),
            ("phone", "13912340000"),
        ],
        Some(&form),
    )
    .await;
    assert_eq!(location(&r), "/cases/new?e=kind");
    let r = app.client.post(app.url("/cases/start")).form(&[("x", "y")]).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303, "missing fields are a message, not a crash");
    assert!(messages_to(&app, "13912340000").await.is_empty(), "no code for a form that is not right");
    let cases: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cases WHERE filer_name = '李大山'")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(cases, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_filer_may_reopen_an_answer_once_and_statistics_count_it() {
    let app = spawn_app(crate::helpers::Backend::Sqlite).await;
    let p = place(&app, 0).await;
    let phone = "13912345600";
    let no = app.file_case(&p.item, &p.township, phone, false).await;
    let id = case_id(&app, &no).await;
    let who = app.staff(&department_code(&app, p.department_id).await).await;
    let r = who.act(id, &[("action", "reply"), ("note", "已核实，本月10日补发。")]).await;
    assert_eq!(location(&r), format!("/staff/cases/{id}?done=reply"));
    assert!(messages_to(&app, phone).await[0].contains("已答复"), "the filer is told by SMS");

    let session = app.track_case(&no, phone).await;
    let mine =
        app.client.get(app.url("/cases/mine")).header("cookie", &session).send().await.unwrap().text().await.unwrap();
    assert!(mine.contains("本月10日补发"));
    assert!(mine.contains("/cases/reopen"), "an answer can be called unsatisfactory");

    let r = app
        .client
        .post(app.url("/cases/reopen"))
        .header("cookie", &session)
        .form(&[("note", "钱还是没收到")])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), "/cases/mine?done=reopened");
    let row = sqlx::query("SELECT status, reopened, answered_on FROM cases WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!((row.get::<String, _>("status"), row.get::<i64, _>("reopened")), ("open".to_string(), 1));
    assert!(row.get::<Option<String>, _>("answered_on").is_none());
    let r = app
        .client
        .post(app.url("/cases/reopen"))
        .header("cookie", &session)
        .form(&[("note", "再次")])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), "/cases/mine?e=reopen", "only once, and only after an answer");

    let (_, stats) = app.get_text("/cases/stats").await;
    let reopened_here: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cases WHERE department_id = $1 AND reopened = 1")
        .bind(p.department_id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    let row =
        stats.split("<tr>").find(|r| r.contains(&format!(">{}</th>", p.department))).expect("the department's row");
    let reopened_cell = row
        .split("data-label=\"重新办理\"")
        .nth(1)
        .and_then(|c| c.split_once('>'))
        .map(|(_, rest)| rest.split('<').next().unwrap_or_default());
    assert_eq!(reopened_cell, Some(reopened_here.to_string().as_str()), "reopened column: {row}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn not_received_on_a_paid_line_becomes_a_complaint_with_the_department() {
    let app = spawn_app(crate::helpers::Backend::Sqlite).await;
    let me = crate::check::someone(&app).await;
    let session = app.citizen(&me.id, &me.phone).await;
    let paid = sqlx::query("SELECT p.id, i.department_id FROM payments p JOIN subsidy_items i ON i.id = p.item_id WHERE p.beneficiary_id = $1 AND p.status = 'paid' ORDER BY p.id LIMIT 1")
        .bind(me.beneficiary)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    let payment: i64 = paid.get("id");
    let page = app
        .client
        .get(app.url("/check/payments"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(&format!("/cases/new?payment={payment}")), "对此有疑问 on each line");

    for _ in 0..2 {
        let r = app
            .client
            .post(app.url("/check/confirm"))
            .header("cookie", &session)
            .form(&[("payment", payment.to_string().as_str()), ("received", "no")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 303);
    }
    let cases = sqlx::query("SELECT tracking_no, department_id, kind, anonymous FROM cases WHERE payment_id = $1 AND origin = 'not_received'")
        .bind(payment)
        .fetch_all(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(cases.len(), 1, "one complaint per line, however often it is said");
    assert_eq!(cases[0].get::<i64, _>("department_id"), paid.get::<i64, _>("department_id"));
    assert_eq!((cases[0].get::<String, _>("kind"), cases[0].get::<i64, _>("anonymous")), ("complaint".to_string(), 1));
    let no: String = cases[0].get("tracking_no");
    let page = app
        .client
        .get(app.url("/check/payments"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(&no), "the line shows the complaint's number");

    // 对此有疑问: the form comes pre-filled and files without another code.
    let form = app
        .client
        .get(app.url(&format!("/cases/new?payment={payment}")))
        .header("cookie", &session)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(form.contains("已验证的手机"), "the verified phone is used");
    let r = app
        .client
        .post(app.url("/cases/start"))
        .header("cookie", &session)
        .form(&[
            ("kind", "inquiry"),
            ("item", ""),
            ("place", ""),
            ("description", DESCRIPTION),
            ("name", "本人"),
            ("payment", &payment.to_string()),
        ])
        .send()
        .await
        .unwrap();
    assert!(location(&r).starts_with("/cases/new?e=township"), "the form still needs its place: {}", location(&r));
    let item_code: String =
        sqlx::query_scalar("SELECT i.code FROM payments p JOIN subsidy_items i ON i.id = p.item_id WHERE p.id = $1")
            .bind(payment)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    let township: String = sqlx::query_scalar("SELECT t.code FROM beneficiaries b JOIN regions v ON v.id = b.village_id JOIN regions t ON t.id = v.parent_id WHERE b.id = $1")
        .bind(me.beneficiary)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    let r = app
        .client
        .post(app.url("/cases/start"))
        .header("cookie", &session)
        .form(&[
            ("kind", "inquiry"),
            ("item", &item_code),
            ("place", &township),
            ("description", DESCRIPTION),
            ("name", "本人"),
            ("payment", &payment.to_string()),
        ])
        .send()
        .await
        .unwrap();
    assert!(location(&r).starts_with("/cases/filed?no="), "{}", location(&r));
}

pub async fn department_code(app: &TestApp, id: i64) -> String {
    sqlx::query_scalar("SELECT code FROM departments WHERE id = $1").bind(id).fetch_one(&app.db.pool).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_filings_or_trackings_at_once_send_one_code_to_a_phone() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let p = place(&app, 0).await;
        let phone = "13912340050";
        let where_ = format!("{}/{}", p.township, p.village);
        let form = |n: usize| {
            [
                ("kind", "inquiry"),
                ("item", p.item.as_str()),
                ("place", where_.as_str()),
                ("description", DESCRIPTION),
                ("name", "王秀英"),
                ("phone", phone),
            ]
            .iter()
            .map(|(k, v)| {
                (
                    k.to_string(),
                    if *k == "name" {
                        format!("{v}{}", "甲乙丙丁戊".chars().nth(n % 5).unwrap())
                    } else {
                        v.to_string()
                    },
                )
            })
            .collect::<Vec<(String, String)>>()
        };
        let answers = post_all_at_once(&app, "/cases/start", (0..50).map(form).collect()).await;
        let codes = messages_to(&app, phone).await.iter().filter(|m| m.contains("验证码")).count();
        assert_eq!(codes, 1, "{backend:?}: one code a minute to a phone, whatever arrives at once: {answers:?}");
        assert_eq!(answers.iter().filter(|a| a.1 == "/cases/code").count(), 1, "{backend:?}");
        assert!(answers.iter().all(|a| a.0 == 303 || a.0 == 429), "{answers:?}");

        // Tracking a real case: fifty at once, one code.
        age_codes(&app).await;
        let no = app.file_case(&p.item, &where_, "13912340051", false).await;
        age_codes(&app).await;
        let forms = (0..50)
            .map(|_| vec![("no".to_string(), no.clone()), ("phone".to_string(), "13912340051".to_string())])
            .collect();
        let answers = post_all_at_once(&app, "/cases/track/start", forms).await;
        let codes = messages_to(&app, "13912340051").await.iter().filter(|m| m.contains("验证码")).count();
        assert_eq!(codes, 2, "{backend:?}: the filing's code and one tracking code: {answers:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_files_only_for_the_phone_it_was_sent_to() {
    let app = spawn_app(crate::helpers::Backend::Sqlite).await;
    let p = place(&app, 0).await;
    let fields = |phone: &'static str| {
        vec![
            ("kind", "inquiry"),
            ("place", p.township.as_str()),
            ("description", DESCRIPTION),
            ("name", "李四"),
            ("phone", phone),
        ]
    };
    let r = start(&app, &fields("13912340001"), None).await;
    let form = set_cookie(&r, "case_form").unwrap();
    let code = code_sent_to(&app, "13912340001").await.unwrap();
    // Another phone that just had a code (for a form of its own): this form is kept with the
    // second phone, but no new code goes out.
    assert_eq!(location(&start(&app, &fields("13912340002"), None).await), "/cases/code");
    let r = start(&app, &fields("13912340002"), Some(&form)).await;
    assert_eq!(r.status().as_u16(), 429);
    let r = app
        .client
        .post(app.url("/cases/verify"))
        .header("cookie", &form)
        .form(&[("code", code.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), "/cases/new?e=expired", "the first phone's code cannot file for the second");
    let filed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cases WHERE filer_name = '李四'")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(filed, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_deadline_stops_while_the_filer_is_asked_for_more() {
    let app = spawn_app(crate::helpers::Backend::Sqlite).await;
    let p = place(&app, 0).await;
    let phone = "13912345700";
    let no = app.file_case(&p.item, &p.township, phone, false).await;
    let id = case_id(&app, &no).await;
    let who = app.staff(&department_code(&app, p.department_id).await).await;
    let r = who.act(id, &[("action", "request_info"), ("note", "请提供社保卡开户行")]).await;
    assert_eq!(location(&r), format!("/staff/cases/{id}?done=request_info"));
    assert!(messages_to(&app, phone).await[0].contains("补充"), "the filer is asked by SMS");
    // Asked 10 days ago: the deadline moves on by the working days spent waiting.
    sqlx::query("UPDATE case_events SET at = '2026-11-02T02:00:00Z' WHERE case_id = $1 AND kind = 'info_requested'")
        .bind(id)
        .execute(&app.db.pool)
        .await
        .unwrap();
    let before: String = sqlx::query_scalar("SELECT deadline_on FROM cases WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    let overdue_while_waiting: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cases WHERE id = $1 AND escalated = 1")
        .bind(id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(overdue_while_waiting, 0);

    let session = app.track_case(&no, phone).await;
    let mine =
        app.client.get(app.url("/cases/mine")).header("cookie", &session).send().await.unwrap().text().await.unwrap();
    assert!(mine.contains("/cases/supplement"));
    let r = app
        .client
        .post(app.url("/cases/supplement"))
        .header("cookie", &session)
        .form(&[("note", "开户行是青岚农村商业银行")])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), "/cases/mine?done=supplemented");
    let row = sqlx::query("SELECT status, deadline_on, description FROM cases WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(row.get::<String, _>("status"), "accepted");
    assert!(row.get::<String, _>("description").contains("开户行是青岚农村商业银行"));
    let calendar = app::ssr::cases::calendar(&mut app.db.pool.acquire().await.unwrap(), 1).await.unwrap();
    let d = |s: &str| parse_days(s).unwrap();
    let waited = calendar.working_days_between(d("2026-11-02"), d(&app::ssr::clock::local_today()));
    assert!(waited > 0);
    assert_eq!(calendar.working_days_between(d(&before), d(&row.get::<String, _>("deadline_on"))), waited);
}

/// The next case's public record cannot be found by counting on from one's own number; numbers
/// given before the random part was added still open their record and tracking.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tracking_numbers_cannot_be_walked_and_old_ones_still_work() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let p = place(&app, 0).await;
        let where_ = format!("{}/{}", p.township, p.village);
        let first = app.file_case(&p.item, &where_, "13912340061", false).await;
        age_codes(&app).await;
        let second = app.file_case(&p.item, &where_, "13912340062", false).await;
        let parts: Vec<&str> = second.split('-').collect();
        assert_eq!(parts.len(), 3, "{second}: date, sequence and the random part");
        assert!(
            parts[2].len() == 6 && parts[2].bytes().all(|b| b.is_ascii_digit()),
            "{second}: six digits for a phone's number pad"
        );
        assert!(messages_to(&app, "13912340062").await.iter().any(|m| m.contains(&second)), "the whole number by SMS");
        assert_eq!(app.get_text(&format!("/case/{second}")).await.0, 200);
        let counted_on = format!("{}-{}", parts[0], parts[1]);
        assert_eq!(
            app.get_text(&format!("/case/{counted_on}")).await.0,
            404,
            "{backend:?}: date and sequence alone open nothing"
        );
        let wrong_key = format!("{counted_on}-{:06}", (parts[2].parse::<u32>().unwrap() + 1) % 1_000_000);
        assert_eq!(app.get_text(&format!("/case/{wrong_key}")).await.0, 404);
        assert_ne!(first, second);

        // A number from before: still its record, still tracked by its filer.
        let old = counted_on.clone();
        sqlx::query("UPDATE cases SET tracking_no = $1 WHERE tracking_no = $2")
            .bind(&old)
            .bind(&second)
            .execute(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(app.get_text(&format!("/case/{old}")).await.0, 200, "{backend:?}");
        let session = app.track_case(&old.replace('-', ""), "13912340062").await;
        let mine = app
            .client
            .get(app.url("/cases/mine"))
            .header("cookie", &session)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(mine.contains(&old));
    }
}

/// The kept form is named by a token the server made: a token the visitor brings names nothing,
/// and once a code is sent the form lives as long as the code.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_kept_form_is_named_by_the_servers_token_and_lives_as_long_as_its_code() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let p = place(&app, 0).await;
        let where_ = format!("{}/{}", p.township, p.village);
        let planted = format!("case_form={}", "ab".repeat(32));
        let fields = [
            ("kind", "inquiry"),
            ("item", p.item.as_str()),
            ("place", where_.as_str()),
            ("description", "太短"),
            ("name", "王秀英"),
            ("phone", "13912340071"),
        ];
        let r = start(&app, &fields, Some(&planted)).await;
        assert!(location(&r).starts_with("/cases/new?e="), "a bad form comes back");
        let kept = set_cookie(&r, "case_form").unwrap();
        assert_ne!(kept, planted, "the server names the form, not the visitor");
        // The server's own token is kept across corrections.
        let fields = [
            ("kind", "inquiry"),
            ("item", p.item.as_str()),
            ("place", where_.as_str()),
            ("description", DESCRIPTION),
            ("name", "王秀英"),
            ("phone", "13912340071"),
        ];
        let r = start(&app, &fields, Some(&kept)).await;
        assert_eq!(location(&r), "/cases/code");
        assert_eq!(set_cookie(&r, "case_form").unwrap(), kept);
        let max_age = r
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("case_form="))
            .unwrap()
            .to_string();
        assert!(max_age.contains(&format!("Max-Age={}", app::ssr::code::CODE_TTL_SECS)), "{max_age}");
        let expires: String =
            sqlx::query_scalar("SELECT expires_at FROM case_drafts").fetch_one(&app.db.pool).await.unwrap();
        assert!(
            expires <= app::ssr::clock::from_now(app::ssr::code::CODE_TTL_SECS + 5),
            "{backend:?} {expires}: as long as the code"
        );
    }
}
