//! The village notice (公示栏): a roster's publicity in one village as printed for the
//! noticeboard, on A4 in large type, with where to object and a QR code of the online version.

use super::publicity::RosterPublicity;
use super::ApiError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Noticeboard {
    pub publicity: RosterPublicity,
    /// Where to object: the department's phone (its name is in the publicity).
    pub department_phone: String,
    /// The address of the online version this sheet shows (its log entry named), which the QR
    /// code holds.
    pub url: String,
    /// The QR code of `url`, drawn by the server as SVG.
    pub qr_svg: String,
}

#[server(prefix = "/api", endpoint = "noticeboard")]
pub async fn get_noticeboard(
    #[server(default)] township: String,
    #[server(default)] village: String,
    #[server(default)] roster: i64,
) -> Result<Noticeboard, ApiError> {
    let cx = crate::ssr::context()?;
    let origin = crate::ssr::noticeboard::request_origin();
    match crate::ssr::noticeboard::sheet(
        &cx.db,
        &township,
        &village,
        roster,
        cx.first_public_year(),
        &cx.small_cells,
        &origin,
    )
    .await
    .map_err(ApiError::internal)?
    {
        Some(sheet) => Ok(sheet),
        None => Err(super::publicity::missing_roster(&cx, roster).await),
    }
}
