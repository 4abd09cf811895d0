//! The size limit of every field of every posted form: a backstop behind each form's own checks
//! (which are stricter and keep what was typed), so that no field of any form, now or later,
//! takes megabytes into a handler, a log or the database.

use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

/// The most characters one field may hold: above every form's own limit (a case description
/// 1,000, a note or reply 2,000, a notice title 100).
pub const FIELD_MAX_CHARS: usize = 5_000;
/// The most fields one form may have (the largest form, an item of the catalogue, has 17).
pub const FIELDS_MAX: usize = 200;
/// Fields that are longer by nature and checked by their handler: (path, field).
const LONG_FIELDS: &[(&str, &str)] = &[("/staff/notices", "body")];
/// The whole form, as axum's default body limit.
const FORM_MAX_BYTES: usize = 2 * 1024 * 1024;

pub async fn layer(request: Request, next: Next) -> Response {
    let is_form = request.method() == Method::POST
        && request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, FORM_MAX_BYTES).await else {
        return refused(StatusCode::PAYLOAD_TOO_LARGE, "提交的内容过大：表单最多 2 MB。请精简后重试。");
    };
    if let Err(why) = check(parts.uri.path(), &bytes) {
        tracing::info!(path = parts.uri.path(), why, "form refused by field limits");
        return refused(StatusCode::PAYLOAD_TOO_LARGE, why);
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

/// Why a form is refused, if it is.
pub fn check(path: &str, form: &[u8]) -> Result<(), &'static str> {
    let mut fields = 0;
    for (name, value) in form_urlencoded::parse(form) {
        fields += 1;
        if fields > FIELDS_MAX {
            return Err("表单的项目过多，无法处理。请返回上一页重新填写后再提交。");
        }
        let long = LONG_FIELDS.iter().any(|(p, f)| *p == path && *f == name);
        if !long && value.chars().count() > FIELD_MAX_CHARS {
            return Err("填写的某一项内容过长（每项最多 5000 字），请精简后重试。");
        }
    }
    Ok(())
}

fn refused(status: StatusCode, why: &str) -> Response {
    let body = format!("<p role=\"alert\">{why}</p><p><a href=\"/\">返回首页</a></p>");
    (status, Html(crate::web::page("无法处理的请求", &body))).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(fields: &[(&str, String)]) -> Vec<u8> {
        form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish().into_bytes()
    }

    #[test]
    fn a_field_over_the_limit_is_refused_counted_in_characters() {
        let at_limit = "字".repeat(FIELD_MAX_CHARS);
        assert_eq!(check("/cases/start", &form(&[("description", at_limit.clone())])), Ok(()));
        let over = format!("{at_limit}a");
        assert!(check("/cases/start", &form(&[("csrf", "x".into()), ("description", over.clone())])).is_err());
        assert!(check("/staff/notices", &form(&[("title", over.clone())])).is_err(), "only the notice body is long");
        assert_eq!(check("/staff/notices", &form(&[("body", over)])), Ok(()));
    }

    #[test]
    fn too_many_fields_are_refused() {
        let many: Vec<(&str, String)> = (0..=FIELDS_MAX).map(|_| ("x", String::new())).collect();
        assert!(check("/staff/catalogue", &form(&many)).is_err());
        assert_eq!(check("/staff/catalogue", &form(&many[..FIELDS_MAX])), Ok(()));
    }
}
