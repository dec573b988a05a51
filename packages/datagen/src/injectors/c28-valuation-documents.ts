import type { Injector } from './types';
import { pickItem } from './helpers';

/** C28: method 1 (transaction value) without the invoice in DE 2/3. */
export const c28: Injector = {
  ruleId: 'C28',
  description: 'valuation method 1 declared without the N935 invoice document',
  wants: { anyProcedure: true },
  inject(draft, ctx) {
    const d = draft.declaration;
    if (d.documents.some((x) => x.code === 'N935')) {
      // Invoice cited once at header level and dropped there: every method-1 item loses it.
      d.documents = d.documents.filter((x) => x.code !== 'N935');
      return d.items
        .filter((i) => i.valuationMethod === '1' && !i.documents.some((x) => ['N935', 'N325', 'N380'].includes(x.code)))
        .map((i) => ({ itemNumber: i.itemNumber, note: 'header N935 removed' }));
    }
    const hit = pickItem(draft, ctx, (i) => i.valuationMethod === '1');
    if (!hit) return undefined;
    hit.item.documents = hit.item.documents.filter((d) => !['N935', 'N325', 'N380'].includes(d.code));
    // One defect, one finding: C03 (unreconcilable entry) defers to C28 when no invoice code is declared at all.
    return [{ itemNumber: hit.item.itemNumber, note: 'N935 removed' }];
  },
};
