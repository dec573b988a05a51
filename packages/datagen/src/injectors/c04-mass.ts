import type { Injector } from './types';
import { pickItem } from './helpers';

/** C04: net and gross mass swapped on one item (net > gross). */
export const c04: Injector = {
  ruleId: 'C04',
  description: 'net and gross mass swapped on an item',
  inject(draft, ctx) {
    const hit = pickItem(draft, ctx, (i) => i.netMassKg !== i.grossMassKg);
    if (!hit) return undefined;
    const { item } = hit;
    [item.netMassKg, item.grossMassKg] = [item.grossMassKg, item.netMassKg];
    return [{ itemNumber: item.itemNumber, note: `net ${item.netMassKg} kg > gross ${item.grossMassKg} kg` }];
  },
};
