import { Severity } from '@customs/contracts';
import { a00, declaration, item } from './__fixtures__/declarations';
import { fixedReferenceView, measure } from './__fixtures__/reference';
import { RULES, referenceNeeds } from './index';
import { dutyUnder, dutyValuePence, invoiceCustomsValue, parseDutyExpression, rateOrigin, reclaimSeverity, signedMoney, underpaymentSeverity, vatOn } from './pricing';

const reference = fixedReferenceView();

describe('scenario pricing on tariff measures', () => {
  it('parses ad valorem, specific per kg/100 kg/1000 kg and compound expressions, and nothing else', () => {
    expect(parseDutyExpression('8.00%')).toEqual({ adValorem: 80000n });
    expect(parseDutyExpression('12.00% + 1.50 GBP / 100 kg')).toEqual({ adValorem: 120000n, specific: { pence: 150n, perKg: 100n } });
    expect(parseDutyExpression('144.10 GBP / 1000 kg')).toEqual({ specific: { pence: 14410n, perKg: 1000n } });
    for (const unsupported of ['26.00 GBP / hl', '8.00% MIN 1.00 GBP / 100 kg', '3.50 EUR / 100 kg', '144.10 GBP / 1000 kg/biodiesel', '2.00 GBP / p/st', ''])
      expect(parseDutyExpression(unsupported)).toBeUndefined();
  });

  it('prices a compound line on the customs value and net mass, rounded down once', () => {
    // 12 % of £1,000.00 = £120.00, plus 1.50 GBP × 250.5 kg / 100 = £3.7575 → £123.75.
    const d = declaration([item({ customsValuePresent: true, customsValuePence: 100000, netMassKg: '250.5' })]);
    const p = dutyUnder(d, d.items[0]!, reference, measure('103', '1011', '12.00% + 1.50 GBP / 100 kg'));
    expect('pence' in p && p.pence).toBe(12375);
    const noMass = declaration([item({ customsValuePresent: true, customsValuePence: 100000, netMassKg: '' })]);
    expect(dutyUnder(noMass, noMass.items[0]!, reference, measure('103', '1011', '1.50 GBP / 100 kg'))).toEqual({
      reason: 'the specific duty "1.50 GBP / 100 kg" needs the net mass (DE 6/1), which is not declared',
    });
  });

  it('values duty on the A00 tax base first, then the reported value, then the invoice with DE 4/9', () => {
    const withBase = declaration([item({ customsValuePresent: true, customsValuePence: 90000, taxLines: [a00(12000, 100000)] })]);
    expect(dutyValuePence(withBase, withBase.items[0]!, reference)).toEqual({ pence: 100000, how: 'A00 tax base (DE 4/4)' });
    // FOB 1165.20 EUR + AP freight 116.52 EUR at 1.1652 = £1,000.00 + £100.00.
    const fob = declaration(
      [
        item({
          itemPrice: { value: '1165.20', currency: 'EUR' },
          adjustments: [
            { code: 'AP', amount: { value: '116.52', currency: 'EUR' } },
            { code: 'AV', amount: { value: '50', currency: 'GBP' } },
          ],
        }),
      ],
      { incoterm: 'FOB' },
    );
    expect(dutyValuePence(fob, fob.items[0]!, reference)!.pence).toBe(110000);
    // DDP price less BA (UK leg) in GBP.
    const ddp = declaration([item({ itemPrice: { value: '1000.00', currency: 'GBP' }, adjustments: [{ code: 'BA', amount: { value: '40.00', currency: 'GBP' } }] })]);
    expect(invoiceCustomsValue(ddp, ddp.items[0]!, reference)).toEqual({ pence: 96000, how: 'item price 1000.00 GBP − BA 40.00 GBP' });
  });

  it('apportions a header-level addition by item price, the last item taking the remainder', () => {
    // AP 100.01 GBP over prices 200 + 100: 66.67 and 33.34 (floor, then remainder).
    const d = declaration([item({ itemPrice: { value: '200.00', currency: 'GBP' } }), item({ itemNumber: 2, itemPrice: { value: '100.00', currency: 'GBP' } })], {
      adjustments: [{ code: 'AP', amount: { value: '100.01', currency: 'GBP' } }],
    });
    expect(invoiceCustomsValue(d, d.items[0]!, reference)).toEqual({ pence: 26667, how: 'item price 200.00 GBP + AP 66.67 (share of header 100.01 by item price) GBP' });
    expect(invoiceCustomsValue(d, d.items[1]!, reference)).toMatchObject({ pence: 13334 });
    const mixed = declaration([item({ itemPrice: { value: '200.00', currency: 'GBP' } }), item({ itemNumber: 2, itemPrice: { value: '100.00', currency: 'EUR' } })], {
      adjustments: [{ code: 'AP', amount: { value: '100.00', currency: 'GBP' } }],
    });
    expect(invoiceCustomsValue(mixed, mixed.items[0]!, reference)).toEqual({ reason: 'header-level additions/deductions cannot be apportioned: item prices are missing or in different currencies' });
  });

  it('rounds VAT down on the magnitude in both directions', () => {
    expect(vatOn(12345, { rate: 200_000n, source: '' })).toBe(2469);
    expect(vatOn(-12345, { rate: 200_000n, source: '' })).toBe(-2469);
  });

  it('grades money by direction and the C285 clock (DOMAIN.md §3.0)', () => {
    expect(underpaymentSeverity(999_999)).toBe(Severity.SEVERITY_HIGH);
    expect(underpaymentSeverity(1_000_000)).toBe(Severity.SEVERITY_CRITICAL);
    expect(reclaimSeverity(100_000, '2021-03-15', '2024-01-10')).toBe(Severity.SEVERITY_HIGH); // 65 days left
    expect(reclaimSeverity(99_999, '2021-03-15', '2024-01-10')).toBe(Severity.SEVERITY_MEDIUM);
    expect(reclaimSeverity(100_000, '2021-03-15', '2023-01-01')).toBe(Severity.SEVERITY_MEDIUM);
    expect(reclaimSeverity(100_000, '2021-03-15', '2024-03-16')).toBe(Severity.SEVERITY_LOW);
    expect(signedMoney(-500, -100, '2021-03-15', '2023-01-01')).toEqual({ severity: Severity.SEVERITY_MEDIUM, reclaimDutyPence: 500, reclaimVatPence: 100 });
    expect(signedMoney(0, 0, '2021-03-15', '2023-01-01')).toEqual({ severity: Severity.SEVERITY_LOW });
  });

  it('asks the tariff about the preferential origin when a preference is claimed, else the origin', () => {
    expect(rateOrigin(item({ originCountry: 'CN' }))).toBe('CN');
    expect(rateOrigin(item({ originCountry: 'DE', preference: '300', preferentialOrigin: 'FR' }))).toBe('FR');
    expect(rateOrigin(item({ originCountry: '', preference: '300', preferentialOrigin: '1013' }))).toBe('1013');
    expect(rateOrigin(item({ originCountry: '', preferentialOrigin: '' }))).toBe('1011');
    expect(rateOrigin(item({ originCountry: 'DE', preference: '300', preferentialOrigin: 'EU' }))).toBe('DE');
  });
});

describe('batched reference needs of the whole catalogue', () => {
  it('asks once per (code, origin, date), plus the dispatch country where C25 needs it, and the currency list', () => {
    const d = declaration([
      item({ commodityCode: '0702000007', originCountry: 'JP', preferentialOrigin: 'JP', dispatchCountry: 'NL', preference: '300', itemPrice: { value: '1000', currency: 'EUR' } }),
      item({ itemNumber: 2, commodityCode: '0702000007', originCountry: 'JP', preferentialOrigin: 'JP', dispatchCountry: 'NL', preference: '300' }),
    ]);
    const needs = referenceNeeds(RULES, [d]);
    expect(needs.rates).toEqual([
      { code: '0702000007', origin: 'JP', date: '2023-01-17' },
      { code: '0702000007', origin: 'NL', date: '2023-01-17' },
    ]);
    expect(needs.fx).toEqual([{ currency: 'EUR', date: '2023-01-17' }]);
    expect(needs.codeLists).toEqual([{ list: 'currency', code: 'EUR', date: '2023-01-17' }]);
  });
});

describe('forms beyond ad valorem and per kg go through the duty engine', () => {
  // UKGT 2204109400 sparkling wine with PGI: 26.00 GBP/hl (ukgt_2021-01-01_global-uk-tariff.csv).
  const wine = (supplementaryUnits: string) =>
    declaration([item({ commodityCode: '2204109400', description: 'Sparkling wine, PGI', originCountry: 'US', supplementaryUnits, itemPrice: { value: '1200.00', currency: 'GBP' }, taxLines: [] })], {
      acceptanceDate: '2023-08-21',
    });
  const perHl = measure('103', '1011', '26.00 GBP / hl');

  it('prices a per-hectolitre duty on the declared litres, rounded down, with the engine’s working', () => {
    const view = fixedReferenceView({
      rates: {
        '2204109400|US': {
          known: true,
          unknownReason: '',
          thirdCountry: perHl,
          preferential: [],
          suspensions: [],
          tradeRemedies: [],
          vat: [],
          supplementaryUnit: 'l',
          schemes: [],
          datasetVersion: 't',
          measuresLoaded: true,
        },
      },
    });
    const d = wine('225');
    const priced = dutyUnder(d, d.items[0]!, view, perHl);
    // 225 l = 2.25 hl × £26.00 = £58.50
    expect(priced).toMatchObject({ pence: 5850 });
    expect('text' in priced && priced.text).toMatch(/26\.00 GBP \/ hl/);
  });

  it('says "not priced" with the reason when the unit of DE 6/2 is not known', () => {
    const d = wine('225');
    const priced = dutyUnder(d, d.items[0]!, fixedReferenceView({ rates: 'none' }), perHl);
    expect(priced).toMatchObject({ reason: expect.stringMatching(/cannot be priced from the data: .*litres/) });
  });
});
