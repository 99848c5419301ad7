#!/usr/bin/env bash
# Interop suites: independent OAuth 2.0 client libraries against a real `portico serve`.
#
#   scripts/interop.sh                          SQLite only
#   scripts/pg.sh run bash scripts/interop.sh   SQLite, then PostgreSQL (a throwaway server)
#
# For each database (a temporary SQLite file; with PORTICO_TEST_POSTGRES_URL set, also a fresh
# PostgreSQL database created from it) this starts `target/debug/portico serve` on a free port
# of 127.0.0.1 with a bootstrap admin password, adds an end user with `portico user add`, then
# runs the Python suite (authlib, pytest, interop/python) and the Node suite (oauth4webapi,
# node --test, interop/node), and stops the server. A second copy of the server, started with
# an https --issuer (on a SQLite file of its own), serves the discovery document that authlib
# validates.
#
# Installs what is missing (scripts/setup.sh: setup_interop), builds the debug binary when it
# is missing. Prints one line per suite (the suite's whole output when it fails) and ends with
# `interop: N passed, N failed, N skipped`; exits non-zero when anything failed.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/setup.sh
source scripts/setup.sh

BIN="${CARGO_TARGET_DIR:-$PWD/target}/debug/portico"
VENV="$PORTICO_TOOLS/venv"
SUITE_TIMEOUT=300 # seconds, per suite run
START_TIMEOUT=30  # seconds, for a server to answer

WORK=""
PIDS=()
PG_DATABASES=()
PASSED=0
FAILED=0
SKIPPED=0

note() { printf 'interop: %s\n' "$*"; }

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    stop_server "$pid"
  done
  PIDS=()
  local db
  for db in "${PG_DATABASES[@]}"; do
    psql "$PORTICO_TEST_POSTGRES_URL" -q -v ON_ERROR_STOP=1 \
      -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  done
  PG_DATABASES=()
  if [ -n "$WORK" ]; then
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

random_secret() {
  python3 -c 'import secrets; print(secrets.token_urlsafe(24))'
}

# SIGTERM, then wait (at most 10 s) before SIGKILL.
stop_server() {
  local pid="$1"
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# start_server LOG ADDR DATABASE_URL [serve flags...]: starts `portico serve` in the
# background, sets SERVER_PID, and waits until its discovery document answers.
start_server() {
  local log="$1" addr="$2" url="$3"
  shift 3
  PORTICO_BOOTSTRAP_ADMIN_PASSWORD="$ADMIN_PASSWORD" PORTICO_LOG="${PORTICO_LOG:-warn}" \
    "$BIN" serve --addr "$addr" --management-addr 127.0.0.1:0 --shutdown-delay 0 \
      --database-url "$url" --console-dir /nonexistent "$@" \
    >"$log" 2>&1 &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  local deadline=$((SECONDS + START_TIMEOUT))
  until curl -fs --max-time 2 -o /dev/null "http://$addr/.well-known/oauth-authorization-server"; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then
      note "portico serve on $addr did not answer within ${START_TIMEOUT}s; its log:"
      tail -n 40 "$log" >&2
      return 1
    fi
    sleep 0.2
  done
}

# Adds the counts of one suite run and prints its line (and its output when it failed).
# record NAME STATUS SECONDS LOG PASSED FAILED SKIPPED
record() {
  local name="$1" status="$2" secs="$3" log="$4" p="$5" f="$6" s="$7"
  if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
    f=1 # it did not run to the end (timeout, crash, nothing collected): count it as a failure
  fi
  PASSED=$((PASSED + p))
  FAILED=$((FAILED + f))
  SKIPPED=$((SKIPPED + s))
  printf '  %-24s %d passed, %d failed, %d skipped (%ds)\n' "$name" "$p" "$f" "$s" "$secs"
  if [ "$f" -ne 0 ]; then
    echo "----- $name: last lines of its output -----"
    tail -n 150 "$log"
    echo "----- end of $name output -----"
  fi
}

suite_env() {
  env PORTICO_ISSUER="$ISSUER" PORTICO_ADMIN_PASSWORD="$ADMIN_PASSWORD" \
    PORTICO_USER="$END_USER" PORTICO_USER_PASSWORD="$END_USER_PASSWORD" \
    PORTICO_HTTPS_ISSUER="$HTTPS_ISSUER" PORTICO_HTTPS_METADATA_URL="$HTTPS_METADATA_URL" \
    "$@"
}

# pytest_count WORD LINE: N from "N WORD" in pytest's closing line (0 when absent).
pytest_count() {
  awk -v k="$1" '{ for (i = 2; i <= NF; i++) { w = $i; sub(/,$/, "", w); if (w == k) n += $(i - 1) } }
                 END { print n + 0 }' <<<"$2"
}

# node_count WORD LOG: N from node --test's closing "# WORD N" line (0 when absent).
node_count() {
  awk -v k="$1" '$1 == "#" && $2 == k && NF == 3 { n = $3 } END { print n + 0 }' "$2"
}

run_python() {
  local db="$1" log="$WORK/pytest-$1.log" status=0 start=$SECONDS
  suite_env PYTHONDONTWRITEBYTECODE=1 timeout "$SUITE_TIMEOUT" \
    "$VENV/bin/python" -m pytest -c interop/python/pytest.ini --tb=short interop/python >"$log" 2>&1 ||
    status=$?
  # pytest's closing line: "17 passed, 1 skipped, 1 xfailed in 5.28s"
  local last p f s
  last="$(grep -E '(passed|failed|skipped|errors?|xfailed|no tests ran).* in [0-9.]+s' "$log" |
    tail -n 1 || true)"
  p=$(($(pytest_count passed "$last") + $(pytest_count xpassed "$last")))
  f=$(($(pytest_count failed "$last") + $(pytest_count error "$last") + $(pytest_count errors "$last")))
  s=$(($(pytest_count skipped "$last") + $(pytest_count xfailed "$last")))
  record "[$db] authlib" "$status" $((SECONDS - start)) "$log" "$p" "$f" "$s"
}

run_node() {
  local db="$1" log="$WORK/node-$1.log" status=0 start=$SECONDS
  (cd interop/node && suite_env timeout "$SUITE_TIMEOUT" node --test test/) >"$log" 2>&1 ||
    status=$?
  local p f s
  p=$(node_count pass "$log")
  f=$(($(node_count fail "$log") + $(node_count cancelled "$log")))
  s=$(($(node_count skipped "$log") + $(node_count todo "$log")))
  record "[$db] oauth4webapi" "$status" $((SECONDS - start)) "$log" "$p" "$f" "$s"
}

# run_database NAME DATABASE_URL
run_database() {
  local db="$1" url="$2" port https_port
  port="$(free_port)"
  https_port="$(free_port)"
  ISSUER="http://127.0.0.1:$port"
  HTTPS_ISSUER="https://portico.interop.test"
  HTTPS_METADATA_URL="http://127.0.0.1:$https_port/.well-known/oauth-authorization-server"

  note "$db: portico serve on $ISSUER"
  if ! start_server "$WORK/serve-$db.log" "127.0.0.1:$port" "$url"; then
    FAILED=$((FAILED + 1))
    return 0
  fi
  local main_pid="$SERVER_PID"
  # The end user, added by the operator's command while the server runs (the admin was
  # bootstrapped by the first start, which happens only while there are no users).
  if ! printf '%s\n' "$END_USER_PASSWORD" | "$BIN" user add "$END_USER" \
    --email "$END_USER@example.org" --name 'Alice Liddell' --database-url "$url" \
    >"$WORK/user-$db.log" 2>&1; then
    note "$db: portico user add failed:"
    cat "$WORK/user-$db.log" >&2
    FAILED=$((FAILED + 1))
    return 0
  fi
  # A second server, as behind a TLS proxy, whose metadata authlib validates. Its own SQLite
  # file: copies sharing a database must share the issuer (the console client is kept there).
  if ! start_server "$WORK/serve-https-$db.log" "127.0.0.1:$https_port" \
    "sqlite://$WORK/https-$db.db" --issuer "$HTTPS_ISSUER"; then
    FAILED=$((FAILED + 1))
    return 0
  fi
  local https_pid="$SERVER_PID"

  run_python "$db"
  run_node "$db"

  stop_server "$https_pid"
  stop_server "$main_pid"
  PIDS=()
}

started=$SECONDS
setup_interop
if [ ! -x "$BIN" ]; then
  note "building the debug binary (cargo build -p portico)"
  cargo build --locked -p portico
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/portico-interop.XXXXXX")"
ADMIN_PASSWORD="$(random_secret)"
END_USER="alice"
END_USER_PASSWORD="$(random_secret)"

run_database sqlite "sqlite://$WORK/portico.db"

if [ -n "${PORTICO_TEST_POSTGRES_URL:-}" ]; then
  pg_db="portico_interop_$(date +%s)_$$"
  if psql "$PORTICO_TEST_POSTGRES_URL" -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE $pg_db" \
    >"$WORK/createdb.log" 2>&1; then
    PG_DATABASES+=("$pg_db")
    # postgres://user@host:port/postgres -> .../$pg_db
    run_database postgres "${PORTICO_TEST_POSTGRES_URL%/*}/$pg_db"
  else
    note "could not create a PostgreSQL database:"
    cat "$WORK/createdb.log" >&2
    FAILED=$((FAILED + 1))
  fi
else
  note "PORTICO_TEST_POSTGRES_URL is not set: PostgreSQL skipped"
fi

note "took $((SECONDS - started))s"
printf 'interop: %d passed, %d failed, %d skipped\n' "$PASSED" "$FAILED" "$SKIPPED"
[ "$FAILED" -eq 0 ]
