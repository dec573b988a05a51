import type { Injector } from './types';
import { pickItem, withoutPreference } from './helpers';

/** C36: outward-processing re-import (export MRN cited) without the 9WKS worksheet. */
export const c36: Injector = {
  ruleId: 'C36',
  description: 'outward processing re-import (6121) without the 9WKS duty calculation worksheet',
  wants: { supplier: (s) => s.scheme === '' },
  inject(draft, ctx) {
    const hit = pickItem(draft, ctx, withoutPreference);
    if (!hit) return undefined;
    const { item } = hit;
    item.procedureCode = '6121';
    item.additionalProcedureCodes = ['000'];
    const d = draft.declaration;
    // The export under OP is cited (so returned-goods evidence is present); only the worksheet is missing.
    const exportMrn = `${String(Number(d.acceptanceDate.slice(2, 4)) - 1).padStart(2, '0')}GB${ctx.rng.chars(13, '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ')}${ctx.rng.int(0, 9)}`;
    item.previousDocuments = [{ category: 'Z', type: 'MRN', reference: exportMrn, line: '1' }];
    item.documents = item.documents.filter((x) => x.code !== '9WKS');
    return [{ itemNumber: item.itemNumber, note: `OPR 6121 re-import of ${exportMrn} without 9WKS` }];
  },
};
