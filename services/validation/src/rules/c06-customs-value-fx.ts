import type { Evidence } from '@customs/contracts';
import { fromTraderReports } from './codes';
import { invoiceCustomsValue, pounds, rateNeeds, signedMoney, valueChangeEffect } from './pricing';
import type { Rule, RuleHit } from './types';

/** Declared/recomputed ratio within 1 % of a power of ten (10^±1..3): a decimal slip, left to C31. */
export function decimalSlip(declared: number, calculated: number): number | undefined {
  if (declared <= 0 || calculated <= 0) return undefined;
  for (const k of [1, 2, 3]) {
    const f = 10 ** k;
    // |declared − calculated × f| ≤ 1 % of it, and the mirror case; integers only (pence).
    if (Math.abs(declared - calculated * f) * 100 <= calculated * f) return k;
    if (Math.abs(declared * f - calculated) * 100 <= calculated) return -k;
  }
  return undefined;
}

/** C06 — Customs value does not match the invoice price at the HMRC rate. */
export const c06CustomsValueFx: Rule = {
  meta: {
    id: 'C06',
    version: '1.2.0',
    title: 'Customs value does not match the invoice at the HMRC exchange rate',
    family: 'data-integrity',
    dataElements: ['customs value', 'DE 4/14 item price and currency', 'DE 4/9 additions and deductions', 'DE 4/15 exchange rate', 'acceptance date'],
    legalBasis:
      'Customs value = (price + additions − deductions) converted at the HMRC rate for the month of acceptance, unless a contract rate is declared in DE 4/15 (INCHP14100; CDS error 12109; DOMAIN.md §3.0, §3.1 C06)',
    severityLogic: 'understated value: HIGH, CRITICAL from £10,000 of duty and VAT; overstated: reclaim, MEDIUM (HIGH ≥ £1,000 with < 90 days of the C285 window left, LOW once closed)',
    pricing:
      'Δduty = A00 recomputed on CV_calc (declared DE 4/5 rate, else the tariff measure for the preference; rounded down) − A00 charged; ΔVAT = B00 recomputed on (VAT value + ΔCV + Δduty) at the declared rate, else the rate of the declared VAT code / tariff VAT measure (never an assumed 20 %), rounded down, − B00 charged (scaled duty and VAT on the change only when lines are missing, or when a quota splits the duty into in-quota and out-of-quota lines); a line the procedure does not charge (IP, TA, warehousing, relief APC, security) moves nothing, an APC without a rule leaves it not priced',
    correctionRoute: 'C2001 when understated; C285 basis "Incorrect value" when overstated (VAT via the VAT return for VAT-registered importers)',
    businessRule:
      'A foreign-currency item’s customs value is within 1 % (and £1) of its invoice price plus additions less deductions at the HMRC monthly rate. Not checked: declarations read from CDS data/MSS reports (no DE 4/9), items with a contract rate in DE 4/15 (its direction is not stated reliably in the data) and decimal slips (×/÷ 10^k, reported by C31).',
  },
  needs: (d, item) => (item.customsValuePresent && item.itemPrice?.currency && item.itemPrice.currency.toUpperCase() !== 'GBP' ? rateNeeds(d, item) : {}),
  evaluate({ declaration, reference, today }) {
    // CDS data reports carry the customs value but not DE 4/9, so price ± additions cannot be rebuilt.
    if (declaration.exchangeRate.trim() || fromTraderReports(declaration.sourceFormat)) return [];
    const hits: RuleHit[] = [];
    for (const item of declaration.items) {
      const currency = (item.itemPrice?.currency ?? '').toUpperCase();
      if (!item.customsValuePresent || !currency || currency === 'GBP') continue;
      const calc = invoiceCustomsValue(declaration, item, reference);
      if (!('pence' in calc) || calc.pence <= 0) continue;
      const declared = item.customsValuePence;
      const delta = calc.pence - declared;
      // Within 1 % or £1: rounding, and rates the broker may round; not worth a finding.
      if (Math.abs(delta) * 100 <= calc.pence || Math.abs(delta) <= 100) continue;
      if (decimalSlip(declared, calc.pence) !== undefined) continue;
      const effect = valueChangeEffect(declaration, item, reference, declared, delta);
      const money = signedMoney(effect.dutyPence, effect.vatPence, declaration.acceptanceDate, today);
      const evidence: Evidence[] = [
        { field: 'customs value declared', value: pounds(declared), note: '' },
        { field: 'customs value from the invoice', value: pounds(calc.pence), note: calc.how },
        { field: 'difference', value: pounds(delta), note: `${((Math.abs(delta) * 100) / calc.pence).toFixed(1)} % of the recomputed value` },
      ];
      hits.push({
        itemNumber: item.itemNumber,
        ...money,
        evidence,
        explanation: `Item ${item.itemNumber}: the customs value ${pounds(declared)} differs from the invoice at the HMRC rate for ${declaration.acceptanceDate.slice(0, 7)} (${pounds(calc.pence)}) by ${pounds(delta)}: ${delta > 0 ? 'understated' : 'overstated'} (wrong month's rate, wrong currency or a missing adjustment). ${effect.text}.`,
        remediation:
          delta > 0
            ? 'Check the rate and currency the broker used; disclose the duty and VAT on the difference (C2001).'
            : 'Check the rate and currency the broker used; claim the overpaid duty back with a C285 ("Incorrect value") within 3 years of acceptance.',
      });
    }
    return hits;
  },
};
