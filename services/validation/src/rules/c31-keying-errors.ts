import { Severity, type Evidence } from '@customs/contracts';
import { decimalSlip } from './c06-customs-value-fx';
import { invoiceCustomsValue, pounds, rateNeeds, signedMoney, valueChangeEffect } from './pricing';
import type { Rule, RuleHit } from './types';

/** Exact decimal → integer hundredths (no floats); undefined when not a plain decimal. */
function cents(v: string): bigint | undefined {
  const m = /^(\d+)(?:\.(\d{1,2})\d*)?$/.exec(v.trim());
  return m ? BigInt(m[1]!) * 100n + BigInt((m[2] ?? '').padEnd(2, '0') || '0') : undefined;
}
const fmtCents = (c: bigint) => `${c / 100n}.${String(c % 100n).padStart(2, '0')}`;

/** C31 — Currency and decimal keying errors. */
export const c31KeyingErrors: Rule = {
  meta: {
    id: 'C31',
    version: '1.2.0',
    title: 'Currency or decimal keying error',
    family: 'valuation',
    dataElements: ['DE 4/14 item price and currency', 'DE 4/11 total amount invoiced', 'customs value'],
    legalBasis: 'Amounts carry their ISO 4217 currency and DE 4/11 equals Σ DE 4/14 in one currency (SPIMM group 4; DOMAIN.md §2.2, §3.4 C31); the customs value is the price at the HMRC rate (§3.0)',
    severityLogic: 'priced slips: understated HIGH (CRITICAL ≥ £10,000), overstated reclaim MEDIUM (by the C285 clock); currency mismatches and unknown currency codes: LOW',
    pricing:
      'A00 and B00 recomputed on the corrected value (declared or tariff rate; VAT at the declared rate or that of the declared VAT code / tariff VAT measure, never an assumed 20 %; rounded down) − lines charged, both directions; a quota split (in-quota and out-of-quota A00 lines) scales the duty charged; nothing on lines the procedure does not charge (inward processing, temporary admission, warehousing, relief APCs, securities); currency mismatches are not priced',
    correctionRoute: 'C2001 when the value was understated; C285 basis "Incorrect value" when overstated',
    businessRule: 'Item prices reconcile with the invoice total and the customs value without a ×/÷ 10^k slip, and every item is priced in the invoice currency with a valid ISO currency code.',
  },
  needs(d, item) {
    const currency = (item.itemPrice?.currency ?? '').toUpperCase();
    const n = rateNeeds(d, item);
    return currency && currency !== 'GBP' ? { ...n, codeLists: [{ list: 'currency', code: currency, date: d.acceptanceDate }] } : n;
  },
  evaluate({ declaration, reference, today }) {
    const hits: RuleHit[] = [];
    const invoice = declaration.invoiceAmount;
    const invoiceCurrency = (invoice?.currency ?? '').toUpperCase();
    const prices = declaration.items.map((i) => (i.itemPrice?.value ? cents(i.itemPrice.value) : undefined));
    const total = invoice?.value ? cents(invoice.value) : undefined;
    const sameCurrency = declaration.items.every((i) => (i.itemPrice?.currency ?? '').toUpperCase() === invoiceCurrency);
    const sum = prices.every((p) => p !== undefined) ? prices.reduce((s, p) => s! + p!, 0n)! : undefined;

    for (const [idx, item] of declaration.items.entries()) {
      const currency = (item.itemPrice?.currency ?? '').toUpperCase();
      const evidence: Evidence[] = [];
      let explanation = '';
      let money: ReturnType<typeof signedMoney> = { severity: Severity.SEVERITY_LOW };

      // (1) An item price that is the invoice line slipped by 10^k: Σ prices ≠ DE 4/11, but would
      // match with this one price ×/÷ 10^k.
      const price = prices[idx];
      if (total !== undefined && sum !== undefined && price !== undefined && price > 0n && sameCurrency && sum !== total) {
        const others = sum - price;
        for (const k of [1n, 2n, 3n]) {
          const f = 10n ** k;
          const candidates = [price * f, price % f === 0n ? price / f : -1n];
          const right = candidates.find((c) => c >= 0n && others + c === total);
          if (right === undefined) continue;
          const corrected = fmtCents(right);
          evidence.push(
            { field: 'DE 4/14 item price', value: `${item.itemPrice!.value} ${currency}`, note: `the invoice total implies ${corrected}` },
            { field: 'DE 4/11 total amount invoiced', value: `${invoice!.value} ${invoiceCurrency}`, note: `Σ item prices ${fmtCents(sum)}` },
          );
          explanation = `Item ${item.itemNumber}'s price ${item.itemPrice!.value} ${currency} is ${right > price ? `${f}× too small` : `${f}× too large`}: with ${corrected} the items add up to the invoice total ${invoice!.value}.`;
          // The customs value carries the slip too when it follows the keyed price (or is derived from it).
          const fromKeyed = invoiceCustomsValue(declaration, item, reference);
          const fromRight = invoiceCustomsValue(declaration, item, reference, corrected);
          if ('pence' in fromKeyed && 'pence' in fromRight) {
            const declared = item.customsValuePresent ? item.customsValuePence : fromKeyed.pence;
            const followsKeyed = !item.customsValuePresent || Math.abs(declared - fromKeyed.pence) * 100 <= fromKeyed.pence;
            if (followsKeyed) {
              const delta = fromRight.pence - fromKeyed.pence;
              const effect = valueChangeEffect(declaration, item, reference, declared, delta);
              money = signedMoney(effect.dutyPence, effect.vatPence, declaration.acceptanceDate, today);
              explanation += ` The customs value follows the keyed price, so it is off by ${pounds(delta)}: ${effect.text}.`;
            } else explanation += ' The customs value matches the invoice, so no duty is affected.';
          }
          break;
        }
      }

      // (2) A customs value that is the invoice at the HMRC rate slipped by 10^k.
      if (!explanation && item.customsValuePresent && !declaration.exchangeRate.trim()) {
        const calc = invoiceCustomsValue(declaration, item, reference);
        const k = 'pence' in calc ? decimalSlip(item.customsValuePence, calc.pence) : undefined;
        if (k !== undefined && 'pence' in calc) {
          const delta = calc.pence - item.customsValuePence;
          const effect = valueChangeEffect(declaration, item, reference, item.customsValuePence, delta);
          money = signedMoney(effect.dutyPence, effect.vatPence, declaration.acceptanceDate, today);
          evidence.push(
            { field: 'customs value declared', value: pounds(item.customsValuePence), note: `10^${k} × the invoice value` },
            { field: 'customs value from the invoice', value: pounds(calc.pence), note: calc.how },
          );
          explanation = `Item ${item.itemNumber}'s customs value ${pounds(item.customsValuePence)} is ${10 ** Math.abs(k)}× ${k > 0 ? 'larger' : 'smaller'} than its invoice price at the HMRC rate (${pounds(calc.pence)}): a decimal slip in the value or the price. Priced assuming the invoice is right: ${effect.text}.`;
        }
      }

      // (3) Currency keyed differently from the invoice, or not an ISO 4217 code.
      if (!explanation && currency) {
        // GBP is the national currency: HMRC's exchange-rate currency list does not include it.
        const listed = currency === 'GBP' ? undefined : reference.codeList?.('currency', currency, declaration.acceptanceDate);
        if (listed?.known && !listed.member) {
          evidence.push({ field: 'DE 4/14 currency', value: currency, note: `not in the currency list (${listed.datasetVersion})` });
          explanation = `Item ${item.itemNumber} is priced in "${currency}", which is not an ISO 4217 currency code: the value cannot have been converted correctly.`;
        } else if (invoiceCurrency && currency !== invoiceCurrency) {
          evidence.push({ field: 'DE 4/14 currency', value: currency, note: '' }, { field: 'DE 4/11 invoice currency', value: invoiceCurrency, note: 'differs' });
          explanation = `Item ${item.itemNumber} is priced in ${currency} but the invoice total is in ${invoiceCurrency}: one of them was probably keyed in the wrong currency (e.g. USD keyed as EUR), which converts the value at the wrong rate.`;
        }
      }

      if (!explanation) continue;
      hits.push({
        itemNumber: item.itemNumber,
        ...money,
        evidence,
        explanation,
        remediation:
          'Compare the entry with the commercial invoice; disclose an understated value (C2001) or claim back duty on an overstated one (C285 "Incorrect value"), and have the broker correct the data.',
      });
    }
    return hits;
  },
};
