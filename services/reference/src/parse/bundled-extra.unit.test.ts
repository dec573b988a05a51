import * as path from 'node:path';
import { loadBundledStore } from '../app/load-bundled';
import { goodsCovers, parseSeasonalPreferences, parseSupplementaryUnits } from './bundled-extra';

const store = loadBundledStore(path.resolve(__dirname, '../../data'));

describe('dated extras bundled with the reference data', () => {
  it('answers per-commodity supplementary units from the 2022-04-29 ETF snapshot, decoded from CHIEF notation, with its date', () => {
    expect(store.commodityExtras('2208909110', '2024-05-01').supplementaryUnits).toEqual({
      asOf: '2022-04-29',
      datasetVersion: expect.stringMatching(/^etf-supp-units-2022-04-29@/),
      known: true,
      quantities: [
        { quantity: 1, unit: 'KGM', chiefCode: '023' },
        { quantity: 2, unit: 'LPA', chiefCode: '066' },
        { quantity: 3, unit: 'LTR', chiefCode: '076' },
      ],
    });
    expect(store.commodityExtras('9999999999', '2024-05-01').supplementaryUnits).toMatchObject({ known: false, quantities: [] });
    // A CHIEF code the unit map lacks keeps its code and no unit: never a guessed unit.
    expect(parseSupplementaryUnits('s.json', '{"0101210000":{"unit1":"1023","unit2":"2113","unit3":"0000"}}', 'KGM,,023\nKGM,T,023,Not found\n').get('0101210000')).toEqual([
      { quantity: 1, unit: 'KGM', chiefCode: '023' },
      { quantity: 2, unit: '', chiefCode: '113' },
    ]);
    expect(() => parseSupplementaryUnits('s.json', '{"0101210000":{"unit1":"x"}}', '')).toThrow('s.json: 0101210000.unit1: "x" is not CHIEF notation');
  });

  it('answers seasonal preferential rates of the 2023-10-27 worksheet for the code’s heading, in season or not on the date', () => {
    const s = store.commodityExtras('0702000007', '2024-05-20').seasonalPreferences!;
    expect(s.asOf).toBe('2023-10-27');
    expect(s.rates.filter((r) => r.geographicalArea === 'AU').map((r) => `${r.from}..${r.to} ${r.expression} ${r.inSeason}`)).toEqual(['05-15..10-31 10.50% true', '11-01..05-14 6.00% false']);
    expect(goodsCovers('0702000000', '0702000007')).toBe(true);
    expect(goodsCovers('0808108000', '0808109000')).toBe(false);
    expect(() => parseSeasonalPreferences('p.csv', 'geographical_area_id,goods_nomenclature_item_id,measure_type_id,from,to,duty\nAU,0702000000,142,31/13,31/10,1%\n')).toThrow(
      'p.csv: row 2 field from: "31/13" is not dd/mm',
    );
  });

  it('answers the pharmaceutical intermediates annex by CN8, and the recorded 2025 OTT measures as snapshots of their as-of date', () => {
    expect(store.commodityExtras('2843290000', '2024-01-01').pharmaIntermediates!.names[0]).toMatch(/\(CAS 22199-08-2\)$/);
    const on = store.rates('2924297099', 'CN', '2025-07-14');
    expect(on).toMatchObject({ known: true, measuresLoaded: true });
    expect(on.suspensions.map((m) => m.measureType).sort()).toEqual(['112', '117']);
    expect(on.thirdCountry!.datasetVersion).toMatch(/^ott-api-recorded-2025-02-11_to_2025-07-14@/);
    const before = store.rates('2924297099', 'CN', '2024-07-14');
    expect(before.measuresLoaded).toBe(false);
    expect(before.unknownReason).toContain('held as of 2025-07-14');
  });
});
