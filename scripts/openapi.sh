#!/usr/bin/env bash
# The OpenAPI document (`/api/v1/openapi.json`) as integrators use it, against a real
# `portico serve` on a free port of 127.0.0.1 with a temporary SQLite database:
#
#   1. validate   openapi-spec-validator accepts the document as OpenAPI 3.1
#   2. client     openapi-typescript generates types from it, and `tsc --strict` compiles a
#                 small client written against them (openapi/node/client.ts)
#   3. fuzz       schemathesis calls every operation with generated requests (an admin token
#                 from `portico admin-token`): no 5xx, every status code, content type and
#                 body as documented
#
# Installs what is missing (scripts/setup.sh: setup_openapi), builds the debug binary when it
# is missing. Prints one line per check (its whole output when it fails) and ends with
# `openapi: N passed, N failed, N skipped`; exits non-zero when anything failed.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/setup.sh
source scripts/setup.sh

BIN="${CARGO_TARGET_DIR:-$PWD/target}/debug/portico"
VENV="$PORTICO_TOOLS/openapi-venv"
NODE_BIN="$PWD/openapi/node/node_modules/.bin"
START_TIMEOUT=30 # seconds, for the server to answer
FUZZ_TIMEOUT=240 # seconds, for the whole schemathesis run
FUZZ_EXAMPLES=20 # generated requests per operation and phase

WORK=""
SERVER_PID=""
PASSED=0
FAILED=0

note() { printf 'openapi: %s\n' "$*"; }

cleanup() {
  if [ -n "$SERVER_PID" ]; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [ -n "$WORK" ]; then
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# check NAME LOG COMMAND...: runs one check with its output in LOG; prints its line.
check() {
  local name="$1" log="$2" status=0 start=$SECONDS
  shift 2
  "$@" >"$log" 2>&1 || status=$?
  if [ "$status" -eq 0 ]; then
    PASSED=$((PASSED + 1))
    printf '  %-10s ok (%ds)\n' "$name" $((SECONDS - start))
  else
    FAILED=$((FAILED + 1))
    printf '  %-10s FAILED, exit %d (%ds)\n' "$name" "$status" $((SECONDS - start))
    echo "----- $name: last lines of its output -----"
    tail -n 150 "$log"
    echo "----- end of $name output -----"
  fi
}

generate_client() {
  cp openapi/node/client.ts "$WORK/client.ts"
  "$NODE_BIN/openapi-typescript" "$WORK/openapi.json" --output "$WORK/portico.d.ts"
  "$NODE_BIN/tsc" --noEmit --strict --target es2020 "$WORK/client.ts" "$WORK/portico.d.ts"
}

fuzz() {
  # Origin: the interaction API answers only Portico's own pages, so the generated requests
  # get past that check to the handlers' own validation. Redirects are checked as answers
  # (303 with its Location), not followed: they lead to the console's pages, not to the API.
  # Run in the work directory: schemathesis keeps a cache (.schemathesis/) where it runs.
  (cd "$WORK" && timeout "$FUZZ_TIMEOUT" "$VENV/bin/schemathesis" \
    --config-file "$PORTICO_ROOT/openapi/schemathesis.toml" \
    run "$ISSUER/api/v1/openapi.json" \
    --header "Authorization: Bearer $TOKEN" --header "Origin: $ISSUER" --max-redirects 0 \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --max-examples "$FUZZ_EXAMPLES" --generation-database none --workers 2 --no-color)
}

started=$SECONDS
setup_openapi
if [ ! -x "$BIN" ]; then
  note "building the debug binary (cargo build -p portico)"
  cargo build --locked -p portico
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/portico-openapi.XXXXXX")"
PORT="$(free_port)"
ADDR="127.0.0.1:$PORT"
ISSUER="http://$ADDR"
DB="sqlite://$WORK/portico.db"
ADMIN_PASSWORD="$(python3 -c 'import secrets; print(secrets.token_urlsafe(24))')"

note "portico serve on $ISSUER"
# A stand-in console page: schemathesis also probes paths outside the API, which the console
# answers (503 while it is not built).
mkdir -p "$WORK/console"
echo '<!doctype html><title>Portico</title>' >"$WORK/console/index.html"
PORTICO_BOOTSTRAP_ADMIN_PASSWORD="$ADMIN_PASSWORD" PORTICO_LOG="${PORTICO_LOG:-warn}" \
  "$BIN" serve --addr "$ADDR" --management-addr 127.0.0.1:0 --shutdown-delay 0 \
  --database-url "$DB" --console-dir "$WORK/console" >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
deadline=$((SECONDS + START_TIMEOUT))
until curl -fs --max-time 2 -o "$WORK/openapi.json" "$ISSUER/api/v1/openapi.json"; do
  if ! kill -0 "$SERVER_PID" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then
    note "portico serve did not answer within ${START_TIMEOUT}s; its log:"
    tail -n 40 "$WORK/serve.log" >&2
    printf 'openapi: 0 passed, 1 failed, 0 skipped\n'
    exit 1
  fi
  sleep 0.2
done
# The bootstrap administrator's token, as an operator's script on this machine gets one.
TOKEN="$("$BIN" admin-token --username admin --ttl 15m --addr "$ADDR" --database-url "$DB" \
  2>"$WORK/admin-token.log")"

check validate "$WORK/validate.log" "$VENV/bin/openapi-spec-validator" "$WORK/openapi.json"
check client "$WORK/client.log" generate_client
check fuzz "$WORK/fuzz.log" fuzz
# A request that made the server fail is in its log even when schemathesis missed it.
if grep -q 'ERROR' "$WORK/serve.log"; then
  note "the server logged errors:"
  grep 'ERROR' "$WORK/serve.log" | tail -n 20
  FAILED=$((FAILED + 1))
fi

note "took $((SECONDS - started))s"
printf 'openapi: %d passed, %d failed, 0 skipped\n' "$PASSED" "$FAILED"
[ "$FAILED" -eq 0 ]
