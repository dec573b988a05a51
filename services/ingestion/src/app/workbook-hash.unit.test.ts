// The same CDS report as CSV and as a typed workbook (as Calc or Excel save a CSV they opened:
// numbers as number cells, dates as date cells) must be the same entries to idempotency: the
// content hash is of the values, not of their spelling ("3800.00" in the CSV, the number 3800 in
// the workbook; "14/03/2023 10:15:00" and a date cell).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import { REPO_ROOT, fodsOf, odsOf, xlsxOf } from '@customs/testing';
import { readFirstSheetOfWorkbook } from '@customs/spreadsheet';
import { parseDocuments } from './formats';

const dir = path.join(REPO_ROOT, 'packages/testing/fixtures/cds-reports');
const names = ['import-header.csv', 'import-item.csv', 'import-taxline.csv'];
const csv = names.map((n) => ({ sourceName: n, content: fs.readFileSync(path.join(dir, n)) }));
const table = (f: { content: Buffer }) => parse(f.content, { bom: true, relax_column_count: true }) as string[][];
const typedOds = (t: string[][], name: string) => ({ sourceName: name.replace(/\.csv$/, '.ods'), content: odsOf(t, { typed: 'calc', repeats: true, padTo: { rows: 1_048_576, columns: 1024 } }) });
const typedFods = (t: string[][], name: string) => ({ sourceName: name.replace(/\.csv$/, '.fods'), content: fodsOf(t, { typed: 'calc', repeats: true }) });
const typedXlsx = (t: string[][], name: string) => ({ sourceName: name.replace(/\.csv$/, '.xlsx'), content: xlsxOf(t, '', { typed: 'excel' }) });
const MAX = 10 * 1024 * 1024;
const hashes = (r: Awaited<ReturnType<typeof parseDocuments>>) => r.declarations.map((d) => [d.lrn, d.contentSha256]);

describe('the content hash of CDS report entries, CSV or typed workbook', () => {
  it('is the same per entry for the CSV reports and the typed .ods, .fods and .xlsx of them', async () => {
    const fromCsv = await parseDocuments('cds-report', csv, MAX);
    expect(fromCsv.declarations).toHaveLength(2);
    for (const as of [typedOds, typedFods, typedXlsx]) {
      const typed = csv.map((f) => as(table(f), f.sourceName));
      const r = await parseDocuments('cds-report', typed, MAX);
      expect(r.issues.filter((i) => i.severity === 'error')).toEqual([]);
      expect(hashes(r)).toEqual(hashes(fromCsv));
    }
    // Mixed in one submission (CSV header, typed .ods items, typed .xlsx tax lines): the same entries.
    const mixed = await parseDocuments('cds-report', [csv[0]!, typedOds(table(csv[1]!), names[1]!), typedXlsx(table(csv[2]!), names[2]!)], MAX);
    expect(hashes(mixed)).toEqual(hashes(fromCsv));
  });

  it('holds for workbooks that really are typed: number cells give "3800" and date cells ISO dates, where the CSV says "3800.00" and "14/03/2023 10:15:00"', async () => {
    const header = table(csv[0]!);
    expect(header[1]).toEqual(expect.arrayContaining(['3800.00', '14/03/2023 10:15:00']));
    for (const { kind, rows } of [
      readFirstSheetOfWorkbook(typedOds(header, 'h.csv').content),
      readFirstSheetOfWorkbook(typedFods(header, 'h.csv').content),
      readFirstSheetOfWorkbook(typedXlsx(header, 'h.csv').content),
    ]) {
      expect([kind, rows[1]]).toEqual([kind, expect.arrayContaining(['3800', '2023-03-14T10:15:00', '3260.47', '1108654', '000123A'])]);
      expect([kind, rows[2]]).toEqual([kind, expect.arrayContaining(['1000', '2023-03-15T09:00:00'])]);
      expect(rows[1]).not.toContain('3800.00');
    }
    // The declarations keep the spelling they came with (only the hash input is canonical).
    const fromCsv = await parseDocuments('cds-report', csv, MAX);
    const fromXlsx = await parseDocuments(
      'cds-report',
      csv.map((f) => typedXlsx(table(f), f.sourceName)),
      MAX,
    );
    expect(fromCsv.declarations[0]!.invoiceAmount).toEqual({ value: '3800.00', currency: 'EUR' });
    expect(fromXlsx.declarations[0]!.invoiceAmount).toEqual({ value: '3800', currency: 'EUR' });
    expect(fromXlsx.declarations.map((d) => d.acceptanceDate)).toEqual(['2023-03-14', '2023-03-15']);
  });

  it('differs for the entry whose value really differs (3800.01), and only for it', async () => {
    const fromCsv = await parseDocuments('cds-report', csv, MAX);
    const header = table(csv[0]!);
    const col = header[0]!.indexOf('Invoice Total');
    const changed = header.map((r, i) => (i === 1 ? r.map((v, j) => (j === col ? '3800.01' : v)) : r));
    for (const as of [typedOds, typedFods, typedXlsx]) {
      const r = await parseDocuments('cds-report', [as(changed, names[0]!), ...csv.slice(1).map((f) => as(table(f), f.sourceName))], MAX);
      expect(r.declarations[0]!.invoiceAmount!.value).toBe('3800.01');
      expect(r.declarations[0]!.contentSha256).not.toBe(fromCsv.declarations[0]!.contentSha256);
      expect(r.declarations[1]!.contentSha256).toBe(fromCsv.declarations[1]!.contentSha256);
    }
    // And in the CSV itself: a changed amount is a new version, a respelled one is not.
    const respelled = { ...csv[0]!, content: Buffer.from(csv[0]!.content.toString().replace(',3800.00,', ',3800,')) };
    const amended = { ...csv[0]!, content: Buffer.from(csv[0]!.content.toString().replace(',3800.00,', ',3800.01,')) };
    expect(hashes(await parseDocuments('cds-report', [respelled, ...csv.slice(1)], MAX))).toEqual(hashes(fromCsv));
    expect((await parseDocuments('cds-report', [amended, ...csv.slice(1)], MAX)).declarations[0]!.contentSha256).not.toBe(fromCsv.declarations[0]!.contentSha256);
  });
});
