import type { GoodsItem, TaxLine } from '@customs/contracts';
import { fromScaled, penceToGbp, ratePercent, taxPence } from './money';
import { remedyPence } from './modelled';
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
  // A MODELLED anti-dumping duty (src/modelled.ts), when declared: its own A30 line on the net mass
  // in tonnes (DE 4/4 quantity, unit TNE; DE 4/5 the GBP rate per tonne), rounded down to the penny.
  const remedy = f.remedy?.declared ? remedyPence(f.netGrams, f.remedy.pencePerTonne) : 0n;
  f.remedyPence = remedy;
  // The VAT value is the customs value plus every duty charged (A00 and the remedy line).
  f.vatPence = taxPence(f.cvPence + f.dutyPence + remedy, VAT_RATE);
  const keep = item.taxLines.filter((t) => t.taxType !== 'A00' && t.taxType !== 'B00' && t.taxType !== f.remedy?.taxType);
  const a00: TaxLine = {
    taxType: 'A00',
    baseAmount: penceToGbp(f.cvPence),
    baseUnit: 'GBP',
    rate: ratePercent(f.appliedRate),
    payablePence: Number(f.dutyPence),
    methodOfPayment: 'E',
    traderDeclared: true,
    suspendedPence: 0,
  };
  const remedyLines: TaxLine[] = f.remedy?.declared
    ? [
        {
          taxType: f.remedy.taxType,
          baseAmount: fromScaled(f.netGrams, 6),
          baseUnit: 'TNE',
          rate: fromScaled(f.remedy.pencePerTonne, 2),
          payablePence: Number(remedy),
          methodOfPayment: 'E',
          traderDeclared: true,
          suspendedPence: 0,
        },
      ]
    : [];
  const b00: TaxLine = {
    taxType: 'B00',
    baseAmount: penceToGbp(f.cvPence + f.dutyPence + remedy),
    baseUnit: 'GBP',
    rate: ratePercent(VAT_RATE),
    payablePence: Number(f.vatPence),
    methodOfPayment: 'G',
    traderDeclared: true,
    suspendedPence: 0,
  };
  item.taxLines = [a00, ...remedyLines, b00, ...keep];
  item.vatValuePence = Number(f.cvPence + f.dutyPence + remedy);
  item.vatValuePresent = true;
}
