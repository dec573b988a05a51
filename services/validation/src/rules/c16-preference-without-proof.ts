import { Severity } from '@customs/contracts';
import { PROOF_OF_ORIGIN, claimsPreference } from './codes';
import { adValoremDutyPence, adValoremRate, customsValuePence, dutyPaidPence, pounds } from './pricing';
import type { Rule, RuleHit } from './types';

/** C16 — Preference claimed without a proof of origin. */
export const c16PreferenceWithoutProof: Rule = {
  meta: {
    id: 'C16',
    version: '1.0.0',
    title: 'Preference claimed without proof of origin',
    family: 'origin-preference',
    dataElements: ['DE 4/17 preference', 'DE 2/3 documents', 'DE 5/16 preferential origin'],
    legalBasis: 'Preferential tariff treatment needs a proof of origin accepted by the agreement (HMRC/BIFA guidance on U110–U112; DOMAIN.md §2.3, §3.3 C16)',
    severityLogic: 'HIGH: origin evidence is a current HMRC audit priority; the whole preference is at risk',
    pricing: 'exposure = third-country (MFN) duty on the customs value − duty paid; simple ad valorem MFN only until the duty engine lands',
    correctionRoute: 'C2001 (voluntary disclosure) if no proof can be produced; none if it exists but was not declared',
    businessRule: 'A 2xx/3xx preference claim declares one of the proof-of-origin document codes in DE 2/3.',
  },
  needs(declaration, item) {
    if (!claimsPreference(item.preference) || !/^\d{8}(\d{2})?$/.test(item.commodityCode)) return {};
    const code = item.commodityCode.length === 8 ? `${item.commodityCode}00` : item.commodityCode;
    const currency = item.itemPrice?.currency?.toUpperCase();
    return { commodities: [{ code, date: declaration.acceptanceDate }], fx: currency && currency !== 'GBP' ? [{ currency, date: declaration.acceptanceDate }] : [] };
  },
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
      const code = item.commodityCode.length === 8 ? `${item.commodityCode}00` : item.commodityCode;
      const fact = /^\d{10}$/.test(code) ? reference.commodity(code, declaration.acceptanceDate) : undefined;
      const cv = customsValuePence(declaration, item, reference);
      const rate = fact?.thirdCountryDuty ? adValoremRate(fact.thirdCountryDuty) : undefined;
      if (cv && rate !== undefined) {
        const mfn = adValoremDutyPence(cv.pence, rate);
        const paid = dutyPaidPence(item);
        const exposure = Math.max(0, mfn - (paid ?? 0));
        hit.exposureDutyPence = exposure;
        hit.evidence.push({ field: 'reference.ukgt third-country duty', value: fact!.thirdCountryDuty, note: fact!.datasetVersion }, { field: 'customs value', value: pounds(cv.pence), note: cv.how });
        hit.explanation += ` Without the preference the third-country duty is ${fact!.thirdCountryDuty} of ${pounds(cv.pence)} = ${pounds(mfn)} (rounded down to the penny)${paid === undefined ? '; the duty actually paid is not in the data, so the exposure shown assumes the preferential rate was 0%' : `, against ${pounds(paid)} paid`}: exposure ${pounds(exposure)}.`;
      } else {
        const why = !cv ? 'the customs value cannot be established from the data' : !fact?.thirdCountryDuty ? 'the third-country duty for this code is unknown in the loaded tariff' : `the third-country duty "${fact.thirdCountryDuty}" is not a simple ad valorem rate`;
        hit.explanation += ` Not priced: ${why} (the duty engine will price it).`;
      }
      hits.push(hit);
    }
    return hits;
  },
};
