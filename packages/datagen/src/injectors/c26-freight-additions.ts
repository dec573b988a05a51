import { convertToPence } from '../money';
import { priceItem } from '../price';
import type { Injector } from './types';

/** C26: goods bought FOB/FCA/EXW declared at the invoice price, the freight to the UK never added. */
export const c26: Injector = {
  ruleId: 'C26',
  description: 'E/F Incoterm without the freight/insurance addition (DE 4/9 AP) — customs value understated',
  inject(draft, ctx) {
    const d = draft.declaration;
    if (!['FOB', 'FCA', 'EXW', 'FAS'].includes(d.incoterm)) {
      d.incoterm = ctx.rng.pick(['FOB', 'FCA', 'EXW']);
      d.deliveryLocation = draft.supplier.port;
    }
    d.adjustments = [];
    d.items.forEach((item, i) => {
      const f = draft.facts[i]!;
      item.adjustments = [];
      f.adjustCents = 0n;
      // The broker declared the bare price: CV, duty and VAT all computed on it.
      f.cvPence = convertToPence(f.priceCents, f.currency, f.fxRate);
      if (item.customsValuePresent) item.customsValuePence = Number(f.cvPence);
      item.statisticalValuePence = Number(f.cvPence);
      priceItem(item, f);
    });
    if (d.customsValuePresent) d.customsValuePence = draft.facts.reduce((s, f) => s + Number(f.cvPence), 0);
    // Not priced per declaration (the freight estimate needs the importer's history): amounts 0.
    return d.items.map((item) => ({ itemNumber: item.itemNumber, note: `${d.incoterm} without AP addition${item.customsValuePresent ? ' (customs value reported)' : ''}` }));
  },
};
