import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import { WorkbookWorkerError, WorkbookWorkerPool } from '@customs/spreadsheet';
import { xlsxOf, xlsxOfSheetXml } from '@customs/testing';
import { loadConfig } from '../config';
import { DECLARABLE_DUTIES_COLUMNS, OttImportError, parseDeclarableDutiesCsv, parseOttApiJson, parseOttFile, parseOttFileWith } from './ott';

const data = path.resolve(__dirname, '../../data');

const cherrySample = fs.readFileSync(path.join(data, 'samples/ott_api_commodity_0702000007_cherry_tomatoes.json'), 'utf8');
const exportFixture = fs.readFileSync(path.join(data, 'samples/ott_declarable_commodities_with_duty_measures_fixture.csv'), 'utf8');

/** Re-expresses the real flattened OTT sample as the API's JSON:API document (data + included). */
function asJsonApi(flat: any): any {
  const included: any[] = [];
  const ids: any[] = [];
  for (const m of flat.import_measures) {
    const id = String(m.id);
    ids.push({ id, type: 'measure' });
    const ga = m.geographical_area;
    included.push({
      id: ga.id,
      type: 'geographical_area',
      attributes: { id: ga.id, geographical_area_id: ga.geographical_area_id, description: ga.description },
      relationships: { children_geographical_areas: { data: (ga.children_geographical_areas ?? []).map((c: any) => ({ id: c.id, type: 'geographical_area' })) } },
    });
    included.push({ id: m.measure_type.id, type: 'measure_type', attributes: { id: m.measure_type.id, description: m.measure_type.description } });
    included.push({ id: `${id}-duty_expression`, type: 'duty_expression', attributes: { base: m.duty_expression.base } });
    if (m.order_number) included.push({ id: m.order_number.number, type: 'order_number', attributes: { number: m.order_number.number } });
    if (m.additional_code) included.push({ id: `ac-${id}`, type: 'additional_code', attributes: { code: m.additional_code.code } });
    included.push({
      id,
      type: 'measure',
      attributes: { import: m.import, effective_start_date: m.effective_start_date, effective_end_date: m.effective_end_date },
      relationships: {
        duty_expression: { data: { id: `${id}-duty_expression`, type: 'duty_expression' } },
        measure_type: { data: { id: m.measure_type.id, type: 'measure_type' } },
        geographical_area: { data: { id: ga.id, type: 'geographical_area' } },
        additional_code: { data: m.additional_code ? { id: `ac-${id}`, type: 'additional_code' } : null },
        order_number: { data: m.order_number ? { id: m.order_number.number, type: 'order_number' } : null },
        excluded_countries: { data: (m.excluded_countries ?? []).map((c: any) => ({ id: c.geographical_area_id, type: 'geographical_area' })) },
      },
    });
  }
  return { data: { id: '93797', type: 'commodity', attributes: { goods_nomenclature_item_id: flat.goods_nomenclature_item_id }, relationships: { import_measures: { data: ids } } }, included };
}

describe('OTT API commodity importer (real sample 0702000007 cherry tomatoes)', () => {
  const imp = parseOttApiJson('ott-0702000007', cherrySample);

  it('reads every import measure with type, area, expression and validity', () => {
    expect(imp.format).toBe('ott-api-flat');
    expect(imp.commodityCodes).toEqual(['0702000007']);
    expect(imp.measures).toHaveLength(50);
    expect(imp.measures.find((m) => m.measureType === '103')).toEqual({
      sid: '20001033',
      commodityCode: '0702000007',
      measureType: '103',
      geographicalArea: '1011',
      excludedAreas: [],
      expression: '8.00 %',
      additionalCode: '',
      validFrom: '2021-01-01',
      validTo: '2021-05-14',
      quotaOrderNumber: '',
    });
    expect(imp.measures.find((m) => m.measureType === '142' && m.geographicalArea === '1013')).toMatchObject({ sid: '20125841', expression: '0.00 %', validFrom: '2021-01-01', validTo: '' });
    expect(imp.measures.find((m) => m.measureType === '142' && m.geographicalArea === 'SG')).toMatchObject({ expression: '5.80 %', validTo: '2021-03-31' });
    expect(imp.measures.find((m) => m.measureType === '143' && m.geographicalArea === 'MA' && m.quotaOrderNumber === '051193')).toMatchObject({ validTo: '2021-05-31' });
    expect(imp.measures.find((m) => m.measureType === '305')).toMatchObject({ additionalCode: 'VATZ', expression: '0.00 %' });
  });

  it('reads the unit of a supplementary-unit measure (109) from its components', () => {
    const withUnit = JSON.parse(cherrySample);
    const m = structuredClone(withUnit.import_measures[1]);
    Object.assign(m, {
      id: 99,
      measure_type: { id: '109', description: 'Supplementary unit' },
      duty_expression: { base: '' },
      measure_components: [{ measurement_unit_code: 'NAR', measurement_unit_qualifier_code: null }],
    });
    withUnit.import_measures.push(m);
    expect(parseOttApiJson('x', JSON.stringify(withUnit)).measures.find((x) => x.measureType === '109')).toMatchObject({ expression: 'NAR' });
  });

  it('captures group memberships stated by the measures (1013 European Union has FR, not GB)', () => {
    expect(imp.groups.get('1013')).toContain('FR');
    expect(imp.groups.get('1013')).not.toContain('GB');
    expect(imp.groups.get('2005')).toContain('BD');
  });

  it('reads the same measures from the JSON:API form (data.relationships → included)', () => {
    const api = parseOttApiJson('ott-0702000007', JSON.stringify(asJsonApi(JSON.parse(cherrySample))));
    expect(api.format).toBe('ott-api-jsonapi');
    expect(api.measures).toEqual(imp.measures);
    expect(api.groups.get('1013')).toEqual(imp.groups.get('1013'));
  });

  it('refuses a measure with a broken date, naming the measure and field', () => {
    const broken = JSON.parse(cherrySample);
    broken.import_measures[1].effective_start_date = '1st January';
    expect(() => parseOttApiJson('bad', JSON.stringify(broken))).toThrow(OttImportError);
    try {
      parseOttApiJson('bad', JSON.stringify(broken));
    } catch (e) {
      expect((e as OttImportError).issues).toEqual(['import_measures[1] (measure 20001033) field effective_start_date/effective_end_date: not an ISO date']);
    }
  });
});

describe('OTT geographical areas list (group membership)', () => {
  it('reads groups with their members; the bundled country list states none and is refused as a membership load', () => {
    const doc = {
      data: [
        {
          id: '1013',
          type: 'geographical_area',
          attributes: { geographical_area_id: '1013', description: 'European Union' },
          relationships: {
            children_geographical_areas: {
              data: [
                { id: 'FR', type: 'geographical_area' },
                { id: 'DE', type: 'geographical_area' },
              ],
            },
          },
        },
      ],
    };
    const imp = parseOttApiJson('areas', JSON.stringify(doc));
    expect(imp.format).toBe('ott-geographical-areas');
    expect(imp.groups.get('1013')).toEqual(['FR', 'DE']);
    expect(() => parseOttApiJson('countries', fs.readFileSync(path.join(data, 'codes/geo/geographical_areas.json'), 'utf8'))).toThrow(/states no group memberships/);
  });
});

describe('OTT declarable-duties report importer (team-written fixture in the report layout)', () => {
  it('uses the report column layout of trade-tariff-backend', () => {
    expect(exportFixture.split('\n')[0]).toBe(DECLARABLE_DUTIES_COLUMNS.join(','));
  });

  it('reads measures, excluded areas, quotas and additional codes', () => {
    const imp = parseDeclarableDutiesCsv('declarable', exportFixture);
    expect(imp.commodityCodes).toEqual(['0702000007', '7318158100']);
    expect(imp.measures).toHaveLength(8);
    expect(imp.measures[0]).toMatchObject({ sid: '20001033', measureType: '103', geographicalArea: '1011', expression: '8.00%', validTo: '2021-05-14' });
    expect(imp.measures.find((m) => m.sid === '20127862')).toMatchObject({ measureType: '143', quotaOrderNumber: '051193' });
    expect(imp.measures.find((m) => m.sid === '90000002')).toMatchObject({ measureType: '552', additionalCode: 'C999', geographicalArea: 'CN', expression: '85.00%' });
    expect(imp.measures.find((m) => m.sid === '90000004')!.excludedAreas).toEqual(['US', '1013']);
  });

  it('refuses bad rows, naming row and field, and a wrong header', () => {
    const bad = exportFixture.replace('20104484,142,Tariff preference,,,5.80%,2021-01-01', '20104484,142,Tariff preference,,,5.80%,01/01/2021');
    expect(() => parseDeclarableDutiesCsv('declarable', bad)).toThrow('row 4 field measure__effective_start_date: "01/01/2021" is not YYYY-MM-DD');
    expect(() => parseDeclarableDutiesCsv('x', 'a,b\n1,2\n')).toThrow(/missing column\(s\) commodity__code/);
  });

  it('reads the report as published (.xlsx with shared strings) to the same measures as its CSV form', () => {
    const table = parse(exportFixture, { relax_column_count: false }) as string[][];
    const xlsx = parseOttFile('declarable_commodities_with_duty_measures_uk_2021_02_15.xlsx', xlsxOf(table));
    expect(xlsx.format).toBe('ott-declarable-duties');
    expect(xlsx.measures).toEqual(parseDeclarableDutiesCsv('declarable', exportFixture).measures);
    expect(() => parseOttFile('book.xlsx', Buffer.from('PK\u0003\u0004rest', 'latin1'))).toThrow(/not a ZIP archive/);
    expect(() => parseOttFile('evil.xlsx', xlsxOf([['a']], '<!DOCTYPE x [<!ENTITY e "boom">]>'))).toThrow(/DOCTYPE declarations are not accepted/);
    expect(parseOttFile('x', Buffer.from(exportFixture)).format).toBe('ott-declarable-duties');
    expect(parseOttFile('x', Buffer.from(cherrySample)).format).toBe('ott-api-flat');
  });

  it("reads an .xlsx report with the reader it is given (the service: a bounded worker), its refusals the load's issue", async () => {
    const table = parse(exportFixture, { relax_column_count: false }) as string[][];
    const pool = new WorkbookWorkerPool({ maxMemoryMb: loadConfig({}).WORKBOOK_MAX_MEMORY_MB });
    const readSheet = async (source: string, content: Buffer) => (await pool.readRows(content, source)).rows;
    try {
      expect((await parseOttFileWith('declarable', xlsxOf(table), readSheet)).measures).toEqual(parseDeclarableDutiesCsv('declarable', exportFixture).measures);
      const freeze = parseOttFileWith('freeze', xlsxOfSheetXml('<row r="1"><c r="A1"><v>1</v></c><c r="ZZZZZZZ1"><v>1</v></c></row>'), readSheet);
      await expect(freeze).rejects.toThrow(OttImportError);
      await expect(freeze).rejects.toMatchObject({ source: 'freeze', issues: ['freeze:xl/worksheets/sheet1.xml: row 1, cell ZZZZZZZ1: data beyond column 16384 (maxColumns)'] });
    } finally {
      await pool.close();
    }
    // Not a workbook: read here, the reader is not asked.
    const never = async (): Promise<string[][]> => {
      throw new Error('not asked');
    };
    expect((await parseOttFileWith('x', Buffer.from(cherrySample), never)).format).toBe('ott-api-flat');
    // A reader closed as the process stops is no verdict on the file: it fails as it is.
    const closed = new WorkbookWorkerError('book', 'closed', 'book: the workbook reader was closed (the service is stopping)');
    await expect(parseOttFileWith('book', xlsxOf(table), async () => Promise.reject(closed))).rejects.toBe(closed);
  });

  it('takes the workbook worker settings from the configuration, each bad one named', () => {
    expect(loadConfig({})).toMatchObject({ WORKBOOK_TIMEOUT_MS: 120_000, WORKBOOK_MAX_MEMORY_MB: 2048, WORKBOOK_CONCURRENCY: 1 });
    expect(() => loadConfig({ WORKBOOK_TIMEOUT_MS: '50', WORKBOOK_MAX_MEMORY_MB: '99999' })).toThrow(
      'Invalid configuration:\n  - WORKBOOK_TIMEOUT_MS must be >= 100, got 50\n  - WORKBOOK_MAX_MEMORY_MB must be <= 16384, got 99999',
    );
  });
});
