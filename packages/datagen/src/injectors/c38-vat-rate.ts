import { taxPence } from '../money';
import type { Injector } from './types';
import { pickItem, TOLERANCE_PENCE } from './helpers';

/** C38: import VAT charged at the reduced 5% rate (VATR keyed) on standard-rated goods. */
export const c38: Injector = {
  ruleId: 'C38',
  description: 'B00 at 5% (national additional code VATR) on goods the tariff rates at 20%',
  inject(draft, ctx) {
    const hit = pickItem(draft, ctx, (i, f) => f.vatPence - taxPence(f.cvPence + f.dutyPence, 50_000n) > BigInt(TOLERANCE_PENCE) && i.taxLines.some((t) => t.taxType === 'B00'));
    if (!hit) return undefined;
    const { item, f } = hit;
    const reduced = taxPence(f.cvPence + f.dutyPence, 50_000n);
    item.additionalCodes = [...item.additionalCodes, 'VATR'];
    for (const t of item.taxLines) if (t.taxType === 'B00') Object.assign(t, { rate: '5.00', payablePence: Number(reduced) });
    const under = f.vatPence - reduced;
    f.vatPence = reduced;
    return [{ itemNumber: item.itemNumber, exposureVatPence: Number(under), note: `B00 5% (VATR) instead of 20%` }];
  },
};
