#!/usr/bin/env bash
# Brings the platform up on this machine without Docker: PostgreSQL (roles + schemas), Kafka
# (KRaft, topics), the five services, then loads the bundled HMRC sample declarations and prints
# where to look. Idempotent: running it again reuses what is already running.
set -euo pipefail
source "$(dirname "$0")/lib-node.sh"
source "$REPO_ROOT/scripts/services.sh"
source "$REPO_ROOT/scripts/lib.sh"
cd "$REPO_ROOT"
t0=$SECONDS
ensure_deps
build_all
bash scripts/postgres.sh ensure
bash scripts/kafka.sh start
# reporting prints board reports to PDF with Debian's Chromium (ADR 0009).
ensure_chromium
ensure_tokens
# The delivery demo configures alerting's webhook and syslog channels, which needs an admin of the
# demo tenant (platform:admin is another tenant). Added once, before the services read the digests.
if ! grep -q '=demo:admin' "$TOKENS_FILE"; then
  (umask 077; printf 'demo-admin-%s=demo:admin:demo-admin\n' "$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')" >> "$TOKENS_FILE")
  ensure_tokens
fi
# The read-only auditor and a broker acting for the HMRC samples' importer (permission matrix,
# packages/config/src/permissions.ts), to try the roles: added once, like the admin above.
if ! grep -q '=demo:auditor' "$TOKENS_FILE"; then
  (umask 077; printf 'demo-auditor-%s=demo:auditor:demo-auditor\ndemo-broker-%s=demo:broker:demo-broker:GB553202734852\n' \
    "$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')" "$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')" >> "$TOKENS_FILE")
  ensure_tokens
fi
ensure_rsyslog
echo "› starting services"
for s in "${SERVICES_ORDER[@]}"; do
  start_service "$s"
  wait_ready "$s"
done
start_console
echo "› platform up in $((SECONDS - t0)) s"

# Before any alert flows: a loopback webhook receiver (verifies each Standard Webhooks signature)
# and a private rsyslogd, subscribed through alerting's REST API, so make up shows both channels.
echo "› alert delivery demo: webhook receiver and rsyslogd on loopback (.run/demo/)"
node scripts/demo-receivers.js start && node scripts/demo-receivers.js subscribe \
  || echo "  delivery demo not set up (see above); alerts are still raised and listed"

echo "› loading the bundled HMRC sample declarations (packages/testing/fixtures/hmrc)"
# Notifications, DIS reports and movement messages sit beside the declarations; they are not
# declarations, so they are skipped here (submitted, they would be rejected with that reason).
node services/ingestion/dist/cli.js packages/testing/fixtures/hmrc/hmrc-customs-declarations/annotated_XML_samples \
  --exclude 'Notifications|DIS_Report|Movement_Messages|Example_DMS' --token "$INTEGRATOR_TOKEN" --quiet > .run/sample-load.txt || true
head -1 .run/sample-load.txt
echo "  ($(grep -c 'DMS notification' .run/sample-load.txt || true) of the rejections are CDS notifications filed beside the declarations; the others:)"
grep '^  rejected' .run/sample-load.txt | grep -v 'DMS notification' | sed 's#packages/testing/fixtures/hmrc/hmrc-customs-declarations/annotated_XML_samples/##' || true
echo "› loading the Online Trade Tariff sample into reference (0702000007 cherry tomatoes: preferences, VAT, supplementary unit)"
curl -sf -X POST -H "authorization: Bearer $SERVICE_TOKEN" --data-binary @services/reference/data/samples/ott_api_commodity_0702000007_cherry_tomatoes.json \
  "http://127.0.0.1:8082/v1/admin/ott-loads?source=ott_api_commodity_0702000007_cherry_tomatoes.json" > .run/ott-load.json \
  && node -e 'const r=require("./.run/ott-load.json"); console.log(`  dataset ${r.dataset ?? "ott"} version ${r.version ?? "?"}${r.duplicate ? " (already loaded)" : ""}`)' \
  || echo "  OTT sample load failed (see services/reference logs); rates stay at the UKGT baseline"

echo "› generating a labelled importer history (seed 20261127, 300 declarations, HMRC CDS report CSV) into .run/dataset"
node scripts/generate-dataset.js --seed 20261127 --declarations 300 --format cds --out .run/dataset > .run/dataset-summary.json
node -e 'const s=require("./.run/dataset-summary.json"); console.log(`  ${s.declarations} declarations, ${s.items} items, ${s.injectedDeclarations} with one injected error (ground truth: .run/dataset/ground-truth.json)`)'
# The history was built on the generated world's own tariff view (packages/datagen/src/view.ts:
# UKGT third-country rates, partner preferences, VAT, the modelled remedy and suspension lines);
# reference is given exactly those facts through its real OTT loader before the history arrives,
# so what the platform finds live is what docs/quality.md measures.
echo "› loading the generated world's tariff into reference (OTT declarable-duties report + group 1013, labelled GENERATED)"
for f in ott-generated-geographical-areas.json ott-generated-tariff.csv; do
  curl -sf -X POST -H "authorization: Bearer $SERVICE_TOKEN" --data-binary "@.run/dataset/$f" \
    "http://127.0.0.1:8082/v1/admin/ott-loads?source=$f" > ".run/ott-load-$f.json" \
    && node -e 'const r=require(process.argv[1]); console.log(`  ${r.version}: ${r.commodityCodes} codes, ${r.measures} measures, ${r.groups} group(s)${r.duplicate ? " (already loaded)" : ""}`)' "$REPO_ROOT/.run/ott-load-$f.json" \
    || echo "  $f: load failed (see services/reference logs); live findings will not match the ground truth"
done
# Header and tax-line reports first, so the item report joins them as it streams.
curl -sf -H "authorization: Bearer $INTEGRATOR_TOKEN" -F format=cds-report \
  -F "files=@.run/dataset/import-header.csv" -F "files=@.run/dataset/import-taxline.csv" -F "files=@.run/dataset/import-item.csv" \
  http://127.0.0.1:8081/v1/uploads > .run/dataset-upload.json \
  && node -e 'const r=require("./.run/dataset-upload.json"); for (const f of r.files) console.log(`  ${f.filename}: ${f.status}, ${f.declarations.length} declarations (batch ${f.batchId})`)' \
  || echo "  dataset upload failed (see .run/dataset-upload.json and services/ingestion logs)"

echo "› loading a labelled history for scoring's history checks (seed 20261202, 2 importers, DMS XML) — see docs/quality-history.md"
node scripts/load-history.js || echo "  history load failed (see above and .run/services/ingestion.log)"

node scripts/summary.js
echo "› reporting: C285 and C2001 drafts, a board report (HTML + PDF) and a case with its audit-response pack (.run/reporting/)"
node scripts/reporting-demo.js || echo "  reporting demo failed (see .run/services/reporting.log)"
echo "› detection quality through the running services (findings vs .run/dataset/ground-truth.json; docs/quality.md)"
node scripts/live-quality.js || echo "  live quality could not be measured (see above)"
