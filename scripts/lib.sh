# Shared by scripts/run.sh and scripts/test.sh: install what is missing, build the browser bundle.
# Sourced, not run.

WASM_BINDGEN_VERSION="$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"/\1/p')"

# Each step says how far into the run it starts, so that a CI log shows where the minutes went.
say() { printf '\n==> [%dm%02ds] %s\n' $((SECONDS / 60)) $((SECONDS % 60)) "$*"; }

# What a fresh Debian machine must have before anything is built, said in one line each
# (instead of failing twenty minutes in). $1 = "test" also asks for Node.js (browser tests).
check_prerequisites() {
  local missing=() need_rust have_rust
  command -v cc >/dev/null 2>&1 || missing+=("a C compiler: apt-get install build-essential")
  command -v curl >/dev/null 2>&1 || missing+=("curl: apt-get install curl")
  if ! command -v cargo >/dev/null 2>&1 || ! command -v rustup >/dev/null 2>&1; then
    missing+=("Rust with rustup: https://rustup.rs (then: rustup default stable)")
  else
    need_rust="$(sed -n 's/^rust-version = "\(.*\)"/\1/p' Cargo.toml)"
    have_rust="$(rustc --version | awk '{print $2}')"
    if [ "$(printf '%s\n%s\n' "$need_rust" "$have_rust" | sort -V | head -1)" != "$need_rust" ]; then
      missing+=("Rust $need_rust or newer (this is $have_rust): rustup update stable")
    fi
  fi
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1 \
    || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
    missing+=("Node.js 20 or newer with npm, for the bundle's tools and the browser tests: apt-get install nodejs npm")
  fi
  if [ "${1:-}" = test ] && ! command -v python3 >/dev/null 2>&1; then
    missing+=("Python 3, to run the publicity log's outside verifier in the tests: apt-get install python3")
  fi
  if [ "${#missing[@]}" -gt 0 ]; then
    printf 'missing: %s\n' "${missing[@]}" >&2
    exit 1
  fi
  # A whole build with the tests and the browser bundle takes about 12 GB under target/.
  local free_gb
  free_gb="$(df -Pk . | awk 'NR == 2 { print int($4 / 1048576) }')"
  if [ "${free_gb:-0}" -lt 15 ]; then
    say "warning: only ${free_gb} GB free here; a build with the tests needs about 12 GB"
  fi
}

# The fuzz targets build the portal's own crates: their lock must name the versions the
# workspace's lock does (refresh with: cp Cargo.lock fuzz/ && (cd fuzz && cargo metadata >/dev/null)).
check_fuzz_lock() {
  local stale
  stale="$(awk 'FNR == NR { if ($1 == "name") n = $3; else if ($1 == "version") { ws[n] = 1; wv[n " " $3] = 1 }; next }
                FNR == 1 { n = "" } $1 == "name" { n = $3 } $1 == "version" && (n in ws) && !((n " " $3) in wv) { print n, $3 }' Cargo.lock fuzz/Cargo.lock)"
  if [ -n "$stale" ]; then
    printf 'fuzz/Cargo.lock names versions the workspace does not use:\n%s\n' "$stale" >&2
    exit 1
  fi
}

# The wasm target and the wasm-bindgen CLI that matches Cargo.lock (built from crates.io once,
# about 10 minutes; nothing is downloaded as a binary).
ensure_wasm_tools() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "installing the Rust target wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
  fi
  if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
    say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (first run only, about 10 minutes)"
    # Not --locked: its lock pins webpki-roots 1.0.11, which the registry mirror here lacks
    # (measured 2026-12-02: "failed to select a version for webpki-roots ^1.0.10").
    cargo install wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION" --force
  fi
}

# Builds the hydration bundle and the stylesheet into target/site/pkg, the same files
# `cargo leptos build --release` makes (app.js, app_bg.wasm, app.css).
build_site() {
  say "building the browser bundle (wasm, size-optimised)"
  cargo build -p app --lib --target wasm32-unknown-unknown --no-default-features --features hydrate --profile wasm-release
  rm -rf target/site/pkg
  mkdir -p target/site/pkg
  wasm-bindgen --target web --no-typescript --out-dir target/site/pkg --out-name app \
    target/wasm32-unknown-unknown/wasm-release/app.wasm
  # wasm-bindgen's glue is 50 KB of readable JavaScript that every first view downloads before
  # hydrating; terser shrinks it to 23 KB (7.5 KB → 5.7 KB brotli), which keeps the first view of
  # `/` (HTML + CSS + this) within the first round trip.
  if [ ! -d scripts/bundle/node_modules/terser ]; then
    say "installing the bundle's npm tools (terser, from scripts/bundle/package-lock.json)"
    (cd scripts/bundle && npm ci --no-audit --no-fund)
  fi
  node scripts/bundle/node_modules/terser/bin/terser target/site/pkg/app.js --module --compress --mangle \
    --output target/site/pkg/app.min.js
  mv target/site/pkg/app.min.js target/site/pkg/app.js
  cp style/main.css target/site/pkg/app.css
  cp -R public/. target/site/
  rm -f target/site/.gitkeep
  # Named by their content, so that browsers may keep them for a year (the server reads the
  # names from pkg/assets.txt); the plain names stay for `cargo leptos` and older pages.
  local js css
  js="$(cat target/site/pkg/app.js target/site/pkg/app_bg.wasm | sha256sum | cut -c1-16)"
  css="$(sha256sum < target/site/pkg/app.css | cut -c1-16)"
  cp target/site/pkg/app.js "target/site/pkg/app.$js.js"
  cp target/site/pkg/app_bg.wasm "target/site/pkg/app.${js}_bg.wasm"
  cp target/site/pkg/app.css "target/site/pkg/app.$css.css"
  printf 'js: app.%s\ncss: app.%s.css\n' "$js" "$css" > target/site/pkg/assets.txt
  # Compressed once here at the best level, sent as they are by the server (brotli when the
  # brotli command is installed; scripts/bench.sh installs it).
  for f in target/site/pkg/app*.wasm target/site/pkg/app*.js target/site/pkg/app*.css; do
    gzip -9 -k -f "$f"
    if command -v brotli >/dev/null; then brotli -q 11 -k -f "$f"; else rm -f "$f.br"; fi
  done
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Debian's Chromium (no browser download) and a font with Chinese glyphs, for end2end/.
ensure_browser() {
  if [ ! -x /usr/bin/chromium ]; then
    say "installing Debian's chromium and fonts-wqy-zenhei (apt, first run only)"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-zenhei
  fi
  if [ ! -d end2end/node_modules/playwright-core ]; then
    say "installing end2end's npm packages (playwright-core, from package-lock.json)"
    (cd end2end && npm ci --no-audit --no-fund)
  fi
}
