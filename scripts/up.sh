#!/usr/bin/env bash
# Brings the platform up on this machine without Docker: PostgreSQL (roles + schemas), Kafka
# (KRaft, topics), the five services, then loads the bundled HMRC sample declarations and prints
# where to look. Idempotent: running it again reuses what is already running.
set -euo pipefail
source "$(dirname "$0")/lib-node.sh"
source "$REPO_ROOT/scripts/services.sh"
cd "$REPO_ROOT"
t0=$SECONDS
ensure_deps
build_all
bash scripts/postgres.sh ensure
bash scripts/kafka.sh start
ensure_tokens
echo "› starting services"
for s in "${SERVICES_ORDER[@]}"; do
  start_service "$s"
  wait_ready "$s"
done
echo "› platform up in $((SECONDS - t0)) s"

echo "› loading the bundled HMRC sample declarations (packages/testing/fixtures/hmrc)"
# Notifications, DIS reports and movement messages sit beside the declarations; they are not
# declarations, so they are skipped here (submitted, they would be rejected with that reason).
node services/ingestion/dist/cli.js packages/testing/fixtures/hmrc/hmrc-customs-declarations/annotated_XML_samples \
  --exclude 'Notifications|DIS_Report|Movement_Messages|Example_DMS' --token "$INTEGRATOR_TOKEN" --quiet > .run/sample-load.txt || true
head -1 .run/sample-load.txt
echo "  ($(grep -c 'DMS notification' .run/sample-load.txt || true) of the rejections are CDS notifications filed beside the declarations; the others:)"
grep '^  rejected' .run/sample-load.txt | grep -v 'DMS notification' | sed 's#packages/testing/fixtures/hmrc/hmrc-customs-declarations/annotated_XML_samples/##' || true
node scripts/summary.js
