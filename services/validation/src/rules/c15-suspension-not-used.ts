import type { Evidence } from '@customs/contracts';
import { FREE_CIRCULATION, claimsReliefApc } from './codes';
import { a00Charged, pounds, rateFacts, rateNeeds, reclaimSeverity } from './pricing';
import { reliefOptions } from './relief-options';
import type { Rule, RuleHit } from './types';

const TOLERANCE_PENCE = 100;

/** C15 — Duty paid at the full rate where a tariff suspension was available (reclaim). */
export const c15SuspensionNotUsed: Rule = {
  meta: {
    id: 'C15',
    version: '1.0.0',
    title: 'Duty paid although a tariff suspension was available',
    family: 'classification',
    dataElements: ['DE 6/14–6/15 commodity code', 'DE 4/17 preference', 'DE 4/3–4/6 tax lines (A00)', 'DE 3/39 authorisations', 'acceptance date'],
    legalBasis:
      'Autonomous tariff suspensions (measure 112) apply to any importer; end-use suspensions (115) need an end-use authorisation (DOMAIN.md §3.2 C15; C285 bases "Duty suspension", "End use relief")',
    severityLogic: 'reclaim: MEDIUM; HIGH when ≥ £1,000 and fewer than 90 days of the C285 window are left; LOW once the window has closed',
    pricing: 'reclaim = A00 charged − duty at the cheapest usable suspension (rounded down); an end-use suspension counts only when an end-use authorisation is on the declaration',
    correctionRoute: 'C285 basis "Duty suspension" (or "End use relief" for a 115 suspension)',
    businessRule:
      'An item charged duty without a preference or suspension claim is not charged more than an autonomous suspension in force for its code. Not covered: pharmaceutical INN duty-free products (the INN list is not in the tariff facts); suspensions no lower than an available preference are left to C21/C22.',
  },
  needs: (d, item) => (FREE_CIRCULATION.test(item.procedureCode) ? rateNeeds(d, item) : {}),
  evaluate({ declaration, reference, today }) {
    const hits: RuleHit[] = [];
    for (const item of declaration.items) {
      if (!FREE_CIRCULATION.test(item.procedureCode) || claimsReliefApc(item.additionalProcedureCodes)) continue;
      if (item.preference !== '' && item.preference !== '100') continue;
      const charged = a00Charged(declaration, item);
      if (!charged) continue;
      const facts = rateFacts(declaration, item, reference);
      if (!facts || facts.suspensions.length === 0) continue;
      const { suspension, preference } = reliefOptions(declaration, item, reference, facts);
      if (!suspension || (preference && preference.pence < suspension.pence)) continue;
      const reclaim = charged - suspension.pence;
      if (reclaim <= TOLERANCE_PENCE) continue;
      const evidence: Evidence[] = [
        { field: 'DE 4/17 preference', value: item.preference || '(blank)', note: 'no suspension claimed' },
        { field: 'tariff suspension', value: `${suspension.measure.measureType} ${suspension.measure.expression}`, note: `from ${suspension.measure.validFrom}; tariff ${facts.datasetVersion}` },
        { field: 'A00 charged', value: pounds(charged), note: '' },
      ];
      hits.push({
        itemNumber: item.itemNumber,
        severity: reclaimSeverity(reclaim, declaration.acceptanceDate, today),
        reclaimDutyPence: reclaim,
        evidence,
        explanation: `Item ${item.itemNumber} (${item.commodityCode}) was charged ${pounds(charged)} of duty, but a tariff suspension was in force on ${declaration.acceptanceDate}: ${suspension.text}. Overpaid ${pounds(reclaim)}, reclaimable until 3 years after acceptance.`,
        remediation: `Claim the overpaid duty back with a C285 (basis "${suspension.measure.measureType === '112' ? 'Duty suspension' : 'End use relief'}") and have the broker claim the suspension on future entries.`,
      });
    }
    return hits;
  },
};
