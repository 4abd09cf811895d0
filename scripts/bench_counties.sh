#!/usr/bin/env bash
# A province on one portal (issue 21): the demo province's five counties at 1 million or 10 million
# payment lines, on SQLite or on the local PostgreSQL. Generates the data once per size and backend
# (target/bench/counties-SIZE-BACKEND/, and a database bench_counties_SIZE on PostgreSQL), then
# measures search across the portal and within one county, the self-check of people paid in two
# counties, a county's policy list and village publicity page, and the county comparison.
#
#   scripts/bench.sh counties [1m|10m] [sqlite|postgres]
#   scripts/bench.sh table counties [1m|10m] [sqlite|postgres]    print the last run's table again
#
# PostgreSQL: PORTAL_BENCH_POSTGRES (default postgres://postgres@127.0.0.1:5432), needs psql.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

TABLE_ONLY=0
[ "${1:-}" = table ] && { TABLE_ONLY=1; shift; }
[ "${1:-}" = counties ] && shift
SIZE="${1:-1m}"
BACKEND="${2:-sqlite}"
case "$SIZE" in
  1m) PEOPLE=20000 ;;
  10m) PEOPLE=200000 ;;
  *) echo "usage: scripts/bench.sh counties [1m|10m] [sqlite|postgres]" >&2; exit 2 ;;
esac
DIR="$PWD/target/bench/counties-$SIZE-$BACKEND"
RESULTS="$DIR/results.tsv"
case "$BACKEND" in
  sqlite) export DATABASE_URL="sqlite:$DIR/portal.db" ;;
  postgres)
    PG_SERVER="${PORTAL_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432}"
    export DATABASE_URL="$PG_SERVER/bench_counties_$SIZE"
    ;;
  *) echo "the backend is sqlite or postgres" >&2; exit 2 ;;
esac

print_table() {
  [ -f "$RESULTS" ] || { echo "no results yet: run scripts/bench.sh counties $SIZE $BACKEND" >&2; exit 1; }
  declare -A R
  while IFS=$'\t' read -r k v; do R[$k]="$v"; done < "$RESULTS"
  r() { echo "${R[$1]:-?}"; }
  echo "Counties at $SIZE on $BACKEND: $(r counties) counties, $(r payments) payment lines, $(r beneficiaries) beneficiaries, $(r index_entries) index entries"
  echo "Measured $(r date) on $(r machine)"
  echo
  echo "| measure | figure |"
  echo "|---|---|"
  echo "| search across the portal, $(r search_queries) queries, in-process: p50 / p99 | $(r search_all_p50_ms) / $(r search_all_p99_ms) ms |"
  echo "| the same searches within one county: p50 / p99 | $(r search_county_p50_ms) / $(r search_county_p99_ms) ms |"
  echo "| search over HTTP, 20 connections, an item name (a fifth of all lines): across / in one county, p50 / p99 | $(r search_http_all_p50_ms) / $(r search_http_all_p99_ms) ms; $(r search_http_county_p50_ms) / $(r search_http_county_p99_ms) ms |"
  echo "| self-check in-process, $(r check_movers) people paid in two counties ($(r check_movers_lines) lines each): p50 / p99 | $(r check_movers_p50_ms) / $(r check_movers_p99_ms) ms |"
  echo "| self-check in-process, $(r check_people) people across the table ($(r check_people_lines) lines each): p50 / p99 | $(r check_people_p50_ms) / $(r check_people_p99_ms) ms |"
  echo "| self-check over HTTP of people paid in two counties, 200 connections started 1 ms apart, 200 ms between pages: p50 / p99, requests/s, errors | $(r check_http_p50_ms) / $(r check_http_p99_ms) ms, $(r check_http_rps)/s, $(r check_http_errors) |"
  echo "| a county's policy list, 100 connections, as kept: p50 / p99, requests/s | $(r policies_kept_p50_ms) / $(r policies_kept_p99_ms) ms, $(r policies_kept_rps)/s |"
  echo "| the same, rendered each time (20 connections): p50 / p99, requests/s | $(r policies_fresh_p50_ms) / $(r policies_fresh_p99_ms) ms, $(r policies_fresh_rps)/s |"
  echo "| a village's publicity page in that county, as kept: p50 / p99, requests/s | $(r village_kept_p50_ms) / $(r village_kept_p99_ms) ms, $(r village_kept_rps)/s |"
  echo "| the same, rendered each time: p50 / p99, requests/s | $(r village_fresh_p50_ms) / $(r village_fresh_p99_ms) ms, $(r village_fresh_rps)/s |"
  echo "| county comparison, computed (kept 30 s per node after): p50 / slowest of 10 | $(r comparison_p50_ms) / $(r comparison_max_ms) ms |"
  echo "| county comparison page, rendered each time from the kept figures: p50 / p99, requests/s | $(r compare_fresh_p50_ms) / $(r compare_fresh_p99_ms) ms, $(r compare_fresh_rps)/s |"
  echo "| errors over all HTTP runs | $(r http_errors) |"
  echo "| server memory after the HTTP runs: PSS, each page once; RSS, a page once per mapping (peak) | $(r pss_mb) MB; $(r rss_mb) MB ($(r rss_peak_mb) MB) |"
  echo "| start to ready with the existing index | $(r ready_seconds) s |"
  echo
  echo "Data: demo province generated in $(r demo_seconds) s, index rebuilt in $(r reindex_seconds) s."
  echo "Database $(r db_mb) MB, search index $(r index_mb) MB."
}

if [ "$TABLE_ONLY" = 1 ]; then
  print_table
  exit 0
fi

source scripts/bench_lib.sh
bench_tools
command -v psql >/dev/null || [ "$BACKEND" = sqlite ] || { echo "psql is needed for PostgreSQL" >&2; exit 1; }

bench_env
export PORTAL_DEMO_COUNTIES=5

# ---------------------------------------------------------------------------------------------
# Data, generated once per size and backend and kept

if [ ! -f "$DIR/generated.tsv" ]; then
  say "generating the demo province, $PEOPLE beneficiaries per county, on $BACKEND into $DIR"
  rm -rf "$DIR/portal.db"* "$DIR/index" "$DIR/portal.key"
  if [ "$BACKEND" = postgres ]; then
    psql "$PG_SERVER/postgres" -qc "DROP DATABASE IF EXISTS bench_counties_$SIZE" -c "CREATE DATABASE bench_counties_$SIZE"
  fi
  t=$(now); "$SERVER" demo --people "$PEOPLE" > "$DIR/demo.txt"; demo_s=$(since "$t"); head -3 "$DIR/demo.txt"
  t=$(now); "$SERVER" reindex; reindex_s=$(since "$t")
  printf 'demo_seconds\t%s\nreindex_seconds\t%s\n' "$demo_s" "$reindex_s" > "$DIR/generated.tsv"
fi
[ "${BENCH_GENERATE_ONLY:-}" = 1 ] && { say "generated ($DIR)"; exit 0; }
cat "$DIR/generated.tsv" >> "$RESULTS.new"
record_data
# The pages measured are the last county's (not the one the searches are scoped to).
COUNTY=$(sql "SELECT code FROM regions WHERE level = 'county' ORDER BY id DESC LIMIT 1")

# ---------------------------------------------------------------------------------------------
# In-process

say "in-process: search across the portal and within one county, the self-check, the comparison"
bench counties | tee "$DIR/counties.txt" | results_of
grep -v '^RESULT' "$DIR/counties.txt"
bench movers 200 "$DIR/tokens.txt"

# ---------------------------------------------------------------------------------------------
# Over HTTP

start_server
trap 'kill "$SERVER_PID" 2>/dev/null || true' EXIT

say "self-check over HTTP: 200 connections, people paid in two counties"
TOKEN=$(head -1 "$DIR/tokens.txt")
PAGE=$(curl -sf -H "Cookie: citizen_session=$TOKEN" "$BASE/check/payments")
grep -q '您在[2-9]个县' <<< "$PAGE" || { echo "a mover's payments page does not show two counties" >&2; exit 1; }
check_lua "$DIR/check.lua" 200 paced
wrk_run check_http 200 20 "$BASE/check/payments" "$DIR/check.lua"

# A page as the page cache keeps it, and rendered each time (a query parameter of its own per
# request, which the page ignores and the cache keys on).
fresh_lua() {
  cat > "$DIR/fresh.lua" <<'EOF'
local n = 0
request = function()
  n = n + 1
  local sep = string.find(wrk.path, "?", 1, true) and "&" or "?"
  return wrk.format("GET", wrk.path .. sep .. "bench=" .. n .. "-" .. math.random(1e9))
end
EOF
  echo "$DIR/fresh.lua"
}
page_runs() { # name url
  curl -sf -o /dev/null "$BASE$2" || { echo "$BASE$2 does not answer 200" >&2; exit 1; }
  wrk_run "$1_kept" 100 10 "$BASE$2"
  wrk_run "$1_fresh" 20 10 "$BASE$2" "$(fresh_lua)"
}
say "county $COUNTY: policy list, a village's publicity, the comparison"
page_runs policies "/policies?county=$COUNTY"
VILLAGE=$(first_village "/publicity?county=$COUNTY")
page_runs village "$VILLAGE"
page_runs compare "/counties/compare"

say "search over HTTP: an item name across the portal and within county $COUNTY"
ITEM=$(python3 -c 'import urllib.parse; print(urllib.parse.quote("最低生活保障金"))')
wrk_run search_http_all 20 10 "$BASE/search?q=$ITEM"
wrk_run search_http_county 20 10 "$BASE/search?q=$ITEM&county=$COUNTY"

errors=0
for k in $(awk -F'\t' '$1 ~ /_errors$/ {print $1}' "$RESULTS.new"); do errors=$((errors + $(R_ "$k"))); done
record http_errors "$errors"
record_memory
kill "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null || true
trap - EXIT

mv "$RESULTS.new" "$RESULTS"
say "results ($RESULTS)"
print_table
