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
pub mod feeds;
pub mod field_limits;
pub mod health;
pub mod index_copy;
pub mod metrics;
pub mod open_data;
pub mod page_cache;
pub mod preferences;
pub mod publicity_log;
pub mod rejections;
pub mod rosters;
pub mod security_headers;
pub mod staff;
pub mod startup;
pub mod telemetry;
pub mod web;

/// The allocator of the server, its tests and benchmarks: glibc's malloc and free were a fifth
/// of the server's time rendering personal pages (and of a roster import's), much of it in its
/// arena locks; mimalloc keeps per-thread heaps (BENCHMARKS.md, "Issue 22, page weight: islands; and
/// mimalloc").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
