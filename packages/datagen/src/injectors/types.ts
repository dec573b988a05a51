import type { Draft, InjectContext } from '../generate';
import type { TruthEntry } from '../types';
import type { Supplier } from '../world';

/** An expected finding: item (0 = header), amounts (default 0) and what was changed. */
export type ExpectedHit = Pick<TruthEntry, 'itemNumber' | 'note'> & Partial<Pick<TruthEntry, 'exposureDutyPence' | 'exposureVatPence' | 'reclaimDutyPence' | 'reclaimVatPence' | 'ruleId'>>;

/**
 * Turns a clean declaration into one that breaks exactly one rule, the way the error happens in
 * practice, and returns every finding that rule must then report (and no other rule may).
 * Returns undefined when the declaration offers nothing to break (it then stays clean).
 */
export interface Injector {
  ruleId: string;
  /** The realistic mistake, in words. */
  description: string;
  inject(draft: Draft, ctx: InjectContext): ExpectedHit[] | undefined;
  /** What the clean declaration must offer for the error to be possible (the generator builds one that does, when the world has it). */
  wants?: {
    supplier?: (s: Supplier) => boolean;
    customsValue?: boolean /** Lodged by a broker (not self-represented). */;
    broker?: boolean /** The error can be made on special-procedure entries too (else they are all 4000). */;
    anyProcedure?: boolean /** Draws on the supplier of a MODELLED trade-remedy or suspension line (src/modelled.ts); other injections never do. */;
    modelled?: 'remedy' | 'suspension';
  };
}
