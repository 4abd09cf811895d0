//! The village notice's data: the village's lines of a roster as published, the department's
//! phone, and the QR code of the online version the sheet shows.

use super::Db;
use crate::api::noticeboard::Noticeboard;
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// `scheme://host` of the request being served, as the visitor reached the site (`https` behind a
/// proxy that says so); empty when the request names no usable host.
pub fn request_origin() -> String {
    leptos::prelude::use_context::<axum::http::request::Parts>().map(|p| origin_of(&p.headers)).unwrap_or_default()
}

/// [`request_origin`] from a request's headers.
pub fn origin_of(headers: &axum::http::HeaderMap) -> String {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("");
    let host = header("host");
    let plain = !host.is_empty()
        && host.len() <= 253
        && host.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'));
    if !plain {
        return String::new();
    }
    let scheme = if header("x-forwarded-proto").eq_ignore_ascii_case("https") { "https" } else { "http" };
    format!("{scheme}://{host}")
}

/// A QR code of `text` as SVG (medium error correction: a notice gets rained on).
pub fn qr_svg(text: &str) -> String {
    match QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M) {
        Ok(code) => code.render::<svg::Color>().min_dimensions(240, 240).quiet_zone(true).build(),
        Err(_) => String::new(),
    }
}

/// The sheet of one roster in one village; `None` when the roster is not published there (or
/// was withdrawn).
pub async fn sheet(
    db: &Db,
    township: &str,
    village: &str,
    roster: i64,
    first: i32,
    rule: &crate::domain::publicity::SmallCells,
    origin: &str,
) -> Result<Option<Noticeboard>, sqlx::Error> {
    let Some(publicity) = super::publicity::roster(db, township, village, roster, first, rule).await? else {
        return Ok(None);
    };
    if publicity.versions.last().is_some_and(|v| v.kind == "withdrawal") {
        return Ok(None); // nothing of it is public until it is publicised again
    }
    let department_phone: String = sqlx::query_scalar(
        "SELECT d.phone FROM rosters ro JOIN departments d ON d.id = ro.department_id WHERE ro.id = $1",
    )
    .bind(roster)
    .fetch_one(&db.pool)
    .await?;
    let mut url = format!("{origin}/publicity/{township}/{village}/{roster}");
    if let Some(entry) = publicity.versions.last() {
        url.push_str(&format!("?entry={}", entry.leaf_index));
    }
    let qr_svg = qr_svg(&url);
    Ok(Some(Noticeboard { publicity, department_phone, url, qr_svg }))
}
