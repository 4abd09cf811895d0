#!/usr/bin/env bash
# The README's run command: builds the portal and serves it with the demo county on SQLite,
# installing what is missing. Open http://127.0.0.1:3000 when it says it is listening.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

check_prerequisites
ensure_wasm_tools
build_site
say "building the server (release)"
cargo build --release -p server
say "starting: the demo county is generated into data/portal.db on the first start"
export PORTAL_DEMO="${PORTAL_DEMO:-true}"
exec target/release/server serve
