// HMRC ships CDS data reports as .xlsx as well as CSV: both forms of the same reports must give
// the same declarations, and a broken or hostile workbook is an issue naming the file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import { REPO_ROOT, xlsxOf } from '@customs/testing';
import { parseDocuments } from './formats';

const dir = path.join(REPO_ROOT, 'packages/testing/fixtures/cds-reports');
const names = ['import-header.csv', 'import-item.csv', 'import-taxline.csv'];
const csv = names.map((n) => ({ sourceName: n, content: fs.readFileSync(path.join(dir, n)) }));
const asXlsx = (f: { sourceName: string; content: Buffer }) => ({ sourceName: f.sourceName.replace(/\.csv$/, '.xlsx'), content: xlsxOf(parse(f.content, { bom: true, relax_column_count: true }) as string[][]) });

describe('CDS data reports as .xlsx', () => {
  it('give the same declarations as the CSV reports (header, item and tax-line joined)', async () => {
    const fromCsv = await parseDocuments('cds-report', csv, 10 * 1024 * 1024);
    const fromXlsx = await parseDocuments('cds-report', csv.map(asXlsx), 10 * 1024 * 1024);
    expect(fromCsv.declarations.length).toBeGreaterThan(0);
    const strip = (ds: typeof fromCsv.declarations) => ds.map((d) => ({ ...d, sourceName: '' }));
    expect(strip(fromXlsx.declarations)).toEqual(strip(fromCsv.declarations));
    expect(fromXlsx.issues.filter((i) => i.severity === 'error')).toEqual(fromCsv.issues.filter((i) => i.severity === 'error').map((i) => ({ ...i, sourceName: i.sourceName.replace(/\.csv$/, '.xlsx') })));
  });

  it('mixes forms in one submission (an .xlsx item report with CSV header and tax lines)', async () => {
    const mixed = [csv[0]!, asXlsx(csv[1]!), csv[2]!];
    const fromCsv = await parseDocuments('cds-report', csv, 10 * 1024 * 1024);
    const fromMixed = await parseDocuments('cds-report', mixed, 10 * 1024 * 1024);
    expect(fromMixed.declarations.map((d) => d.mrn)).toEqual(fromCsv.declarations.map((d) => d.mrn));
  });

  it('refuses a workbook with a DTD or a broken container, naming the file', async () => {
    const evil = { sourceName: 'evil.xlsx', content: xlsxOf([['MRN'], ['x']], '<!DOCTYPE x [<!ENTITY e "boom">]>') };
    const broken = { sourceName: 'broken.xlsx', content: Buffer.from('PK\u0003\u0004not really a zip', 'latin1') };
    const r = await parseDocuments('cds-report', [evil, broken], 10 * 1024 * 1024);
    expect(r.declarations).toEqual([]);
    expect(r.issues.filter((i) => i.code === 'BAD_WORKBOOK').map((i) => [i.sourceName, i.field])).toEqual([
      ['evil.xlsx', '(workbook)'],
      ['broken.xlsx', '(workbook)'],
    ]);
    expect(r.issues.find((i) => i.sourceName === 'evil.xlsx')!.reason).toMatch(/DOCTYPE/);
  });
});
