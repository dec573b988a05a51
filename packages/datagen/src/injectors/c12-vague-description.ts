import type { Injector } from './types';
import { pickItem } from './helpers';

/** C12: the goods description is a generic word copied from a forwarder's manifest. */
export const c12: Injector = {
  ruleId: 'C12',
  description: 'DE 6/8 is a generic word ("parts", "samples", "see invoice", "FAK")',
  wants: { anyProcedure: true },
  inject(draft, ctx) {
    const hit = pickItem(draft, ctx);
    if (!hit) return undefined;
    hit.item.description = ctx.rng.pick(['PARTS', 'Spare parts', 'Samples', 'See invoice', 'FAK', 'Accessories', 'General cargo', 'Goods']);
    return [{ itemNumber: hit.item.itemNumber, note: `description "${hit.item.description}"` }];
  },
};
