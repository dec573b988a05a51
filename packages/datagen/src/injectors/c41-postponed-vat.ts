import type { Injector } from './types';

/** C41: import VAT postponed (MOP G) but the importer's VAT number (DE 3/40 FR1) not declared. */
export const c41: Injector = {
  ruleId: 'C41',
  description: 'postponed VAT accounting used without the FR1 VAT number in DE 3/40',
  inject(draft) {
    const d = draft.declaration;
    const vat = d.items
      .flatMap((i) => i.taxLines)
      .filter((t) => t.taxType === 'B00' && t.methodOfPayment === 'G')
      .reduce((s, t) => s + t.payablePence, 0);
    if (vat === 0 && !d.items.some((i) => i.taxLines.some((t) => t.taxType === 'B00' && t.methodOfPayment === 'G'))) return undefined;
    d.fiscalReferences = [];
    return [{ itemNumber: 0, exposureVatPence: vat, note: 'FR1 removed' }];
  },
};
