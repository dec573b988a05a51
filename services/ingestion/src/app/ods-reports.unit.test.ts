// CDS data reports also arrive as OpenDocument spreadsheets (.ods, as LibreOffice and Google
// Sheets save them): the same reports must give the same declarations as their CSV form, mix
// with CSV and .xlsx files in one submission, be recognised by content rather than by name,
// and a broken or hostile workbook is an issue naming the file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import { REPO_ROOT, odsOf, xlsxOf, type OdsTestOptions } from '@customs/testing';
import { parseDocuments } from './formats';

const dir = path.join(REPO_ROOT, 'packages/testing/fixtures/cds-reports');
const names = ['import-header.csv', 'import-item.csv', 'import-taxline.csv'];
const csv = names.map((n) => ({ sourceName: n, content: fs.readFileSync(path.join(dir, n)) }));
const table = (f: { content: Buffer }) => parse(f.content, { bom: true, relax_column_count: true }) as string[][];
// As LibreOffice saves a sheet: identical neighbours as repeats, padded to 1,048,576 × 1,024.
const calcLike: OdsTestOptions = { repeats: true, padTo: { rows: 1_048_576, columns: 1024 } };
const asOds = (f: { sourceName: string; content: Buffer }, opts: OdsTestOptions = calcLike) => ({ sourceName: f.sourceName.replace(/\.csv$/, '.ods'), content: odsOf(table(f), opts) });
const asXlsx = (f: { sourceName: string; content: Buffer }) => ({ sourceName: f.sourceName.replace(/\.csv$/, '.xlsx'), content: xlsxOf(table(f)) });
const MAX = 10 * 1024 * 1024;
const strip = <T extends { sourceName: string }>(ds: T[]): T[] => ds.map((d) => ({ ...d, sourceName: '' }));

describe('CDS data reports as .ods', () => {
  it('give the same declarations and issues as the CSV reports (header, item and tax-line joined)', async () => {
    const fromCsv = await parseDocuments('cds-report', csv, MAX);
    const fromOds = await parseDocuments(
      'cds-report',
      csv.map((f) => asOds(f)),
      MAX,
    );
    expect(fromCsv.declarations.length).toBeGreaterThan(0);
    expect(fromCsv.declarations.flatMap((d) => d.items).length).toBeGreaterThan(fromCsv.declarations.length);
    expect(strip(fromOds.declarations)).toEqual(strip(fromCsv.declarations));
    expect(fromOds.issues).toEqual(fromCsv.issues.map((i) => ({ ...i, sourceName: i.sourceName.replace(/\.csv$/, '.ods') })));
    // Stored or deflated parts, separate paragraphs or line breaks: the same reports.
    const stored = await parseDocuments(
      'cds-report',
      csv.map((f) => asOds(f, { store: true, lineBreaks: 'line-break' })),
      MAX,
    );
    expect(strip(stored.declarations)).toEqual(strip(fromCsv.declarations));
  });

  it('with typed cells (as Calc saves a report it opened) keep every checked value; amounts are read as values, so "3800.00" is "3800"', async () => {
    const fromCsv = await parseDocuments('cds-report', csv, MAX);
    const typed = await parseDocuments(
      'cds-report',
      csv.map((f) => asOds(f, { ...calcLike, typed: 'calc' })),
      MAX,
    );
    expect(typed.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(typed.declarations.map((d) => d.acceptanceDate)).toEqual(fromCsv.declarations.map((d) => d.acceptanceDate));
    const pence = (ds: typeof fromCsv.declarations) =>
      ds.map((d) => [d.customsValuePence, d.items.map((i) => [i.itemNumber, i.commodityCode, i.customsValuePence, i.netMassKg, i.taxLines.map((t) => [t.taxType, t.rate, t.payablePence])])]);
    expect(pence(typed.declarations)).toEqual(pence(fromCsv.declarations));
    // A float cell's value has no trailing zeros: the decimal texts kept as written differ,
    // nothing else does; not the content hash either, which is of values, not of their spelling
    // (workbook-hash.unit.test.ts).
    const normalised = (ds: typeof fromCsv.declarations) =>
      strip(ds).map((d) => ({
        ...d,
        invoiceAmount: d.invoiceAmount && { ...d.invoiceAmount, value: String(Number(d.invoiceAmount.value)) },
        items: d.items.map((i) => ({ ...i, itemPrice: i.itemPrice && { ...i.itemPrice, value: String(Number(i.itemPrice.value)) } })),
      }));
    expect(normalised(typed.declarations)).toEqual(normalised(fromCsv.declarations));
    expect(typed.declarations[0]!.invoiceAmount).toEqual({ value: '3800', currency: 'EUR' });
    expect(fromCsv.declarations[0]!.invoiceAmount).toEqual({ value: '3800.00', currency: 'EUR' });
  });

  it('mixes forms in one submission (CSV header, .ods items, .xlsx tax lines) to the same declarations', async () => {
    const fromCsv = await parseDocuments('cds-report', csv, MAX);
    const mixed = await parseDocuments('cds-report', [csv[0]!, asOds(csv[1]!), asXlsx(csv[2]!)], MAX);
    expect(strip(mixed.declarations)).toEqual(strip(fromCsv.declarations));
    expect(mixed.issues.filter((i) => i.severity === 'error')).toEqual([]);
  });

  it('recognises a workbook by its content, whatever the file is called', async () => {
    const fromCsv = await parseDocuments('cds-report', csv, MAX);
    const misnamed = [
      { ...asOds(csv[0]!), sourceName: 'header.xlsx' },
      { ...asOds(csv[1]!), sourceName: 'upload' },
      { ...asXlsx(csv[2]!), sourceName: 'taxlines.ods' },
    ];
    const r = await parseDocuments('cds-report', misnamed, MAX);
    expect(strip(r.declarations)).toEqual(strip(fromCsv.declarations));
  });

  it('refuses hostile or broken workbooks (BAD_WORKBOOK, or WORKBOOK_LIMIT for a cap), naming the file, and still reads the good ones', async () => {
    const items = table(csv[1]!);
    const hostile = [
      { sourceName: 'evil.ods', content: odsOf(items, { prolog: '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' }) },
      { sourceName: 'broken.ods', content: Buffer.from('PK\u0003\u0004not really a zip', 'latin1') },
      { sourceName: 'letter.ods', content: odsOf(items, { mimetype: 'application/vnd.oasis.opendocument.text' }) },
      // A row of 16,384 cells repeated a million times: refused before anything is allocated.
      { sourceName: 'bomb.ods', content: odsOf([items[0]!, [{ text: '26GBBOMB0000000001', repeat: 16_384 }]], { rowRepeats: { 1: 1_000_000 } }) },
      { sourceName: 'upload', content: Buffer.from('PK\u0003\u0004junk', 'latin1') },
    ];
    const fromCsv = await parseDocuments('cds-report', csv, MAX);
    const r = await parseDocuments('cds-report', [csv[0]!, ...hostile, asOds(csv[1]!), csv[2]!], MAX);
    const bad = r.issues.filter((i) => i.code === 'BAD_WORKBOOK' || i.code === 'WORKBOOK_LIMIT');
    // A cap is WORKBOOK_LIMIT naming the part, the row and the cap; anything else BAD_WORKBOOK.
    const expected = (f: { sourceName: string }) =>
      f.sourceName === 'bomb.ods' ? [f.sourceName, 'WORKBOOK_LIMIT', 'maxCells', 'content.xml: row 2', 2, 'error'] : [f.sourceName, 'BAD_WORKBOOK', '(workbook)', '(file)', undefined, 'error'];
    expect(bad.map((i) => [i.sourceName, i.code, i.field, i.location, i.line, i.severity])).toEqual(hostile.map(expected));
    expect(bad.map((i) => i.reason)).toEqual([
      'not a readable .ods report: evil.ods:content.xml: DOCTYPE declarations are not accepted',
      'not a readable .ods report: broken.ods: not a ZIP archive (no end of central directory)',
      'not a readable .ods report: letter.ods: an OpenDocument file of type application/vnd.oasis.opendocument.text, not a spreadsheet (application/vnd.oasis.opendocument.spreadsheet)',
      'not a readable .ods report: bomb.ods:content.xml: row 2: the first sheet has more than 8388608 cells (maxCells); split the report',
      'not a readable .xlsx or .ods report: upload: not a ZIP archive (no end of central directory)',
    ]);
    // The readable reports of the same submission are joined as if the bad files were not there.
    expect(strip(r.declarations)).toEqual(strip(fromCsv.declarations));
    expect(r.issues.filter((i) => i.code !== 'BAD_WORKBOOK' && i.code !== 'WORKBOOK_LIMIT')).toEqual(fromCsv.issues.map((i) => ({ ...i, sourceName: i.sourceName.replace(/item\.csv$/, 'item.ods') })));
  });
});
