import type { Injector } from './types';

/** C02: a broker declares in the importer's name with DE 3/21 left blank (no representation declared). */
export const c02: Injector = {
  ruleId: 'C02',
  description: 'declarant is not the importer and DE 3/21 representative status is blank',
  wants: { broker: true, anyProcedure: true },
  inject(draft) {
    const d = draft.declaration;
    d.representativeStatus = '';
    d.parties = d.parties.filter((p) => p.role !== 'representative');
    return [{ itemNumber: 0, note: 'DE 3/21 blank, no Agent' }];
  },
};
