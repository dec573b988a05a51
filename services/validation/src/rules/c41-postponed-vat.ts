import { Severity } from '@customs/contracts';
import { isPlaceholderReference } from './vocabulary';
import { fromTraderReports } from './codes';
import type { Rule } from './types';

/** C41 — Postponed VAT accounting without the importer's VAT number. */
export const c41PostponedVat: Rule = {
  meta: {
    id: 'C41',
    version: '1.2.0',
    title: 'Postponed VAT used without the importer’s VAT number',
    family: 'duplicates-vat',
    dataElements: ['DE 4/8 method of payment', 'DE 3/40 additional fiscal references'],
    legalBasis: 'Postponed VAT accounting (MOP G) needs the importer’s VAT number in DE 3/40 with role FR1 (DOMAIN.md §2.2, §3.6 C41)',
    severityLogic: 'HIGH: import VAT accounted to a VAT number that may not be the importer’s',
    pricing: 'the postponed import VAT (B00) where the amount is known',
    correctionRoute: 'C2001 / correction with the broker; VAT return adjustment',
    businessRule:
      'A declaration that postpones import VAT (B00 with method of payment G) carries an FR1 VAT number in DE 3/40 — a real one, not a placeholder such as "N/A" or "TBC" (not checked on declarations read from CDS data/MSS reports, which do not carry DE 3/40).',
  },
  evaluate({ declaration }) {
    // CDS data reports do not carry DE 3/40: a missing FR1 there is not reported, not missing.
    if (fromTraderReports(declaration.sourceFormat)) return [];
    const postponed = declaration.items.flatMap((i) => i.taxLines.filter((t) => t.taxType === 'B00' && t.methodOfPayment === 'G').map((t) => ({ item: i.itemNumber, t })));
    if (postponed.length === 0) return [];
    const fr1 = declaration.fiscalReferences.filter((f) => f.role === 'FR1' && !isPlaceholderReference(f.vatId));
    if (fr1.length > 0) return [];
    const vat = postponed.reduce((s, p) => s + p.t.payablePence, 0);
    return [
      {
        itemNumber: 0,
        severity: Severity.SEVERITY_HIGH,
        exposureVatPence: vat,
        evidence: [
          { field: 'DE 4/8 method of payment (B00)', value: 'G', note: `items ${postponed.map((p) => p.item).join(', ')}` },
          { field: 'DE 3/40 fiscal references', value: declaration.fiscalReferences.map((f) => `${f.role}:${f.vatId}`).join(', ') || '(none)', note: 'no FR1 VAT number' },
        ],
        explanation: `Import VAT is postponed (method of payment G) on ${postponed.length} line(s) but no FR1 VAT number is declared${vat ? `; postponed VAT ${vat} pence` : ''}.`,
        remediation: 'Check which VAT number the VAT was accounted to (postponed VAT statement) and have the broker declare the importer’s VAT number with role FR1.',
      },
    ];
  },
};
