#!/usr/bin/env bash
# Install what building and testing Portico needs, skipping whatever is already there.
#
#   scripts/setup.sh            install everything the build needs
#   source scripts/setup.sh     define the functions below and put the tools on PATH;
#                               then call `portico_setup` (and `setup_browser` for browser tests)
#
# Installs when missing (times on a cold 2-core machine):
#   rust target wasm32-unknown-unknown (rustup, seconds)
#   trunk 0.21.14                      (cargo install --locked, quick profile, about 7 min)
#   wasm-bindgen-cli = Cargo.lock's wasm-bindgen (cargo install, quick profile, about 1.5 min)
#   wasm-opt from npm binaryen@132     (into .tools/, seconds; Debian's binaryen 108 breaks the wasm)
#   PostgreSQL server                  (apt, for scripts/test.sh, under a minute)
#   curl, jq, openssl                  (apt, for scripts/test.sh: the README quick start's test)
#   chromium + chromium-driver         (apt, only through setup_browser, for browser tests)
#   interop suites (setup_interop, for scripts/interop.sh, seconds):
#     .tools/venv with interop/python/requirements.txt (authlib 1.9.10, requests 2.34.2,
#       cryptography 50.0.2, pytest 9.2.0; pip from PyPI)
#     interop/node/node_modules from interop/node/package-lock.json (oauth4webapi 3.8.8; npm ci)
#   OpenAPI checks (setup_openapi, for scripts/openapi.sh, seconds):
#     .tools/openapi-venv with openapi/requirements.txt (schemathesis 4.32.5,
#       openapi-spec-validator 0.9.0; pip from PyPI)
#     openapi/node/node_modules from openapi/node/package-lock.json (openapi-typescript 7.13.0,
#       typescript 5.9.3; npm ci)
# Install output goes to .tools/logs/; it is shown only when a step fails.

PORTICO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PORTICO_TOOLS="$PORTICO_ROOT/.tools"

TRUNK_VERSION="0.21.14"
BINARYEN_NPM_VERSION="132.0.0"

# Tools: cargo-installed binaries, then the project-local npm ones first of all.
case ":$PATH:" in *":$HOME/.cargo/bin:"*) ;; *) PATH="$HOME/.cargo/bin:$PATH" ;; esac
case ":$PATH:" in
  *":$PORTICO_TOOLS/node_modules/.bin:"*) ;;
  *) PATH="$PORTICO_TOOLS/node_modules/.bin:$PATH" ;;
esac
export PATH
# Trunk's own update check is not stopped by `offline = true` in Trunk.toml.
export TRUNK_SKIP_VERSION_CHECK=true

# Progress lines carry the time since set-up began, so a newcomer can see where it stands.
PORTICO_SETUP_T0="${PORTICO_SETUP_T0:-$SECONDS}"
elapsed() {
  local t=$((SECONDS - PORTICO_SETUP_T0))
  printf '%dm%02ds' $((t / 60)) $((t % 60))
}
say() { printf 'setup [%s]: %s\n' "$(elapsed)" "$*"; }

# A free TCP port on 127.0.0.1 for a server a test script starts. Below the ephemeral range
# (32768-60999), where outgoing connections take their source ports: a port found free there can
# be taken by a client before the server binds it.
free_port() {
  python3 -c 'import random, socket
for _ in range(1000):
    port = random.randint(20000, 32000)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        continue
    print(port)
    break'
}

# Run an install step with its output in .tools/logs/NAME.log; show the log's tail on failure.
# A long step says every minute that it is still going, and how far cargo has got.
run_logged() {
  local name="$1"
  shift
  mkdir -p "$PORTICO_TOOLS/logs"
  local log="$PORTICO_TOOLS/logs/$name.log"
  local started=$SECONDS
  : >"$log"
  (
    while sleep 60; do
      say "  … $name still running ($((SECONDS - started)) s, $(grep -c '^ *Compiling ' "$log" 2>/dev/null || true) crates compiled)"
    done
  ) &
  local ticker=$!
  local status=0
  "$@" >"$log" 2>&1 || status=$?
  kill "$ticker" 2>/dev/null
  wait "$ticker" 2>/dev/null || true
  if [ "$status" -ne 0 ]; then
    say "FAILED: $* (last lines of $log follow)"
    tail -n 40 "$log" >&2
    return 1
  fi
  say "  done: $name in $((SECONDS - started)) s"
}

# The tools are built for a quick install, not for their own speed: their release profiles ask
# for fat LTO and one codegen unit (trunk), which on 2 cores is most of their build time, and
# they do little work per console build. Cargo applies these to `cargo install` as well.
fast_tool_build() {
  CARGO_PROFILE_RELEASE_LTO=off \
    CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    CARGO_PROFILE_RELEASE_OPT_LEVEL=1 \
    CARGO_PROFILE_RELEASE_DEBUG=false \
    "$@"
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    say "need root for: $*"
    return 1
  fi
}

_apt_updated=""
apt_install() {
  if [ -z "$_apt_updated" ]; then
    say "apt-get update"
    run_logged apt-update as_root env DEBIAN_FRONTEND=noninteractive apt-get update
    _apt_updated=1
  fi
  say "apt-get install $*"
  run_logged apt-install as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "$@"
}

# The wasm-bindgen version pinned in Cargo.lock (wasm-bindgen-cli must match it exactly).
wasm_bindgen_lock_version() {
  awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/version = |"/, ""); print; exit }' \
    "$PORTICO_ROOT/Cargo.lock"
}

setup_wasm_target() {
  if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    return 0
  fi
  say "rustup target add wasm32-unknown-unknown"
  run_logged rustup-target rustup target add wasm32-unknown-unknown
}

setup_trunk() {
  if [ "$(trunk --version 2>/dev/null)" = "trunk $TRUNK_VERSION" ]; then
    return 0
  fi
  # Without default features: no TLS stack and no update check, since trunk never downloads
  # anything here (`offline = true` in Trunk.toml) and its dev server is plain HTTP.
  say "cargo install trunk $TRUNK_VERSION (the longest step: about 7 minutes beside the server build)"
  run_logged trunk fast_tool_build cargo install --locked --force --no-default-features \
    trunk --version "$TRUNK_VERSION"
}

setup_wasm_bindgen() {
  local want
  want="$(wasm_bindgen_lock_version)"
  if [ -z "$want" ]; then
    say "no wasm-bindgen in Cargo.lock"
    return 1
  fi
  if [ "$(wasm-bindgen --version 2>/dev/null)" = "wasm-bindgen $want" ]; then
    return 0
  fi
  # Not --locked: the crate's own lockfile wants a webpki-roots the registry here lacks.
  say "cargo install wasm-bindgen-cli $want (about 1.5 minutes)"
  run_logged wasm-bindgen-cli fast_tool_build cargo install --force wasm-bindgen-cli --version "=$want"
  local got
  got="$(wasm-bindgen --version 2>/dev/null || true)"
  if [ "$got" != "wasm-bindgen $want" ]; then
    say "wasm-bindgen on PATH is '$got', Cargo.lock wants $want"
    return 1
  fi
}

setup_wasm_opt() {
  local bin="$PORTICO_TOOLS/node_modules/.bin/wasm-opt"
  local major="${BINARYEN_NPM_VERSION%%.*}"
  if [ -x "$bin" ] && "$bin" --version 2>/dev/null | grep -q "version $major\b"; then
    return 0
  fi
  if ! command -v npm >/dev/null 2>&1; then
    apt_install nodejs npm
  fi
  say "npm install binaryen@$BINARYEN_NPM_VERSION into .tools/"
  mkdir -p "$PORTICO_TOOLS"
  run_logged binaryen npm install --prefix "$PORTICO_TOOLS" --no-audit --no-fund \
    "binaryen@$BINARYEN_NPM_VERSION"
}

# PostgreSQL server binaries (initdb, pg_ctl, postgres) for the tests' throwaway database.
setup_postgres() {
  if compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
    return 0
  fi
  apt_install postgresql
}

# What the README's quick start uses (its test runs it as written): curl, jq and openssl.
setup_cli_tools() {
  local missing=()
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  command -v jq >/dev/null 2>&1 || missing+=(jq)
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  if [ "${#missing[@]}" -gt 0 ]; then
    apt_install "${missing[@]}"
  fi
}

# Chromium and its driver, for browser tests (wasm-bindgen-test, end-to-end).
setup_browser() {
  if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    return 0
  fi
  apt_install chromium chromium-driver
}

# A Python virtual environment .tools/NAME with the pins of REQUIREMENTS; reinstalled when the
# pins change.
setup_venv() {
  local name="$1" req="$2"
  local venv="$PORTICO_TOOLS/$name"
  if [ -x "$venv/bin/python" ] && cmp -s "$req" "$venv/portico-requirements.txt"; then
    return 0
  fi
  if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
    apt_install python3 python3-venv
  fi
  say "python venv .tools/$name with ${req#"$PORTICO_ROOT"/}"
  rm -rf "$venv"
  run_logged "$name" python3 -m venv "$venv"
  run_logged "$name-pip" "$venv/bin/pip" install --disable-pip-version-check --no-input \
    --requirement "$req"
  cp "$req" "$venv/portico-requirements.txt"
}

# The Python interop suite's virtual environment.
setup_interop_python() {
  setup_venv venv "$PORTICO_ROOT/interop/python/requirements.txt"
}

# The Node interop suite's packages, exactly as interop/node/package-lock.json pins them.
setup_interop_node() {
  local dir="$PORTICO_ROOT/interop/node"
  if ! command -v npm >/dev/null 2>&1; then
    apt_install nodejs npm
  fi
  local want have
  want="$(node -p "require('$dir/package-lock.json').packages['node_modules/oauth4webapi'].version")"
  have="$(node -p "require('$dir/node_modules/oauth4webapi/package.json').version" 2>/dev/null || true)"
  if [ "$have" = "$want" ]; then
    return 0
  fi
  say "npm ci in interop/node (oauth4webapi $want)"
  run_logged interop-npm npm ci --prefix "$dir" --no-audit --no-fund
}

# What scripts/interop.sh needs: a Python venv with authlib, and oauth4webapi on Node >= 20.
setup_interop() {
  setup_interop_python
  setup_interop_node
  local major
  major="$(node -p 'process.versions.node.split(".")[0]')"
  if [ "$major" -lt 20 ]; then
    say "the Node interop suite needs Node.js 20 or later, found $(node --version)"
    return 1
  fi
}

# The OpenAPI checks' virtual environment.
setup_openapi_python() {
  setup_venv openapi-venv "$PORTICO_ROOT/openapi/requirements.txt"
}

# The client generator and type checker, exactly as openapi/node/package-lock.json pins them.
setup_openapi_node() {
  local dir="$PORTICO_ROOT/openapi/node"
  if ! command -v npm >/dev/null 2>&1; then
    apt_install nodejs npm
  fi
  if cmp -s "$dir/package-lock.json" "$dir/node_modules/.portico-package-lock.json"; then
    return 0
  fi
  say "npm ci in openapi/node (openapi-typescript, typescript)"
  run_logged openapi-npm npm ci --prefix "$dir" --no-audit --no-fund
  cp "$dir/package-lock.json" "$dir/node_modules/.portico-package-lock.json"
}

# What scripts/openapi.sh needs: schemathesis and the validator, the TypeScript generator.
setup_openapi() {
  setup_openapi_python
  setup_openapi_node
}

setup_crates() {
  if [ -f "$PORTICO_ROOT/Cargo.lock" ]; then
    say "cargo fetch --locked"
    run_logged cargo-fetch cargo fetch --locked --manifest-path "$PORTICO_ROOT/Cargo.toml"
  fi
}

# Everything `scripts/run.sh` needs to build the console and the server.
portico_setup() {
  setup_wasm_target
  setup_trunk
  setup_wasm_bindgen
  setup_wasm_opt
  setup_crates
  say "ready: $(trunk --version), $(wasm-bindgen --version), $(wasm-opt --version)"
}

# Executed rather than sourced: install everything, PostgreSQL included.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  portico_setup
  setup_postgres
  setup_interop
  setup_openapi
fi
