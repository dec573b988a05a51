import type { Injector } from './types';

/** C25: preference-claimed goods dispatched from a hub outside the agreement (e.g. EU goods from a Swiss or Hong Kong warehouse). */
export const c25: Injector = {
  ruleId: 'C25',
  description: 'preference claimed on goods dispatched (DE 5/14) from a country outside the origin’s scheme',
  wants: { supplier: (s) => s.scheme !== '' },
  inject(draft, ctx) {
    const d = draft.declaration;
    const claims = d.items.filter((i) => /^[23]\d\d$/.test(i.preference));
    if (claims.length === 0) return undefined;
    const origin = claims[0]!.originCountry;
    const originSchemes = new Set(ctx.ref.schemesFor(origin, d.acceptanceDate).map((s) => s.id));
    const hubs = ['CH', 'HK', 'US', 'TR'].filter((h) => h !== origin && !ctx.ref.schemesFor(h, d.acceptanceDate).some((s) => originSchemes.has(s.id)));
    if (!hubs.length) return undefined;
    const hub = ctx.rng.pick(hubs);
    for (const i of d.items) i.dispatchCountry = hub;
    return claims.map((i) => ({ itemNumber: i.itemNumber, note: `${origin} goods dispatched from ${hub}` }));
  },
};
