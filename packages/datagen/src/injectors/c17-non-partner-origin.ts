import { priceItem } from '../price';
import type { Injector } from './types';
import { mfnDutyPence, pickItem, withoutPreference } from './helpers';

/** C17: preference claimed for goods of a non-partner origin (e.g. Chinese goods claimed as "300" on a supplier's origin declaration). */
export const c17: Injector = {
  ruleId: 'C17',
  description: 'preference 300 claimed (with proof and DE 5/16) for an origin no UK scheme covers',
  wants: { supplier: (s) => s.scheme === '' },
  inject(draft, ctx) {
    const hit = pickItem(draft, ctx, withoutPreference);
    if (!hit) return undefined;
    const { item, f } = hit;
    item.preference = '300';
    item.preferentialOrigin = item.originCountry;
    item.documents.push({ code: 'N864', reference: `OD-${ctx.rng.chars(7)}`, status: 'AE', reason: '' });
    f.appliedRate = 0n;
    priceItem(item, f);
    return [{ itemNumber: item.itemNumber, exposureDutyPence: mfnDutyPence(f), note: `300 claimed for ${item.originCountry}; MFN ${f.mfnExpression} on ${f.cvPence}p` }];
  },
};
