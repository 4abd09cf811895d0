//! The subsidy portal's Leptos application: pages, server functions and shared domain types.
#![recursion_limit = "256"]
//! Built twice: with `ssr` into the server, with `hydrate` into the browser's wasm bundle.

pub mod api;
pub mod components;
pub mod domain;
pub mod routes;
#[cfg(feature = "ssr")]
pub mod ssr;

pub use routes::{shell, App};

/// The browser entry point. Pages are rendered on the server only (islands mode): this sets up
/// the reactive system, then Leptos's script hydrates each island on the page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
