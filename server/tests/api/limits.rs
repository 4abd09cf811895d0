//! Limits on what a request may carry: the whole body, every field of every form, the fields of
//! an upload, and what an uploaded file is. Refused in Chinese, with nothing kept.

use crate::helpers::{location, spawn_app, Backend};

/// A body over the size limit or a post that is not a form gets a Chinese page, not the
/// framework's English text; nothing is filed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_or_garbled_post_gets_a_chinese_page() {
    let app = spawn_app(Backend::Sqlite).await;
    let before = app.count("case_drafts").await;
    // The server answers before the body is all sent and closes: write and read side by side.
    let body = format!("kind=complaint&description={}", "a".repeat(3_000_000));
    let stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let head = format!("POST /cases/start HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", app.addr, body.len());
    let sending = tokio::spawn(async move {
        use tokio::io::AsyncWriteExt;
        let _ = writer.write_all(head.as_bytes()).await;
        let _ = writer.write_all(body.as_bytes()).await;
    });
    let mut answer = Vec::new();
    use tokio::io::AsyncReadExt;
    let _ = tokio::time::timeout(std::time::Duration::from_secs(30), reader.read_to_end(&mut answer)).await;
    sending.abort();
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    assert!(text.contains("提交的内容过大") && !text.contains("length limit"), "{text}");
    // Not a form; a visitor who chose 大字模式 gets the page in large text too.
    let garbled = |text_size: &'static str| {
        app.client
            .post(app.url("/check/start"))
            .header("content-type", "application/json")
            .header("cookie", text_size)
            .body("{\"id_number\":1}")
            .send()
    };
    for (text_size, large) in [("", false), ("text_size=large", true)] {
        let r = garbled(text_size).await.unwrap();
        assert_eq!(r.status().as_u16(), 415);
        let text = r.text().await.unwrap();
        assert!(text.contains("提交的内容无法识别") && !text.contains("Content-Type"), "{text}");
        assert_eq!(text.contains("<html lang=\"zh-CN\" class=\"large-text\">"), large, "{text}");
    }
    assert_eq!(app.count("case_drafts").await, before);
}

/// No field of any form takes more than the backstop's 5,000 characters; the notice body, the
/// one long field, is checked by its form (up to 50,000).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_field_of_every_form_is_size_limited() {
    let app = spawn_app(Backend::Sqlite).await;
    let (drafts, notices) = (app.count("case_drafts").await, app.count("documents").await);
    let long = "诉".repeat(5_001);
    let r = app
        .client
        .post(app.url("/cases/start"))
        .form(&[("kind", "complaint"), ("description", long.as_str()), ("name", "张三")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 413);
    let text = r.text().await.unwrap();
    assert!(text.contains("每项最多 5000 字"), "{text}");
    assert!(!text.contains(&long[..30]), "the refused text is not echoed");
    let r = app
        .client
        .post(app.url("/cases/start"))
        .header("cookie", "text_size=large")
        .form(&[("kind", "complaint"), ("description", long.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 413);
    assert!(r.text().await.unwrap().contains("class=\"large-text\""), "large text before the form is read");
    // A password of 100,000 characters never reaches the (deliberately slow) hash.
    let r = app
        .client
        .post(app.url("/staff/login"))
        .form(&[("username", "finance"), ("password", &"p".repeat(100_000))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 413);
    assert_eq!(app.count("case_drafts").await, drafts);

    let staff = app.staff("civil_affairs").await;
    let notice = |body: String| {
        let form = [
            ("csrf", staff.csrf.clone()),
            ("op", "publish".into()),
            ("kind", "notice".into()),
            ("title", "关于长篇通知的测试".into()),
            ("published_on", "2026-11-22".into()),
            ("body", body),
        ];
        app.client.post(app.url("/staff/notices")).header("cookie", &staff.cookie).form(&form).send()
    };
    let r = notice("正文".repeat(25_001)).await.unwrap();
    assert_eq!(location(&r), "/staff/notices?e=body", "over 50,000 characters");
    assert_eq!(app.count("documents").await, notices);
    let r = notice("正文".repeat(10_000)).await.unwrap();
    assert!(location(&r).starts_with("/staff/notices?done="), "a notice of 20,000 characters is published");
    assert_eq!(app.count("documents").await, notices + 1);
}

/// An upload is taken for what its bytes are: a PDF named 清册.csv is refused at once and not
/// kept; so is an upload whose text fields are over the limit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_are_checked_by_content_before_they_are_kept() {
    let app = spawn_app(Backend::Sqlite).await;
    let before = app.count("roster_uploads").await;
    let staff = app.staff("civil_affairs").await;
    let r = staff
        .upload("/staff/rosters/upload", &[("item", "01-01"), ("period", "2026-12")], b"%PDF-1.7\n1 0 obj".to_vec())
        .await;
    assert_eq!(r.status().as_u16(), 400);
    let text = r.text().await.unwrap();
    assert!(text.contains("这是PDF 文件，不是 Excel（.xlsx）或 CSV 文件"), "{text}");
    let r = staff
        .upload("/staff/rosters/upload", &[("item", "01-01"), ("period", &"1".repeat(5_001))], b"a,b\n".to_vec())
        .await;
    assert_eq!(r.status().as_u16(), 400);
    assert!(r.text().await.unwrap().contains("表单内容过长"));
    assert_eq!(app.count("roster_uploads").await, before, "nothing kept");
}
