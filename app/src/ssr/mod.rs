//! Server-only code: one module per area holding that area's SQL and rules, what every area
//! uses (the database, encryption of personal data, the clock, codes, sessions), and the
//! context through which server functions reach them.

// The database itself (pool, backends, migrations, bulk insert) and what every area uses; the
// audit log, the change log the search index follows, metrics, key rotation, the SMS outbox
// and the bundle's file names are shared the same way and hold their own SQL.
pub mod assets;
pub mod audit;
pub mod cache;
pub mod changes;
pub mod clock;
pub mod code;
pub mod db;
pub mod key_rotation;
pub mod metrics;
pub mod regions;
pub mod session;
pub mod sms;
pub mod vault;

// One module per area, holding that area's SQL and rules; named as its pages are (admin and
// banks are the admin page's users, departments and banks; staff is the sign-in and roles).
pub mod admin;
pub mod banks;
pub mod cases;
pub mod catalogue;
pub mod check;
pub mod counties;
pub mod feeds;
pub mod home;
pub mod noticeboard;
pub mod notices;
pub mod open_data;
pub mod policies;
pub mod publicity;
pub mod publicity_log;
pub mod rosters;
pub mod search;
pub mod staff;

use crate::api::ApiError;
pub use db::Db;
pub use vault::Vault;

/// What every server function may use; provided to Leptos as context by the server.
#[derive(Clone)]
pub struct AppContext {
    pub db: Db,
    pub vault: Vault,
    pub search: search::Search,
    pub cache: cache::Cache,
    pub sms: sms::SmsSender,
    /// Working days to answer each kind of case.
    pub deadlines: crate::domain::Deadlines,
    /// The browser bundle's file names.
    pub assets: assets::Assets,
    /// How long payment lines stay public.
    pub retention: crate::domain::publicity::Retention,
    /// Which villages' lines of sensitive items may be publicised at township level.
    pub small_cells: crate::domain::publicity::SmallCells,
    /// This node's kept publicity log tree, for proofs.
    pub log_tree: publicity_log::KeptTree,
    /// This node's log signer, read once.
    pub log_signer: publicity_log::key::KeptSigner,
}

impl AppContext {
    /// The earliest period year whose payment lines are public today.
    pub fn first_public_year(&self) -> i32 {
        self.retention.first_public_year(clock::local_year())
    }
}

/// A cookie of the request being served (inside a server function or SSR render).
pub fn request_cookie(name: &str) -> Option<String> {
    let parts = leptos::prelude::use_context::<axum::http::request::Parts>()?;
    cookie_value(&parts.headers, name)
}

/// A cookie's value from request headers.
pub fn cookie_value(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// The server's context inside a server function or SSR render.
pub fn context() -> Result<AppContext, ApiError> {
    leptos::prelude::use_context::<AppContext>().ok_or_else(|| ApiError::internal("AppContext missing"))
}
