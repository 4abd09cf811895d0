//! Every server function, called as a hydrated page calls it when reached by a link: arguments
//! left at their defaults are not sent at all. None may fail for that (a `missing field` 500
//! once broke the search reached through the site); called anonymously, by a signed-in citizen
//! and by finance staff.

use crate::helpers::{spawn_app, Backend};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_server_function_answers_with_its_arguments_left_out() {
    let app = spawn_app(Backend::Sqlite).await;
    let me = crate::check::someone(&app).await;
    let citizen = app.citizen(&me.id, &me.phone).await;
    let staffer = app.staff("finance").await;
    let paths: Vec<(&str, String)> =
        leptos::server_fn::axum::server_fn_paths().map(|(path, method)| (path, method.to_string())).collect();
    assert!(paths.len() >= 25, "the registered server functions: {paths:?}");
    let mut answered = Vec::new();
    for (path, method) in &paths {
        for (who, cookie) in [("anonymous", ""), ("citizen", citizen.as_str()), ("finance", staffer.cookie.as_str())] {
            let request = match method.as_str() {
                "GET" => app.client.get(app.url(path)),
                _ => {
                    app.client.post(app.url(path)).header("content-type", "application/x-www-form-urlencoded").body("")
                }
            };
            let r = request.header("cookie", cookie).send().await.unwrap();
            let status = r.status().as_u16();
            let body = r.text().await.unwrap();
            // A server function's refusal comes back as its `ApiError` (sent with status 500 by
            // Leptos): one that tells the person what to do is fine; `Internal` (what a call
            // whose arguments do not read becomes) or `Transport` is not.
            let refused = ["\"NotFound\"", "\"NotSignedIn\"", "\"StaffSignIn\"", "{\"Invalid\":"]
                .iter()
                .any(|e| body.starts_with(e));
            assert!(status == 200 || refused, "{method} {path} as {who}: {status} {body}");
            answered.push((path.to_string(), who, status));
        }
    }
    let ok = |path: &str, who: &str| answered.iter().any(|(p, w, s)| p == path && *w == who && *s == 200);
    assert!(ok("/api/search", "anonymous"), "the search with no filter: {answered:?}");
    assert!(ok("/api/staff_inbox", "finance"), "the inbox with no filter");
    assert!(ok("/api/staff_catalogue", "finance"), "the catalogue with no year and no county");
    assert!(ok("/api/my_payments", "citizen"));
    assert!(ok("/api/policies", "anonymous"));
    assert!(ok("/api/site_info", "anonymous"), "every page's header, with no county asked for");
    assert!(ok("/api/site_info", "citizen"));
}
