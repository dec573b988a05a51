import { missedPreferenceRule } from './missed-preference';

/** C22 — Missed DCTS/GSP preference for a developing-country origin (reclaim). */
export const c22MissedDcts = missedPreferenceRule(
  {
    id: 'C22',
    version: '1.0.1',
    title: 'DCTS/GSP preference not claimed for a developing-country origin (overpayment)',
    family: 'origin-preference',
    dataElements: ['DE 4/17 preference', 'DE 5/15 origin', 'DE 4/3–4/6 tax lines (A00)', 'acceptance date'],
    legalBasis:
      'Goods originating in a GSP (to 2023-06-18) or DCTS (from 2023-06-19) beneficiary country enter at the scheme’s preferential rate — duty-free for least developed countries under DCTS Comprehensive — with a Form A/REX statement (ott-prototype trade_news_dcts.md; roo_schemes_uk.json; DOMAIN.md §3.3 C22)',
    severityLogic: 'reclaim: MEDIUM; HIGH when ≥ £1,000 and fewer than 90 days of the C285 window are left; LOW once the window has closed',
    pricing: 'reclaim = A00 charged (third-country duty assumed with preference 100 when the data has no tax lines) − cheapest 142 preferential duty for the origin, rounded down',
    correctionRoute: 'C285 basis "Preferential rate of duty", with the Form A / REX statement on origin',
    businessRule:
      'An item charged duty without a preference claim whose origin is covered only by GSP/DCTS, with a lower preferential rate for the code on the acceptance date, is flagged as a reclaim provided the goods qualify.',
  },
  true,
);
