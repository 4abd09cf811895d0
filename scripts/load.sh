#!/usr/bin/env bash
# Load: SECONDS (default 60) of mixed traffic from CONNECTIONS (default 500) concurrent visitors
# against the release server on the default demo county (50,000 people, generated once into
# target/bench/load/): public pages, search, signed-in self-checks and case filing with SMS codes.
# Reports requests, errors and latency per kind, and checks that no filed case is lost.
#
# BACKEND `postgres` runs what a province runs instead: the demo in the PostgreSQL database
# load_portal (on PORTAL_BENCH_POSTGRES, default the local server), two nodes, the second started
# with an empty index directory that it copies from the first (its time to ready is reported),
# and visits spread over both as a balancer without sticky sessions spreads them.
#
#   scripts/load.sh [SECONDS] [CONNECTIONS] [sqlite|postgres]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

SECS="${1:-60}"
CONNS="${2:-500}"
BACKEND="${3:-sqlite}"
if [ "$BACKEND" = postgres ]; then
  PG_SERVER="${PORTAL_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432}"
  DIR="$PWD/target/bench/load-pg"
  export DATABASE_URL="$PG_SERVER/load_portal"
else
  DIR="$PWD/target/bench/load"
  export DATABASE_URL="sqlite:$DIR/portal.db"
fi
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
if [ "$BACKEND" = postgres ] && ! psql "$PG_SERVER/postgres" -Atqc "SELECT 1 FROM pg_database WHERE datname = 'load_portal'" | grep -q 1; then
  rm -f "$DIR/generated" # the database was dropped since
fi
if [ ! -f "$DIR/generated" ]; then
  say "generating the demo county into $DIR ($BACKEND)"
  rm -rf "$DIR/portal.db"* "$DIR/index" "$DIR/portal.key"
  if [ "$BACKEND" = postgres ]; then
    psql "$PG_SERVER/postgres" -qc "DROP DATABASE IF EXISTS load_portal" -c "CREATE DATABASE load_portal"
  fi
  "$SERVER" demo > "$DIR/demo.txt"
  "$SERVER" reindex
  touch "$DIR/generated"
fi
cargo bench -q -p server --bench province -- sessions 1000 "$DIR/tokens.txt"

# More open files than the default 1024: 500 connections on each side.
ulimit -n 8192 2>/dev/null || true
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null || true' EXIT
# start_node NAME PORT [ENV=VALUE...]: the release server in the background, until /readyz answers.
start_node() {
  local name="$1" port="$2"
  shift 2
  env PORTAL_ADDR="127.0.0.1:$port" "$@" "$SERVER" serve > "$DIR/$name.log" 2>&1 &
  PIDS+=($!)
  until curl -sf "http://127.0.0.1:$port/readyz" >/dev/null; do
    kill -0 "${PIDS[-1]}" 2>/dev/null || { cat "$DIR/$name.log"; exit 1; }
    sleep 0.1
  done
}
PORT=$(free_port)
start_node server "$PORT"
URLS="http://127.0.0.1:$PORT"
if [ "$BACKEND" = postgres ]; then
  PORT2=$(free_port)
  rm -rf "$DIR/index2"
  t=$(date +%s.%N)
  start_node server2 "$PORT2" PORTAL_INDEX_DIR="$DIR/index2" PORTAL_INDEX_PEER="http://127.0.0.1:$PORT" RUST_LOG=info
  echo "node 2 ready in $(awk "BEGIN { printf \"%.1f\", $(date +%s.%N) - $t }") s with an empty index directory ($(du -sm "$DIR/index2" | cut -f1) MB of index copied from node 1)"
  grep -a "search index copied" "$DIR/server2.log" | sed 's/\x1b\[[0-9;]*m//g' || echo "node 2 did not copy the index: see $DIR/server2.log"
  URLS="$URLS,http://127.0.0.1:$PORT2"
fi
say "$SECS s of mixed traffic from $CONNS connections ($URLS)"
cargo bench -q -p server --bench load -- "$URLS" "$SECS" "$CONNS" "$DIR/tokens.txt" | tee "$DIR/results.txt"
for pid in "${PIDS[@]}"; do
  echo "server $pid RSS after the run: $(awk '/VmRSS/{printf "%.0f MB", $2/1024}' "/proc/$pid/status")"
done
if grep -qE $'^RESULT\tload_(errors|cases_lost|cases_duplicate_numbers)\t[1-9]' "$DIR/results.txt"; then
  say "errors, lost or duplicate cases: see above"
  exit 1
fi
