import { Severity, type Evidence } from '@customs/contracts';
import { claimsPreference } from './codes';
import { a00Charged, isCountryCode, pounds, rateFacts, rateNeeds, thirdCountryDuty } from './pricing';
import type { Rule, RuleHit } from './types';

const ALPHA2 = /^[A-Z]{2}$/;

/** The country the preference is claimed for: DE 5/16 when a country, else DE 5/15. */
function claimedOrigin(item: { preferentialOrigin: string; originCountry: string }): string | undefined {
  const pref = item.preferentialOrigin.toUpperCase();
  const origin = item.originCountry.toUpperCase();
  return isCountryCode(pref) ? pref : isCountryCode(origin) ? origin : undefined;
}

/** C25 — Preference claimed on goods dispatched from a country outside the agreement. */
export const c25IndirectDispatch: Rule = {
  meta: {
    id: 'C25',
    version: '1.0.0',
    title: 'Preferential goods dispatched from outside the agreement area',
    family: 'origin-preference',
    dataElements: ['DE 4/17 preference', 'DE 5/16 preferential origin', 'DE 5/15 origin', 'DE 5/14 country of dispatch', 'acceptance date'],
    legalBasis: 'Preferential goods must be transported directly or shown not to have been altered in a third country (non-alteration / direct transport rules of each agreement; DOMAIN.md §3.3 C25)',
    severityLogic: 'MEDIUM: documentation gap with the preference at stake; advisory until non-alteration evidence is reviewed',
    pricing: 'advisory: the preference at stake (third-country duty − A00 charged) is stated, not booked as exposure; priced as C16 if the claim falls',
    correctionRoute: 'none if non-alteration evidence (through bill of lading, customs control documents) is on file; C2001 otherwise',
    businessRule:
      'A preference claim on goods dispatched from a country that shares no preference scheme with the origin has non-alteration evidence on file. Not covered: origin = dispatch = a country under trade remedies (C14 prices remedies by origin) and cumulation rules between agreements.',
  },
  needs(d, item) {
    const origin = claimedOrigin(item);
    const dispatch = item.dispatchCountry.toUpperCase();
    if (!claimsPreference(item.preference) || !origin || !ALPHA2.test(dispatch) || dispatch === origin || dispatch === 'GB') return {};
    return rateNeeds(d, item, [origin, dispatch]);
  },
  evaluate({ declaration, reference }) {
    const hits: RuleHit[] = [];
    for (const item of declaration.items) {
      const origin = claimedOrigin(item);
      const dispatch = item.dispatchCountry.toUpperCase();
      if (!claimsPreference(item.preference) || !origin || !ALPHA2.test(dispatch) || dispatch === origin || dispatch === 'GB') continue;
      const fo = rateFacts(declaration, item, reference, origin);
      const fd = rateFacts(declaration, item, reference, dispatch);
      if (!fo || !fd || fo.schemes.length === 0) continue; // no scheme for the origin: C17
      const dispatchSchemes = new Set(fd.schemes.map((s) => s.id));
      // Dispatch within the same agreement area (e.g. EU origin shipped from another member state).
      if (fo.schemes.some((s) => dispatchSchemes.has(s.id))) continue;
      const mfn = thirdCountryDuty(declaration, item, reference, fo);
      const charged = a00Charged(declaration, item) ?? 0;
      const atStake = 'pence' in mfn ? Math.max(0, mfn.pence - charged) : undefined;
      const evidence: Evidence[] = [
        { field: 'DE 4/17 preference', value: item.preference, note: '' },
        { field: 'origin claimed', value: origin, note: `schemes ${fo.schemes.map((s) => s.id).join(', ')}` },
        { field: 'DE 5/14 country of dispatch', value: dispatch, note: fd.schemes.length ? `schemes ${fd.schemes.map((s) => s.id).join(', ')}` : 'no UK scheme' },
      ];
      hits.push({
        itemNumber: item.itemNumber,
        severity: Severity.SEVERITY_MEDIUM,
        evidence,
        explanation: `Item ${item.itemNumber} claims preference for ${origin} origin but was dispatched from ${dispatch}, outside ${fo.schemes.map((s) => s.name).join(' / ')}: the preference holds only with evidence that the goods were not altered there.${atStake !== undefined ? ` Preference at stake: ${pounds(atStake)}.` : ''}`,
        remediation: 'Keep the through bill of lading or the customs documents of the transit country showing the goods stayed under customs control; without them, disclose the preference (C2001).',
      });
    }
    return hits;
  },
};
