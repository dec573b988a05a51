#!/usr/bin/env bash
set -uo pipefail
source "$(dirname "$0")/lib-node.sh"
source "$REPO_ROOT/scripts/services.sh"
for s in "${SERVICES_ORDER[@]}"; do
  if service_running "$s"; then
    printf '  %-11s pid %-7s %s\n' "$s" "$(cat "$RUN_DIR/$s.pid")" "$(curl -fsS "http://127.0.0.1:${HTTP_PORTS[$s]}/readyz" 2>/dev/null || echo 'not ready')"
  else
    printf '  %-11s stopped\n' "$s"
  fi
done
if service_running console; then printf '  %-11s pid %-7s http://127.0.0.1:%s\n' console "$(cat "$RUN_DIR/console.pid")" "$CONSOLE_PORT"; else printf '  %-11s stopped\n' console; fi
node "$REPO_ROOT/scripts/demo-receivers.js" status
bash "$REPO_ROOT/scripts/kafka.sh" status || true
