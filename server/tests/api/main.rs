//! HTTP tests: the real server on a free port, a real database (a temporary SQLite file, and a
//! fresh PostgreSQL database when PORTAL_TEST_POSTGRES is set), real requests. Each test runs on a
//! multi-threaded runtime, as the server does in production, so that work on one thread (index
//! commits, password hashing) never stalls the test's client and its timers.

mod cases;
mod catalogue;
mod check;
mod cli;
mod correction;
mod counties;
mod crash;
mod demo;
mod flow;
mod health;
mod helpers;
mod home;
mod journeys;
mod limits;
mod nodes;
mod noticeboard;
mod open_data;
mod privacy;
mod public_pages;
mod publicity_log;
mod real_files;
mod rosters;
mod search;
mod security_headers;
mod server_functions;
mod small_cells;
mod sms;
mod staff;
