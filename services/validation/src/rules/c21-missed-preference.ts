import { missedPreferenceRule } from './missed-preference';

/** C21 — Missed trade-agreement preference (reclaim). */
export const c21MissedPreference = missedPreferenceRule(
  {
    id: 'C21',
    version: '1.0.1',
    title: 'Trade-agreement preference not claimed (overpayment)',
    family: 'origin-preference',
    dataElements: ['DE 4/17 preference', 'DE 5/15 origin', 'DE 4/3–4/6 tax lines (A00)', 'acceptance date'],
    legalBasis:
      'An originating good may be entered at the agreement’s preferential rate (measure 142 for the origin) with a proof of origin; overpaid duty is repaid under reg. 50 "lower rate of duty available" (C285 basis "Preferential rate of duty") within 3 years (DOMAIN.md §3.3 C21, §3.8)',
    severityLogic: 'reclaim: MEDIUM; HIGH when ≥ £1,000 and fewer than 90 days of the C285 window are left; LOW once the window has closed',
    pricing: 'reclaim = A00 charged (third-country duty assumed with preference 100 when the data has no tax lines) − cheapest 142 preferential duty for the origin, rounded down',
    correctionRoute: 'C285 basis "Preferential rate of duty", with the proof of origin',
    businessRule:
      'An item charged duty without a preference claim whose origin is covered by a UK trade agreement with a lower preferential rate for the code is flagged as a reclaim, provided the goods qualify (proof obtainable). Origins covered only by GSP/DCTS are C22; a suspension at least as low is C15.',
  },
  false,
);
