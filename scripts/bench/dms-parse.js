// Parser-only throughput of the WCO/DMS XML parser over HMRC's sample corpus, on one core.
// usage: node scripts/bench/dms-parse.js [rounds]
const fs = require('node:fs');
const path = require('node:path');
const { parseDmsDeclaration } = require('../../services/ingestion/dist/parse/dms');
const { latencySummary, peakRss } = require('./lib');

const root = path.resolve(__dirname, '../../packages/testing/fixtures/hmrc/hmrc-customs-declarations/annotated_XML_samples');
const files = [];
(function walk(d) {
  for (const e of fs.readdirSync(d, { withFileTypes: true })) {
    const p = path.join(d, e.name);
    if (e.isDirectory()) walk(p);
    else if (/\.xml$/i.test(e.name) && !/Notifications|DIS_Report|Movement_Messages|Example_DMS/.test(p)) files.push(fs.readFileSync(p));
  }
})(root);
const rounds = Number(process.argv[2] ?? 20);
const rss = peakRss();
let docs = 0,
  items = 0,
  bytes = 0;
const lat = [];
for (const f of files) parseDmsDeclaration(f, { sourceName: 'warmup' });
const t0 = process.hrtime.bigint();
for (let r = 0; r < rounds; r++) {
  for (const f of files) {
    const s = process.hrtime.bigint();
    const res = parseDmsDeclaration(f, { sourceName: 'bench' });
    lat.push(Number(process.hrtime.bigint() - s) / 1e6);
    docs++;
    bytes += f.length;
    if (res.ok) items += res.declaration.items.length;
  }
}
const secs = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(`DMS XML parse (one core): ${docs} documents, ${items} items, ${(bytes / 1048576).toFixed(1)} MiB in ${secs.toFixed(2)} s`);
console.log(`  ${Math.round(docs / secs)} documents/s, ${Math.round(items / secs)} item lines/s, ${(bytes / 1048576 / secs).toFixed(1)} MiB/s`);
console.log(`  per-document latency ${latencySummary(lat)}; peak RSS ${rss()}`);
