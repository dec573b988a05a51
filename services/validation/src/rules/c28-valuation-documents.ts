import { Severity } from '@customs/contracts';
import { INVOICE_CODES } from './codes';
import type { Rule, RuleHit } from './types';

/** C28 — Valuation method without its supporting documents. */
export const c28ValuationDocuments: Rule = {
  meta: {
    id: 'C28',
    version: '1.0.0',
    title: 'Valuation method documentation gap',
    family: 'valuation',
    dataElements: ['DE 4/16 valuation method', 'DE 2/3 documents'],
    legalBasis: 'CDS valuation guidance (Strong & Herd summary): method 1 needs N935/N325; methods 2/3 an invoice; 4/5 a 9WKS worksheet (DOMAIN.md §2.2, §3.4 C28)',
    severityLogic: 'MEDIUM: weakens the audit defence of the declared value',
    pricing: 'documentation (no amount)',
    correctionRoute: 'none: complete the file; correct with the broker if the method is wrong',
    businessRule: 'The declared valuation method is supported by its documents in DE 2/3.',
  },
  evaluate({ declaration }) {
    const hits: RuleHit[] = [];
    for (const item of declaration.items) {
      const m = item.valuationMethod;
      if (!m) continue;
      const docs = new Set([...item.documents, ...declaration.documents].map((d) => d.code));
      let missing: string | undefined;
      if (['1', '2', '3'].includes(m) && ![...INVOICE_CODES].some((c) => docs.has(c))) missing = 'invoice (N935, N325 or N380)';
      else if (['4', '5'].includes(m) && !docs.has('9WKS')) missing = 'valuation worksheet (9WKS)';
      if (!missing) continue;
      hits.push({
        itemNumber: item.itemNumber,
        severity: Severity.SEVERITY_MEDIUM,
        evidence: [
          { field: 'DE 4/16 valuation method', value: m, note: '' },
          { field: 'DE 2/3 documents', value: [...docs].join(', ') || '(none)', note: `missing ${missing}` },
        ],
        explanation: `Item ${item.itemNumber} uses valuation method ${m} but declares no ${missing}.`,
        remediation: 'File the supporting document with the entry and ask the broker to declare it in DE 2/3 on future entries.',
      });
    }
    return hits;
  },
};
