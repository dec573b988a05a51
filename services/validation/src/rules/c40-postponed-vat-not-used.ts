import { Severity } from '@customs/contracts';
import { partiesOf } from './engine';
import { pounds } from './pricing';
import type { Rule } from './types';

/**
 * GB EORIs issued to VAT-registered businesses are GB + the 9-digit VAT number + "000" (DOMAIN.md
 * §2.4(b): TURN = VAT number + 3-digit suffix). A heuristic, so the rule stays LOW.
 */
const VAT_BASED_EORI = /^GB\d{9}000$/;

/** C40 — Import VAT paid upfront by an importer who could postpone it. */
export const c40PostponedVatNotUsed: Rule = {
  meta: {
    id: 'C40',
    version: '1.0.0',
    title: 'Postponed VAT accounting not used by a VAT-registered importer',
    family: 'duplicates-vat',
    dataElements: ['DE 4/8 method of payment (B00)', 'DE 3/40 additional fiscal references', 'DE 3/16 importer'],
    legalBasis:
      'A VAT-registered importer may account for import VAT on its VAT return (postponed VAT accounting, method of payment G) instead of paying it at the border (DOMAIN.md §2.2 DE 4/8, §3.6 C40)',
    severityLogic: 'LOW: cash-flow only, no tax lost',
    pricing: 'cash-flow only (days × VAT × cost of capital); the VAT paid upfront is stated, not booked as exposure or reclaim',
    correctionRoute: 'none: instruct the broker to use postponed VAT accounting (FR1 + MOP G) on future entries',
    businessRule:
      'An importer shown to be VAT-registered (an FR1 VAT number, or a GB EORI built on a VAT number: GB + 9 digits + 000) postpones import VAT (B00 method of payment G) rather than paying it by cash or deferment.',
  },
  evaluate({ declaration }) {
    const fr1 = declaration.fiscalReferences.find((f) => f.role === 'FR1' && f.vatId);
    const { importer } = partiesOf(declaration);
    const registered = fr1 ? `FR1 VAT number ${fr1.vatId}` : VAT_BASED_EORI.test(importer.toUpperCase()) ? `EORI ${importer} is built on a VAT number` : undefined;
    if (!registered) return [];
    const paidUpfront = declaration.items.flatMap((i) =>
      i.taxLines.filter((t) => t.taxType === 'B00' && t.payablePence > 0 && t.methodOfPayment && t.methodOfPayment.toUpperCase() !== 'G').map((t) => ({ item: i.itemNumber, t })),
    );
    if (paidUpfront.length === 0) return [];
    const vat = paidUpfront.reduce((s, p) => s + p.t.payablePence, 0);
    const methods = [...new Set(paidUpfront.map((p) => p.t.methodOfPayment.toUpperCase()))];
    return [
      {
        itemNumber: 0,
        severity: Severity.SEVERITY_LOW,
        evidence: [
          { field: 'VAT registration', value: registered, note: '' },
          { field: 'DE 4/8 method of payment (B00)', value: methods.join(', '), note: `items ${[...new Set(paidUpfront.map((p) => p.item))].join(', ')}; not G (postponed)` },
          { field: 'import VAT paid at the border', value: pounds(vat), note: '' },
        ],
        explanation: `${pounds(vat)} of import VAT was paid at the border (method ${methods.join('/')}) although the importer appears VAT-registered (${registered}) and could have postponed it to its VAT return, keeping the cash until the return is due.`,
        remediation: 'Instruct the broker to declare the FR1 VAT number and method of payment G; recover the VAT already paid as input tax using the C79 certificate.',
      },
    ];
  },
};
