#!/usr/bin/env bash
# The server's layers point one way (docs/architecture.md): the lower layers never import the
# handlers and the protocol (`oauth`, `admin`, `interaction`), and the protocol never imports the
# handlers. Prints each offending line and exits 1, or prints one line and exits 0.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../server/src"

lower=(http runtime store crypto clock.rs metrics.rs signing state.rs users.rs purge.rs cache.rs console.rs)
status=0
check() {
  local what="$1" pattern="$2"
  shift 2
  local hits
  # `crate::x`, `use crate::{x, …}` and `super::super::x` all name the module.
  hits="$(grep -rnE "$pattern" "$@" --include='*.rs' || true)"
  if [ -n "$hits" ]; then
    printf 'layers: %s\n%s\n' "$what" "$hits"
    status=1
  fi
}
check "a lower layer imports the protocol or a handler" \
  'crate::(\{[^}]*\b)?(oauth|admin|interaction)\b' "${lower[@]}"
check "the protocol imports a handler" 'crate::(\{[^}]*\b)?(admin|interaction)\b' oauth
check "the admin API imports the interaction handlers" 'crate::(\{[^}]*\b)?interaction\b' admin
check "the interaction handlers import the admin API" 'crate::(\{[^}]*\b)?admin\b' interaction
if [ "$status" -eq 0 ]; then
  echo "layers: ok (lower layers import no protocol or handler module)"
fi
exit "$status"
