#!/usr/bin/env node
// Writes a deterministic labelled dataset of UK import declarations (packages/datagen, compiled
// dist: run `npx tsc -b` first) plus its ground truth. Streams: memory stays flat at any size.
// usage: node scripts/generate-dataset.js --seed N --declarations N --format dms|cds|json --out DIR
//        [--importers N] [--rate 0.02] [--rate-C16 0.05 …] [--customs-value-share 0.5] [--rules C16,C41]
//        [--start-index I --total T]   one slice of a T-declaration dataset (run slices in parallel;
//                                      each slice's files equal that part of the whole)
// Output: DIR/ground-truth.json ({ summary, truth: [...] }) and
//   json → DIR/declarations.ndjson (canonical Declaration JSON, one per line)
//   dms  → DIR/dms/<nnnn>/<declarationId>.xml (1,000 files per folder)
//   cds  → DIR/import-header.csv, DIR/import-item.csv, DIR/import-taxline.csv
//   and, whatever the format, the world's own tariff view as Online Trade Tariff files, so a
//   running reference service can be given the facts the history was built on (scripts/up.sh
//   loads them with POST /v1/admin/ott-loads): DIR/ott-generated-tariff.csv (declarable-duties
//   report layout) and DIR/ott-generated-geographical-areas.json (group 1013).
const fs = require('node:fs');
const path = require('node:path');
const { once } = require('node:events');

const { parseArgs } = require('node:util');

const USAGE = `usage: node scripts/generate-dataset.js --seed N --declarations N --format dms|cds|json --out DIR [options]
  --seed N                  random seed (the same seed, the same dataset)
  --declarations N          declarations to generate
  --format F                dms (DMS XML files), cds (HMRC CDS report CSVs) or json
  --out DIR                 where to write them, with ground-truth.json
  --importers N             importers in the world
  --rate R                  share of declarations with one injected error (all rules)
  --rate-CNN R              the share for one rule (e.g. --rate-C16 0.05)
  --customs-value-share S   share of lines above the customs value threshold
  --rules C01,C16           inject only these rules' errors
  --start-index I --total T one slice of a larger dataset
  -h, --help                this text
exit codes: 0 written, 1 failed, 64 bad command line`;

class UsageError extends Error {}

/** The command line (node:util parseArgs); --rate-CNN options are per rule, so taken out first. */
function args(argv) {
  const out = { rates: {} };
  const rest = [];
  for (let i = 0; i < argv.length; i++) {
    const m = /^--rate-(C\d\d)(?:=(.*))?$/.exec(argv[i]);
    if (!m) {
      rest.push(argv[i]);
      continue;
    }
    const raw = m[2] ?? argv[++i];
    const rate = Number(raw);
    if (raw === undefined || !Number.isFinite(rate) || rate < 0 || rate > 1) throw new UsageError(`--rate-${m[1]} needs a share from 0 to 1, got "${raw ?? ''}"`);
    out.rates[m[1]] = rate;
  }
  const options = Object.fromEntries(['seed', 'declarations', 'format', 'out', 'importers', 'rate', 'customs-value-share', 'rules', 'start-index', 'total'].map((k) => [k, { type: 'string' }]));
  options.help = { type: 'boolean', short: 'h' };
  let values;
  try {
    ({ values } = parseArgs({ args: rest, options, strict: true, allowPositionals: false }));
  } catch (e) {
    throw new UsageError(e.message);
  }
  if (values.help) return { help: true };
  const integer = (name, required) => {
    const v = values[name];
    if (v === undefined) {
      if (required) throw new UsageError(`--${name} is required`);
      return undefined;
    }
    if (!/^\d+$/.test(v)) throw new UsageError(`--${name} must be a whole number, got "${v}"`);
    return Number(v);
  };
  const share = (name) => {
    const v = values[name];
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0 || n > 1) throw new UsageError(`--${name} must be a share from 0 to 1, got "${v}"`);
    return n;
  };
  out.seed = integer('seed', true);
  out.declarations = integer('declarations', true);
  if (!['dms', 'cds', 'json'].includes(values.format)) throw new UsageError(`--format must be dms, cds or json, got "${values.format ?? ''}"`);
  out.format = values.format;
  if (!values.out) throw new UsageError('--out is required');
  out.out = values.out;
  out.importers = integer('importers', false);
  out.defaultRate = share('rate');
  out.customsValueShare = share('customs-value-share');
  out.rules = values.rules?.split(',').filter(Boolean);
  out.startIndex = integer('start-index', false);
  out.totalDeclarations = integer('total', false);
  return out;
}

async function write(stream, text) {
  if (!stream.write(text)) await once(stream, 'drain');
}

async function main() {
  let opts;
  try {
    opts = args(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`generate-dataset: ${e.message}\n${USAGE}`);
    process.exit(64);
  }
  if (opts.help) {
    console.log(USAGE);
    process.exit(0);
  }
  let datagen;
  try {
    datagen = require('../packages/datagen/dist');
  } catch (e) {
    console.error(`cannot load packages/datagen/dist (${e.message}); build first: npx tsc -b`);
    process.exit(1);
  }
  const { Declaration } = require('../packages/contracts/dist');
  fs.mkdirSync(opts.out, { recursive: true });
  const t0 = Date.now();
  const truthOut = fs.createWriteStream(path.join(opts.out, 'ground-truth.json'));
  await write(truthOut, '{"truth":[\n');
  let firstTruth = true;
  const files = {};
  if (opts.format === 'json') files.json = fs.createWriteStream(path.join(opts.out, 'declarations.ndjson'));
  if (opts.format === 'cds') {
    files.header = fs.createWriteStream(path.join(opts.out, 'import-header.csv'));
    files.item = fs.createWriteStream(path.join(opts.out, 'import-item.csv'));
    files.tax = fs.createWriteStream(path.join(opts.out, 'import-taxline.csv'));
    await write(files.header, datagen.cdsHeaderLine());
    await write(files.item, datagen.cdsItemLine());
    await write(files.tax, datagen.cdsTaxLine());
  }
  const { generatedTariffFiles } = require('../packages/datagen/dist/ott-dataset');
  const tariff = generatedTariffFiles(datagen.worldFor(opts.seed, opts.importers), datagen.loadFacts());
  fs.writeFileSync(path.join(opts.out, 'ott-generated-tariff.csv'), tariff.report);
  fs.writeFileSync(path.join(opts.out, 'ott-generated-geographical-areas.json'), tariff.geographicalAreas);
  const perRule = {};
  let declarations = 0,
    items = 0,
    clean = 0;
  for (const g of datagen.generateDataset({
    seed: opts.seed,
    declarations: opts.declarations,
    importers: opts.importers,
    defaultRate: opts.defaultRate,
    rates: opts.rates,
    customsValueShare: opts.customsValueShare,
    rules: opts.rules,
    startIndex: opts.startIndex,
    totalDeclarations: opts.totalDeclarations,
  })) {
    declarations++;
    items += g.declaration.items.length;
    if (g.truth.length === 0) clean++;
    for (const r of g.injected) perRule[r] = (perRule[r] ?? 0) + 1;
    for (const t of g.truth) {
      await write(truthOut, `${firstTruth ? '' : ',\n'}${JSON.stringify(t)}`);
      firstTruth = false;
    }
    const d = g.declaration;
    if (opts.format === 'json') await write(files.json, `${JSON.stringify(Declaration.toJSON(d))}\n`);
    else if (opts.format === 'cds') {
      const r = datagen.toCdsRows(d);
      await write(files.header, r.header);
      await write(files.item, r.items);
      await write(files.tax, r.taxLines);
    } else {
      const dir = path.join(opts.out, 'dms', String(Math.floor(g.index / 1000)).padStart(5, '0'));
      if (g.index % 1000 === 0 || declarations === 1) fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `${d.declarationId}.xml`), datagen.toDmsXml(d));
    }
    if (declarations % 100000 === 0) console.error(`${declarations} declarations, ${items} items, ${Math.round((Date.now() - t0) / 1000)} s`);
  }
  const summary = {
    seed: opts.seed,
    startIndex: opts.startIndex ?? 0,
    totalDeclarations: opts.totalDeclarations ?? (opts.startIndex ?? 0) + declarations,
    declarations,
    items,
    clean,
    injectedDeclarations: declarations - clean,
    perRule,
    format: opts.format,
    generator: '@customs/datagen',
  };
  await write(truthOut, `\n],"summary":${JSON.stringify(summary)}}\n`);
  for (const s of [truthOut, ...Object.values(files)]) {
    s.end();
    await once(s, 'finish');
  }
  console.log(JSON.stringify({ ...summary, out: opts.out, seconds: (Date.now() - t0) / 1000 }));
}

main().catch((e) => {
  console.error(e.stack || String(e));
  process.exit(1);
});
