//! Correction (更正) of a published line before it is paid, over real HTTP: its amount, who
//! receives it (代领) and its removal (核减), each with a public reason; the pages show the
//! corrected line, the log has a `correction` entry for each, the person is told and sees it, and
//! the bank is sent the corrected lines.

use crate::flow::{import, pay_all, review, roster_file, test_ids};
use crate::helpers::{backends, location, messages_to, spawn_app};
use crate::publicity_log::{get_json, outside_verifier, verify_log};
use app::api::publicity_log::LogEntry;
use app::domain::Money;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_published_line_is_corrected_in_public_and_the_person_is_told() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let ids = test_ids(1958, 3, 640, 4);
        let file = roster_file(&app, &ids).await;
        let (dep, fin) = (app.staff(&file.dept).await, app.staff("finance").await);
        let roster = import(&app, &dep, &file).await;
        assert!(location(&dep.step(roster, "publicise", "").await).ends_with("done=publicise"));
        let line = |name: &'static str| {
            let app = &app;
            async move {
                sqlx::query_scalar::<_, i64>(
                    "SELECT p.id FROM payments p JOIN beneficiaries b ON b.id = p.beneficiary_id WHERE p.roster_id = $1 AND b.name = $2",
                )
                .bind(roster)
                .bind(name)
                .fetch_one(&app.db.pool)
                .await
                .unwrap()
                .to_string()
            }
        };
        let (jia, yi, ding) = (line("测试甲").await, line("测试乙").await, line("测试丁").await);
        let standard = Money::parse(&file.amount).unwrap();
        let half = Money::from_fen(standard.fen() / 2);
        let path = format!("/staff/rosters/{roster}/correction");
        let correct = |payment: &str, change: &str, amount: &str, recipient: &str, note: &str| {
            let form = [
                ("payment", payment),
                ("change", change),
                ("amount", amount),
                ("recipient", recipient),
                ("note", note),
            ];
            let form: Vec<(String, String)> = form.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
            let (dep, path) = (&dep, path.clone());
            async move {
                let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                let r = dep.post(&path, &fields).await;
                (r.status().as_u16(), location(&r), r.text().await.unwrap())
            }
        };

        // Refused in words, nothing changed: no reason, a reason with a phone, no choice, an
        // amount above the item's standard or the same as before, someone not on file.
        for (change, amount, recipient, note, words) in [
            ("amount", half.plain(), "", " ", "请填写更正理由"),
            ("amount", half.plain(), "", "电话13900001000", "请不要写身份证号"),
            ("", half.plain(), "", "核实有误", "请选择更正什么"),
            ("amount", "abc".into(), "", "核实有误", "新金额：金额格式不正确"),
            ("amount", Money::from_fen(standard.fen() + 1).plain(), "", "核实有误", "超过该项目的补贴标准"),
            ("amount", standard.plain(), "", "核实有误", "新金额与原金额相同"),
            ("recipient", String::new(), "11010519491231002X", "核实有误", "本县没有登记这个身份证号的人"),
        ] {
            let (status, _, body) = correct(&jia, change, &amount, recipient, note).await;
            assert_eq!(status, 400, "{backend:?}: {words}");
            assert!(body.contains(words), "{backend:?}: {words}: {body}");
        }
        let r = fin.post(&path, &[("payment", jia.as_str()), ("change", "remove"), ("note", "核实有误")]).await;
        assert_eq!(r.status().as_u16(), 400, "{backend:?}: not finance's to do");

        // The amount.
        let (status, to, _) = correct(&jia, "amount", &half.plain(), "", "经核实按半年标准发放").await;
        assert_eq!((status, to.ends_with("done=correction")), (303, true), "{backend:?}");
        // Someone else receives 测试乙's money: 测试丙, on file with their own card.
        let (status, _, body) = correct(&yi, "recipient", "", &ids[2], "本人长期住院，由亲属代领").await;
        assert_eq!(status, 303, "{backend:?}: {body}");
        // 测试丁 is taken off; five clerks at once take them off once.
        let removals = (0..5).map(|_| correct(&ding, "remove", "", "", "经核实已迁出本县"));
        let answers = futures_util::future::join_all(removals).await;
        assert_eq!(answers.iter().filter(|a| a.0 == 303).count(), 1, "{backend:?}");
        assert!(
            answers.iter().filter(|a| a.0 == 400).all(|a| a.2.contains("本清册没有这一行")),
            "{backend:?}: the others told in words"
        );
        assert_eq!(answers.iter().filter(|a| a.0 == 400).count(), 4, "{backend:?}");

        // The public page and its JSON show the corrected roster.
        let json: serde_json::Value =
            get_json(&app, &format!("/api/v1/publicity/{}/{}/{roster}", file.tc, file.vc)).await;
        let lines = json["lines"].as_array().unwrap();
        let amounts: Vec<i64> = lines.iter().map(|l| l["amount"].as_i64().unwrap()).collect();
        assert_eq!(amounts, [half.fen(), standard.fen(), standard.fen()], "{backend:?}: 3 lines, the first halved");
        assert_eq!(lines[1]["recipient_name_masked"], "测*丙", "{backend:?}: 乙's is received by 丙");
        assert_eq!(json["roster"]["planned"], half.fen() + 2 * standard.fen(), "{backend:?}");
        let (_, page) = app.get_text(&format!("/publicity/{}/{}/{roster}", file.tc, file.vc)).await;
        assert_eq!(
            page.matches("data-label=\"身份证号\"").count(),
            3,
            "{backend:?}: 丁 is in the history, not the list"
        );
        assert!(page.contains("代领/代管：测*丙"), "{backend:?}: {}", &page[page.find("测*乙").unwrap_or(0)..][..600]);
        assert!(page.contains("更正") && page.contains("经核实已迁出本县"), "{backend:?}: the history says why");

        // The log: an entry for each correction, saying what changed, masked.
        let entries: Vec<LogEntry> = get_json(&app, &format!("/api/v1/log/rosters/{roster}")).await;
        let kinds: Vec<&str> = entries.iter().map(|e| e.record.kind.as_str()).collect();
        assert_eq!(kinds, ["publicity", "correction", "correction", "correction"], "{backend:?}");
        let reasons: Vec<&str> = entries.iter().map(|e| e.record.reason.as_str()).collect();
        assert!(
            reasons[1].starts_with("测*甲（")
                && reasons[1].contains(&format!(
                    "金额由 {} 元改为 {} 元；理由：经核实按半年标准发放",
                    standard.grouped(),
                    half.grouped()
                )),
            "{}",
            reasons[1]
        );
        assert!(reasons[2].contains("改由 测*丙 代领；理由：本人长期住院"), "{}", reasons[2]);
        assert!(reasons[3].contains("核减，本期不予发放；理由：经核实已迁出本县"), "{}", reasons[3]);
        assert!(entries[3].entry.as_deref().unwrap().contains("\"line_count\":3"), "{backend:?}");
        assert!(
            entries[0].entry.as_deref().unwrap().contains("测*丁"),
            "{backend:?}: what was published stays on record"
        );
        let (ok, out) = outside_verifier(&app, &["roster", file.tc.as_str(), file.vc.as_str(), &roster.to_string()]);
        assert!(ok, "{backend:?}: {out}");
        let (ok, out) = verify_log(&app);
        assert!(ok, "{backend:?}: {out}");

        // Each person is told; 甲 sees what changed and why.
        assert!(messages_to(&app, "13900001000").await[0].contains("金额改为"), "{backend:?}");
        assert!(messages_to(&app, "13900001001").await[0].contains("改由测*丙代领"), "{backend:?}");
        assert!(messages_to(&app, "13900001003").await[0].contains("核减，本期不予发放"), "{backend:?}");
        let cookie = app.citizen(&ids[0], "13900001000").await;
        let (_, mine) = app.get_text_as("/check/payments", &cookie).await;
        assert!(mine.contains("在公示期间更正") && mine.contains("理由：经核实按半年标准发放"), "{backend:?}");
        assert!(mine.contains(&format!("{} 元", half.grouped())), "{backend:?}");

        // The staff page shows it; the bank is sent three lines, 乙's into 丙's card.
        let (_, detail) = dep.get(&format!("/staff/rosters/{roster}")).await;
        assert!(detail.contains("更正公示") && detail.contains("更正："), "{backend:?}");
        review(&app, &dep, &fin, roster).await;
        let (_, detail) = dep.get(&format!("/staff/rosters/{roster}")).await;
        assert!(!detail.contains("correction-line"), "{backend:?}: no correction once reviewed");
        pay_all(&dep, &fin, roster, &ids[..3]).await;
        let (_, bank) = fin.get(&format!("/staff/rosters/{roster}/bank.csv")).await;
        assert_eq!(bank.lines().count(), 4, "{backend:?}: a header and three lines");
        let yi_line = bank.lines().find(|l| l.contains("测试乙")).unwrap();
        assert!(yi_line.contains(&format!(",6217000000001002,测试丙,{},", standard.plain())), "{yi_line}");
        let jia_line = bank.lines().find(|l| l.contains("测试甲")).unwrap();
        assert!(jia_line.contains(&format!(",{},", half.plain())), "{jia_line}");
        assert!(
            messages_to(&app, "13900001000").await[0].contains(&format!("{}元已到账", half.plain())),
            "{backend:?}"
        );
    }
}
