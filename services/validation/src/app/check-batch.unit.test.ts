import { CommodityResult, Declaration, GoodsItem, type CodeListResult, type FxResult, type RateResult } from '@customs/contracts';
import { c01IdentifierFormat } from '../rules/c01-identifier-format';
import { c08CommodityValidity } from '../rules/c08-commodity-validity';
import { c13SupplementaryUnits } from '../rules/c13-supplementary-units';
import { evaluateDeclaration, referenceNeeds, type Rule, type UndecidedRule } from '../rules';
import { checkBatch, uncheckableReason } from './check-batch';
import { undecidedEntries } from './not-checked';
import type { ReferencePort } from './reference-port';

const declaration = (over: Partial<Declaration> = {}) =>
  Declaration.fromPartial({
    tenantId: 't1',
    declarationId: 'd1',
    version: 1,
    mrn: 'NOT-AN-MRN',
    lrn: 'LRN1',
    acceptanceDate: '2024-03-15',
    parties: [{ role: 'importer', id: 'GB553202734852' }],
    items: [GoodsItem.fromPartial({ itemNumber: 1, commodityCode: '8510900000' })],
    ...over,
  });

/** A rule whose evaluation throws on any declaration (a bug meeting odd data). */
const throwsOnEvaluate: Rule = {
  meta: { ...c01IdentifierFormat.meta, id: 'X98', version: '1' },
  evaluate: () => {
    throw new RangeError('Invalid time value');
  },
};
/** A rule whose reference needs throw. */
const throwsOnNeeds: Rule = {
  meta: { ...c08CommodityValidity.meta, id: 'X99', version: '1' },
  needs: () => {
    throw new Error('cannot build a lookup');
  },
  evaluate: () => [],
};

class Port implements ReferencePort {
  async lookupCommodities(q: { code: string; date: string }[]): Promise<CommodityResult[]> {
    return q.map((x) => CommodityResult.fromPartial({ commodityCode: x.code, date: x.date, known: false, datasetVersion: 'nom@test' }));
  }
  async lookupFx(): Promise<FxResult[]> {
    return [];
  }
  async lookupRates(): Promise<RateResult[]> {
    return [];
  }
  async lookupCodeLists(): Promise<CodeListResult[]> {
    return [];
  }
}

describe('a rule that cannot decide', () => {
  it('is recorded as undecided while the other rules still run; without a sink the error propagates', () => {
    const view = { commodity: () => undefined, fx: () => undefined };
    const undecided: UndecidedRule[] = [];
    const findings = evaluateDeclaration([throwsOnEvaluate, c01IdentifierFormat], declaration(), view, '2026-01-01', '2026-01-01T00:00:00Z', {}, undecided);
    expect(findings.map((f) => f.ruleId)).toContain('C01');
    expect(undecided).toEqual([{ ruleId: 'X98', ruleVersion: '1', reason: 'rule X98 could not decide (evaluate failed: Invalid time value)', cause: 'failed', itemNumber: 0 }]);
    expect(() => evaluateDeclaration([throwsOnEvaluate], declaration(), view, '2026-01-01', '2026-01-01T00:00:00Z', {})).toThrow('Invalid time value');
    const needsFailed: UndecidedRule[] = [];
    expect(referenceNeeds([throwsOnNeeds, c08CommodityValidity], [declaration(), declaration({ declarationId: 'd2' })], needsFailed).commodities).toEqual([{ code: '8510900000', date: '2024-03-15' }]);
    expect(needsFailed).toEqual([{ ruleId: 'X99', ruleVersion: '1', reason: 'rule X99 could not decide (needs failed: cannot build a lookup)', cause: 'failed', itemNumber: 0 }]);
  });

  it('leaves the rule out of the declaration’s check (rulesEvaluated) and keeps the other rules’ findings', async () => {
    const [r] = await checkBatch([throwsOnEvaluate, throwsOnNeeds, c01IdentifierFormat, c08CommodityValidity], new Port(), [declaration()], new Date('2026-01-01T00:00:00Z'));
    expect(r!.undecided.map((u) => u.ruleId).sort()).toEqual(['X98', 'X99']);
    expect(r!.summary.rulesEvaluated).toEqual(['C01', 'C08']);
    expect(new Set(r!.findings.map((f) => f.ruleId))).toEqual(new Set(['C01', 'C08']));
  });
});

describe('a rule that runs but cannot decide on an item', () => {
  // C13 needs the code's Online Trade Tariff measures; without them it says so for the item.
  it('is recorded as not checked with the item and reason, still counts as evaluated, and its other findings stand', async () => {
    const [r] = await checkBatch([c13SupplementaryUnits, c01IdentifierFormat], new Port(), [declaration()], new Date('2026-01-01T00:00:00Z'));
    expect(r!.summary.rulesEvaluated).toEqual(['C13', 'C01']);
    expect(r!.undecided.filter((u) => u.ruleId === 'C13').map((u) => [u.cause, u.itemNumber, u.reason.includes('supplementary units') || u.reason.startsWith('no tariff facts')])).toEqual([
      ['not_checked', 1, true],
    ]);
    const entries = undecidedEntries(r!, { evaluationId: 'ev-1' });
    expect(entries.map((e) => [e.ruleId, e.itemNumber, e.cause])).toEqual([['C13', 1, 'rule_not_checked']]);
    expect(entries[0]!.reason).toMatch(/^rule C13 not checked on item 1, because /);
  });
});

describe('a declaration no rule can check', () => {
  it('is one whose acceptance date is not a real calendar day', () => {
    expect(uncheckableReason(declaration({ acceptanceDate: '2023-02-30' }))).toBe(
      'acceptance date "2023-02-30" is not a real calendar date, so nothing can be dated by it (tariff, exchange rate, 3-year deadline): no rule was run',
    );
    for (const bad of ['2999-13-45', '0000-00-00', '0000-01-01', '2023-04-31', '2023-02-29', '1900-02-29', '14/03/2023', '2023-3-1'])
      expect(uncheckableReason(declaration({ acceptanceDate: bad }))).toMatch(/^acceptance date /);
    for (const good of ['2024-02-29', '2000-02-29', '2023-12-31', '']) expect(uncheckableReason(declaration({ acceptanceDate: good }))).toBeUndefined();
  });
});
