import * as fs from 'node:fs';
import * as path from 'node:path';
import { computeCustomsValue, computeDutyLine, type DutyLineInput } from './compute';
import type { DutyQuantities } from './evaluate';
import { parseMeasureTypeTaxTypes } from './measure-tax-types';
import { DATA_DIR, ottCherryTomatoes, parseCsv, ukgtRow } from './__fixtures__/tariff-files';

// HMRC monthly rates (currency units per £1) read from the shipped file, never retyped.
function hmrcRate(currency: string, month: string): string {
  const rows = parseCsv(fs.readFileSync(path.join(DATA_DIR, 'exchange_rates/hmrc_monthly_rates_2020-01_to_2023-08.csv'), 'utf8'));
  const row = rows.find((r) => r[0] === currency && r[1] === `${month}-01`);
  if (!row) throw new Error(`no HMRC rate for ${currency} ${month}`);
  return row[3]!;
}
const taxTypes = parseMeasureTypeTaxTypes(fs.readFileSync(path.join(DATA_DIR, 'codes/measure_type_to_tax_type.csv'), 'utf8'));
const taxType = (measureType: string) => taxTypes.get(measureType)!.taxType;

function mfnLine(commodity: string, cvPence: number, quantities: DutyQuantities, acceptanceDate = '2021-03-10', column: 'ukgt' | 'cet' = 'ukgt'): DutyLineInput {
  const row = ukgtRow(commodity);
  return {
    acceptanceDate,
    customsValue: { pence: cvPence },
    quantities,
    measures: [{ measureType: '103', taxType: 'A00', expression: row[column], source: `${column.toUpperCase()} ${commodity}` }],
  };
}

describe('reference inputs read from the shipped data', () => {
  it('HMRC January 2023 rates match DOMAIN.md §4.1', () => {
    expect([hmrcRate('EUR', '2023-01'), hmrcRate('USD', '2023-01')]).toEqual(['1.1652', '1.2406']);
  });
  it('measure types map to DE 4/3 tax types', () => {
    expect(['103', '142', '143', '112', '551', '552', '553', '554', '695'].map(taxType)).toEqual(['A00', 'A00', 'A00', 'A00', 'A35', 'A30', 'A45', 'A40', 'A20']);
    expect(taxTypes.has('350')).toBe(false);
  });
});

describe('ad valorem and rounding down to the penny', () => {
  it('61091000 T-shirts UKGT 12.0% on £1,234.56 = £148.14 (148.1472 rounded down) + 20% VAT', () => {
    const r = computeDutyLine({ ...mfnLine('61091000', 123456, { supplementaryUnits: '600', supplementaryUnit: 'NAR' }), vatRatePercent: '20' });
    expect(r.status).toBe('computed');
    expect(r.dutyPence).toBe(14814);
    expect(r.taxLines[0]).toMatchObject({ taxType: 'A00', basePence: 123456, amountPence: 14814, exactAmount: '148.1472', expression: '12.0%' });
    expect(r.taxLines[0]!.explanation).toBe('A00 third-country duty 12.0% × £1,234.56 = £148.14 (148.1472 rounded down)');
    // VAT value 1,234.56 + 148.14 = 1,382.70; × 20% = 276.54 exactly
    expect(r.vatValuePence).toBe(138270);
    expect(r.vatPence).toBe(27654);
    expect(r.taxLines[1]).toMatchObject({ taxType: 'B00', amountPence: 27654, basePence: 138270 });
    expect(r.explanation[0]).toBe('Customs value £1,234.56 (declared in sterling)');
  });

  it.each([
    // [commodity, rate text, cv pence, duty pence]
    ['61091000', '12.0%', 8, 0], // 0.0096p → 0
    ['61091000', '12.0%', 99999, 11999], // 11999.88 → 11999
    ['29144010', '4.0%', 12345, 493], // 493.8 → 493
    ['73181595', '0.0%', 5_000_000, 0],
    ['84144010', '2.0%', 1, 0],
  ])('%s %s on %ip = %ip', (commodity, text, cv, duty) => {
    expect(ukgtRow(commodity).ukgt).toBe(text);
    const r = computeDutyLine(mfnLine(commodity, cv, {}));
    expect(r.dutyPence).toBe(duty);
  });

  it('an exact result carries no "rounded down" note', () => {
    const r = computeDutyLine(mfnLine('61091000', 100000, {}));
    expect(r.taxLines[0]!.explanation).toBe('A00 third-country duty 12.0% × £1,000.00 = £120.00');
  });
});

describe('0702000007 cherry tomatoes from the shipped OTT sample: MFN 8% vs EU preference 0%', () => {
  const ott = ottCherryTomatoes();
  const measure = (type: string, area: string) => ott.import_measures.find((m) => m.measure_type.id === type && m.geographical_area.id === area)!;
  const line = (type: string, area: string, expression: string): DutyLineInput => ({
    acceptanceDate: '2021-03-10',
    customsValue: { pence: 10_000_000 },
    quantities: { netMassKg: '40000' },
    measures: [{ measureType: type, taxType: taxType(type), expression, source: `OTT 0702000007 ${type} ${area}` }],
    vatRatePercent: '0',
  });

  it('£100,000 at MFN 8.00 % (formatted_base) = £8,000; EU 142 preference 0.00 % = £0 — the £8,000 overpayment of DOMAIN.md', () => {
    const mfn = computeDutyLine(line('103', '1011', measure('103', '1011').duty_expression.formatted_base));
    const eu = computeDutyLine(line('142', '1013', measure('142', '1013').duty_expression.base));
    expect(mfn.dutyPence).toBe(800_000);
    expect(eu.dutyPence).toBe(0);
    expect(mfn.dutyPence - eu.dutyPence).toBe(800_000);
    expect(eu.taxLines[0]!.explanation).toBe('A00 tariff preference 0.00% × £100,000.00 = £0.00');
    expect(mfn.vatPence).toBe(0);
  });

  it('Singapore 142 preference 5.80 % = £5,800', () => {
    expect(computeDutyLine(line('142', 'SG', measure('142', 'SG').duty_expression.base)).dutyPence).toBe(580_000);
  });
});

describe('specific duties from the UKGT file', () => {
  it.each<[string, string, number, DutyQuantities, number, string]>([
    ['07129019', '7.80 GBP/100kg', 50000, { netMassKg: '1250' }, 9750, '12.5 × 100 kg'],
    ['01051111', '43.00 GBP/1000 items', 50000, { supplementaryUnits: '2500', supplementaryUnit: 'NAR' }, 10750, '2.5 × 1,000 items'],
    ['91011100', '0.20 GBP/ item', 50000, { supplementaryUnits: '37', supplementaryUnit: 'NAR' }, 740, '37 × item'],
    // supplementary unit given as its DE 6/2 abbreviation rather than the TARIC code
    ['91011100', '0.20 GBP/ item', 50000, { supplementaryUnits: '37', supplementaryUnit: 'p/st' }, 740, '37 × item'],
    // wine: 900 l at 13.5% vol = 9 hl × 13.5 = 121.5 % vol hl × £1.40
    ['2204218595', '1.40 GBP / % vol / hl', 200000, { supplementaryUnits: '900', supplementaryUnit: 'LTR', alcoholPercentVol: '13.5' }, 17010, '121.5 × % vol/hl'],
    // same wine declared in hectolitres
    ['2204218595', '1.40 GBP / % vol / hl', 200000, { supplementaryUnits: '9', supplementaryUnit: 'HLT', alcoholPercentVol: '13.5' }, 17010, '121.5 × % vol/hl'],
    // rum: 700 l at 40% = 280 % vol hl × 0.50 + 7 hl × 2.60
    ['22084011', '0.50 GBP/%vol/hl + 2.60 GBP/hl', 300000, { supplementaryUnits: '700', supplementaryUnit: 'LTR', alcoholPercentVol: '40' }, 15820, '280 × % vol/hl; 7 × hl'],
    // the same rum declared in litres of pure alcohol plus its volume
    ['22084011', '0.50 GBP/%vol/hl + 2.60 GBP/hl', 300000, { supplementaryUnits: '280', supplementaryUnit: 'LPA', byUnit: { HLT: '7' } }, 15820, '280 × % vol/hl; 7 × hl'],
    // sugar syrup: 2,000 kg net at 65% sucrose = 20 × 65 = 1,300 units × £0.30
    ['17022010', '0.30 GBP/100kg/net/%sacchar.', 100000, { netMassKg: '2000', sucrosePercent: '65' }, 39000, '1,300 × 100 kg net per % sucrose'],
    // isoglucose: net dry matter supplied by the caller
    ['17023010', '42.00 GBP/100kg mas', 100000, { netMassKg: '1000', byUnit: { DTNM: '7.5' } }, 31500, '7.5 × 100 kg net dry matter'],
  ])('%s %s', (commodity, text, cv, quantities, duty, baseQuantity) => {
    expect(ukgtRow(commodity).ukgt).toBe(text);
    const r = computeDutyLine(mfnLine(commodity, cv, quantities));
    expect(r.status).toBe('computed');
    expect(r.dutyPence).toBe(duty);
    expect(r.taxLines[0]!.baseQuantity).toBe(baseQuantity);
  });

  it.each(['2023-13-01', '15/01/2023', ''])('acceptance date %j is rejected', (date) => {
    expect(() => computeDutyLine(mfnLine('61091000', 100, {}, date))).toThrow('acceptanceDate must be YYYY-MM-DD');
  });

  it('a negative quantity is rejected as a data error', () => {
    expect(() => computeDutyLine(mfnLine('07129019', 50000, { netMassKg: '-1250' }))).toThrow('netMassKg must not be negative: -1250');
  });

  it('an unrecognised supplementary unit is named in the unknown reason', () => {
    const r = computeDutyLine(mfnLine('91011100', 50000, { supplementaryUnits: '37', supplementaryUnit: 'dozen' }));
    expect(r.unknownReason).toBe('A00/103: 0.20 GBP/item: no quantity in items declared (supplementary units in such a unit, or quantities.byUnit) (supplementary unit "dozen" not recognised)');
  });

  it('07129019 explanation shows the quantity and where it came from', () => {
    const r = computeDutyLine(mfnLine('07129019', 50000, { netMassKg: '1250' }));
    expect(r.taxLines[0]!.explanation).toBe('A00 third-country duty 7.80 GBP/100 kg × 12.5 [net mass 1250 kg] = £97.50');
  });
});

describe('compound duties from the UKGT file', () => {
  it('01022910 live cattle 10.00% + 77.00 GBP/100kg: £1,234.56, 333.3 kg = 123.456 + 256.641 = £380.09', () => {
    const r = computeDutyLine(mfnLine('01022910', 123456, { netMassKg: '333.3' }));
    expect(r.dutyPence).toBe(38009);
    expect(r.taxLines[0]!.exactAmount).toBe('380.097');
    expect(r.taxLines[0]!.explanation).toBe('A00 third-country duty (10.00% × £1,234.56 = 123.456) + (77.00 GBP/100 kg × 3.333 [net mass 333.3 kg] = 256.641) = £380.09 (380.097 rounded down)');
  });

  it('20096911 grape juice 40.00% + 101.00 GBP/hl + 17 GBP/100kg: 800 + 1,010 + 229.50 = £2,039.50', () => {
    const r = computeDutyLine(mfnLine('20096911', 200000, { netMassKg: '1350', supplementaryUnits: '1000', supplementaryUnit: 'LTR' }));
    expect(r.dutyPence).toBe(203950);
  });

  it('04021091 milk powder 1.00 GBP/kg/lactic matter + 23.00 GBP/100kg needs the lactic matter', () => {
    const without = computeDutyLine(mfnLine('04021091', 100000, { netMassKg: '500' }));
    expect(without.status).toBe('unknown');
    expect(without.unknownReason).toBe('A00/103: 1.00 GBP/kg lactic matter: quantity in lacticMatterKg is not part of the declaration data; supply it in quantities.byUnit');
    const withLactic = computeDutyLine(mfnLine('04021091', 100000, { netMassKg: '500', byUnit: { KGMP: '400' } }));
    expect(withLactic.dutyPence).toBe(51500);
  });

  it('07104000 sweetcorn 4.00% + 7.80 GBP/100kg eda needs the net drained weight', () => {
    expect(computeDutyLine(mfnLine('07104000', 50000, { netMassKg: '1000' })).status).toBe('unknown');
    const r = computeDutyLine(mfnLine('07104000', 50000, { netMassKg: '1000', byUnit: { KGME: '800' } }));
    expect(r.dutyPence).toBe(2000 + 6240);
  });

  it('17011210 raw sugar "std qual" stays unknown without the standard-quality quantity', () => {
    const r = computeDutyLine(mfnLine('17011210', 100000, { netMassKg: '20000' }));
    expect(r.status).toBe('unknown');
    expect(r.taxLines[0]).toMatchObject({ status: 'unknown', amountPence: 0 });
    expect(r.unknownReason).toContain('standardQualityKg');
  });
});

describe('seasonal rates selected by acceptance date', () => {
  it.each([
    ['07020000', '2021-01-01', 800],
    ['07020000', '2021-05-14', 800],
    ['07020000', '2021-05-15', 1400],
    ['07020000', '2021-10-31', 1400],
    ['07020000', '2021-11-01', 800],
    ['07020000', '2021-12-31', 800],
    ['08092900', '2022-06-15', 1200],
    ['08092900', '2022-06-16', 600],
    ['08092900', '2022-07-15', 600],
    ['08092900', '2022-07-16', 1200],
    ['08083090', '2023-01-31', 800],
    ['08083090', '2023-02-01', 400],
    ['08083090', '2023-04-01', 0],
    ['08083090', '2023-08-01', 1000],
  ])('%s on %s: £100 → %ip', (commodity, date, pence) => {
    const r = computeDutyLine(mfnLine(commodity, 10000, {}, date));
    expect(r.dutyPence).toBe(pence);
    expect(r.explanation.some((e) => e.includes(`applies on ${date}`))).toBe(true);
  });

  it('07041000 cauliflowers (CET) uses the undated rate outside the dated season', () => {
    const q = { netMassKg: '100' };
    const rates = { EUR: { unitsPerGbp: hmrcRate('EUR', '2020-01'), source: 'HMRC monthly rate 2020-01' } };
    const winter = computeDutyLine({ ...mfnLine('07041000', 100000, q, '2020-01-20', 'cet'), currencyRates: rates });
    const summer = computeDutyLine({ ...mfnLine('07041000', 100000, q, '2020-07-20', 'cet'), currencyRates: rates });
    expect(winter.dutyPence).toBe(9600);
    expect(summer.dutyPence).toBe(13600);
    expect(summer.explanation).toContain('  season rest of the year applies on 2020-07-20');
  });
});

describe('MIN / MAX clauses (EU CET lines, EUR amounts at the HMRC rate)', () => {
  const eur = { EUR: { unitsPerGbp: '1.1652', source: 'HMRC monthly rate 2023-01' } };
  const watch = (cv: number) => computeDutyLine({ ...mfnLine('91011100', cv, { supplementaryUnits: '100', supplementaryUnit: 'NAR' }, '2023-01-10', 'cet'), currencyRates: eur });

  it('91011100 watches 4.50% MIN 0.30 EUR/item: 100 items at £10 → minimum 30 EUR ÷ 1.1652 = £25.74', () => {
    const r = watch(1000);
    expect(r.dutyPence).toBe(2574);
    expect(r.taxLines[0]!.explanation).toMatch(/^A00 third-country duty MIN 0.30 EUR\/item × 100/);
    expect(r.explanation.some((e) => e.startsWith('  MIN 0.30 EUR/item × 100 [supplementary units 100 NAR] = 25.746652…: applies instead of 0.45'))).toBe(true);
  });
  it('between the bounds the ad valorem rate applies: £1,000 → £45.00', () => {
    expect(watch(100000).dutyPence).toBe(4500);
  });
  it('MAX 0.80 EUR/item caps £10,000 × 4.5% = £450 at 80 EUR ÷ 1.1652 = £68.65', () => {
    expect(watch(1000000).dutyPence).toBe(6865);
  });
  it('70031299 glass 3.80% MIN 0.60 EUR/100 kg gross uses gross mass: 10,000 kg → £51.49', () => {
    const r = computeDutyLine({ ...mfnLine('70031299', 50000, { netMassKg: '9500', grossMassKg: '10000' }, '2023-01-10', 'cet'), currencyRates: eur });
    expect(r.dutyPence).toBe(5149);
    const noGross = computeDutyLine({ ...mfnLine('70031299', 50000, { netMassKg: '9500' }, '2023-01-10', 'cet'), currencyRates: eur });
    expect(noGross.unknownReason).toContain('gross mass (kg) not declared');
  });
  it('a EUR amount without a EUR rate is unknown, not guessed', () => {
    const r = computeDutyLine(mfnLine('91011100', 1000, { supplementaryUnits: '100', supplementaryUnit: 'NAR' }, '2023-01-10', 'cet'));
    expect(r.status).toBe('unknown');
    expect(r.unknownReason).toContain('needs a EUR→GBP conversion rate');
  });
});

describe('forms that cannot be evaluated from declaration data', () => {
  it.each([
    ['07020000', 'Entry Price', 'entry price system'],
    ['04052010', '9.00% +  EA', 'agricultural component EA'],
  ])('%s CET %s → unknown with reason, VAT withheld', (commodity, text, reason) => {
    expect(ukgtRow(commodity).cet).toBe(text);
    const r = computeDutyLine({ ...mfnLine(commodity, 100000, { netMassKg: '100' }, '2020-06-01', 'cet'), vatRatePercent: '20' });
    expect(r.status).toBe('unknown');
    expect(r.unknownReason).toContain(reason);
    expect(r.dutyPence).toBe(0);
    expect(r.vatPence).toBe(0);
    expect(r.taxLines.map((l) => [l.taxType, l.status])).toEqual([
      ['A00', 'unknown'],
      ['B00', 'unknown'],
    ]);
  });

  it('an unparseable expression is reported as unknown with the parser message', () => {
    const r = computeDutyLine({
      acceptanceDate: '2021-01-01',
      customsValue: { pence: 100 },
      quantities: {},
      measures: [{ measureType: '103', taxType: 'A00', expression: '(01 JAN - 31 MAR), 0.00% (01 APR - 31 JUL), 8.00% (01 AUG - 31 DEC)', source: 'seasonal_rates.csv 08081080' }],
    });
    expect(r.status).toBe('unknown');
    expect(r.unknownReason).toContain('at position 0');
  });
});

describe('multiple measures as separate tax types', () => {
  it('3826001020 biodiesel from Canada: UKGT 6.0% (A00) + anti-dumping 144.10 GBP / 1000 kg (552 → A30) + VAT', () => {
    expect(ukgtRow('3826001020').ukgt).toBe('6.0%');
    const r = computeDutyLine({
      acceptanceDate: '2022-06-01',
      customsValue: { pence: 1_800_000 },
      quantities: { netMassKg: '20000' },
      measures: [
        { measureType: '103', taxType: taxType('103'), expression: ukgtRow('3826001020').ukgt, source: 'UKGT 3826001020' },
        { measureType: '552', taxType: taxType('552'), expression: '144.10 GBP / 1000 kg', source: 'DOMAIN.md §3.2 C14 fixture' },
      ],
      vatRatePercent: '20',
    });
    expect(r.taxLines.map((l) => [l.taxType, l.amountPence])).toEqual([
      ['A00', 108_000],
      ['A30', 288_200],
      ['B00', 439_240],
    ]);
    expect(r.dutyPence).toBe(396_200);
    expect(r.taxLines[1]!.explanation).toBe('A30 definitive anti-dumping duty 144.10 GBP/tonne × 20 [net mass 20000 kg] = £2,882.00');
  });

  it('the same duty written per 1,000 kg biodiesel content needs that content, then uses it', () => {
    const line = (byUnit?: Record<string, string>): DutyLineInput => ({
      acceptanceDate: '2022-06-01',
      customsValue: { pence: 1_800_000 },
      quantities: { netMassKg: '20000', ...(byUnit ? { byUnit } : {}) },
      measures: [{ measureType: '552', taxType: taxType('552'), expression: '144.10 GBP / 1,000 kg/biodiesel', source: 'unit TNEI of measurement_units.json' }],
    });
    expect(computeDutyLine(line()).unknownReason).toBe(
      'A30/552: 144.10 GBP/1,000 kg biodiesel: quantity in kg biodiesel content (TNEI) is not part of the declaration data; supply it in quantities.byUnit',
    );
    expect(computeDutyLine(line({ TNEI: '19.3' })).dutyPence).toBe(278_113); // 19.3 × 144.10 = 2,781.13
  });
});

describe('customs value from invoice currency', () => {
  it('USD 1,531.61 at the HMRC January 2023 rate 1.2406 = 1,234.5719… → £1,234.57 (nearest penny)', () => {
    const cv = computeCustomsValue({ amount: '1531.61', currency: 'USD', unitsPerGbp: hmrcRate('USD', '2023-01'), rateSource: 'HMRC monthly rate 2023-01' });
    expect(cv.pence).toBe(123457);
    expect(cv.explanation).toBe('Customs value (USD 1531.61) ÷ 1.2406 USD/£ (HMRC monthly rate 2023-01) = 1,234.571981… → £1,234.57 (rounded to the nearest penny, halves up)');
  });
  it('USD 100 ÷ 1.2406 = 80.606158…: nearest penny £80.61, rounding "down" £80.60', () => {
    const v = { amount: '100', currency: 'USD', unitsPerGbp: '1.2406', rateSource: 'HMRC monthly rate 2023-01' };
    expect(computeCustomsValue(v).pence).toBe(8061);
    expect(computeCustomsValue(v, 'down').pence).toBe(8060);
  });
  it('additions and deductions: (1,531.61 + 50.00 − 20.00) ÷ 1.2406 = 1,258.7538… → £1,258.75', () => {
    const r = computeDutyLine({
      acceptanceDate: '2023-01-16',
      customsValue: { amount: '1,531.61', currency: 'USD', unitsPerGbp: '1.2406', rateSource: 'HMRC monthly rate 2023-01', additions: '50.00', deductions: '20.00' },
      quantities: {},
      measures: [{ measureType: '103', taxType: 'A00', expression: ukgtRow('61091000').ukgt, source: 'UKGT 61091000' }],
      vatRatePercent: '20',
    });
    expect(r.customsValuePence).toBe(125875);
    expect(r.dutyPence).toBe(15105); // 151.05
    expect(r.vatPence).toBe(28196); // (1,258.75 + 151.05) × 20% = 281.96
    expect(r.explanation[0]).toContain('(USD 1,531.61 + 50.00 additions − 20.00 deductions) ÷ 1.2406 USD/£');
  });
  it('EUR at a declared contract rate', () => {
    expect(computeCustomsValue({ amount: '10000', currency: 'EUR', unitsPerGbp: '1.1652', rateSource: 'contract rate' }).pence).toBe(858222);
  });
  it('GBP invoices need no conversion', () => {
    const cv = computeCustomsValue({ amount: '99.99', currency: 'GBP', unitsPerGbp: '1', rateSource: 'sterling invoice' });
    expect(cv.pence).toBe(9999);
    expect(cv.explanation).toBe('Customs value GBP 99.99 (no conversion) = 99.99 → £99.99 (rounded to the nearest penny, halves up)');
  });
  it('rejects a negative customs value (deductions above the price)', () => {
    expect(() => computeCustomsValue({ amount: '100', currency: 'USD', unitsPerGbp: '1.2406', rateSource: 'x', deductions: '150' })).toThrow(/negative/);
    expect(() => computeCustomsValue({ pence: -1 })).toThrow(RangeError);
  });
  it('rejects a zero or malformed rate', () => {
    expect(() => computeCustomsValue({ amount: '1', currency: 'USD', unitsPerGbp: '0', rateSource: 'x' })).toThrow(RangeError);
    expect(() => computeCustomsValue({ amount: '1,5', currency: 'EUR', unitsPerGbp: '1.1', rateSource: 'x' })).toThrow(/not a decimal/);
  });
});

describe('import VAT', () => {
  it.each([
    // [rate, cv, excise, adjustments, vat]
    ['20', 123456, 0, 0, 27654], // (123456 + 14814) × 20% = 27654
    ['5', 123456, 0, 0, 6913], // 138270 × 5% = 6913.5 → 6913
    ['0', 123456, 0, 0, 0],
    ['20', 123456, 5000, 2500, 29154], // 145770 × 20% = 29154
  ])('%s%% on T-shirts CV %ip, excise %ip, adjustments %ip → %ip', (rate, cv, excise, adj, vat) => {
    const r = computeDutyLine({ ...mfnLine('61091000', cv, {}), vatRatePercent: rate, exciseAndOtherPence: excise, vatAdjustmentsPence: adj });
    expect(r.vatPence).toBe(vat);
  });
  it('accepts the OTT VAT measure form "20.00 %"', () => {
    const r = computeDutyLine({ ...mfnLine('61091000', 123456, {}), vatRatePercent: '20.00 %' });
    expect(r.vatPence).toBe(27654);
    expect(r.taxLines[1]!.explanation).toMatch(/^B00 import VAT 20.00% × £1,382.70/);
  });
  it('no VAT rate → no VAT line', () => {
    const r = computeDutyLine(mfnLine('61091000', 123456, {}));
    expect(r.vatPence).toBe(0);
    expect(r.taxLines.map((l) => l.taxType)).toEqual(['A00']);
  });
});
