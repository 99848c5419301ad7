#!/usr/bin/env bash
# Run Portico: install what is missing, build the console to dist/, then start the server.
# Arguments go to `portico serve` (see README.md), e.g. scripts/run.sh --addr 127.0.0.1:9000
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/setup.sh
source scripts/setup.sh
portico_setup

echo "==> trunk build --release (console -> dist/)"
trunk build --release

echo "==> cargo run --release -p portico -- serve $*"
exec cargo run --locked --release -p portico -- serve "$@"
