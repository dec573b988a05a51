import type { Injector } from './types';
import { pickItem } from './helpers';

/** C29: related-party (or resale proceeds) indicator set, no royalty/proceeds addition. */
export const c29: Injector = {
  ruleId: 'C29',
  description: 'DE 4/13 flags related parties or proceeds to the seller, no AI/AJ addition',
  wants: { anyProcedure: true },
  inject(draft, ctx) {
    const hit = pickItem(draft, ctx, (i) => i.valuationIndicators === '0000');
    if (!hit) return undefined;
    hit.item.valuationIndicators = ctx.rng.pick(['1000', '0001', '1001']);
    return [{ itemNumber: hit.item.itemNumber, note: `DE 4/13 ${hit.item.valuationIndicators}` }];
  },
};
