//! The roster posts of the department side: upload a file (kept for its preview), import it,
//! a step of the review flow, the file for the bank, and the bank's feedback. Every form carries
//! the session's CSRF token.

use crate::check::{internal, page, redirect};
use app::ssr::rosters::flow::{self, FlowError};
use app::ssr::rosters::ImportError;
use app::ssr::staff::{self as staff_auth, Role, Staff};
use app::ssr::session::Kind;
use app::ssr::{cookie_value, AppContext};
use axum::extract::{Extension, Multipart, Path};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use serde::Deserialize;

/// The staff member of the request, when the CSRF token (if asked for) is the session's.
async fn staff(cx: &AppContext, headers: &HeaderMap, csrf: Option<&str>) -> Result<Staff, Response> {
    let (staff, expected) = session(cx, headers).await?;
    if csrf.is_some_and(|c| !csrfs_match(c, &expected)) {
        return Err(form_expired());
    }
    Ok(staff)
}

/// The staff member of the request's session and the CSRF token its forms carry.
async fn session(cx: &AppContext, headers: &HeaderMap) -> Result<(Staff, String), Response> {
    let token = cookie_value(headers, Kind::Staff.cookie()).ok_or_else(|| redirect("/staff/login", &[]))?;
    match staff_auth::by_session(cx, &token).await {
        Ok(Some(found)) => Ok(found),
        Ok(None) => Err(redirect("/staff/login?e=expired", &[])),
        Err(e) => Err(internal(e)),
    }
}

fn csrfs_match(sent: &str, expected: &str) -> bool {
    !sent.is_empty() && sent == expected
}

fn form_expired() -> Response {
    (StatusCode::FORBIDDEN, Html(page("无法完成操作", "<p role=\"alert\">表单已过期，请刷新页面后重试。</p>"))).into_response()
}

/// A signed-in staff member's upload: the session is checked before the body is read, the
/// form's CSRF token after.
async fn staff_upload(cx: &AppContext, headers: &HeaderMap, form: Multipart, back: &str) -> Result<(Staff, Upload), Response> {
    let (staff, expected) = session(cx, headers).await?;
    if !matches!(staff.role, Role::Department | Role::Finance) {
        return Err(crate::staff::forbidden("只有补贴项目的主管部门和财政局可以上传清册和银行反馈。"));
    }
    let upload = read_multipart(form).await.map_err(|why| refused("上传失败", why, back))?;
    if !csrfs_match(upload.fields.get("csrf").map(String::as_str).unwrap_or(""), &expected) {
        return Err(form_expired());
    }
    Ok((staff, upload))
}

/// The fields of a multipart form: text fields and the one file.
#[derive(Default)]
struct Upload {
    fields: std::collections::HashMap<String, String>,
    file_name: String,
    bytes: Vec<u8>,
}

/// The form's parts, or why they could not be read (in words for the page; the parser's own
/// text goes to the log only).
async fn read_multipart(mut form: Multipart) -> Result<Upload, &'static str> {
    let broken = |e: axum::extract::multipart::MultipartError| {
        tracing::info!(error = %e, "upload not read");
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            "文件过大（超过20MB），请分批导入或使用命令行导入"
        } else {
            "文件没有完整上传，请重试"
        }
    };
    let mut out = Upload::default();
    while let Some(field) = form.next_field().await.map_err(broken)? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            out.file_name = field.file_name().unwrap_or("upload").chars().take(100).collect();
            out.bytes = field.bytes().await.map_err(broken)?.to_vec();
        } else {
            let text = field.text().await.map_err(broken)?;
            if text.chars().count() > crate::field_limits::FIELD_MAX_CHARS || out.fields.len() >= crate::field_limits::FIELDS_MAX {
                return Err("表单内容过长，请返回上一页重新填写后再提交");
            }
            out.fields.insert(name, text);
        }
    }
    Ok(out)
}

fn refused(title: &str, message: &str, back: &str) -> Response {
    let body = format!("<p role=\"alert\" class=\"error-box\">{}</p><p><a href=\"{back}\">返回</a></p>", message.replace('<', "&lt;"));
    (StatusCode::BAD_REQUEST, Html(page(title, &body))).into_response()
}

/// A refused step as a page: the database's own words go to the log (a generic page), the rest
/// are ours and said as they are.
fn flow_error(title: &str, e: FlowError, back: &str) -> Response {
    match e {
        FlowError::Db(e) | FlowError::Import(ImportError::Db(e)) => internal(e),
        FlowError::NotFound => (StatusCode::NOT_FOUND, Html(page("未找到", "<p>没有这个清册，或不属于您的部门。</p>"))).into_response(),
        e => refused(title, &e.to_string(), back),
    }
}

/// `POST /staff/rosters/upload`: keeps the file and shows its check.
pub async fn upload(Extension(cx): Extension<AppContext>, headers: HeaderMap, form: Multipart) -> Response {
    let (staff, upload) = match staff_upload(&cx, &headers, form, "/staff/rosters/new").await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let field = |k: &str| upload.fields.get(k).cloned().unwrap_or_default();
    match flow::may_import(&cx, &staff, &field("item"), &field("period")).await {
        Ok(true) => {}
        Ok(false) => return crate::staff::forbidden("只有该补贴项目的主管部门和财政局可以导入它的清册。"),
        Err(e) => return internal(e),
    }
    if upload.bytes.is_empty() {
        return refused("上传失败", "请选择要上传的文件", "/staff/rosters/new");
    }
    if let Err(e) = app::ssr::rosters::file::check_content(&upload.bytes, app::ssr::rosters::file::MAX_BYTES) {
        return refused("上传失败", &e.to_string(), "/staff/rosters/new");
    }
    match flow::keep_upload(&cx, &staff, "roster", &field("item"), &field("period"), None, &upload.file_name, &upload.bytes).await {
        Ok(token) => redirect(&format!("/staff/rosters/upload/{token}"), &[]),
        Err(e) => internal(e),
    }
}

#[derive(Deserialize)]
pub struct ImportForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    token: String,
    #[serde(default)]
    exclude_bad: Option<String>,
}

/// `POST /staff/rosters/import`: writes the kept file, all or nothing.
pub async fn import(Extension(cx): Extension<AppContext>, headers: HeaderMap, Form(form): Form<ImportForm>) -> Response {
    let staff = match staff(&cx, &headers, Some(&form.csrf)).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let back = format!("/staff/rosters/upload/{}", form.token);
    match flow::import(&cx, &staff, &form.token, form.exclude_bad.is_some()).await {
        Ok(ids) => redirect(&format!("/staff/rosters/{}?done=imported", ids.first().copied().unwrap_or(0)), &[]),
        Err(e) => flow_error("未能导入", e, &back),
    }
}

#[derive(Deserialize)]
pub struct StepForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    step: String,
    #[serde(default)]
    note: String,
}

/// `POST /staff/rosters/{id}/step`: one step of the review flow.
pub async fn step(Extension(cx): Extension<AppContext>, headers: HeaderMap, Path(id): Path<i64>, Form(form): Form<StepForm>) -> Response {
    let staff = match staff(&cx, &headers, Some(&form.csrf)).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    match flow::step(&cx, &staff, id, &form.step, &form.note).await {
        Ok(shown) => redirect(&format!("/staff/rosters/{shown}?done={}", form.step), &[]),
        Err(e) => flow_error("未能办理", e, &format!("/staff/rosters/{id}")),
    }
}

#[derive(Deserialize)]
pub struct CorrectForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    payment: String,
    #[serde(default)]
    bank: String,
    #[serde(default)]
    account: String,
}

/// `POST /staff/rosters/{id}/correct`: a line's bank details corrected before it is paid again.
pub async fn correct(Extension(cx): Extension<AppContext>, headers: HeaderMap, Path(id): Path<i64>, Form(form): Form<CorrectForm>) -> Response {
    let staff = match staff(&cx, &headers, Some(&form.csrf)).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let (payment, bank) = (form.payment.trim().parse().unwrap_or(-1), form.bank.trim().parse().unwrap_or(-1));
    match flow::correct_line(&cx, &staff, id, payment, bank, &form.account).await {
        Ok(()) => redirect(&format!("/staff/rosters/{id}?done=correct"), &[]),
        Err(e) => flow_error("未能更正", e, &format!("/staff/rosters/{id}")),
    }
}

/// `GET /staff/rosters/{id}/bank.csv`: the file for the bank (staff only, audited).
pub async fn bank_file(Extension(cx): Extension<AppContext>, headers: HeaderMap, Path(id): Path<i64>) -> Response {
    let staff = match staff(&cx, &headers, None).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    match flow::bank_file(&cx, &staff, id).await {
        Ok((name, csv)) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
                (header::CACHE_CONTROL, "no-store".to_string()),
            ],
            csv,
        )
            .into_response(),
        Err(e) => flow_error("无法下载", e, &format!("/staff/rosters/{id}")),
    }
}

/// `POST /staff/rosters/{id}/feedback`: the bank's feedback file; every problem listed.
pub async fn feedback(Extension(cx): Extension<AppContext>, headers: HeaderMap, Path(id): Path<i64>, form: Multipart) -> Response {
    let back = format!("/staff/rosters/{id}");
    let (staff, upload) = match staff_upload(&cx, &headers, form, &back).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    match flow::import_feedback(&cx, &staff, id, &upload.bytes).await {
        Ok((paid, failed, late)) => redirect(&format!("{back}?done=feedback&paid={paid}&failed={failed}&late={}", u8::from(late)), &[]),
        Err(FlowError::Feedback(problems)) => {
            let list: String = problems
                .iter()
                .map(|p| {
                    let row = if p.row > 0 { format!("第{}行 ", p.row) } else { String::new() };
                    format!("<li>{row}{}：{}</li>", p.column, p.message.replace('<', "&lt;"))
                })
                .collect();
            let body = format!("<p role=\"alert\" class=\"error-box\">银行反馈文件有 {} 处问题，没有导入任何一行。请改正后重新上传。</p><ol>{list}</ol><p><a href=\"{back}\">返回清册</a></p>", problems.len());
            (StatusCode::BAD_REQUEST, Html(page("银行反馈未导入", &body))).into_response()
        }
        Err(e) => flow_error("银行反馈未导入", e, &back),
    }
}
