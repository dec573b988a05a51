import { Severity } from '@customs/contracts';
import { FREIGHT_ADDITIONS, PRE_BORDER_INCOTERMS } from './codes';
import type { Rule } from './types';

/** C26 — E/F Incoterms without freight and insurance additions. */
export const c26FreightAdditions: Rule = {
  meta: {
    id: 'C26',
    version: '1.0.0',
    title: 'E/F Incoterm without freight and insurance additions',
    family: 'valuation',
    dataElements: ['DE 4/1 delivery terms', 'DE 4/9 additions and deductions'],
    legalBasis: 'The customs value includes transport and insurance up to the place of introduction into the UK (gov.uk "Delivery costs to include in the customs value"; DOMAIN.md §3.4 C26)',
    severityLogic: 'MEDIUM: the customs value is understated by the freight and insurance',
    pricing: "estimated freight × duty rate; the estimate needs the importer's freight history (scoring), so the per-declaration finding is not priced",
    correctionRoute: 'C2001 for the duty and VAT on the freight left out',
    businessRule: 'An EXW/FCA/FAS/FOB purchase adds the transport and insurance to the UK border (DE 4/9) to the customs value.',
  },
  evaluate({ declaration }) {
    const incoterm = declaration.incoterm.toUpperCase();
    if (!PRE_BORDER_INCOTERMS.has(incoterm)) return [];
    const header = declaration.adjustments.some((a) => FREIGHT_ADDITIONS.has(a.code));
    const missing = declaration.items.filter((i) => !header && !i.adjustments.some((a) => FREIGHT_ADDITIONS.has(a.code)) && !i.customsValuePresent);
    return missing.map((item) => ({
      itemNumber: item.itemNumber,
      severity: Severity.SEVERITY_MEDIUM,
      evidence: [
        { field: 'DE 4/1 delivery terms', value: `${incoterm} ${declaration.deliveryLocation}`.trim(), note: 'price ends before the UK border' },
        { field: 'DE 4/9 additions', value: item.adjustments.map((a) => a.code).join(', ') || '(none)', note: `none of ${[...FREIGHT_ADDITIONS].join(', ')}` },
      ],
      explanation: `Item ${item.itemNumber} was bought ${incoterm} but no freight/insurance addition is declared, so its customs value leaves out the cost of carriage to the UK.`,
      remediation: 'Get the freight and insurance invoices for the shipment; disclose the duty and VAT on them (C2001) and instruct the broker to add them (DE 4/9) on E/F-term entries.',
    }));
  },
};
