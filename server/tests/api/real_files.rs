//! The files departments really have: the seed form's own header row (with （必填）, （非必填） and
//! line breaks in its cells), bank names as clerks write them, ID and card numbers Excel kept as
//! numbers, dates that do not exist and date cells, names that are not names.

use crate::flow::{pass_reviews, roster_file};
use crate::helpers::{backends, location, spawn_app, TestApp};
use crate::rosters::{workbook, xlsx};
use app::domain::{BankAccount, IdNumber};
use app::ssr::rosters::{self, file, Checked, Target};
use sqlx::Row;

fn id(seq: u32) -> String {
    IdNumber::from_parts("510999", 1962, 6, 6, seq).unwrap().as_str().to_string()
}

/// A card number with its check digit.
fn card(n: u32) -> String {
    BankAccount::with_check_digit(&format!("621700000{n:09}")).unwrap().as_str().to_string()
}

async fn check(app: &TestApp, bytes: &[u8], item: &str) -> Checked {
    let table = file::read(bytes).unwrap_or_else(|e| panic!("the file is read: {e}"));
    rosters::check(
        &app.db,
        &app.vault,
        &table,
        &Target { item_code: item.to_string(), period: "2026-12".into(), county: None },
        &|_| {},
    )
    .await
    .unwrap()
}

fn problems_of(checked: &Checked, column: &str) -> Vec<(usize, String)> {
    checked.problems.iter().filter(|p| p.column == column).map(|p| (p.row, p.message.clone())).collect()
}

/// The header row of 附件3 (基础信息表) of the Sishui pilot plan, cell by cell, as the document has it.
fn seed_header() -> Vec<String> {
    let seed = include_str!("../../src/demo/notices/sishui-2021-pilot.txt");
    let table = seed.split("发放基础信息表\n").nth(1).expect("the form's title");
    let header = table.split("\n\n").next().expect("the header row");
    header.split('\t').skip(1).map(|cell| cell.trim_end_matches('\n').to_string()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seed_forms_own_header_row_is_read_with_its_marks_and_line_breaks() {
    let header = seed_header();
    assert_eq!(header.len(), 10, "{header:?}");
    assert!(
        header.contains(&"村（社区）\n（非必填）".to_string()) && header.contains(&"姓名\n（必填）".to_string()),
        "{header:?}"
    );
    for backend in backends() {
        let app = spawn_app(backend).await;
        let f = roster_file(&app, &[]).await;
        let row = [
            "周五",
            &id(501),
            "汉族",
            "13600000501",
            &f.township,
            &f.village,
            &f.bank,
            "6217000000000501",
            &f.amount,
            "2026-12",
        ];
        // As the clerk's workbook has it (a line break inside a header cell), and saved as CSV.
        let book = xlsx(&[header.clone(), row.iter().map(|c| c.to_string()).collect()]);
        let quoted: Vec<String> = header.iter().map(|h| format!("\"{h}\"")).collect();
        let csv = format!("{}\n{}\n", quoted.join(","), row.join(","));
        for bytes in [book, csv.into_bytes()] {
            let checked = check(&app, &bytes, &f.code).await;
            assert!(checked.problems.is_empty(), "{backend:?}: {:?}", checked.problems);
            assert_eq!(checked.lines.len(), 1);
            let village: String = sqlx::query_scalar("SELECT name FROM regions WHERE id = $1")
                .bind(checked.lines[0].village_id)
                .fetch_one(&app.db.pool)
                .await
                .unwrap();
            assert_eq!(village, f.village, "the 村（社区）（非必填） column is read");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn banks_are_found_as_clerks_write_them_and_the_admin_keeps_their_short_names() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let f = roster_file(&app, &[]).await;
        let written =
            ["邮储银行", "农商行", "农行", "信用社", "农信", "中国建设银行股份有限公司青岚支行", "工行", "某某银行"];
        let mut csv = f.csv.clone();
        for (n, bank) in written.iter().enumerate() {
            csv.push_str(&format!(
                "王{},{},汉族,,{},{},{bank},{},{},2026-12\n",
                "甲乙丙丁戊己庚辛".chars().nth(n).unwrap(),
                id(510 + n as u32),
                f.township,
                f.village,
                card(510 + n as u32),
                f.amount
            ));
        }
        let checked = check(&app, csv.as_bytes(), &f.code).await;
        let refused = problems_of(&checked, "开户行");
        assert_eq!(refused.len(), 1, "{backend:?}: {refused:?}");
        assert_eq!(refused[0].0, 9, "the row of 某某银行");
        assert!(
            refused[0].1.contains("“某某银行”不是本县的代发银行")
                && refused[0].1.contains("青岚农村商业银行（或农商行"),
            "{}",
            refused[0].1
        );
        let banks: Vec<String> = checked.lines.iter().map(|l| l.bank_id.to_string()).collect();
        assert_eq!(banks, ["3", "1", "2", "1", "1", "4", "5"], "{backend:?}");

        // The admin sees the short names and adds one; one name cannot serve two banks.
        let admin = app.staff("admin").await;
        let (_, page) = admin.get("/staff/admin").await;
        assert!(page.contains("农商行、农商银行") && page.contains("卡号带校验位"), "the admin page shows the banks");
        let save = |bank: &'static str, aliases: &'static str, luhn: bool| {
            let mut form =
                vec![("csrf", admin.csrf.clone()), ("id", bank.to_string()), ("aliases", aliases.to_string())];
            if luhn {
                form.push(("luhn", "1".into()));
            }
            app.client.post(app.url("/staff/banks")).header("cookie", &admin.cookie).form(&form).send()
        };
        assert_eq!(location(&save("1", "农商行、信用社、青岚信合", false).await.unwrap()), "/staff/admin?done=1");
        assert_eq!(
            location(&save("2", "农行，信用社", true).await.unwrap()),
            "/staff/admin?e=alias",
            "信用社 is the rural bank's"
        );
        let row = format!(
            "王壬,{},汉族,,{},{},青岚信合,6217000000000520,{},2026-12\n",
            id(520),
            f.township,
            f.village,
            f.amount
        );
        assert!(
            check(&app, format!("{}{row}", f.csv).as_bytes(), &f.code).await.problems.is_empty(),
            "{backend:?}: the new short name is taken"
        );
        let dep = app.staff(&f.dept).await;
        let r = app
            .client
            .post(app.url("/staff/banks"))
            .header("cookie", &dep.cookie)
            .form(&[("csrf", dep.csrf.as_str()), ("id", "1"), ("aliases", "x")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 403, "only the admin");

        // With the check digit on, a card number whose last digit is wrong is refused.
        assert_eq!(location(&save("1", "农商行", true).await.unwrap()), "/staff/admin?done=1");
        let mut wrong = card(521);
        let last = wrong.pop().unwrap();
        wrong.push(if last == '0' { '1' } else { '0' });
        let rows = format!(
            "{}王癸,{},汉族,,{},{},农商行,{wrong},{},2026-12\n王子,{},汉族,,{},{},农商行,{},{},2026-12\n",
            f.csv,
            id(521),
            f.township,
            f.village,
            f.amount,
            id(522),
            f.township,
            f.village,
            card(522),
            f.amount
        );
        let checked = check(&app, rows.as_bytes(), &f.code).await;
        let refused = problems_of(&checked, "银行卡号");
        assert_eq!(refused.len(), 1, "{backend:?}: {refused:?}");
        assert!(refused[0].0 == 2 && refused[0].1.contains("校验位"), "{refused:?}");
        let audited: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'bank_saved'")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(audited, 2, "each change the admin made, not the refused one");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn id_and_card_numbers_excel_kept_as_numbers_are_refused_naming_the_row_and_the_fix() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let f = roster_file(&app, &[]).await;
        let text = |r: &str, v: &str| format!(r#"<c r="{r}" t="inlineStr"><is><t>{v}</t></is></c>"#);
        let number = |r: &str, v: &str| format!(r#"<c r="{r}"><v>{v}</v></c>"#);
        let header: String = ["姓名", "身份证号", "民族", "手机号", "镇街", "村(社区)", "开户行", "银行卡号", "补贴额"]
            .iter()
            .enumerate()
            .map(|(i, h)| text(&format!("{}1", (b'A' + i as u8) as char), h))
            .collect();
        // Excel keeps 15 significant digits: 522726198203151135 is stored as 5.22726198203151E+17,
        // whose digits (522726198203151100) happen to carry a valid check digit.
        assert!(IdNumber::parse("522726198203151100").is_ok());
        let row = [
            text("A2", "王甲"),
            number("B2", "5.22726198203151E+17"),
            text("C2", "汉族"),
            number("D2", "13600000530"),
            text("E2", &f.township),
            text("F2", &f.village),
            text("G2", &f.bank),
            number("H2", "6.2179912345678E+18"),
            number("I2", &f.amount),
        ]
        .concat();
        let book =
            workbook(&format!(r#"<row r="1">{header}</row><row r="2">{row}</row>"#), zip::CompressionMethod::Deflated);
        let checked = check(&app, &book, &f.code).await;
        for (column, shown) in [("身份证号", "5.22726198203151E+17"), ("银行卡号", "6.2179912345678E+18")] {
            let p = problems_of(&checked, column);
            assert_eq!(p.len(), 1, "{backend:?} {column}: {:?}", checked.problems);
            assert_eq!(p[0].0, 2, "the row");
            assert!(
                p[0].1.contains(shown) && p[0].1.contains("“文本”格式") && p[0].1.contains("重新输入"),
                "{}",
                p[0].1
            );
        }
        assert!(checked.lines.is_empty(), "nothing imported from a corrupted number");
        assert!(problems_of(&checked, "手机号").is_empty(), "an 11-digit phone is a number Excel holds exactly");
        // The same saved from Excel as CSV.
        let csv = format!(
            "{}王乙,5.22726E+17,汉族,,{},{},{},6.21799E+18,{},2026-12\n",
            f.csv, f.township, f.village, f.bank, f.amount
        );
        let checked = check(&app, csv.as_bytes(), &f.code).await;
        assert_eq!(
            problems_of(&checked, "身份证号").len() + problems_of(&checked, "银行卡号").len(),
            2,
            "{:?}",
            checked.problems
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_that_are_not_names_and_times_that_do_not_exist_are_refused_naming_the_row() {
    for backend in backends() {
        let app = spawn_app(backend).await;
        let f = roster_file(&app, &[]).await;
        let line = |name: &str, seq: u32, expected: &str| {
            format!(
                "{name},{},汉族,,{},{},{},{},{},{expected}\n",
                id(seq),
                f.township,
                f.village,
                f.bank,
                card(seq),
                f.amount
            )
        };
        let csv = [
            f.csv.clone(),
            line("<script>alert(1)</script>", 540, "2026-12"),
            line("张三1", 541, "2026-12"),
            line("阿依古丽·买买提", 542, "2026-12"),
            line("王丑", 543, "2026-13"),
            line("王寅", 544, "2026-02-31"),
            line("王卯", 545, "2026年12月"),
            line("王辰", 546, "2026-12-05"),
        ]
        .concat();
        let checked = check(&app, csv.as_bytes(), &f.code).await;
        let names = problems_of(&checked, "姓名");
        assert_eq!(names.iter().map(|p| p.0).collect::<Vec<_>>(), [2, 3], "{backend:?}: {names:?}");
        assert!(names[0].1.contains("“<”") && names[1].1.contains("数字“1”"), "{names:?}");
        let times = problems_of(&checked, "预计发放时间");
        assert_eq!(times.iter().map(|p| p.0).collect::<Vec<_>>(), [5, 6], "{backend:?}: {times:?}");
        assert!(times[0].1.contains("2026-13"), "{times:?}");
        assert_eq!(checked.lines.len(), 3, "the minority name, a month in words and a date are fine");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dates_that_do_not_exist_are_refused_and_date_cells_are_read_as_dates() {
    for backend in backends() {
        let app = spawn_app(backend).await;

        // The holiday calendar and a notice's date.
        let admin = app.staff("admin").await;
        let r = app
            .client
            .post(app.url("/staff/holidays"))
            .header("cookie", &admin.cookie)
            .form(&[
                ("csrf", admin.csrf.as_str()),
                ("op", "add"),
                ("day", "2026-02-31"),
                ("kind", "holiday"),
                ("name", "不存在"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(location(&r), "/staff/holidays?e=day", "{backend:?}");
        let kept: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM holidays WHERE name = '不存在'")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(kept, 0, "nothing moved into March");
        let f = roster_file(&app, &[]).await;
        let dep = app.staff(&f.dept).await;
        let notice = [
            ("csrf", dep.csrf.as_str()),
            ("op", "publish"),
            ("kind", "notice"),
            ("title", "关于日期的通知"),
            ("published_on", "2026-02-31"),
            ("body", "本通知用于核对不存在的日期不会被改成三月。"),
        ];
        let r = app
            .client
            .post(app.url("/staff/notices"))
            .header("cookie", &dep.cookie)
            .form(&notice)
            .send()
            .await
            .unwrap();
        assert_eq!(location(&r), "/staff/notices?e=date", "{backend:?}");

        // A roster at the bank: a feedback file with 2026-02-31 is refused; Excel's date cells are dates.
        let ids = vec![id(550), id(551)];
        let file = roster_file(&app, &ids).await;
        let roster = crate::flow::import(&app, &dep, &file).await;
        let fin = app.staff("finance").await;
        pass_reviews(&app, &dep, &fin, roster).await;
        assert!(location(&fin.step(roster, "send_to_bank", "").await).ends_with("done=send_to_bank"));
        let bad =
            format!("身份证号,结果,失败原因,到账日期\n{},成功,,2026-02-31\n{},成功,,2026-12-05\n", ids[0], ids[1]);
        let r = dep.upload(&format!("/staff/rosters/{roster}/feedback"), &[], bad.into_bytes()).await;
        assert_eq!(r.status().as_u16(), 400, "{backend:?}");
        assert!(r.text().await.unwrap().contains("“2026-02-31”不是有效的日期"));
        let text = |r: &str, v: &str| format!(r#"<c r="{r}" t="inlineStr"><is><t>{v}</t></is></c>"#);
        let rows = format!(
            r#"<row r="1">{}{}{}{}</row><row r="2">{}{}<c r="D2" s="1"><v>46361</v></c></row><row r="3">{}{}<c r="D3" s="1"><v>46361</v></c></row>"#,
            text("A1", "身份证号"),
            text("B1", "结果"),
            text("C1", "失败原因"),
            text("D1", "到账日期"),
            text("A2", &ids[0]),
            text("B2", "成功"),
            text("A3", &ids[1]),
            text("B3", "成功"),
        );
        let r = dep
            .upload(
                &format!("/staff/rosters/{roster}/feedback"),
                &[],
                workbook(&rows, zip::CompressionMethod::Deflated),
            )
            .await;
        assert!(
            location(&r).contains("done=feedback&paid=2"),
            "{backend:?}: {} {}",
            location(&r),
            r.text().await.unwrap_or_default()
        );
        let paid: Vec<String> = sqlx::query("SELECT paid_on FROM payments WHERE roster_id = $1")
            .bind(roster)
            .fetch_all(&app.db.pool)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get("paid_on"))
            .collect();
        assert_eq!(paid, ["2026-12-05", "2026-12-05"], "{backend:?}: serial day 46361 is 2026-12-05");
    }
}
