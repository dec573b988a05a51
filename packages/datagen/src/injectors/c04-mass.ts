import type { Injector } from './types';
import { pickItem } from './helpers';

/** C04: net and gross mass swapped on one item (net > gross). */
export const c04: Injector = {
  ruleId: 'C04',
  description: 'net and gross mass swapped on an item, or net mass keyed as 0',
  wants: { anyProcedure: true },
  inject(draft, ctx) {
    const hit = pickItem(draft, ctx, (i) => i.netMassKg !== i.grossMassKg);
    if (!hit) return undefined;
    const { item } = hit;
    if (ctx.rng.chance(0.3)) {
      // Net mass keyed as 0 on priced goods.
      item.netMassKg = '0';
      return [{ itemNumber: item.itemNumber, note: 'net mass 0' }];
    }
    [item.netMassKg, item.grossMassKg] = [item.grossMassKg, item.netMassKg];
    return [{ itemNumber: item.itemNumber, note: `net ${item.netMassKg} kg > gross ${item.grossMassKg} kg` }];
  },
};
