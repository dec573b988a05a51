import type { Evidence } from '@customs/contracts';
import { FREE_CIRCULATION, claimsReliefApc } from './codes';
import { a00Charged, pounds, rateFacts, rateNeeds, thirdCountryDuty, underpaymentSeverity } from './pricing';
import { reliefOptions } from './relief-options';
import type { Rule, RuleHit } from './types';

const TOLERANCE_PENCE = 100;

/** C35 — Free circulation with zero or suspended duty and no reason on the declaration. */
export const c35ZeroDuty: Rule = {
  meta: {
    id: 'C35',
    version: '1.0.0',
    title: 'Zero or suspended duty on free circulation without a reason',
    family: 'procedures-reliefs',
    dataElements: ['DE 1/10 procedure code', 'DE 1/11 additional procedure codes', 'DE 4/17 preference', 'DE 8/1 quota order number', 'DE 4/3–4/6 tax lines (A00, duty suspended)', 'acceptance date'],
    legalBasis: 'Release for free circulation (40xx) charges the third-country duty unless a preference, quota, suspension or relief is claimed (DOMAIN.md §3.0, §3.5 C35)',
    severityLogic: 'underpayment: HIGH, CRITICAL from £10,000',
    pricing: 'exposure = third-country duty (measure 103 on the customs value/net mass, rounded down) − A00 charged',
    correctionRoute: 'C2001 for the duty not charged',
    businessRule:
      'A free-circulation item with no preference (100/blank), quota, relief APC or suspension in force is not charged zero duty, nor shows duty suspended, when its third-country rate is above zero.',
  },
  needs: (d, item) => (FREE_CIRCULATION.test(item.procedureCode) ? rateNeeds(d, item) : {}),
  evaluate({ declaration, reference }) {
    const hits: RuleHit[] = [];
    for (const item of declaration.items) {
      if (!FREE_CIRCULATION.test(item.procedureCode) || claimsReliefApc(item.additionalProcedureCodes) || item.quotaOrderNumber) continue;
      if (item.preference !== '' && item.preference !== '100') continue;
      const charged = a00Charged(declaration, item);
      if (charged === undefined) continue;
      const suspended = item.taxLines.filter((t) => t.taxType === 'A00').reduce((s, t) => s + t.suspendedPence, 0);
      if (charged > 0 && suspended === 0) continue;
      const facts = rateFacts(declaration, item, reference);
      if (!facts) continue;
      const mfn = thirdCountryDuty(declaration, item, reference, facts);
      if (!('pence' in mfn) || mfn.pence === 0) continue;
      // A suspension in force (usable without a claim code, or with an authorisation) explains it.
      const { suspension } = reliefOptions(declaration, item, reference, facts);
      if (suspension && suspension.pence <= charged + TOLERANCE_PENCE) continue;
      const exposure = mfn.pence - charged;
      if (exposure <= TOLERANCE_PENCE) continue;
      const evidence: Evidence[] = [
        { field: 'DE 1/10 / 1/11', value: `${item.procedureCode} ${item.additionalProcedureCodes.join(' ')}`.trim(), note: 'free circulation, no relief APC' },
        { field: 'DE 4/17 preference', value: item.preference || '(blank)', note: 'no preference, quota or suspension claimed' },
        { field: 'A00 charged / suspended', value: `${pounds(charged)} / ${pounds(suspended)}`, note: '' },
        { field: 'third-country duty', value: mfn.measure.expression, note: `tariff ${facts.datasetVersion}` },
      ];
      hits.push({
        itemNumber: item.itemNumber,
        severity: underpaymentSeverity(exposure),
        exposureDutyPence: exposure,
        evidence,
        explanation: `Item ${item.itemNumber} (${item.commodityCode}) was released for free circulation with ${charged === 0 ? 'no duty charged' : `${pounds(charged)} charged`}${suspended ? ` and ${pounds(suspended)} shown as suspended` : ''}, yet nothing on the entry explains a relief: the ${mfn.text} applies. Exposure ${pounds(exposure)}.`,
        remediation: 'Ask the broker why no duty was charged (a missing preference code and proof, a relief not declared, or an error); disclose the duty (C2001) if no relief applies.',
      });
    }
    return hits;
  },
};
