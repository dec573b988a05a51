// How much of a declared item a tariff quota covers, from the quota definitions the OTT API
// publishes (order number, period, volume, balance as of a date). Pure. CDS allocates quotas
// after acceptance (first come, first served, pro rata when a day's requests exceed the balance)
// and reports the allocation in its tax calculation; what an importer was allocated is known only
// from that. From a balance snapshot the allocation is determinable only in these cases:
//  * the snapshot is on or after the acceptance date, in the same quota period, and the balance
//    still covers the declared quantity: balances only fall within a period (returns aside, which
//    only raise them), so the whole quantity was available → fully in quota;
//  * the snapshot is of the acceptance date itself and the balance is below the declared quantity:
//    at most the balance → partly in quota (one declared item, two calculated lines).
// Anything else ("exhausted" before the date, a snapshot older than the date, no definition for
// the date) is unknown with the reason: never a guessed split.

export interface HeldQuotaDefinition {
  orderNumber: string;
  validFrom: string;
  validTo: string;
  initialVolume: string;
  balance: string;
  status: string;
  unit: string;
  /** Date the balance was read (the sync's as-of date). */
  asOf: string;
}

export type QuotaAllocation = { status: 'known'; allocatedQuantity: string; definition: HeldQuotaDefinition; reason: string } | { status: 'unknown'; reason: string };

const DECIMAL = /^\d+(\.\d+)?$/;

/** Compares two non-negative decimal strings exactly. */
function compareDecimal(a: string, b: string): number {
  const [ai, af = ''] = a.split('.');
  const [bi, bf = ''] = b.split('.');
  const ia = ai!.replace(/^0+(?=\d)/, '');
  const ib = bi!.replace(/^0+(?=\d)/, '');
  if (ia.length !== ib.length) return ia.length < ib.length ? -1 : 1;
  if (ia !== ib) return ia < ib ? -1 : 1;
  const n = Math.max(af.length, bf.length);
  const fa = af.padEnd(n, '0');
  const fb = bf.padEnd(n, '0');
  return fa === fb ? 0 : fa < fb ? -1 : 1;
}

const trimZeros = (d: string) => (d.includes('.') ? d.replace(/0+$/, '').replace(/\.$/, '') : d);

/** The allocation of `declaredQuantity` (in the quota's unit) from `orderNumber` for an item accepted on `acceptanceDate`. */
export function allocateQuota(definitions: readonly HeldQuotaDefinition[], orderNumber: string, declaredQuantity: string, acceptanceDate: string): QuotaAllocation {
  if (!DECIMAL.test(declaredQuantity)) return { status: 'unknown', reason: `quota ${orderNumber}: declared quantity "${declaredQuantity}" is not a decimal` };
  const own = definitions.filter((d) => d.orderNumber === orderNumber);
  if (own.length === 0) return { status: 'unknown', reason: `quota ${orderNumber}: no quota definition is held (not synced from the OTT API)` };
  const def = own.find((d) => d.validFrom <= acceptanceDate && (d.validTo === '' || acceptanceDate <= d.validTo));
  if (!def)
    return { status: 'unknown', reason: `quota ${orderNumber}: no definition held for a period containing ${acceptanceDate} (held: ${own.map((d) => `${d.validFrom}–${d.validTo}`).join(', ')})` };
  if (!DECIMAL.test(def.balance)) return { status: 'unknown', reason: `quota ${orderNumber} ${def.validFrom}–${def.validTo}: balance not published ("${def.balance}")` };
  const snapshot = `balance ${trimZeros(def.balance)} ${def.unit} of ${trimZeros(def.initialVolume)} as of ${def.asOf}`;
  if (def.asOf < acceptanceDate) return { status: 'unknown', reason: `quota ${orderNumber}: the ${snapshot} predates the acceptance date ${acceptanceDate}; the balance on that day is not known` };
  const covers = compareDecimal(def.balance, declaredQuantity) >= 0;
  if (covers)
    return {
      status: 'known',
      allocatedQuantity: declaredQuantity,
      definition: def,
      reason: `quota ${orderNumber}: ${snapshot} still covers ${declaredQuantity}, so it did on ${acceptanceDate}: fully in quota`,
    };
  if (def.asOf === acceptanceDate)
    return {
      status: 'known',
      allocatedQuantity: trimZeros(def.balance),
      definition: def,
      reason: `quota ${orderNumber}: ${snapshot} (the acceptance date) is below the declared ${declaredQuantity}: ${trimZeros(def.balance)} in quota, the rest at the normal rate`,
    };
  return {
    status: 'unknown',
    reason: `quota ${orderNumber}: the ${snapshot} is below the declared ${declaredQuantity}, but it was read after the acceptance date ${acceptanceDate}; the balance on that day is not known`,
  };
}
