import { Severity, type Evidence } from '@customs/contracts';
import { b00Charged, declaredPercent, percentText, pounds, rateFacts, rateNeeds, signedMoney, tariffVat, vatOn, vatValuePence } from './pricing';
import type { Rule, RuleHit } from './types';

const TOLERANCE_PENCE = 100;

/** C38 — Import VAT rate differs from the tariff VAT measure. */
export const c38VatRate: Rule = {
  meta: {
    id: 'C38',
    version: '1.0.1',
    title: 'Import VAT rate differs from the tariff',
    family: 'duplicates-vat',
    dataElements: ['DE 4/3–4/6 tax lines (B00 base, rate, amount)', 'DE 6/16–6/17 additional codes (VATZ/VATR…)', 'DE 6/14–6/15 commodity code', 'acceptance date'],
    legalBasis:
      'The import VAT rate is the tariff VAT measure (305) for the code and declared VAT additional code: 20 % standard, 5 % reduced (VATR), 0 % zero-rated (VATZ) (DOMAIN.md §3.0 VAT effect, §3.6 C38)',
    severityLogic:
      'underpaid VAT: HIGH, CRITICAL from £10,000 (a cash-flow item for a VAT-registered importer, a cost otherwise); overpaid: MEDIUM (by the 3-year clock); LOW when the base is unknown',
    pricing: 'ΔVAT = VAT value × tariff VAT rate (rounded down) − B00 charged',
    correctionRoute: 'VAT return adjustment (postponed or VAT-registered); C2001 for underpaid VAT otherwise; C285 for non-registered overpayments',
    businessRule:
      'The B00 line charges the tariff VAT rate that applies to the code with its declared VAT additional code (when the tariff facts do not settle which VAT measure applies, the item is recorded as not checked, with the reason).',
  },
  needs: (d, item) => (item.taxLines.some((t) => t.taxType === 'B00') ? rateNeeds(d, item) : {}),
  evaluate({ declaration, reference, today, notChecked }) {
    const hits: RuleHit[] = [];
    for (const item of declaration.items) {
      const lines = item.taxLines.filter((t) => t.taxType === 'B00');
      if (lines.length === 0) continue;
      const tv = tariffVat(item, rateFacts(declaration, item, reference));
      if (!tv) {
        notChecked?.(
          item.itemNumber,
          `the tariff facts do not settle which VAT rate applies to ${item.commodityCode || '(no code)'}${item.additionalCodes.length ? ` with ${item.additionalCodes.join(' ')}` : ''} (VAT measures not loaded or ambiguous)`,
        );
        continue;
      }
      const base = vatValuePence(item);
      // Undefined for postponed VAT reported without its amount: only the declared rate can be compared.
      const charged = b00Charged(declaration, item);
      const declaredRates = lines.map((t) => declaredPercent(t.rate)).filter((r): r is bigint => r !== undefined);
      const evidence: Evidence[] = [
        { field: 'tariff VAT measure', value: `${tv.measure.expression}${tv.measure.additionalCode ? ` (${tv.measure.additionalCode})` : ''}`, note: `tariff ${tv.measure.datasetVersion}` },
        { field: 'DE 6/16–6/17 additional codes', value: item.additionalCodes.join(', ') || '(none)', note: '' },
        { field: 'B00 rate declared', value: declaredRates.map(percentText).join(', ') || '(not given)', note: '' },
        { field: 'B00 charged', value: charged === undefined ? '(not reported)' : pounds(charged), note: base ? `on ${pounds(base.pence)} (${base.how})` : 'VAT value unknown' },
      ];
      if (base && charged !== undefined) {
        const expected = vatOn(base.pence, { rate: tv.rate, source: '' });
        const delta = expected - charged;
        if (Math.abs(delta) <= TOLERANCE_PENCE) continue;
        hits.push({
          itemNumber: item.itemNumber,
          ...signedMoney(0, delta, declaration.acceptanceDate, today),
          evidence,
          explanation: `Item ${item.itemNumber}: the tariff VAT rate is ${tv.measure.expression}${tv.measure.additionalCode ? ` (${tv.measure.additionalCode})` : ''}, i.e. ${pounds(expected)} on a VAT value of ${pounds(base.pence)}, but ${pounds(charged)} was charged — VAT ${delta > 0 ? `underpaid by ${pounds(delta)}` : `overpaid by ${pounds(-delta)}`}.`,
          remediation:
            delta > 0
              ? 'Check the VAT additional code the broker declared; correct via the VAT return (postponed VAT) or disclose (C2001).'
              : 'A VAT-registered importer recovers it on the VAT return; otherwise claim it back with a C285.',
        });
      } else if (declaredRates.length && declaredRates.every((r) => r !== tv.rate)) {
        hits.push({
          itemNumber: item.itemNumber,
          severity: Severity.SEVERITY_LOW,
          evidence,
          explanation: `Item ${item.itemNumber}: VAT was declared at ${declaredRates.map(percentText).join('/')} but the tariff rate is ${tv.measure.expression}. Not priced: the VAT value or the VAT charged is not in the data.`,
          remediation: 'Check the VAT additional code the broker declared and the VAT charged on the C79/postponed VAT statement.',
        });
      }
    }
    return hits;
  },
};
