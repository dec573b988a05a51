import type { Injector } from './types';
import { mfnDutyPence, pickItem } from './helpers';

/** C16: preference claimed but the proof of origin not declared (supplier's statement never obtained). */
export const c16: Injector = {
  ruleId: 'C16',
  description: 'preference claimed (DE 4/17 2xx/3xx) without a proof-of-origin document in DE 2/3',
  wants: { supplier: (s) => s.scheme !== '' },
  inject(draft, ctx) {
    const hit = pickItem(draft, ctx, (i) => /^[23]\d\d$/.test(i.preference));
    if (!hit) return undefined;
    const { item, f } = hit;
    const before = item.documents.map((d) => d.code);
    item.documents = item.documents.filter((d) => d.code === 'N935');
    // Exposure: MFN duty on the customs value less the (preferential, 0%) duty paid.
    return [
      {
        itemNumber: item.itemNumber,
        exposureDutyPence: mfnDutyPence(f) - Number(f.dutyPence),
        note: `proof ${before.filter((c) => c !== 'N935').join(',')} removed; MFN ${f.mfnExpression} on CV ${f.cvPence}p`,
      },
    ];
  },
};
