#!/usr/bin/env node
// Detection quality measured THROUGH THE RUNNING SERVICES: the findings validation raised on a
// generated history uploaded to ingestion (as `make up` does), against the history's ground truth,
// side by side with the same history evaluated in process (CDS reports parsed by ingestion's
// parser, rules run against the generated world's own reference view). Equal columns mean the
// running reference service holds the facts the history was built on.
//
// usage: node scripts/live-quality.js [--dataset .run/dataset] [--upload .run/dataset-upload.json]
//          [--validation http://127.0.0.1:8083] [--check] [--markdown]
//   --check     exit 1 when live and in-process differ for any rule
//   --markdown  print the docs/quality.md section instead of the plain table
// Needs `make build` (reads the compiled packages and services) and, for the live side, the
// services `make up` started (the analyst token from .run/api-tokens).
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const datagen = require(path.join(root, 'packages/datagen/dist'));
const { RULES, evaluateDeclaration } = require(path.join(root, 'services/validation/dist/rules'));
const { QualityTally } = require(path.join(root, 'services/validation/dist/quality/quality'));
const { parseCdsReports } = require(path.join(root, 'services/ingestion/dist/parse/cds/cds-report'));

const LIVE_RULES = new Set(RULES.map((r) => r.meta.id));
const INJECTED = datagen.INJECTORS.map((i) => i.ruleId);

/** The generated history again, from the seed and size its ground truth names (the generator is deterministic). */
function regenerate(summary) {
  return [
    ...datagen.generateDataset({
      seed: summary.seed,
      declarations: summary.declarations,
      ...(summary.startIndex ? { startIndex: summary.startIndex, totalDeclarations: summary.totalDeclarations } : {}),
    }),
  ];
}

const pence = (f) => ({
  ...f,
  itemNumber: Number(f.itemNumber ?? 0),
  exposureDutyPence: Number(f.exposureDutyPence ?? 0),
  exposureVatPence: Number(f.exposureVatPence ?? 0),
  reclaimDutyPence: Number(f.reclaimDutyPence ?? 0),
  reclaimVatPence: Number(f.reclaimVatPence ?? 0),
  explanation: f.explanation ?? '',
  title: f.title ?? '',
});

/**
 * Live tally: `liveFindings(generatorDeclaration)` gives the findings the services raised on it
 * (undefined when ingestion never accepted it: its expected findings count as missed).
 */
async function liveTally(generated, liveFindings) {
  const tally = new QualityTally(RULES, INJECTED);
  let missing = 0;
  for (const g of generated) {
    const found = await liveFindings(g.declaration);
    if (!found) missing++;
    tally.add(
      g.declaration.declarationId,
      (found ?? []).map(pence),
      g.truth.filter((t) => LIVE_RULES.has(t.ruleId)),
      g.injected.filter((r) => LIVE_RULES.has(r)),
    );
  }
  return { results: tally.results(), missing };
}

/**
 * In-process tally on the same history: its CDS reports parsed by ingestion's parser (what the
 * live path ingests), the rules run against the generated world's own reference view.
 */
async function inProcessTally(generated, seed, today) {
  const facts = datagen.loadFacts();
  const world = datagen.worldFor(seed, undefined, facts);
  const view = new datagen.GeneratedReferenceView(
    facts,
    world.catalogue.map((p) => p.code),
  );
  const adapter = { commodity: (c, d) => view.commodity(c, d), fx: (c, d) => view.fx(c, d), rates: (c, o, d) => view.rates(c, o, d), codeList: (l, c, d) => view.codeList(l, c, d) };
  const { header, items, taxes } = cdsReports(generated);
  const once = (s) =>
    (async function* () {
      yield Buffer.from(s);
    })();
  const parsed = await parseCdsReports([
    { sourceName: 'import-header.csv', chunks: once(header) },
    { sourceName: 'import-item.csv', chunks: once(items) },
    { sourceName: 'import-taxline.csv', chunks: once(taxes) },
  ]);
  const byLrn = new Map(parsed.declarations.map((d) => [d.lrn, d]));
  return liveTally(generated, (orig) => {
    const d = byLrn.get(orig.lrn);
    if (!d) return undefined;
    return evaluateDeclaration(RULES, { ...d, tenantId: orig.tenantId, declarationId: orig.declarationId, version: 1 }, adapter, today, `${today}T00:00:00Z`, view.versions());
  });
}

/** CDS report texts of a history (what `make up` uploads). */
function cdsReports(generated) {
  let header = datagen.cdsHeaderLine();
  let items = datagen.cdsItemLine();
  let taxes = datagen.cdsTaxLine();
  for (const g of generated) {
    const r = datagen.toCdsRows(g.declaration);
    header += r.header;
    items += r.items;
    taxes += r.taxLines;
  }
  return { header, items, taxes };
}

const KEYS = ['expected', 'truePositives', 'falsePositives', 'falseNegatives', 'amountsExact'];

/** Rules whose live counts differ from the in-process ones (empty = the platform finds what the test finds). */
function differences(live, inProcess) {
  const byId = new Map(inProcess.map((r) => [r.ruleId, r]));
  const out = [];
  for (const l of live) {
    const p = byId.get(l.ruleId);
    const diff = KEYS.filter((k) => l[k] !== (p ? p[k] : 0));
    if (diff.length) out.push(`${l.ruleId}: ${diff.map((k) => `${k} live ${l[k]} vs in-process ${p ? p[k] : 0}`).join(', ')}${l.examples.length ? ` — e.g. ${l.examples[0].slice(0, 240)}` : ''}`);
  }
  return out;
}

const pct = (x) => `${(x * 100).toFixed(1)}%`;
const gbp = (p) => `£${(p / 100).toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/** The docs/quality.md section (between its live markers). */
function renderLiveSection({ live, inProcess, summary, how }) {
  const byId = new Map(inProcess.map((r) => [r.ruleId, r]));
  const rows = live.filter((r) => r.expected > 0 || r.falsePositives > 0);
  const sum = (list, k) => list.reduce((n, r) => n + r[k], 0);
  const inRows = rows.map((r) => byId.get(r.ruleId)).filter(Boolean);
  return [
    '<!-- live:start -->',
    '## Measured through the running services',
    '',
    `<!-- Generated by packages/testing/e2e/live-quality.e2e.test.ts (UPDATE_QUALITY_DOC=1 to regenerate; the test fails when this section is stale); \`node scripts/live-quality.js\` prints the same table for a \`make up\` platform. -->`,
    '',
    `${how} History: \`@customs/datagen\` seed ${summary.seed}, ${summary.declarations} declarations (${summary.items} goods items, ${summary.injected} with one injected error), uploaded to ingestion as HMRC CDS data reports (header, tax-line and item CSV) after the generated world's tariff view was loaded into reference through \`POST /v1/admin/ott-loads\` (\`ott-generated-tariff.csv\` in the declarable-duties report layout, \`ott-generated-geographical-areas.json\`). Findings are read back from validation's REST API and compared with the ground truth as above; "in process" is the same history's CDS reports parsed by ingestion's parser and evaluated in process against the generated view.`,
    '',
    '| rule | expected | TP | FP | FN | precision | recall | £ exact | expected £ | reported £ (TP) | in-process recall | in-process £ exact |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => {
      const p = byId.get(r.ruleId);
      return `| ${r.ruleId} | ${r.expected} | ${r.truePositives} | ${r.falsePositives} | ${r.falseNegatives} | ${pct(r.precision)} | ${pct(r.recall)} | ${r.truePositives ? `${r.amountsExact}/${r.truePositives}` : 'n/a'} | ${gbp(r.expectedPence)} | ${gbp(r.reportedPence)} | ${p ? pct(p.recall) : 'n/a'} | ${p && p.truePositives ? `${p.amountsExact}/${p.truePositives}` : 'n/a'} |`;
    }),
    `| **all** | ${sum(rows, 'expected')} | ${sum(rows, 'truePositives')} | ${sum(rows, 'falsePositives')} | ${sum(rows, 'falseNegatives')} | ${pct(sum(rows, 'truePositives') / Math.max(1, sum(rows, 'truePositives') + sum(rows, 'falsePositives')))} | ${pct(sum(rows, 'truePositives') / Math.max(1, sum(rows, 'expected')))} | ${sum(rows, 'amountsExact')}/${sum(rows, 'truePositives')} | ${gbp(sum(rows, 'expectedPence'))} | ${gbp(sum(rows, 'reportedPence'))} | ${pct(sum(inRows, 'truePositives') / Math.max(1, sum(inRows, 'expected')))} | ${sum(inRows, 'amountsExact')}/${sum(inRows, 'truePositives')} |`,
    '',
    `Rules missing from the table had nothing injected and raised nothing. Recall below 100 % (${
      rows
        .filter((r) => r.recall < 1)
        .map((r) => r.ruleId)
        .join(', ') || 'none'
    }) is the same in process: HMRC CDS reports do not carry what those rules read (see the CDS section above), not a gap in what the running services know.`,
    '<!-- live:end -->',
    '',
  ].join('\n');
}

/** Replaces (or appends) the live section of docs/quality.md's text. */
function withLiveSection(doc, section) {
  const re = /<!-- live:start -->[\s\S]*?<!-- live:end -->\n?/;
  return re.test(doc) ? doc.replace(re, section) : `${doc.replace(/\n*$/, '\n\n')}${section}`;
}

module.exports = { regenerate, liveTally, cdsReports, inProcessTally, differences, renderLiveSection, withLiveSection };

async function main() {
  const { commandLine } = require('./lib/command-line');
  const { values } = commandLine({
    name: 'live-quality',
    usage: `usage: node scripts/live-quality.js [--dataset DIR] [--upload FILE] [--validation URL] [--markdown] [--check]
  --dataset DIR       the generated dataset (default .run/dataset)
  --upload FILE       what make up uploaded (default .run/dataset-upload.json)
  --validation URL    validation's REST API (default http://127.0.0.1:8083)
  --markdown          print the docs section instead of the summary
  --check             exit 1 when live differs from in process
  -h, --help          this text
exit codes: 0 written, 1 failed or differs (--check), 64 bad command line`,
    options: { dataset: { type: 'string' }, upload: { type: 'string' }, validation: { type: 'string' }, markdown: { type: 'boolean' }, check: { type: 'boolean' } },
  });
  const opt = (name, dflt) => values[name.replace(/^--/, '')] ?? dflt;
  const dataset = path.resolve(opt('--dataset', path.join(root, '.run/dataset')));
  const uploadFile = path.resolve(opt('--upload', path.join(root, '.run/dataset-upload.json')));
  const validation = opt('--validation', 'http://127.0.0.1:8083');
  const truthDoc = JSON.parse(fs.readFileSync(path.join(dataset, 'ground-truth.json'), 'utf8'));
  const summary = truthDoc.summary;
  const generated = regenerate(summary);
  const truthCount = generated.reduce((n, g) => n + g.truth.length, 0);
  if (truthCount !== truthDoc.truth.length)
    throw new Error(
      `${dataset}/ground-truth.json has ${truthDoc.truth.length} expected findings, the regenerated history ${truthCount}: not the same history (seed ${summary.seed}, ${summary.declarations} declarations)`,
    );
  const upload = JSON.parse(fs.readFileSync(uploadFile, 'utf8'));
  const liveId = new Map();
  for (const f of upload.files ?? []) for (const d of f.declarations ?? []) if (d.lrn) liveId.set(d.lrn, d.declarationId);
  const tokens = fs
    .readFileSync(path.join(root, '.run/api-tokens'), 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'));
  const analyst = tokens.find((l) => l.endsWith(':analyst')).split('=')[0];
  const get = async (p) => {
    const r = await fetch(`${validation}${p}`, { headers: { authorization: `Bearer ${analyst}` } });
    return { status: r.status, body: r.status === 200 ? await r.json() : undefined };
  };
  // Validation checks asynchronously (Kafka): wait until every uploaded declaration has been checked.
  const deadline = Date.now() + 180_000;
  for (const [lrn, id] of liveId) {
    while ((await get(`/v1/declarations/${id}/checks`)).status !== 200) {
      if (Date.now() > deadline) throw new Error(`declaration ${id} (LRN ${lrn}) not checked after 180 s: is validation running (.run/services/validation.log)?`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  const live = await liveTally(generated, async (d) => {
    const id = liveId.get(d.lrn);
    return id ? ((await get(`/v1/declarations/${id}/findings`)).body?.findings ?? []) : undefined;
  });
  const today = new Date().toISOString().slice(0, 10);
  const inProcess = await inProcessTally(generated, summary.seed, today);
  const diffs = differences(live.results, inProcess.results);
  const items = generated.reduce((n, g) => n + g.declaration.items.length, 0);
  const injected = generated.filter((g) => g.truth.length > 0).length;
  if (values.markdown) {
    process.stdout.write(
      renderLiveSection({
        live: live.results,
        inProcess: inProcess.results,
        summary: { seed: summary.seed, declarations: generated.length, items, injected },
        how: 'Measured on the platform `make up` started.',
      }),
    );
  } else {
    const rows = live.results.filter((r) => r.expected > 0 || r.falsePositives > 0);
    const tp = rows.reduce((n, r) => n + r.truePositives, 0);
    const exp = rows.reduce((n, r) => n + r.expected, 0);
    const fp = rows.reduce((n, r) => n + r.falsePositives, 0);
    const inTp = inProcess.results.reduce((n, r) => n + r.truePositives, 0);
    console.log(
      `live (through the running services): ${tp} of ${exp} expected findings (${pct(tp / Math.max(1, exp))} recall), ${fp} false positives, ${rows.reduce((n, r) => n + r.amountsExact, 0)}/${tp} £-exact; in process on the same CDS reports: ${inTp} of ${exp} (${pct(inTp / Math.max(1, exp))})${live.missing ? `; ${live.missing} declarations not found live` : ''}`,
    );
    for (const r of rows)
      console.log(
        `  ${r.ruleId}  expected ${String(r.expected).padStart(3)}  TP ${String(r.truePositives).padStart(3)}  FP ${String(r.falsePositives).padStart(3)}  FN ${String(r.falseNegatives).padStart(3)}  £ exact ${r.amountsExact}/${r.truePositives}`,
      );
    console.log(diffs.length ? `live differs from in process:\n  ${diffs.join('\n  ')}` : 'live equals in process for every rule (TP, FP, FN, £ exact)');
  }
  if (values.check && diffs.length) process.exit(1);
}

if (require.main === module) {
  main().catch((e) => {
    console.error(`live-quality: ${e.message}`);
    process.exit(1);
  });
}
