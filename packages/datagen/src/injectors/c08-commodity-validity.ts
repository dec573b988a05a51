import type { Injector } from './types';
import { pickItem } from './helpers';

/** C08: a TARIC suffix keyed wrongly (code not in the nomenclature) or the heading declared instead of the leaf. */
export const c08: Injector = {
  ruleId: 'C08',
  description: 'commodity code not declarable: wrong TARIC digits, or the parent heading line declared',
  wants: { anyProcedure: true },
  inject(draft, ctx) {
    const hit = pickItem(draft, ctx, (i) => i.preference === '100');
    if (!hit) return undefined;
    const { item } = hit;
    const code = item.commodityCode;
    // Parent line (suffix 80 but not a leaf) when one exists in the same CN8, else TARIC "99" which no UK line uses here.
    const parents = [`${code.slice(0, 6)}0000`, `${code.slice(0, 4)}000000`].filter(
      (c) => c !== code && ctx.ref.nomenclature.get(c)?.some((l) => l.suffix === '80' && !ctx.ref.isLeaf(l) && l.start <= '2021-01-01' && !l.end),
    );
    const wrong = parents.length && ctx.rng.chance(0.5) ? parents[0]! : `${code.slice(0, 8)}${code.slice(8) === '99' ? '98' : '99'}`;
    if (ctx.ref.nomenclature.get(wrong)?.some((l) => l.suffix === '80' && ctx.ref.isLeaf(l))) return undefined;
    item.commodityCode = wrong;
    return [{ itemNumber: item.itemNumber, note: `code ${code} declared as ${wrong}` }];
  },
};
