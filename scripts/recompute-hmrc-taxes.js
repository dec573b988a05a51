// Recomputes the A00 (customs duty) and B00 (import VAT) tax lines of HMRC's sample DMS
// declarations with the duty engine and the bundled reference data, and reports how many match
// the declared amounts to the penny and, grouped, why the others cannot be compared or differ.
// usage: npx tsc -b && node scripts/recompute-hmrc-taxes.js [--assume-date YYYY-MM-DD] [--verbose]
//   --assume-date  rate date for declarations without an acceptance date (most samples are
//                  pre-acceptance submissions); such lines are labelled "(assumed date)".
const fs = require('node:fs');
const path = require('node:path');
const { parseDmsDeclaration } = require('../services/ingestion/dist/parse/dms');
const { loadBundledStore } = require('../services/reference/dist/app/load-bundled');
const { computeDutyLine, formatPence } = require('../packages/duty/dist');

const { commandLine, usageError } = require('./lib/command-line');

const USAGE = `usage: node scripts/recompute-hmrc-taxes.js [--assume-date YYYY-MM-DD] [--verbose]
  --assume-date D   price the samples as at this day
  --verbose         every line
  -h, --help        this text
exit codes: 0 printed, 1 failed, 64 bad command line`;
const { values } = commandLine({ name: 'recompute-hmrc-taxes', usage: USAGE, options: { 'assume-date': { type: 'string' }, verbose: { type: 'boolean' } } });
const assumeDate = values['assume-date'];
if (assumeDate !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(assumeDate)) usageError('recompute-hmrc-taxes', USAGE, `--assume-date must be YYYY-MM-DD, got "${assumeDate}"`);
const verbose = values.verbose ?? false;
if (assumeDate !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(assumeDate)) throw new Error('--assume-date needs YYYY-MM-DD');

const root = path.resolve(__dirname, '../packages/testing/fixtures/hmrc/hmrc-customs-declarations/annotated_XML_samples');
const files = [];
(function walk(d) {
  for (const e of fs.readdirSync(d, { withFileTypes: true })) {
    const p = path.join(d, e.name);
    if (e.isDirectory()) walk(p);
    else if (/\.xml$/i.test(e.name)) files.push(p);
  }
})(root);

const store = loadBundledStore(path.resolve(__dirname, '../services/reference/data'));

const groups = new Map(); // reason → { count, examples[] }
const note = (reason, example) => {
  const g = groups.get(reason) ?? { count: 0, examples: [] };
  g.count++;
  if (g.examples.length < 3) g.examples.push(example);
  groups.set(reason, g);
};

// DE 4/9 codes: A* are additions to the price, B* deductions (CDS Volume 3, DE 4/9).
function itemAdjustments(item, currency) {
  let add = 0n,
    ded = 0n,
    scale = 100n;
  const toPence = (v) => {
    const [i, f = ''] = v.split('.');
    return BigInt(i) * 100n + BigInt((f + '00').slice(0, 2)) * (v.startsWith('-') ? -1n : 1n);
  };
  for (const a of item.adjustments) {
    if (!a.amount) continue;
    if (a.amount.currency && a.amount.currency !== currency) return { error: `adjustment ${a.code} in ${a.amount.currency}, item price in ${currency}` };
    if (!/^-?\d+(\.\d{1,2})?$/.test(a.amount.value)) return { error: `adjustment ${a.code} amount ${a.amount.value} has more than 2 decimals` };
    if (a.code.startsWith('A')) add += toPence(a.amount.value);
    else if (a.code.startsWith('B')) ded += toPence(a.amount.value);
    else return { error: `adjustment code ${a.code} is neither an addition (A*) nor a deduction (B*)` };
  }
  const fmt = (p) => `${p / scale}.${String(p % scale).padStart(2, '0')}`;
  return { additions: add ? fmt(add) : undefined, deductions: ded ? fmt(ded) : undefined };
}

let declarations = 0,
  items = 0,
  considered = 0,
  compared = 0,
  matched = 0;
const matchedExamples = [];

for (const file of files) {
  const res = parseDmsDeclaration(fs.readFileSync(file), { sourceName: path.relative(root, file) });
  if (!res.ok) continue;
  declarations++;
  const d = res.declaration;
  for (const item of d.items) {
    items++;
    const lines = item.taxLines.filter((t) => t.taxType === 'A00' || t.taxType === 'B00');
    if (lines.length === 0) continue;
    const where = `${path.relative(root, file)} item ${item.itemNumber} ${item.commodityCode || '(no code)'}`;
    const skipAll = (reason, extra = '') => {
      for (const t of lines) {
        considered++;
        note(reason, `${where} ${t.taxType}${extra}`);
      }
    };

    const declaredLines = lines.filter((t) => t.traderDeclared || t.payablePence > 0);
    for (const t of lines.filter((x) => !declaredLines.includes(x))) {
      considered++;
      note('no declared amount: the submission carries only the tax type and method of payment (CDS calculates the amount)', `${where} ${t.taxType}`);
    }
    if (declaredLines.length === 0) continue;
    const skip = (reason) => {
      for (const t of declaredLines) {
        considered++;
        note(reason, `${where} ${t.taxType} declared ${formatPence(t.payablePence)}`);
      }
    };

    const date = d.acceptanceDate || assumeDate;
    const dateNote = d.acceptanceDate ? '' : ' (assumed date)';
    if (!date) {
      skip('no acceptance date (pre-acceptance submission); rerun with --assume-date for an indicative check');
      continue;
    }
    if (!item.commodityCode) {
      skip('item has no commodity code (amendment fragment)');
      continue;
    }
    if (item.preference && item.preference !== '100') {
      skip(`preference ${item.preference} claimed: preferential, quota and end-use rates are not in the bundled data`);
      continue;
    }
    const rates = store.rates(item.commodityCode, item.originCountry || '1011', date);
    if (!rates.known || !rates.thirdCountry) {
      skip(`no third-country rate: ${rates.unknownReason.replace(/ \(.*$/, '').replace(/\d{10}/, '<code>')}`);
      continue;
    }

    let customsValue;
    if (item.customsValuePresent) customsValue = { pence: item.customsValuePence };
    else if (item.itemPrice) {
      const cur = item.itemPrice.currency || d.invoiceAmount?.currency || '';
      const adj = itemAdjustments(item, cur);
      if (adj.error) {
        skip(`customs value: ${adj.error}`);
        continue;
      }
      if (d.adjustments.some((a) => a.amount)) {
        skip('header-level additions/deductions would need apportioning across items');
        continue;
      }
      let unitsPerGbp = '1',
        rateSource = 'sterling invoice';
      if (cur !== 'GBP') {
        if (d.exchangeRate) {
          unitsPerGbp = d.exchangeRate;
          rateSource = 'declared rate (DE 4/15)';
        } else {
          const fx = store.fx(cur, date);
          if (!fx.known) {
            skip(`no HMRC rate for ${cur || '(no currency)'} on the date`);
            continue;
          }
          unitsPerGbp = fx.unitsPerGbp;
          rateSource = `HMRC monthly rate ${fx.period}`;
        }
      }
      customsValue = { amount: item.itemPrice.value, currency: cur, unitsPerGbp, rateSource, ...adj };
    } else {
      skip('no customs value and no item price');
      continue;
    }

    const vatExpr = rates.vat[0]?.expression;
    const vatRatePercent = vatExpr ? vatExpr.replace(/\s*%.*$/, '') : '20';
    const vatNote = vatExpr ? '' : ' (VAT 20% assumed: VAT measures not in the bundled data)';
    const quantities = { netMassKg: item.netMassKg || undefined, grossMassKg: item.grossMassKg || undefined };
    if (rates.supplementaryUnit && item.supplementaryUnits) Object.assign(quantities, { supplementaryUnits: item.supplementaryUnits, supplementaryUnit: rates.supplementaryUnit });
    const measures = [{ measureType: '103', taxType: 'A00', expression: rates.thirdCountry.expression, source: rates.thirdCountry.datasetVersion }];
    const result = computeDutyLine({ acceptanceDate: date, customsValue, quantities, measures, vatRatePercent });

    // Statements that explain a mismatch without it being an engine error.
    const statements = new Set([...d.additionalInformation, ...item.additionalInformation].map((a) => a.code));
    const context = [
      statements.has('OVR01') ? "trader override OVR01: amount is the declarant's own calculation" : '',
      statements.has('NIIMP') ? 'Northern Ireland import (NIIMP): EU duty may apply' : '',
    ].filter(Boolean);
    const contextNote = context.length ? ` [${context.join('; ')}]` : '';

    for (const t of declaredLines) {
      considered++;
      const line = result.taxLines.find((l) => l.taxType === t.taxType);
      const ex = `${where} ${t.taxType} declared ${formatPence(t.payablePence)}`;
      if (!line || line.status !== 'computed') {
        note(`engine could not compute: ${(line?.unknownReason ?? result.unknownReason ?? '').split(':')[0]}`, ex);
        continue;
      }
      compared++;
      const suffix = `${dateNote}${t.taxType === 'B00' ? vatNote : ''}`;
      if (line.amountPence === t.payablePence) {
        matched++;
        note(`matches to the penny${suffix}`, `${ex} = ${line.explanation}`);
        if (matchedExamples.length < 2) matchedExamples.push(result.explanation);
        continue;
      }
      const declaredBase = t.baseUnit === 'GBP' && /^\d+(\.\d+)?$/.test(t.baseAmount) ? Math.round(Number(t.baseAmount) * 100) : undefined;
      const diff = `declared ${formatPence(t.payablePence)} vs recomputed ${formatPence(line.amountPence)}`;
      const baseDiffers = declaredBase !== undefined && declaredBase !== line.basePence;
      note(
        baseDiffers
          ? `differs: declared tax base differs from the recomputed ${t.taxType === 'B00' ? 'VAT value' : 'customs value'}${suffix}${contextNote}`
          : `differs: same base, different amount${suffix}${contextNote}`,
        `${ex}: ${diff}${declaredBase !== undefined ? `; declared base ${formatPence(declaredBase)} vs ${formatPence(line.basePence)}` : ''}; engine: ${line.explanation}`,
      );
    }
  }
}

console.log(`HMRC sample DMS declarations: ${files.length} XML files, ${declarations} parsed as declarations, ${items} goods items`);
console.log(`A00/B00 tax lines: ${considered}; recomputed and compared: ${compared}; match to the penny: ${matched}${assumeDate ? ` (dates assumed ${assumeDate} where absent)` : ''}`);
for (const [reason, g] of [...groups].sort((a, b) => b[1].count - a[1].count)) {
  console.log(`\n${String(g.count).padStart(4)}  ${reason}`);
  for (const e of g.examples.slice(0, verbose ? 3 : 2)) console.log(`        e.g. ${e}`);
}
// CDS's own calculations: DMS tax notifications state rate, base and assessed amount per tax
// line, so the engine's rounding and VAT value can be checked against HMRC to the penny.
const fixtures = path.resolve(__dirname, '../packages/testing/fixtures/hmrc');
const notificationFiles = [];
(function walk(d) {
  for (const e of fs.readdirSync(d, { withFileTypes: true })) {
    const p = path.join(d, e.name);
    if (e.isDirectory()) walk(p);
    else if (/\.xml$/i.test(e.name) && /TaxRateNumeric/.test(fs.readFileSync(p, 'utf8'))) notificationFiles.push(p);
  }
})(fixtures);
const field = (block, name) => new RegExp(`<(?:\\w+:)?${name}\\b[^>]*>([^<]*)</`).exec(block)?.[1]?.trim();
const toPence = (gbp) => Math.round(Number(gbp) * 100);
let nLines = 0,
  nMatch = 0;
const nResults = [];
for (const f of notificationFiles) {
  const xml = fs.readFileSync(f, 'utf8');
  for (const item of xml.split(/<(?:\w+:)?GovernmentAgencyGoodsItem>/).slice(1)) {
    const taxes = [...item.matchAll(/<(?:\w+:)?DutyTaxFee>([\s\S]*?)<\/(?:\w+:)?DutyTaxFee>/g)].map((m) => ({
      taxType: field(m[1], 'TypeCode'),
      rate: field(m[1], 'TaxRateNumeric'),
      base: field(m[1], 'AdValoremTaxBaseAmount'),
      assessed: field(m[1], 'TaxAssessedAmount'),
    }));
    const a00 = taxes.find((t) => t.taxType === 'A00');
    const b00 = taxes.find((t) => t.taxType === 'B00');
    if (!a00?.rate || !a00.assessed) continue;
    // Without a stated base the customs value follows from the assessed ad valorem duty.
    const cvPence = a00.base ? toPence(a00.base) : Math.round((toPence(a00.assessed) * 100) / Number(a00.rate));
    const r = computeDutyLine({
      acceptanceDate: '2020-01-01',
      customsValue: { pence: cvPence },
      quantities: {},
      measures: [{ measureType: '103', taxType: 'A00', expression: `${a00.rate}%`, source: 'notified TaxRateNumeric' }],
      ...(b00?.rate ? { vatRatePercent: b00.rate } : {}),
    });
    for (const t of [a00, b00]) {
      if (!t?.assessed) continue;
      nLines++;
      const line = r.taxLines.find((l) => l.taxType === t.taxType);
      const ok = line && line.amountPence === toPence(t.assessed) && (!t.base || line.basePence === toPence(t.base));
      if (ok) nMatch++;
      nResults.push(
        `${ok ? 'match' : 'DIFFERS'}  ${path.relative(fixtures, f)} ${t.taxType}: notified ${t.rate}% of ${t.base ?? `(base not stated; CV ${formatPence(cvPence)} implied)`} = ${t.assessed}; engine: ${line?.explanation}`,
      );
    }
  }
}
console.log(`\nCDS-calculated tax lines in DMS notifications: ${nLines}; engine matches to the penny (amount and base): ${nMatch}`);
for (const l of nResults) console.log(`  ${l}`);

if (verbose) for (const e of matchedExamples) console.log(`\nexplanation:\n  ${e.join('\n  ')}`);
