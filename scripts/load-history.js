#!/usr/bin/env node
// Loads a labelled importer history for scoring's history checks into the running platform
// (`make up`): datagen's generateHistoryDataset (clean stream + derived duplicates, code drift,
// origin switches, value slips and unknown agents, with ground truth) submitted as WCO/DMS XML to
// ingestion's REST API in stream order, then the importers' books (ERP receipts, duty deferment
// statement: generateBooks, for C03/C42), then waits until scoring has scored every declaration.
// Writes .run/history/ground-truth.json. Needs the compiled packages (npx tsc -b).
// usage: node scripts/load-history.js [--seed N] [--declarations N]
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const { commandLine, usageError } = require('./lib/command-line');

const USAGE = `usage: node scripts/load-history.js [--seed N] [--declarations N]
Loads a labelled importer history into the running platform (make up) and waits until scoring has scored it.
  --seed N           dataset seed (default 20261202)
  --declarations N   declarations (default 900)
  -h, --help         this text
exit codes: 0 loaded and scored, 1 failed, 64 bad command line`;
const { values } = commandLine({ name: 'load-history', usage: USAGE, options: { seed: { type: 'string' }, declarations: { type: 'string' } } });
const arg = (name, def) => {
  const v = values[name];
  if (v === undefined) return def;
  if (!/^\d+$/.test(v)) usageError('load-history', USAGE, `--${name} must be a whole number, got "${v}"`);
  return Number(v);
};
const SEED = arg('seed', 20261202);
const N = arg('declarations', 900);
const tokens = fs
  .readFileSync(path.join(root, '.run/api-tokens'), 'utf8')
  .split('\n')
  .filter((l) => l && !l.startsWith('#'));
const token = (role) => tokens.find((l) => l.endsWith(`:${role}`)).split('=')[0];

(async () => {
  const { generateBooks, generateHistoryDataset, toDmsXml } = require(path.join(root, 'packages/datagen/dist'));
  const out = path.join(root, '.run/history');
  fs.mkdirSync(out, { recursive: true });
  const truth = [];
  const docs = [];
  const declarations = [];
  for (const g of generateHistoryDataset({ seed: SEED, declarations: N, importers: 2, historyRates: { C02: 0.02, C10: 0.02, C11: 0.03, C23: 0.02, C30: 0.03, C37: 0.02 } })) {
    truth.push(...g.truth);
    declarations.push(g.declaration);
    docs.push({ name: `${g.declaration.declarationId}.xml`, xml: toDmsXml(g.declaration) });
  }
  // The importers' books for C03/C42: an ERP goods-receipt export and a duty deferment statement
  // (docs/deferment-statement.md) with labelled ghosts, unmatched receipts and overcharges, kept
  // in .run/history to look at or upload again.
  const books = generateBooks(declarations, { seed: SEED, ghostRate: 0.02, unmatchedRate: 0.01, mismatchRate: 0.03, unknownMrnRate: 0.005 });
  truth.push(...books.truth);
  fs.writeFileSync(path.join(out, 'erp-receipts.csv'), books.erpCsv);
  fs.writeFileSync(path.join(out, 'ddes.csv'), books.ddesCsv);
  // The MRNs of the history's declarations: the summary tells findings on them from findings on the other data make up loads into the same tenant.
  fs.writeFileSync(path.join(out, 'ground-truth.json'), JSON.stringify({ seed: SEED, declarations: docs.length, mrns: declarations.map((d) => d.mrn), truth }, null, 1));
  const perRule = {};
  for (const t of truth) perRule[t.ruleId] = (perRule[t.ruleId] ?? 0) + 1;
  console.log(
    `  ${docs.length} declarations of 2 importers, ${truth.length} history errors injected (${Object.entries(perRule)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}; ground truth: .run/history/ground-truth.json)`,
  );
  let accepted = 0;
  for (let i = 0; i < docs.length; i += 4) {
    const res = await Promise.all(
      docs.slice(i, i + 4).map((d) =>
        fetch(`http://127.0.0.1:8081/v1/documents?filename=${encodeURIComponent(d.name)}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token('integrator')}`, 'content-type': 'application/xml' },
          body: d.xml,
        }),
      ),
    );
    for (const r of res) if (r.status === 200 || r.status === 201) accepted++;
  }
  console.log(`  ${accepted}/${docs.length} accepted by ingestion`);
  for (const [format, file] of [
    ['erp-csv', 'erp-receipts.csv'],
    ['ddes-csv', 'ddes.csv'],
  ]) {
    const r = await fetch(`http://127.0.0.1:8081/v1/documents?format=${format}&filename=${file}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token('integrator')}`, 'content-type': 'text/csv' },
      body: fs.readFileSync(path.join(out, file)),
    });
    const body = await r.json();
    console.log(
      `  .run/history/${file} (${format}): ${body.status ?? r.status}${body.receipts ? `, ${body.receipts.length} receipt lines` : ''}${body.statements ? `, ${body.statements.reduce((n, x) => n + x.lines, 0)} statement lines` : ''}`,
    );
    // The generated books have no bad row: any refusal is a generator or parser bug, shown so it is seen.
    const issues = body.issues ?? [];
    if (issues.length)
      console.log(
        `    ${issues.length} row(s) refused (not intended: the generated books have no bad row): ${issues
          .slice(0, 3)
          .map((i) => `${i.location ?? `row ${i.row}`} ${i.field} ${i.code}: ${i.reason}`)
          .join('; ')}`,
      );
  }
  // Scoring has them all when its history findings stop changing.
  let last = '';
  for (let i = 0; i < 120; i++) {
    const r = await (await fetch('http://127.0.0.1:8084/v1/history-findings?limit=1', { headers: { authorization: `Bearer ${token('analyst')}` } })).json();
    const now = JSON.stringify(r.counts);
    if (now === last && i > 3) break;
    last = now;
    await new Promise((r) => setTimeout(r, 1000));
  }
})().catch((e) => {
  console.error(`history load failed: ${e.message}`);
  process.exit(1);
});
