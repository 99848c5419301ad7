#!/usr/bin/env bash
# A throwaway PostgreSQL server on 127.0.0.1 for the tests.
#
#   source scripts/pg.sh; pg_start; ...; pg_stop
#       pg_start exports PORTICO_TEST_POSTGRES_URL=postgres://portico@127.0.0.1:PORT/postgres
#       (trust auth, superuser `portico`; the tests create their own databases from it).
#   scripts/pg.sh run CMD [ARGS...]
#       start one, run CMD with PORTICO_TEST_POSTGRES_URL set, stop it, exit with CMD's status.
#
# The cluster lives in a mktemp directory that pg_stop removes. PostgreSQL refuses to run as
# root, so as root it runs as the system user `portico-pg` (created when missing).

PG_SYSTEM_USER="portico-pg"
PG_ROLE="portico"
PG_DIR=""
PG_PORT=""

_pg_say() { printf 'pg: %s\n' "$*"; }

_pg_bin() {
  local dir
  dir="$(compgen -G '/usr/lib/postgresql/*/bin' | sort -V | tail -n 1)"
  if [ -z "$dir" ] || [ ! -x "$dir/initdb" ]; then
    _pg_say "no PostgreSQL server binaries under /usr/lib/postgresql (scripts/setup.sh installs them)"
    return 1
  fi
  printf '%s\n' "$dir"
}

# Run a command as the user that owns the cluster.
_pg_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u "$PG_SYSTEM_USER" -- "$@"
  else
    "$@"
  fi
}

_pg_free_port() {
  python3 -c 'import random, socket
# Below the ephemeral range (32768-60999), where outgoing connections take their source
# ports: a port found free there can be taken by a client before the server binds it.
for _ in range(1000):
    port = random.randint(20000, 32000)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        continue
    print(port)
    break' \
    2>/dev/null && return 0
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 12000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      printf '%s\n' "$port"
      return 0
    fi
  done
  return 1
}

pg_start() {
  local bin
  bin="$(_pg_bin)" || return 1
  if [ "$(id -u)" -eq 0 ] && ! id -u "$PG_SYSTEM_USER" >/dev/null 2>&1; then
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
      "$PG_SYSTEM_USER" || return 1
  fi

  PG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/portico-pg.XXXXXX")"
  if [ "$(id -u)" -eq 0 ]; then
    chown "$PG_SYSTEM_USER:" "$PG_DIR"
  fi
  PG_PORT="$(_pg_free_port)" || return 1

  if ! _pg_as_owner "$bin/initdb" -D "$PG_DIR/data" -U "$PG_ROLE" --auth=trust \
    --encoding=UTF8 --no-locale >"$PG_DIR/initdb.log" 2>&1; then
    _pg_say "initdb failed:"
    cat "$PG_DIR/initdb.log" >&2
    return 1
  fi
  # Durability is pointless for a throwaway cluster the tests use (they open many pools);
  # PG_DURABLE=1 (the benchmark) keeps PostgreSQL's defaults: fsync, synchronous_commit and
  # full_page_writes on, so write figures are those of a real deployment.
  local durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  if [ "${PG_DURABLE:-0}" = 1 ]; then durability=""; fi
  if ! _pg_as_owner "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR $durability -c max_connections=300" \
    start >/dev/null; then
    _pg_say "server did not start:"
    cat "$PG_DIR/server.log" >&2
    return 1
  fi
  _pg_as_owner "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_ROLE" "$PG_ROLE" || return 1

  export PORTICO_TEST_POSTGRES_URL="postgres://$PG_ROLE@127.0.0.1:$PG_PORT/postgres"
  _pg_say "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') up: $PORTICO_TEST_POSTGRES_URL"
}

# Stop the server and remove its directory. Safe to call twice or after a failed start.
pg_stop() {
  if [ -z "$PG_DIR" ]; then
    return 0
  fi
  local bin
  if [ -f "$PG_DIR/data/postmaster.pid" ] && bin="$(_pg_bin)"; then
    _pg_as_owner "$bin/pg_ctl" -D "$PG_DIR/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
  fi
  rm -rf "$PG_DIR"
  PG_DIR=""
  unset PORTICO_TEST_POSTGRES_URL
}

# Executed rather than sourced: `scripts/pg.sh run CMD...`.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  if [ "${1:-}" != "run" ] || [ "$#" -lt 2 ]; then
    echo "usage: $0 run CMD [ARGS...]" >&2
    exit 2
  fi
  shift
  trap pg_stop EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  pg_start
  status=0
  "$@" || status=$?
  exit "$status"
fi
