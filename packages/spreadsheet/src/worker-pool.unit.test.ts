// Workbooks read on bounded worker threads (worker-pool.ts, run from the build output under
// jest, as `make test` builds first): the same rows as on the calling thread, a cap's refusal
// with its details, and a worker that runs out of its heap or past its deadline is a
// WorkbookWorkerError for that workbook while the pool goes on reading the next.
import { fodsOf, odsOf, xlsxOf, xlsxOfSheetXml } from '@customs/testing';
import { rowsToCsv } from './index';
import { SheetLimitError } from './limits';
import { readFirstSheetOfWorkbook } from './workbook';
import { WorkbookWorkerError, WorkbookWorkerPool } from './worker-pool';

const table = [['MRN', 'Item Number', 'Goods Description'], ['26GBWRK00000000011', '1', 'Shaver parts, "spare"\nline 2']];
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
    for (const [book, kind] of [[xlsxOf(table), 'xlsx'], [odsOf(table), 'ods'], [fodsOf(table), 'fods']] as const) {
      expect(await pool.readRows(book, `t.${kind}`)).toEqual({ kind, rows: table });
      expect(readFirstSheetOfWorkbook(book, `t.${kind}`)).toEqual({ kind, rows: table });
      const { csv } = await pool.readCsv(book, `t.${kind}`);
      expect(csv.toString('utf8')).toBe(rowsToCsv(table));
    }
  });

  it('gives a cap refusal as the SheetLimitError the reader threw, details and all', async () => {
    const e = await failure(pool.readCsv(oomShape, 'oom.xlsx'));
    expect(e).toBeInstanceOf(SheetLimitError);
    expect(e.message).toBe('oom.xlsx:xl/worksheets/sheet1.xml: row 611, cell XFD1: the first sheet has more than 10000000 cells (maxCells); split the report');
    expect((e as SheetLimitError).details).toMatchObject({ source: 'oom.xlsx', part: 'xl/worksheets/sheet1.xml', cap: 'maxCells', row: 611, cell: 'XFD1' });
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
    // Five million shared strings (85 MB of XML from 200 KB) take seconds to parse: far past 250 ms.
    const slow = xlsxOfSheetXml('<row><c t="s"><v>0</v></c></row>', [{ name: 'xl/sharedStrings.xml', data: `<sst>${'<si><t>a</t></si>'.repeat(5_000_000)}</sst>` }]);
    const quick = new WorkbookWorkerPool({ timeoutMs: 250, concurrency: 1 });
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
