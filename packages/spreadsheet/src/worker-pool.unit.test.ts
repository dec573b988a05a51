// Workbooks read on bounded worker threads (worker-pool.ts, run from the build output under
// jest, as `make test` builds first): the same rows as on the calling thread, a cap's refusal
// with its details, and a worker that runs out of its heap or past its deadline is a
// WorkbookWorkerError for that workbook while the pool goes on reading the next.
import { fodsOf, odsOf, xlsxOf, xlsxOfSheetXml } from '@customs/testing';
import { csvChunks, rowsToCsv } from './csv';
import { limitsForMemory, SheetLimitError, SHEET_LIMITS } from './limits';
import { readFirstSheetOfWorkbook } from './workbook';
import { WorkbookWorkerError, WorkbookWorkerPool } from './worker-pool';

const table = [
  ['MRN', 'Item Number', 'Goods Description'],
  ['26GBWRK00000000011', '1', 'Shaver parts, "spare"\nline 2'],
];
/** The OOM shape of xlsx-limits.unit.test.ts: rows of one cell at the last column. */
const oomShape = xlsxOfSheetXml('<row><c r="XFD1"><v>1</v></c></row>'.repeat(20_000));

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the read to fail');
}

describe('WorkbookWorkerPool', () => {
  const pool = new WorkbookWorkerPool({ timeoutMs: 60_000, maxMemoryMb: 256 });
  afterAll(() => pool.close());

  it('reads every kind of workbook to the rows (or CSV) the calling thread reads', async () => {
    for (const [book, kind] of [
      [xlsxOf(table), 'xlsx'],
      [odsOf(table), 'ods'],
      [fodsOf(table), 'fods'],
    ] as const) {
      expect(await pool.readRows(book, `t.${kind}`)).toEqual({ kind, rows: table });
      expect(readFirstSheetOfWorkbook(book, `t.${kind}`)).toEqual({ kind, rows: table });
      const { csv } = await pool.readCsv(book, `t.${kind}`);
      expect(csv.toString('utf8')).toBe(rowsToCsv(table));
    }
  });

  it('sizes the caps to its heap, so a workbook is refused by name before its worker nears the limit', async () => {
    expect(limitsForMemory(1024)).toEqual({ ...SHEET_LIMITS, maxContentBytes: 128 << 20, maxCells: 8_388_608, maxTextChars: 64 << 20, maxSharedStrings: 1_048_576, maxSharedStringChars: 32 << 20 });
    expect(limitsForMemory(16_384)).toEqual(SHEET_LIMITS); // never more than the defaults
    expect(pool.limits).toEqual(limitsForMemory(256));
    expect(new WorkbookWorkerPool({ maxMemoryMb: 256, limits: { maxCells: 5 } }).limits).toEqual({ ...limitsForMemory(256), maxCells: 5 });
    // 250 cells showing one 1 MB shared string (1.6 KB of .xlsx): with the heap limit alone its
    // 250 MB of CSV ended the whole process (a fatal out-of-memory in native code), not only the
    // worker; the text cap for a 256 MB heap (16 M characters) refuses it at the 17th cell.
    const amplified = xlsxOfSheetXml(`<row>${'<c t="s"><v>0</v></c>'.repeat(250)}</row>`, [{ name: 'xl/sharedStrings.xml', data: `<sst><si><t>${'x'.repeat(1_000_000)}</t></si></sst>` }]);
    expect((await failure(pool.readCsv(amplified, 'amp.xlsx'))).message).toBe(
      'amp.xlsx:xl/worksheets/sheet1.xml: row 1, cell Q1: the first sheet holds more than 16777216 characters of text (maxTextChars)',
    );
  });

  it('gives a cap refusal as the SheetLimitError the reader threw, details and all', async () => {
    const e = await failure(pool.readCsv(oomShape, 'oom.xlsx'));
    expect(e).toBeInstanceOf(SheetLimitError);
    // 2,097,152 cells for a 256 MB heap: 128 rows of 16,384.
    expect(e.message).toBe('oom.xlsx:xl/worksheets/sheet1.xml: row 129, cell XFD1: the first sheet has more than 2097152 cells (maxCells); split the report');
    expect((e as SheetLimitError).details).toMatchObject({ source: 'oom.xlsx', part: 'xl/worksheets/sheet1.xml', cap: 'maxCells', limit: 2_097_152, row: 129, cell: 'XFD1' });
    // A workbook that is merely broken is a plain error naming it.
    expect((await failure(pool.readRows(Buffer.from('PK\u0003\u0004junk', 'latin1'), 'junk.xlsx'))).message).toBe('junk.xlsx: not a ZIP archive (no end of central directory)');
  });

  it('stops a worker that runs out of its heap, and reads the next workbook', async () => {
    // Caps raised so that only the heap limit stands between this workbook and 327 million cells.
    const small = new WorkbookWorkerPool({ maxMemoryMb: 64, limits: { maxCells: 1e12 } });
    try {
      const e = await failure(small.readRows(oomShape, 'oom.xlsx'));
      expect(e).toBeInstanceOf(WorkbookWorkerError);
      expect((e as WorkbookWorkerError).reason).toBe('memory');
      expect(e.message).toBe('oom.xlsx: reading the workbook needed more than 64 MB of memory and was stopped; split the report, or send it as CSV (which streams)');
      expect(await small.readRows(xlsxOf(table), 'next.xlsx')).toEqual({ kind: 'xlsx', rows: table });
    } finally {
      await small.close();
    }
  });

  it('terminates a worker past its deadline, and reads the next workbook', async () => {
    // Five million shared strings (85 MB of XML from 200 KB) take seconds to parse: far past
    // 250 ms. (The caps for its heap would refuse them: raised, the deadline is what stops it.)
    const slow = xlsxOfSheetXml('<row><c t="s"><v>0</v></c></row>', [{ name: 'xl/sharedStrings.xml', data: `<sst>${'<si><t>a</t></si>'.repeat(5_000_000)}</sst>` }]);
    const quick = new WorkbookWorkerPool({ timeoutMs: 250, concurrency: 1, limits: { maxSharedStrings: 10_000_000, maxContentBytes: 256 << 20 } });
    try {
      const e = await failure(quick.readRows(slow, 'slow.xlsx'));
      expect(e).toBeInstanceOf(WorkbookWorkerError);
      expect((e as WorkbookWorkerError).reason).toBe('timeout');
      expect(e.message).toBe('slow.xlsx: reading the workbook took longer than 250 ms and was stopped; split the report, or send it as CSV (which streams)');
    } finally {
      await quick.close();
    }
    const next = new WorkbookWorkerPool({ concurrency: 1 });
    // Queued behind one another (concurrency 1), both are read.
    const [a, b] = await Promise.all([next.readRows(xlsxOf(table), 'a.xlsx'), next.readRows(odsOf(table), 'b.ods')]);
    expect([a.rows, b.rows]).toEqual([table, table]);
    await next.close();
  });

  it('refuses the reads still waiting when it is closed', async () => {
    const closing = new WorkbookWorkerPool({ concurrency: 1 });
    const first = failure(closing.readRows(xlsxOf(table), 'first.xlsx'));
    const waiting = failure(closing.readRows(xlsxOf(table), 'waiting.xlsx'));
    await closing.close();
    const e = await waiting;
    expect(e).toBeInstanceOf(WorkbookWorkerError);
    expect([(e as WorkbookWorkerError).reason, e.message]).toEqual(['closed', 'waiting.xlsx: the workbook reader was closed (the service is stopping)']);
    expect(((await first) as WorkbookWorkerError).reason).toBe('closed');
    expect(((await failure(closing.readRows(xlsxOf(table), 'late.xlsx'))) as WorkbookWorkerError).reason).toBe('closed');
  });
});

describe('csvChunks', () => {
  it('is rowsToCsv in buffers of about a MB, however the text falls across them', () => {
    const decode = (chunks: Uint8Array[]) => Buffer.concat(chunks).toString('utf8');
    const rows = [['a', 'say "hi"', ''], [], ['x'.repeat(1_500_000), '東京'.repeat(600_000)], ['=1+1', 'line\nbreak']];
    const chunks = csvChunks(rows);
    expect(chunks.length).toBeGreaterThan(2);
    expect(decode(chunks)).toBe(rowsToCsv(rows));
    expect(decode(csvChunks([]))).toBe(rowsToCsv([]));
  });
});
