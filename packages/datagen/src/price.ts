import type { GoodsItem, TaxLine } from '@customs/contracts';
import { penceToGbp, ratePercent, taxPence } from './money';
import type { ItemFacts } from './types';

/** 20% (×10^6): every generated code is in a standard-rated chapter. */
export const VAT_RATE = 200_000n;

/**
 * Recomputes an item's A00/B00 lines from its facts (customs value, applied rate) and writes them.
 * The amounts are stated on the entry (DE 4/6, trader_declared), as the DMS parser reads the
 * generated XML's PaymentAmount: a generated declaration carries what was charged, never "left to CDS".
 */
export function priceItem(item: GoodsItem, f: ItemFacts): void {
  f.dutyPence = taxPence(f.cvPence, f.appliedRate);
  f.vatPence = taxPence(f.cvPence + f.dutyPence, VAT_RATE);
  const keep = item.taxLines.filter((t) => t.taxType !== 'A00' && t.taxType !== 'B00');
  const a00: TaxLine = { taxType: 'A00', baseAmount: penceToGbp(f.cvPence), baseUnit: 'GBP', rate: ratePercent(f.appliedRate), payablePence: Number(f.dutyPence), methodOfPayment: 'E', traderDeclared: true, suspendedPence: 0 };
  const b00: TaxLine = { taxType: 'B00', baseAmount: penceToGbp(f.cvPence + f.dutyPence), baseUnit: 'GBP', rate: ratePercent(VAT_RATE), payablePence: Number(f.vatPence), methodOfPayment: 'G', traderDeclared: true, suspendedPence: 0 };
  item.taxLines = [a00, b00, ...keep];
  item.vatValuePence = Number(f.cvPence + f.dutyPence);
  item.vatValuePresent = true;
}

