import { Severity } from '@customs/contracts';
import { isPlaceholderText } from './vocabulary';
import { OPR_PROCEDURES } from './codes';
import type { Rule } from './types';

/** C36 — Outward processing re-import without the duty calculation worksheet. */
export const c36OprWorksheet: Rule = {
  meta: {
    id: 'C36',
    version: '1.1.0',
    title: 'Outward processing re-import without a worksheet',
    family: 'procedures-reliefs',
    dataElements: ['DE 1/10 procedure code', 'DE 2/3 documents'],
    legalBasis: 'OPR re-imports (6121/6122) are charged on the processing value, shown on a worksheet (9WKS, e.g. C&E1154) (DOMAIN.md §3.5 C36)',
    severityLogic: 'MEDIUM: documentation; if OPR is disallowed duty is due on the full value',
    pricing: 'documentation (exposure = duty on the full value if OPR is disallowed; not priced here)',
    correctionRoute: 'complete the file; C2001 if the relief was not due',
    businessRule: 'An outward-processing re-import declares the duty calculation worksheet (9WKS) with a real reference (a placeholder such as "TBC" is no worksheet).',
  },
  evaluate({ declaration }) {
    return declaration.items
      .filter((i) => OPR_PROCEDURES.test(i.procedureCode) && ![...i.documents, ...declaration.documents].some((d) => d.code === '9WKS' && !isPlaceholderText(d.reference)))
      .map((item) => ({
        itemNumber: item.itemNumber,
        severity: Severity.SEVERITY_MEDIUM,
        evidence: [
          { field: 'DE 1/10 procedure code', value: item.procedureCode, note: 'outward processing re-import' },
          { field: 'DE 2/3 documents', value: [...item.documents, ...declaration.documents].map((d) => d.code).join(', ') || '(none)', note: 'no 9WKS worksheet' },
        ],
        explanation: `Item ${item.itemNumber} is an outward-processing re-import (${item.procedureCode}) without the 9WKS duty calculation worksheet.`,
        remediation: 'Prepare the worksheet (processing costs, value of the exported goods) and keep it with the entry; declare 9WKS on future OPR entries.',
      }));
  },
};
