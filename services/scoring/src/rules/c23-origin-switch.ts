import { Severity } from '@customs/contracts';
import { ESTABLISHED_LINES, MINORITY_LINES } from './c11-classification-drift';
import { priceRateDifference } from './pricing';
import type { HistoryHit, HistoryRule } from './types';

export const c23OriginSwitch: HistoryRule = {
  meta: {
    id: 'C23',
    version: '1.0.0',
    title: 'Origin switch for the same supplier and goods',
    family: 'origin-preference',
    dataElements: ['DE 5/15 country of origin', 'DE 4/17 preference', 'DE 6/8 description', 'DE 3/24 seller', 'DE 4/5 A00 rate', 'DE 8/6 customs value'],
    legalBasis:
      'Origin follows where goods were wholly obtained or last substantially transformed (UK rules of origin); a supplier’s goods changing origin, especially towards a preference partner or away from a trade-remedy country, is a circumvention signal (DOMAIN.md §3.3 C23)',
    severityLogic: 'HIGH when the new origin paid less duty than the established one (the saving is at stake); MEDIUM otherwise',
    pricing:
      'CV × (A00 rate declared on the supplier’s lines of the established origin − A00 rate declared on this line), rounded down, VAT effect at the B00 rate; exposure only (a switch to a dearer origin is flagged with £0)',
    correctionRoute: 'C2001 voluntary disclosure if the origin cannot be evidenced; otherwise file the supplier’s origin evidence',
    businessRule: `For one importer, supplier and normalised description, an origin used on at most ${MINORITY_LINES} lines while another origin is established (≥ ${ESTABLISHED_LINES} lines) is flagged on each of those lines.`,
    minimumHistory: `${ESTABLISHED_LINES} lines of the same supplier and description from one origin`,
    confidence: 0.6,
  },
  decide(input) {
    const out: HistoryHit[] = [];
    for (const key of input.touched.supplierGroups) {
      const g = input.state.supplierGroups.get(key);
      if (!g) continue;
      const entries = Object.entries(g.origins).sort((a, b) => b[1].n - a[1].n || a[0].localeCompare(b[0]));
      const top = entries[0];
      if (!top || top[1].n < ESTABLISHED_LINES || entries.length < 2) continue;
      const [importer] = key.split('|') as [string];
      const decl = input.batch.find((b) => b.importer === importer);
      for (const [origin, b] of entries.slice(1)) {
        if (b.n > MINORITY_LINES) continue;
        for (const r of b.refs) {
          const p = priceRateDifference(r, top[1].rate, `origin ${top[0]}`, decl?.vatRegistered ?? true);
          // Only the saving is at stake: a move to a dearer origin is a signal, not money.
          const exposure = p.known ? p.exposureDutyPence : 0;
          out.push({
            ruleId: 'C23',
            target: { d: r.d, v: r.v, mrn: r.mrn, lrn: r.lrn, date: r.date, importer, declarant: r.declarant },
            item: r.i,
            severity: exposure > 0 ? Severity.SEVERITY_HIGH : Severity.SEVERITY_MEDIUM,
            exposureDutyPence: exposure,
            exposureVatPence: exposure > 0 ? p.exposureVatPence : 0,
            evidence: [
              { field: 'DE 5/15 origin_country', value: origin, note: `on ${b.n} line(s) of this supplier and description` },
              { field: 'history.established_origin', value: top[0], note: `${top[1].n} line(s); A00 rate declared ${top[1].rate || 'unknown'}%` },
              { field: 'history.group', value: key.split('|').slice(1).join(' / '), note: 'supplier / normalised description' },
            ],
            explanation: `The supplier's goods of this description came from ${top[0]} on ${top[1].n} lines; this line declares origin ${origin}. ${p.text}${p.known && p.exposureDutyPence === 0 ? ' (no saving: the new origin paid at least as much)' : ''}`,
            remediation: `Obtain the supplier's evidence of the change of origin (production moved, supplier's declaration, certificate); without it, correct the origin and disclose the duty by C2001.`,
            commodityCode: r.code,
            cpc: r.cpc,
            supplier: r.supplier,
            originCountry: origin,
          });
        }
      }
    }
    return out;
  },
};
