import type { Injector } from './types';
import { pickItem } from './helpers';

/** C13: a supplementary quantity declared on a code whose tariff line has no supplementary unit (quantity copied from the packing list). */
export const c13: Injector = {
  ruleId: 'C13',
  description: 'DE 6/2 supplementary units declared on a code without a measure-109 unit',
  wants: { anyProcedure: true },
  inject(draft, ctx) {
    const hit = pickItem(draft, ctx, (i) => !i.supplementaryUnits);
    if (!hit) return undefined;
    hit.item.supplementaryUnits = String(ctx.rng.int(2, 2000));
    return [{ itemNumber: hit.item.itemNumber, note: `DE 6/2 ${hit.item.supplementaryUnits}` }];
  },
};
