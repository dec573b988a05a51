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

function args(argv) {
  const out = { rates: {} };
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    const m = /^--rate-(C\d\d)$/.exec(a);
    if (m) (out.rates[m[1]] = Number(v)), i++;
    else if (a === '--seed') (out.seed = Number(v)), i++;
    else if (a === '--declarations') (out.declarations = Number(v)), i++;
    else if (a === '--format') (out.format = v), i++;
    else if (a === '--out') (out.out = v), i++;
    else if (a === '--importers') (out.importers = Number(v)), i++;
    else if (a === '--rate') (out.defaultRate = Number(v)), i++;
    else if (a === '--customs-value-share') (out.customsValueShare = Number(v)), i++;
    else if (a === '--rules') (out.rules = v.split(',')), i++;
    else if (a === '--start-index') (out.startIndex = Number(v)), i++;
    else if (a === '--total') (out.totalDeclarations = Number(v)), i++;
    else if (a === '--help' || a === '-h') out.help = true;
    else throw new Error(`unknown argument ${a}`);
  }
  return out;
}

async function write(stream, text) {
  if (!stream.write(text)) await once(stream, 'drain');
}

async function main() {
  const opts = args(process.argv);
  if (opts.help || !Number.isInteger(opts.seed) || !Number.isInteger(opts.declarations) || !['dms', 'cds', 'json'].includes(opts.format) || !opts.out) {
    console.error(
      'usage: node scripts/generate-dataset.js --seed N --declarations N --format dms|cds|json --out DIR [--importers N] [--rate R] [--rate-CNN R] [--customs-value-share S] [--rules C01,C16] [--start-index I --total T]',
    );
    process.exit(opts.help ? 0 : 2);
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
