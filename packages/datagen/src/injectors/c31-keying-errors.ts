import { convertToPence, fromScaled } from '../money';
import { priceItem } from '../price';
import type { Injector } from './types';
import { pickItem, signed } from './helpers';

/** C31: one item price keyed with the decimal point shifted (×10 or ÷10/÷100); the invoice total is right, so the value (and duty) follow the slip. */
export const c31: Injector = {
  ruleId: 'C31',
  description: 'item price (DE 4/14) keyed ×10 or ÷10/÷100 — the invoice total shows the right figure — or its currency keyed as another',
  inject(draft, ctx) {
    const d = draft.declaration;
    if (ctx.rng.chance(0.25)) return currencyMismatch(draft, ctx);
    const slip = ctx.rng.pick([10n, -10n, -100n]);
    // A ÷ slip must leave whole cents (the keyed figure is a real price with the point moved).
    const hit = pickItem(draft, ctx, (i, f) => (slip > 0n || f.priceCents % -slip === 0n) && f.cvPence > 50_000n && i.adjustments.every((a) => a.code.startsWith('A')) && !d.adjustments.length);
    if (!hit) return undefined;
    const { item, f } = hit;
    const keyed = slip > 0n ? f.priceCents * slip : f.priceCents / -slip;
    const trueDuty = f.dutyPence;
    const trueVat = f.vatPence;
    f.priceCents = keyed;
    item.itemPrice = { value: fromScaled(keyed, 2), currency: f.currency };
    f.cvPence = convertToPence(keyed + f.adjustCents, f.currency, f.fxRate);
    if (f.cvPence <= 100n) return undefined;
    if (item.customsValuePresent) item.customsValuePence = Number(f.cvPence);
    item.statisticalValuePence = Number(f.cvPence);
    priceItem(item, f);
    if (d.customsValuePresent) d.customsValuePence = draft.facts.reduce((s, x) => s + Number(x.cvPence), 0);
    const money = signed(trueDuty - f.dutyPence, trueVat - f.vatPence);
    return [
      { itemNumber: item.itemNumber, ...money, note: `price keyed ${item.itemPrice.value} (${slip > 0n ? '×' : '÷'}${slip > 0n ? slip : -slip})` },
      // The items no longer add up to the invoice total.
      { itemNumber: 0, ruleId: 'C05', note: 'Σ item prices ≠ invoice total after the slip' },
    ];
  },
};

/** The item's currency keyed as another (USD as EUR, or the reverse): CDS converted it at that rate. */
function currencyMismatch(draft: Parameters<Injector['inject']>[0], ctx: Parameters<Injector['inject']>[1]): ReturnType<Injector['inject']> {
  const d = draft.declaration;
  const hit = pickItem(draft, ctx, (i, f) => f.currency !== 'GBP' && i.adjustments.length === 0 && !d.adjustments.length && i.procedureCode === '4000');
  if (!hit) return undefined;
  const { item, f } = hit;
  const keyed = f.currency === 'EUR' ? 'USD' : 'EUR';
  const fx = ctx.ref.fx(keyed, d.acceptanceDate);
  if (!fx) return undefined;
  item.itemPrice = { value: item.itemPrice!.value, currency: keyed };
  f.currency = keyed;
  f.fxRate = fx.rate;
  f.cvPence = convertToPence(f.priceCents + f.adjustCents, keyed, fx.rate);
  if (item.customsValuePresent) item.customsValuePence = Number(f.cvPence);
  item.statisticalValuePence = Number(f.cvPence);
  priceItem(item, f);
  if (d.customsValuePresent) d.customsValuePence = draft.facts.reduce((s, x) => s + Number(x.cvPence), 0);
  // Currency mismatches are not priced by C31 (which currency is right needs the invoice).
  return [{ itemNumber: item.itemNumber, note: `${draft.supplier.currency} keyed as ${keyed}` }];
}
