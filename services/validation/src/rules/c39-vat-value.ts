import { Severity, type Evidence } from '@customs/contracts';
import { REMEDY_TAX_TYPES, VAT_ONLY_ADJUSTMENTS, fromTraderReports } from './codes';
import {
  b00Charged,
  chargeOf,
  headerAdjustmentPence,
  invoiceCustomsValue,
  type VatRate,
  declaredPercent,
  percentText,
  pounds,
  rateFacts,
  rateNeeds,
  signedMoney,
  toPence,
  vatOn,
  vatRateFor,
  vatValuePence,
  taxPaidPence,
} from './pricing';
import type { Rule, RuleHit } from './types';

/** ± £1 (DOMAIN.md §3.6 C39). */
const TOLERANCE_PENCE = 100;
/** DE 4/3 excise tax types are 3-digit numeric codes (411, 441 …). */
const EXCISE = /^\d{3}$/;

/** C39 — VAT value does not equal customs value + duty + excise + VAT adjustments. */
export const c39VatValue: Rule = {
  meta: {
    id: 'C39',
    version: '1.5.0',
    title: 'VAT value does not add up',
    family: 'duplicates-vat',
    dataElements: ['customs value', 'VAT value (DE 4/4 B00 base)', 'DE 4/3–4/6 tax lines (A00, A20, A30–A45, excise)', 'DE 4/9 AV adjustment'],
    legalBasis:
      'VAT value = customs value + duty + excise + other charges + VAT adjustments such as AV (transport to the first UK destination) — Notice 252 via HMRC forum (DOMAIN.md §3.0 VAT effect, §3.6 C39)',
    severityLogic: 'understated VAT value: HIGH, CRITICAL from £10,000 of VAT; overstated: MEDIUM reclaim (by the 3-year clock)',
    pricing:
      "ΔVAT = expected VAT value × VAT rate (B00 rate declared, else the tariff VAT measure for the declared VAT code, else the code's meaning VATZ 0 % / VATR 5 % / VATE exempt, else the tariff default when loaded), rounded down, − B00 charged; not priced when the rate is unknown or VAT is not charged (suspended, relieved or secured by the procedure)",
    correctionRoute: 'VAT return adjustment (postponed or VAT-registered); C2001 / C285 otherwise',
    businessRule:
      'An item’s VAT value equals its customs value plus duty (A00, A20, A30–A45), excise and AV adjustments, ±£1. Header-level AV amounts are apportioned by item price. Where the declaration states no customs value (most DMS declarations), it is computed as C06 does: (item price + DE 4/9 additions − deductions) at the HMRC rate (not on CDS data/MSS reports, which carry no DE 4/9); when it cannot be computed the item is recorded as not checked.',
  },
  needs: (d, item) => (item.taxLines.some((t) => t.taxType === 'B00') || item.vatValuePresent ? rateNeeds(d, item) : {}),
  evaluate({ declaration, reference, today, notChecked }) {
    const hits: RuleHit[] = [];
    for (const item of declaration.items) {
      const declared = vatValuePence(item);
      if (!declared) continue;
      // DMS declarations rarely state the customs value: computed from the invoice (price ±
      // DE 4/9 at the HMRC rate), as the duty base is, rather than leaving the VAT value unchecked.
      let cv: { pence: number; how: string };
      if (item.customsValuePresent) cv = { pence: item.customsValuePence, how: 'customs value as declared/reported' };
      else if (fromTraderReports(declaration.sourceFormat)) {
        // CDS data/MSS reports carry no DE 4/9: a value computed from the price alone would miss freight.
        notChecked?.(
          item.itemNumber,
          'no customs value is reported and the report does not carry DE 4/9 additions/deductions, so the customs value cannot be computed and the VAT value cannot be checked',
        );
        continue;
      } else {
        const computed = invoiceCustomsValue(declaration, item, reference);
        if ('reason' in computed) {
          notChecked?.(item.itemNumber, `no customs value is declared and it cannot be computed (${computed.reason}), so the VAT value cannot be checked`);
          continue;
        }
        cv = { pence: computed.pence, how: `computed: ${computed.how}` };
      }
      // Amounts CDS calculates (DMS lines without an amount) leave the expected VAT value unknown.
      const duty = taxPaidPence(declaration, item, (t) => t === 'A00' || REMEDY_TAX_TYPES.has(t));
      const excise = taxPaidPence(declaration, item, (t) => EXCISE.test(t));
      if (duty === undefined || excise === undefined) continue;
      const isAv = (a: { code: string; amount?: { value: string } | undefined }) => VAT_ONLY_ADJUSTMENTS.has(a.code.toUpperCase()) && !!a.amount?.value;
      const converted = [
        ...item.adjustments.filter(isAv).map((a) => toPence(declaration, reference, a.amount!.value, a.amount!.currency)),
        // Header-level AV applies to every item: apportioned by item price like the other DE 4/9 amounts.
        ...declaration.adjustments.filter(isAv).map((a) => headerAdjustmentPence(declaration, item, reference, a.amount!.value, a.amount!.currency)),
      ];
      if (converted.some((c) => !c)) continue;
      const av = converted.reduce((s, c) => s + Number(c!.pence), 0);
      const expected = cv.pence + duty + excise + av;
      const delta = expected - declared.pence;
      if (Math.abs(delta) <= TOLERANCE_PENCE) continue;
      const b00Rate = item.taxLines
        .filter((t) => t.taxType === 'B00')
        .map((t) => declaredPercent(t.rate))
        .find((r) => r !== undefined);
      const found: VatRate | { reason: string } =
        b00Rate !== undefined ? { rate: b00Rate, source: `B00 rate declared ${percentText(b00Rate)}` } : vatRateFor(item, rateFacts(declaration, item, reference));
      // VAT CDS did not charge (IP, warehousing, a VAT relief or a security) has no under- or overpayment.
      const vatCharge = chargeOf(item, 'B00');
      const notPriced =
        vatCharge.liability !== 'payable'
          ? `VAT is ${vatCharge.liability === 'unknown' ? 'of unknown liability' : `${vatCharge.liability}, not charged`} (${vatCharge.reason})`
          : !('rate' in found)
            ? found.reason
            : undefined;
      const rate: VatRate | undefined = 'rate' in found ? found : undefined;
      // VAT due is floor(rate × correct value) − VAT charged, each line rounded down (not the rate
      // applied to the difference, which can be a penny out).
      const charged = b00Charged(declaration, item);
      const vat = notPriced !== undefined || !rate ? 0 : charged !== undefined ? vatOn(expected, rate) - charged : vatOn(delta, rate);
      const evidence: Evidence[] = [
        { field: 'VAT value declared', value: pounds(declared.pence), note: declared.how },
        { field: 'customs value', value: pounds(cv.pence), note: cv.how },
        { field: 'duty (A00, A20, A30–A45)', value: pounds(duty), note: '' },
        { field: 'excise', value: pounds(excise), note: '' },
        { field: 'DE 4/9 AV', value: pounds(av), note: converted.map((c) => c!.how).join(', ') },
        { field: 'VAT value expected', value: pounds(expected), note: '' },
      ];
      hits.push({
        itemNumber: item.itemNumber,
        ...(notPriced !== undefined || !rate ? { severity: Severity.SEVERITY_LOW } : signedMoney(0, vat, declaration.acceptanceDate, today)),
        evidence,
        explanation: `Item ${item.itemNumber}: the VAT value ${pounds(declared.pence)} should be ${pounds(expected)} (customs value + duty + excise + AV); it is ${delta > 0 ? 'understated' : 'overstated'} by ${pounds(Math.abs(delta))}, ${notPriced !== undefined || !rate ? `but no VAT difference is priced: ${notPriced ?? 'the VAT rate is unknown'}` : `so VAT at ${rate.source} is ${delta > 0 ? 'underpaid' : 'overpaid'} by ${pounds(Math.abs(vat))}`}.`,
        remediation:
          delta > 0
            ? 'Have the broker explain the VAT value; correct via the VAT return (postponed VAT) or disclose (C2001).'
            : 'A VAT-registered importer recovers it on the VAT return; otherwise claim it back with a C285.',
      });
    }
    return hits;
  },
};
