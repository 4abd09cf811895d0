#!/usr/bin/env bash
# For contributors: live-reloading development with cargo-leptos (`cargo leptos watch`).
# Installs the pinned cargo-leptos first if missing (built from crates.io with the nightly
# toolchain, about 22 minutes once; stable 1.95 cannot build its locked dependencies).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

CARGO_LEPTOS_VERSION=0.3.11
ensure_wasm_tools
if [ "$(cargo leptos --version 2>/dev/null)" != "cargo-leptos $CARGO_LEPTOS_VERSION" ]; then
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (nightly toolchain, first run only)"
  rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
  cargo +nightly install cargo-leptos --version "=$CARGO_LEPTOS_VERSION" --locked
fi
export PORTAL_DEMO="${PORTAL_DEMO:-true}"
exec cargo leptos watch "$@"
