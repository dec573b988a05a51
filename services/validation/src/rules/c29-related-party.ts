import { Severity } from '@customs/contracts';
import { ROYALTY_ADDITIONS } from './codes';
import type { Rule } from './types';

/** C29 — Related-party or resale-proceeds indicators without royalty/proceeds additions. */
export const c29RelatedParty: Rule = {
  meta: {
    id: 'C29',
    version: '1.0.0',
    title: 'Related party or resale proceeds without royalty/proceeds additions',
    family: 'valuation',
    dataElements: ['DE 4/13 valuation indicators', 'DE 4/9 additions and deductions'],
    legalBasis: 'Royalties, licence fees and proceeds of resale accruing to the seller are added to the price (DE 4/9 AI/AJ); related-party values are an HMRC audit focus (Crowe; DOMAIN.md §3.4 C29)',
    severityLogic: 'MEDIUM: the transaction value may be understated',
    pricing: 'royalty amount × duty rate, once the royalty is known (not priced per declaration)',
    correctionRoute: 'C2001 for the duty on undeclared royalties or proceeds',
    businessRule: 'When DE 4/13 flags related parties or proceeds accruing to the seller, royalty/proceeds additions are declared or the absence is documented.',
  },
  evaluate({ declaration }) {
    return declaration.items
      .filter((item) => {
        const flags = item.valuationIndicators;
        if (!/^\d{4}$/.test(flags)) return false;
        // DE 4/13 digits: related parties, restrictions, conditions, proceeds to the seller.
        const risky = flags[0] === '1' || flags[3] === '1';
        return risky && !item.adjustments.some((a) => ROYALTY_ADDITIONS.has(a.code)) && !declaration.adjustments.some((a) => ROYALTY_ADDITIONS.has(a.code));
      })
      .map((item) => ({
        itemNumber: item.itemNumber,
        severity: Severity.SEVERITY_MEDIUM,
        evidence: [
          {
            field: 'DE 4/13 valuation indicators',
            value: item.valuationIndicators,
            note: `${item.valuationIndicators[0] === '1' ? 'related parties' : ''}${item.valuationIndicators[0] === '1' && item.valuationIndicators[3] === '1' ? '; ' : ''}${item.valuationIndicators[3] === '1' ? 'proceeds of resale accrue to the seller' : ''}`,
          },
          { field: 'DE 4/9 additions', value: item.adjustments.map((a) => a.code).join(', ') || '(none)', note: 'no AI/AJ addition' },
        ],
        explanation: `Item ${item.itemNumber} declares valuation indicators ${item.valuationIndicators} but no royalty or proceeds addition.`,
        remediation: 'Review the intercompany and licence agreements; document why the price is not influenced, or disclose the royalties (C2001).',
      }));
  },
};
