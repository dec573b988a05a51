#!/usr/bin/env bash
# Runs the whole test suite: unit, integration (real Kafka + Postgres) and end-to-end.
# Starts the local Kafka and PostgreSQL itself unless KAFKA_BROKERS / TEST_DATABASE_ADMIN_URL
# point at running ones. Ends with the plain line "N passed, N failed".
set -euo pipefail
source "$(dirname "$0")/lib-node.sh"
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"
mkdir -p .run
ensure_deps

echo "› formatting and lint (biome ci)"
if ! biome ci --reporter=summary . ; then
  echo "biome: formatting or lint errors (fix with: npx biome check --write .)"
  echo "0 passed, 1 failed"
  exit 1
fi

echo "› checking generated contracts are up to date (buf generate)"
bash scripts/check-generated.sh

build_all

# The syslog delivery test runs a private rsyslogd; the console's browser tests drive Chromium.
ensure_rsyslog
ensure_chromium
ensure_poppler
# kcat runs the documented one-liner that reads and decodes a topic (docs/kafka.md).
ensure_kcat

if [ -z "${TEST_DATABASE_ADMIN_URL:-}" ]; then
  bash scripts/postgres.sh ensure
fi
if [ -z "${KAFKA_BROKERS:-}" ]; then
  bash scripts/kafka.sh start
  export KAFKA_BROKERS="127.0.0.1:${KAFKA_PORT:-9092}"
fi

rm -rf .run/openapi # written afresh by the run (see the OpenAPI lint below)
echo "› running jest"
set +e
jest --ci --runInBand --forceExit --json --outputFile=.run/jest-results.json "$@" 2>&1 | tee .run/jest-output.log
status=${PIPESTATUS[0]}
set -e

# The OpenAPI documents the real services served during the run (written by
# packages/testing/e2e/api-input.e2e.test.ts), linted like the code: counted as one more test.
echo "› linting the services' OpenAPI documents (scripts/openapi-lint.mjs, redocly.yaml)"
openapi_failed=0
node scripts/openapi-lint.mjs || openapi_failed=1

# The chaos check (scripts/chaos.js, docs/chaos.md): every service SIGKILLed, a private broker and
# a private Postgres cluster restarted during a backfill, then exact counts and gap-free subscriber
# streams. Counted as one more test; CHAOS_DECLARATIONS sets its size.
echo "› chaos check (scripts/chaos.js ${CHAOS_DECLARATIONS:-8000})"
chaos_failed=0
node scripts/chaos.js "${CHAOS_DECLARATIONS:-8000}" || chaos_failed=1
node -e '
  const r = require(process.argv[1]);
  const lint = Number(process.argv[2]);
  const chaos = Number(process.argv[3]);
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`${r.numPassedTests + (lint ? 0 : 1) + (chaos ? 0 : 1)} passed, ${r.numFailedTests + lint + chaos} failed` + (skipped ? `, ${skipped} skipped` : ""));
' "$REPO_ROOT/.run/jest-results.json" "$openapi_failed" "$chaos_failed" || { echo "0 passed, 1 failed"; exit 1; }
[ "$openapi_failed" = 0 ] || exit 1
[ "$chaos_failed" = 0 ] || exit 1
exit "$status"
