import { convertToPence, fromScaled } from '../money';
import { priceItem } from '../price';
import type { Injector } from './types';
import { pickItem, withoutPreference } from './helpers';

/** C07: free-of-charge goods (samples, replacements) entered at a nominal value of 1 currency unit or less. */
export const c07: Injector = {
  ruleId: 'C07',
  description: 'goods invoiced "no charge" and declared at zero or a nominal value (≤ £1 on ≥ 150 kg) under 4000 with no relief',
  // Delivered-to-border terms only: with DE 4/9 freight or deductions the value is not nominal.
  wants: { supplier: (s) => s.scheme === '' && s.incoterms.every((t) => ['CIF', 'CIP', 'CPT'].includes(t)) },
  inject(draft, ctx) {
    const d = draft.declaration;
    // Zero, or a nominal ≤ £1 on 100 kg or more (under 1p/kg: implausible for chargeable goods).
    const hit = pickItem(draft, ctx, (i, f) => withoutPreference(i, f) && Number(i.netMassKg) >= 150);
    if (!hit) return undefined;
    const { item, f } = hit;
    if (item.adjustments.length || d.adjustments.length) return undefined;
    const nominal = BigInt(ctx.rng.pick([0, 0, 1, 10, 50, 100]));
    const cv = convertToPence(nominal, f.currency, f.fxRate);
    if (cv > 100n) return undefined;
    // The "no charge" invoice shows the nominal price; its total follows.
    const others = draft.facts.reduce((s, x) => s + x.priceCents, 0n) - f.priceCents;
    f.priceCents = nominal;
    item.itemPrice = { value: fromScaled(nominal, 2), currency: f.currency };
    d.invoiceAmount = { value: fromScaled(others + nominal, 2), currency: f.currency };
    f.cvPence = cv;
    if (item.customsValuePresent) item.customsValuePence = Number(cv);
    item.statisticalValuePence = Number(cv);
    priceItem(item, f);
    if (d.customsValuePresent) d.customsValuePence = draft.facts.reduce((s, x) => s + Number(x.cvPence), 0);
    return [{ itemNumber: item.itemNumber, note: `nominal price ${fromScaled(nominal, 2)} ${f.currency} (CV ${cv}p)` }];
  },
};
