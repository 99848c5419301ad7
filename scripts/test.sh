#!/usr/bin/env bash
# Run every test: formatting, clippy (native and wasm), the console build, the Rust tests
# (native; PostgreSQL-backed ones against a throwaway server this script starts and removes),
# the interop suites (scripts/interop.sh, on SQLite and the same PostgreSQL) and the OpenAPI
# checks (scripts/openapi.sh).
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
setup_cli_tools
setup_interop
setup_openapi

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

step "layers: lower server layers import no protocol or handler module"
bash scripts/layers.sh

step "clippy: server, proto and precompress (native)"
cargo clippy --locked -p portico -p portico-proto -p portico-precompress --all-targets -- -D warnings

step "clippy: console (wasm32)"
cargo clippy --locked -p portico-console --target wasm32-unknown-unknown --all-targets -- -D warnings

step "trunk build --release"
trunk build --release

step "smoke check: dist/"
test -f dist/index.html || { echo "dist/index.html is missing"; exit 1; }
wasm="$(find dist -maxdepth 1 -name '*_bg.wasm' -print -quit)"
test -n "$wasm" || { echo "no .wasm in dist/"; exit 1; }
grep -q "$(basename "$wasm")" dist/index.html || { echo "dist/index.html does not load $wasm"; exit 1; }
# Trunk's post_build hook (Trunk.toml) writes the precompressed copies the server sends.
for sibling in "$wasm.br" "$wasm.gz"; do
  test -f "$sibling" || { echo "$sibling is missing: Trunk's precompress hook did not run"; exit 1; }
done
echo "ok: dist/index.html loads $(basename "$wasm") ($(($(stat -c %s "$wasm") / 1024)) KiB;" \
  "brotli $(($(stat -c %s "$wasm.br") / 1024)) KiB, gzip $(($(stat -c %s "$wasm.gz") / 1024)) KiB)"

step "cargo test (server, proto and precompress)"
log="$(mktemp)"
status=0
cargo test --locked --no-fail-fast -p portico-proto -p portico -p portico-precompress 2>&1 | tee "$log" || status=$?

step "console tests: native, then wasm-bindgen-test in headless Chromium (tests/web.rs)"
setup_browser
cargo test --locked --no-fail-fast -p portico-console 2>&1 | tee -a "$log" || status=$?
CHROMEDRIVER=/usr/bin/chromedriver \
  cargo test --locked --no-fail-fast -p portico-console --target wasm32-unknown-unknown 2>&1 |
  tee -a "$log" || status=$?

# Totals over every test binary and doc-test run.
read -r passed failed skipped < <(awk '/^test result:/ {
       for (i = 1; i <= NF; i++) {
         if ($(i + 1) ~ /^passed/) p += $i
         if ($(i + 1) ~ /^failed/) f += $i
         if ($(i + 1) ~ /^ignored/) s += $i
       }
     }
     END { print p + 0, f + 0, s + 0 }' "$log")

step "interop: authlib and oauth4webapi against portico serve (SQLite and PostgreSQL)"
bash scripts/interop.sh 2>&1 | tee "$log" || status=$?
# Its last line: "interop: N passed, N failed, N skipped"; a run that never got there failed.
if read -r i_passed i_failed i_skipped < <(awk '/^interop: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$/ {
       line = $2 " " $4 " " $6 } END { if (line) print line }' "$log"); then
  passed=$((passed + i_passed)) failed=$((failed + i_failed)) skipped=$((skipped + i_skipped))
else
  failed=$((failed + 1))
fi

step "openapi: the document validated, a client generated from it type-checked, schemathesis against portico serve"
bash scripts/openapi.sh 2>&1 | tee "$log" || status=$?
# Its last line: "openapi: N passed, N failed, N skipped"; a run that never got there failed.
if read -r o_passed o_failed o_skipped < <(awk '/^openapi: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$/ {
       line = $2 " " $4 " " $6 } END { if (line) print line }' "$log"); then
  passed=$((passed + o_passed)) failed=$((failed + o_failed)) skipped=$((skipped + o_skipped))
else
  failed=$((failed + 1))
fi

step "browser end-to-end: the console in headless Chromium against portico serve"
bash scripts/e2e.sh 2>&1 | tee "$log" || status=$?
# Its last line: "e2e: N passed, N failed"; a run that never got there failed.
if read -r e_passed e_failed < <(awk '/^e2e: [0-9]+ passed, [0-9]+ failed$/ {
       line = $2 " " $4 } END { if (line) print line }' "$log"); then
  passed=$((passed + e_passed)) failed=$((failed + e_failed))
else
  failed=$((failed + 1))
fi
rm -f "$log"

# One closing line over everything.
printf '\ntests: %d passed, %d failed, %d skipped\n' "$passed" "$failed" "$skipped"
exit "$status"
