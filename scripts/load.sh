#!/usr/bin/env bash
# Load: SECONDS (default 60) of mixed traffic from CONNECTIONS (default 500) concurrent visitors
# against the release server on the default demo county (50,000 people, generated once into
# target/bench/load/): public pages, search, signed-in self-checks and case filing with SMS codes.
# Reports requests, errors and latency per kind, and checks that no filed case is lost.
#
#   scripts/load.sh [SECONDS] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

SECS="${1:-60}"
CONNS="${2:-500}"
DIR="$PWD/target/bench/load"
export DATABASE_URL="sqlite:$DIR/portal.db"
export PORTAL_INDEX_DIR="$DIR/index"
export PORTAL_DATA_KEY_FILE="$DIR/portal.key"
export PORTAL_SITE_ROOT="$PWD/target/site"
export PORTAL_DEMO=false
export PORTAL_TRUSTED_PROXIES=127.0.0.1
export RUST_LOG=warn
mkdir -p "$DIR"

say "building the server and the load program (release)"
cargo build --release -p server
cargo bench -p server --bench load --no-run
cargo bench -p server --bench province --no-run
SERVER="$PWD/target/release/server"
if [ ! -f "$DIR/generated" ]; then
  say "generating the demo county into $DIR"
  rm -rf "$DIR/portal.db"* "$DIR/index" "$DIR/portal.key"
  "$SERVER" demo > "$DIR/demo.txt"
  "$SERVER" reindex
  touch "$DIR/generated"
fi
cargo bench -q -p server --bench province -- sessions 1000 "$DIR/tokens.txt"

# More open files than the default 1024: 500 connections on each side.
ulimit -n 8192 2>/dev/null || true
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
PORTAL_ADDR="127.0.0.1:$PORT" "$SERVER" serve > "$DIR/server.log" 2>&1 &
SERVER_PID=$!
trap 'kill $SERVER_PID 2>/dev/null || true' EXIT
until curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null; do
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$DIR/server.log"; exit 1; }
  sleep 0.1
done
say "$SECS s of mixed traffic from $CONNS connections"
cargo bench -q -p server --bench load -- "http://127.0.0.1:$PORT" "$SECS" "$CONNS" "$DIR/tokens.txt" | tee "$DIR/results.txt"
echo "server RSS after the run: $(awk '/VmRSS/{printf "%.0f MB", $2/1024}' "/proc/$SERVER_PID/status")"
if grep -qE $'^RESULT\tload_(errors|cases_lost|cases_duplicate_numbers)\t[1-9]' "$DIR/results.txt"; then
  say "errors, lost or duplicate cases: see above"
  exit 1
fi
