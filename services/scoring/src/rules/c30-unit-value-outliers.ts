import { Severity } from '@customs/contracts';
import { applyRate, percentRate, pounds } from './money';
import { medianMad, modifiedZ } from './stats';
import { UNIT_VALUE_WINDOW } from './state';
import { scaled } from './money';
import type { HistoryHit, HistoryRule } from './types';

/** Observations of the same (CN8, origin, basis) the line is judged against, besides itself. */
export const MIN_UNIT_VALUE_HISTORY = 40;
/**
 * |modified z| above this is an outlier. Iglewicz & Hoaglin suggest 3.5 for near-normal data; unit
 * values of one CN8 spread over two orders of magnitude (price and mass per unit vary
 * independently), and on the labelled history 3.5 flagged ~250 clean lines in 15,000 while 6 with
 * 40 lines of history flagged none (docs/quality-history.md).
 */
export const Z_THRESHOLD = 6;

export const c30UnitValueOutliers: HistoryRule = {
  meta: {
    id: 'C30',
    version: '1.0.0',
    title: 'Unit-value outlier for the commodity and origin',
    family: 'valuation',
    dataElements: ['DE 8/6 customs value (or statistical value)', 'DE 6/1 net mass', 'DE 6/2 supplementary units', 'DE 6/14 commodity code', 'DE 5/15 origin', 'DE 4/5 A00 and B00 rates'],
    legalBasis:
      'The customs value is the transaction value of the goods (UCC art. 70; Notice 252); a unit value far from the importer’s own history for the same goods and origin is a valuation risk (undervaluation) or a keying error (overvaluation) (DOMAIN.md §3.4 C30)',
    severityLogic: 'HIGH for an undervaluation with duty at stake; MEDIUM for an overvaluation (reclaim) or an unpriced outlier',
    pricing:
      'expected CV = exp(median ln(pence per unit)) × quantity, rounded down to the penny (an estimate from the history, stated as such); duty = (expected − declared CV) × the line’s declared A00 rate, each rounded down; VAT effect at its B00 rate. Under = exposure, over = reclaim (duty; VAT only for an importer not VAT-registered)',
    correctionRoute: 'C2001 when the value was understated; C285 basis "Incorrect value" when overstated',
    businessRule: `Per importer, CN8 and origin, ln(customs value per supplementary unit, or per kg of net mass when no supplementary unit is declared) of the latest ${UNIT_VALUE_WINDOW} lines; a line whose modified z-score 0.6745·(x − median)/MAD is beyond ±${Z_THRESHOLD} against them is flagged. Needs ${MIN_UNIT_VALUE_HISTORY} earlier lines and a MAD above 0; judged against the history before the line's batch (an early line is not re-judged later).`,
    minimumHistory: `${MIN_UNIT_VALUE_HISTORY} earlier lines of the same CN8, origin and basis`,
    confidence: 0.5,
  },
  decide(input) {
    const out: HistoryHit[] = [];
    // Each line is judged against its group's history before the batch (the batch's own lines
    // left out), so the statistics are computed once per group and batch, not once per line.
    const inBatch = new Set(input.unitValueLines.map((u) => `${u.decl.id}#${u.line.item}`));
    const statsOf = new Map<string, { n: number; median: number; mad: number } | undefined>();
    for (const u of input.unitValueLines) {
      if (!statsOf.has(u.key)) {
        const g = input.state.unitValues.get(u.key);
        const others = g ? g.v.filter((_, i) => !inBatch.has(g.k[i]!)) : [];
        statsOf.set(u.key, others.length < MIN_UNIT_VALUE_HISTORY ? undefined : { n: others.length, ...medianMad(others) });
      }
      const stats = statsOf.get(u.key);
      if (!stats) continue;
      if (!(stats.mad > 0)) continue;
      const z = modifiedZ(u.ln, stats);
      if (Math.abs(z) <= Z_THRESHOLD) continue;
      const cv = u.line.cv!;
      const qty = scaled(u.qty, 3)!;
      const expected = Math.floor((Math.exp(stats.median) * Number(qty)) / 1000);
      const unit = u.basis === 'kg' ? 'kg' : 'supplementary unit';
      const perUnit = (pence: number) => pounds(Math.round((pence * 1000) / Number(qty)));
      const rate = percentRate(u.line.a00Rate);
      const vatRate = percentRate(u.line.vatRate);
      let exposureDuty = 0;
      let exposureVat = 0;
      let reclaimDuty = 0;
      let reclaimVat = 0;
      let text: string;
      if (rate === undefined) text = 'duty not priced: the line declares no A00 rate';
      else {
        const dExpected = applyRate(expected, rate);
        const dDeclared = applyRate(cv, rate);
        const dDuty = dExpected - dDeclared;
        const dVat = vatRate === undefined ? 0 : applyRate(expected + dExpected, vatRate) - applyRate(cv + dDeclared, vatRate);
        if (dDuty >= 0) {
          exposureDuty = dDuty;
          exposureVat = Math.max(0, dVat);
        } else {
          reclaimDuty = -dDuty;
          reclaimVat = u.decl.vatRegistered ? 0 : Math.max(0, -dVat);
        }
        text = `expected CV ${pounds(expected)} (median ${pounds(Math.floor(Math.exp(stats.median)))} per ${unit} × ${u.qty}) × ${u.line.a00Rate}% = ${pounds(dExpected)} against declared ${pounds(cv)} × ${u.line.a00Rate}% = ${pounds(dDeclared)}: duty ${pounds(dDuty)}${vatRate === undefined ? ', VAT not priced' : `, VAT ${pounds(dVat)}`}`;
      }
      const under = z < 0;
      out.push({
        ruleId: 'C30',
        target: { d: u.decl.id, v: u.decl.version, mrn: u.decl.mrn, lrn: u.decl.lrn, date: u.decl.date, importer: u.decl.importer, declarant: u.decl.declarant },
        item: u.line.item,
        severity: under && exposureDuty > 0 ? Severity.SEVERITY_HIGH : Severity.SEVERITY_MEDIUM,
        exposureDutyPence: exposureDuty,
        exposureVatPence: exposureVat,
        reclaimDutyPence: reclaimDuty,
        reclaimVatPence: reclaimVat,
        evidence: [
          { field: 'DE 8/6 customs_value', value: pounds(cv), note: `${perUnit(cv)} per ${unit} over ${u.qty} ${unit === 'kg' ? 'kg' : 'units'}` },
          { field: 'history.median_unit_value', value: `${pounds(Math.floor(Math.exp(stats.median)))} per ${unit}`, note: `${stats.n} earlier line(s) of CN8 ${u.line.cn8}, origin ${u.line.origin}` },
          { field: 'history.modified_z', value: z.toFixed(2), note: `threshold ±${Z_THRESHOLD}; MAD of ln = ${stats.mad.toFixed(4)}` },
        ],
        explanation: `Unit value ${under ? 'far below' : 'far above'} the importer's history for CN8 ${u.line.cn8} from ${u.line.origin}: ${text}. The expected value is a statistical estimate.`,
        remediation: under
          ? 'Check the invoice against the price of earlier shipments (discounts, part shipment, free goods, related-party pricing); disclose by C2001 if the value was understated.'
          : 'Check for a keying error (decimal, currency, quantity); claim the overpaid duty by C285 if the value was overstated.',
        commodityCode: u.line.code,
        cpc: u.line.cpc,
        supplier: u.decl.supplier,
        originCountry: u.line.origin,
      });
    }
    return out;
  },
};
