# Shared by scripts/run.sh and scripts/test.sh: install what is missing, build the browser bundle.
# Sourced, not run.

WASM_BINDGEN_VERSION="$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"/\1/p')"

say() { printf '\n==> %s\n' "$*"; }

# The wasm target and the wasm-bindgen CLI that matches Cargo.lock (built from crates.io once,
# about 10 minutes; nothing is downloaded as a binary).
ensure_wasm_tools() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "installing the Rust target wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
  fi
  if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
    say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (first run only, about 10 minutes)"
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
