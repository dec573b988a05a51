import { Severity } from '@customs/contracts';
import { priceRateDifference } from './pricing';
import { pounds } from './money';
import type { CodeGroup, HistoryHit, HistoryRule, LineRef } from './types';

/** The established code needs this many lines before a different one counts as drift. */
export const ESTABLISHED_LINES = 3;
/** A code used on at most this many lines of the group is the odd one out (more = a second established code, not drift). */
export const MINORITY_LINES = 2;

/** The established (most used) code of a group and the minority codes around it; undefined when none is established. */
export function establishedCode(codes: CodeGroup['codes']): { code: string; n: number; rate: string; minorities: [string, { n: number; refs: LineRef[] }][] } | undefined {
  const entries = Object.entries(codes).sort((a, b) => b[1].n - a[1].n || a[0].localeCompare(b[0]));
  const top = entries[0];
  if (!top || top[1].n < ESTABLISHED_LINES || entries.length < 2) return undefined;
  const minorities = entries.slice(1).filter(([, b]) => b.n <= MINORITY_LINES);
  return { code: top[0], n: top[1].n, rate: top[1].rate, minorities };
}

export const c11ClassificationDrift: HistoryRule = {
  meta: {
    id: 'C11',
    version: '1.0.0',
    title: 'Classification drift for the same supplier and description',
    family: 'classification',
    dataElements: ['DE 6/14 commodity code', 'DE 6/8 description', 'DE 3/24 seller / DE 3/1 exporter', 'DE 4/5 A00 rate', 'DE 4/5 B00 rate', 'DE 8/6 customs value'],
    legalBasis: 'The same goods take the same classification (GIR 1–6; binding tariff information, UCC art. 33); DOMAIN.md §3.2 C11',
    severityLogic: 'HIGH when the other code would have charged more (underpayment); MEDIUM when it is an overpayment or cannot be priced',
    pricing:
      'CV × (A00 rate declared under the established CN8 on the same supplier’s earlier lines − A00 rate declared on this line), each rounded down; VAT effect on (CV + duty) at the line’s B00 rate. Positive = exposure, negative = reclaim (duty; VAT only for an importer not VAT-registered)',
    correctionRoute: 'C285 basis "Incorrect commodity code" if the established code carries less duty; C2001 if more',
    businessRule: `For one importer, supplier and normalised description, a CN8 used on at most ${MINORITY_LINES} lines while another CN8 is established (≥ ${ESTABLISHED_LINES} lines, the most used) is drift: each minority line is flagged, whichever arrived first. A nomenclature split is not told apart from drift yet (needs the tariff's code history).`,
    minimumHistory: `${ESTABLISHED_LINES} lines of the same supplier and description under one CN8`,
    confidence: 0.7,
  },
  decide(input) {
    const out: HistoryHit[] = [];
    for (const key of input.touched.supplierGroups) {
      const g = input.state.supplierGroups.get(key);
      if (!g) continue;
      const est = establishedCode(g.codes);
      if (!est) continue;
      const [importer] = key.split('|');
      const decl = input.batch.find((b) => b.importer === importer);
      for (const [code, b] of est.minorities) {
        for (const r of b.refs) {
          const p = priceRateDifference(r, est.rate, `CN8 ${est.code}`, decl?.vatRegistered ?? true, { preferentialLineUnpriced: true });
          out.push({
            ruleId: 'C11',
            target: { d: r.d, v: r.v, mrn: r.mrn, lrn: r.lrn, date: r.date, importer: importer!, declarant: r.declarant },
            item: r.i,
            severity: p.exposureDutyPence > 0 ? Severity.SEVERITY_HIGH : Severity.SEVERITY_MEDIUM,
            exposureDutyPence: p.exposureDutyPence,
            exposureVatPence: p.exposureVatPence,
            reclaimDutyPence: p.reclaimDutyPence,
            reclaimVatPence: p.reclaimVatPence,
            evidence: [
              { field: 'DE 6/14 commodity_code', value: r.code, note: `CN8 ${code} on ${b.n} line(s) of this supplier and description` },
              { field: 'history.established_cn8', value: est.code, note: `${est.n} line(s) of the same supplier and description; A00 rate declared ${est.rate || 'unknown'}%` },
              { field: 'history.group', value: key.split('|').slice(1).join(' / '), note: 'supplier / normalised description' },
            ],
            explanation: `Declared under CN8 ${code} where the same supplier's goods of this description were declared under ${est.code} on ${est.n} lines. ${p.text}`,
            remediation: `Confirm the right code for these goods; if ${est.code} is right, ${p.reclaimDutyPence > 0 ? `claim ${pounds(p.reclaimDutyPence)} by C285` : p.exposureDutyPence > 0 ? `disclose ${pounds(p.exposureDutyPence)} by C2001` : 'correct the entry'}; record the decision in the classification master data.`,
            commodityCode: r.code,
            cpc: r.cpc,
            supplier: r.supplier,
            originCountry: r.origin,
          });
        }
      }
    }
    return out;
  },
};
