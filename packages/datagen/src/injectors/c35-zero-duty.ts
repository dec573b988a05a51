import { priceItem } from '../price';
import type { Injector } from './types';
import { mfnDutyPence, pickItem, TOLERANCE_PENCE, withoutPreference } from './helpers';

/** C35: duty keyed as 0 on a 4000 entry without any preference, suspension or relief code. */
export const c35: Injector = {
  ruleId: 'C35',
  description: 'A00 charged £0 under 4000/000 with preference 100 on a dutiable code',
  wants: { supplier: (s) => s.scheme === '' },
  inject(draft, ctx) {
    const hit = pickItem(draft, ctx, (i, f) => withoutPreference(i, f) && mfnDutyPence(f) > TOLERANCE_PENCE);
    if (!hit) return undefined;
    const { item, f } = hit;
    f.appliedRate = 0n;
    priceItem(item, f);
    // C35 prices the duty (MFN − charged); the VAT on it follows on the VAT return.
    return [{ itemNumber: item.itemNumber, exposureDutyPence: mfnDutyPence(f), note: `A00 0 instead of MFN ${f.mfnExpression} on ${f.cvPence}p` }];
  },
};
