import { declaration, item } from '../rules/__fixtures__/declarations';
import { fixedReferenceView } from '../rules/__fixtures__/reference';

const reference = fixedReferenceView();
import { recomputedTaxLines } from './recomputed-tax-lines';

describe('recomputed tax lines of a draft declaration', () => {
  it('computes A00 at the third-country rate and B00 on customs value + duty, each rounded down', () => {
    // T-shirts from CN, £1,000.00 customs value: A00 12 % = £120.00, B00 20 % of £1,120.00 = £224.00.
    const lines = recomputedTaxLines(declaration([item({ customsValuePresent: true, customsValuePence: 100000 })]), reference);
    expect(lines.map((l) => [l.taxType, l.status, l.assessedPence, l.payablePence, l.liability])).toEqual([
      ['A00', 'computed', 12000, 12000, 'payable'],
      ['B00', 'computed', 22400, 22400, 'payable'],
    ]);
  });

  it('assesses without charging under inward processing, and says unknown (no number) without tariff facts', () => {
    const ip = recomputedTaxLines(declaration([item({ procedureCode: '5100', customsValuePresent: true, customsValuePence: 100000 })]), reference);
    expect(ip.map((l) => [l.taxType, l.assessedPence, l.payablePence])).toEqual([
      ['A00', 12000, 0],
      ['B00', 22400, 0],
    ]);
    const unknown = recomputedTaxLines(declaration([item({ originCountry: 'ZZ', customsValuePresent: true, customsValuePence: 100000 })]), reference);
    expect(unknown.map((l) => [l.taxType, l.status, l.assessedPence, l.payablePence])).toEqual([
      ['A00', 'unknown', null, null],
      ['B00', 'unknown', null, null],
    ]);
  });
});
