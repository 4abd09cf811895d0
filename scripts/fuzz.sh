#!/usr/bin/env bash
# Fuzzing (cargo-fuzz, libFuzzer with AddressSanitizer): the roster file reader, the form field
# parsers and masks, the search box, notice bodies. Installs the nightly toolchain and cargo-fuzz
# when missing; not part of the test command. A crash leaves its input in
# fuzz/artifacts/<target>/; turn it into a regression test next to the code it broke.
#
#   scripts/fuzz.sh [SECONDS per target, default 300] [TARGET ...]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

SECS="${1:-300}"
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(roster_file form_fields search_query notice_body)

if ! rustup toolchain list | grep -q '^nightly'; then
  say "installing the nightly toolchain (cargo-fuzz needs it)"
  rustup toolchain install nightly --profile minimal
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  say "installing cargo-fuzz (first run only, a few minutes)"
  cargo +nightly install cargo-fuzz --locked
fi

cd fuzz
for target in "${TARGETS[@]}"; do
  mkdir -p "corpus/$target"
  say "fuzzing $target for $SECS s"
  # New inputs go to corpus/ (not kept in git); seeds/ holds the hand-written starting points.
  cargo +nightly fuzz run "$target" "corpus/$target" "seeds/$target" -- -max_total_time="$SECS" -rss_limit_mb=4096 -timeout=10 2>&1 \
    | grep -E '^(#[0-9]+ *(DONE|INITED)|Done|==[0-9]+==|SUMMARY|artifact_prefix|Test unit written)' || true
  if [ -n "$(find "artifacts/$target" -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' 2>/dev/null)" ]; then
    say "$target: failing inputs in fuzz/artifacts/$target/"
    exit 1
  fi
done
say "no crash in ${#TARGETS[@]} targets, $SECS s each"
