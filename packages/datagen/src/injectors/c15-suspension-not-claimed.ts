import { priceItem } from '../price';
import type { Injector } from './types';
import { pickItem, TOLERANCE_PENCE } from './helpers';
import { taxPence } from '../money';
import { SUSPENSION_PREFERENCE, modelledSuspensionRate } from '../modelled';

/**
 * C15: LPG engine systems entered with preference 100 and A00 at the 4.0% third-country rate,
 * although the (MODELLED, src/modelled.ts) autonomous suspension 112 at 0.00% applied to them.
 * Reclaim = A00 paid − duty at the suspended rate, each rounded down to the penny.
 */
export const c15: Injector = {
  ruleId: 'C15',
  description: 'autonomous suspension (112, 0.00%) not claimed: A00 paid at the third-country rate with preference 100',
  wants: { modelled: 'suspension', supplier: (s) => s.modelled === 'suspension' },
  inject(draft, ctx) {
    const hit = pickItem(draft, ctx, (i, f) => {
      const suspended = modelledSuspensionRate(i.commodityCode);
      return (
        i.preference === SUSPENSION_PREFERENCE &&
        i.procedureCode === '4000' &&
        suspended !== undefined &&
        taxPence(f.cvPence, f.mfnRate) - taxPence(f.cvPence, suspended) > BigInt(TOLERANCE_PENCE) + 5n
      );
    });
    if (!hit) return undefined;
    const { item, f } = hit;
    const suspendedDuty = taxPence(f.cvPence, modelledSuspensionRate(item.commodityCode)!);
    item.preference = '100';
    f.appliedRate = f.mfnRate;
    priceItem(item, f);
    // Duty only: the VAT on the overpaid duty is recovered on the VAT return.
    return [
      {
        itemNumber: item.itemNumber,
        reclaimDutyPence: Number(f.dutyPence - suspendedDuty),
        note: `A00 ${f.dutyPence}p at MFN ${f.mfnExpression} on ${f.cvPence}p; suspension 112 0.00% gives ${suspendedDuty}p`,
      },
    ];
  },
};
