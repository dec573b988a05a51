import { applyRate, percentRate, pounds } from './money';
import type { LineRef } from './types';

// Pricing shared by the history checks: what a line would have paid at another declared rate.

export interface Priced {
  exposureDutyPence: number;
  exposureVatPence: number;
  reclaimDutyPence: number;
  reclaimVatPence: number;
  /** How the amounts were computed, or why they could not be. */
  text: string;
  known: boolean;
}

export const UNPRICED = (why: string): Priced => ({ exposureDutyPence: 0, exposureVatPence: 0, reclaimDutyPence: 0, reclaimVatPence: 0, text: `not priced: ${why}`, known: false });

/**
 * The difference between the A00 duty of a line at the rate it declared and at another rate
 * (`rateOther`, as declared on the history's lines), with its import VAT effect (the VAT value is
 * customs value + duty). Positive = underpaid (exposure), negative = overpaid (reclaim). Each
 * amount rounded down to the penny, as CDS does. Unknown (never guessed) when a rate or the
 * customs value is missing.
 */
export function priceRateDifference(
  line: Pick<LineRef, 'cv' | 'a00Rate' | 'vatRate' | 'preference'>,
  rateOther: string,
  otherLabel: string,
  vatRegistered: boolean,
  opts: { preferentialLineUnpriced?: boolean } = {},
): Priced {
  if (opts.preferentialLineUnpriced && /^[23]\d\d$/.test(line.preference)) return UNPRICED(`the line claims preference ${line.preference}: the other code's preferential rate is not in the history`);
  if (line.cv === null) return UNPRICED('the line has no customs value');
  const declared = percentRate(line.a00Rate);
  const other = percentRate(rateOther);
  if (declared === undefined) return UNPRICED('the line declares no A00 rate');
  if (other === undefined) return UNPRICED(`no A00 rate is declared on the history's lines under ${otherLabel}`);
  const dutyDeclared = applyRate(line.cv, declared);
  const dutyOther = applyRate(line.cv, other);
  const dDuty = dutyOther - dutyDeclared;
  const vatRate = percentRate(line.vatRate);
  const dVat = vatRate === undefined ? 0 : applyRate(line.cv + dutyOther, vatRate) - applyRate(line.cv + dutyDeclared, vatRate);
  const vatNote =
    vatRate === undefined
      ? 'VAT effect not priced (no B00 rate)'
      : `VAT ${line.vatRate}% on (CV + duty): ${pounds(dVat)}${vatRegistered ? ' (recoverable input tax for a VAT-registered importer: adjust on the VAT return, not by C285)' : ''}`;
  const text = `CV ${pounds(line.cv)} × ${rateOther}% (${otherLabel}) = ${pounds(dutyOther)} against × ${line.a00Rate}% declared = ${pounds(dutyDeclared)}: duty ${pounds(dDuty)}; ${vatNote}`;
  if (dDuty >= 0) return { exposureDutyPence: dDuty, exposureVatPence: Math.max(0, dVat), reclaimDutyPence: 0, reclaimVatPence: 0, text, known: true };
  // An overpayment is the importer's to reclaim; its VAT part only when not VAT-registered (DOMAIN §3.0).
  return { exposureDutyPence: 0, exposureVatPence: 0, reclaimDutyPence: -dDuty, reclaimVatPence: vatRegistered ? 0 : Math.max(0, -dVat), text, known: true };
}
