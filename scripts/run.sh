#!/usr/bin/env bash
# Run Portico: install what is missing, build the console to dist/ and the server, then start it.
# Arguments go to `portico serve` (see README.md), e.g. scripts/run.sh --addr 127.0.0.1:9000
# Every step prints a line with the time since the start; long ones say every minute how far
# they have got. Build output goes to .tools/logs/ and is shown only when a step fails.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/setup.sh
source scripts/setup.sh

setup_wasm_target
setup_crates

# The server's release build needs none of the tools below, so it runs beside their installs:
# on 2 cores each build leaves a core idle for long stretches (a crate built alone, a link).
say "cargo build --release -p portico (the server; in the background)"
# In a process group of its own (job control on for this one job), so that a stop (Ctrl-C, or
# a failed install) stops the whole build, cargo and its compilers, and nothing else.
set -m
run_logged server-build cargo build --locked --release -p portico &
server_build=$!
set +m
trap 'kill -- -"$server_build" 2>/dev/null || true' EXIT

setup_trunk
setup_wasm_bindgen
setup_wasm_opt
say "ready: $(trunk --version), $(wasm-bindgen --version), $(wasm-opt --version)"

say "trunk build --release (the console, into dist/)"
run_logged console-build trunk build --release

say "waiting for the server's build"
wait "$server_build"
trap - EXIT

say "portico serve $*"
exec target/release/portico serve "$@"
