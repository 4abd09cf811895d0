//! The roster posts of the department side: upload a file (kept for its preview), import it,
//! a step of the review flow, the file for the bank, and the bank's feedback. Every form carries
//! the session's CSRF token; an upload's session is checked before its body is read.

use crate::web::{escape, page, redirect, PageError, PageResult, StaffForm, StaffSession};
use app::domain::publicity::LineCorrection;
use app::ssr::rosters::flow::{self, FlowError};
use app::ssr::rosters::ImportError;
use app::ssr::staff::{Role, Staff};
use app::ssr::AppContext;
use axum::extract::{DefaultBodyLimit, Extension, Multipart, Path};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

/// The rosters' routes; uploads may be as large as the import reads (plus the form around them).
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    let upload_limit = || DefaultBodyLimit::max(app::ssr::rosters::file::MAX_BYTES + 1024 * 1024);
    Router::new()
        .route("/staff/rosters/upload", post(upload).layer(upload_limit()))
        .route("/staff/rosters/import", post(import))
        .route("/staff/rosters/{id}/step", post(step))
        .route("/staff/rosters/{id}/correct", post(correct))
        .route("/staff/rosters/{id}/clawback", post(claw_back))
        .route("/staff/rosters/{id}/correction", post(correct_publicity))
        .route("/staff/rosters/{id}/bank.csv", get(bank_file))
        .route("/staff/rosters/{id}/feedback", post(feedback).layer(upload_limit()))
}

/// A signed-in staff member's upload: the session is checked before the body is read (only
/// those who may upload get that far), the form's CSRF token after.
async fn staff_upload(session: StaffSession, form: Multipart, back: &str) -> Result<(Staff, Upload), PageError> {
    if !matches!(session.staff.role, Role::Department | Role::Finance) {
        return Err(PageError::Forbidden("只有补贴项目的主管部门和财政局可以上传清册和银行反馈。".into()));
    }
    let upload = read_multipart(form).await.map_err(|why| refused("上传失败", why, back))?;
    if !session.accepts(upload.fields.get("csrf").map(String::as_str).unwrap_or("")) {
        return Err(PageError::FormExpired);
    }
    Ok((session.staff, upload))
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
            if text.chars().count() > crate::field_limits::FIELD_MAX_CHARS
                || out.fields.len() >= crate::field_limits::FIELDS_MAX
            {
                return Err("表单内容过长，请返回上一页重新填写后再提交");
            }
            out.fields.insert(name, text);
        }
    }
    Ok(out)
}

fn refused(title: &'static str, message: &str, back: &str) -> PageError {
    PageError::Refused { title, message: message.to_string(), back: back.to_string() }
}

/// A refused step: the database's own words go to the log (a generic page), the rest are ours
/// and said as they are.
fn flow_error(title: &'static str, e: FlowError, back: &str) -> PageError {
    match e {
        FlowError::Db(e) | FlowError::Import(ImportError::Db(e)) => e.into(),
        FlowError::Log(e) => PageError::internal(e),
        FlowError::NotFound => {
            PageError::NotFound { what: "没有这个清册，或不属于您的部门。", back: "/staff/rosters" }
        }
        e => refused(title, &e.to_string(), back),
    }
}

/// `POST /staff/rosters/upload`: keeps the file and shows its check.
async fn upload(Extension(cx): Extension<AppContext>, session: StaffSession, form: Multipart) -> PageResult {
    let (staff, upload) = staff_upload(session, form, "/staff/rosters/new").await?;
    let field = |k: &str| upload.fields.get(k).cloned().unwrap_or_default();
    if !flow::may_import(&cx, &staff, &field("item"), &field("period")).await? {
        return Err(PageError::Forbidden("只有该补贴项目的主管部门和财政局可以导入它的清册。".into()));
    }
    if upload.bytes.is_empty() {
        return Err(refused("上传失败", "请选择要上传的文件", "/staff/rosters/new"));
    }
    if let Err(e) = app::ssr::rosters::file::check_content(&upload.bytes, app::ssr::rosters::file::MAX_BYTES) {
        return Err(refused("上传失败", &e.to_string(), "/staff/rosters/new"));
    }
    let token = flow::keep_upload(
        &cx,
        &staff,
        "roster",
        &field("item"),
        &field("period"),
        None,
        &upload.file_name,
        &upload.bytes,
    )
    .await?;
    Ok(redirect(&format!("/staff/rosters/upload/{token}"), &[]))
}

#[derive(Deserialize)]
pub struct ImportForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    exclude_bad: Option<String>,
}

/// `POST /staff/rosters/import`: writes the kept file, all or nothing.
async fn import(Extension(cx): Extension<AppContext>, StaffForm { staff, form }: StaffForm<ImportForm>) -> PageResult {
    let back = format!("/staff/rosters/upload/{}", form.token);
    let ids = flow::import(&cx, &staff, &form.token, form.exclude_bad.is_some())
        .await
        .map_err(|e| flow_error("未能导入", e, &back))?;
    Ok(redirect(&format!("/staff/rosters/{}?done=imported", ids.first().copied().unwrap_or(0)), &[]))
}

#[derive(Deserialize)]
pub struct StepForm {
    #[serde(default)]
    step: String,
    #[serde(default)]
    note: String,
    /// For `publicise` of a roster with small cells: `township` or `line`.
    #[serde(default)]
    small_cells: String,
}

/// `POST /staff/rosters/{id}/step`: one step of the review flow.
async fn step(
    Extension(cx): Extension<AppContext>,
    Path(id): Path<i64>,
    StaffForm { staff, form }: StaffForm<StepForm>,
) -> PageResult {
    let choice = app::domain::publicity::SmallCellChoice::from_code(&form.small_cells);
    let shown = flow::step(&cx, &staff, id, &form.step, &form.note, choice)
        .await
        .map_err(|e| flow_error("未能办理", e, &format!("/staff/rosters/{id}")))?;
    Ok(redirect(&format!("/staff/rosters/{shown}?done={}", form.step), &[]))
}

#[derive(Deserialize)]
pub struct CorrectForm {
    #[serde(default)]
    payment: String,
    #[serde(default)]
    bank: String,
    #[serde(default)]
    account: String,
}

/// `POST /staff/rosters/{id}/correct`: a line's bank details corrected before it is paid again.
async fn correct(
    Extension(cx): Extension<AppContext>,
    Path(id): Path<i64>,
    StaffForm { staff, form }: StaffForm<CorrectForm>,
) -> PageResult {
    let (payment, bank) = (form.payment.trim().parse().unwrap_or(-1), form.bank.trim().parse().unwrap_or(-1));
    flow::correct_line(&cx, &staff, id, payment, bank, &form.account)
        .await
        .map_err(|e| flow_error("未能更正", e, &format!("/staff/rosters/{id}")))?;
    Ok(redirect(&format!("/staff/rosters/{id}?done=correct"), &[]))
}

#[derive(Deserialize)]
pub struct ClawbackForm {
    #[serde(default)]
    payment: String,
    #[serde(default)]
    note: String,
}

/// `POST /staff/rosters/{id}/clawback`: a paid line's money recovered (追回), with a reason.
async fn claw_back(
    Extension(cx): Extension<AppContext>,
    Path(id): Path<i64>,
    StaffForm { staff, form }: StaffForm<ClawbackForm>,
) -> PageResult {
    let payment = form.payment.trim().parse().unwrap_or(-1);
    flow::claw_back(&cx, &staff, id, payment, &form.note)
        .await
        .map_err(|e| flow_error("未能追回", e, &format!("/staff/rosters/{id}")))?;
    Ok(redirect(&format!("/staff/rosters/{id}?done=clawback"), &[]))
}

#[derive(Deserialize)]
pub struct CorrectionForm {
    #[serde(default)]
    payment: String,
    /// `amount`, `recipient` or `remove`.
    #[serde(default)]
    change: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    recipient: String,
    #[serde(default)]
    note: String,
}

/// `POST /staff/rosters/{id}/correction`: a published line corrected before it is paid (更正:
/// its amount, who receives it, or its removal), with a reason.
async fn correct_publicity(
    Extension(cx): Extension<AppContext>,
    Path(id): Path<i64>,
    StaffForm { staff, form }: StaffForm<CorrectionForm>,
) -> PageResult {
    let back = format!("/staff/rosters/{id}");
    let payment = form.payment.trim().parse().unwrap_or(-1);
    let correction = LineCorrection::from_form(&form.change, &form.amount, &form.recipient)
        .map_err(|why| flow_error("未能更正", FlowError::Invalid(why), &back))?;
    flow::correct_publicity(&cx, &staff, id, payment, &correction, &form.note)
        .await
        .map_err(|e| flow_error("未能更正", e, &back))?;
    Ok(redirect(&format!("/staff/rosters/{id}?done=correction"), &[]))
}

/// `GET /staff/rosters/{id}/bank.csv`: the file for the bank (staff only, audited).
async fn bank_file(Extension(cx): Extension<AppContext>, Path(id): Path<i64>, session: StaffSession) -> PageResult {
    let (name, csv) = flow::bank_file(&cx, &session.staff, id)
        .await
        .map_err(|e| flow_error("无法下载", e, &format!("/staff/rosters/{id}")))?;
    let headers = [
        (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
        (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        (header::CACHE_CONTROL, "no-store".to_string()),
    ];
    Ok((headers, csv).into_response())
}

/// `POST /staff/rosters/{id}/feedback`: the bank's feedback file; every problem listed.
async fn feedback(
    Extension(cx): Extension<AppContext>,
    Path(id): Path<i64>,
    session: StaffSession,
    form: Multipart,
) -> PageResult {
    let back = format!("/staff/rosters/{id}");
    let (staff, upload) = staff_upload(session, form, &back).await?;
    match flow::import_feedback(&cx, &staff, id, &upload.bytes).await {
        Ok((paid, failed, late)) => {
            Ok(redirect(&format!("{back}?done=feedback&paid={paid}&failed={failed}&late={}", u8::from(late)), &[]))
        }
        Err(FlowError::Feedback(problems)) => {
            let list: String = problems
                .iter()
                .map(|p| {
                    let row = if p.row > 0 { format!("第{}行 ", p.row) } else { String::new() };
                    format!("<li>{row}{}：{}</li>", p.column, escape(&p.message))
                })
                .collect();
            let body = format!("<p role=\"alert\" class=\"error-box\">银行反馈文件有 {} 处问题，没有导入任何一行。请改正后重新上传。</p><ol>{list}</ol><p><a href=\"{back}\">返回清册</a></p>", problems.len());
            Ok((StatusCode::BAD_REQUEST, Html(page("银行反馈未导入", &body))).into_response())
        }
        Err(e) => Err(flow_error("银行反馈未导入", e, &back)),
    }
}
