import { Severity } from '@customs/contracts';
import { PROOF_OF_ORIGIN, claimsPreference } from './codes';
import { a00Charged, dutyNotCharged, mfnDuty, mfnNeeds, pounds } from './pricing';
import type { Rule, RuleHit } from './types';

/** C16 — Preference claimed without a proof of origin. */
export const c16PreferenceWithoutProof: Rule = {
  meta: {
    id: 'C16',
    version: '1.3.0',
    title: 'Preference claimed without proof of origin',
    family: 'origin-preference',
    dataElements: ['DE 4/17 preference', 'DE 2/3 documents', 'DE 5/16 preferential origin'],
    legalBasis: 'Preferential tariff treatment needs a proof of origin accepted by the agreement (HMRC/BIFA guidance on U110–U112; DOMAIN.md §2.3, §3.3 C16)',
    severityLogic: 'HIGH: origin evidence is a current HMRC audit priority; the whole preference is at risk',
    pricing:
      'exposure = third-country (MFN) duty on the duty value (A00 tax base, else reported customs value, else invoice price ± DE 4/9 at the HMRC rate) − duty paid, every expression form through the duty engine; not priced when the procedure does not charge the duty (IP/TA/warehousing, relief APC, security) or an APC without a rule may relieve it',
    correctionRoute: 'C2001 (voluntary disclosure) if no proof can be produced; none if it exists but was not declared',
    businessRule: 'A 2xx/3xx preference claim declares one of the proof-of-origin document codes in DE 2/3.',
  },
  needs: (declaration, item) => (claimsPreference(item.preference) ? mfnNeeds(declaration, item) : {}),
  evaluate({ declaration, reference }) {
    const hits: RuleHit[] = [];
    for (const item of declaration.items) {
      if (!claimsPreference(item.preference)) continue;
      const docs = [...item.documents, ...declaration.documents].map((d) => d.code);
      if (docs.some((c) => PROOF_OF_ORIGIN.has(c))) continue;
      const hit: RuleHit = {
        itemNumber: item.itemNumber,
        severity: Severity.SEVERITY_HIGH,
        evidence: [
          { field: 'DE 4/17 preference', value: item.preference, note: 'preferential treatment claimed' },
          { field: 'DE 2/3 documents', value: docs.join(', ') || '(none)', note: 'no proof-of-origin code among them' },
          { field: 'DE 5/16 preferential origin', value: item.preferentialOrigin, note: '' },
        ],
        explanation: `Item ${item.itemNumber} claims preference ${item.preference} but declares no proof of origin.`,
        remediation: 'Obtain the statement on origin / certificate from the supplier and keep it on file; if none exists, disclose the underpayment (C2001) before HMRC finds it.',
      };
      const duty = mfnDuty(declaration, item, reference);
      const notCharged = dutyNotCharged(item);
      if (notCharged) hit.explanation += ` Not priced: ${notCharged}.`;
      else if ('pence' in duty) {
        const paid = a00Charged(declaration, item);
        const exposure = Math.max(0, duty.pence - (paid ?? 0));
        hit.exposureDutyPence = exposure;
        hit.evidence.push({ field: 'reference.ukgt third-country duty', value: duty.rate, note: '' }, { field: 'customs value', value: pounds(duty.cvPence), note: '' });
        hit.explanation += ` Without the preference the ${duty.text}${paid === undefined ? '; the duty actually paid is not in the data, so the exposure shown assumes the preferential rate was 0%' : `, against ${pounds(paid)} paid`}: exposure ${pounds(exposure)}.`;
      } else {
        hit.explanation += ` Not priced: ${duty.reason}.`;
      }
      hits.push(hit);
    }
    return hits;
  },
};
