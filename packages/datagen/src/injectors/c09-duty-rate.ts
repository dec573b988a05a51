import { priceItem } from '../price';
import type { Injector } from './types';
import { pickItem, signed, TOLERANCE_PENCE, withoutPreference } from './helpers';
import { taxPence } from '../money';

/** C09: the broker charged the old EU CET rate instead of the UK Global Tariff rate (a common post-2021 error). */
export const c09: Injector = {
  ruleId: 'C09',
  description: 'A00 charged at the EU CET rate the UKGT replaced (e.g. 3.7% on a "liberalised" 0% line)',
  wants: { supplier: (s) => s.scheme === '' },
  inject(draft, ctx) {
    const d = draft.declaration;
    const products = ctx.world.productByCode;
    const hit = pickItem(draft, ctx, (i, f) => {
      const p = products.get(i.commodityCode);
      if (!withoutPreference(i, f) || !p?.cetRate || p.cetRate === f.mfnRate) return false;
      const delta = taxPence(f.cvPence, p.cetRate) - taxPence(f.cvPence, f.mfnRate);
      return (delta < 0n ? -delta : delta) > BigInt(TOLERANCE_PENCE) + 5n;
    });
    if (!hit) return undefined;
    const { item, f } = hit;
    const p = products.get(item.commodityCode)!;
    const trueDuty = f.dutyPence;
    f.appliedRate = p.cetRate!;
    priceItem(item, f);
    // C09 prices the duty difference only (its VAT effect is C39's / the VAT return's).
    const money = signed(trueDuty - f.dutyPence, 0n);
    return [{ itemNumber: item.itemNumber, ...money, note: `A00 at CET ${p.cetRate} instead of UKGT ${f.mfnExpression} on ${d.acceptanceDate}` }];
  },
};
