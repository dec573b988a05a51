import { Severity } from '@customs/contracts';
import { isPlaceholderReference } from './vocabulary';
import { INVOICE_CODES } from './codes';
import type { Rule } from './types';

/** Invoice references that are placeholders, not identifiers (CDS reports write "NULL" for blanks). */

/** C03 — Items that cannot be matched to ERP receipts: no commercial invoice reference. */
export const c03UnreconcilableItem: Rule = {
  meta: {
    id: 'C03',
    version: '1.1.0',
    title: 'Item without a commercial invoice reference to reconcile against',
    family: 'data-integrity',
    dataElements: ['DE 2/3 documents (N935/N325/N380 reference)'],
    legalBasis: 'Ghost/unmatched imports are found by matching the CDS invoice reference (N935 in "All Item Document References") to ERP receipts (DOMAIN.md §2.4(a), §3.1 C03)',
    severityLogic: 'LOW: data quality; the entry cannot be reconciled, which hides both ghost entries and undeclared receipts',
    pricing: 'none per declaration (the reconciliation prices unmatched entries as a reclaim and unmatched receipts as an exposure)',
    correctionRoute: 'none: obtain the invoice reference from the broker; C285 if the entry turns out not to be the importer’s',
    businessRule:
      'Every item carries a commercial invoice document (N935, N325 or N380) with a real reference, not a placeholder such as "TBC", "N/A", "UNKNOWN" or "to follow" (rules/vocabulary.ts) (an item on valuation method 1–3 citing no invoice code at all is reported by C28 instead). Not covered here: the match against ERP goods receipts/AP in both directions, because the Declaration carries no ERP data; this rule checks only the declaration-local precondition.',
  },
  evaluate({ declaration }) {
    const header = declaration.documents.filter((d) => INVOICE_CODES.has(d.code) && !isPlaceholderReference(d.reference));
    if (header.length > 0) return [];
    // An item on valuation method 1–3 with no invoice code at all is C28's finding (one defect, one
    // finding); C03 adds the cases C28 cannot see: a placeholder reference, or other methods.
    const missing = declaration.items.filter((i) => {
      if (i.documents.some((d) => INVOICE_CODES.has(d.code) && !isPlaceholderReference(d.reference))) return false;
      const citesInvoice = [...i.documents, ...declaration.documents].some((d) => INVOICE_CODES.has(d.code));
      return citesInvoice || !['1', '2', '3'].includes(i.valuationMethod);
    });
    if (missing.length === 0) return [];
    const placeholders = missing.flatMap((i) => i.documents.filter((d) => INVOICE_CODES.has(d.code)).map((d) => `${i.itemNumber}:${d.code} "${d.reference}"`));
    return [
      {
        itemNumber: 0,
        severity: Severity.SEVERITY_LOW,
        evidence: [
          { field: 'items without an invoice reference', value: missing.map((i) => i.itemNumber).join(', '), note: `${missing.length} of ${declaration.items.length}` },
          { field: 'DE 2/3 invoice documents', value: placeholders.join(', ') || '(none)', note: 'none of N935/N325/N380 with a usable reference' },
        ],
        explanation: `${missing.length === declaration.items.length ? 'No item of this entry carries a' : `Item(s) ${missing.map((i) => i.itemNumber).join(', ')} of this entry carry no`} commercial invoice reference, so the entry cannot be matched to a goods receipt or payable: a ghost entry or a receipt declared elsewhere would go unnoticed.`,
        remediation: 'Ask the broker for the invoice number(s) and have N935 declared with the invoice reference on future entries.',
      },
    ];
  },
};
