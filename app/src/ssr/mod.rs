//! Server-only code: the database layer, encryption of personal data, the clock, and the
//! context through which server functions reach them.

pub mod cache;
pub mod clock;
pub mod db;
pub mod search;
pub mod vault;

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
}

/// The server's context inside a server function or SSR render.
pub fn context() -> Result<AppContext, ApiError> {
    leptos::prelude::use_context::<AppContext>().ok_or_else(|| ApiError::internal("AppContext missing"))
}
