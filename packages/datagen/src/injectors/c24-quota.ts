import type { Injector } from './types';
import { pickItem } from './helpers';

/** C24: a quota order number copied onto an item whose preference is not a quota code. */
export const c24: Injector = {
  ruleId: 'C24',
  description: 'quota order number (DE 8/1) declared with a non-quota preference code',
  wants: { anyProcedure: true },
  inject(draft, ctx) {
    const hit = pickItem(draft, ctx, (i) => !i.quotaOrderNumber);
    if (!hit) return undefined;
    hit.item.quotaOrderNumber = `05${ctx.rng.chars(4)}`;
    return [{ itemNumber: hit.item.itemNumber, note: `quota ${hit.item.quotaOrderNumber} with preference ${hit.item.preference}` }];
  },
};
