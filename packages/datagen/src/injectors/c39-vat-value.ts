import { penceToGbp, taxPence } from '../money';
import { VAT_RATE } from '../price';
import type { Injector } from './types';
import { pickItem, TOLERANCE_PENCE } from './helpers';

/** C39: the VAT value left out the customs duty (VAT charged on the customs value alone). */
export const c39: Injector = {
  ruleId: 'C39',
  description: 'VAT value = customs value without the duty (B00 base understated)',
  wants: { customsValue: true },
  inject(draft, ctx) {
    const hit = pickItem(draft, ctx, (i, f) => i.customsValuePresent && f.dutyPence > BigInt(TOLERANCE_PENCE) && i.taxLines.some((t) => t.taxType === 'B00'));
    if (!hit) return undefined;
    const { item, f } = hit;
    const vat = taxPence(f.cvPence, VAT_RATE);
    item.vatValuePence = Number(f.cvPence);
    for (const t of item.taxLines) if (t.taxType === 'B00') Object.assign(t, { baseAmount: penceToGbp(f.cvPence), payablePence: Number(vat) });
    const under = f.vatPence - vat;
    f.vatPence = vat;
    // Each line rounded down: the shortfall is the difference of the two rounded VAT lines.
    return [{ itemNumber: item.itemNumber, exposureVatPence: Number(under), note: `VAT value ${f.cvPence}p omits duty ${f.dutyPence}p` }];
  },
};
