// Rules engine alone (every live rule in RULES, pure, one core) over a generated labelled dataset:
// item lines/s, per-declaration latency percentiles, peak RSS. Reference facts are served from an
// in-memory view of the shipped data, so no I/O or RPC is measured.
// usage: node scripts/bench/rules-engine.js [declarations=20000] [rounds=3] [seed=1]
const { RULES, evaluateDeclaration } = require('../../services/validation/dist/rules');
const datagen = require('../../packages/datagen/dist');
const { latencySummary, peakRss } = require('./lib');

const n = Number(process.argv[2] ?? 20000);
const rounds = Number(process.argv[3] ?? 3);
const seed = Number(process.argv[4] ?? 1);
const rss = peakRss();
const facts = datagen.loadFacts();
const world = datagen.worldFor(seed, undefined, facts);
const g = new datagen.GeneratedReferenceView(
  facts,
  world.catalogue.map((p) => p.code),
);
const view = { commodity: (c, d) => g.commodity(c, d), fx: (c, d) => g.fx(c, d), rates: (c, o, d) => g.rates(c, o, d), codeList: (l, c, d) => g.codeList(l, c, d) };
const versions = g.versions();
const tg = process.hrtime.bigint();
const declarations = [];
for (const x of datagen.generateDataset({ seed, declarations: n, facts })) declarations.push(x.declaration);
const genSecs = Number(process.hrtime.bigint() - tg) / 1e9;
const lines = declarations.reduce((s, d) => s + d.items.length, 0);
console.log(
  `dataset: ${n} declarations, ${lines} item lines generated in ${genSecs.toFixed(2)} s (${Math.round(lines / genSecs)} lines/s); ${RULES.length} rules: ${RULES.map((r) => r.meta.id).join(' ')}`,
);

for (const d of declarations.slice(0, 2000)) evaluateDeclaration(RULES, d, view, '2023-12-31', '2023-12-31T00:00:00Z', versions);
const lat = [];
let findings = 0;
let best = Infinity;
const t0 = process.hrtime.bigint();
for (let r = 0; r < rounds; r++) {
  const tr = process.hrtime.bigint();
  for (const d of declarations) {
    const s = process.hrtime.bigint();
    findings += evaluateDeclaration(RULES, d, view, '2023-12-31', '2023-12-31T00:00:00Z', versions).length;
    lat.push(Number(process.hrtime.bigint() - s) / 1e6);
  }
  best = Math.min(best, Number(process.hrtime.bigint() - tr) / 1e9);
}
const secs = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(`rules engine (one core): ${rounds} × ${n} declarations, ${rounds * lines} item lines in ${secs.toFixed(2)} s, ${findings} findings`);
console.log(
  `  ${Math.round((rounds * lines) / secs)} item lines/s, ${Math.round((rounds * n) / secs)} declarations/s (best round ${Math.round(lines / best)} item lines/s; load average ${require('node:os').loadavg()[0].toFixed(1)} on ${require('node:os').cpus().length} cores)`,
);
console.log(`  per-declaration latency ${latencySummary(lat)}; peak RSS ${rss()}`);

// Where the time goes: each rule's evaluate() alone over one round. Only the shares are meaningful:
// 34 separate passes over the dataset miss the caches a single pass keeps warm.
const perRule = RULES.map((rule) => {
  const s = process.hrtime.bigint();
  for (const d of declarations) rule.evaluate({ declaration: d, reference: view, today: '2023-12-31' });
  return { id: rule.meta.id, ms: Number(process.hrtime.bigint() - s) / 1e6 };
}).sort((a, b) => b.ms - a.ms);
const ruleTotal = perRule.reduce((s, r) => s + r.ms, 0);
console.log(
  `  share of rule time: ${perRule
    .slice(0, 8)
    .map((r) => `${r.id} ${((r.ms / ruleTotal) * 100).toFixed(0)}%`)
    .join(', ')}`,
);
