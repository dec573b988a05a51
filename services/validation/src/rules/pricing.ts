import type { Declaration, GoodsItem } from '@customs/contracts';
import type { ReferenceView } from './types';

// Interim pricing inside validation: customs value and simple ad valorem duty only. Compound,
// specific and preferential rates need the duty engine of the reference service; until that
// lands, anything else is reported as "not priced" rather than guessed.

/** Exact decimal string → integer number of 1/10^scale units (no floats). */
function scaled(value: string, scale: number): bigint | undefined {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(value.trim());
  if (!m) return undefined;
  const frac = (m[2] ?? '').padEnd(scale, '0').slice(0, scale);
  return BigInt(m[1]!) * 10n ** BigInt(scale) + BigInt(frac || '0');
}

/** Customs value of an item in pence: reported value, or GBP item price, or item price / HMRC rate. */
export function customsValuePence(d: Declaration, item: GoodsItem, reference: ReferenceView): { pence: number; how: string } | undefined {
  if (item.customsValuePresent) return { pence: item.customsValuePence, how: 'customs value as reported' };
  const price = item.itemPrice;
  if (!price?.value) return undefined;
  const amount = scaled(price.value, 2);
  if (amount === undefined) return undefined;
  const currency = (price.currency || 'GBP').toUpperCase();
  if (currency === 'GBP') return { pence: Number(amount), how: `item price £${price.value}` };
  const fx = reference.fx(currency, d.acceptanceDate);
  if (!fx?.known) return undefined;
  const rate = scaled(fx.unitsPerGbp, 6);
  if (!rate || rate === 0n) return undefined;
  // pence = amount(1/100 units) / (units per £) → floor, as CDS truncates.
  return { pence: Number((amount * 1_000_000n) / rate), how: `item price ${price.value} ${currency} at HMRC rate ${fx.unitsPerGbp} per £ (${fx.period})` };
}

/** Ad valorem rate in basis points ×100 (1% = 10000) from "12.00%" or "2.0%"; else undefined. */
export function adValoremRate(expression: string): bigint | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(expression);
  return m ? scaled(m[1]!, 4) : undefined;
}

/** Duty in pence at an ad valorem rate, rounded down to the penny as CDS does. */
export function adValoremDutyPence(customsValuePence: number, rate: bigint): number {
  return Number((BigInt(customsValuePence) * rate) / 1_000_000n);
}

/** Duty declared/paid on an item's A00 lines in pence, or undefined when no amount is known. */
export function dutyPaidPence(item: GoodsItem): number | undefined {
  const lines = item.taxLines.filter((t) => t.taxType === 'A00' && (t.traderDeclared || t.payablePence > 0));
  return lines.length ? lines.reduce((s, t) => s + t.payablePence, 0) : undefined;
}

export function pounds(pence: number): string {
  const sign = pence < 0 ? '-' : '';
  const p = Math.abs(pence);
  return `${sign}£${Math.floor(p / 100).toLocaleString('en-GB')}.${String(p % 100).padStart(2, '0')}`;
}

/** Third-country duty of an item on its customs value, or the reason it cannot be priced yet. */
export function mfnDuty(d: Declaration, item: GoodsItem, reference: ReferenceView): { pence: number; text: string; rate: string; cvPence: number } | { reason: string } {
  const code = item.commodityCode.length === 8 ? `${item.commodityCode}00` : item.commodityCode;
  const fact = /^\d{10}$/.test(code) ? reference.commodity(code, d.acceptanceDate) : undefined;
  const cv = customsValuePence(d, item, reference);
  if (!cv) return { reason: 'the customs value cannot be established from the data' };
  if (!fact?.thirdCountryDuty) return { reason: 'the third-country duty for this code is unknown in the loaded tariff' };
  const rate = adValoremRate(fact.thirdCountryDuty);
  if (rate === undefined) return { reason: `the third-country duty "${fact.thirdCountryDuty}" is not a simple ad valorem rate` };
  const pence = adValoremDutyPence(cv.pence, rate);
  return { pence, rate: fact.thirdCountryDuty, cvPence: cv.pence, text: `third-country duty ${fact.thirdCountryDuty} of ${pounds(cv.pence)} (${cv.how}) = ${pounds(pence)}, rounded down to the penny (tariff ${fact.datasetVersion})` };
}

/** The reference lookups mfnDuty needs for an item. */
export function mfnNeeds(d: Declaration, item: GoodsItem): { commodities: { code: string; date: string }[]; fx: { currency: string; date: string }[] } {
  if (!/^\d{8}(\d{2})?$/.test(item.commodityCode)) return { commodities: [], fx: [] };
  const code = item.commodityCode.length === 8 ? `${item.commodityCode}00` : item.commodityCode;
  const currency = item.itemPrice?.currency?.toUpperCase();
  return { commodities: [{ code, date: d.acceptanceDate }], fx: currency && currency !== 'GBP' ? [{ currency, date: d.acceptanceDate }] : [] };
}
