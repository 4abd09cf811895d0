//! The portal's server: configuration, startup (axum + Leptos), the command line and the demo.

pub mod addresses;
pub mod backup;
pub mod bundle;
pub mod cases;
pub mod catalogue;
pub mod check;
pub mod cli;
pub mod config;
pub mod demo;
pub mod downloads;
pub mod field_limits;
pub mod health;
pub mod index_copy;
pub mod metrics;
pub mod open_data;
pub mod page_cache;
pub mod preferences;
pub mod rejections;
pub mod rosters;
pub mod security_headers;
pub mod staff;
pub mod startup;
pub mod telemetry;
pub mod web;
