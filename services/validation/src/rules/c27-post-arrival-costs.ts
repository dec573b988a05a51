import { Severity } from '@customs/contracts';
import { DELIVERED_INCOTERMS, POST_ARRIVAL_DEDUCTIONS } from './codes';
import type { Rule } from './types';

/** C27 — D-terms price without deduction of post-arrival costs (reclaim opportunity). */
export const c27PostArrivalCosts: Rule = {
  meta: {
    id: 'C27',
    version: '1.0.0',
    title: 'Delivered (D-term) price without deduction of costs after arrival',
    family: 'valuation',
    dataElements: ['DE 4/1 delivery terms', 'DE 4/9 additions and deductions'],
    legalBasis: 'Transport and insurance after arrival in the UK are excluded from the customs value when shown separately (deduction BA; DOMAIN.md §3.4 C27)',
    severityLogic: 'LOW: overpayment (reclaim opportunity), not an exposure',
    pricing: 'estimated post-border costs × duty rate: needs the carrier invoice, so not priced per declaration',
    correctionRoute: 'C285 basis "Incorrect value" with the carrier invoice',
    businessRule: 'A DAP/DPU/DDP purchase deducts the transport and insurance costs after arrival (DE 4/9 BA) when they are shown separately.',
  },
  evaluate({ declaration }) {
    const incoterm = declaration.incoterm.toUpperCase();
    if (!DELIVERED_INCOTERMS.has(incoterm)) return [];
    if (declaration.adjustments.some((a) => POST_ARRIVAL_DEDUCTIONS.has(a.code))) return [];
    return declaration.items
      .filter((i) => !i.adjustments.some((a) => POST_ARRIVAL_DEDUCTIONS.has(a.code)))
      .map((item) => ({
        itemNumber: item.itemNumber,
        severity: Severity.SEVERITY_LOW,
        evidence: [
          { field: 'DE 4/1 delivery terms', value: `${incoterm} ${declaration.deliveryLocation}`.trim(), note: 'price includes delivery inside the UK' },
          { field: 'DE 4/9 deductions', value: item.adjustments.map((a) => a.code).join(', ') || '(none)', note: 'no BA deduction' },
        ],
        explanation: `Item ${item.itemNumber} was bought ${incoterm}: its price includes carriage inside the UK, which is not dutiable, yet no post-arrival deduction (BA) is declared.`,
        remediation: 'Ask the supplier or forwarder for the UK leg of the freight; claim the duty on it back with a C285 ("Incorrect value") within 3 years of acceptance.',
      }));
  },
};
