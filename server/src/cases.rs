//! The case forms' posts: file (step 1 sends a code, step 2 files), track (code → session),
//! reopen, supplement, leave. Every step redirects, so it all works without JavaScript.

use crate::addresses::Addresses;
use crate::check::{cookie, internal, redirect, too_many_back};
use app::api::cases::{CaseFormFields, FORM_COOKIE, TRACK_COOKIE};
use app::domain::cases::parse_tracking_no;
use app::domain::Phone;
use app::ssr::cases::{self, CaseError};
use app::ssr::code::{Started, Verified, CODE_TTL_SECS};
use app::ssr::session::{self, Kind};
use app::ssr::{cookie_value, AppContext};
use axum::extract::{ConnectInfo, Extension};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Form;
use serde::Deserialize;
use std::net::SocketAddr;

#[derive(Deserialize)]
pub struct FileForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    item: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    anonymous: Option<String>,
    #[serde(default)]
    payment: String,
}

/// Where a refused step sends the visitor back, with the reason's code.
fn back(to: &str, e: &CaseError) -> Option<String> {
    match e {
        CaseError::Form(f) => Some(format!("{to}?e={}", f.code())),
        CaseError::Action(a) => Some(format!("{to}?e={}", a.code())),
        CaseError::NotFound | CaseError::Db(_) => None,
    }
}

/// `POST /cases/start`: keeps the form, then either files it at once (a citizen signed in to the
/// self-check, whose phone is verified) or sends a code to the phone given.
pub async fn start(
    Extension(cx): Extension<AppContext>,
    Extension(addresses): Extension<Addresses>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<FileForm>,
) -> Response {
    let fields = CaseFormFields {
        kind: form.kind,
        item: form.item,
        place: form.place,
        description: form.description,
        name: form.name,
        phone: form.phone,
        anonymous: form.anonymous.is_some(),
        payment: form.payment.trim().parse().ok(),
    };
    let token = match cases::save_form(&cx, cookie_value(&headers, FORM_COOKIE).as_deref(), &fields).await {
        Ok(t) => t,
        Err(e) => return internal(e),
    };
    let keep = cookie(&headers, FORM_COOKIE, &token, Some(cases::DRAFT_TTL_SECS));
    let citizen = match cookie_value(&headers, Kind::Citizen.cookie()) {
        Some(t) => match session::find(&cx, Kind::Citizen, &t).await {
            Ok(s) => s,
            Err(e) => return internal(e),
        },
        None => None,
    };
    if let (Some(citizen), Some(_)) = (citizen, fields.payment) {
        return match cases::file_for_citizen(&cx, citizen.subject, &fields).await {
            Ok(filed) => {
                let _ = cases::forget_form(&cx, &token).await;
                redirect(&format!("/cases/filed?no={}", filed.tracking_no), &[cookie(&headers, FORM_COOKIE, "", Some(0))])
            }
            Err(e) => match back("/cases/new", &e) {
                Some(to) => redirect(&format!("{to}&payment={}", fields.payment.unwrap_or_default()), &[keep]),
                None => internal(e),
            },
        };
    }
    match cases::start_filing(&cx, &token, &fields, Some(addresses.client(peer.ip(), &headers))).await {
        Ok(Started::Pending { .. }) => redirect("/cases/code", &[cookie(&headers, FORM_COOKIE, &token, Some(CODE_TTL_SECS))]),
        Ok(Started::Limited { retry_after_secs }) => too_many_back(retry_after_secs, "/cases/new"),
        Err(e) => match back("/cases/new", &e) {
            Some(to) => redirect(&to, &[keep]),
            None => internal(e),
        },
    }
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

/// `POST /cases/verify`: the right code files the kept form.
pub async fn verify(Extension(cx): Extension<AppContext>, headers: HeaderMap, Form(form): Form<CodeForm>) -> Response {
    let Some(token) = cookie_value(&headers, FORM_COOKIE) else { return redirect("/cases/new?e=expired", &[]) };
    match cases::verify_filing(&cx, &token, &form.code).await {
        Ok(Verified::Done(filed)) => redirect(&format!("/cases/filed?no={}", filed.tracking_no), &[cookie(&headers, FORM_COOKIE, "", Some(0))]),
        Ok(Verified::Wrong { tries_left }) => redirect(&format!("/cases/code?left={tries_left}"), &[]),
        Ok(Verified::Expired) => redirect("/cases/new?e=expired", &[]),
        Err(e) => match back("/cases/new", &e) {
            Some(to) => redirect(&to, &[]),
            None => internal(e),
        },
    }
}

#[derive(Deserialize)]
pub struct TrackForm {
    #[serde(default)]
    no: String,
    #[serde(default)]
    phone: String,
}

/// `POST /cases/track/start`: a code goes to the phone if it filed that case; same answer always.
pub async fn track_start(
    Extension(cx): Extension<AppContext>,
    Extension(addresses): Extension<Addresses>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<TrackForm>,
) -> Response {
    let Some(no) = parse_tracking_no(&form.no) else { return redirect("/cases/track?e=no", &[]) };
    let Ok(phone) = Phone::parse(&form.phone) else { return redirect("/cases/track?e=phone", &[]) };
    match cases::start_tracking(&cx, &no, &phone, Some(addresses.client(peer.ip(), &headers))).await {
        Ok(Started::Pending { token }) => redirect("/cases/track/code", &[cookie(&headers, TRACK_COOKIE, &token, Some(CODE_TTL_SECS))]),
        Ok(Started::Limited { retry_after_secs }) => too_many_back(retry_after_secs, "/cases/track"),
        Err(e) => internal(e),
    }
}

/// `POST /cases/track/verify`: the right code opens the filer's view of the case.
pub async fn track_verify(Extension(cx): Extension<AppContext>, headers: HeaderMap, Form(form): Form<CodeForm>) -> Response {
    let Some(token) = cookie_value(&headers, TRACK_COOKIE) else { return redirect("/cases/track?e=expired", &[]) };
    match cases::verify_tracking(&cx, &token, &form.code).await {
        Ok(Verified::Done(session)) => redirect(
            "/cases/mine",
            &[cookie(&headers, Kind::Case.cookie(), &session, None), cookie(&headers, TRACK_COOKIE, "", Some(0))],
        ),
        Ok(Verified::Wrong { tries_left }) => redirect(&format!("/cases/track/code?left={tries_left}"), &[]),
        Ok(Verified::Expired) => redirect("/cases/track?e=expired", &[cookie(&headers, TRACK_COOKIE, "", Some(0))]),
        Err(e) => internal(e),
    }
}

#[derive(Deserialize)]
pub struct NoteForm {
    #[serde(default)]
    note: String,
}

/// The case of the filer's live tracking session, or the redirect back to tracking.
async fn tracked_case(cx: &AppContext, headers: &HeaderMap) -> Result<i64, Response> {
    let token = cookie_value(headers, Kind::Case.cookie()).ok_or_else(|| redirect("/cases/track?e=expired", &[]))?;
    cases::tracked(cx, &token).await.map_err(internal)?.ok_or_else(|| redirect("/cases/track?e=expired", &[]))
}

/// Back to the filer's view: with `done` after a step, or with the reason it was refused.
fn after_filer_step(result: Result<(), CaseError>, done: &str) -> Response {
    match result {
        Ok(()) => redirect(&format!("/cases/mine?done={done}"), &[]),
        Err(e) => back("/cases/mine", &e).map(|to| redirect(&to, &[])).unwrap_or_else(|| internal(e)),
    }
}

/// `POST /cases/reopen`: the filer finds the answer unsatisfactory.
pub async fn reopen(Extension(cx): Extension<AppContext>, headers: HeaderMap, Form(form): Form<NoteForm>) -> Response {
    match tracked_case(&cx, &headers).await {
        Ok(id) => after_filer_step(cases::reopen(&cx, id, &form.note).await, "reopened"),
        Err(r) => r,
    }
}

/// `POST /cases/supplement`: the filer adds what the department asked for.
pub async fn supplement(Extension(cx): Extension<AppContext>, headers: HeaderMap, Form(form): Form<NoteForm>) -> Response {
    match tracked_case(&cx, &headers).await {
        Ok(id) => after_filer_step(cases::supplement(&cx, id, &form.note).await, "supplemented"),
        Err(r) => r,
    }
}

/// `POST /cases/leave`: ends the filer's view.
pub async fn leave(Extension(cx): Extension<AppContext>, headers: HeaderMap) -> Response {
    if let Some(token) = cookie_value(&headers, Kind::Case.cookie()) {
        if let Err(e) = session::close(&cx, &token).await {
            return internal(e);
        }
    }
    redirect("/cases/track?e=signed_out", &[cookie(&headers, Kind::Case.cookie(), "", Some(0))])
}
