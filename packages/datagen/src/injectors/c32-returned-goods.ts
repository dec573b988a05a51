import { priceItem } from '../price';
import type { Injector } from './types';
import { mfnDutyPence, pickItem, withoutPreference } from './helpers';

/** C32: returned goods relief claimed without the export declaration or an INF3. */
export const c32: Injector = {
  ruleId: 'C32',
  description: 'returned goods relief (61xx / APC F01) claimed without export evidence',
  wants: { supplier: (s) => s.scheme === '' },
  inject(draft, ctx) {
    const hit = pickItem(draft, ctx, withoutPreference);
    if (!hit) return undefined;
    const { item, f } = hit;
    item.procedureCode = '6110';
    item.additionalProcedureCodes = ['F01'];
    // The relief zero-rates the duty; VAT stays due (import VAT relief needs the same person and unchanged goods).
    f.appliedRate = 0n;
    priceItem(item, f);
    return [{ itemNumber: item.itemNumber, exposureDutyPence: mfnDutyPence(f), note: `RGR 6110 F01 without export MRN/INF3; MFN ${f.mfnExpression} on ${f.cvPence}p` }];
  },
};
