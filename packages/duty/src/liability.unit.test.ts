// VAT rate by declared VAT code / tariff measure, and "assessed, not payable" by procedure (CPC,
// APC, method of payment): each case CDS treats differently from plain free circulation.
import { computeDutyLine, type DutyLineInput } from './compute';
import { procedureLiability, resolveVatRate, taxClassOf } from './liability';
import { vatMeasuresOf } from './__fixtures__/duty-calculator-measures';

const base = (over: Partial<DutyLineInput> = {}): DutyLineInput => ({
  acceptanceDate: '2021-06-01',
  customsValue: { pence: 100_000 },
  quantities: {},
  measures: [{ measureType: '103', taxType: 'A00', expression: '10.90%', source: 'test' }],
  ...over,
});

describe('resolveVatRate', () => {
  it('VATZ declared: the tariff measure for VATZ (0 %), not the default 20 % measure', () => {
    const r = resolveVatRate({ declaredAdditionalCodes: ['VATZ'], measures: vatMeasuresOf('1516209821') });
    expect(r).toMatchObject({ status: 'known', ratePercent: '0.00', category: 'zero' });
  });
  it('no VAT code declared: the tariff default measure (20 %)', () => {
    expect(resolveVatRate({ declaredAdditionalCodes: [], measures: vatMeasuresOf('1516209821') })).toMatchObject({ status: 'known', ratePercent: '20.00', category: 'standard' });
  });
  it('VATZ / VATR / VATE by their legal meaning when the tariff VAT measures are not loaded', () => {
    expect(resolveVatRate({ declaredAdditionalCodes: ['VATZ'] })).toMatchObject({ status: 'known', ratePercent: '0', category: 'zero' });
    expect(resolveVatRate({ declaredAdditionalCodes: ['vatr'] })).toMatchObject({ status: 'known', ratePercent: '5', category: 'reduced' });
    expect(resolveVatRate({ declaredAdditionalCodes: ['VATE'] })).toMatchObject({ status: 'known', ratePercent: '0', category: 'exempt' });
  });
  it('VTZ-only tariff (no additional code): zero rate without any declared code', () => {
    expect(resolveVatRate({ measures: vatMeasuresOf('0103921100') })).toMatchObject({ status: 'known', ratePercent: '0.00', category: 'zero' });
  });
  it('unknown when nothing settles it — never 20 % by assumption', () => {
    const r = resolveVatRate({ declaredAdditionalCodes: ['X333'] });
    expect(r.status).toBe('unknown');
    expect(r.status === 'unknown' && r.reason).toMatch(/no VAT additional code/);
  });
  it('unknown when the only tariff VAT measure needs a code the item does not declare', () => {
    expect(resolveVatRate({ measures: vatMeasuresOf('0809400500') }).status).toBe('unknown');
  });
  it('unknown for two different VAT codes, and for a VAT code the engine does not know', () => {
    expect(resolveVatRate({ declaredAdditionalCodes: ['VATZ', 'VATR'] }).status).toBe('unknown');
    expect(resolveVatRate({ declaredAdditionalCodes: ['VATX'] }).status).toBe('unknown');
  });
  it('the B00 rate the declaration states, when neither code nor tariff says more', () => {
    expect(resolveVatRate({ declaredRatePercent: '20.00' })).toMatchObject({ status: 'known', ratePercent: '20.00', category: 'standard' });
  });
});

describe('procedureLiability', () => {
  it('tax classes', () => {
    expect(['A00', 'A30', 'B00', '311', 'XYZ'].map(taxClassOf)).toEqual(['duty', 'duty', 'vat', 'excise', 'other']);
  });
  it('free circulation 4000/000 is payable; no procedure given is payable', () => {
    expect(procedureLiability({ cpc: '4000', apcs: ['000'] }, 'A00').liability).toBe('payable');
    expect(procedureLiability(undefined, 'B00').liability).toBe('payable');
  });
  it.each([
    ['5100', 'inward processing'],
    ['5171', 'inward processing'],
    ['5300', 'temporary admission'],
    ['7100', 'customs warehousing'],
  ])('CPC %s (%s) suspends duty, VAT and excise', (cpc, name) => {
    for (const t of ['A00', 'B00', '311']) {
      const d = procedureLiability({ cpc, apcs: ['000'] }, t);
      expect(d.liability).toBe('suspended');
      expect(d.reason).toContain(name);
    }
  });
  it('CPC 0700 (into an excise warehouse): duty payable, VAT and excise suspended', () => {
    expect(procedureLiability({ cpc: '0700', apcs: ['F06'] }, 'A00').liability).toBe('payable');
    expect(procedureLiability({ cpc: '0700' }, 'B00').liability).toBe('suspended');
    expect(procedureLiability({ cpc: '0700' }, '411').liability).toBe('suspended');
  });
  it('CPC 42xx onward supply relieves VAT only', () => {
    expect(procedureLiability({ cpc: '4200' }, 'B00').liability).toBe('relieved');
    expect(procedureLiability({ cpc: '4200' }, 'A00').liability).toBe('payable');
  });
  it('APC C07 relieves duty and leaves VAT due; with 1RV VAT is relieved too (TT_IM080a)', () => {
    expect(procedureLiability({ cpc: '4000', apcs: ['C07'] }, 'A00').liability).toBe('relieved');
    expect(procedureLiability({ cpc: '4000', apcs: ['C07'] }, 'B00').liability).toBe('payable');
    expect(procedureLiability({ cpc: '4000', apcs: ['C07', '1RV'] }, 'B00').liability).toBe('relieved');
  });
  it('APC 1FV: duty reserved as a security deposit (TT_IM102a)', () => {
    expect(procedureLiability({ cpc: '4000', apcs: ['1FV'] }, 'A00')).toMatchObject({ liability: 'secured' });
  });
  it('method of payment R (security deposit on the deferment account) secures the line; E and G are payable', () => {
    expect(procedureLiability({ cpc: '4000' }, 'A00', 'R').liability).toBe('secured');
    expect(procedureLiability({ cpc: '4000' }, 'A00', 'E').liability).toBe('payable');
    expect(procedureLiability({ cpc: '4000' }, 'B00', 'G').liability).toBe('payable');
  });
  it('a security method of payment secures the line even when no procedure is given (free circulation assumed)', () => {
    expect(procedureLiability(undefined, 'A00', 'R').liability).toBe('secured');
    expect(procedureLiability(undefined, 'A00', 'E').liability).toBe('payable');
    expect(procedureLiability(undefined, 'A00').liability).toBe('payable');
  });
  it('returned goods relief: F01 relieves duty (VAT unknown), F05 duty and VAT', () => {
    expect(procedureLiability({ cpc: '6123', apcs: ['F01'] }, 'A00').liability).toBe('relieved');
    expect(procedureLiability({ cpc: '6123', apcs: ['F01'] }, 'B00').liability).toBe('unknown');
    expect(procedureLiability({ cpc: '6123', apcs: ['F05'] }, 'B00').liability).toBe('relieved');
  });
  it('an APC the engine has no rule for makes the line unknown, not payable', () => {
    const d = procedureLiability({ cpc: '4000', apcs: ['1SG'] }, 'A00');
    expect(d.liability).toBe('unknown');
    expect(d.reason).toContain('1SG');
  });
  it('the 7-character CPC form carries the APC', () => {
    expect(procedureLiability({ cpc: '4000C07' }, 'A00').liability).toBe('relieved');
  });
});

describe('computeDutyLine with procedure and VAT codes', () => {
  it('VATZ declared: B00 computed at 0 %, zero-rated, nothing payable', () => {
    const r = computeDutyLine(base({ vat: { declaredAdditionalCodes: ['VATZ'], measures: vatMeasuresOf('1516209821') } }));
    const b00 = r.taxLines.find((l) => l.taxType === 'B00')!;
    expect([b00.status, b00.amountPence, b00.payablePence, b00.vatCategory, b00.basePence]).toEqual(['computed', 0, 0, 'zero', 110_900]);
    expect(r.payableDutyPence).toBe(10_900);
    expect(r.payableVatPence).toBe(0);
  });
  it('VAT rate unknown: B00 unknown with the reason, no figure', () => {
    const r = computeDutyLine(base({ vat: {} }));
    const b00 = r.taxLines.find((l) => l.taxType === 'B00')!;
    expect(b00.status).toBe('unknown');
    expect(b00.unknownReason).toMatch(/VAT rate unknown/);
    expect(b00.payablePence).toBeUndefined();
    expect(r.payableVatPence).toBeUndefined();
    expect(r.payableDutyPence).toBe(10_900);
  });
  it('inward processing 5100: A00 and B00 assessed as CDS does, payable 0', () => {
    const r = computeDutyLine(base({ procedure: { cpc: '5100', apcs: ['000'] }, vatRatePercent: '20' }));
    expect(r.taxLines.map((l) => [l.taxType, l.amountPence, l.liability, l.payablePence])).toEqual([
      ['A00', 10_900, 'suspended', 0],
      ['B00', 22_180, 'suspended', 0],
    ]);
    expect([r.dutyPence, r.vatPence, r.payableDutyPence, r.payableVatPence]).toEqual([10_900, 22_180, 0, 0]);
    expect(r.explanation.join('\n')).toMatch(/suspended, not payable: procedure 5100 \(inward processing\)/);
  });
  it('C07: relieved duty stays out of the VAT value; VAT payable on the customs value', () => {
    const r = computeDutyLine(base({ procedure: { cpc: '4000', apcs: ['C07'] }, vatRatePercent: '20' }));
    const [a00, b00] = r.taxLines;
    expect([a00!.liability, a00!.payablePence, b00!.basePence, b00!.payablePence]).toEqual(['relieved', 0, 100_000, 20_000]);
  });
  it('C07 + 1RV: nothing payable at all', () => {
    const r = computeDutyLine(base({ procedure: { cpc: '4000', apcs: ['C07', '1RV'] }, vatRatePercent: '20' }));
    expect([r.payableDutyPence, r.payableVatPence]).toEqual([0, 0]);
  });
  it('a line under an APC without a rule: charge unknown, and VAT unknown because its base may include it', () => {
    const r = computeDutyLine(base({ procedure: { cpc: '4000', apcs: ['1SG'] }, vatRatePercent: '20' }));
    expect(r.taxLines[0]!.liability).toBe('unknown');
    expect(r.payableDutyPence).toBeUndefined();
    expect(r.taxLines[1]!.status).toBe('unknown');
  });
  it('VATZ under an APC without a rule: £0 assessed is £0 charged whatever the relief', () => {
    const r = computeDutyLine(base({ measures: [], procedure: { cpc: '4000', apcs: ['1RM'] }, vat: { declaredAdditionalCodes: ['VATZ'] } }));
    expect(r.taxLines[0]).toMatchObject({ taxType: 'B00', liability: 'unknown', amountPence: 0, payablePence: 0 });
    expect(r.payableVatPence).toBe(0);
  });
  it('secured duty (method of payment R) still enters the VAT value', () => {
    const r = computeDutyLine(base({ measures: [{ measureType: '103', taxType: 'A00', expression: '10.90%', source: 't', methodOfPayment: 'R' }], procedure: { cpc: '4000' }, vatRatePercent: '20' }));
    expect(r.taxLines.map((l) => [l.liability, l.payablePence, l.basePence])).toEqual([
      ['secured', 0, 100_000],
      ['payable', 22_180, 110_900],
    ]);
  });
});
