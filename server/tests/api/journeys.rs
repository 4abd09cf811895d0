//! What people do, as methods of the test app: a staff member signs in and then gets pages and
//! posts forms (their CSRF token added), a citizen signs in to the self-check with the code sent
//! to their phone, someone files a case and tracks it.

use crate::helpers::{age_codes, code_sent_to, location, set_cookie, TestApp};

/// A signed-in staff member of a test app.
pub struct Staffer<'a> {
    app: &'a TestApp,
    pub cookie: String,
    pub csrf: String,
}

/// The session's CSRF token, as a page's forms carry it.
fn csrf_in(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a CSRF field") + "name=\"csrf\" value=\"".len();
    html[at..at + 32].to_string()
}

impl TestApp {
    /// Signs in as `username` with the demo password.
    pub async fn staff(&self, username: &str) -> Staffer<'_> {
        let r = self
            .client
            .post(self.url("/staff/login"))
            .form(&[("username", username), ("password", server::demo::office::DEMO_PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(location(&r), "/staff", "{username} signs in");
        let cookie = set_cookie(&r, "staff_session").expect("a staff session");
        let (_, html) = self.get_text_as("/staff", &cookie).await;
        Staffer { app: self, csrf: csrf_in(&html), cookie }
    }

    /// Signs `id` with `phone` in to the self-check (the code read from the dev outbox); returns
    /// the session's cookie.
    pub async fn citizen(&self, id: &str, phone: &str) -> String {
        let r = self
            .client
            .post(self.url("/check/start"))
            .form(&[("id_number", id), ("phone", phone)])
            .send()
            .await
            .unwrap();
        assert_eq!(location(&r), "/check/code", "a code for {phone}");
        let pending = set_cookie(&r, "check_pending").expect("a pending cookie");
        let code = code_sent_to(self, phone).await.expect("the code");
        let r = self
            .client
            .post(self.url("/check/verify"))
            .header("cookie", &pending)
            .form(&[("code", code.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(location(&r), "/check/payments");
        set_cookie(&r, "citizen_session").expect("a citizen session")
    }

    /// Files a complaint through the form and the SMS code; returns its tracking number.
    pub async fn file_case(&self, item: &str, place: &str, phone: &str, anonymous: bool) -> String {
        let mut fields = vec![
            ("kind", "complaint"),
            ("item", item),
            ("place", place),
            ("description", crate::cases::DESCRIPTION),
            ("name", "王秀英"),
            ("phone", phone),
        ];
        if anonymous {
            fields.push(("anonymous", "1"));
        }
        let r = self.client.post(self.url("/cases/start")).form(&fields).send().await.unwrap();
        assert_eq!((r.status().as_u16(), location(&r).as_str()), (303, "/cases/code"));
        let form = set_cookie(&r, "case_form").expect("the kept form's cookie");
        let code = code_sent_to(self, phone).await.expect("a code by SMS");
        let r = self
            .client
            .post(self.url("/cases/verify"))
            .header("cookie", &form)
            .form(&[("code", code.as_str())])
            .send()
            .await
            .unwrap();
        let to = location(&r);
        if !to.starts_with("/cases/filed?no=") {
            let status = r.status();
            panic!("filing did not end on the filed page: {status} {to:?} {}", r.text().await.unwrap_or_default());
        }
        to["/cases/filed?no=".len()..].to_string()
    }

    /// Tracks a case as its filer: number + phone → code → the session cookie of the filer's view.
    pub async fn track_case(&self, no: &str, phone: &str) -> String {
        age_codes(self).await;
        let r = self
            .client
            .post(self.url("/cases/track/start"))
            .form(&[("no", no), ("phone", phone)])
            .send()
            .await
            .unwrap();
        assert_eq!(location(&r), "/cases/track/code");
        let pending = set_cookie(&r, "case_track").expect("a pending code");
        let code = code_sent_to(self, phone).await.expect("a code by SMS");
        let r = self
            .client
            .post(self.url("/cases/track/verify"))
            .header("cookie", &pending)
            .form(&[("code", code.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(location(&r), "/cases/mine");
        set_cookie(&r, "case_session").expect("the filer's session")
    }
}

impl Staffer<'_> {
    /// A page as this staff member sees it.
    pub async fn get(&self, path: &str) -> (u16, String) {
        self.app.get_text_as(path, &self.cookie).await
    }

    /// Posts a form with this session's CSRF token.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut form: Vec<(&str, &str)> = vec![("csrf", self.csrf.as_str())];
        form.extend_from_slice(fields);
        self.app.client.post(self.app.url(path)).header("cookie", &self.cookie).form(&form).send().await.unwrap()
    }

    /// Uploads a file with the form's fields and this session's CSRF token.
    pub async fn upload(&self, path: &str, fields: &[(&str, &str)], file: Vec<u8>) -> reqwest::Response {
        let mut form = reqwest::multipart::Form::new().text("csrf", self.csrf.clone());
        for (k, v) in fields {
            form = form.text(k.to_string(), v.to_string());
        }
        form = form.part("file", reqwest::multipart::Part::bytes(file).file_name("清册.csv"));
        self.app.client.post(self.app.url(path)).header("cookie", &self.cookie).multipart(form).send().await.unwrap()
    }

    /// One step on a case (`accept`, `reply` with a note, `transfer` …).
    pub async fn act(&self, case: i64, fields: &[(&str, &str)]) -> reqwest::Response {
        self.post(&format!("/staff/cases/{case}"), fields).await
    }

    /// One step of a roster's review flow.
    pub async fn step(&self, roster: i64, step: &str, note: &str) -> reqwest::Response {
        self.post(&format!("/staff/rosters/{roster}/step"), &[("step", step), ("note", note)]).await
    }
}
