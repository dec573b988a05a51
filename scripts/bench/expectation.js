// What a generated history must produce, counted from the generated data itself (never from the
// platform's own output): the history as HMRC CDS data reports (the files the benchmark and the
// scale-out test upload), and the findings validation's 34 rules raise on exactly those reports,
// evaluated in process against the generated world's own reference view (what scripts/live-quality.js
// calls "in process"; packages/testing/e2e/live-quality.e2e.test.ts proves the running services
// find the same, rule by rule). Needs a build (packages/datagen, services/*/dist).
const path = require('node:path');

const root = path.resolve(__dirname, '../..');
const datagen = require(path.join(root, 'packages/datagen/dist'));

/** The generated declarations (deterministic from seed and count). */
function generate(seed, declarations) {
  return [...datagen.generateDataset({ seed, declarations })];
}

/** CDS report texts (header, tax-line, item CSV) of generated declarations. */
function cdsReports(generated) {
  const header = [datagen.cdsHeaderLine()];
  const items = [datagen.cdsItemLine()];
  const taxes = [datagen.cdsTaxLine()];
  for (const g of generated) {
    const r = datagen.toCdsRows(g.declaration);
    header.push(r.header);
    items.push(r.items);
    taxes.push(r.taxLines);
  }
  return { header: header.join(''), items: items.join(''), taxes: taxes.join('') };
}

/**
 * The findings validation must raise on the CDS reports of `generated`, as
 * { mrn, lrn, itemNumber, ruleId, family, severity, moneyPence } (one per finding), evaluated on
 * `today` (deadline-dependent rules read it).
 */
async function expectedFindings(generated, seed, today) {
  const { RULES, evaluateDeclaration } = require(path.join(root, 'services/validation/dist/rules'));
  const { parseCdsReports } = require(path.join(root, 'services/ingestion/dist/parse/cds/cds-report'));
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
  const out = [];
  for (const d of parsed.declarations) {
    const findings = await evaluateDeclaration(RULES, { ...d, tenantId: 'expected', declarationId: d.lrn, version: 1 }, adapter, today, `${today}T00:00:00Z`, view.versions());
    for (const f of findings)
      out.push({
        mrn: d.mrn,
        lrn: d.lrn,
        itemNumber: Number(f.itemNumber ?? 0),
        ruleId: f.ruleId,
        family: f.family,
        severity: f.severity,
        moneyPence: Number(f.exposureDutyPence) + Number(f.exposureVatPence) + Number(f.reclaimDutyPence) + Number(f.reclaimVatPence),
      });
  }
  return { declarations: parsed.declarations.length, findings: out };
}

module.exports = { generate, cdsReports, expectedFindings };
