#!/usr/bin/env bash
# Browser end-to-end tests: the built console (dist/) served by a real `portico serve` on
# 127.0.0.1, driven by Playwright (npm playwright-core, never its own browser download) in
# Debian's headless Chromium. Needs `trunk build --release` to have produced dist/.
# Ends with `e2e: N passed, N failed`; exits non-zero when anything failed.
# Arguments, if any, are test files (relative to tests/e2e) to run instead of all of them:
#   bash scripts/e2e.sh speed.test.mjs
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/setup.sh
source scripts/setup.sh
setup_browser

if [ ! -d tests/e2e/node_modules/playwright-core ]; then
  (cd tests/e2e && npm ci --no-audit --no-fund >/dev/null)
fi
test -f dist/index.html || { echo "e2e: dist/ is missing; run trunk build --release first"; exit 1; }
bin="${CARGO_TARGET_DIR:-target}/debug/portico"
test -x "$bin" || cargo build -q -p portico

work="$(mktemp -d)"
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

port="$(free_port)"
db="sqlite://$work/e2e.db"
export PORTICO_E2E_BASE="http://127.0.0.1:$port"
export PORTICO_E2E_ADMIN_PASSWORD="admin-e2e-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export PORTICO_E2E_USER="alice"
export PORTICO_E2E_USER_PASSWORD="alice-e2e-password"
# A second end user, for lists of users (a machine-to-machine app's jwt_bearer_users).
export PORTICO_E2E_USER2="bob"

printf '%s\n' "$PORTICO_E2E_ADMIN_PASSWORD" | "$bin" user add admin --admin --database-url "$db" >/dev/null
printf '%s\n' "$PORTICO_E2E_USER_PASSWORD" | "$bin" user add alice --email alice@example.com --name "Alice A." --database-url "$db" >/dev/null
printf '%s\n' "bob-e2e-password" | "$bin" user add "$PORTICO_E2E_USER2" --email bob@example.com --name "Bob B." --database-url "$db" >/dev/null
PORTICO_LOG=warn "$bin" serve --addr "127.0.0.1:$port" --management-addr 127.0.0.1:0 --shutdown-delay 0 --database-url "$db" --console-dir dist >"$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 150); do
  curl -fsS "$PORTICO_E2E_BASE/.well-known/oauth-authorization-server" >/dev/null 2>&1 && break
  sleep 0.2
done

# Screenshots of every page the tests visit: tests/e2e/artifacts/<test file>/NN-<step>.png.
export PORTICO_E2E_ARTIFACTS="${PORTICO_E2E_ARTIFACTS:-$PWD/tests/e2e/artifacts}"
rm -rf "$PORTICO_E2E_ARTIFACTS"

status=0
out="$work/e2e.out"
# One file at a time: they share the server and its limit of 10 apps. A test that hangs fails
# by name after 5 minutes (--test-timeout; a whole file counts as one test, and console.test.mjs takes over 3 minutes on a loaded 2-core machine) instead of holding the run, and the runner exits
# when the last test ends even if a browser or socket is still open (--test-force-exit).
(cd tests/e2e && timeout 900 node --test --test-concurrency=1 --test-timeout=300000 --test-force-exit --test-reporter=spec "$@") >"$out" 2>&1 || status=$?
if [ "$status" -ne 0 ]; then
  cat "$out"
  echo "--- server log ---"
  tail -50 "$work/server.log"
fi
grep -E '^ℹ (tests|pass|fail)' "$out" || true
pass="$(awk '/^ℹ pass/ {print $3}' "$out")"
fail="$(awk '/^ℹ fail/ {print $3}' "$out")"
# Killed by the timeout before the summary: count it as a failure, never as a pass.
if [ "$status" -ne 0 ] && [ "${fail:-0}" = 0 ]; then fail=1; fi
# Figures the tests measured (never asserted), e.g. the console's time to interactive.
if [ -f "$PORTICO_E2E_ARTIFACTS/timings.txt" ]; then sed 's/^/e2e: /' "$PORTICO_E2E_ARTIFACTS/timings.txt"; fi
echo "e2e: screenshots in $PORTICO_E2E_ARTIFACTS ($(find "$PORTICO_E2E_ARTIFACTS" -name '*.png' 2>/dev/null | wc -l) files)"
echo "e2e: ${pass:-0} passed, ${fail:-0} failed"
exit "$status"
