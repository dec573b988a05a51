#!/usr/bin/env bash
# Benchmarks (never timed assertions in tests): throughput, latency percentiles and memory.
# The pipeline benchmark needs the platform running (make up).
set -euo pipefail
source "$(dirname "$0")/lib-node.sh"
cd "$REPO_ROOT"
ensure_deps
build_all
node scripts/bench/dms-parse.js 20
node scripts/bench/cds-parse.js 200000
if curl -fsS http://127.0.0.1:8081/readyz >/dev/null 2>&1; then
  node scripts/bench/ingest-pipeline.js 2000 16
  node scripts/bench/ingest-cds.js 45000
else
  echo "(ingestion not running: start it with 'make up' for the end-to-end ingestion benchmark)"
fi
