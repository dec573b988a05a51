import type { Injector } from './types';
import { mfnDutyPence, pickItem } from './helpers';

/** C18: an EU (TCA) claim supported by an EUR.1, which the TCA does not accept (pre-2021 habit). */
export const c18: Injector = {
  ruleId: 'C18',
  description: 'TCA preference claimed on an EUR.1 (N954) instead of a statement on origin / importer’s knowledge',
  wants: { supplier: (s) => s.scheme === 'eu' },
  inject(draft, ctx) {
    const hit = pickItem(draft, ctx, (i, f) => i.preference === '300' && f.preferenceScheme === 'eu');
    if (!hit) return undefined;
    const { item, f } = hit;
    item.documents = [...item.documents.filter((d) => !/^U11\d$/.test(d.code)), { code: 'N954', reference: `EUR1-${ctx.rng.chars(7)}`, status: 'AE', reason: '' }];
    return [{ itemNumber: item.itemNumber, exposureDutyPence: mfnDutyPence(f) - Number(f.dutyPence), note: `EUR.1 for TCA; MFN ${f.mfnExpression} on ${f.cvPence}p` }];
  },
};
