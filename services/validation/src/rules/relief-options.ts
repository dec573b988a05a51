// The lower rates an item could have had without a preference claim (suspensions) or with one
// (preferential measures), shared by C15, C21, C22 and C35 so that each overpayment is attributed
// to exactly one rule: an unconditional suspension wins when it is at least as low as the
// preference, since it needs no proof of origin.
import type { Declaration, GoodsItem } from '@customs/contracts';
import { type PricedDuty, cheapestDuty, preferentialDuty } from './pricing';
import type { RateFacts, ReferenceView } from './types';

/** End-use authorisation on the declaration: DE 3/39 type EUS, or N990/C990 in DE 2/3. */
export function endUseAuthorised(d: Declaration, item: GoodsItem): boolean {
  return d.authorisations.some((a) => a.type === 'EUS') || [...d.documents, ...item.documents].some((doc) => doc.code === 'N990' || doc.code === 'C990');
}

export interface ReliefOptions {
  /** Cheapest suspension the importer could have used: 112 always, 115/117/119 only with an end-use authorisation. */
  suspension?: PricedDuty;
  /** Cheapest non-quota preferential (142) duty for the origin. */
  preference?: PricedDuty;
}

export function reliefOptions(d: Declaration, item: GoodsItem, reference: ReferenceView, facts: RateFacts): ReliefOptions {
  const authorised = endUseAuthorised(d, item);
  const usable = facts.suspensions.filter((m) => m.measureType === '112' || (authorised && ['115', '117', '119'].includes(m.measureType)));
  const s = usable.length ? cheapestDuty(d, item, reference, usable) : undefined;
  const p = preferentialDuty(d, item, reference, facts, false);
  return { suspension: s && 'pence' in s ? s : undefined, preference: p && 'pence' in p ? p : undefined };
}
