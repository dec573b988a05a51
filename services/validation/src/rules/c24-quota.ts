import { Severity } from '@customs/contracts';
import { QUOTA_PREFERENCES } from './codes';
import type { Rule, RuleHit } from './types';

/** C24 — Quota order number with a preference code that is not a quota code. */
export const c24Quota: Rule = {
  meta: {
    id: 'C24',
    version: '1.0.0',
    title: 'Quota claim inconsistent with the preference code',
    family: 'origin-preference',
    dataElements: ['DE 8/1 quota order number', 'DE 4/17 preference'],
    legalBasis: 'CDS error 12110: a quota order number is not allowed with that DE 4/17 preference (DOMAIN.md §3.3 C24)',
    severityLogic: 'MEDIUM: the quota rate may not have applied',
    pricing: '(out-of-quota rate − in-quota rate) × customs value, once quota rates are loaded',
    correctionRoute: 'C2001 if the in-quota rate was applied wrongly',
    businessRule: 'A quota order number is declared only with a quota preference code (120, 123, 125, 128, 220, 223, 225, 320, 323, 325, 420).',
  },
  evaluate({ declaration }) {
    const hits: RuleHit[] = [];
    for (const item of declaration.items) {
      if (!item.quotaOrderNumber || QUOTA_PREFERENCES.has(item.preference)) continue;
      hits.push({
        itemNumber: item.itemNumber,
        severity: Severity.SEVERITY_MEDIUM,
        evidence: [
          { field: 'DE 8/1 quota order number', value: item.quotaOrderNumber, note: '' },
          { field: 'DE 4/17 preference', value: item.preference || '(blank)', note: 'not a quota preference code' },
        ],
        explanation: `Item ${item.itemNumber} declares quota order ${item.quotaOrderNumber} with preference ${item.preference || '(blank)'}, which is not a quota code.`,
        remediation: 'Confirm whether the quota was drawn; correct DE 4/17 or remove the order number.',
      });
    }
    return hits;
  },
};
