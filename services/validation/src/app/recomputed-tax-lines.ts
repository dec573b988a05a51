import type { Declaration } from '@customs/contracts';
import { chargeOf, invoiceCustomsValue, percentText, pounds, preferentialDuty, rateFacts, thirdCountryDuty, vatOn, vatRateFor, type Priced } from '../rules/pricing';
import { claimsPreference } from '../rules/codes';
import type { ReferenceView } from '../rules';

/** One tax line as the duty engine recomputes it for a draft declaration (DE 4/3–4/6). */
export interface RecomputedTaxLine {
  itemNumber: number;
  taxType: 'A00' | 'B00';
  /** 'computed' with amounts, or 'unknown' with the reason (never a guessed number). */
  status: 'computed' | 'unknown';
  /** What the tariff assesses, and what is payable once the procedure is applied (IP/TA/warehousing, reliefs and securities assess without charging). */
  assessedPence: number | null;
  payablePence: number | null;
  liability: string;
  explanation: string;
}

/**
 * Customs duty (A00, under the declared preference) and import VAT (B00) of every item, from the
 * same tariff facts the rules were checked against, through the duty engine's arithmetic
 * (rules/pricing.ts → @customs/duty): what the broker's system can compare with what it is about
 * to declare. Pure.
 */
export function recomputedTaxLines(d: Declaration, view: ReferenceView): RecomputedTaxLine[] {
  const out: RecomputedTaxLine[] = [];
  for (const item of d.items) {
    const facts = rateFacts(d, item, view);
    const duty: Priced =
      !facts || !facts.known
        ? { reason: facts?.unknownReason || `no tariff facts for ${item.commodityCode || '(no code)'} on ${d.acceptanceDate}` }
        : claimsPreference(item.preference)
          ? (preferentialDuty(d, item, view, facts) ?? { reason: `no preferential measure for ${item.originCountry} under preference ${item.preference}` })
          : thirdCountryDuty(d, item, view, facts);
    const a00 = chargeOf(item, 'A00');
    const dutyPayable = 'pence' in duty ? (a00.liability === 'payable' ? duty.pence : a00.liability === 'unknown' ? null : 0) : null;
    out.push({
      itemNumber: item.itemNumber,
      taxType: 'A00',
      status: 'pence' in duty ? 'computed' : 'unknown',
      assessedPence: 'pence' in duty ? duty.pence : null,
      payablePence: dutyPayable,
      liability: a00.liability,
      explanation: 'pence' in duty ? `${duty.text}${a00.reason ? `; ${a00.reason}` : ''}` : `unknown: ${duty.reason}`,
    });
    const cv = item.customsValuePresent ? { pence: item.customsValuePence, how: 'customs value declared' } : invoiceCustomsValue(d, item, view);
    const rate = vatRateFor(item, facts);
    const b00 = chargeOf(item, 'B00');
    const why = 'reason' in cv ? `no customs value: ${cv.reason}` : !('pence' in duty) ? 'the duty in the VAT value is unknown' : 'reason' in rate ? rate.reason : undefined;
    if (why || 'reason' in cv || !('rate' in rate) || !('pence' in duty)) {
      out.push({ itemNumber: item.itemNumber, taxType: 'B00', status: 'unknown', assessedPence: null, payablePence: null, liability: b00.liability, explanation: `unknown: ${why}` });
      continue;
    }
    // VAT value = customs value + duty (excise and AV adjustments are not recomputed here).
    const base = cv.pence + duty.pence;
    const vat = vatOn(base, rate);
    out.push({
      itemNumber: item.itemNumber,
      taxType: 'B00',
      status: 'computed',
      assessedPence: vat,
      payablePence: b00.liability === 'payable' ? vat : b00.liability === 'unknown' ? null : 0,
      liability: b00.liability,
      explanation: `${percentText(rate.rate)} (${rate.source}) on ${pounds(base)} (${cv.how} + duty ${pounds(duty.pence)}), rounded down${b00.reason ? `; ${b00.reason}` : ''}`,
    });
  }
  return out;
}
