import { Severity } from '@customs/contracts';
import { claimsPreference } from './codes';
import type { Rule, RuleHit } from './types';

/** C19 — 300-series preference without a country of preferential origin. */
export const c19PreferenceOrigin: Rule = {
  meta: {
    id: 'C19',
    version: '1.0.0',
    title: 'Preference claimed without a country of preferential origin',
    family: 'origin-preference',
    dataElements: ['DE 4/17 preference', 'DE 5/16 preferential origin', 'DE 5/15 origin'],
    legalBasis: 'HMRC via BIFA: a 300-series DE 4/17 code requires DE 5/16 (DOMAIN.md §2.2, §3.3 C19)',
    severityLogic: 'MEDIUM: documentation defect that puts the preference at risk',
    pricing: 'as C16 once resolved (documentation; same exposure if the claim fails)',
    correctionRoute: 'correct with the broker; C2001 if the origin does not qualify',
    businessRule: 'Every 2xx/3xx preference claim names the country or group of preferential origin (DE 5/16).',
  },
  evaluate({ declaration }) {
    const hits: RuleHit[] = [];
    for (const item of declaration.items) {
      if (!claimsPreference(item.preference) || item.preferentialOrigin) continue;
      hits.push({
        itemNumber: item.itemNumber,
        severity: Severity.SEVERITY_MEDIUM,
        evidence: [
          { field: 'DE 4/17 preference', value: item.preference, note: '' },
          { field: 'DE 5/16 preferential origin', value: '(blank)', note: '' },
          { field: 'DE 5/15 origin', value: item.originCountry, note: '' },
        ],
        explanation: `Item ${item.itemNumber} claims preference ${item.preference} without a country of preferential origin (DE 5/16).`,
        remediation: 'Ask the broker to complete DE 5/16 from the proof of origin; if origin cannot be shown, disclose (C2001).',
      });
    }
    return hits;
  },
};
