//! Roster import against a real database: every validation named by row and column, the
//! encodings departments use (UTF-8, BOM, GBK) and XLSX, nothing written from a file with
//! problems, excluding bad rows, the same file not imported twice, and the CLI.

use crate::helpers::{spawn_app, Backend, TestApp};
use app::domain::IdNumber;
use app::ssr::rosters::{self, file, ImportError, Target};
use sqlx::Row;
use std::io::Write;

struct Setup {
    item: String,
    standard_fen: i64,
    township: String,
    village: String,
    bank: String,
}

async fn setup(app: &TestApp) -> Setup {
    let item = sqlx::query("SELECT code, standard_fen FROM subsidy_items WHERE year = 2026 AND frequency = 'monthly' AND standard_fen IS NOT NULL ORDER BY id LIMIT 1")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    let place = sqlx::query("SELECT t.name AS t, v.name AS v FROM regions v JOIN regions t ON t.id = v.parent_id WHERE v.level = 'village' ORDER BY v.id LIMIT 1")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    let bank: String =
        sqlx::query_scalar("SELECT name FROM banks ORDER BY id LIMIT 1").fetch_one(&app.db.pool).await.unwrap();
    Setup {
        item: item.get("code"),
        standard_fen: item.get("standard_fen"),
        township: place.get("t"),
        village: place.get("v"),
        bank,
    }
}

fn id(seq: u32) -> String {
    IdNumber::from_parts("510999", 1950, 3, 1, seq).unwrap().as_str().to_string()
}

const HEADER: &str = "姓名,身份证号,民族,手机号,镇街,村(社区),开户行,银行卡号,补贴额,预计发放时间";

fn csv(s: &Setup, rows: &[[&str; 10]]) -> String {
    let mut out = format!("{HEADER}\n");
    for r in rows {
        out.push_str(&r.join(","));
        out.push('\n');
    }
    let _ = s;
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_problem_is_named_and_a_file_with_problems_writes_nothing() {
    for backend in crate::helpers::backends() {
        let app = spawn_app(backend).await;
        let s = setup(&app).await;
        let amount = format!("{}", s.standard_fen as f64 / 100.0);
        let over = format!("{}", (s.standard_fen + 100) as f64 / 100.0);
        let (good1, good2, bad_check) = (id(901), id(902), {
            let mut x = id(903);
            let last = if x.ends_with('0') { '1' } else { '0' };
            x.pop();
            x.push(last);
            x
        });
        let (t, v, b) = (s.township.as_str(), s.village.as_str(), s.bank.as_str());
        let text = csv(
            &s,
            &[
                ["王一", &good1, "汉族", "13800000001", t, v, b, "6217000000000001", &amount, "2026-12"],
                ["王二", &good2, "彝族", "", t, v, b, "6217000000000002", &amount, "2026-12"],
                ["王三", &bad_check, "汉族", "13800000003", t, v, b, "6217000000000003", &amount, "2026-12"],
                ["王四", &id(904), "汉族", "13800000004", "不存在镇", v, b, "6217000000000004", &amount, "2026-12"],
                ["王五", &id(905), "汉族", "13800000005", t, v, b, "6217000000000005", &over, "2026-12"],
                ["王六", &id(906), "汉族", "1380000", t, v, b, "6217000000000006", &amount, "2026-12"],
                ["王一", &good1, "汉族", "13800000001", t, v, b, "6217000000000001", &amount, "2026-12"],
                ["王八", &id(908), "汉族", "13800000008", t, v, "某某银行", "6217000000000008", "-5", "2026-12"],
            ],
        );
        let table = file::read(text.as_bytes()).unwrap();
        let target = Target { item_code: s.item.clone(), period: "2026-12".into(), county: None };
        let checked = rosters::check(&app.db, &app.vault, &table, &target, &|_| {}).await.unwrap();
        let named: Vec<(usize, &str)> = checked.problems.iter().map(|p| (p.row, p.column.as_str())).collect();
        for expected in
            [(4, "身份证号"), (5, "镇街"), (6, "补贴额"), (7, "手机号"), (8, "身份证号"), (9, "开户行"), (9, "补贴额")]
        {
            assert!(named.contains(&expected), "{backend:?}: {expected:?} in {named:?}");
        }
        assert!(checked.problems.iter().any(|p| p.message.contains("校验位")));
        assert!(checked.problems.iter().any(|p| p.message.contains("第2行")), "the duplicate names its first row");
        assert!(checked.problems.iter().any(|p| p.message.contains("超过该项目的补贴标准")));
        assert!(checked.screening.iter().any(|h| h.row == 8 && h.message.contains("一卡多人")));
        assert_eq!(checked.lines.len(), 2);

        let (rosters_before, people_before) = (app.count("rosters").await, app.count("beneficiaries").await);
        let sha = rosters::sha256_hex(text.as_bytes());
        let err = rosters::write(&app.db, &app.vault, &checked, "test", &sha, false).await.unwrap_err();
        assert!(matches!(err, ImportError::NotClean(n) if n == checked.problems.len()), "{err}");
        assert_eq!(
            (app.count("rosters").await, app.count("beneficiaries").await),
            (rosters_before, people_before),
            "nothing written"
        );

        let ids = rosters::write(&app.db, &app.vault, &checked, "test", &sha, true).await.unwrap();
        assert_eq!(ids.len(), 1, "one township, one roster");
        let r = sqlx::query("SELECT status, line_count, total_fen FROM rosters WHERE id = $1")
            .bind(ids[0])
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(
            (r.get::<String, _>("status"), r.get::<i64, _>("line_count"), r.get::<i64, _>("total_fen")),
            ("draft".to_string(), 2, 2 * s.standard_fen)
        );
        assert_eq!(app.count("beneficiaries").await, people_before + 2, "two new people registered");
        let pending: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM payments WHERE roster_id = $1 AND status = 'pending'")
                .bind(ids[0])
                .fetch_one(&app.db.pool)
                .await
                .unwrap();
        assert_eq!(pending, 2);

        // The same file again: recognised, nothing duplicated.
        let again = rosters::write(&app.db, &app.vault, &checked, "test", &sha, true).await.unwrap_err();
        assert!(matches!(again, ImportError::AlreadyImported(_)), "{again}");
        assert_eq!(app.count("rosters").await, rosters_before + 1);

        // Another file with the same people for the same period: refused per row.
        let again =
            csv(&s, &[["王一", &good1, "汉族", "13800000001", t, v, b, "6217000000000001", &amount, "2026-12"]]);
        let checked = rosters::check(&app.db, &app.vault, &file::read(again.as_bytes()).unwrap(), &target, &|_| {})
            .await
            .unwrap();
        assert!(
            checked.problems.iter().any(|p| p.row == 2 && p.message.contains("其他清册")),
            "{:?}",
            checked.problems
        );

        // A period that does not fit the item's frequency, an unknown item.
        let wrong = Target { item_code: s.item.clone(), period: "2026".into(), county: None };
        assert!(matches!(
            rosters::check(&app.db, &app.vault, &table, &wrong, &|_| {}).await,
            Err(ImportError::Period(..))
        ));
        let unknown = Target { item_code: "99-99".into(), period: "2026-12".into(), county: None };
        assert!(matches!(
            rosters::check(&app.db, &app.vault, &table, &unknown, &|_| {}).await,
            Err(ImportError::UnknownItem(_))
        ));
    }
}

/// A minimal XLSX workbook (one sheet of inline strings), as Excel would save the 基础信息表.
pub(crate) fn xlsx(rows: &[Vec<String>]) -> Vec<u8> {
    let sheet: String = rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let cells: String = row
                .iter()
                .enumerate()
                .map(|(j, cell)| {
                    format!("<c r=\"{}{}\" t=\"inlineStr\"><is><t>{cell}</t></is></c>", (b'A' + j as u8) as char, i + 1)
                })
                .collect();
            format!("<row r=\"{}\">{cells}</row>", i + 1)
        })
        .collect();
    workbook(&sheet, zip::CompressionMethod::Stored)
}

/// A workbook whose one sheet holds these rows (`<row>` elements), its parts stored or deflated.
/// Its styles are Excel's: style 0 general, style 1 a date (`s="1"` on a cell of a serial day).
pub(crate) fn workbook(rows: &str, method: zip::CompressionMethod) -> Vec<u8> {
    let sheet = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>"#
    );
    let files = [
        ("[Content_Types].xml", r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>"#.to_string()),
        ("_rels/.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_string()),
        ("xl/workbook.xml", r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="基础信息表" sheetId="1" r:id="rId1"/></sheets></workbook>"#.to_string()),
        ("xl/_rels/workbook.xml.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#.to_string()),
        ("xl/styles.xml", r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>"#.to_string()),
        ("xl/worksheets/sheet1.xml", sheet),
    ];
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(method);
    for (name, body) in files {
        zip.start_file(name, options).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[test]
fn hostile_workbooks_are_refused_in_words_without_exhausting_memory() {
    let header = r#"<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c><c r="B1" t="inlineStr"><is><t>身份证号</t></is></c></row>"#;
    // One stray cell in the sheet's last row and column: its bounding box has 17 billion cells.
    let stray = format!(r#"{header}<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>"#);
    let err = file::read(&workbook(&stray, zip::CompressionMethod::Stored)).unwrap_err();
    assert!(matches!(err, file::FileError::MissingColumns(_)), "read as a sheet with too few columns: {err}");
    let grid = file::grid(&workbook(&stray, zip::CompressionMethod::Stored)).unwrap();
    assert_eq!(grid.len(), 1, "the stray cell is past the columns read; only the header row is kept");

    // Forged cell places: past Excel's last row; one the reader's arithmetic overflows (found by
    // fuzzing: a second r="inlineStr" on a cell); one it wraps round to row 1,215,752,190.
    for place in ["A1048577", "inlineStr", "A99999999999"] {
        let forged = format!(r#"{header}<row r="2"><c r="{place}" t="inlineStr"><is><t>x</t></is></c></row>"#);
        let err = file::read(&workbook(&forged, zip::CompressionMethod::Stored)).unwrap_err();
        assert_eq!(err, file::FileError::Unreadable("Excel 文件已损坏或不完整".into()), "{place}");
    }

    // A sheet that unpacks to 32 times the limit and more (whitespace deflates a thousandfold).
    let bomb = workbook(&format!("{header}{}", " ".repeat(2_000_000)), zip::CompressionMethod::Deflated);
    assert!(bomb.len() < 20_000, "{}", bomb.len());
    let err = file::read_up_to(&bomb, 50_000).unwrap_err();
    assert!(matches!(err, file::FileError::TooMuchContent(_)), "{err}");
    assert!(err.to_string().contains("分批导入"), "{err}");
    assert!(
        file::read_up_to(&bomb, 100_000).is_err_and(|e| matches!(e, file::FileError::MissingColumns(_))),
        "within the ratio it is read"
    );

    // A zip that is not a workbook; a broken workbook: our words, not the reader's.
    let mut not_a_book = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    not_a_book.start_file("word/document.xml", zip::write::SimpleFileOptions::default()).unwrap();
    not_a_book.write_all(b"<w:document/>").unwrap();
    let err = file::read(&not_a_book.finish().unwrap().into_inner()).unwrap_err();
    assert_eq!(err, file::FileError::NotASpreadsheet("Word 文档"));
    let mut broken = workbook(header, zip::CompressionMethod::Stored);
    broken.truncate(broken.len() / 2);
    let err = file::read(&broken).unwrap_err().to_string();
    assert!(err.contains("Excel 文件已损坏") && !err.contains("Zip") && !err.contains("error"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_in_every_encoding_and_xlsx_read_the_same() {
    let app = spawn_app(Backend::Sqlite).await;
    let s = setup(&app).await;
    let row = [
        "李一".to_string(),
        id(911),
        "汉族".into(),
        "13800000011".into(),
        s.township.clone(),
        s.village.clone(),
        s.bank.clone(),
        "6217000000000011".into(),
        "１２.５０".into(),
        "2026-12".into(),
    ];
    let text = format!(
        "某县补贴基础信息表\n{}\n{}\n",
        "序号（必填）,".to_string() + &HEADER.replace("姓名", " 姓 名（必填）"),
        "1,".to_string() + &row.join(",")
    );
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(text.as_bytes());
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    let mut grid = vec![HEADER.split(',').map(str::to_string).collect::<Vec<_>>()];
    grid.push(row.to_vec());
    let book = xlsx(&grid);
    let target = Target { item_code: s.item.clone(), period: "2026-12".into(), county: None };
    for (what, bytes) in [("utf-8", text.as_bytes().to_vec()), ("bom", bom), ("gbk", gbk.into_owned()), ("xlsx", book)]
    {
        let table = file::read(&bytes).unwrap_or_else(|e| panic!("{what}: {e}"));
        let checked = rosters::check(&app.db, &app.vault, &table, &target, &|_| {}).await.unwrap();
        assert!(checked.problems.is_empty(), "{what}: {:?}", checked.problems);
        assert_eq!(checked.lines.len(), 1, "{what}");
        assert_eq!(checked.lines[0].amount.fen(), 1250, "{what}: full-width digits read as 12.50");
        assert_eq!(checked.lines[0].name, "李一");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_imports_with_a_summary_and_refuses_a_bad_file() {
    let app = spawn_app(Backend::Sqlite).await;
    let s = setup(&app).await;
    let amount = format!("{}", s.standard_fen as f64 / 100.0);
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.csv");
    let bad = dir.path().join("bad.csv");
    let (t, v, b) = (s.township.as_str(), s.village.as_str(), s.bank.as_str());
    std::fs::write(
        &good,
        csv(&s, &[["赵一", &id(921), "汉族", "13800000021", t, v, b, "6217000000000021", &amount, "2026-12"]]),
    )
    .unwrap();
    std::fs::write(
        &bad,
        csv(&s, &[["赵二", "123", "汉族", "13800000022", t, v, b, "6217000000000022", &amount, "2026-12"]]),
    )
    .unwrap();
    let run = |path: &std::path::Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_server"))
            .args(["import-roster", "--item", &s.item, "--period", "2026-12"])
            .arg(path)
            .env("DATABASE_URL", app.database_url())
            .env("PORTAL_DATA_KEY", app.data_key())
            .env("RUST_LOG", "warn")
            .output()
            .unwrap()
    };
    let out = run(&bad);
    assert!(!out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("第2行 身份证号"), "{stdout}");
    let out = run(&good);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("已导入") && stdout.contains("1 行"), "{stdout}");
    let out = run(&good);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("已经导入过"));
}

/// On PostgreSQL a bulk write skips the foreign keys' row-by-row triggers when its role may
/// (the tests' superuser may). A role that may not, as a deployment may give the portal, still
/// imports: the write is then checked row by row, and the lines are there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgresql_role_that_may_not_skip_foreign_keys_still_imports() {
    if !crate::helpers::backends().contains(&Backend::Postgres) {
        return;
    }
    let app = spawn_app(Backend::Postgres).await;
    let s = setup(&app).await;
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
    let role = format!("portal_plain_{}_{nanos}", std::process::id());
    for sql in [
        format!("CREATE ROLE {role} LOGIN NOSUPERUSER"),
        format!("GRANT USAGE, CREATE ON SCHEMA public TO {role}"),
        format!("GRANT ALL ON ALL TABLES IN SCHEMA public TO {role}"),
        format!("GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {role}"),
    ] {
        sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&app.db.pool).await.unwrap();
    }
    let plain_url = app.database_url().replacen("postgres://postgres@", &format!("postgres://{role}@"), 1);
    assert_ne!(plain_url, app.database_url(), "the tests' PostgreSQL URL names the user postgres");
    let denied = sqlx::query("SET session_replication_role = replica")
        .execute(&mut <sqlx::AnyConnection as sqlx::Connection>::connect(&plain_url).await.unwrap())
        .await;
    assert!(denied.is_err(), "the plain role may not skip triggers");

    let amount = format!("{}", s.standard_fen as f64 / 100.0);
    let (t, v, b) = (s.township.as_str(), s.village.as_str(), s.bank.as_str());
    let rows: Vec<[String; 10]> = (0..30)
        .map(|n| {
            let name = format!("钱{}", ["一", "二", "三", "四", "五", "六"][n % 6]);
            [
                name,
                id(931 + n as u32),
                "汉族".into(),
                format!("138000009{n:02}"),
                t.into(),
                v.into(),
                b.into(),
                format!("62170000000009{n:02}"),
                amount.clone(),
                "2026-12".into(),
            ]
        })
        .collect();
    let rows: Vec<[&str; 10]> = rows.iter().map(|r| std::array::from_fn(|i| r[i].as_str())).collect();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("roster.csv");
    std::fs::write(&path, csv(&s, &rows)).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .args(["import-roster", "--item", &s.item, "--period", "2026-12"])
        .arg(&path)
        .env("DATABASE_URL", &plain_url)
        .env("PORTAL_DATA_KEY", app.data_key())
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("30 行"), "{}", String::from_utf8_lossy(&out.stdout));
    let mut written = 0;
    for n in 0..30 {
        let hash = app.vault.lookup_hash(&id(931 + n));
        let lines: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM payments p JOIN beneficiaries b ON b.id = p.beneficiary_id \
             WHERE b.id_hash = $1 AND p.period = '2026-12'",
        )
        .bind(hash)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
        written += lines;
    }
    assert_eq!(written, 30, "each of the roster's people has their line");

    drop(app);
    let admin_url = std::env::var("PORTAL_TEST_POSTGRES").unwrap();
    let mut admin = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin_url).await.unwrap();
    let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP ROLE IF EXISTS {role}"))).execute(&mut admin).await;
}

/// A bulk write chooses its new rows' ids before writing them. On PostgreSQL, where another
/// writer may register a household meanwhile (SQLite's writer holds the database alone), the
/// ids come from the table's sequence, so the other writer's row takes none of them and both
/// are written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ids_chosen_for_a_bulk_write_are_not_taken_by_another_writer_meanwhile() {
    if !crate::helpers::backends().contains(&Backend::Postgres) {
        return;
    }
    let app = spawn_app(Backend::Postgres).await;
    let village: i64 = sqlx::query_scalar("SELECT id FROM regions WHERE level = 'village' ORDER BY id LIMIT 1")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    let mut tx = app.db.begin().await.unwrap();
    let ids = app::ssr::db::bulk::new_ids(&mut tx, "households", 3).await.unwrap();
    assert_eq!(ids.len(), 3);
    let other: i64 =
        sqlx::query_scalar("INSERT INTO households (code, village_id) VALUES ('HT-OTHER', $1) RETURNING id")
            .bind(village)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert!(!ids.contains(&other), "{other} was chosen for the bulk write: {ids:?}");
    let rows: Vec<Vec<app::ssr::db::bulk::Val>> =
        ids.iter().map(|id| vec![(*id).into(), format!("HT-BULK-{id}").into(), village.into()]).collect();
    let written =
        app::ssr::db::bulk::insert_rows(&mut tx, "households", &["id", "code", "village_id"], rows).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(written, 3);
    let kept: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM households WHERE code LIKE 'HT-%'")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(kept, 4, "the other writer's household and the bulk write's three");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_deceased_list_and_exclusive_items_are_flagged_for_reviewers() {
    let app = spawn_app(Backend::Sqlite).await;
    // Someone paid 最低生活保障金 (14-01) in a month, now listed for 分散特困 (14-02) in that month.
    let row = sqlx::query(
        "SELECT b.id_enc, b.name, p.period, v.name AS v, t.name AS t FROM payments p JOIN subsidy_items i ON i.id = p.item_id \
         JOIN beneficiaries b ON b.id = p.beneficiary_id JOIN regions v ON v.id = b.village_id JOIN regions t ON t.id = v.parent_id \
         WHERE i.code = '14-01' AND p.status = 'paid' AND p.period LIKE '2026-%' ORDER BY p.id LIMIT 1",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    let person = app.vault.decrypt(&row.get::<Vec<u8>, _>("id_enc")).unwrap();
    let period: String = row.get("period");
    let bank: String =
        sqlx::query_scalar("SELECT name FROM banks ORDER BY id LIMIT 1").fetch_one(&app.db.pool).await.unwrap();

    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("deceased.csv");
    std::fs::write(
        &list,
        format!("姓名,身份证号,死亡日期\n某,{person},2026-10-01\n某某,{},2026-10-02\n坏,12345,\n", id(990)),
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .arg("import-deceased")
        .arg(&list)
        .env("DATABASE_URL", app.database_url())
        .env("PORTAL_DATA_KEY", app.data_key())
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("标记 1 人") && stdout.contains("1 人不在") && stdout.contains("第4行"), "{stdout}");

    let name: String = row.get("name");
    let text = format!(
        "{HEADER}\n{name},{person},汉族,,{},{},{bank},6217000000000990,806,\n",
        row.get::<String, _>("t"),
        row.get::<String, _>("v")
    );
    let table = file::read(text.as_bytes()).unwrap();
    let checked = rosters::check(
        &app.db,
        &app.vault,
        &table,
        &Target { item_code: "14-02".into(), period, county: None },
        &|_| {},
    )
    .await
    .unwrap();
    let hints: Vec<&str> = checked.screening.iter().map(|s| s.message.as_str()).collect();
    assert!(hints.iter().any(|h| h.contains("已故人员名单")), "{hints:?}");
    assert!(hints.iter().any(|h| h.contains("最低生活保障金") && h.contains("不能同时享受")), "{hints:?}");
    assert!(checked.problems.is_empty(), "hints do not block: {:?}", checked.problems);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_check_finds_who_is_paid_already_whose_account_another_holds_and_a_new_phone() {
    for backend in crate::helpers::backends() {
        let app = spawn_app(backend).await;
        let county = app::ssr::regions::home_county(&app.db).await.unwrap().unwrap();
        // Someone paid in a month of a monthly item, with a phone and an account on file.
        let row = sqlx::query(
            "SELECT p.id, b.id_enc, b.name, b.phone_enc, b.account_enc, p.period, p.amount_fen, i.code, v.name AS v, t.name AS t \
             FROM payments p JOIN subsidy_items i ON i.id = p.item_id JOIN beneficiaries b ON b.id = p.beneficiary_id \
             JOIN regions v ON v.id = b.village_id JOIN regions t ON t.id = v.parent_id \
             WHERE i.county_id = $1 AND i.year = 2026 AND i.frequency = 'monthly' AND p.status = 'paid' \
               AND p.recipient_id = p.beneficiary_id AND b.phone_enc IS NOT NULL AND b.account_enc IS NOT NULL \
             ORDER BY p.id LIMIT 1",
        )
        .bind(county)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
        let decrypt = |column: &str| app.vault.decrypt(&row.get::<Vec<u8>, _>(column)).unwrap();
        let (person, phone, account) = (decrypt("id_enc"), decrypt("phone_enc"), decrypt("account_enc"));
        let fen: i64 = row.get("amount_fen");
        let amount = format!("{}.{:02}", fen / 100, fen % 100);
        let bank: String =
            sqlx::query_scalar("SELECT name FROM banks ORDER BY id LIMIT 1").fetch_one(&app.db.pool).await.unwrap();
        let (name, t, v): (String, String, String) = (row.get("name"), row.get("t"), row.get("v"));
        // Row 2: that person again, with a new phone; row 3: someone new with the person's account.
        let text = format!(
            "{HEADER}\n{name},{person},汉族,13900007777,{t},{v},{bank},{account},{amount},\n\
             新人,{},汉族,,{t},{v},{bank},{account},{amount},\n",
            id(992)
        );
        let table = file::read(text.as_bytes()).unwrap();
        let period: String = row.get("period");
        let target = Target { item_code: row.get("code"), period: period.clone(), county: None };
        // The period holds more lines than the file has people (each person's lines are
        // looked up); then, its other lines moved away, fewer (the period is read once).
        for period_read_once in [false, true] {
            if period_read_once {
                sqlx::query("UPDATE payments SET period = '1999-01' WHERE period = $1 AND id <> $2")
                    .bind(&period)
                    .bind(row.get::<i64, _>("id"))
                    .execute(&app.db.pool)
                    .await
                    .unwrap();
            }
            let checked = rosters::check(&app.db, &app.vault, &table, &target, &|_| {}).await.unwrap();
            let problems: Vec<(usize, &str)> = checked.problems.iter().map(|p| (p.row, p.message.as_str())).collect();
            assert_eq!(problems, vec![(2, "本期该项目已发放给此人")], "{backend:?}, {period_read_once}");
            let hints: Vec<(usize, &str)> = checked.screening.iter().map(|s| (s.row, s.message.as_str())).collect();
            let old4 = &phone[phone.len() - 4..];
            assert!(
                hints.contains(&(
                    2,
                    format!("手机号变更：尾号{old4} → 尾号7777（财政复核通过后生效，并短信告知原手机号）").as_str()
                )),
                "{backend:?}: {hints:?}"
            );
            assert!(
                hints.iter().any(|(row, h)| *row == 3 && h.contains("已登记在其他人名下")),
                "{backend:?}: {hints:?}"
            );
            assert!(
                !hints.iter().any(|(row, h)| *row == 2 && h.contains("已登记在其他人名下")),
                "{backend:?}: {hints:?}"
            );
        }
    }
}

/// The write takes the people on file as the check found them only while nothing it reads of
/// them has changed: a change applied to a person's account since the check is seen (no change
/// is held for an account they now have), and someone registered meanwhile under a lower id
/// than the highest (as a PostgreSQL writer that took its ids earlier and committed later) is
/// found, not registered twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_write_asks_again_about_people_changed_since_the_check() {
    for backend in crate::helpers::backends() {
        let app = spawn_app(backend).await;
        let s = setup(&app).await;
        let amount = format!("{}.{:02}", s.standard_fen / 100, s.standard_fen % 100);
        let import = |text: String, period: &'static str| {
            let (app, item) = (&app, s.item.clone());
            async move {
                let table = file::read(text.as_bytes()).unwrap();
                let target = Target { item_code: item, period: period.into(), county: None };
                let checked = rosters::check(&app.db, &app.vault, &table, &target, &|_| {}).await.unwrap();
                assert!(checked.problems.is_empty(), "{backend:?}: {:?}", checked.problems);
                (checked, rosters::sha256_hex(text.as_bytes()))
            }
        };
        let (old_account, new_account) = ("6217000000000111", "6217000000000222");
        let row = |name: &str, seq: u32, account: &str| {
            format!("{name},{},汉族,,{},{},{},{account},{amount},\n", id(seq), s.township, s.village, s.bank)
        };
        let person = app.vault.lookup_hash(&id(994));

        // On file with the old account.
        let (checked, sha) = import(format!("{HEADER}\n{}", row("甲", 994, old_account)), "2026-10").await;
        let first = rosters::write(&app.db, &app.vault, &checked, "test", &sha, false).await.unwrap()[0];

        // Checked with the new account; the new account applied before the write.
        let (checked, sha) = import(format!("{HEADER}\n{}", row("甲", 994, new_account)), "2026-11").await;
        let hints: Vec<&str> = checked.screening.iter().map(|h| h.message.as_str()).collect();
        assert!(hints.iter().any(|h| h.contains("银行卡号变更")), "{backend:?}: {hints:?}");
        let mut tx = app.db.begin().await.unwrap();
        let beneficiary: i64 = sqlx::query_scalar("SELECT id FROM beneficiaries WHERE id_hash = $1")
            .bind(&person)
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        sqlx::query(
            "UPDATE beneficiaries SET account_enc = $1, account_hash = $2, account_last4 = '0222' WHERE id = $3",
        )
        .bind(app.vault.encrypt(new_account))
        .bind(app.vault.lookup_hash(new_account))
        .bind(beneficiary)
        .execute(&mut *tx)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO beneficiary_changes (roster_id, beneficiary_id, field, old_last4, new_last4, new_enc, new_hash, created_at, applied_at) \
             VALUES ($1, $2, 'account', '0111', '0222', $3, $4, '2026-11-30 10:00:00', '2026-11-30 10:00:00')",
        )
        .bind(first)
        .bind(beneficiary)
        .bind(app.vault.encrypt(new_account))
        .bind(app.vault.lookup_hash(new_account))
        .execute(&mut *tx)
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let second = rosters::write(&app.db, &app.vault, &checked, "test", &sha, false).await.unwrap()[0];
        let held: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM beneficiary_changes WHERE roster_id = $1")
            .bind(second)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(held, 0, "{backend:?}: the account is the person's already");

        // Checked as someone new; registered meanwhile under an id below the highest.
        let (checked, sha) = import(format!("{HEADER}\n{}", row("乙", 995, old_account)), "2026-12").await;
        let below: i64 =
            sqlx::query_scalar("SELECT MIN(id) - 1 FROM beneficiaries").fetch_one(&app.db.pool).await.unwrap();
        let village: i64 = sqlx::query_scalar("SELECT village_id FROM beneficiaries WHERE id = $1")
            .bind(beneficiary)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        let mut tx = app.db.begin().await.unwrap();
        let household: i64 =
            sqlx::query_scalar("SELECT MIN(id) - 1 FROM households").fetch_one(&mut *tx).await.unwrap();
        sqlx::query("INSERT INTO households (id, code, village_id) VALUES ($1, 'HT-MEANWHILE', $2)")
            .bind(household)
            .bind(village)
            .execute(&mut *tx)
            .await
            .unwrap();
        sqlx::query(
            "INSERT INTO beneficiaries (id, id_hash, id_enc, id_masked, name, name_masked, gender, ethnicity, village_id, household_id, card_status, created_at) \
             VALUES ($1, $2, $3, '5109**********0000', '乙', '乙', 'male', '汉族', $4, $5, 'issued', '2026-11-30 10:00:00')",
        )
        .bind(below)
        .bind(app.vault.lookup_hash(&id(995)))
        .bind(app.vault.encrypt(&id(995)))
        .bind(village)
        .bind(household)
        .execute(&mut *tx)
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let third = rosters::write(&app.db, &app.vault, &checked, "test", &sha, false).await.unwrap()[0];
        let paid: Vec<i64> = sqlx::query_scalar("SELECT beneficiary_id FROM payments WHERE roster_id = $1")
            .bind(third)
            .fetch_all(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(paid, vec![below], "{backend:?}: the line is the person registered meanwhile");
        let registered: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM beneficiaries WHERE id_hash = $1")
            .bind(app.vault.lookup_hash(&id(995)))
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(registered, 1, "{backend:?}");
    }
}
