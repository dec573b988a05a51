import { priceItem } from '../price';
import type { Injector } from './types';
import { dropPreference, pickItem, TOLERANCE_PENCE } from './helpers';
import { taxPence } from '../money';

/** Missed preference: a partner-origin item entered at the MFN rate without a claim (proof never requested). */
export function missedPreference(ruleId: 'C21' | 'C22', developing: boolean): Injector {
  return {
    ruleId,
    description: developing ? 'GSP/DCTS-origin goods entered at MFN (preference 100) though the scheme gives 0%' : 'FTA-origin goods entered at MFN (preference 100) though the agreement gives 0%',
    wants: { supplier: (s) => s.scheme !== '' && /^(gsp|dcts)/.test(s.scheme) === developing },
    inject(draft, ctx) {
      const hit = pickItem(draft, ctx, (i, f) => f.partnerOrigin && /^(gsp|dcts)/.test(f.preferenceScheme) === developing && taxPence(f.cvPence, f.mfnRate) > BigInt(TOLERANCE_PENCE));
      if (!hit) return undefined;
      const { item, f } = hit;
      dropPreference(item);
      f.appliedRate = f.mfnRate;
      priceItem(item, f);
      // Reclaim: the MFN duty charged less the 0% preferential duty (duty only: VAT is recovered on the VAT return).
      return [{ itemNumber: item.itemNumber, reclaimDutyPence: Number(f.dutyPence), note: `${item.originCountry} goods at MFN ${f.mfnExpression} without claim` }];
    },
  };
}

export const c21 = missedPreference('C21', false);
