// Expression forms and line structures beyond plain duty: minus components, retail-price excise,
// specific plus ad valorem with MIN/MAX, small producer relief, quotas that split an item into an
// in-quota and an out-of-quota line, excise in the VAT value, and VAT "unknown" while its base may
// be missing a trade remedy or excise.
import { computeDutyLine, type DutyLineInput } from './compute';
import { evaluateDutyExpression } from './evaluate';
import { parseDutyExpression, parseDutyExpressionUncached } from './parse';
import { DUTY_CALCULATOR_MEASURES } from './__fixtures__/duty-calculator-measures';

const line = (over: Partial<DutyLineInput>): DutyLineInput => ({ acceptanceDate: '2024-03-01', customsValue: { pence: 100_000 }, quantities: {}, measures: [], ...over });
const measure = (expression: string, measureType = '103', taxType = 'A00') => ({ measureType, taxType, expression, source: 'test' });
const fixture = (code: string, type: string) => DUTY_CALCULATOR_MEASURES[code]!.find((m) => m.measureType === type)!;

describe('minus components', () => {
  it('parses "- N GBP / unit" as a subtracted component, leaving hyphenated season dates alone', () => {
    const e = parseDutyExpressionUncached('12.00 % - 3.00 GBP / 100 kg');
    expect(e.kind === 'simple' && e.components.map((c) => [c.kind, !!c.subtract])).toEqual([
      ['adValorem', false],
      ['specific', true],
    ]);
    expect(parseDutyExpressionUncached('8.00% (01 JAN-31 MAR), 0.00%').kind).toBe('seasonal');
  });
  it('12.00% of £1,000.00 − 3.00 GBP × 2 (200 kg) = £114.00', () => {
    const r = computeDutyLine(line({ quantities: { netMassKg: '200' }, measures: [measure('12.00 % - 3.00 GBP / 100 kg')] }));
    expect(r.taxLines[0]).toMatchObject({ status: 'computed', amountPence: 11_400 });
    expect(r.taxLines[0]!.explanation).toContain('− 3.00 GBP/100 kg × 2');
  });
  it('a minus larger than the rest is unknown (no negative duty, no guessed zero)', () => {
    const r = computeDutyLine(line({ quantities: { netMassKg: '10000' }, measures: [measure('1.00 % - 3.00 GBP / 100 kg')] }));
    expect(r.taxLines[0]).toMatchObject({ status: 'unknown' });
    expect(r.taxLines[0]!.unknownReason).toMatch(/negative amount/);
  });
});

describe('retail price and MIN: cigarette excise (duty-calculator fixture 0103921100, measure 306)', () => {
  const excise = fixture('0103921100', '306');
  const run = (retailPriceGbp?: string) =>
    computeDutyLine(
      line({
        quantities: { supplementaryUnits: '10000', supplementaryUnit: 'NAR', ...(retailPriceGbp ? { retailPriceGbp } : {}) },
        measures: [measure(excise.base, '306', '611')],
        vatRatePercent: '20',
      }),
    );
  it('16.50% of a £5,000.00 retail price + 244.78 GBP × 10 (10,000 sticks) = £3,272.80; VAT on CV + excise', () => {
    const r = run('5000.00');
    expect(r.taxLines.map((l) => [l.taxType, l.amountPence, l.basePence])).toEqual([
      ['611', 327_280, 100_000],
      ['B00', 85_456, 427_280],
    ]);
    expect(r.excisePence).toBe(327_280);
  });
  it('on a £100.00 retail price the MIN 320.90 GBP per 1,000 applies: £3,209.00', () => {
    expect(run('100.00').taxLines[0]!.amountPence).toBe(320_900);
  });
  it('without the retail price the excise is unknown, and so is the VAT', () => {
    const r = run();
    expect(r.taxLines.map((l) => l.status)).toEqual(['unknown', 'unknown']);
    expect(r.taxLines[0]!.unknownReason).toMatch(/retail price is not declared/);
  });
});

describe('specific plus ad valorem with MIN/MAX', () => {
  const ctx = { customsValuePence: 100_000, acceptanceDate: '2024-03-01', quantities: { netMassKg: '1000' } };
  it('MAX caps the compound: 9% + 2.00 GBP/100 kg = £110 capped at 10% = £100', () => {
    const ev = evaluateDutyExpression(parseDutyExpression('9.00 % + 2.00 GBP / 100 kg MAX 10.00 %'), ctx);
    // Exact pence, unreduced: 10,000 pence.
    expect(ev.status === 'computed' && ev.pence.n / ev.pence.d).toBe(10_000n);
    expect(ev.status === 'computed' && ev.pence.n % ev.pence.d).toBe(0n);
    expect(ev.status === 'computed' && ev.notes.join()).toMatch(/MAX 10.00% × £1,000.00 = 100.00: applies instead of 110.00/);
  });
  it('MIN raises it: 5% + 1.00 GBP/100 kg = £60 raised to MIN 8% + 0.50 GBP/100 kg = £85', () => {
    const r = computeDutyLine(line({ quantities: { netMassKg: '1000' }, measures: [measure('5.00 % + 1.00 GBP / 100 kg MIN 8.00 % + 0.50 GBP / 100 kg')] }));
    expect(r.dutyPence).toBe(8_500);
  });
});

describe('small producer relief (alcohol duty)', () => {
  const spr = '28.50 GBP / l alc. 100% - 1.00 GBP / for each litre of pure alcohol, multiplied by the SPR discount';
  it('28.50 × 40 LPA − 40 LPA × £5.00 discount = £940.00', () => {
    const r = computeDutyLine(
      line({ quantities: { supplementaryUnits: '100', supplementaryUnit: 'LTR', alcoholPercentVol: '40', sprDiscountGbpPerLpa: '5.00' }, measures: [measure(spr, '306', '311')] }),
    );
    expect(r.taxLines[0]).toMatchObject({ status: 'computed', amountPence: 94_000 });
  });
  it('without the declared SPR discount: unknown', () => {
    const r = computeDutyLine(line({ quantities: { supplementaryUnits: '100', supplementaryUnit: 'LTR', alcoholPercentVol: '40' }, measures: [measure(spr, '306', '311')] }));
    expect(r.taxLines[0]!.unknownReason).toMatch(/small producer relief discount/);
  });
});

describe('quotas: one declared item, two calculated lines (duty-calculator fixture 7202999000, 122 quota 054003)', () => {
  const quota = fixture('7202999000', '122');
  const mfn = fixture('7202999000', '103');
  const run = (allocated: string, extra: Partial<DutyLineInput> = {}) =>
    computeDutyLine(
      line({
        customsValue: { pence: 1_000_000 },
        quantities: { netMassKg: '1000' },
        measures: [measure(mfn.base)],
        quota: { orderNumber: quota.orderNumber!, measure: measure(quota.base, '122'), allocatedQuantity: allocated, declaredQuantity: '1000', unit: 'kg' },
        ...extra,
      }),
    );
  it('600 of 1,000 kg in quota: £6,000.00 at 20.00% and £4,000.00 at 2.70%', () => {
    const r = run('600');
    expect(r.taxLines.map((l) => [l.measureType, l.basePence, l.amountPence, l.quota?.portion, l.quota?.share])).toEqual([
      ['122', 600_000, 120_000, 'inQuota', '0.6'],
      ['103', 400_000, 10_800, 'outOfQuota', '0.4'],
    ]);
    expect(r.dutyPence).toBe(130_800);
    expect(r.explanation.join('\n')).toContain('Quota 054003: 600 kg of 1000 kg allocated');
  });
  it('fully allocated: the in-quota line only; nothing allocated: the normal rate only', () => {
    expect(run('1000').taxLines.map((l) => l.measureType)).toEqual(['122']);
    expect(run('0').taxLines.map((l) => [l.measureType, l.basePence])).toEqual([['103', 1_000_000]]);
  });
  it('a share that does not terminate: in-quota value rounded down, the rest takes the remainder', () => {
    const r = computeDutyLine(
      line({
        customsValue: { pence: 1_000_000 },
        quantities: { netMassKg: '3' },
        measures: [measure('2.00 GBP / kg')],
        quota: { orderNumber: '054003', measure: measure('1.00 GBP / kg', '122'), allocatedQuantity: '1', declaredQuantity: '3' },
      }),
    );
    expect(r.taxLines.map((l) => [l.basePence, l.amountPence])).toEqual([
      [333_333, 100],
      [666_667, 400],
    ]);
  });
  it('refuses an allocation above the declared quantity', () => {
    expect(() => run('1001')).toThrow(RangeError);
  });
});

describe('VAT value completeness', () => {
  it('VAT is unknown while trade remedies may be missing from its base', () => {
    const r = computeDutyLine(line({ measures: [measure('2.70%')], vatRatePercent: '20', tradeRemediesUnknownReason: 'remedy measures not loaded' }));
    expect(r.taxLines[1]).toMatchObject({ taxType: 'B00', status: 'unknown' });
    expect(r.taxLines[1]!.unknownReason).toBe('VAT value incomplete: trade remedies unknown: remedy measures not loaded');
    expect(r.payableVatPence).toBeUndefined();
  });
  it('and while excise may be missing', () => {
    const r = computeDutyLine(line({ vatRatePercent: '20', exciseUnknownReason: 'excise 311 declared, measure not loaded' }));
    expect(r.taxLines[0]!.unknownReason).toMatch(/excise unknown/);
  });
  it('a known trade remedy enters the VAT value (552 on top of 103)', () => {
    const remedy = fixture('1516209821', '552');
    const r = computeDutyLine(line({ quantities: { byUnit: { TNEI: '2' } }, measures: [measure('10.90%'), measure(remedy.base, '552', 'A30')], vatRatePercent: '20' }));
    // 10.90% of £1,000 = £109.00; 144.10 GBP × 2 t biodiesel = £288.20; VAT 20% × £1,397.20 = £279.44.
    expect(r.taxLines.map((l) => [l.taxType, l.amountPence])).toEqual([
      ['A00', 10_900],
      ['A30', 28_820],
      ['B00', 27_944],
    ]);
  });
  it('a zero VAT rate is £0 whatever the base', () => {
    const r = computeDutyLine(line({ vat: { declaredAdditionalCodes: ['VATZ'] }, tradeRemediesUnknownReason: 'not loaded' }));
    expect(r.taxLines[0]).toMatchObject({ status: 'computed', amountPence: 0, vatCategory: 'zero', payablePence: 0 });
  });
});
