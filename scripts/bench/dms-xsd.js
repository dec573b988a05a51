// Cost of the XSD check of DMS declarations (HMRC WCO_DEC_2_DMS.xsd via libxml2-wasm, in its worker
// thread) over HMRC's sample corpus, on one core: start-up, validateDms() alone, and the DMS parser
// with and without the check. Needs a build (npx tsc -b).
// usage: node scripts/bench/dms-xsd.js [rounds]
const fs = require('node:fs');
const path = require('node:path');
const { parseDmsDeclaration, validateDms, dmsSchemaCheckStats, closeDmsSchemaCheck } = require('../../services/ingestion/dist/parse/dms');
const { latencySummary, peakRss } = require('./lib');

const root = path.resolve(__dirname, '../../packages/testing/fixtures/hmrc/hmrc-customs-declarations/annotated_XML_samples');
const all = [];
(function walk(d) {
  for (const e of fs.readdirSync(d, { withFileTypes: true })) {
    const p = path.join(d, e.name);
    if (e.isDirectory()) walk(p);
    else if (/\.xml$/i.test(e.name)) all.push({ name: path.relative(root, p), bytes: fs.readFileSync(p) });
  }
})(root);
// The declarations the service accepts (originals, amendments, cancellations) are what gets checked.
const docs = all.filter((f) => parseDmsDeclaration(f.bytes, { sourceName: f.name, schemaCheck: false }).ok);
const rounds = Number(process.argv[2] ?? 20);
const mib = (n) => (n / 1048576).toFixed(1);
const bytes = docs.reduce((n, f) => n + f.bytes.length, 0);

const rssAtStart = process.memoryUsage().rss;
let t = performance.now();
const first = validateDms(docs[0].bytes);
const startMs = performance.now() - t;
const tally = { valid: 0, invalid: 0, malformed: 0, skipped: 0 };
for (const f of docs) tally[validateDms(f.bytes).status]++;
console.log(`XSD check of ${docs.length} HMRC declaration files (${mib(bytes)} MiB): ${JSON.stringify(tally)}`);
console.log(`  first call ${startMs.toFixed(0)} ms (worker start: libxml2-wasm load + schema compile ${dmsSchemaCheckStats().startMs.toFixed(0)} ms), first status ${first.status}`);

function time(label, fn) {
  const rss = peakRss();
  const lat = [];
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) {
    for (const f of docs) {
      const s = performance.now();
      fn(f);
      lat.push(performance.now() - s);
    }
  }
  const secs = (performance.now() - t0) / 1000;
  const n = docs.length * rounds;
  console.log(`${label}: ${Math.round(n / secs)} documents/s, ${((bytes * rounds) / 1048576 / secs).toFixed(1)} MiB/s`);
  console.log(`  per-document latency ${latencySummary(lat)}; peak RSS ${rss()}`);
}

time('validateDms alone', (f) => validateDms(f.bytes));
time('parseDmsDeclaration with the XSD check', (f) => parseDmsDeclaration(f.bytes, { sourceName: f.name, schemaCheck: true }));
time('parseDmsDeclaration without it', (f) => parseDmsDeclaration(f.bytes, { sourceName: f.name, schemaCheck: false }));

// A large, valid document: the biggest sample with its goods item repeated up to ~5 MiB.
const biggest = docs.reduce((a, b) => (b.bytes.length > a.bytes.length ? b : a));
const text = biggest.bytes.toString('utf8');
const m = /<GovernmentAgencyGoodsItem>[\s\S]*?<\/GovernmentAgencyGoodsItem>/.exec(text);
if (m) {
  const copies = Math.floor((5 * 1048576) / m[0].length);
  const big = Buffer.from(text.replace(m[0], m[0].repeat(copies)), 'utf8');
  t = performance.now();
  const r = validateDms(big);
  console.log(
    `one ${mib(big.length)} MiB document (${copies} goods items): ${r.status} with ${r.issues.length + r.omitted} errors in ${(performance.now() - t).toFixed(0)} ms; RSS ${mib(process.memoryUsage().rss)} MiB (${mib(rssAtStart)} MiB at start, the worker's WebAssembly memory included)`,
  );
}
void closeDmsSchemaCheck();
