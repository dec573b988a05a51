import type { Injector } from './types';
import { pickItem } from './helpers';

/** C03: the invoice document is declared with a NULL/blank reference, so the entry cannot be matched to ERP receipts. */
export const c03: Injector = {
  ruleId: 'C03',
  description: 'N935 invoice reference blank or "NULL" on an item',
  wants: { anyProcedure: true },
  inject(draft, ctx) {
    const ref = ctx.rng.pick(['', 'NULL', 'N/A']);
    const header = draft.declaration.documents.find((d) => d.code === 'N935');
    if (header) {
      header.reference = ref;
      return [{ itemNumber: 0, note: `header N935 reference "${ref}"` }];
    }
    const hit = pickItem(draft, ctx, (i) => i.documents.some((d) => d.code === 'N935'));
    if (!hit) return undefined;
    for (const doc of hit.item.documents) if (doc.code === 'N935') doc.reference = ref;
    return [{ itemNumber: 0, note: `item ${hit.item.itemNumber} N935 reference "${ref}"` }];
  },
};
