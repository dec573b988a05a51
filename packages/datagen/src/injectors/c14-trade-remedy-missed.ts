import { priceItem } from '../price';
import type { Injector } from './types';
import { pickItem, TOLERANCE_PENCE } from './helpers';
import { remedyPence } from '../modelled';

/**
 * C14: biodiesel consigned from Canada entered with its A00 line only — the broker did not know of
 * the anti-dumping duty (MODELLED measure 552, 144.10 GBP / 1000 kg on A30; src/modelled.ts).
 * Exposure = the A30 line that should have been charged: rate × net mass, rounded down to the penny.
 */
export const c14: Injector = {
  ruleId: 'C14',
  description: 'anti-dumping duty (A30, 144.10 GBP / 1000 kg) not declared on biodiesel consigned from Canada',
  wants: { modelled: 'remedy', supplier: (s) => s.modelled === 'remedy' },
  inject(draft, ctx) {
    const hit = pickItem(draft, ctx, (i, f) => !!f.remedy?.declared && i.procedureCode === '4000' && remedyPence(f.netGrams, f.remedy.pencePerTonne) > BigInt(TOLERANCE_PENCE) + 5n);
    if (!hit) return undefined;
    const { item, f } = hit;
    const due = remedyPence(f.netGrams, f.remedy!.pencePerTonne);
    // The A30 line is dropped; the broker's VAT value is the customs value plus the A00 duty only.
    f.remedy!.declared = false;
    priceItem(item, f);
    // C14 prices the remedy duty; the VAT on it follows on the VAT return (postponed).
    return [
      { itemNumber: item.itemNumber, exposureDutyPence: Number(due), note: `no A30 on ${item.netMassKg} kg net of ${item.commodityCode} from ${item.originCountry}: 144.10 GBP / 1000 kg = ${due}p` },
    ];
  },
};
