import { Severity } from '@customs/contracts';
import { pounds } from './money';
import { priceRateDifference } from './pricing';
import { KNOWLEDGE_REFS } from './state';
import type { HistoryHit, HistoryRule } from './types';

/** Preference claims of a supplier before its share under importer's knowledge means anything. */
export const MIN_CLAIM_LINES = 10;
/** Share of the supplier's claimed customs value resting on U112 alone from which it is flagged, in percent. */
export const CONCENTRATION_PCT = 90;

export const c20ImportersKnowledgeConcentration: HistoryRule = {
  meta: {
    id: 'C20',
    version: '1.0.0',
    title: 'Importer’s-knowledge (U112) concentration',
    family: 'origin-preference',
    dataElements: [
      'DE 4/17 preference',
      'DE 2/3 U112 importer’s knowledge',
      'DE 3/24 seller / DE 3/1 exporter',
      'DE 6/8 description',
      'DE 6/14 commodity code',
      'DE 4/5 A00 and B00 rates',
      'DE 8/6 customs value',
    ],
    legalBasis:
      'A preference claim on the importer’s knowledge (U112, e.g. TCA art. 54(1)(b)) must be backed by the importer’s own records of the goods’ origin; HMRC samples such claims in audit (origin evidence is an audit hot topic), and a supplier whose claims rest almost only on it concentrates that risk (DOMAIN.md §3.3 C20)',
    severityLogic: 'MEDIUM: an evidence gap with duty at stake (the saving is lost if the origin cannot be shown), not a proven error',
    pricing:
      'the preference saving at risk on each flagged line: CV × (third-country A00 rate the importer declared on its ordinary lines (CPC 40/42, DE 4/17 100) of the same description and CN8 − the rate declared), rounded down, with the VAT effect on (CV + duty) at the line’s B00 rate, as exposure; unpriced (£0, said so in the explanation) when the importer never declared those goods at the third-country rate (the tariff’s rate is not joined yet)',
    correctionRoute: 'obtain the supplier’s statement on origin (or keep the importer’s records of the origin) for the claims; without evidence, disclose the saving by C2001',
    businessRule: `Per importer and supplier (whose country fixes the agreement), once the supplier has ≥ ${MIN_CLAIM_LINES} preference-claim lines (DE 4/17 2xx/3xx) in force and ≥ ${CONCENTRATION_PCT} % of their customs value cites U112 as the only origin evidence basis, each U112 line of the supplier is flagged (the latest ${KNOWLEDGE_REFS} are kept; earlier ones were judged while among them). U112 on complex goods without supplier evidence on file (DOMAIN’s second criterion) needs the importer’s evidence register, which no feed delivers.`,
    minimumHistory: `${MIN_CLAIM_LINES} preference-claim lines of the supplier`,
    confidence: 0.5,
  },
  decide(input) {
    const out: HistoryHit[] = [];
    for (const key of input.touched.knowledge) {
      const g = input.state.knowledge.get(key);
      // Integer comparison of the share: u112Cv / claimCv ≥ CONCENTRATION_PCT %.
      if (!g || g.claims < MIN_CLAIM_LINES || g.claimCv <= 0 || g.u112Cv * 100 < g.claimCv * CONCENTRATION_PCT) continue;
      const [importer, supplier] = key.split('|') as [string, string];
      const share = `${((g.u112Cv / g.claimCv) * 100).toFixed(1)}%`;
      for (const r of g.refs) {
        const p = priceRateDifference(
          { cv: r.cv, a00Rate: r.a00Rate, vatRate: r.vatRate, preference: '' },
          r.tcRate,
          'the third-country rate declared on the importer’s ordinary lines of the goods',
          true,
        );
        const exposure = p.known ? p.exposureDutyPence : 0;
        out.push({
          ruleId: 'C20',
          target: { d: r.d, v: r.v, mrn: r.mrn, lrn: r.lrn, date: r.date, importer, declarant: r.declarant },
          item: r.i,
          severity: Severity.SEVERITY_MEDIUM,
          exposureDutyPence: exposure,
          exposureVatPence: exposure > 0 ? p.exposureVatPence : 0,
          evidence: [
            { field: 'DE 2/3 U112', value: "importer's knowledge", note: `preference ${r.preference} on this line` },
            { field: 'history.u112_share_of_claimed_cv', value: share, note: `${pounds(g.u112Cv)} of ${pounds(g.claimCv)} claimed on ${g.u112} of ${g.claims} claim line(s)` },
            { field: 'supplier', value: supplier, note: '' },
            { field: 'history.third_country_rate', value: r.tcRate || 'unknown', note: 'A00 rate declared on the importer’s ordinary lines of the same goods and CN8' },
          ],
          explanation: `${share} of the customs value claimed under preference from this supplier rests on importer's knowledge (U112) alone (${g.u112} of ${g.claims} claim lines). ${p.known ? `Saving at risk on this line: ${p.text}` : `Saving at risk not priced: ${p.text.replace(/^not priced: /, '')}`}.`,
          remediation:
            'Keep the records the importer’s knowledge rests on (production, supplier’s statement on origin, cost breakdown) for these goods; if they cannot be produced, disclose the saving by C2001 and claim on a statement on origin in future.',
          commodityCode: r.code,
          originCountry: r.origin,
          cpc: r.cpc,
          supplier: r.supplier,
        });
      }
    }
    return out;
  },
};
