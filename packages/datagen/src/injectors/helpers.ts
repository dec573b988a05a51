import type { GoodsItem } from '@customs/contracts';
import type { Draft, InjectContext } from '../generate';
import { taxPence } from '../money';
import { VAT_RATE } from '../price';
import type { ItemFacts } from '../types';

/** A random item (with its facts) satisfying `ok`, or undefined. */
export function pickItem(draft: Draft, ctx: InjectContext, ok: (item: GoodsItem, f: ItemFacts) => boolean = () => true): { item: GoodsItem; f: ItemFacts } | undefined {
  const candidates = draft.declaration.items.map((item, i) => ({ item, f: draft.facts[i]! })).filter((c) => ok(c.item, c.f));
  return candidates.length ? ctx.rng.pick(candidates) : undefined;
}

/** Third-country duty on the item's customs value, rounded down to the penny. */
export function mfnDutyPence(f: ItemFacts): number {
  return Number(taxPence(f.cvPence, f.mfnRate));
}

/** Makes an item a plain MFN entry (preference 100, no proof, no DE 5/16) — for relief injectors. */
export function dropPreference(item: GoodsItem): void {
  item.preference = '100';
  item.preferentialOrigin = '';
  item.documents = item.documents.filter((d) => !/^(U1[01]\d|U16\d|U17[01]|N954|U045|N864|N865)$/.test(d.code));
}

/** A plain 4000 item without preference (relief and repricing injectors start from one). */
export const withoutPreference = (item: GoodsItem, f: ItemFacts) => !f.partnerOrigin && item.preference === '100' && item.procedureCode === '4000';

/** Expected (true) duty and VAT of an item on a customs value at a rate: each line rounded down. */
export function linesOn(cvPence: bigint, rate: bigint): { duty: bigint; vat: bigint } {
  const duty = taxPence(cvPence, rate);
  return { duty, vat: taxPence(cvPence + duty, VAT_RATE) };
}

/** Signed differences (true − charged) as exposure (positive) or reclaim (negative) fields. */
export function signed(dutyDelta: bigint, vatDelta: bigint): { exposureDutyPence: number; exposureVatPence: number; reclaimDutyPence: number; reclaimVatPence: number } {
  const total = dutyDelta + vatDelta;
  const pos = (x: bigint) => Number(x > 0n ? x : 0n);
  if (total > 0n) return { exposureDutyPence: pos(dutyDelta), exposureVatPence: pos(vatDelta), reclaimDutyPence: 0, reclaimVatPence: 0 };
  if (total < 0n) return { exposureDutyPence: 0, exposureVatPence: 0, reclaimDutyPence: pos(-dutyDelta), reclaimVatPence: pos(-vatDelta) };
  return { exposureDutyPence: 0, exposureVatPence: 0, reclaimDutyPence: 0, reclaimVatPence: 0 };
}

/** Rule tolerance below which duty/VAT differences are not reported (validation rules use £1). */
export const TOLERANCE_PENCE = 100;
