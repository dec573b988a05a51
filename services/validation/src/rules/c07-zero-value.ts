import { Severity } from '@customs/contracts';
import { FREE_CIRCULATION, claimsReliefApc, fromTraderReports } from './codes';
import { chargeOf, customsValuePence, mfnNeeds, pounds } from './pricing';
import type { Rule, RuleHit } from './types';

/** £1: below this a customs value on chargeable goods is a placeholder, not a value (DOMAIN.md §3.1 C07). */
const PLACEHOLDER_VALUE_PENCE = 100;
/** Net mass from which a value under £1 is implausible for any chargeable goods (under 1p per kg). */
const HEAVY_KG = 100;

/** C07 — Missing or zero value on chargeable goods. */
export const c07ZeroValue: Rule = {
  meta: {
    id: 'C07',
    version: '1.1.1',
    title: 'Missing or zero value on chargeable goods',
    family: 'data-integrity',
    dataElements: ['customs value', 'DE 4/14 item price', 'DE 1/10 procedure code', 'DE 1/11 additional procedure codes'],
    legalBasis: 'Goods released for free circulation are valued even when supplied free of charge; only a relief (APC/CPC) removes the charge (DOMAIN.md §3.0, §3.1 C07)',
    severityLogic: 'MEDIUM: a valuation gap with duty and VAT at stake whose amount needs a market-value estimate',
    pricing: 'full duty and VAT on the market value, which needs an estimate (trader history): not priced per declaration',
    correctionRoute: 'C2001 for the duty and VAT on the real value',
    businessRule:
      'An item released for free circulation (40xx/42xx) without a relief APC has a value: not zero or absent (also on an original declaration with no tax lines; only an amendment or a trader report may leave it out), and not £1 or less for 100 kg or more of goods. Not covered here: a small but non-zero value on light goods (a genuinely cheap line looks the same), values below 1 % of the commodity’s historic median value per kg (needs history; C30 in scoring).',
  },
  needs: (d, item) => (FREE_CIRCULATION.test(item.procedureCode) ? mfnNeeds(d, item) : {}),
  evaluate({ declaration, reference, notChecked }) {
    const hits: RuleHit[] = [];
    for (const item of declaration.items) {
      if (!FREE_CIRCULATION.test(item.procedureCode)) continue;
      if (claimsReliefApc(item.additionalProcedureCodes)) {
        // A relief APC removes the charge; one whose effect is not modelled may or may not: say so.
        const duty = chargeOf(item, 'A00');
        if (duty.liability === 'unknown') notChecked?.(item.itemNumber, `whether the goods are chargeable is unknown: ${duty.reason}`);
        continue;
      }
      const cv = customsValuePence(declaration, item, reference);
      const noValue = !item.customsValuePresent && !item.itemPrice?.value;
      // An amendment (DMS function code 13) may restate other fields without the value, and a
      // trader report may carry no values: there absence is not a zero. An original declaration's
      // item with neither a value nor tax lines declares nothing to charge on: that is the finding.
      if (noValue && item.taxLines.length === 0 && (declaration.functionCode === '13' || fromTraderReports(declaration.sourceFormat))) continue;
      if (!noValue) {
        // A foreign price without a rate is unknown, not zero.
        if (!cv || cv.pence > PLACEHOLDER_VALUE_PENCE) continue;
        // A genuinely cheap line (a few small parts) can be worth under £1; only zero, or under £1
        // for 100 kg or more (under 1p/kg, implausible for chargeable goods), is a placeholder.
        const net = Number(item.netMassKg || '0');
        if (cv.pence > 0 && !(net >= HEAVY_KG)) continue;
      }
      const code = item.commodityCode.length === 8 ? `${item.commodityCode}00` : item.commodityCode;
      const mfn = /^\d{10}$/.test(code) ? reference.commodity(code, declaration.acceptanceDate)?.thirdCountryDuty : undefined;
      hits.push({
        itemNumber: item.itemNumber,
        severity: Severity.SEVERITY_MEDIUM,
        evidence: [
          { field: 'customs value', value: cv ? pounds(cv.pence) : '(none)', note: cv?.how ?? 'neither a customs value nor an item price' },
          { field: 'DE 1/10 / 1/11', value: `${item.procedureCode} ${item.additionalProcedureCodes.join(' ')}`.trim(), note: 'free circulation, no relief APC' },
          { field: 'reference third-country duty', value: mfn || '(unknown)', note: '' },
        ],
        explanation: `Item ${item.itemNumber} is released for free circulation with ${cv ? `a customs value of ${pounds(cv.pence)}` : 'no value'} and no relief: duty${mfn ? ` (${mfn} third-country)` : ''} and VAT are due on the goods' real value.`,
        remediation:
          'Establish the value (free-of-charge goods are valued too: cost, or identical/similar goods) and disclose the duty and VAT on it (C2001); if a relief applied, have its APC declared.',
      });
    }
    return hits;
  },
};
