import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import { REPO_ROOT, xlsxOf, xlsxOfSheetXml } from '@customs/testing';
import { startIngestion, type IngestionHarness } from './__fixtures__/harness';

// Hostile .xlsx reports through the real service (HTTP, worker threads, group commit, Postgres):
// each is a 422 whose issue names the file, the part, the row and cell, and the cap (or the
// worker's memory limit), is stored as a rejected batch with its raw bytes like every rejected
// document, and the service goes on serving. Before the caps and the bounded worker, the first
// shape froze the service for seconds at 3 GB and the second ran it out of memory.
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const freeze = xlsxOfSheetXml('<row r="1"><c r="A1"><v>1</v></c><c r="ZZZZZZZ1"><v>1</v></c></row>');
const oom = xlsxOfSheetXml('<row><c r="XFD1"><v>1</v></c></row>'.repeat(20_000));
// 250 cells showing one 1 MB shared string: 250 MB of text from 1.6 KB. Within the default
// caps, but with only a heap limit it ran its worker out of memory in native code, which is fatal
// to the whole process; the caps sized to the worker's heap refuse it by name.
const amplified = xlsxOfSheetXml(`<row>${'<c t="s"><v>0</v></c>'.repeat(250)}</row>`, [
  { name: 'xl/sharedStrings.xml', data: `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>${'x'.repeat(1_000_000)}</t></si></sst>` },
]);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const gen = require(path.join(REPO_ROOT, 'scripts/gen-large-cds.js')) as { row(i: number, prefix: string): string; HEADER: string };
const items = parse(gen.HEADER + Array.from({ length: 30 }, (_, i) => gen.row(i, 'WBLIM1')).join(''), { relax_column_count: true }) as string[][];

describe('hostile .xlsx CDS reports through the real ingestion service', () => {
  let h: IngestionHarness;
  beforeAll(async () => {
    h = await startIngestion('wblimits', { WORKBOOK_MAX_MEMORY_MB: '128' });
  });
  afterAll(async () => {
    await h?.stop();
  });

  const post = (content: Buffer, filename: string) => h.http('POST', `/v1/documents?format=cds-report&filename=${filename}`, content, { contentType: XLSX });
  /** The stored batch (status, raw bytes) and its issues. */
  const stored = async (batchId: string) => {
    const [batch] = await h.query<{ status: string; source_name: string; raw_content: Buffer }>('select status, source_name, raw_content from ingestion.batches where batch_id = $1', [batchId]);
    const issues = await h.query<{ code: string; field: string; line: number | null; location: string; reason: string }>(
      'select code, field, line, location, reason from ingestion.batch_issues where batch_id = $1 order by id',
      [batchId],
    );
    return { batch, issues };
  };

  it('refuses a cell reference past the last column (487 bytes: froze the service for seconds at 3 GB): 422 naming part, row, cell and cap; kept with its bytes', async () => {
    const r = await post(freeze, 'freeze.xlsx');
    expect(r.status).toBe(422);
    expect(r.body.status).toBe('rejected');
    const reason = 'not a readable .xlsx report: freeze.xlsx:xl/worksheets/sheet1.xml: row 1, cell ZZZZZZZ1: data beyond column 16384 (maxColumns)';
    expect(r.body.issues).toEqual([
      expect.objectContaining({
        severity: 'error',
        sourceName: 'freeze.xlsx',
        line: 1,
        location: 'xl/worksheets/sheet1.xml: row 1, cell ZZZZZZZ1',
        field: 'maxColumns',
        code: 'WORKBOOK_LIMIT',
        reason,
      }),
    ]);
    const { batch, issues } = await stored(r.body.batchId);
    expect(batch).toEqual({ status: 'rejected', source_name: 'freeze.xlsx', raw_content: freeze });
    expect(issues).toEqual([{ code: 'WORKBOOK_LIMIT', field: 'maxColumns', line: 1, location: 'xl/worksheets/sheet1.xml: row 1, cell ZZZZZZZ1', reason }]);
  });

  it('refuses rows of far cells (2.5 KB: ran the service out of memory) at the cell cap, before materialising them', async () => {
    const r = await post(oom, 'oom.xlsx');
    expect(r.status).toBe(422);
    // The cell cap for a 128 MB worker heap: 1,048,576 cells, 64 rows of 16,384.
    expect(r.body.issues).toEqual([
      expect.objectContaining({
        sourceName: 'oom.xlsx',
        line: 65,
        location: 'xl/worksheets/sheet1.xml: row 65, cell XFD1',
        field: 'maxCells',
        code: 'WORKBOOK_LIMIT',
        reason: 'not a readable .xlsx report: oom.xlsx:xl/worksheets/sheet1.xml: row 65, cell XFD1: the first sheet has more than 1048576 cells (maxCells); split the report',
      }),
    ]);
    const { batch } = await stored(r.body.batchId);
    expect([batch!.status, Buffer.compare(batch!.raw_content, oom)]).toEqual(['rejected', 0]);
  });

  it('refuses text that would outgrow the worker heap (WORKBOOK_MAX_MEMORY_MB) by its cap, and keeps serving: the next report is read', async () => {
    const r = await post(amplified, 'amplified.xlsx');
    expect(r.status).toBe(422);
    // 8 M characters of text for a 128 MB heap: the 9th cell of 1 M is past it.
    expect(r.body.issues).toEqual([
      expect.objectContaining({
        sourceName: 'amplified.xlsx',
        line: 1,
        location: 'xl/worksheets/sheet1.xml: row 1, cell I1',
        field: 'maxTextChars',
        code: 'WORKBOOK_LIMIT',
        reason: 'not a readable .xlsx report: amplified.xlsx:xl/worksheets/sheet1.xml: row 1, cell I1: the first sheet holds more than 8388608 characters of text (maxTextChars)',
      }),
    ]);
    const { batch, issues } = await stored(r.body.batchId);
    expect([batch!.status, Buffer.compare(batch!.raw_content, amplified), issues.map((i) => i.field)]).toEqual(['rejected', 0, ['maxTextChars']]);

    // The same service, right after: a readable workbook is accepted (its worker is a new one).
    const good = await post(xlsxOf(items), 'import-item.xlsx');
    expect(good.status).toBe(201);
    expect(good.body.status).toBe('accepted');
    expect(good.body.declarations).toHaveLength(10);
    const batches = await h.http('GET', '/v1/batches', undefined, { token: h.tokens.analyst });
    expect(batches.body.batches.map((b: { source_name: string; status: string }) => [b.source_name, b.status]).sort()).toEqual([
      ['amplified.xlsx', 'rejected'],
      ['freeze.xlsx', 'rejected'],
      ['import-item.xlsx', 'accepted'],
      ['oom.xlsx', 'rejected'],
    ]);
  });
});
