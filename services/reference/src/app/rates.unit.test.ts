import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseOttFile } from '../parse/ott';
import { loadBundledStore } from './load-bundled';
import { datasetVersion } from './store';

const data = path.resolve(__dirname, '../../data');
let store = loadBundledStore(data);
const load = (rel: string) => {
  const content = fs.readFileSync(path.join(data, rel));
  const imp = parseOttFile(path.basename(rel), content);
  const version = datasetVersion(path.basename(rel, path.extname(rel)), content);
  store.applyOttLoad(
    { dataset: 'ott-measures', version, source: rel, rows: imp.measures.length },
    imp.measures.map((m) => ({ ...m, datasetVersion: version })),
    imp.groups,
  );
  return version;
};

describe('rates from the bundled UKGT baseline (no OTT load)', () => {
  it('gives a compound UKGT line as published (0102292100 cattle: 10.00% + 77.00 GBP/100kg) and says what is not loaded', () => {
    const r = store.rates('0102292100', 'US', '2022-02-01');
    expect(r.known).toBe(true);
    expect(r.thirdCountry).toEqual({
      measureType: '103',
      geographicalArea: '1011',
      expression: '10.00% + 77.00 GBP/100kg',
      taxType: 'A00',
      additionalCode: '',
      validFrom: '2021-01-01',
      validTo: '',
      datasetVersion: store.version('ukgt'),
    });
    expect(r.preferential).toEqual([]);
    expect(r.unknownReason).toMatch(/no Online Trade Tariff measures loaded for 0102292100: preferences, suspensions, trade remedies and VAT are not known/);
    expect(r.datasetVersion).toContain(`ukgt=${store.version('ukgt')}`);
    expect(r.datasetVersion).toContain(`nomenclature=${store.version('nomenclature')}`);
  });

  it('uses a 10-digit UKGT line where the UKGT sets one (2710194810 0.0%) and the CN8 line for its siblings (2710194890 2.0%)', () => {
    expect(store.rates('2710194810', 'US', '2022-02-01').thirdCountry?.expression).toBe('0.0%');
    expect(store.rates('2710194890', 'US', '2022-02-01').thirdCountry?.expression).toBe('2.0%');
    expect(store.commodity('2710194810', '2022-02-01').thirdCountryDuty).toBe('0.0%');
  });

  it('resolves a seasonal UKGT line by the acceptance date (03024100 herring: 14.00% 1 Jul–31 Jan, 0.00% 1 Feb–30 Jun)', () => {
    const code = '0302410000';
    expect(store.rates(code, 'NO', '2022-08-01').thirdCountry?.expression).toBe('14.00%');
    expect(store.rates(code, 'NO', '2023-01-31').thirdCountry?.expression).toBe('14.00%');
    expect(store.rates(code, 'NO', '2023-02-01').thirdCountry?.expression).toBe('0.00%');
    expect(store.rates(code, 'NO', '2023-02-01').datasetVersion).toContain('seasonal=seasonal_rates@');
  });

  it('says unknown rather than guessing: before the UKGT, unknown codes, non-declarable headings, bad dates', () => {
    expect(store.rates('8510900000', 'CN', '2020-12-31')).toMatchObject({ known: false, unknownReason: 'no UK tariff is held before 2021-01-01 (the EU Common Customs Tariff applied)' });
    expect(store.rates('9999999999', 'CN', '2023-01-01')).toMatchObject({ known: false });
    expect(store.rates('9999999999', 'CN', '2023-01-01').unknownReason).toMatch(/not in the UK nomenclature/);
    expect(store.rates('8510000000', 'CN', '2023-01-01').unknownReason).toMatch(/not a declarable goods line on 2023-01-01/);
  });
});

describe('rates with the OTT cherry tomato sample loaded (0702000007)', () => {
  let version = '';
  beforeAll(() => {
    version = load('samples/ott_api_commodity_0702000007_cherry_tomatoes.json');
  });

  it('EU origin: MFN 8% (103) and EU preference 0% (142 via group 1013), TCA scheme with its proofs', () => {
    const r = store.rates('0702000007', 'FR', '2021-02-15');
    expect(r.known).toBe(true);
    expect(r.unknownReason).toBe('');
    expect(r.thirdCountry).toEqual({
      measureType: '103',
      geographicalArea: '1011',
      expression: '8.00 %',
      taxType: 'A00',
      additionalCode: '',
      validFrom: '2021-01-01',
      validTo: '2021-05-14',
      datasetVersion: version,
    });
    expect(r.preferential).toEqual([
      { measureType: '142', geographicalArea: '1013', expression: '0.00 %', taxType: 'A00', additionalCode: '', validFrom: '2021-01-01', validTo: '', datasetVersion: version },
    ]);
    expect(r.vat).toEqual([expect.objectContaining({ measureType: '305', expression: '0.00 %', additionalCode: 'VATZ', taxType: 'B00' })]);
    expect(r.schemes).toEqual([{ id: 'eu', name: 'UK / EU Trade and Co-operation Agreement', proofDocumentCodes: ['U110', 'U111', 'U112'], validFrom: '2021-01-01', validTo: '' }]);
    expect(r.datasetVersion).toContain(`ott-measures=${version}`);
  });

  it('per-country preferences and quotas: Singapore 5.80 %, Morocco 3.50 % + quota 051193, Japan 0 %', () => {
    expect(store.rates('0702000007', 'SG', '2021-02-15').preferential.map((m) => m.expression)).toEqual(['5.80 %']);
    const ma = store.rates('0702000007', 'MA', '2021-03-10').preferential;
    expect(ma.map((m) => `${m.measureType} ${m.expression}`).sort()).toEqual(['142 3.50 %', '143 0.00 %']);
    expect(store.rates('0702000007', 'JP', '2021-02-15').preferential.map((m) => m.expression)).toEqual(['0.00 %']);
    expect(store.rates('0702000007', 'US', '2021-02-15').preferential).toEqual([]);
  });

  it('says over which dates the answer holds (cache metadata): to the next measure boundary of the code', () => {
    expect(store.rates('0702000007', 'FR', '2021-02-15')).toMatchObject({ stableFrom: '2021-02-01', stableTo: '2021-02-28' });
    expect(store.rates('0702000007', 'FR', '2021-04-10')).toMatchObject({ stableFrom: '2021-04-01', stableTo: '2021-05-14' });
  });

  it('is point-in-time: the Singapore preference ended 2021-03-31', () => {
    expect(store.rates('0702000007', 'SG', '2021-04-01').preferential).toEqual([]);
  });

  it('falls back to the seasonal UKGT baseline when no loaded 103 is valid on the date (tomatoes 14.00% 15 May–31 Oct), and says so', () => {
    const r = store.rates('0702000007', 'FR', '2021-06-01');
    expect(r.thirdCountry).toMatchObject({ expression: '14.00%', datasetVersion: store.version('ukgt') });
    expect(r.unknownReason).toMatch(/UKGT 2021-01-01 baseline used/);
  });
});

describe('trade remedies from the declarable-duties report (team-written fixture)', () => {
  let version = '';
  beforeAll(() => {
    // A fresh store: the API sample first (it states group 1013's members), then the report.
    store = loadBundledStore(data);
    load('samples/ott_api_commodity_0702000007_cherry_tomatoes.json');
    version = load('samples/ott_declarable_commodities_with_duty_measures_fixture.csv');
  });

  it('the report updates a measure loaded before (same SID) with its own version', () => {
    expect(store.rates('0702000007', 'FR', '2021-02-15').thirdCountry).toMatchObject({ expression: '8.00%', datasetVersion: version });
  });

  it('anti-dumping (552, A30) for China with its additional codes; an ERGA OMNES 695 excluding the US', () => {
    const cn = store.rates('7318158100', 'CN', '2023-05-01');
    expect(cn.tradeRemedies.map((m) => `${m.measureType} ${m.taxType} ${m.additionalCode} ${m.expression}`).sort()).toEqual(['552 A30 C001 0.00%', '552 A30 C999 85.00%', '695 A20  25.00%']);
    expect(cn.tradeRemedies[0]!.datasetVersion).toBe(version);
    expect(store.rates('7318158100', 'US', '2023-05-01').tradeRemedies).toEqual([]);
    // 1013 membership came from the cherry tomato load: an EU origin is excluded too.
    expect(store.rates('7318158100', 'DE', '2023-05-01').tradeRemedies).toEqual([]);
    expect(store.rates('7318158100', 'CN', '2021-05-31').tradeRemedies.map((m) => m.measureType)).toEqual(['552', '552']);
  });
});

describe('code lists', () => {
  const fact = (list: string, code: string) => {
    const r = store.codeList(list, code, '2023-01-01');
    return { known: r.known, member: r.member };
  };

  it('CPC/APC combinations from data/codes/cpc (e.g. 4200 onward supply with F15, not with C07)', () => {
    expect(fact('cpc-apc', '4200000/F15')).toEqual({ known: true, member: true });
    expect(fact('cpc-apc', '4200/C07')).toEqual({ known: true, member: false });
    expect(fact('cpc-apc', '5100/A04')).toEqual({ known: true, member: true });
    expect(fact('cpc-apc', '4000000/000')).toEqual({ known: true, member: true });
    // The prototype list gives no APCs for 40xx: membership is unknown, not "invalid".
    expect(store.codeList('cpc-apc', '4000000/C07', '2023-01-01')).toMatchObject({ known: false, description: 'no additional procedure codes are listed for 4000' });
    expect(fact('cpc-apc', '9999/C07')).toEqual({ known: false, member: false });
    expect(store.codeList('cpc-apc', '4000000/C07', '2023-01-01').datasetVersion).toMatch(/^cpc-combos@[0-9a-f]{12}$/);
  });

  it('CPC, APC, DE 2/3 documents with status codes, DE 4/17 preferences, countries, units, currencies', () => {
    expect(store.codeList('cpc', '4000000', '2023-01-01')).toMatchObject({ known: true, member: true, description: 'Release to free circulation' });
    expect(store.codeList('apc', 'C07', '2023-01-01')).toMatchObject({ member: true, description: 'Consignments of negligible value' });
    expect(fact('document', 'N954')).toEqual({ known: true, member: true });
    expect(fact('document', 'N954/AE')).toEqual({ known: true, member: true });
    expect(fact('document', 'N954/ZZ')).toEqual({ known: true, member: false });
    expect(fact('document', 'Z999')).toEqual({ known: true, member: false });
    expect(store.codeList('preference', '300', '2023-01-01')).toMatchObject({ member: true, description: 'Preferential duty rate without conditions or limits (including ceilings)' });
    expect(fact('preference', '999')).toEqual({ known: true, member: false });
    expect(fact('country', 'FR')).toEqual({ known: true, member: true });
    expect(fact('country', 'QQ')).toEqual({ known: true, member: false });
    expect(fact('unit', 'KGM')).toEqual({ known: true, member: true });
    expect(fact('currency', 'EUR')).toEqual({ known: true, member: true });
    expect(fact('currency', 'GBP')).toEqual({ known: true, member: true });
    expect(store.codeList('colours', 'RED', '2023-01-01')).toMatchObject({ known: false, member: false });
  });
});

describe('preference schemes by country and date', () => {
  it('Japan CEPA for JP; CPTPP only from 2024-12-24', () => {
    expect(store.schemesFor('JP', '2023-01-01').schemes.map((s) => s.id)).toEqual(['japan']);
    expect(store.schemesFor('JP', '2025-01-01').schemes.map((s) => s.id)).toEqual(['japan', 'cptpp']);
  });

  it('GSP until 2023-06-18, DCTS from 2023-06-19 (Bangladesh), with GSP Form A / REX proofs', () => {
    expect(store.schemesFor('BD', '2023-06-18').schemes.map((s) => s.id)).toEqual(['gsp']);
    const dcts = store.schemesFor('bd', '2023-06-19');
    expect(dcts.schemes.map((s) => s.id)).toEqual(['dcts-ldcs']);
    expect(dcts.schemes[0]!.proofDocumentCodes).toEqual(['N865', 'U164', 'U165', 'U166', 'U167']);
    expect(dcts.datasetVersion).toMatch(/^roo_schemes_uk@[0-9a-f]{12}$/);
  });

  it('EUR.1 / EUR-MED / origin declaration for Albania', () => {
    expect(store.schemesFor('AL', '2022-01-01').schemes[0]!.proofDocumentCodes).toEqual(['N864', 'N954', 'U045', 'U162', 'U163']);
  });
});
