// Pricing follows the procedure and what CDS actually charged: a line suspended, relieved or
// secured by DE 1/10 / 1/11 / 4/8 carries no exposure or reclaim, and VAT is priced at the rate
// the declaration's VAT code or the tariff gives — never an assumed 20 %.
import { Severity, type TaxLine } from '@customs/contracts';
import { a00, b00, declaration, item } from './__fixtures__/declarations';
import { fixedReferenceView } from './__fixtures__/reference';
import { c16PreferenceWithoutProof } from './c16-preference-without-proof';
import { c31KeyingErrors } from './c31-keying-errors';
import { c39VatValue } from './c39-vat-value';
import { chargeOf, valueChangeEffect, vatRateFor } from './pricing';

const reference = fixedReferenceView();
const today = '2023-06-01';

/** A customs value slipped ×10 against its EUR invoice (£10,000.00 declared, £1,000.00 right). */
const slipped = (over: Parameters<typeof item>[0]) =>
  declaration([item({ originCountry: 'DE', itemPrice: { value: '1165.20', currency: 'EUR' }, customsValuePresent: true, customsValuePence: 1_000_000, ...over })]);

describe('pricing by procedure', () => {
  it('a decimal slip on an inward-processing entry (5100) is no reclaim: nothing was charged', () => {
    const suspended = (t: TaxLine) => ({ ...t, payablePence: 0, suspendedPence: t.payablePence });
    const d = slipped({ procedureCode: '5100', additionalProcedureCodes: ['000'], taxLines: [suspended(a00(120000, 1000000)), suspended(b00(224000, 1120000))] });
    const [hit] = c31KeyingErrors.evaluate({ declaration: d, reference, today });
    expect(hit).toMatchObject({ severity: Severity.SEVERITY_LOW });
    expect(hit!.reclaimDutyPence ?? 0).toBe(0);
    expect(hit!.reclaimVatPence ?? 0).toBe(0);
    expect(hit!.explanation).toMatch(/duty: none — suspended, not charged \(procedure 5100 \(inward processing\)/);
  });

  it('the same slip under free circulation 4000 is a reclaim of duty and VAT', () => {
    const d = slipped({ taxLines: [a00(120000, 1000000), b00(224000, 1120000)] });
    expect(c31KeyingErrors.evaluate({ declaration: d, reference, today })[0]).toMatchObject({ reclaimDutyPence: 108000, reclaimVatPence: 201600 });
  });

  it('APC C07 (negligible value): the duty was relieved, only the VAT effect is priced', () => {
    const d = slipped({ additionalProcedureCodes: ['C07'], taxLines: [a00(0, 1000000), b00(200000, 1000000)] });
    const e = valueChangeEffect(d, d.items[0]!, reference, 1_000_000, -900_000);
    expect(e.dutyPence).toBe(0);
    // VAT 20 % (declared) of £1,000.00 = £200.00 against £2,000.00 charged.
    expect(e.vatPence).toBe(-180_000);
    expect(e.text).toMatch(/^duty: none — relieved, not charged \(APC C07/);
  });

  it('duty secured by method of payment R, and an APC without a rule: not priced', () => {
    const secured = slipped({ taxLines: [{ ...a00(120000, 1000000), methodOfPayment: 'R' }] });
    expect(chargeOf(secured.items[0]!, 'A00').liability).toBe('secured');
    expect(valueChangeEffect(secured, secured.items[0]!, reference, 1_000_000, -900_000).dutyPence).toBe(0);
    const odd = slipped({ additionalProcedureCodes: ['1SG'], taxLines: [a00(120000, 1000000)] });
    const e = valueChangeEffect(odd, odd.items[0]!, reference, 1_000_000, -900_000);
    expect([e.dutyPence, e.vatPence]).toEqual([0, 0]);
    expect(e.text).toMatch(/duty: not priced — APC 1SG has no rule/);
  });
});

describe('quota split: one declared item, two A00 lines', () => {
  it('a value slip scales the duty charged over both lines instead of pricing it at the third-country rate', () => {
    // Quota 054003 covers 600 of 1,000 kg: £6,000.00 at 20 % and £4,000.00 at 2.70 % = £1,308.00.
    const d = slipped({ quotaOrderNumber: '054003', preference: '120', customsValuePence: 1_000_000, taxLines: [a00(120_000, 600_000, '20.00'), a00(10_800, 400_000, '2.70')] });
    const e = valueChangeEffect(d, d.items[0]!, reference, 1_000_000, -900_000);
    expect(e.dutyPence).toBe(-117_720);
    expect(e.text).toMatch(/^duty: duty charged £1,308.00 on £10,000.00 scaled/);
  });
});

describe('preference exposures follow the procedure', () => {
  const claim = (over: Parameters<typeof item>[0]) =>
    declaration([item({ preference: '300', originCountry: 'DE', preferentialOrigin: 'DE', customsValuePresent: true, customsValuePence: 100_000, documents: [], ...over })]);
  it('C16 prices the MFN exposure under free circulation, and none on goods relieved by APC C07', () => {
    expect(c16PreferenceWithoutProof.evaluate({ declaration: claim({}), reference, today })[0]).toMatchObject({ exposureDutyPence: 12_000 });
    const [relieved] = c16PreferenceWithoutProof.evaluate({ declaration: claim({ additionalProcedureCodes: ['C07'] }), reference, today });
    expect(relieved!.exposureDutyPence ?? 0).toBe(0);
    expect(relieved!.explanation).toMatch(/Not priced: customs duty is relieved, not charged: APC C07/);
  });
});

describe('VAT rate by declared VAT code and tariff measure', () => {
  const tomatoes = (additionalCodes: string[]) => item({ commodityCode: '0702000007', originCountry: 'US', additionalCodes });
  const factsOf = (i: ReturnType<typeof item>) => reference.rates!(i.commodityCode, i.originCountry, '2023-01-17');

  it('VATZ declared on zero-rated tomatoes: 0 %', () => {
    const i = tomatoes(['VATZ']);
    expect(vatRateFor(i, factsOf(i))).toMatchObject({ rate: 0n });
  });
  it('the tariff has only a VATZ measure and the item declares no VAT code: unknown, not 20 %', () => {
    const i = tomatoes([]);
    expect(vatRateFor(i, factsOf(i))).toEqual({ reason: expect.stringMatching(/all need a VAT additional code/) });
  });
  it('no VAT facts at all: unknown; VATR declared: 5 %', () => {
    expect(vatRateFor(item({ commodityCode: '9999999999' }), undefined)).toEqual({ reason: expect.stringMatching(/VAT rate unknown/) });
    expect(vatRateFor(item({ additionalCodes: ['VATR'] }), undefined)).toMatchObject({ rate: 50_000n });
  });
  it('a value slip on a VATZ item moves no VAT', () => {
    const d = declaration([item({ commodityCode: '0702000007', originCountry: 'US', additionalCodes: ['VATZ'] })]);
    const e = valueChangeEffect(d, d.items[0]!, reference, 100_000, 50_000);
    expect(e.vatPence).toBe(0);
    expect(e.text).toMatch(/VAT: declared VAT additional code VATZ|VAT: tariff VAT measure 0.00% for VATZ/);
  });

  it('C39: a VAT value that does not add up under warehousing (7100) is reported without money', () => {
    const d = declaration([
      item({ procedureCode: '7100', customsValuePresent: true, customsValuePence: 100_000, vatValuePresent: true, vatValuePence: 150_000, taxLines: [{ ...b00(0, 150_000), rate: '20.00' }] }),
    ]);
    const [hit] = c39VatValue.evaluate({ declaration: d, reference, today });
    expect(hit).toMatchObject({ severity: Severity.SEVERITY_LOW });
    expect(hit!.exposureVatPence ?? 0).toBe(0);
    expect(hit!.reclaimVatPence ?? 0).toBe(0);
    expect(hit!.explanation).toMatch(/no VAT difference is priced: VAT is suspended, not charged/);
  });
});
