import { convertToPence } from '../money';
import { priceItem } from '../price';
import type { Injector } from './types';

/** C27: a delivered (DAP/DDP) price declared without deducting the UK inland leg. */
export const c27: Injector = {
  ruleId: 'C27',
  description: 'D-term price declared without the post-arrival transport deduction (DE 4/9 BA) — customs value overstated',
  inject(draft, ctx) {
    const d = draft.declaration;
    d.incoterm = ctx.rng.pick(['DAP', 'DDP', 'DPU']);
    d.deliveryLocation = 'GBMAN';
    d.adjustments = [];
    d.items.forEach((item, i) => {
      const f = draft.facts[i]!;
      item.adjustments = [];
      f.adjustCents = 0n;
      f.cvPence = convertToPence(f.priceCents, f.currency, f.fxRate);
      if (item.customsValuePresent) item.customsValuePence = Number(f.cvPence);
      item.statisticalValuePence = Number(f.cvPence);
      priceItem(item, f);
    });
    if (d.customsValuePresent) d.customsValuePence = draft.facts.reduce((s, f) => s + Number(f.cvPence), 0);
    return d.items.map((item) => ({ itemNumber: item.itemNumber, note: `${d.incoterm} without BA deduction` }));
  },
};
