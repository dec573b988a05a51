import { Severity } from '@customs/contracts';
import { FREIGHT_ADDITIONS, PRE_BORDER_INCOTERMS } from './codes';
import { pounds, toPence } from './pricing';
import type { Rule, RuleHit } from './types';

/** C26 — E/F Incoterms without freight and insurance additions. */
export const c26FreightAdditions: Rule = {
  meta: {
    id: 'C26',
    version: '1.1.0',
    title: 'E/F Incoterm without freight and insurance additions',
    family: 'valuation',
    dataElements: ['DE 4/1 delivery terms', 'DE 4/9 additions and deductions'],
    legalBasis: 'The customs value includes transport and insurance up to the place of introduction into the UK (gov.uk "Delivery costs to include in the customs value"; DOMAIN.md §3.4 C26)',
    severityLogic: 'MEDIUM: the customs value is understated by the freight and insurance',
    pricing: "estimated freight × duty rate; the estimate needs the importer's freight history (scoring), so the per-declaration finding is not priced",
    correctionRoute: 'C2001 for the duty and VAT on the freight left out',
    businessRule:
      'An EXW/FCA/FAS/FOB purchase adds the transport and insurance to the UK border to the customs value: in DE 4/9, or visibly in a reported customs value more than 1 % above the invoice price at the HMRC rate.',
  },
  needs(d, item) {
    const currency = item.itemPrice?.currency?.toUpperCase();
    return PRE_BORDER_INCOTERMS.has(d.incoterm.toUpperCase()) && item.customsValuePresent && currency && currency !== 'GBP' ? { fx: [{ currency, date: d.acceptanceDate }] } : {};
  },
  evaluate({ declaration, reference }) {
    const incoterm = declaration.incoterm.toUpperCase();
    if (!PRE_BORDER_INCOTERMS.has(incoterm)) return [];
    const header = declaration.adjustments.some((a) => FREIGHT_ADDITIONS.has(a.code));
    const hits: RuleHit[] = [];
    for (const item of declaration.items) {
      if (header || item.adjustments.some((a) => FREIGHT_ADDITIONS.has(a.code))) continue;
      let valueNote = 'no customs value reported: computed from the price alone';
      if (item.customsValuePresent) {
        // A reported value may already include the freight without itemising it in DE 4/9: it
        // does when it exceeds the bare invoice price at the HMRC rate by more than 1 % (carriage
        // to the UK is never less than that).
        const price = item.itemPrice?.value ? toPence(declaration, reference, item.itemPrice.value, item.itemPrice.currency) : undefined;
        if (!price) continue;
        if (BigInt(item.customsValuePence) * 100n > price.pence * 101n) continue;
        valueNote = `customs value ${pounds(item.customsValuePence)} does not exceed the invoice price ${price.how} = ${pounds(Number(price.pence))}`;
      }
      hits.push({
        itemNumber: item.itemNumber,
        severity: Severity.SEVERITY_MEDIUM,
        evidence: [
          { field: 'DE 4/1 delivery terms', value: `${incoterm} ${declaration.deliveryLocation}`.trim(), note: 'price ends before the UK border' },
          { field: 'DE 4/9 additions', value: item.adjustments.map((a) => a.code).join(', ') || '(none)', note: `none of ${[...FREIGHT_ADDITIONS].join(', ')}` },
          { field: 'customs value', value: item.customsValuePresent ? pounds(item.customsValuePence) : '(not reported)', note: valueNote },
        ],
        explanation: `Item ${item.itemNumber} was bought ${incoterm} but no freight/insurance addition is declared${item.customsValuePresent ? ' and its customs value is no more than the invoice price' : ''}, so its customs value leaves out the cost of carriage to the UK.`,
        remediation: 'Get the freight and insurance invoices for the shipment; disclose the duty and VAT on them (C2001) and instruct the broker to add them (DE 4/9) on E/F-term entries.',
      });
    }
    return hits;
  },
};
