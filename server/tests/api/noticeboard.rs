//! The village notice for the noticeboard (公示栏) over real HTTP: the village's lines as
//! published, where to object, and a QR code of the online version it shows, drawn by the server
//! for the address the visitor reached; a scanned notice tells whether it is still the newest.

use crate::flow::{import, roster_file};
use crate::helpers::{backends, contains_full_id_number, location, spawn_app};
use app::domain::IdNumber;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_village_notice_prints_the_lines_where_to_object_and_a_qr_code_of_its_version() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let ids: Vec<String> = (1..=3)
            .map(|n| IdNumber::from_parts("510999", 1975, 9, n, 670 + n).unwrap().as_str().to_string())
            .collect();
        let file = roster_file(&app, &ids).await;
        let (dep, fin) = (app.staff(&file.dept).await, app.staff("finance").await);
        let roster = import(&app, &dep, &file).await;
        assert!(location(&dep.step(roster, "publicise", "").await).ends_with("done=publicise"));
        let page = format!("/publicity/{}/{}/{roster}", file.tc, file.vc);
        let entry: i64 = sqlx::query_scalar("SELECT MAX(leaf_index) FROM publicity_log WHERE roster_id = $1")
            .bind(roster)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        let phone: String = sqlx::query_scalar(
            "SELECT d.phone FROM rosters r JOIN departments d ON d.id = r.department_id WHERE r.id = $1",
        )
        .bind(roster)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();

        let (status, sheet) = app.get_text(&format!("{page}/notice")).await;
        assert_eq!(status, 200, "{backend:?}");
        assert_eq!(sheet.matches("测*").count(), 3, "{backend:?}: the village's three lines");
        assert!(sheet.contains("发放公示") && sheet.contains("有异议怎么办") && sheet.contains("公示期："));
        assert!(sheet.contains(&phone), "{backend:?}: the department's phone to object to");
        assert!(!contains_full_id_number(&sheet));
        let url = app.url(&format!("{page}?entry={entry}"));
        assert!(sheet.contains(&url), "{backend:?}: the online version's address is printed: {url}");
        let qr = app::ssr::noticeboard::qr_svg(&url);
        assert!(qr.starts_with("<?xml") || qr.contains("<svg"), "{qr}");
        let svg = &qr[qr.find("<svg").unwrap()..];
        assert!(sheet.contains(svg), "{backend:?}: the QR code holds exactly that address");
        let logged: String = sqlx::query_scalar("SELECT leaf_hash FROM publicity_log WHERE leaf_index = $1")
            .bind(entry)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        assert!(sheet.contains(&logged), "{backend:?}: and the log entry's hash");

        // Another host named in the request gets its own copy; the next visitor never sees it.
        let forged = app
            .client
            .get(app.url(&format!("{page}/notice")))
            .header("host", "portal.example")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(forged.contains("http://portal.example/publicity/"));
        let (_, again) = app.get_text(&format!("{page}/notice")).await;
        assert!(again.contains(&url) && !again.contains("portal.example"), "{backend:?}: the kept page is per host");

        // Scanned now: it is the current version. After the payout publicity it is not.
        let (_, scanned) = app.get_text(&format!("{page}?entry={entry}")).await;
        assert!(scanned.contains("您扫描的公示单就是这份名单现在的版本"), "{backend:?}");
        sqlx::query("UPDATE rosters SET publicity_end = '2026-01-01' WHERE id = $1")
            .bind(roster)
            .execute(&app.db.pool)
            .await
            .unwrap();
        assert!(location(&dep.step(roster, "approve", "").await).ends_with("done=approve"));
        assert!(location(&fin.step(roster, "finance_review", "").await).ends_with("done=finance_review"));
        assert!(location(&fin.step(roster, "send_to_bank", "").await).ends_with("done=send_to_bank"));
        let feedback = format!(
            "身份证号,结果,失败原因,到账日期\n{},成功,,2026-12-05\n{},成功,,2026-12-05\n{},成功,,2026-12-05\n",
            ids[0], ids[1], ids[2]
        );
        let r = dep.upload(&format!("/staff/rosters/{roster}/feedback"), &[], feedback.into_bytes()).await;
        assert!(location(&r).contains("done=feedback&paid=3"), "{backend:?}");
        let (_, scanned) = app.get_text(&format!("{page}?entry={entry}")).await;
        assert!(scanned.contains("您扫描的公示单之后，这份名单又有 1 条记录"), "{backend:?}");
        let (_, sheet) = app.get_text(&format!("{page}/notice")).await;
        assert!(sheet.contains("发放后公示") && sheet.contains("对发放结果有疑问"), "{backend:?}: the sheet now");
        let (_, other) = app.get_text(&format!("{page}?entry=0")).await;
        assert!(other.contains("不属于这份名单") || entry == 0, "{backend:?}");
        let (status, _) = app.get_text(&format!("/publicity/{}/{}/999999999/notice", file.tc, file.vc)).await;
        assert_eq!(status, 404);
    }
}
