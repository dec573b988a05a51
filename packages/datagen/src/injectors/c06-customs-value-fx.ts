import { convertToPence } from '../money';
import { priceItem } from '../price';
import type { Injector } from './types';
import { pickItem, signed } from './helpers';

/** C06: the reported customs value was converted at another month's HMRC rate (e.g. the arrival month's instead of the acceptance month's). */
export const c06: Injector = {
  ruleId: 'C06',
  description: 'customs value converted at the wrong month’s HMRC rate (> 1% off the acceptance month)',
  wants: { customsValue: true, supplier: (s) => s.currency !== 'GBP' },
  inject(draft, ctx) {
    const d = draft.declaration;
    if (!d.customsValuePresent || draft.supplier.currency === 'GBP') return undefined;
    // The month within ±6 whose rate is furthest from the right one, if it is > 2% off.
    const date = d.acceptanceDate;
    let best: { rate: string; diff: number; period: string } | undefined;
    for (let m = -6; m <= 6; m++) {
      if (m === 0) continue;
      const t = new Date(`${date.slice(0, 7)}-15T00:00:00Z`);
      t.setUTCMonth(t.getUTCMonth() + m);
      const fx = ctx.ref.fx(draft.supplier.currency, t.toISOString().slice(0, 10));
      if (!fx) continue;
      const diff = Math.abs(Number(fx.rate) / Number(draft.facts[0]!.fxRate) - 1);
      if (!best || diff > best.diff) best = { rate: fx.rate, diff, period: fx.period };
    }
    if (!best || best.diff < 0.02 || best.diff > 0.5) return undefined;
    const hit = pickItem(draft, ctx, (i, f) => f.cvPence > 20_000n && i.itemPrice!.currency !== 'GBP');
    if (!hit) return undefined;
    const { item, f } = hit;
    const trueDuty = f.dutyPence;
    const trueVat = f.vatPence;
    const trueCv = f.cvPence;
    // CDS charged on the value as reported: recompute the item at the wrong rate.
    f.cvPence = convertToPence(f.priceCents + f.adjustCents, f.currency, best.rate);
    item.customsValuePence = Number(f.cvPence);
    item.statisticalValuePence = Number(f.cvPence);
    priceItem(item, f);
    d.customsValuePence = draft.facts.reduce((s, x) => s + Number(x.cvPence), 0);
    const money = signed(trueDuty - f.dutyPence, trueVat - f.vatPence);
    return [{ itemNumber: item.itemNumber, ...money, note: `CV ${f.cvPence}p at ${best.period} rate ${best.rate} instead of ${trueCv}p at ${f.fxRate}` }];
  },
};
