import type { Injector } from './types';

/** C40: a VAT-registered importer's broker paid import VAT from the deferment account instead of postponing it. */
export const c40: Injector = {
  ruleId: 'C40',
  description: 'B00 paid by deferment (MOP E) although the importer is VAT-registered (FR1 declared)',
  inject(draft) {
    const d = draft.declaration;
    const lines = d.items.flatMap((i) => i.taxLines).filter((t) => t.taxType === 'B00' && t.payablePence > 0);
    if (lines.length === 0) return undefined;
    for (const t of lines) t.methodOfPayment = 'E';
    return [{ itemNumber: 0, note: `${lines.length} B00 line(s) MOP E` }];
  },
};
