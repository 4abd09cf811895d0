//! Security headers: every response refuses sniffing and framing; Leptos pages carry a
//! Content-Security-Policy whose nonce is the one on each of their inline scripts, and no
//! `unsafe-inline` for scripts anywhere; HSTS only behind HTTPS.

use crate::helpers::{spawn_app, Backend};

fn header<'a>(r: &'a reqwest::Response, name: &str) -> &'a str {
    r.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_carry_a_nonce_policy_and_nothing_may_frame_them() {
    let app = spawn_app(Backend::Sqlite).await;
    for path in ["/", "/policies", "/check", "/no-such-page", "/healthz", "/api/v1/policies?year=2026", "/staff/login"]
    {
        let r = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(header(&r, "x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header(&r, "x-frame-options"), "DENY", "{path}");
        assert_eq!(header(&r, "referrer-policy"), "same-origin", "{path}");
        assert!(header(&r, "strict-transport-security").is_empty(), "{path}: no HSTS over plain HTTP");
        let policy = header(&r, "content-security-policy").to_string();
        assert!(policy.contains("frame-ancestors 'none'") && policy.contains("object-src 'none'"), "{path}: {policy}");
        let scripts = policy.split(';').find(|d| d.trim().starts_with("script-src")).unwrap_or_default().to_string();
        assert!(!scripts.contains("'unsafe-inline'") && !scripts.contains("'unsafe-eval'"), "{path}: {scripts}");
        let html = r.text().await.unwrap();
        if html.contains("<script") {
            let nonce = scripts
                .split("'nonce-")
                .nth(1)
                .and_then(|rest| rest.split('\'').next())
                .unwrap_or_else(|| panic!("{path}: inline scripts need a nonce: {scripts}"));
            let inline =
                html.split("<script").skip(1).filter(|tag| !tag.split('>').next().unwrap_or("").contains(" src="));
            for tag in inline {
                assert!(
                    tag.starts_with(&format!(" nonce=\"{nonce}\""))
                        || tag.split('>').next().unwrap_or("").contains(&format!("nonce=\"{nonce}\"")),
                    "{path}: an inline script without the page's nonce: <script{}",
                    &tag[..tag.len().min(80)]
                );
            }
        }
    }
    let r = app.client.get(app.url("/policies")).header("x-forwarded-proto", "https").send().await.unwrap();
    assert!(header(&r, "strict-transport-security").starts_with("max-age="), "HSTS behind HTTPS");
}

/// A shared village terminal must not keep one person's answers for the next: every personal
/// page, server function and CSV is `no-store, private`; public pages may be kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn personal_answers_are_never_kept_by_a_browser_or_a_proxy() {
    let app = spawn_app(Backend::Sqlite).await;
    let me = crate::check::someone(&app).await;
    let citizen = app.citizen(&me.id, &me.phone).await;
    let staffer = app.staff("civil_affairs").await;
    let personal: [(&str, &str, &str); 9] = [
        ("GET", "/check/payments", citizen.as_str()),
        ("GET", "/check/statement", citizen.as_str()),
        ("GET", "/check/statement/csv", citizen.as_str()),
        ("POST", "/api/my_payments", citizen.as_str()),
        ("GET", "/check/code", ""),
        ("GET", "/cases/new", ""),
        ("GET", "/staff", staffer.cookie.as_str()),
        ("GET", "/staff/rosters", staffer.cookie.as_str()),
        ("POST", "/api/staff_rosters", staffer.cookie.as_str()),
    ];
    for (method, path, cookie) in personal {
        let request = if method == "GET" {
            app.client.get(app.url(path))
        } else {
            app.client.post(app.url(path)).header("content-type", "application/x-www-form-urlencoded")
        };
        let r = request.header("cookie", cookie).send().await.unwrap();
        assert!(r.status().is_success(), "{path}: {}", r.status());
        assert_eq!(header(&r, "cache-control"), "no-store, private", "{method} {path}");
        assert!(header(&r, "etag").is_empty(), "{path}: no validator to keep it by");
    }
    // A public page seen by a signed-in person is not kept either; seen anonymously it may be.
    let r = app.client.get(app.url("/policies")).header("cookie", &citizen).send().await.unwrap();
    assert_eq!(header(&r, "cache-control"), "no-store, private");
    let r = app.client.get(app.url("/policies")).send().await.unwrap();
    assert!(!header(&r, "cache-control").contains("no-store"), "{}", header(&r, "cache-control"));
}
