#!/usr/bin/env node
// Runs HMRC's own sample import declarations (packages/testing/fixtures/hmrc, OGL) through the
// ingestion parser and every live validation rule, with reference facts from the bundled
// reference data, and prints each finding grouped by rule: the evidence for the closing note's
// "true issue or false positive" review. Uses the compiled services (run `make build` first).
//
//   node scripts/hmrc-findings.js [--json] [--today YYYY-MM-DD]
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const { parseDmsDeclaration } = require(path.join(root, 'services/ingestion/dist/parse/dms'));
const { loadBundledStore } = require(path.join(root, 'services/reference/dist/app/load-bundled'));
const { RULES, evaluateDeclaration } = require(path.join(root, 'services/validation/dist/rules'));
const { toRateFacts } = require(path.join(root, 'services/validation/dist/app/check-batch'));

const { commandLine, usageError } = require('./lib/command-line');

const USAGE = `usage: node scripts/hmrc-findings.js [--json] [--today YYYY-MM-DD]
  --json           the findings as JSON
  --today D        the day deadlines are counted from (default today)
  -h, --help       this text
exit codes: 0 printed, 1 failed, 64 bad command line`;
const { values } = commandLine({ name: 'hmrc-findings', usage: USAGE, options: { json: { type: 'boolean' }, today: { type: 'string' } } });
const json = values.json ?? false;
const today = values.today ?? new Date().toISOString().slice(0, 10);
if (!/^\d{4}-\d{2}-\d{2}$/.test(today)) usageError('hmrc-findings', USAGE, `--today must be YYYY-MM-DD, got "${today}"`);

const samplesDir = path.join(root, 'packages/testing/fixtures/hmrc/hmrc-customs-declarations/annotated_XML_samples');
const store = loadBundledStore(path.join(root, 'services/reference/data'));
const view = {
  commodity: (code, date) => store.commodity(code, date),
  fx: (currency, date) => store.fx(currency, date),
  rates: (code, origin, date) => (store.rates ? toRateFacts(store.rates(code, origin, date)) : undefined),
  codeList: (list, code, date) => {
    if (!store.codeList) return undefined;
    const c = store.codeList(list, code, date);
    return { known: c.known, member: c.member, description: c.description, datasetVersion: c.datasetVersion };
  },
};

const files = [];
const walk = (dir) => {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) walk(full);
    else if (/\.xml$/i.test(e.name)) files.push(path.relative(samplesDir, full));
  }
};
walk(samplesDir);
files.sort();
const byRule = new Map();
let parsed = 0;
let rejected = 0;
let items = 0;
for (const f of files) {
  const r = parseDmsDeclaration(fs.readFileSync(path.join(samplesDir, f)), { sourceName: f });
  if (!r.ok) {
    rejected++;
    continue;
  }
  if (r.kind !== 'declaration') continue;
  parsed++;
  // As ingestion does: a declaration without an acceptance date is dated when received.
  const d = { ...r.declaration, tenantId: 'hmrc-samples', declarationId: f, version: 1, acceptanceDate: r.declaration.acceptanceDate || today };
  items += d.items.length;
  for (const finding of evaluateDeclaration(RULES, d, view, today, new Date().toISOString(), {})) {
    const list = byRule.get(finding.ruleId) ?? [];
    list.push({
      sample: path.basename(f).replace(/\.xml$/i, ''),
      item: finding.itemNumber,
      severity: finding.severity,
      exposurePence: finding.exposureDutyPence + finding.exposureVatPence,
      reclaimPence: finding.reclaimDutyPence + finding.reclaimVatPence,
      explanation: finding.explanation,
    });
    byRule.set(finding.ruleId, list);
  }
}

if (json) {
  console.log(JSON.stringify({ samples: files.length, declarations: parsed, rejected, items, findings: Object.fromEntries(byRule) }, null, 2));
} else {
  console.log(`${files.length} HMRC sample files: ${parsed} declarations evaluated (${items} items), ${rejected} not declarations or rejected by the parser (notifications, malformed samples)`);
  for (const rule of RULES) {
    const list = byRule.get(rule.meta.id) ?? [];
    console.log(`\n${rule.meta.id} ${rule.meta.title}: ${list.length} finding(s)`);
    for (const x of list) console.log(`  ${x.sample} item ${x.item}: ${x.explanation}`);
  }
}
