//! The Tencent Cloud SMS adapter against a stand-in for the provider's HTTP API on a free port:
//! what is sent (signed request, template, parameters), and what happens when the provider
//! refuses or fails (the message stays in the outbox with the reason; the cause is never lost).

use crate::helpers::{messages_to, spawn_app_with, Backend, TestApp};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use std::sync::{Arc, Mutex};

#[derive(Default)]
struct Provider {
    /// (status, body) to answer with, in turn; the last one repeats.
    answers: Vec<(u16, String)>,
    /// (headers, body) of each request received.
    seen: Vec<(HeaderMap, String)>,
}

type Shared = Arc<Mutex<Provider>>;

async fn send_sms(State(p): State<Shared>, headers: HeaderMap, body: String) -> (StatusCode, String) {
    let mut p = p.lock().unwrap();
    p.seen.push((headers, body));
    let (status, body) = if p.answers.len() > 1 { p.answers.remove(0) } else { p.answers[0].clone() };
    (StatusCode::from_u16(status).unwrap(), body)
}

const OK: &str = r#"{"Response":{"SendStatusSet":[{"SerialNo":"1","PhoneNumber":"+8613800000000","Fee":1,"Code":"Ok","Message":"send success"}],"RequestId":"r1"}}"#;

async fn provider(answers: Vec<(u16, &str)>) -> (String, Shared) {
    let shared: Shared = Arc::new(Mutex::new(Provider {
        answers: answers.into_iter().map(|(s, b)| (s, b.to_string())).collect(),
        seen: Vec::new(),
    }));
    let app = axum::Router::new().route("/", axum::routing::post(send_sms)).with_state(shared.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/"), shared)
}

async fn app_using(endpoint: &str) -> TestApp {
    let endpoint = endpoint.to_string();
    spawn_app_with(Backend::Sqlite, move |c| {
        c.sms_provider = "tencent".into();
        c.sms_endpoint = endpoint;
        c.sms_secret_id = "AKIDTEST".into();
        c.sms_secret_key = Some(server::config::Secret::new("test-secret-key"));
        c.sms_sdk_app_id = "1400000001".into();
        c.sms_sign_name = "青岚县财政局".into();
        c.sms_templates = [("verification_code", "1001"), ("case_filed", "1002")]
            .into_iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
    })
    .await
}

/// Waits (up to 15 s) for the outbox's latest message to `phone` to leave the `queued` state.
async fn settled(app: &TestApp, phone: &str) -> (String, i64, Option<String>) {
    for _ in 0..150 {
        let row: Option<(String, i64, Option<String>)> = sqlx::query_as(
            "SELECT status, attempts, error FROM sms_outbox WHERE phone_hash = $1 ORDER BY id DESC LIMIT 1",
        )
        .bind(app.vault.lookup_hash(phone))
        .fetch_optional(&app.db.pool)
        .await
        .unwrap();
        if let Some(row) = row.filter(|r| r.0 != "queued" || r.2.is_some()) {
            return row;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the message was never tried");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn codes_go_out_as_signed_template_requests() {
    let (endpoint, shared) = provider(vec![(200, OK)]).await;
    let app = app_using(&endpoint).await;
    let me = crate::check::someone(&app).await;
    let pending =
        crate::helpers::set_cookie(&crate::check::start(&app, &me.id, &me.phone).await, "check_pending").unwrap();
    assert_eq!(settled(&app, &me.phone).await, ("sent".to_string(), 1, None));
    let stored = messages_to(&app, &me.phone).await;
    assert!(stored[0].contains("验证码******，"), "the stored text never shows the code: {stored:?}");
    let params: String = sqlx::query_scalar("SELECT params FROM sms_outbox WHERE phone_hash = $1")
        .bind(app.vault.lookup_hash(&me.phone))
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(params, "[]", "the code's parameters are cleared once delivered");
    let seen = shared.lock().unwrap().seen.clone();
    assert_eq!(seen.len(), 1);
    let (headers, body) = &seen[0];
    let header = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    assert_eq!(header("x-tc-action"), "SendSms");
    assert_eq!(header("x-tc-version"), "2021-01-11");
    assert!(header("authorization").starts_with("TC3-HMAC-SHA256 Credential=AKIDTEST/"), "{}", header("authorization"));
    assert!(header("authorization").contains("SignedHeaders=content-type;host, Signature="));
    let timestamp: i64 = header("x-tc-timestamp").parse().unwrap();
    let host = header("host");
    assert_eq!(
        header("authorization"),
        app::ssr::sms::tencent::authorization("AKIDTEST", "test-secret-key", &host, timestamp, body)
    );
    let json: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(json["PhoneNumberSet"][0], format!("+86{}", me.phone));
    assert_eq!(json["TemplateId"], "1001");
    assert_eq!(json["SmsSdkAppId"], "1400000001");
    assert_eq!(json["SignName"], "青岚县财政局");
    let code = json["TemplateParamSet"][0].as_str().unwrap().to_string();
    assert!(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()), "{code}");
    assert_eq!(json["TemplateParamSet"][1], "5");
    // The code the provider delivered opens the session.
    let r = crate::check::verify(&app, &pending, &code).await;
    assert_eq!(crate::helpers::location(&r), "/check/payments");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_is_kept_with_its_reason_and_a_failure_is_retried() {
    let refusal = r#"{"Response":{"Error":{"Code":"FailedOperation.TemplateIncorrectOrUnapproved","Message":"template not approved"},"RequestId":"r2"}}"#;
    let (endpoint, shared) = provider(vec![(200, refusal)]).await;
    let app = app_using(&endpoint).await;
    let me = crate::check::someone(&app).await;
    crate::check::start(&app, &me.id, &me.phone).await;
    let (status, attempts, error) = settled(&app, &me.phone).await;
    assert_eq!((status.as_str(), attempts), ("failed", 1), "a refusal is not tried again");
    assert!(error.unwrap().contains("TemplateIncorrectOrUnapproved"));
    assert_eq!(shared.lock().unwrap().seen.len(), 1);

    // The provider down: three tries within the delivery, then queued for the next round.
    let (endpoint, shared) = provider(vec![(503, "busy")]).await;
    let app = app_using(&endpoint).await;
    let me = crate::check::someone(&app).await;
    let r = crate::check::start(&app, &me.id, &me.phone).await;
    assert_eq!(r.status().as_u16(), 303, "the citizen's step does not wait for the provider");
    let (status, attempts, error) = settled(&app, &me.phone).await;
    assert_eq!((status.as_str(), attempts), ("queued", 1));
    assert!(error.unwrap().contains("503"));
    assert_eq!(shared.lock().unwrap().seen.len(), 3);
}
