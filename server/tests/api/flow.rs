//! A roster through the whole flow over real HTTP, as department and finance staff do it: upload
//! and preview, import, publicity (public at once), department review, finance review (and a
//! return), the bank's file, the bank's feedback (payout publicity and SMS), and the reissue.

use crate::helpers::{location, messages_to, spawn_app, TestApp};
use crate::journeys::Staffer;

use app::domain::IdNumber;
use sqlx::Row;

/// A clean roster file for the first monthly item with a standard amount, paying `ids` in the
/// first village, and what the test needs to follow it.
#[derive(Clone)]
pub(crate) struct RosterFile {
    pub code: String,
    pub dept: String,
    pub tc: String,
    pub vc: String,
    pub township: String,
    pub village: String,
    pub bank: String,
    pub amount: String,
    pub csv: String,
}

impl RosterFile {
    /// This file with one more line: a person with their phone and account, in the file's village.
    pub fn with_line(&self, name: &str, id: &str, phone: &str, account: &str) -> String {
        let (t, v, b, a) = (&self.township, &self.village, &self.bank, &self.amount);
        format!("{}{name},{id},汉族,{phone},{t},{v},{b},{account},{a},2026-12\n", self.csv)
    }
}

pub(crate) async fn roster_file(app: &TestApp, ids: &[String]) -> RosterFile {
    roster_file_of(app, 0, ids).await
}

/// As `roster_file`, for the monthly item of the `nth` department that has one.
pub(crate) async fn roster_file_of(app: &TestApp, nth: i64, ids: &[String]) -> RosterFile {
    let item = sqlx::query(
        "SELECT i.code, i.standard_fen, d.code AS dept FROM subsidy_items i JOIN departments d ON d.id = i.department_id \
         WHERE i.id IN (SELECT MIN(x.id) FROM subsidy_items x WHERE x.year = 2026 AND x.frequency = 'monthly' AND x.standard_fen IS NOT NULL GROUP BY x.department_id) \
         ORDER BY i.id LIMIT 1 OFFSET $1",
    )
    .bind(nth)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    let place = sqlx::query("SELECT t.name AS t, v.name AS v, t.code AS tc, v.code AS vc FROM regions v JOIN regions t ON t.id = v.parent_id WHERE v.level = 'village' ORDER BY v.id LIMIT 1")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    let bank: String =
        sqlx::query_scalar("SELECT name FROM banks ORDER BY id LIMIT 1").fetch_one(&app.db.pool).await.unwrap();
    let amount = format!("{}", item.get::<i64, _>("standard_fen") as f64 / 100.0);
    let (t, v): (String, String) = (place.get("t"), place.get("v"));
    let mut csv = String::from("姓名,身份证号,民族,手机号,镇街,村(社区),开户行,银行卡号,补贴额,预计发放时间\n");
    for (n, id) in ids.iter().enumerate() {
        csv.push_str(&format!(
            "测试{},{id},汉族,1390000100{n},{t},{v},{bank},621700000000100{n},{amount},2026-12\n",
            "甲乙丙丁戊己庚辛壬癸".chars().nth(n).unwrap()
        ));
    }
    RosterFile {
        code: item.get("code"),
        dept: item.get("dept"),
        tc: place.get("tc"),
        vc: place.get("vc"),
        township: t,
        village: v,
        bank,
        amount,
        csv,
    }
}

/// Uploads a clean file and imports it; returns the new roster's id.
pub(crate) async fn import(app: &TestApp, who: &Staffer<'_>, file: &RosterFile) -> i64 {
    let r = who
        .upload(
            "/staff/rosters/upload",
            &[("item", file.code.as_str()), ("period", "2026-12")],
            file.csv.clone().into_bytes(),
        )
        .await;
    let preview = location(&r);
    assert!(preview.starts_with("/staff/rosters/upload/"), "{preview}");
    let token = preview.rsplit('/').next().unwrap().to_string();
    let r = app
        .client
        .post(app.url("/staff/rosters/import"))
        .header("cookie", &who.cookie)
        .form(&[("csrf", who.csrf.as_str()), ("token", token.as_str())])
        .send()
        .await
        .unwrap();
    let to = location(&r);
    assert!(to.ends_with("?done=imported"), "{to}");
    to.trim_start_matches("/staff/rosters/").trim_end_matches("?done=imported").parse().unwrap()
}

/// `count` valid ID numbers of people of the demo county born on day 1, 2, … of `month` of `year`,
/// with sequence numbers after `seq`.
pub(crate) fn test_ids(year: u32, month: u32, seq: u32, count: u32) -> Vec<String> {
    (1..=count).map(|n| IdNumber::from_parts("510999", year, month, n, seq + n).unwrap().as_str().to_string()).collect()
}

/// Takes a draft roster through publicity (its objection period then ended by hand), the
/// department's review and finance's.
pub(crate) async fn pass_reviews(app: &TestApp, dep: &Staffer<'_>, fin: &Staffer<'_>, roster: i64) {
    assert!(location(&dep.step(roster, "publicise", "").await).ends_with("done=publicise"));
    review(app, dep, fin, roster).await;
}

/// Ends a publicised roster's objection period by hand; then the department's review and finance's.
pub(crate) async fn review(app: &TestApp, dep: &Staffer<'_>, fin: &Staffer<'_>, roster: i64) {
    sqlx::query("UPDATE rosters SET publicity_end = '2026-01-01' WHERE id = $1")
        .bind(roster)
        .execute(&app.db.pool)
        .await
        .unwrap();
    assert!(location(&dep.step(roster, "approve", "").await).ends_with("done=approve"));
    assert!(location(&fin.step(roster, "finance_review", "").await).ends_with("done=finance_review"));
}

/// Sends a reviewed roster to the bank and imports its feedback: every one of `ids` paid.
pub(crate) async fn pay_all(dep: &Staffer<'_>, fin: &Staffer<'_>, roster: i64, ids: &[String]) {
    assert!(location(&fin.step(roster, "send_to_bank", "").await).ends_with("done=send_to_bank"));
    let mut feedback = String::from("身份证号,结果,失败原因,到账日期\n");
    for id in ids {
        feedback.push_str(&format!("{id},成功,,2026-12-05\n"));
    }
    let r = dep.upload(&format!("/staff/rosters/{roster}/feedback"), &[], feedback.into_bytes()).await;
    assert!(location(&r).contains(&format!("done=feedback&paid={}&failed=0", ids.len())), "{}", location(&r));
}

/// A demo person on file: their name, ID, phone and account's last four digits.
struct OnFile {
    id: i64,
    name: String,
    id_number: String,
    phone: String,
    account_last4: String,
}

async fn on_file(app: &TestApp) -> OnFile {
    let me = crate::check::someone(app).await;
    let r = sqlx::query("SELECT name, account_last4 FROM beneficiaries WHERE id = $1")
        .bind(me.beneficiary)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    OnFile {
        id: me.beneficiary,
        name: r.get("name"),
        id_number: me.id,
        phone: me.phone,
        account_last4: r.get("account_last4"),
    }
}

async fn hashes_on_file(app: &TestApp, person: i64) -> (String, String) {
    let r = sqlx::query("SELECT phone_hash, account_hash FROM beneficiaries WHERE id = $1")
        .bind(person)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    (r.get("phone_hash"), r.get("account_hash"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_roster_changes_a_persons_phone_and_account_only_once_it_has_passed_its_reviews() {
    for backend in crate::helpers::backends() {
        let app = spawn_app(backend).await;
        let me = on_file(&app).await;
        let (new_phone, new_account) = ("13900007777", "6217000000009999");
        let file = roster_file(&app, &[]).await;
        let csv = file.with_line(&me.name, &me.id_number, new_phone, new_account);
        let dep = app.staff(&file.dept).await;
        let before = hashes_on_file(&app, me.id).await;

        // The preview tells the reviewers what the file would change.
        let r = dep
            .upload(
                "/staff/rosters/upload",
                &[("item", file.code.as_str()), ("period", "2026-12")],
                csv.clone().into_bytes(),
            )
            .await;
        let (_, preview) = dep.get(&location(&r)).await;
        let old_phone4 = &me.phone[7..];
        assert!(preview.contains(&format!("手机号变更：尾号{old_phone4} → 尾号7777")), "{backend:?}: {preview}");
        assert!(preview.contains(&format!("银行卡号变更：尾号{} → 尾号9999", me.account_last4)), "{backend:?}");
        let roster = import(&app, &dep, &RosterFile { csv, ..file.clone() }).await;

        // A draft changes nothing on file: the new phone opens nothing, the old one still does.
        assert_eq!(hashes_on_file(&app, me.id).await, before, "{backend:?}: nothing on file changed");
        assert_eq!(location(&crate::check::start(&app, &me.id_number, new_phone).await), "/check/code");
        assert!(messages_to(&app, new_phone).await.is_empty(), "{backend:?}: no code to the phone a draft names");
        assert_eq!(location(&crate::check::start(&app, &me.id_number, &me.phone).await), "/check/code");
        assert!(crate::helpers::code_sent_to(&app, &me.phone).await.is_some(), "the person's own phone still works");
        let (_, detail) = dep.get(&format!("/staff/rosters/{roster}")).await;
        assert!(detail.contains("登记信息变更") && detail.contains("待复核"), "{backend:?}");
        let line_account: Vec<u8> = sqlx::query_scalar("SELECT account_enc FROM payments WHERE roster_id = $1")
            .bind(roster)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(
            app.vault.decrypt(&line_account).unwrap(),
            new_account,
            "the line carries the account it is paid into"
        );

        // Another department's roster for the same person, with the account on file, imported
        // meanwhile: its lines keep that account whatever happens to the record later.
        let other = roster_file_of(&app, 1, &[]).await;
        assert_ne!(other.dept, file.dept);
        let on_file_account = app
            .vault
            .decrypt(
                &sqlx::query_scalar::<_, Vec<u8>>("SELECT account_enc FROM beneficiaries WHERE id = $1")
                    .bind(me.id)
                    .fetch_one(&app.db.pool)
                    .await
                    .unwrap(),
            )
            .unwrap();
        let other_csv = other.with_line(&me.name, &me.id_number, &me.phone, &on_file_account);
        let other_dep = app.staff(&other.dept).await;
        let other_roster = import(&app, &other_dep, &RosterFile { csv: other_csv, ..other.clone() }).await;

        // Publicity, the department's review and finance's: then the change is made, and the
        // old phone is told.
        let fin = app.staff("finance").await;
        pass_reviews(&app, &dep, &fin, roster).await;
        assert_eq!(
            hashes_on_file(&app, me.id).await,
            (app.vault.lookup_hash(new_phone), app.vault.lookup_hash(new_account)),
            "{backend:?}"
        );
        let told = messages_to(&app, &me.phone).await;
        assert!(
            told.iter().any(|m| m.contains("已将您登记的手机号变更为尾号7777") && m.contains("县")),
            "{backend:?}: {told:?}"
        );
        let audited: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action IN ('beneficiary_phone_changed', 'beneficiary_account_changed')").fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(audited, 2);

        // Each bank file pays into its own lines' accounts, as reviewed.
        assert!(location(&fin.step(roster, "send_to_bank", "").await).ends_with("done=send_to_bank"));
        let bank = app
            .client
            .get(app.url(&format!("/staff/rosters/{roster}/bank.csv")))
            .header("cookie", &fin.cookie)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(bank.contains(new_account), "{backend:?}");
        pass_reviews(&app, &other_dep, &fin, other_roster).await;
        assert!(location(&fin.step(other_roster, "send_to_bank", "").await).ends_with("done=send_to_bank"));
        let bank = app
            .client
            .get(app.url(&format!("/staff/rosters/{other_roster}/bank.csv")))
            .header("cookie", &fin.cookie)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            bank.contains(&on_file_account) && !bank.contains(new_account),
            "{backend:?}: the other roster pays the account its reviewers saw"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_roster_cannot_rename_a_person_on_file() {
    for backend in crate::helpers::backends() {
        let app = spawn_app(backend).await;
        let me = on_file(&app).await;
        let file = roster_file(&app, &[]).await;
        let csv = file.with_line("李四", &me.id_number, &me.phone, "6217000000009998");
        let table = app::ssr::rosters::file::read(csv.as_bytes()).unwrap();
        let target = app::ssr::rosters::Target { item_code: file.code.clone(), period: "2026-12".into(), county: None };
        let checked = app::ssr::rosters::check(&app.db, &app.vault, &table, &target, &|_| {}).await.unwrap();
        let expected = format!("身份证号已登记为 {}，与姓名不符", app::domain::mask::name(&me.name));
        assert!(
            checked.problems.iter().any(|p| p.row == 2 && p.column == "身份证号" && p.message == expected),
            "{backend:?}: {:?}",
            checked.problems
        );
        assert!(checked.lines.is_empty());
        // The same name with spaces or full-width forms is the same name.
        let spaced: String = me.name.chars().flat_map(|c| [c, ' ']).collect();
        let csv = file.with_line(&spaced, &me.id_number, &me.phone, "6217000000009998");
        let checked = app::ssr::rosters::check(
            &app.db,
            &app.vault,
            &app::ssr::rosters::file::read(csv.as_bytes()).unwrap(),
            &target,
            &|_| {},
        )
        .await
        .unwrap();
        assert!(checked.problems.is_empty(), "{backend:?}: {:?}", checked.problems);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_roster_goes_from_upload_to_payout_publicity_and_reissue() {
    for backend in crate::helpers::backends() {
        let app = spawn_app(backend).await;
        let ids: Vec<String> = (1..=3)
            .map(|n| IdNumber::from_parts("510999", 1960, 5, n, 930 + n).unwrap().as_str().to_string())
            .collect();
        let file = roster_file(&app, &ids).await;
        let (code, dept, amount) = (file.code.clone(), file.dept.clone(), file.amount.clone());
        let bad_row = file
            .csv
            .lines()
            .nth(1)
            .unwrap()
            .replacen("测试甲", "坏行", 1)
            .replacen(&ids[0], "123", 1)
            .replacen("13900001000", "13900001009", 1)
            .replacen("6217000000001000", "6217000000001009", 1);
        let csv = format!("{}{bad_row}\n", file.csv);

        let dep = app.staff(&dept).await;
        let (status, form) = dep.get("/staff/rosters/new").await;
        assert_eq!(status, 200);
        assert!(form.contains(&code), "the department's items are offered");
        let r = dep
            .upload("/staff/rosters/upload", &[("item", &code), ("period", "2026-12")], csv.clone().into_bytes())
            .await;
        let preview = location(&r);
        assert!(preview.starts_with("/staff/rosters/upload/"), "{backend:?} {preview}");
        let (_, html) = dep.get(&preview).await;
        assert!(html.contains("第") || html.contains("问题"), "{html}");
        assert!(
            html.contains("身份证号") && html.contains("排除有问题的行，导入其余 3 行"),
            "every problem shown before writing"
        );
        let token = preview.rsplit('/').next().unwrap().to_string();
        let before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM rosters").fetch_one(&app.db.pool).await.unwrap();
        let r = app
            .client
            .post(app.url("/staff/rosters/import"))
            .header("cookie", &dep.cookie)
            .form(&[("csrf", dep.csrf.as_str()), ("token", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 400, "not clean and not told to exclude: nothing written");
        assert_eq!(
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM rosters").fetch_one(&app.db.pool).await.unwrap(),
            before
        );
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
        let clerk: String = sqlx::query_scalar("SELECT display_name FROM staff_users WHERE username = $1")
            .bind(&dept)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        let lines: i64 = sqlx::query_scalar("SELECT line_count FROM rosters WHERE id = $1")
            .bind(roster)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        let (_, detail) = dep.get(&format!("/staff/rosters/{roster}")).await;
        assert!(
            detail.contains(&format!("（{clerk}）：共 {lines} 行")) && !detail.contains("staff:"),
            "{backend:?}: the roster's history names the clerk who imported it, not an internal id"
        );

        // Publicity: the lines are public at once, masked.
        let r = dep.step(roster, "publicise", "").await;
        assert_eq!(location(&r), format!("/staff/rosters/{roster}?done=publicise"));
        let (tc, vc) = (file.tc.clone(), file.vc.clone());
        let (_, public) = app.get_text(&format!("/publicity/{tc}/{vc}/{roster}")).await;
        assert!(public.contains("测*") && !public.contains(&ids[0]), "{backend:?}: masked lines on the public page");
        let r = dep.step(roster, "approve", "").await;
        assert_eq!(r.status().as_u16(), 400, "not before the objection period is over");
        sqlx::query("UPDATE rosters SET publicity_end = '2026-01-01' WHERE id = $1")
            .bind(roster)
            .execute(&app.db.pool)
            .await
            .unwrap();
        assert!(location(&dep.step(roster, "approve", "").await).ends_with("done=approve"));

        // Finance returns it once, the department approves again, finance passes it and sends it.
        let fin = app.staff("finance").await;
        assert_eq!(fin.step(roster, "return", "").await.status().as_u16(), 400, "a return needs a reason");
        assert!(location(&fin.step(roster, "return", "请补充村委会公示照片").await).ends_with("done=return"));
        assert!(location(&dep.step(roster, "approve", "").await).ends_with("done=approve"));
        assert_eq!(dep.step(roster, "finance_review", "").await.status().as_u16(), 400, "only finance reviews");
        assert!(location(&fin.step(roster, "finance_review", "").await).ends_with("done=finance_review"));
        assert!(location(&fin.step(roster, "send_to_bank", "").await).ends_with("done=send_to_bank"));

        // The bank's file: staff only.
        let file = app
            .client
            .get(app.url(&format!("/staff/rosters/{roster}/bank.csv")))
            .header("cookie", &fin.cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(file.status().as_u16(), 200);
        let text = file.text().await.unwrap();
        assert!(text.contains(&ids[0]) && text.contains("6217000000001000"), "the bank needs the account to pay into");
        assert_ne!(
            app.client
                .get(app.url(&format!("/staff/rosters/{roster}/bank.csv")))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16(),
            200
        );

        // Feedback with a problem: nothing applied, every problem listed.
        let bad = format!("身份证号,结果,失败原因,到账日期\n{},成功,,2026-12-05\n{},也许,,\n", ids[0], ids[1]);
        let r = fin.upload(&format!("/staff/rosters/{roster}/feedback"), &[], bad.into_bytes()).await;
        assert_eq!(r.status().as_u16(), 400);
        let body = r.text().await.unwrap();
        assert!(body.contains("第3行") && body.contains("结果"), "{body}");
        let paid: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM payments WHERE roster_id = $1 AND status = 'paid'")
            .bind(roster)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(paid, 0);

        let good = format!(
            "身份证号,结果,失败原因,到账日期\n{},成功,,2026-12-05\n{},成功,,2026/12/05\n{},失败,社保卡金融功能未激活,\n",
            ids[0], ids[1], ids[2]
        );
        let r = dep.upload(&format!("/staff/rosters/{roster}/feedback"), &[], good.into_bytes()).await;
        let to = location(&r);
        assert!(to.contains("done=feedback&paid=2&failed=1"), "{backend:?} {to}");
        let row = sqlx::query("SELECT status, paid_on, payout_publicised_on FROM rosters WHERE id = $1")
            .bind(roster)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(row.get::<String, _>("status"), "payout_publicised");
        assert_eq!(row.get::<Option<String>, _>("paid_on").as_deref(), Some("2026-12-05"));
        let failed: String = sqlx::query_scalar(
            "SELECT p.failure_reason FROM payments p WHERE p.roster_id = $1 AND p.status = 'failed'",
        )
        .bind(roster)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
        assert_eq!(failed, "card_not_activated");
        let sms = messages_to(&app, "13900001000").await;
        assert!(
            sms.iter().any(|m| m.contains("已到账") && m.contains(&amount.trim_end_matches(".0").to_string())),
            "{sms:?}"
        );
        assert!(messages_to(&app, "13900001002").await.iter().any(|m| m.contains("未能到账")));
        let (_, public) = app.get_text(&format!("/publicity/{tc}/{vc}/{roster}")).await;
        assert!(public.contains("已到账") && public.contains("发放失败"), "payout publicity is public");

        // The failed line is reissued in a new draft roster linked to it.
        let r = dep.step(roster, "reissue", "").await;
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
        assert_eq!(dep.step(roster, "reissue", "").await.status().as_u16(), 400, "once");
        // The failed line gets the new card before it is paid again.
        let line: i64 = sqlx::query_scalar("SELECT id FROM payments WHERE roster_id = $1")
            .bind(reissue)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        let correct = |account: &'static str| {
            let line = line.to_string();
            let (cookie, csrf) = (dep.cookie.clone(), dep.csrf.clone());
            let url = app.url(&format!("/staff/rosters/{reissue}/correct"));
            let client = app.client.clone();
            async move {
                client
                    .post(url)
                    .header("cookie", cookie)
                    .form(&[("csrf", csrf.as_str()), ("payment", line.as_str()), ("bank", "1"), ("account", account)])
                    .send()
                    .await
                    .unwrap()
            }
        };
        assert_eq!(correct("12ab").await.status().as_u16(), 400, "a card number must be digits");
        assert!(location(&correct("6217 0000 0000 7777").await).ends_with("done=correct"));
        let last4: String = sqlx::query_scalar("SELECT account_last4 FROM payments WHERE id = $1")
            .bind(line)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(last4, "7777");
        let on_file = || async {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM beneficiaries WHERE account_hash = $1")
                .bind(app.vault.lookup_hash("6217000000007777"))
                .fetch_one(&app.db.pool)
                .await
                .unwrap()
        };
        assert_eq!(on_file().await, 0, "{backend:?}: the account on file waits for the reissue's reviews");
        let (_, detail) = dep.get(&format!("/staff/rosters/{reissue}")).await;
        assert!(detail.contains("补发清册"), "the reissue names the roster it pays again");
        assert!(
            detail.contains("银行卡号变更") && detail.contains("尾号7777") && detail.contains("待复核"),
            "the reviewers see the change"
        );
        pass_reviews(&app, &dep, &fin, reissue).await;
        assert_eq!(on_file().await, 1, "{backend:?}: after finance review the account on file is the new one");

        // The reissue is paid: the first roster's failed line now reads 已补发, a correction that
        // its page's version history shows with the reason, after its publicity and payout.
        assert!(location(&fin.step(reissue, "send_to_bank", "").await).ends_with("done=send_to_bank"));
        let paid_again = format!("身份证号,结果,失败原因,到账日期\n{},成功,,2026-12-20\n", ids[2]);
        let r = dep.upload(&format!("/staff/rosters/{reissue}/feedback"), &[], paid_again.into_bytes()).await;
        assert!(location(&r).contains("done=feedback&paid=1&failed=0"), "{backend:?}");
        let versions = |id: i64| {
            let url = app.url(&format!("/api/v1/log/rosters/{id}"));
            let client = app.client.clone();
            async move {
                let entries: Vec<serde_json::Value> = client.get(url).send().await.unwrap().json().await.unwrap();
                entries.iter().map(|e| e["kind"].as_str().unwrap_or_default().to_string()).collect::<Vec<_>>()
            }
        };
        assert_eq!(versions(roster).await, ["publicity", "payout_publicity", "correction"], "{backend:?}");
        assert_eq!(versions(reissue).await, ["publicity", "payout_publicity"], "{backend:?}");
        let (_, public) = app.get_text(&format!("/publicity/{tc}/{vc}/{roster}")).await;
        assert!(
            public.contains("更正") && public.contains(&format!("补发清册 {reissue} 已到账")),
            "{backend:?}: the correction and its reason are public"
        );

        // Other departments and the supervisor cannot move it.
        let sup = app.staff("supervisor").await;
        assert_eq!(sup.step(reissue, "publicise", "").await.status().as_u16(), 400);
        let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM roster_events WHERE roster_id = $1")
            .bind(roster)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        assert!(events >= 9, "every step recorded: {events}");

        // Every step, by whoever took it, is in the hash-chained audit log as well.
        let audited: Vec<String> = sqlx::query_scalar("SELECT action FROM audit_log WHERE actor LIKE 'staff:%'")
            .fetch_all(&app.db.pool)
            .await
            .unwrap();
        let steps = [
            "staff_login",
            "roster_imported",
            "roster_publicised",
            "roster_department_reviewed",
            "roster_returned",
            "roster_finance_reviewed",
            "roster_sent_to_bank",
        ];
        let bank = ["roster_bank_file", "roster_bank_feedback", "roster_reissue_created", "roster_line_corrected"];
        for action in steps.iter().chain(&bank) {
            assert!(audited.iter().any(|a| a == action), "{backend:?}: {action} is audited: {audited:?}");
        }
        assert_eq!(app::ssr::audit::verify(&app.db).await.unwrap().broken, None, "{backend:?}");
    }
}
