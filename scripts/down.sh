#!/usr/bin/env bash
# Stops what 'make up' started (demo receivers, services, then Kafka). PostgreSQL is left running.
set -euo pipefail
source "$(dirname "$0")/lib-node.sh"
source "$REPO_ROOT/scripts/services.sh"
node "$REPO_ROOT/scripts/demo-receivers.js" stop
stop_service console
for (( i=${#SERVICES_ORDER[@]}-1; i>=0; i-- )); do stop_service "${SERVICES_ORDER[$i]}"; done
bash "$REPO_ROOT/scripts/kafka.sh" stop
