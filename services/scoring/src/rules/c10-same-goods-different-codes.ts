import { Severity } from '@customs/contracts';
import { establishedCode } from './c11-classification-drift';
import { priceRateDifference } from './pricing';
import { pounds } from './money';
import type { HistoryHit, HistoryRule } from './types';

export const c10SameGoodsDifferentCodes: HistoryRule = {
  meta: {
    id: 'C10',
    version: '1.0.0',
    title: 'Same goods description under different commodity codes',
    family: 'classification',
    dataElements: ['DE 6/14 commodity code', 'DE 6/8 description', 'DE 3/24 seller', 'DE 4/5 A00 rate', 'DE 8/6 customs value'],
    legalBasis: 'The same goods take the same classification whoever supplies or declares them (GIR 1–6; UCC art. 33); DOMAIN.md §3.2 C10',
    severityLogic: 'HIGH when the established code would have charged more (underpayment); MEDIUM otherwise',
    pricing:
      'CV × (A00 rate declared under the importer’s established CN8 for the description − A00 rate declared on this line), each rounded down; VAT effect at the line’s B00 rate. Positive = exposure, negative = reclaim',
    correctionRoute: 'C285 basis "Incorrect commodity code" if the established code carries less duty; C2001 if more',
    businessRule:
      'For one importer and normalised description (the SKU stand-in: declarations carry no SKU), a CN8 used on at most 2 lines while another is established on ≥ 3 lines is flagged — when the line’s own supplier has no established code for the description (that case is C11, drift within a supplier). SKUs from ERP receipts are not joined yet (they live in ingestion).',
    minimumHistory: '3 lines of the description under one CN8, from any supplier',
    confidence: 0.6,
  },
  decide(input) {
    const out: HistoryHit[] = [];
    for (const key of input.touched.descGroups) {
      const g = input.state.descGroups.get(key);
      if (!g) continue;
      const est = establishedCode(g.codes);
      if (!est) continue;
      const [importer, desc] = key.split('|') as [string, string];
      const decl = input.batch.find((b) => b.importer === importer);
      for (const [code, b] of est.minorities) {
        for (const r of b.refs) {
          // Drift within the line's own supplier is C11's finding, not a second one here.
          const own = input.state.supplierGroups.get(`${importer}|${r.supplier}|${desc}`);
          if (own && establishedCode(own.codes)?.minorities.some(([c]) => c === code)) continue;
          const p = priceRateDifference(r, est.rate, `CN8 ${est.code}`, decl?.vatRegistered ?? true, { preferentialLineUnpriced: true });
          out.push({
            ruleId: 'C10',
            target: { d: r.d, v: r.v, mrn: r.mrn, lrn: r.lrn, date: r.date, importer, declarant: r.declarant },
            item: r.i,
            severity: p.exposureDutyPence > 0 ? Severity.SEVERITY_HIGH : Severity.SEVERITY_MEDIUM,
            exposureDutyPence: p.exposureDutyPence,
            exposureVatPence: p.exposureVatPence,
            reclaimDutyPence: p.reclaimDutyPence,
            reclaimVatPence: p.reclaimVatPence,
            evidence: [
              { field: 'DE 6/14 commodity_code', value: r.code, note: `CN8 ${code} on ${b.n} line(s) of this description` },
              {
                field: 'history.established_cn8',
                value: est.code,
                note: `${est.n} line(s) of the description across ${Object.keys(g.suppliers).length} supplier(s); A00 rate declared ${est.rate || 'unknown'}%`,
              },
              { field: 'DE 6/8 description (normalised)', value: desc, note: '' },
            ],
            explanation: `The importer declares goods described "${desc}" under CN8 ${est.code} (${est.n} lines); this line uses ${code}. ${p.text}`,
            remediation: `Decide the supported code for these goods and apply it across suppliers and brokers; ${p.reclaimDutyPence > 0 ? `claim ${pounds(p.reclaimDutyPence)} by C285` : p.exposureDutyPence > 0 ? `disclose ${pounds(p.exposureDutyPence)} by C2001` : 'correct the entry'} if ${est.code} is right.`,
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
