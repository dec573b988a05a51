import type { Injector } from './types';

/** C01: a VAT number keyed as the declarant EORI, an EORI with a digit dropped, or a 6-digit DAN. */
export const c01: Injector = {
  ruleId: 'C01',
  description: 'identifier keyed wrongly: VAT number instead of EORI, EORI missing a digit, or DAN with a digit dropped',
  wants: { broker: true, anyProcedure: true },
  inject(draft, { rng }) {
    const d = draft.declaration;
    const kind = rng.int(0, 3);
    if (kind === 0) {
      // Broker keyed the importer's VAT number (GB + 9 digits) as its EORI: generic shape, not GB + 12.
      const p = d.parties.find((x) => x.role === 'importer')!;
      p.id = draft.importer.vatNumber;
      d.importerEori = p.id;
      return [{ itemNumber: 0, note: `importer EORI keyed as VAT number ${p.id}` }];
    }
    if (kind === 1) {
      for (const p of d.parties) if (p.role === 'declarant' || p.role === 'representative') p.id = p.id.slice(0, 13);
      return [{ itemNumber: 0, note: 'declarant/representative EORI missing its last digit' }];
    }
    if (kind === 3) {
      // MRN copied without its check digit (17 characters).
      d.mrn = d.mrn.slice(0, 17);
      return [{ itemNumber: 0, note: `MRN ${d.mrn} has 17 characters` }];
    }
    d.defermentAccounts = [d.defermentAccounts[0]!.slice(0, 6)];
    return [{ itemNumber: 0, note: `DAN ${d.defermentAccounts[0]} has 6 digits` }];
  },
};
