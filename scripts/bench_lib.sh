# Shared by scripts/bench.sh and scripts/bench_counties.sh: the tools, the release builds, and
# how a figure is timed, taken from wrk and recorded. Sourced, not run; the caller sets DIR,
# RESULTS (the figures go to $RESULTS.new until the run completes), BACKEND (sqlite or postgres)
# and DATABASE_URL.

bench_tools() {
  if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null || ! command -v sqlite3 >/dev/null || ! command -v brotli >/dev/null; then
    say "installing wrk, nginx, sqlite3 and brotli (apt, first run only)"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx sqlite3 brotli
    rm -f target/site/pkg/app_bg.wasm.br # built again below, with brotli
  fi
  NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
  # BENCH_NO_BUILD=1: the programs as last built (to measure while the sources are being edited).
  if [ "${BENCH_NO_BUILD:-}" != 1 ]; then
    say "building the server and the benchmark program (release)"
    cargo build --release -p server
    cargo bench -p server --bench province --no-run
  fi
  # BENCH_SERVER / BENCH_PROGRAM: programs built elsewhere (an earlier commit, to compare).
  SERVER="${BENCH_SERVER:-$PWD/target/release/server}"
  BENCH_PROGRAM="${BENCH_PROGRAM:-$(ls -t target/release/deps/province-* | grep -v '\.d$' | head -1)}"
  [ -x "$SERVER" ] && [ -x "$BENCH_PROGRAM" ] || { echo "the release programs are not built" >&2; exit 1; }
}

# The in-process benchmarks (server/benches/province.rs).
bench() { "$BENCH_PROGRAM" "$@"; }

# The server's environment for the data under $DIR (DATABASE_URL is the caller's), and an empty
# list of figures for this run.
bench_env() {
  export PORTAL_INDEX_DIR="$DIR/index"
  export PORTAL_DATA_KEY_FILE="$DIR/portal.key"
  export PORTAL_SITE_ROOT="$PWD/target/site"
  export PORTAL_DEMO=false
  export RUST_LOG=warn
  mkdir -p "$DIR"
  : > "$RESULTS.new"
}

record() { printf '%s\t%s\n' "$1" "$2" >> "$RESULTS.new"; printf '  %-28s %s\n' "$1" "$2"; }
now() { date +%s.%N; }
since() { awk "BEGIN{printf \"%.2f\", $(now) - $1}"; }
results_of() { grep '^RESULT' | while IFS=$'\t' read -r _ k v; do record "$k" "$v"; done; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# wrk's figures: p50 and p99 latency in ms, requests/s, errors (socket errors + non-2xx/3xx).
wrk_run() { # name connections seconds url [lua]
  local name=$1 conns=$2 secs=$3 url=$4 lua=${5:-}
  local out
  out=$(wrk -t2 -c"$conns" -d"${secs}s" --latency ${lua:+-s "$lua"} "$url")
  echo "$out" > "$DIR/wrk-$name.txt"
  to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; printf "%.2f", v}'; }
  record "${name}_p50_ms" "$(echo "$out" | awk '$1=="50%"{print $2}' | to_ms)"
  record "${name}_p99_ms" "$(echo "$out" | awk '$1=="99%"{print $2}' | to_ms)"
  record "${name}_rps" "$(echo "$out" | awk '/Requests\/sec/{printf "%.0f", $2}')"
  local socket non2xx
  socket=$(echo "$out" | awk '/Socket errors/{gsub(",",""); print $4+$6+$8+$10}')
  non2xx=$(echo "$out" | awk '/Non-2xx/{print $5}')
  record "${name}_errors" "$(( ${socket:-0} + ${non2xx:-0} ))"
}

# A wrk script for `/check/payments`, each request with the next session in $DIR/tokens.txt, for
# wrk_run's two threads and CONNECTIONS connections. How the connections send:
#   flat      each asks again as soon as it is answered;
#   paced     each waits 200 ms between pages, and they start 200 ms / CONNECTIONS apart (the k-th at
#             k ms for 200), so 200 people reading their payments send about one page a millisecond;
#   together  the same pauses, but every connection's first page in the same millisecond (wrk's own
#             way: 200 pages at once, and the waves that follow; shown for comparison).
check_lua() { # file connections flat|paced|together
  local file=$1 per_thread=$(( $2 / 2 )) mode=$3
  {
    cat <<EOF
local tokens = {}
for line in io.lines("$DIR/tokens.txt") do tokens[#tokens + 1] = line end
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", "/check/payments", { ["Cookie"] = "citizen_session=" .. tokens[(n % #tokens) + 1] })
end
EOF
    case "$mode" in
      flat) ;;
      together) echo 'delay = function() return 200 end' ;;
      paced) cat <<EOF
-- Each thread's first $per_thread delays are its connections' first pages: thread t's k-th starts
-- at (2k + t) * 100 / $per_thread ms, so the two threads interleave over the first 200 ms.
local threads = 0
setup = function(thread) thread:set("offset", threads); threads = threads + 1 end
local started = 0
delay = function()
  started = started + 1
  if started <= $per_thread then return math.floor(((started - 1) * 2 + offset) * 100 / $per_thread) end
  return 200
end
EOF
      ;;
    esac
  } > "$file"
}

ratio() { awk "BEGIN{printf \"%.2f\", $1 / $2}"; }
R_() { awk -F'\t' -v k="$1" '$1==k{v=$2} END{print v}' "$RESULTS.new"; }

# Starts `server serve` on a free port on the environment's data and index and waits until it
# answers; sets PORT, BASE and SERVER_PID and records ready_seconds.
start_server() {
  PORT=$(free_port)
  say "starting the server on 127.0.0.1:$PORT"
  local t
  t=$(now)
  PORTAL_ADDR="127.0.0.1:$PORT" "$SERVER" serve > "$DIR/server.log" 2>&1 &
  SERVER_PID=$!
  until curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null; do
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$DIR/server.log"; exit 1; }
    sleep 0.02
  done
  record ready_seconds "$(since "$t")"
  BASE="http://127.0.0.1:$PORT"
}

# The first village publicity page under the publicity index at $1 (e.g. /publicity?county=…).
first_village() {
  local township village
  township=$(curl -sf "$BASE$1" | grep -o 'href="/publicity/[0-9][0-9]*' | head -1 | cut -d'"' -f2)
  village=$(curl -sf "$BASE$township" | grep -o "href=\"$township/[0-9][0-9]*" | head -1 | cut -d'"' -f2)
  [ -n "$village" ] || { echo "no village link found under $township" >&2; exit 1; }
  echo "$village"
}

# The server's memory now and at its peak (MB).
# RSS counts a mapped page once per mapping: until migration 0013 SQLite mapped the database once
# per pooled connection (PRAGMA mmap_size), so its pages counted up to eight times. PSS counts each
# page once (a page shared with another process, in part), which is what the server holds.
record_memory() {
  record rss_mb "$(awk '/VmRSS/{printf "%.0f", $2/1024}' "/proc/$SERVER_PID/status")"
  record rss_peak_mb "$(awk '/VmHWM/{printf "%.0f", $2/1024}' "/proc/$SERVER_PID/status")"
  record pss_mb "$(awk '/^Pss:/{printf "%.0f", $2/1024}' "/proc/$SERVER_PID/smaps_rollup")"
  record pss_file_mb "$(awk '/^Pss_File:/{printf "%.0f", $2/1024}' "/proc/$SERVER_PID/smaps_rollup")"
}

# One SQL answer from the benchmark's database.
sql() {
  if [ "$BACKEND" = sqlite ]; then sqlite3 "$DIR/portal.db" "$1"; else psql "$DATABASE_URL" -Atqc "$1"; fi
}

# What was measured on: the date, the machine, the data's rows and the database's and index's size.
record_data() {
  if [ "$BACKEND" = sqlite ]; then sql 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null; fi
  record date "$(date -u +%Y-%m-%d)"
  record machine "$(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
  record payments "$(sql 'SELECT COUNT(*) FROM payments')"
  record beneficiaries "$(sql 'SELECT COUNT(*) FROM beneficiaries')"
  if [ "$BACKEND" = sqlite ]; then
    record db_mb "$(du -sm "$DIR/portal.db" | cut -f1)"
  else
    record db_mb "$(sql 'SELECT pg_database_size(current_database()) / 1048576')"
  fi
  record index_mb "$(du -sm "$DIR/index" | cut -f1)"
}
