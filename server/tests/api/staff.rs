//! The department side over real HTTP: sign-in and lockout, CSRF and cross-site posts, what each
//! role sees and may do, transfers and their public record, extension, escalation of overdue
//! cases, and the holiday calendar.

use crate::cases::{case_id, department_code, place};
use crate::helpers::{location, set_cookie, spawn_app, Backend, TestApp};
use sqlx::Row;

use server::demo::office::DEMO_PASSWORD as PASSWORD;

pub async fn act(app: &TestApp, cookie: &str, csrf: &str, id: i64, fields: &[(&str, &str)]) -> reqwest::Response {
    let mut form: Vec<(&str, &str)> = vec![("csrf", csrf)];
    form.extend_from_slice(fields);
    app.client.post(app.url(&format!("/staff/cases/{id}"))).header("cookie", cookie).form(&form).send().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_locks_after_five_wrong_passwords_and_forms_need_their_token() {
    let app = spawn_app(Backend::Sqlite).await;
    let (status, html) = app.get_text("/staff").await;
    assert_eq!(status, 401);
    assert!(html.contains("/staff/login"));
    for _ in 0..4 {
        let r = app
            .client
            .post(app.url("/staff/login"))
            .form(&[("username", "civil_affairs"), ("password", "guess")])
            .send()
            .await
            .unwrap();
        assert_eq!(location(&r), "/staff/login?e=wrong");
    }
    let r = app
        .client
        .post(app.url("/staff/login"))
        .form(&[("username", "civil_affairs"), ("password", "guess")])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), "/staff/login?e=wrong", "the same words when locked: usernames cannot be probed");
    let locked: Option<String> =
        sqlx::query_scalar("SELECT locked_until FROM staff_users WHERE username = 'civil_affairs'")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert!(locked.is_some_and(|u| u > app::ssr::clock::now()), "locked after five wrong passwords");
    let r = app
        .client
        .post(app.url("/staff/login"))
        .form(&[("username", "civil_affairs"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), "/staff/login?e=wrong", "locked even with the right password");
    assert!(set_cookie(&r, "staff_session").is_none());
    let r = app
        .client
        .post(app.url("/staff/login"))
        .form(&[("username", "nobody"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), "/staff/login?e=wrong");
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM staff_users WHERE username = 'civil_affairs'")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert!(hash.starts_with("$argon2id$"));

    // Another site cannot post, not even the login form.
    let r = app
        .client
        .post(app.url("/staff/login"))
        .header("origin", "http://evil.example")
        .form(&[("username", "health"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);

    let p = place(&app, 0).await;
    let id = case_id(&app, &app.file_case(&p.item, &p.township, "13912345603", false).await).await;
    let who = app.staff(&department_code(&app, p.department_id).await).await;
    let r = act(&app, &who.cookie, "", id, &[("action", "accept")]).await;
    assert_eq!(r.status().as_u16(), 403, "no token, no action");
    let r = act(&app, &who.cookie, &"0".repeat(32), id, &[("action", "accept")]).await;
    assert_eq!(r.status().as_u16(), 403, "a wrong token, no action");
    let r = who.act(id, &[("action", "accept")]).await;
    assert_eq!(location(&r), format!("/staff/cases/{id}?done=accept"));
    let status: String =
        sqlx::query_scalar("SELECT status FROM cases WHERE id = $1").bind(id).fetch_one(&app.db.pool).await.unwrap();
    assert_eq!(status, "accepted");
    let r = app
        .client
        .post(app.url("/staff/logout"))
        .header("cookie", &who.cookie)
        .form(&[("csrf", who.csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), "/staff/login?e=signed_out");
    assert_eq!(who.get("/staff").await.0, 401, "the session is gone");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_department_sees_only_its_cases_and_a_transfer_is_public() {
    for backend in crate::helpers::backends() {
        let app = spawn_app(backend).await;
        let p = place(&app, 0).await;
        let own = department_code(&app, p.department_id).await;
        let who = app.staff(&own).await;
        let (status, inbox) = who.get("/staff").await;
        assert_eq!(status, 200);
        let listed = inbox.matches("href=\"/staff/cases/").count() as i64;
        let mine: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cases WHERE department_id = $1")
            .bind(p.department_id)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(listed, mine.min(300), "{backend:?}: exactly the department's cases");
        let others: Vec<i64> = sqlx::query_scalar("SELECT id FROM cases WHERE department_id <> $1 ORDER BY id LIMIT 3")
            .bind(p.department_id)
            .fetch_all(&app.db.pool)
            .await
            .unwrap();
        for other in &others {
            assert_eq!(
                who.get(&format!("/staff/cases/{other}")).await.0,
                404,
                "another department's case does not exist for them"
            );
            let r = who.act(*other, &[("action", "reply"), ("note", "越权答复")]).await;
            assert_eq!(r.status().as_u16(), 404);
        }
        let untouched: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM case_events WHERE note = '越权答复'")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(untouched, 0);

        // Transfer with a reason: recorded, public, and the case leaves the inbox.
        let no = app.file_case(&p.item, &p.township, "13912345601", false).await;
        let id = case_id(&app, &no).await;
        let (status, html) = who.get(&format!("/staff/cases/{id}")).await;
        assert_eq!(status, 200);
        assert!(
            html.contains(crate::cases::DESCRIPTION) && html.contains("*******5601"),
            "staff read the words and the phone's last digits"
        );
        let target = place(&app, 3).await;
        let target_id = if target.department_id == p.department_id {
            place(&app, 6).await.department_id
        } else {
            target.department_id
        };
        let r = who.act(id, &[("action", "transfer"), ("to_department", ""), ("note", "不属本部门")]).await;
        assert_eq!(location(&r), format!("/staff/cases/{id}?e=department"));
        let r = who
            .act(
                id,
                &[("action", "transfer"), ("to_department", &target_id.to_string()), ("note", "该事项由接收部门主管")],
            )
            .await;
        assert_eq!(location(&r), "/staff?done=transfer", "back to the inbox: the case is no longer theirs");
        let (_, public) = app.get_text(&format!("/case/{no}")).await;
        let target_name: String = sqlx::query_scalar("SELECT name FROM departments WHERE id = $1")
            .bind(target_id)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        assert!(
            public.contains("转办")
                && public.contains("该事项由接收部门主管")
                && public.contains(&format!("{} → {target_name}", p.department)),
            "{backend:?}"
        );
        assert_eq!(who.get(&format!("/staff/cases/{id}")).await.0, 404, "gone from the sender");

        // The receiver extends once (the deadline moves on by working days), then answers.
        let receiver = app.staff(&department_code(&app, target_id).await).await;
        let before: String = sqlx::query_scalar("SELECT deadline_on FROM cases WHERE id = $1")
            .bind(id)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        let r = receiver.act(id, &[("action", "extend"), ("note", "需逐户核实")]).await;
        assert_eq!(location(&r), format!("/staff/cases/{id}?done=extend"));
        let after: String = sqlx::query_scalar("SELECT deadline_on FROM cases WHERE id = $1")
            .bind(id)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        let calendar = app::ssr::cases::calendar(&mut app.db.pool.acquire().await.unwrap(), 1).await.unwrap();
        let d = |s: &str| app::domain::date::parse_days(s).unwrap();
        assert_eq!(calendar.working_days_between(d(&before), d(&after)), 15, "{before} → {after}");
        let r = receiver.act(id, &[("action", "extend"), ("note", "再延")]).await;
        assert_eq!(location(&r), format!("/staff/cases/{id}?e=extended"), "only once");
        let r = receiver.act(id, &[("action", "reply"), ("note", "")]).await;
        assert_eq!(location(&r), format!("/staff/cases/{id}?e=note"), "an answer needs words");
        let r = receiver.act(id, &[("action", "reply"), ("note", "已核实并补发。")]).await;
        assert_eq!(location(&r), format!("/staff/cases/{id}?done=reply"));
        let row = sqlx::query("SELECT status, answered_on_time FROM cases WHERE id = $1")
            .bind(id)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(
            (row.get::<String, _>("status"), row.get::<Option<i64>, _>("answered_on_time")),
            ("answered".to_string(), Some(1))
        );
        let r = receiver.act(id, &[("action", "close")]).await;
        assert_eq!(location(&r), format!("/staff/cases/{id}?done=close"));
        let transfers: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM case_events WHERE case_id = $1 AND kind = 'transferred' AND from_department_id = $2 AND to_department_id = $3")
            .bind(id)
            .bind(p.department_id)
            .bind(target_id)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(transfers, 1);
        let audited: Vec<String> = sqlx::query_scalar("SELECT action FROM audit_log WHERE subject = $1 ORDER BY id")
            .bind(format!("case:{id}"))
            .fetch_all(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(
            audited,
            ["case_filed", "case_transferred", "case_extended", "case_replied", "case_closed"],
            "{backend:?}: every action audited, the refused ones not"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finance_sees_escalations_supervisors_only_read_and_admins_keep_the_calendar() {
    let app = spawn_app(Backend::Sqlite).await;
    let p = place(&app, 0).await;
    let no = app.file_case(&p.item, &p.township, "13912345602", false).await;
    let id = case_id(&app, &no).await;

    // Past its deadline: the sweep escalates it once, and finance's overdue view lists it.
    sqlx::query("UPDATE cases SET deadline_on = '2026-01-05' WHERE id = $1")
        .bind(id)
        .execute(&app.db.pool)
        .await
        .unwrap();
    assert!(app::ssr::cases::escalate_overdue(&app.db).await.unwrap() >= 1);
    assert_eq!(app::ssr::cases::escalate_overdue(&app.db).await.unwrap(), 0, "once");
    let finance = app.staff("finance").await;
    let (_, overdue) = finance.get("/staff?overdue=1").await;
    assert!(overdue.contains(&no), "escalated to the finance bureau's view");
    let (_, public) = app.get_text(&format!("/case/{no}")).await;
    assert!(public.contains("已逾期") && public.contains("逾期，转财政局督办"));
    let department = app.staff(&department_code(&app, p.department_id).await).await;
    let (_, inbox) = department.get("/staff").await;
    assert!(inbox.contains("已超过答复期限"), "flagged to the department");

    // The supervisor reads everything and changes nothing.
    let supervisor = app.staff("supervisor").await;
    assert_eq!(supervisor.get(&format!("/staff/cases/{id}")).await.0, 200);
    let r = supervisor.act(id, &[("action", "reply"), ("note", "监督答复")]).await;
    assert_eq!(location(&r), format!("/staff/cases/{id}?e=not_allowed"));
    let status: String =
        sqlx::query_scalar("SELECT status FROM cases WHERE id = $1").bind(id).fetch_one(&app.db.pool).await.unwrap();
    assert_eq!(status, "open");

    // Only the admin edits the calendar; a new holiday moves deadlines filed after it.
    let r = department.post("/staff/holidays", &[("op", "add"), ("day", "2030-01-02"), ("kind", "holiday")]).await;
    assert_eq!(r.status().as_u16(), 403);
    assert!(r.text().await.unwrap().contains("只有系统管理员"), "refused for who they are, not for the form");
    let admin = app.staff("admin").await;
    let r = app
        .client
        .post(app.url("/staff/holidays"))
        .header("cookie", &admin.cookie)
        .form(&[("csrf", admin.csrf.as_str()), ("op", "add"), ("day", "not a day"), ("kind", "holiday")])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), "/staff/holidays?e=day");
    let r = app
        .client
        .post(app.url("/staff/holidays"))
        .header("cookie", &admin.cookie)
        .form(&[
            ("csrf", admin.csrf.as_str()),
            ("op", "add"),
            ("day", "2030-01-02"),
            ("kind", "holiday"),
            ("name", "测试假日"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), "/staff/holidays?done=1");
    let (_, holidays) = admin.get("/staff/holidays").await;
    assert!(holidays.contains("2030-01-02") && holidays.contains("测试假日"));
    let calendar = app::ssr::cases::calendar(&mut app.db.pool.acquire().await.unwrap(), 1).await.unwrap();
    let d = app::domain::date::parse_days("2030-01-01").unwrap();
    assert_eq!(
        app::domain::date::format_days(calendar.add_working_days(d, 1)),
        "2030-01-03",
        "2 January is now a day off"
    );
    let audit: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'holiday_set'")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(audit, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_manages_accounts_and_departments() {
    let app = spawn_app(Backend::Sqlite).await;
    let admin = app.staff("admin").await;
    assert_eq!(admin.get("/staff/admin").await.0, 200);
    let post = |path: &'static str, fields: Vec<(&'static str, String)>| {
        let mut form = vec![("csrf", admin.csrf.clone())];
        form.extend(fields);
        app.client.post(app.url(path)).header("cookie", &admin.cookie).form(&form).send()
    };
    let civil: i64 = sqlx::query_scalar("SELECT id FROM departments WHERE code = 'civil_affairs'")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    let create = |password: &str, department: &str| {
        vec![
            ("op", "create".to_string()),
            ("username", "minzheng2".to_string()),
            ("display_name", "民政局第二经办人".to_string()),
            ("role", "department".to_string()),
            ("department", department.to_string()),
            ("password", password.to_string()),
        ]
    };
    assert_eq!(
        location(&post("/staff/users", create("short", &civil.to_string())).await.unwrap()),
        "/staff/admin?e=password"
    );
    assert_eq!(
        location(&post("/staff/users", create("a-long-password", "")).await.unwrap()),
        "/staff/admin?e=role",
        "department staff need a department"
    );
    assert_eq!(
        location(&post("/staff/users", create("a-long-password", &civil.to_string())).await.unwrap()),
        "/staff/admin?done=1"
    );
    assert_eq!(
        location(&post("/staff/users", create("a-long-password", &civil.to_string())).await.unwrap()),
        "/staff/admin?e=username",
        "no duplicates"
    );

    let r = app
        .client
        .post(app.url("/staff/login"))
        .form(&[("username", "minzheng2"), ("password", "a-long-password")])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), "/staff");
    let session = set_cookie(&r, "staff_session").unwrap();
    assert_eq!(app.get_text_as("/staff/admin", &session).await.0, 400, "not an admin");

    // Switched off: the session ends and sign-in fails.
    let id: i64 = sqlx::query_scalar("SELECT id FROM staff_users WHERE username = 'minzheng2'")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(
        location(&post("/staff/users", vec![("op", "toggle".into()), ("id", id.to_string())]).await.unwrap()),
        "/staff/admin?done=1"
    );
    assert_eq!(app.get_text_as("/staff", &session).await.0, 401);
    let r = app
        .client
        .post(app.url("/staff/login"))
        .form(&[("username", "minzheng2"), ("password", "a-long-password")])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), "/staff/login?e=wrong");

    // A department's phone changes; a new department can be added.
    let r = post(
        "/staff/departments",
        vec![
            ("id", civil.to_string()),
            ("name", "县民政局".into()),
            ("phone", "0818-8629999".into()),
            ("address", "民政大楼".into()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(location(&r), "/staff/admin?done=1");
    let (_, policies) = app.get_text("/policies?department=civil_affairs").await;
    assert!(policies.contains("0818-8629999"), "the new phone is what the public sees");
    let r = post("/staff/departments", vec![("code", "Bad Code".into()), ("name", "x".into()), ("phone", "1".into())])
        .await
        .unwrap();
    assert_eq!(location(&r), "/staff/admin?e=code");
    let r = post(
        "/staff/departments",
        vec![("code", "veterans".into()), ("name", "县退役军人事务局".into()), ("phone", "0818-8622314".into())],
    )
    .await
    .unwrap();
    assert_eq!(location(&r), "/staff/admin?done=1");
    let audit: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action IN ('staff_user_created', 'staff_user_toggle', 'department_saved')").fetch_one(&app.db.pool).await.unwrap();
    assert_eq!(audit, 4);
}

/// Who may look at a roster file before it is written: the item's department and finance only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_items_department_and_finance_upload_and_preview_its_rosters() {
    for backend in crate::helpers::backends() {
        let app = spawn_app(backend).await;
        let ids = vec![app::domain::IdNumber::from_parts("510999", 1959, 4, 4, 404).unwrap().as_str().to_string()];
        let file = crate::flow::roster_file(&app, &ids).await;
        let other = crate::flow::roster_file_of(&app, 1, &[]).await;
        let fields = [("item", file.code.as_str()), ("period", "2026-12")];
        for who in ["supervisor", "admin", other.dept.as_str()] {
            let staffer = app.staff(who).await;
            let r = staffer.upload("/staff/rosters/upload", &fields, file.csv.clone().into_bytes()).await;
            assert_eq!(r.status().as_u16(), 403, "{backend:?}: {who} may not see who this item pays");
            assert!(r.text().await.unwrap().contains("主管部门"), "said in words");
        }
        assert_eq!(app.count("roster_uploads").await, 0, "{backend:?}: nothing of theirs was kept");
        for who in [file.dept.as_str(), "finance"] {
            let staffer = app.staff(who).await;
            let r = staffer.upload("/staff/rosters/upload", &fields, file.csv.clone().into_bytes()).await;
            let preview = location(&r);
            assert!(preview.starts_with("/staff/rosters/upload/"), "{backend:?}: {who}: {preview}");
            assert_eq!(staffer.get(&preview).await.0, 200);
            // Nobody else opens that preview, even with its address.
            let sup = app.staff("supervisor").await;
            assert_ne!(sup.get(&preview).await.0, 200, "{backend:?}");
        }
    }
}

/// An upload without a session is answered before its body has arrived: nobody's 20 MB is read
/// for a visitor who may not upload.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_without_a_session_is_refused_before_its_body_is_read() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = spawn_app(Backend::Sqlite).await;
    for cookie in ["", "cookie: staff_session=00000000000000000000000000000000\r\n"] {
        let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
        let head = format!(
            "POST /staff/rosters/upload HTTP/1.1\r\nhost: {}\r\ncontent-type: multipart/form-data; boundary=xyz\r\ncontent-length: 19000000\r\n{cookie}\r\n--xyz\r\n",
            app.addr
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        let mut answer = vec![0u8; 512];
        let n = tokio::time::timeout(std::time::Duration::from_secs(10), stream.read(&mut answer))
            .await
            .expect("answered while the body is still on its way")
            .unwrap();
        let answer = String::from_utf8_lossy(&answer[..n]).to_string();
        assert!(answer.starts_with("HTTP/1.1 303") && answer.contains("/staff/login"), "{answer}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_staff_session_ends_after_eight_hours_however_busy() {
    for backend in crate::helpers::backends() {
        let app = spawn_app(backend).await;
        let who = app.staff("health").await;
        assert_eq!(who.get("/staff").await.0, 200);
        // Seven hours of work: still signed in.
        sqlx::query("UPDATE sessions SET created_at = $1 WHERE kind = 'staff'")
            .bind(app::ssr::clock::from_now(-7 * 3600))
            .execute(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(who.get("/staff").await.0, 200);
        // Eight hours and a minute since signing in, active a moment ago: signed out.
        sqlx::query("UPDATE sessions SET created_at = $1 WHERE kind = 'staff'")
            .bind(app::ssr::clock::from_now(-8 * 3600 - 60))
            .execute(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(who.get("/staff").await.0, 401, "{backend:?}");
        assert_eq!(app.count("sessions").await, 0, "the session is gone");
    }
}

/// Sign-in costs the same whoever is named (an unknown or locked account runs the hash too, and
/// every refusal waits out the same floor), and one address cannot try without end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_takes_as_long_for_any_account_and_is_limited_per_address() {
    let app = spawn_app(Backend::Sqlite).await;
    let first_try = std::time::Instant::now();
    let try_login = |user: &'static str| {
        let (client, url) = (app.client.clone(), app.url("/staff/login"));
        async move {
            let started = std::time::Instant::now();
            let r =
                client.post(url).form(&[("username", user), ("password", "not-the-password")]).send().await.unwrap();
            assert_eq!(location(&r), "/staff/login?e=wrong", "{user}: the same answer");
            started.elapsed().as_secs_f64()
        }
    };
    for _ in 0..5 {
        try_login("education").await;
    }
    let locked: Option<String> =
        sqlx::query_scalar("SELECT locked_until FROM staff_users WHERE username = 'education'")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert!(locked.is_some(), "locked after five wrong passwords");
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (mut wrong, mut unknown, mut on_lock) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..3 {
        wrong.push(try_login("health").await);
        unknown.push(try_login("nobody-here").await);
        on_lock.push(try_login("education").await);
    }
    let (wrong, unknown, on_lock) = (median(wrong), median(unknown), median(on_lock));
    let floor = app::ssr::staff::REFUSAL_FLOOR_MS as f64 / 1000.0;
    assert!(
        [wrong, unknown, on_lock].iter().all(|t| *t >= floor) && unknown > wrong * 0.8 && on_lock > wrong * 0.8,
        "a wrong password {wrong:.3} s, unknown {unknown:.3} s, locked {on_lock:.3} s"
    );
    // 14 tries so far; the address may make 20 a minute, one more coming back every 3 s.
    let mut accepted = 0;
    loop {
        let r = app
            .client
            .post(app.url("/staff/login"))
            .form(&[("username", "nobody"), ("password", "x")])
            .send()
            .await
            .unwrap();
        match r.status().as_u16() {
            303 if accepted < 20 => accepted += 1,
            429 => break,
            other => panic!("after {accepted} more tries: {other}"),
        }
    }
    let came_back = (first_try.elapsed().as_secs_f64() / 3.0).ceil() as usize;
    assert!(
        (20..=20 + came_back).contains(&(14 + accepted)),
        "refused after {} tries in {:.1} s",
        14 + accepted,
        first_try.elapsed().as_secs_f64()
    );
    let r = app
        .client
        .post(app.url("/staff/login"))
        .form(&[("username", "health"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 429, "even the right password waits");
    assert!(r.text().await.unwrap().contains("登录尝试过于频繁"));
}

/// Staff are told, where they type it, that a reply, a transfer or extension reason and a
/// request for more will be public on the case's record (not for a case filed as not public).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_are_warned_where_their_words_will_be_public() {
    let app = spawn_app(Backend::Sqlite).await;
    let p = place(&app, 0).await;
    let public = case_id(&app, &app.file_case(&p.item, &p.township, "13912345681", false).await).await;
    crate::helpers::age_codes(&app).await;
    let private = case_id(&app, &app.file_case(&p.item, &p.township, "13912345682", true).await).await;
    let who = app.staff(&department_code(&app, p.department_id).await).await;
    let (_, html) = who.get(&format!("/staff/cases/{public}")).await;
    assert_eq!(html.matches("以下内容将公开").count(), 4, "reply, request for more, transfer and extension");
    assert!(html.contains("aria-describedby=\"public-reply\""), "read out with the field");
    let (_, html) = who.get(&format!("/staff/cases/{private}")).await;
    assert!(!html.contains("以下内容将公开"), "a case filed as not public has no public record");
}
