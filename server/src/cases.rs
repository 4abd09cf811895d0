//! The case forms' posts: file (step 1 sends a code, step 2 files), track (code → session),
//! reopen, supplement, leave. Every step redirects, so it all works without JavaScript.

use crate::web::{cookie, redirect, CaseFiler, Citizen, ClientAddr, PageError, PageResult};
use app::api::cases::{CaseFormFields, FORM_COOKIE, TRACK_COOKIE};
use app::domain::cases::parse_tracking_no;
use app::domain::Phone;
use app::ssr::cases::{self, CaseError};
use app::ssr::code::{Started, Verified, CODE_TTL_SECS};
use app::ssr::session::{self, Kind};
use app::ssr::{cookie_value, AppContext};
use axum::extract::Extension;
use axum::http::HeaderMap;
use axum::routing::post;
use axum::{Form, Router};
use serde::Deserialize;

/// The case forms' routes.
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/cases/start", post(start))
        .route("/cases/verify", post(verify))
        .route("/cases/track/start", post(track_start))
        .route("/cases/track/verify", post(track_verify))
        .route("/cases/reopen", post(reopen))
        .route("/cases/supplement", post(supplement))
        .route("/cases/leave", post(leave))
}

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
    /// The county the form's page was scoped to (`?county=`), kept when the form comes back.
    #[serde(default)]
    county: String,
}

/// Where a refused step sends the visitor back, with the reason's code; a failure of ours is
/// an error page.
fn refusal(to: &str, e: CaseError) -> Result<String, PageError> {
    match e {
        CaseError::Form(f) => Ok(format!("{to}?e={}", f.code())),
        CaseError::Action(a) => Ok(format!("{to}?e={}", a.code())),
        e @ (CaseError::NotFound | CaseError::Db(_)) => Err(PageError::internal(e)),
    }
}

/// `POST /cases/start`: keeps the form, then either files it at once (a citizen signed in to the
/// self-check, whose phone is verified) or sends a code to the phone given.
async fn start(
    Extension(cx): Extension<AppContext>,
    ClientAddr(addr): ClientAddr,
    citizen: Result<Citizen, PageError>,
    headers: HeaderMap,
    Form(form): Form<FileForm>,
) -> PageResult {
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
    let token = cases::save_form(&cx, cookie_value(&headers, FORM_COOKIE).as_deref(), &fields).await?;
    let keep = cookie(&headers, FORM_COOKIE, &token, Some(cases::DRAFT_TTL_SECS));
    let county = app::ssr::regions::county_code_shape(form.county.trim()).then(|| form.county.trim().to_string());
    let back = |e| refusal("/cases/new", e).map(|to| app::components::scoped(&to, county.as_deref()));
    let citizen = match citizen {
        Ok(Citizen(beneficiary)) => Some(beneficiary),
        Err(PageError::Back(_)) => None,
        Err(e) => return Err(e),
    };
    if let (Some(citizen), Some(payment)) = (citizen, fields.payment) {
        return match cases::file_for_citizen(&cx, citizen, &fields).await {
            Ok(filed) => {
                // The case is filed; a kept form left behind expires on its own.
                let _ = cases::forget_form(&cx, &token).await;
                Ok(redirect(
                    &format!("/cases/filed?no={}", filed.tracking_no),
                    &[cookie(&headers, FORM_COOKIE, "", Some(0))],
                ))
            }
            Err(e) => Ok(redirect(&format!("{}&payment={payment}", back(e)?), &[keep])),
        };
    }
    match cases::start_filing(&cx, &token, &fields, Some(addr)).await {
        Ok(Started::Pending { .. }) => {
            Ok(redirect("/cases/code", &[cookie(&headers, FORM_COOKIE, &token, Some(CODE_TTL_SECS))]))
        }
        Ok(Started::Limited { retry_after_secs }) => Err(PageError::TooMany { retry_after_secs, back: "/cases/new" }),
        Err(e) => Ok(redirect(&back(e)?, &[keep])),
    }
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

/// `POST /cases/verify`: the right code files the kept form.
async fn verify(Extension(cx): Extension<AppContext>, headers: HeaderMap, Form(form): Form<CodeForm>) -> PageResult {
    let token = cookie_value(&headers, FORM_COOKIE).ok_or_else(|| PageError::back("/cases/new?e=expired"))?;
    match cases::verify_filing(&cx, &token, &form.code).await {
        Ok(Verified::Done(filed)) => Ok(redirect(
            &format!("/cases/filed?no={}", filed.tracking_no),
            &[cookie(&headers, FORM_COOKIE, "", Some(0))],
        )),
        Ok(Verified::Wrong { tries_left }) => Ok(redirect(&format!("/cases/code?left={tries_left}"), &[])),
        Ok(Verified::Expired) => Ok(redirect("/cases/new?e=expired", &[])),
        Err(e) => Err(PageError::Back(refusal("/cases/new", e)?)),
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
async fn track_start(
    Extension(cx): Extension<AppContext>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    Form(form): Form<TrackForm>,
) -> PageResult {
    let no = parse_tracking_no(&form.no).ok_or_else(|| PageError::back("/cases/track?e=no"))?;
    let phone = Phone::parse(&form.phone).map_err(|_| PageError::back("/cases/track?e=phone"))?;
    match cases::start_tracking(&cx, &no, &phone, Some(addr)).await.map_err(PageError::internal)? {
        Started::Pending { token } => {
            Ok(redirect("/cases/track/code", &[cookie(&headers, TRACK_COOKIE, &token, Some(CODE_TTL_SECS))]))
        }
        Started::Limited { retry_after_secs } => Err(PageError::TooMany { retry_after_secs, back: "/cases/track" }),
    }
}

/// `POST /cases/track/verify`: the right code opens the filer's view of the case.
async fn track_verify(
    Extension(cx): Extension<AppContext>,
    headers: HeaderMap,
    Form(form): Form<CodeForm>,
) -> PageResult {
    let token = cookie_value(&headers, TRACK_COOKIE).ok_or_else(|| PageError::back("/cases/track?e=expired"))?;
    Ok(match cases::verify_tracking(&cx, &token, &form.code).await.map_err(PageError::internal)? {
        Verified::Done(session) => redirect(
            "/cases/mine",
            &[cookie(&headers, Kind::Case.cookie(), &session, None), cookie(&headers, TRACK_COOKIE, "", Some(0))],
        ),
        Verified::Wrong { tries_left } => redirect(&format!("/cases/track/code?left={tries_left}"), &[]),
        Verified::Expired => redirect("/cases/track?e=expired", &[cookie(&headers, TRACK_COOKIE, "", Some(0))]),
    })
}

#[derive(Deserialize)]
pub struct NoteForm {
    #[serde(default)]
    note: String,
}

/// Back to the filer's view: with `done` after a step, or with the reason it was refused.
fn after_filer_step(result: Result<(), CaseError>, done: &str) -> PageResult {
    match result {
        Ok(()) => Ok(redirect(&format!("/cases/mine?done={done}"), &[])),
        Err(e) => Err(PageError::Back(refusal("/cases/mine", e)?)),
    }
}

/// `POST /cases/reopen`: the filer finds the answer unsatisfactory.
async fn reopen(
    Extension(cx): Extension<AppContext>,
    CaseFiler(id): CaseFiler,
    Form(form): Form<NoteForm>,
) -> PageResult {
    after_filer_step(cases::reopen(&cx, id, &form.note).await, "reopened")
}

/// `POST /cases/supplement`: the filer adds what the department asked for.
async fn supplement(
    Extension(cx): Extension<AppContext>,
    CaseFiler(id): CaseFiler,
    Form(form): Form<NoteForm>,
) -> PageResult {
    after_filer_step(cases::supplement(&cx, id, &form.note).await, "supplemented")
}

/// `POST /cases/leave`: ends the filer's view.
async fn leave(Extension(cx): Extension<AppContext>, headers: HeaderMap) -> PageResult {
    if let Some(token) = cookie_value(&headers, Kind::Case.cookie()) {
        session::close(&cx, &token).await?;
    }
    Ok(redirect("/cases/track?e=signed_out", &[cookie(&headers, Kind::Case.cookie(), "", Some(0))]))
}
