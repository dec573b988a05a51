import type { Injector } from './types';
import { pickItem, withoutPreference } from './helpers';

/** C33: goods entered to a special procedure with no authorisation cited. */
export const c33: Injector = {
  ruleId: 'C33',
  description: 'inward processing / temporary admission / customs warehousing declared without the authorisation',
  wants: { supplier: (s) => s.scheme === '' },
  inject(draft, ctx) {
    const hit = pickItem(draft, ctx, withoutPreference);
    if (!hit) return undefined;
    const { item, f } = hit;
    const proc = ctx.rng.pick(['5100', '5300', '7100']);
    item.procedureCode = proc;
    item.additionalProcedureCodes = ['000'];
    // Duty and VAT are suspended under the procedure: no A00/B00 amounts.
    item.taxLines = [];
    item.vatValuePresent = false;
    item.vatValuePence = 0;
    f.appliedRate = 0n;
    f.dutyPence = 0n;
    f.vatPence = 0n;
    return [{ itemNumber: item.itemNumber, note: `procedure ${proc} without authorisation` }];
  },
};
