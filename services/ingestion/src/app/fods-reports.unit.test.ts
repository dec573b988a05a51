// CDS data reports also arrive as flat OpenDocument spreadsheets (.fods: one XML file, as
// LibreOffice saves "Flat XML ODF Spreadsheet"): recognised by content, not name, they must give
// the same declarations as their CSV form, mix with the other forms in one submission, and a
// hostile or broken one is an issue naming the file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import { REPO_ROOT, fodsOf, odsOf } from '@customs/testing';
import { parseDocuments } from './formats';

const dir = path.join(REPO_ROOT, 'packages/testing/fixtures/cds-reports');
const names = ['import-header.csv', 'import-item.csv', 'import-taxline.csv'];
const csv = names.map((n) => ({ sourceName: n, content: fs.readFileSync(path.join(dir, n)) }));
const table = (f: { content: Buffer }) => parse(f.content, { bom: true, relax_column_count: true }) as string[][];
const asFods = (f: { sourceName: string; content: Buffer }) => ({
  sourceName: f.sourceName.replace(/\.csv$/, '.fods'),
  content: fodsOf(table(f), { repeats: true, padTo: { rows: 1_048_576, columns: 1024 } }),
});
const MAX = 10 * 1024 * 1024;
const strip = <T extends { sourceName: string }>(ds: T[]): T[] => ds.map((d) => ({ ...d, sourceName: '' }));

describe('CDS data reports as .fods', () => {
  it('give the same declarations and issues as the CSV reports (header, item and tax-line joined)', async () => {
    const fromCsv = await parseDocuments('cds-report', csv, MAX);
    const fromFods = await parseDocuments('cds-report', csv.map(asFods), MAX);
    expect(fromCsv.declarations.length).toBeGreaterThan(0);
    expect(strip(fromFods.declarations)).toEqual(strip(fromCsv.declarations));
    expect(fromFods.issues).toEqual(fromCsv.issues.map((i) => ({ ...i, sourceName: i.sourceName.replace(/\.csv$/, '.fods') })));
    expect(fromFods.declarations[0]!.sourceName).toBe('import-header.fods + import-item.fods + import-taxline.fods');
  });

  it('are recognised by content, whatever the file is called, and mix with CSV and .ods in one submission', async () => {
    const fromCsv = await parseDocuments('cds-report', csv, MAX);
    const mixed = [
      { ...asFods(csv[0]!), sourceName: 'upload' },
      { sourceName: 'items.csv', content: odsOf(table(csv[1]!)) },
      { ...asFods(csv[2]!), sourceName: 'taxlines.xlsx' },
    ];
    const r = await parseDocuments('cds-report', mixed, MAX);
    expect(strip(r.declarations)).toEqual(strip(fromCsv.declarations));
    expect(r.issues.filter((i) => i.severity === 'error')).toEqual([]);
  });

  it('refuses hostile or broken .fods (BAD_WORKBOOK, or WORKBOOK_LIMIT for a cap), naming the file, and still reads the good ones', async () => {
    const items = table(csv[1]!);
    const hostile = [
      { sourceName: 'evil.fods', content: fodsOf(items, { prolog: '<!DOCTYPE office:document [<!ENTITY e SYSTEM "file:///etc/passwd">]>' }) },
      { sourceName: 'laughs.fods', content: fodsOf(items, { prolog: '<!DOCTYPE lolz [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>' }) },
      { sourceName: 'letter.fods', content: fodsOf(items, { flatMimetype: 'application/vnd.oasis.opendocument.text' }) },
      // A row of 16,384 cells repeated a million times: refused before anything is allocated.
      { sourceName: 'bomb.fods', content: fodsOf([items[0]!, [{ text: '26GBBOMB0000000001', repeat: 16_384 }]], { rowRepeats: { 1: 1_000_000 } }) },
      { sourceName: 'cut.fods', content: fodsOf(items).subarray(0, 3000) },
    ];
    const fromCsv = await parseDocuments('cds-report', csv, MAX);
    const r = await parseDocuments('cds-report', [csv[0]!, ...hostile, asFods(csv[1]!), csv[2]!], MAX);
    const bad = r.issues.filter((i) => i.code === 'BAD_WORKBOOK' || i.code === 'WORKBOOK_LIMIT');
    // A cap is WORKBOOK_LIMIT naming the part, the row and the cap; anything else BAD_WORKBOOK.
    const expected = (f: { sourceName: string }) =>
      f.sourceName === 'bomb.fods' ? [f.sourceName, 'WORKBOOK_LIMIT', 'maxCells', 'row 2', 2, 'error'] : [f.sourceName, 'BAD_WORKBOOK', '(workbook)', '(file)', undefined, 'error'];
    expect(bad.map((i) => [i.sourceName, i.code, i.field, i.location, i.line, i.severity])).toEqual(hostile.map(expected));
    expect(bad.map((i) => i.reason)).toEqual([
      'not a readable .fods report: evil.fods: DOCTYPE declarations are not accepted',
      'not a readable .fods report: laughs.fods: DOCTYPE declarations are not accepted',
      'not a readable .fods report: letter.fods: office:mimetype says "application/vnd.oasis.opendocument.text", not an OpenDocument spreadsheet (application/vnd.oasis.opendocument.spreadsheet)',
      'not a readable .fods report: bomb.fods: row 2: the first sheet has more than 8388608 cells (maxCells); split the report',
      expect.stringMatching(/^not a readable \.fods report: cut\.fods: not well-formed XML/),
    ]);
    expect(strip(r.declarations)).toEqual(strip(fromCsv.declarations));
  });
});
