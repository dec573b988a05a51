import type { Injector } from './types';
import { pickItem } from './helpers';

/** C19: preference claimed without DE 5/16. */
export const c19: Injector = {
  ruleId: 'C19',
  description: 'preference claimed with DE 5/16 (preferential origin) left blank',
  wants: { supplier: (s) => s.scheme !== '' },
  inject(draft, ctx) {
    const hit = pickItem(draft, ctx, (i) => /^[23]\d\d$/.test(i.preference) && !!i.preferentialOrigin);
    if (!hit) return undefined;
    hit.item.preferentialOrigin = '';
    return [{ itemNumber: hit.item.itemNumber, note: 'DE 5/16 blanked' }];
  },
};
