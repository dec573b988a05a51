// HMRC ships CDS data reports as .xlsx as well as CSV: both forms of the same reports must give
// the same declarations, and a broken or hostile workbook is an issue naming the file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import { REPO_ROOT, xlsxOf, xlsxOfSheetXml } from '@customs/testing';
import { loadConfig } from '../config';
import { closeWorkbookReading, configureWorkbookReading, parseDocuments } from './formats';

const dir = path.join(REPO_ROOT, 'packages/testing/fixtures/cds-reports');
const names = ['import-header.csv', 'import-item.csv', 'import-taxline.csv'];
const csv = names.map((n) => ({ sourceName: n, content: fs.readFileSync(path.join(dir, n)) }));
const asXlsx = (f: { sourceName: string; content: Buffer }) => ({
  sourceName: f.sourceName.replace(/\.csv$/, '.xlsx'),
  content: xlsxOf(parse(f.content, { bom: true, relax_column_count: true }) as string[][]),
});

describe('CDS data reports as .xlsx', () => {
  it('give the same declarations as the CSV reports (header, item and tax-line joined)', async () => {
    const fromCsv = await parseDocuments('cds-report', csv, 10 * 1024 * 1024);
    const fromXlsx = await parseDocuments('cds-report', csv.map(asXlsx), 10 * 1024 * 1024);
    expect(fromCsv.declarations.length).toBeGreaterThan(0);
    const strip = (ds: typeof fromCsv.declarations) => ds.map((d) => ({ ...d, sourceName: '' }));
    expect(strip(fromXlsx.declarations)).toEqual(strip(fromCsv.declarations));
    expect(fromXlsx.issues.filter((i) => i.severity === 'error')).toEqual(
      fromCsv.issues.filter((i) => i.severity === 'error').map((i) => ({ ...i, sourceName: i.sourceName.replace(/\.csv$/, '.xlsx') })),
    );
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

  it('rejects a workbook past a cap (WORKBOOK_LIMIT naming part, row, cell and cap), or past the time or memory its worker has, and reads the others', async () => {
    const freeze = { sourceName: 'freeze.xlsx', content: xlsxOfSheetXml('<row r="1"><c r="A1"><v>1</v></c><c r="ZZZZZZZ1"><v>1</v></c></row>') };
    const oom = { sourceName: 'oom.xlsx', content: xlsxOfSheetXml('<row><c r="XFD1"><v>1</v></c></row>'.repeat(20_000)) };
    const fromCsv = await parseDocuments('cds-report', csv, 10 * 1024 * 1024);
    const r = await parseDocuments('cds-report', [csv[0]!, freeze, asXlsx(csv[1]!), oom, csv[2]!], 10 * 1024 * 1024);
    expect(r.issues.filter((i) => i.code === 'WORKBOOK_LIMIT')).toEqual([
      {
        severity: 'error',
        sourceName: 'freeze.xlsx',
        line: 1,
        location: 'xl/worksheets/sheet1.xml: row 1, cell ZZZZZZZ1',
        field: 'maxColumns',
        code: 'WORKBOOK_LIMIT',
        reason: 'not a readable .xlsx report: freeze.xlsx:xl/worksheets/sheet1.xml: row 1, cell ZZZZZZZ1: data beyond column 16384 (maxColumns)',
      },
      // The cell cap for the default 1024 MB worker heap: 8,388,608 (512 rows of 16,384).
      {
        severity: 'error',
        sourceName: 'oom.xlsx',
        line: 513,
        location: 'xl/worksheets/sheet1.xml: row 513, cell XFD1',
        field: 'maxCells',
        code: 'WORKBOOK_LIMIT',
        reason: 'not a readable .xlsx report: oom.xlsx:xl/worksheets/sheet1.xml: row 513, cell XFD1: the first sheet has more than 8388608 cells (maxCells); split the report',
      },
    ]);
    expect(r.declarations.map((d) => d.mrn)).toEqual(fromCsv.declarations.map((d) => d.mrn));
    // A worker that runs out of its heap, or past its deadline, rejects its workbook the same way
    // (the caps sized to the heap would refuse these first: raised, the backstops are what stop them).
    const slow = {
      sourceName: 'slow.xlsx',
      content: xlsxOfSheetXml('<row><c t="s"><v>0</v></c></row>', [{ name: 'xl/sharedStrings.xml', data: `<sst>${'<si><t>a</t></si>'.repeat(5_000_000)}</sst>` }]),
    };
    try {
      configureWorkbookReading({ maxMemoryMb: 64, limits: { maxCells: 1e12 } });
      const m = await parseDocuments('cds-report', [oom], 10 * 1024 * 1024);
      expect(m.issues.map((i) => [i.code, i.field, i.location, i.reason])).toEqual([
        [
          'WORKBOOK_LIMIT',
          'memory',
          '(file)',
          'not a readable .xlsx report: oom.xlsx: reading the workbook needed more than 64 MB of memory and was stopped; split the report, or send it as CSV (which streams)',
        ],
      ]);
      configureWorkbookReading({ timeoutMs: 250, limits: { maxSharedStrings: 1e7, maxContentBytes: 256 << 20 } });
      const t = await parseDocuments('cds-report', [slow], 10 * 1024 * 1024);
      expect(t.issues.map((i) => [i.code, i.field, i.location, i.reason])).toEqual([
        [
          'WORKBOOK_LIMIT',
          'timeout',
          '(file)',
          'not a readable .xlsx report: slow.xlsx: reading the workbook took longer than 250 ms and was stopped; split the report, or send it as CSV (which streams)',
        ],
      ]);
    } finally {
      await closeWorkbookReading(); // back to the defaults
    }
  });

  it('takes the workbook worker settings from the configuration, each bad one named', () => {
    expect(loadConfig({})).toMatchObject({ WORKBOOK_TIMEOUT_MS: 30_000, WORKBOOK_MAX_MEMORY_MB: 1024, WORKBOOK_CONCURRENCY: 2 });
    expect(() => loadConfig({ WORKBOOK_TIMEOUT_MS: 'soon', WORKBOOK_MAX_MEMORY_MB: '10', WORKBOOK_CONCURRENCY: '0' })).toThrow(
      'Invalid configuration:\n  - WORKBOOK_TIMEOUT_MS must be an integer, got "soon"\n  - WORKBOOK_MAX_MEMORY_MB must be >= 64, got 10\n  - WORKBOOK_CONCURRENCY must be >= 1, got 0',
    );
  });
});
