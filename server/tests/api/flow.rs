//! A roster through the whole flow over real HTTP, as department and finance staff do it: upload
//! and preview, import, publicity (public at once), department review, finance review (and a
//! return), the bank's file, the bank's feedback (payout publicity and SMS), and the reissue.

use crate::helpers::{location, messages_to, spawn_app, TestApp};
use crate::staff::{login, page};
use app::domain::IdNumber;
use sqlx::Row;

pub(crate) struct Staffer {
    pub cookie: String,
    pub csrf: String,
}

pub(crate) async fn as_staff(app: &TestApp, user: &str) -> Staffer {
    let (cookie, csrf) = login(app, user).await;
    Staffer { cookie, csrf }
}

pub(crate) async fn step(app: &TestApp, who: &Staffer, roster: i64, step: &str, note: &str) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/staff/rosters/{roster}/step")))
        .header("cookie", &who.cookie)
        .form(&[("csrf", who.csrf.as_str()), ("step", step), ("note", note)])
        .send()
        .await
        .unwrap()
}

pub(crate) async fn upload(app: &TestApp, who: &Staffer, path: &str, fields: &[(&str, &str)], file: Vec<u8>) -> reqwest::Response {
    let mut form = reqwest::multipart::Form::new().text("csrf", who.csrf.clone());
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    form = form.part("file", reqwest::multipart::Part::bytes(file).file_name("清册.csv"));
    app.client.post(app.url(path)).header("cookie", &who.cookie).multipart(form).send().await.unwrap()
}

/// A clean roster file for the first monthly item with a standard amount, paying `ids` in the
/// first village, and what the test needs to follow it.
pub(crate) struct RosterFile {
    pub code: String,
    pub dept: String,
    pub tc: String,
    pub vc: String,
    pub amount: String,
    pub csv: String,
}

pub(crate) async fn roster_file(app: &TestApp, ids: &[String]) -> RosterFile {
    let item = sqlx::query(
        "SELECT i.code, i.standard_fen, d.code AS dept FROM subsidy_items i JOIN departments d ON d.id = i.department_id \
         WHERE i.year = 2026 AND i.frequency = 'monthly' AND i.standard_fen IS NOT NULL ORDER BY i.id LIMIT 1",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    let place = sqlx::query("SELECT t.name AS t, v.name AS v, t.code AS tc, v.code AS vc FROM regions v JOIN regions t ON t.id = v.parent_id WHERE v.level = 'village' ORDER BY v.id LIMIT 1")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    let bank: String = sqlx::query_scalar("SELECT name FROM banks ORDER BY id LIMIT 1").fetch_one(&app.db.pool).await.unwrap();
    let amount = format!("{}", item.get::<i64, _>("standard_fen") as f64 / 100.0);
    let (t, v): (String, String) = (place.get("t"), place.get("v"));
    let mut csv = String::from("姓名,身份证号,民族,手机号,镇街,村(社区),开户行,银行卡号,补贴额,预计发放时间\n");
    for (n, id) in ids.iter().enumerate() {
        csv.push_str(&format!("测试{n},{id},汉族,1390000100{n},{t},{v},{bank},621700000000100{n},{amount},2026-12\n"));
    }
    RosterFile { code: item.get("code"), dept: item.get("dept"), tc: place.get("tc"), vc: place.get("vc"), amount, csv }
}

/// Uploads a clean file and imports it; returns the new roster's id.
pub(crate) async fn import(app: &TestApp, who: &Staffer, file: &RosterFile) -> i64 {
    let r = upload(app, who, "/staff/rosters/upload", &[("item", &file.code), ("period", "2026-12")], file.csv.clone().into_bytes()).await;
    let preview = location(&r);
    assert!(preview.starts_with("/staff/rosters/upload/"), "{preview}");
    let token = preview.rsplit('/').next().unwrap().to_string();
    let r = app.client.post(app.url("/staff/rosters/import")).header("cookie", &who.cookie).form(&[("csrf", who.csrf.as_str()), ("token", token.as_str())]).send().await.unwrap();
    let to = location(&r);
    assert!(to.ends_with("?done=imported"), "{to}");
    to.trim_start_matches("/staff/rosters/").trim_end_matches("?done=imported").parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_roster_goes_from_upload_to_payout_publicity_and_reissue() {
    for backend in crate::helpers::backends() {
        let app = spawn_app(backend).await;
        let ids: Vec<String> = (1..=3).map(|n| IdNumber::from_parts("510999", 1960, 5, n, 930 + n).unwrap().as_str().to_string()).collect();
        let file = roster_file(&app, &ids).await;
        let (code, dept, amount) = (file.code.clone(), file.dept.clone(), file.amount.clone());
        let bad_row = file.csv.lines().nth(1).unwrap().replacen("测试0", "坏行", 1).replacen(&ids[0], "123", 1).replacen("13900001000", "13900001009", 1).replacen("6217000000001000", "6217000000001009", 1);
        let csv = format!("{}{bad_row}\n", file.csv);

        let dep = as_staff(&app, &dept).await;
        let (status, form) = page(&app, &dep.cookie, "/staff/rosters/new").await;
        assert_eq!(status, 200);
        assert!(form.contains(&code), "the department's items are offered");
        let r = upload(&app, &dep, "/staff/rosters/upload", &[("item", &code), ("period", "2026-12")], csv.clone().into_bytes()).await;
        let preview = location(&r);
        assert!(preview.starts_with("/staff/rosters/upload/"), "{backend:?} {preview}");
        let (_, html) = page(&app, &dep.cookie, &preview).await;
        assert!(html.contains("第") || html.contains("问题"), "{html}");
        assert!(html.contains("身份证号") && html.contains("排除有问题的行，导入其余 3 行"), "every problem shown before writing");
        let token = preview.rsplit('/').next().unwrap().to_string();
        let before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM rosters").fetch_one(&app.db.pool).await.unwrap();
        let r = app.client.post(app.url("/staff/rosters/import")).header("cookie", &dep.cookie).form(&[("csrf", dep.csrf.as_str()), ("token", token.as_str())]).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 400, "not clean and not told to exclude: nothing written");
        assert_eq!(sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM rosters").fetch_one(&app.db.pool).await.unwrap(), before);
        let r = app
            .client
            .post(app.url("/staff/rosters/import"))
            .header("cookie", &dep.cookie)
            .form(&[("csrf", dep.csrf.as_str()), ("token", token.as_str()), ("exclude_bad", "1")])
            .send()
            .await
            .unwrap();
        let to = location(&r);
        assert!(to.ends_with("?done=imported"), "{to}");
        let roster: i64 = to.trim_start_matches("/staff/rosters/").trim_end_matches("?done=imported").parse().unwrap();

        // Publicity: the lines are public at once, masked.
        let r = step(&app, &dep, roster, "publicise", "").await;
        assert_eq!(location(&r), format!("/staff/rosters/{roster}?done=publicise"));
        let (tc, vc) = (file.tc.clone(), file.vc.clone());
        let (_, public) = app.get_text(&format!("/publicity/{tc}/{vc}/{roster}")).await;
        assert!(public.contains("测*") && !public.contains(&ids[0]), "{backend:?}: masked lines on the public page");
        let r = step(&app, &dep, roster, "approve", "").await;
        assert_eq!(r.status().as_u16(), 400, "not before the objection period is over");
        sqlx::query("UPDATE rosters SET publicity_end = '2026-01-01' WHERE id = $1").bind(roster).execute(&app.db.pool).await.unwrap();
        assert!(location(&step(&app, &dep, roster, "approve", "").await).ends_with("done=approve"));

        // Finance returns it once, the department approves again, finance passes it and sends it.
        let fin = as_staff(&app, "finance").await;
        assert_eq!(step(&app, &fin, roster, "return", "").await.status().as_u16(), 400, "a return needs a reason");
        assert!(location(&step(&app, &fin, roster, "return", "请补充村委会公示照片").await).ends_with("done=return"));
        assert!(location(&step(&app, &dep, roster, "approve", "").await).ends_with("done=approve"));
        assert_eq!(step(&app, &dep, roster, "finance_review", "").await.status().as_u16(), 400, "only finance reviews");
        assert!(location(&step(&app, &fin, roster, "finance_review", "").await).ends_with("done=finance_review"));
        assert!(location(&step(&app, &fin, roster, "send_to_bank", "").await).ends_with("done=send_to_bank"));

        // The bank's file: staff only.
        let file = app.client.get(app.url(&format!("/staff/rosters/{roster}/bank.csv"))).header("cookie", &fin.cookie).send().await.unwrap();
        assert_eq!(file.status().as_u16(), 200);
        let text = file.text().await.unwrap();
        assert!(text.contains(&ids[0]) && text.contains("6217000000001000"), "the bank needs the account to pay into");
        assert_ne!(app.client.get(app.url(&format!("/staff/rosters/{roster}/bank.csv"))).send().await.unwrap().status().as_u16(), 200);

        // Feedback with a problem: nothing applied, every problem listed.
        let bad = format!("身份证号,结果,失败原因,到账日期\n{},成功,,2026-12-05\n{},也许,,\n", ids[0], ids[1]);
        let r = upload(&app, &fin, &format!("/staff/rosters/{roster}/feedback"), &[], bad.into_bytes()).await;
        assert_eq!(r.status().as_u16(), 400);
        let body = r.text().await.unwrap();
        assert!(body.contains("第3行") && body.contains("结果"), "{body}");
        let paid: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM payments WHERE roster_id = $1 AND status = 'paid'").bind(roster).fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(paid, 0);

        let good = format!(
            "身份证号,结果,失败原因,到账日期\n{},成功,,2026-12-05\n{},成功,,2026/12/05\n{},失败,社保卡金融功能未激活,\n",
            ids[0], ids[1], ids[2]
        );
        let r = upload(&app, &dep, &format!("/staff/rosters/{roster}/feedback"), &[], good.into_bytes()).await;
        let to = location(&r);
        assert!(to.contains("done=feedback&paid=2&failed=1"), "{backend:?} {to}");
        let row = sqlx::query("SELECT status, paid_on, payout_publicised_on FROM rosters WHERE id = $1").bind(roster).fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(row.get::<String, _>("status"), "payout_publicised");
        assert_eq!(row.get::<Option<String>, _>("paid_on").as_deref(), Some("2026-12-05"));
        let failed: String = sqlx::query_scalar("SELECT p.failure_reason FROM payments p WHERE p.roster_id = $1 AND p.status = 'failed'").bind(roster).fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(failed, "card_not_activated");
        let sms = messages_to(&app, "13900001000").await;
        assert!(sms.iter().any(|m| m.contains("已到账") && m.contains(&amount.trim_end_matches(".0").to_string())), "{sms:?}");
        assert!(messages_to(&app, "13900001002").await.iter().any(|m| m.contains("未能到账")));
        let (_, public) = app.get_text(&format!("/publicity/{tc}/{vc}/{roster}")).await;
        assert!(public.contains("已发放") && public.contains("发放失败"), "payout publicity is public");

        // The failed line is reissued in a new draft roster linked to it.
        let r = step(&app, &dep, roster, "reissue", "").await;
        let to = location(&r);
        let reissue: i64 = to.trim_start_matches("/staff/rosters/").split('?').next().unwrap().parse().unwrap();
        assert_ne!(reissue, roster);
        let linked: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM payments p JOIN payments o ON o.id = p.reissue_of_id WHERE p.roster_id = $1 AND o.roster_id = $2")
            .bind(reissue)
            .bind(roster)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(linked, 1);
        assert_eq!(step(&app, &dep, roster, "reissue", "").await.status().as_u16(), 400, "once");
        // The failed line gets the new card before it is paid again.
        let line: i64 = sqlx::query_scalar("SELECT id FROM payments WHERE roster_id = $1").bind(reissue).fetch_one(&app.db.pool).await.unwrap();
        let correct = |account: &'static str| {
            let line = line.to_string();
            let (cookie, csrf) = (dep.cookie.clone(), dep.csrf.clone());
            let url = app.url(&format!("/staff/rosters/{reissue}/correct"));
            let client = app.client.clone();
            async move { client.post(url).header("cookie", cookie).form(&[("csrf", csrf.as_str()), ("payment", line.as_str()), ("bank", "1"), ("account", account)]).send().await.unwrap() }
        };
        assert_eq!(correct("12ab").await.status().as_u16(), 400, "a card number must be digits");
        assert!(location(&correct("6217 0000 0000 7777").await).ends_with("done=correct"));
        let last4: String = sqlx::query_scalar("SELECT account_last4 FROM payments WHERE id = $1").bind(line).fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(last4, "7777");
        let on_file: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM beneficiaries WHERE account_hash = $1").bind(app.vault.lookup_hash("6217000000007777")).fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(on_file, 1, "the beneficiary's account on file is the new one");
        let (_, detail) = page(&app, &dep.cookie, &format!("/staff/rosters/{reissue}")).await;
        assert!(detail.contains("补发清册"), "the reissue names the roster it pays again");

        // Other departments and the supervisor cannot move it.
        let sup = as_staff(&app, "supervisor").await;
        assert_eq!(step(&app, &sup, reissue, "publicise", "").await.status().as_u16(), 400);
        let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM roster_events WHERE roster_id = $1").bind(roster).fetch_one(&app.db.pool).await.unwrap();
        assert!(events >= 9, "every step recorded: {events}");

        // Every step, by whoever took it, is in the hash-chained audit log as well.
        let audited: Vec<String> = sqlx::query_scalar("SELECT action FROM audit_log WHERE actor LIKE 'staff:%'").fetch_all(&app.db.pool).await.unwrap();
        let steps = ["staff_login", "roster_imported", "roster_publicised", "roster_department_reviewed", "roster_returned", "roster_finance_reviewed", "roster_sent_to_bank"];
        let bank = ["roster_bank_file", "roster_bank_feedback", "roster_reissue_created", "roster_line_corrected"];
        for action in steps.iter().chain(&bank) {
            assert!(audited.iter().any(|a| a == action), "{backend:?}: {action} is audited: {audited:?}");
        }
        assert_eq!(app::ssr::db::audit::verify(&app.db).await.unwrap().broken, None, "{backend:?}");
    }
}
