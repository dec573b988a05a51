// Reconciliation of the duty engine against HMRC's sample declarations (packages/testing/fixtures/hmrc):
// every declared tax line (DE 4/3) of every goods item is recomputed — customs value, tariff rate,
// VAT rate from the VAT code / tariff measure, and whether CDS charges it under the procedure —
// and compared with what HMRC's data says was charged. Used by scripts/reconcile-hmrc.js (compiled
// modules) and its test (sources); the caller injects the DMS parser, the bundled reference store
// and the engine so both run the same logic.
//
// Per tax line the verdict is
//   exact    the engine states what is charged and HMRC's figure agrees,
//   differs  both state a figure and they disagree (an engine or data defect to explain),
//   unknown  one side has no figure; the reason says which and why.
// HMRC's figure for a line is (a) the amount CDS calculated in a DMS tax notification, (b) £0 where
// the declaration puts the line under a zero rate, relief, suspension or security that CDS applies
// without charging (HMRC_NOT_CHARGED below, from HMRC's annotated samples and CDS Volume 3), or
// (c) a declared amount that is not a manual override. Most samples are pre-acceptance submissions
// that state only the tax type and method of payment: there HMRC gives no figure.
const fs = require('node:fs');
const path = require('node:path');

/** The requested procedures, APCs, VAT codes and methods of payment under which HMRC's samples say nothing is charged. */
const HMRC_NOT_CHARGED = {
  procedures: { 51: 'inward processing', 53: 'temporary admission', 71: 'customs warehousing' },
  // "07" (free circulation into an excise warehouse) leaves VAT and excise unpaid, "42" onward supply VAT.
  procedureClasses: { '07': ['vat', 'excise'], 42: ['vat'] },
  apcs: { C07: ['duty'], '1RV': ['vat'], '1FV': ['duty'], F05: ['duty', 'vat'], '1RL': ['duty', 'vat'] },
  vatCodes: { VATZ: 'zero-rated', VATE: 'exempt' },
  securityMethods: new Set(['M', 'N', 'O', 'R', 'S', 'T', 'U', 'V', 'Z']),
};

const taxClass = (t) => (/^A\d\d$/.test(t) ? 'duty' : /^B\d\d$/.test(t) ? 'vat' : /^\d{3}$/.test(t) ? 'excise' : 'other');
/** Northern Ireland movements carry EU/NI tax types or AI codes: which tariff applies is not modelled. */
const NI_TAX_TYPES = new Set(['A50', 'A70', 'A80', 'A90', 'B05']);

/** Why HMRC's data says a line is not charged, or undefined. */
function hmrcNotCharged(item, line) {
  const cls = taxClass(line.taxType);
  const req = item.procedureCode.slice(0, 2);
  if (HMRC_NOT_CHARGED.procedures[req]) return `CPC ${item.procedureCode} (${HMRC_NOT_CHARGED.procedures[req]})`;
  if ((HMRC_NOT_CHARGED.procedureClasses[req] ?? []).includes(cls)) return `CPC ${item.procedureCode}`;
  for (const a of item.additionalProcedureCodes) if ((HMRC_NOT_CHARGED.apcs[a] ?? []).includes(cls)) return `APC ${a}`;
  if (cls === 'vat') for (const c of item.additionalCodes) if (HMRC_NOT_CHARGED.vatCodes[c]) return `${c} (${HMRC_NOT_CHARGED.vatCodes[c]})`;
  if (HMRC_NOT_CHARGED.securityMethods.has(line.methodOfPayment)) return `method of payment ${line.methodOfPayment} (security)`;
  return undefined;
}

function walk(dir, out = []) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (/\.xml$/i.test(e.name)) out.push(p);
  }
  return out.sort();
}

// DE 4/9 codes: A* are additions to the price, B* deductions (CDS Volume 3, DE 4/9).
function itemAdjustments(item, currency) {
  let add = 0n;
  let ded = 0n;
  const toPence = (v) => {
    const neg = v.startsWith('-');
    const [i, f = ''] = v.replace(/^-/, '').split('.');
    return (BigInt(i) * 100n + BigInt((f + '00').slice(0, 2))) * (neg ? -1n : 1n);
  };
  for (const a of item.adjustments) {
    if (!a.amount) continue;
    if (a.code === 'AV') continue; // VAT-only adjustment
    if (a.amount.currency && a.amount.currency !== currency) return { error: `adjustment ${a.code} in ${a.amount.currency}, item price in ${currency}` };
    if (!/^-?\d+(\.\d{1,2})?$/.test(a.amount.value)) return { error: `adjustment ${a.code} amount ${a.amount.value} has more than 2 decimals` };
    if (a.code.startsWith('A')) add += toPence(a.amount.value);
    else if (a.code.startsWith('B')) ded += toPence(a.amount.value);
    else return { error: `adjustment code ${a.code} is neither an addition (A*) nor a deduction (B*)` };
  }
  const fmt = (p) => `${p / 100n}.${String(p % 100n).padStart(2, '0')}`;
  return { additions: add ? fmt(add) : undefined, deductions: ded ? fmt(ded) : undefined };
}

/**
 * What the engine says about each declared tax line of one item: { taxType, claim } where claim is
 * { kind: 'payable', pence } | { kind: 'notPayable', liability, reason, assessedPence? } | { kind: 'unknown', reason }.
 * mode "before" calls the engine as scripts/recompute-hmrc-taxes.js did before issue 14 (VAT 20 %
 * unless a VAT measure is bundled, no procedure, no VAT-base completeness): for the before/after counts.
 */
function engineClaims(d, item, ctx) {
  const { engine, store, assumeDate, mode } = ctx;
  const before = mode === 'before';
  const lines = item.taxLines.filter((t) => t.taxType);
  const procedure = { cpc: item.procedureCode, apcs: item.additionalProcedureCodes };
  const liabilityOf = (t) => (before ? { liability: 'payable', reason: '' } : engine.procedureLiability(procedure, t.taxType, t.methodOfPayment || undefined));
  const unknownAll = (reason) =>
    lines.map((t) => {
      const l = liabilityOf(t);
      return {
        taxType: t.taxType,
        claim:
          l.liability !== 'payable' && l.liability !== 'unknown'
            ? { kind: 'notPayable', liability: l.liability, reason: l.reason }
            : { kind: 'unknown', reason: l.liability === 'unknown' ? l.reason : reason },
      };
    });
  const statements = new Set([...d.additionalInformation, ...item.additionalInformation].map((a) => a.code));
  const ni = statements.has('NIIMP') || statements.has('NIDOM') || lines.some((t) => NI_TAX_TYPES.has(t.taxType));
  if (before && lines.every((t) => t.taxType !== 'A00' && t.taxType !== 'B00')) return unknownAll('before issue 14 only A00/B00 were recomputed');
  if (!before && ni) {
    // Which tariff applies is open, but a zero VAT rate (VATZ/VATE) charges nothing under either.
    const zeroVat = engine.resolveVatRate({ declaredAdditionalCodes: item.additionalCodes });
    return unknownAll('Northern Ireland movement (NIIMP/NIDOM or EU tax types): whether UK or EU duty applies is not modelled').map((c) =>
      c.claim.kind === 'unknown' && taxClass(c.taxType) === 'vat' && zeroVat.status === 'known' && Number(zeroVat.ratePercent) === 0
        ? { taxType: c.taxType, claim: { kind: 'payable', pence: 0, explanation: `VAT at 0% (${zeroVat.source}) under either tariff` } }
        : c,
    );
  }
  const date = d.acceptanceDate || assumeDate;
  if (!date) return unknownAll('no acceptance date (pre-acceptance submission): the rate, FX month and measures depend on it');
  if (!item.commodityCode) return unknownAll('item has no commodity code (amendment fragment)');
  const code = item.commodityCode.length === 8 ? `${item.commodityCode}00` : item.commodityCode;
  const rates = store.rates(code, item.originCountry || '1011', date);
  const pref = item.preference || '100';
  let dutyMeasure;
  let dutyUnknown;
  if (!rates.known) dutyUnknown = `no tariff rate: ${rates.unknownReason}`;
  else if (pref === '100') {
    if (rates.thirdCountry) dutyMeasure = { measureType: '103', taxType: 'A00', expression: rates.thirdCountry.expression, source: rates.thirdCountry.datasetVersion };
    else dutyUnknown = 'no third-country (103) measure on the date';
  } else if (/^[23]\d\d$/.test(pref) && rates.preferential.some((m) => m.measureType === '142')) {
    const m = rates.preferential.find((x) => x.measureType === '142');
    dutyMeasure = { measureType: '142', taxType: 'A00', expression: m.expression, source: m.datasetVersion };
  } else dutyUnknown = `preference ${pref}: its preferential, suspension, quota or end-use rate is not in the bundled data`;

  let customsValue;
  let cvUnknown;
  if (item.customsValuePresent) customsValue = { pence: item.customsValuePence };
  else if (item.itemPrice && item.itemPrice.value) {
    const cur = item.itemPrice.currency || (d.invoiceAmount && d.invoiceAmount.currency) || '';
    const adj = itemAdjustments(item, cur);
    if (adj.error) cvUnknown = `customs value: ${adj.error}`;
    else if (d.adjustments.some((a) => a.amount && a.code !== 'AV')) cvUnknown = 'header-level additions/deductions would need apportioning across items';
    else {
      let unitsPerGbp = '1';
      let rateSource = 'sterling invoice';
      if (cur !== 'GBP') {
        if (d.exchangeRate) {
          unitsPerGbp = d.exchangeRate;
          rateSource = 'declared rate (DE 4/15)';
        } else {
          const fx = store.fx(cur, date);
          if (!fx.known) cvUnknown = `no HMRC rate for ${cur || '(no currency)'} on ${date}`;
          unitsPerGbp = fx.unitsPerGbp;
          rateSource = `HMRC monthly rate ${fx.period}`;
        }
      }
      if (!cvUnknown)
        customsValue = {
          amount: item.itemPrice.value,
          currency: cur,
          unitsPerGbp,
          rateSource,
          ...(adj.additions ? { additions: adj.additions } : {}),
          ...(adj.deductions ? { deductions: adj.deductions } : {}),
        };
    }
  } else cvUnknown = 'no customs value and no item price';
  if (cvUnknown) return unknownAll(cvUnknown);

  const a00 = lines.find((t) => t.taxType === 'A00');
  const b00 = lines.find((t) => t.taxType === 'B00');
  const quantities = { netMassKg: item.netMassKg || undefined, grossMassKg: item.grossMassKg || undefined };
  if (rates.known && rates.supplementaryUnit && item.supplementaryUnits) Object.assign(quantities, { supplementaryUnits: item.supplementaryUnits, supplementaryUnit: rates.supplementaryUnit });
  const input = { acceptanceDate: date, customsValue, quantities, measures: dutyMeasure ? [{ ...dutyMeasure, ...(a00 && a00.methodOfPayment ? { methodOfPayment: a00.methodOfPayment } : {}) }] : [] };
  if (before) {
    const vatExpr = rates.known && rates.vat[0] ? rates.vat[0].expression : undefined;
    input.vatRatePercent = vatExpr ? vatExpr.replace(/\s*%.*$/, '') : '20';
  } else {
    const loaded = rates.known && (rates.measuresLoaded || rates.vat.length > 0);
    input.vat = {
      declaredAdditionalCodes: item.additionalCodes,
      ...(loaded ? { measures: rates.vat.map((m) => ({ expression: m.expression, additionalCode: m.additionalCode, source: m.datasetVersion })) } : {}),
      ...(b00 && b00.rate ? { declaredRatePercent: b00.rate } : {}),
      ...(b00 && b00.methodOfPayment ? { methodOfPayment: b00.methodOfPayment } : {}),
    };
    input.procedure = procedure;
    const measuresLoaded = rates.known && rates.measuresLoaded;
    if (!measuresLoaded) input.tradeRemediesUnknownReason = "the code's trade-remedy measures are not loaded (UKGT baseline only)";
    else if (rates.tradeRemedies.length > 0)
      input.tradeRemediesUnknownReason = `${rates.tradeRemedies.length} trade-remedy measure(s) apply to the origin; which additional code applies is not settled`;
    const exciseLine = lines.find((t) => taxClass(t.taxType) === 'excise');
    if (exciseLine) input.exciseUnknownReason = `excise ${exciseLine.taxType} is declared and its measure is not loaded`;
    else if (!measuresLoaded) input.exciseUnknownReason = "the code's excise measures are not loaded";
  }
  const r = engine.computeDutyLine(input);
  return lines.map((t) => {
    const line = r.taxLines.find((l) => l.taxType === t.taxType) ?? (t.taxType === 'A00' ? undefined : undefined);
    if (!line) {
      const l = liabilityOf(t);
      if (l.liability !== 'payable' && l.liability !== 'unknown') return { taxType: t.taxType, claim: { kind: 'notPayable', liability: l.liability, reason: l.reason } };
      const why = t.taxType === 'A00' ? dutyUnknown : `tax type ${t.taxType}: its measure is not in the bundled data`;
      return { taxType: t.taxType, claim: { kind: 'unknown', reason: l.liability === 'unknown' ? l.reason : why } };
    }
    if (before)
      return { taxType: t.taxType, claim: line.status === 'computed' ? { kind: 'payable', pence: line.amountPence, explanation: line.explanation } : { kind: 'unknown', reason: line.unknownReason } };
    if (line.liability !== 'payable' && line.liability !== 'unknown')
      return {
        taxType: t.taxType,
        claim: {
          kind: 'notPayable',
          liability: line.liability,
          reason: line.liabilityReason,
          ...(line.status === 'computed' ? { assessedPence: line.amountPence } : {}),
          explanation: line.explanation,
        },
      };
    if (line.status !== 'computed') return { taxType: t.taxType, claim: { kind: 'unknown', reason: line.unknownReason } };
    if (line.liability === 'unknown') return { taxType: t.taxType, claim: { kind: 'unknown', reason: line.liabilityReason } };
    return { taxType: t.taxType, claim: { kind: 'payable', pence: line.payablePence, explanation: line.explanation } };
  });
}

/** HMRC's figure for a declared line: { pence, source } or { none: reason }. */
function hmrcFigure(d, item, t) {
  const notCharged = hmrcNotCharged(item, t);
  if (notCharged) return { pence: 0, source: `not charged by HMRC's treatment: ${notCharged}` };
  const statements = new Set([...d.additionalInformation, ...item.additionalInformation].map((a) => a.code));
  if (t.traderDeclared || t.payablePence > 0) {
    if (statements.has('OVR01')) return { none: "manual override OVR01: the amount is the declarant's own calculation, not CDS's" };
    return { pence: t.payablePence, source: 'declared amount' };
  }
  return { none: "HMRC's sample states no amount (a submission gives the tax type and method of payment; CDS calculates the amount)" };
}

const fmt = (p) => `£${(p / 100).toFixed(2)}`; // display only (integer pence, exact to 2 dp)

/** Runs the reconciliation over the corpus and returns rows and totals. */
function reconcile({ parseDmsDeclaration, store, engine, fixturesDir, assumeDate, mode = 'after' }) {
  const root = path.join(fixturesDir, 'hmrc-customs-declarations/annotated_XML_samples');
  const rows = [];
  let files = 0;
  let declarations = 0;
  let items = 0;
  for (const file of walk(root)) {
    files++;
    const rel = path.relative(root, file);
    const res = parseDmsDeclaration(fs.readFileSync(file), { sourceName: rel });
    if (!res.ok) continue;
    declarations++;
    const d = res.declaration;
    for (const item of d.items) {
      items++;
      const claims = engineClaims(d, item, { engine, store, assumeDate, mode });
      const lines = item.taxLines.filter((t) => t.taxType);
      lines.forEach((t, i) => {
        const claim = claims[i].claim;
        const hmrc = hmrcFigure(d, item, t);
        const enginePence = claim.kind === 'payable' ? claim.pence : claim.kind === 'notPayable' ? 0 : undefined;
        let verdict;
        let reason = '';
        if (enginePence === undefined) {
          verdict = 'unknown';
          reason = `engine: ${claim.reason}`;
        } else if (hmrc.none) {
          verdict = 'unknown';
          reason = hmrc.none;
        } else verdict = enginePence === hmrc.pence ? 'exact' : 'differs';
        rows.push({ where: `${rel} item ${item.itemNumber} ${item.commodityCode || '(no code)'}`, taxType: t.taxType, verdict, reason, claim, hmrc, notChargedByHmrc: hmrcNotCharged(item, t) });
      });
    }
  }
  // CDS's own calculations (DMS tax notifications): recomputed from the notified rate and base, so
  // the rounding and the VAT value are checked against HMRC to the penny.
  const field = (block, name) => new RegExp(`<(?:\\w+:)?${name}\\b[^>]*>([^<]*)</`).exec(block)?.[1]?.trim();
  const toPence = (gbp) => {
    const [i, f = ''] = gbp.split('.');
    return Number(BigInt(i) * 100n + BigInt((f + '00').slice(0, 2)));
  };
  for (const f of walk(fixturesDir)) {
    const xml = fs.readFileSync(f, 'utf8');
    if (!/TaxRateNumeric/.test(xml) || !/DutyTaxFee/.test(xml) || /xs:schema/.test(xml)) continue;
    const rel = path.relative(fixturesDir, f);
    for (const block of xml.split(/<(?:\w+:)?GovernmentAgencyGoodsItem>/).slice(1)) {
      const taxes = [...block.matchAll(/<(?:\w+:)?DutyTaxFee>([\s\S]*?)<\/(?:\w+:)?DutyTaxFee>/g)].map((m) => ({
        taxType: field(m[1], 'TypeCode'),
        rate: field(m[1], 'TaxRateNumeric'),
        base: field(m[1], 'AdValoremTaxBaseAmount'),
        assessed: field(m[1], 'TaxAssessedAmount'),
      }));
      const a00 = taxes.find((t) => t.taxType === 'A00');
      const b00 = taxes.find((t) => t.taxType === 'B00');
      if (!a00 || !a00.rate || !a00.assessed) continue;
      // Without a stated base the customs value follows from the assessed ad valorem duty.
      const cvPence = a00.base ? toPence(a00.base) : Number((BigInt(toPence(a00.assessed)) * 10000n) / BigInt(toPence(a00.rate)));
      const r = engine.computeDutyLine({
        acceptanceDate: '2020-01-01',
        customsValue: { pence: cvPence },
        quantities: {},
        measures: [{ measureType: '103', taxType: 'A00', expression: `${a00.rate}%`, source: 'notified TaxRateNumeric' }],
        ...(b00 && b00.rate ? (mode === 'before' ? { vatRatePercent: b00.rate } : { vat: { declaredRatePercent: b00.rate } }) : {}),
      });
      for (const t of [a00, b00]) {
        if (!t || !t.assessed) continue;
        const line = r.taxLines.find((l) => l.taxType === t.taxType);
        const ok = line && line.status === 'computed' && line.amountPence === toPence(t.assessed) && (!t.base || line.basePence === toPence(t.base));
        rows.push({
          where: `${rel} (CDS notification)`,
          taxType: t.taxType,
          verdict: !line || line.status !== 'computed' ? 'unknown' : ok ? 'exact' : 'differs',
          reason: line && line.status !== 'computed' ? `engine: ${line.unknownReason}` : '',
          claim: line && line.status === 'computed' ? { kind: 'payable', pence: line.amountPence, explanation: line.explanation } : { kind: 'unknown', reason: line ? line.unknownReason : 'no line' },
          hmrc: { pence: toPence(t.assessed), source: `CDS-calculated ${t.rate}% of ${t.base ?? `(base not stated; CV ${fmt(cvPence)} implied)`} = ${t.assessed}` },
        });
      }
    }
  }
  const totals = { exact: 0, differs: 0, unknown: 0 };
  const reasons = new Map();
  const claims = { payable: 0, notPayable: 0, unknown: 0 };
  let payableOnNotCharged = 0;
  for (const r of rows) {
    totals[r.verdict]++;
    claims[r.claim.kind]++;
    if (r.verdict === 'unknown')
      reasons.set(
        r.reason.replace(/\d{10}/g, '<code>').replace(/on \d{4}-\d{2}-\d{2}/, 'on <date>'),
        (reasons.get(r.reason.replace(/\d{10}/g, '<code>').replace(/on \d{4}-\d{2}-\d{2}/, 'on <date>')) ?? 0) + 1,
      );
    if (r.notChargedByHmrc && r.claim.kind === 'payable' && r.claim.pence > 0) payableOnNotCharged++;
  }
  return { files, declarations, items, rows, totals, claims, reasons, payableOnNotCharged };
}

/** Human-readable report: one line per tax line, then totals and unknown reasons. */
function formatReport(res, { verbose = false } = {}) {
  const out = [];
  for (const r of res.rows) {
    const claim =
      r.claim.kind === 'payable'
        ? `payable ${fmt(r.claim.pence)}`
        : r.claim.kind === 'notPayable'
          ? `not payable (${r.claim.liability}${r.claim.assessedPence !== undefined ? `, assessed ${fmt(r.claim.assessedPence)}` : ''})`
          : 'no figure';
    const hmrc = r.hmrc.none ? 'no HMRC figure' : `HMRC ${fmt(r.hmrc.pence)} (${r.hmrc.source})`;
    out.push(
      `${r.verdict.padEnd(7)} ${r.where} ${r.taxType}: engine ${claim}; ${hmrc}${r.verdict === 'unknown' ? ` — ${r.reason}` : ''}${verbose && r.claim.explanation ? `\n          ${r.claim.explanation}` : ''}`,
    );
  }
  out.push('');
  out.push(`HMRC sample declarations: ${res.files} XML files, ${res.declarations} parsed as declarations, ${res.items} goods items; ${res.rows.length} tax lines (incl. CDS notifications)`);
  out.push(`verdicts: ${res.totals.exact} exact, ${res.totals.differs} differs, ${res.totals.unknown} unknown`);
  out.push(`engine claims: ${res.claims.payable} payable figures, ${res.claims.notPayable} assessed-not-payable (£0 charged), ${res.claims.unknown} unknown`);
  out.push(`payable figures on lines HMRC's treatment does not charge (zero-rated, relieved, suspended, secured): ${res.payableOnNotCharged}`);
  out.push('unknown, by reason:');
  for (const [reason, n] of [...res.reasons].sort((a, b) => b[1] - a[1])) out.push(`  ${String(n).padStart(4)}  ${reason}`);
  return out.join('\n');
}

/**
 * Rules that challenge the relief or suspension itself (returned goods relief without evidence,
 * a special procedure without authorisation, outward processing without its worksheet): their
 * money is, by design, the duty the relief left uncharged.
 */
const RELIEF_CHALLENGES = new Set(['C32', 'C33', 'C36']);

/**
 * Runs validation's rules on every sample declaration (acceptance date as declared, or assumed)
 * and lists findings that price duty or VAT on a line HMRC's treatment does not charge — money
 * that was never charged cannot be under- or overpaid.
 */
function checkRules({ parseDmsDeclaration, store, RULES, evaluateDeclaration, fixturesDir, assumeDate, today }) {
  const root = path.join(fixturesDir, 'hmrc-customs-declarations/annotated_XML_samples');
  const view = {
    commodity: (code, date) => store.commodity(code, date),
    fx: (currency, date) => store.fx(currency, date),
    rates: (code, origin, date) => store.rates(code, origin, date),
    codeList: (list, code, date) => store.codeList(list, code, date),
  };
  const out = { declarations: 0, pricedFindings: 0, onNotCharged: [] };
  for (const file of walk(root)) {
    const res = parseDmsDeclaration(fs.readFileSync(file), { sourceName: path.relative(root, file) });
    if (!res.ok) continue;
    const d = res.declaration.acceptanceDate || !assumeDate ? res.declaration : { ...res.declaration, acceptanceDate: assumeDate };
    out.declarations++;
    for (const f of evaluateDeclaration(RULES, d, view, today, `${today}T00:00:00Z`, {})) {
      const duty = f.exposureDutyPence + f.reclaimDutyPence;
      const vat = f.exposureVatPence + f.reclaimVatPence;
      if (duty + vat === 0) continue;
      out.pricedFindings++;
      if (RELIEF_CHALLENGES.has(f.ruleId)) continue;
      const item = d.items.find((i) => i.itemNumber === f.itemNumber);
      if (!item) continue;
      const line = (taxType) => item.taxLines.find((t) => t.taxType === taxType) ?? { taxType, methodOfPayment: '' };
      const dutyWhy = duty > 0 ? hmrcNotCharged(item, line('A00')) : undefined;
      const vatWhy = vat > 0 ? hmrcNotCharged(item, line('B00')) : undefined;
      if (dutyWhy || vatWhy)
        out.onNotCharged.push(
          `${path.relative(root, file)} item ${f.itemNumber} ${f.ruleId}: ${duty > 0 ? `duty ${fmt(duty)} (${dutyWhy ?? 'charged'})` : ''}${vat > 0 ? ` VAT ${fmt(vat)} (${vatWhy ?? 'charged'})` : ''}`,
        );
    }
  }
  return out;
}

module.exports = { reconcile, formatReport, checkRules, HMRC_NOT_CHARGED, RELIEF_CHALLENGES };
