#!/usr/bin/env bash
# Run every test: formatting, clippy (native and wasm), the console build, and the Rust tests
# (native; PostgreSQL-backed ones against a throwaway server this script starts and removes).
# Exits non-zero on the first failure; the last lines printed are the test summary.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/setup.sh
source scripts/setup.sh
# shellcheck source=scripts/pg.sh
source scripts/pg.sh

step() { printf '\n==> %s\n' "$*"; }

step "setup"
portico_setup
setup_postgres

trap pg_stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
step "start a throwaway PostgreSQL"
pg_start

step "cargo fmt --check"
if ! cargo fmt --all --check -- -l; then
  echo "the files above need formatting: run cargo fmt --all"
  exit 1
fi

step "clippy: server and proto (native)"
cargo clippy --locked -p portico -p portico-proto --all-targets -- -D warnings

step "clippy: console (wasm32)"
cargo clippy --locked -p portico-console --target wasm32-unknown-unknown --all-targets -- -D warnings

step "trunk build --release"
trunk build --release

step "smoke check: dist/"
test -f dist/index.html || { echo "dist/index.html is missing"; exit 1; }
wasm="$(find dist -maxdepth 1 -name '*_bg.wasm' -print -quit)"
test -n "$wasm" || { echo "no .wasm in dist/"; exit 1; }
grep -q "$(basename "$wasm")" dist/index.html || { echo "dist/index.html does not load $wasm"; exit 1; }
echo "ok: dist/index.html loads $(basename "$wasm") ($(($(stat -c %s "$wasm") / 1024)) KiB)"

step "cargo test (server and proto)"
log="$(mktemp)"
status=0
cargo test --locked --no-fail-fast -p portico-proto -p portico 2>&1 | tee "$log" || status=$?

# One closing line over every test binary and doc-test run.
awk '/^test result:/ {
       for (i = 1; i <= NF; i++) {
         if ($(i + 1) ~ /^passed/) p += $i
         if ($(i + 1) ~ /^failed/) f += $i
         if ($(i + 1) ~ /^ignored/) s += $i
       }
     }
     END { printf "\ntests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
rm -f "$log"
exit "$status"
