#!/usr/bin/env bash
# Benchmarks (never timed assertions in tests): throughput, latency percentiles and memory.
# The pipeline benchmarks need the platform running (make up).
set -euo pipefail
source "$(dirname "$0")/lib-node.sh"
cd "$REPO_ROOT"
ensure_deps
build_all
node scripts/bench/dms-parse.js 20
node scripts/bench/dms-xsd.js 20
node scripts/bench/cds-parse.js 200000
node scripts/bench/duty-engine.js
node scripts/bench/rules-engine.js 20000 3
if curl -fsS http://127.0.0.1:8081/readyz >/dev/null 2>&1; then
  node scripts/bench/ingest-pipeline.js 2000 16
  node scripts/bench/ingest-cds.js 45000
  node scripts/bench/validation-pipeline.js 20000
else
  echo "(services not running: start them with 'make up' for the end-to-end ingestion and validation benchmarks)"
fi
# Start their own ingestion / reference service (need Postgres and Kafka: make infra).
node scripts/bench/ingest-dms.js 4000 rest 16 || echo "(DMS ingestion benchmark needs Postgres and Kafka: make infra)"
node scripts/bench/ingest-dms.js 4000 multipart 4 50 || echo "(DMS ingestion benchmark needs Postgres and Kafka: make infra)"
node scripts/bench/check-before-lodging.js 500 10 || echo "(check-before-lodging benchmark needs Postgres and Kafka: make infra)"
node scripts/bench/reference-lookup.js || echo "(reference lookup benchmark needs Postgres and Kafka: make infra)"
node scripts/bench/alert-delivery.js 3000 200 direct || echo "(alert delivery benchmark needs Postgres and Kafka: make infra)"
node scripts/bench/alert-delivery.js 3000 200 || echo "(alert delivery benchmark needs Postgres and Kafka: make infra)"
echo "Large-file streaming (bounded memory): node scripts/gen-large-cds.js /tmp/big.csv 1g && node scripts/bench/ingest-large.js /tmp/big.csv"
