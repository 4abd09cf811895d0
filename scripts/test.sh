#!/usr/bin/env bash
# The README's test command: every Rust test (unit, property, and HTTP tests against a real
# server on a free port) on SQLite always and on PostgreSQL when one is reachable, then the
# browser tests in end2end/ (Chromium, JavaScript on and off).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
check_prerequisites test

# Habits first, so that CI fails in a minute rather than after the build: the code as rustfmt
# writes it, no clippy warning, the fuzz targets' lock in step with the workspace's.
say "checks: cargo fmt --check, cargo clippy -D warnings, fuzz/Cargo.lock"
cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings
check_fuzz_lock

PG_URL="${PORTAL_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/test}"
if command -v pg_isready >/dev/null 2>&1 && pg_isready -q -d "$PG_URL" 2>/dev/null; then
  export PORTAL_TEST_POSTGRES="$PG_URL"
  say "backends: SQLite and PostgreSQL ($(echo "$PG_URL" | sed 's#//[^@]*@#//#'))"
else
  unset PORTAL_TEST_POSTGRES
  say "backends: SQLite only (no PostgreSQL reachable at $(echo "$PG_URL" | sed 's#//[^@]*@#//#'))"
fi

# cargo-nextest (on every machine of this kind) runs each test in a process of its own: the HTTP
# tests took 5 minutes under it against 9 under `cargo test` (measured 2026-12-02). The
# workspace has no doctests, which nextest would skip.
if cargo nextest --version >/dev/null 2>&1; then
  say "Rust tests: cargo nextest run --workspace"
  cargo nextest run --workspace --no-fail-fast
else
  say "Rust tests: cargo test --workspace (cargo-nextest not installed)"
  cargo test --workspace --no-fail-fast
fi

say "browser tests: end2end/ in Chromium against the real server (target/debug/server)"
ensure_wasm_tools
build_site
ensure_browser
(cd end2end && npm test)
if [ -n "${PORTAL_TEST_POSTGRES:-}" ]; then
  say "browser tests again on PostgreSQL"
  (cd end2end && PORTAL_E2E_POSTGRES="$PORTAL_TEST_POSTGRES" npm test)
else
  say "browser tests ran on SQLite only (no PostgreSQL reachable)"
fi
