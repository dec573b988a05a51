// The .xlsx reader's caps on hostile workbooks of a few hundred bytes to a few KB, each refused
// (or, for padding, read) before it allocates. Before these caps, the "freeze" shape (one cell at
// ZZZZZZZ1: 271 bytes as a bare archive, 487 here) held a core for 9 s and grew to 3 GB before
// failing, and the "OOM" shape (rows of one cell at XFD: 20,000 of them in 2.3-2.5 KB) ran a 1 GB
// heap out of memory, and 40,000 of them the default 4 GB one (a fatal crash of the process,
// after 24 s). Every refusal is a SheetLimitError naming the file, the part, the row and cell,
// and the cap.
import { fodsOf, odsOf, xlsxOf, xlsxOfSheetXml, zipOf } from '@customs/testing';
import { SheetLimitError, SHEET_LIMITS } from './limits';
import { readFirstSheetOfWorkbook } from './workbook';
import { readFirstSheet } from './xlsx';

const SHEET = 'xl/worksheets/sheet1.xml';
const sst = (items: string) => ({ name: 'xl/sharedStrings.xml', data: `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">${items}</sst>` });

/** The error readFirstSheet throws, for assertions on its fields. */
function refusal(f: () => unknown): SheetLimitError {
  try {
    f();
  } catch (e) {
    if (e instanceof SheetLimitError) return e;
    throw e;
  }
  throw new Error('expected a SheetLimitError, got rows');
}

describe('readFirstSheet caps', () => {
  it('refuses a cell reference past the last column before any row grows (the "freeze" shape)', () => {
    const freeze = xlsxOfSheetXml('<row r="1"><c r="A1"><v>1</v></c><c r="ZZZZZZZ1"><v>1</v></c></row>');
    expect(freeze.length).toBeLessThan(1024);
    const e = refusal(() => readFirstSheet('freeze.xlsx', freeze));
    expect(e.message).toBe('freeze.xlsx:xl/worksheets/sheet1.xml: row 1, cell ZZZZZZZ1: data beyond column 16384 (maxColumns)');
    expect(e.details).toEqual({ source: 'freeze.xlsx', part: SHEET, cap: 'maxColumns', limit: 16_384, row: 1, cell: 'ZZZZZZZ1', what: 'data beyond column 16384' });
    // Twenty letters would overflow a double if multiplied out: counted only up to the cap.
    expect(() => readFirstSheet('x.xlsx', xlsxOfSheetXml(`<row><c r="${'Z'.repeat(20)}1"><v>1</v></c></row>`))).toThrow(
      'x.xlsx:xl/worksheets/sheet1.xml: row 1, cell ZZZZZZZZZZZZZZZZZZZZ1: data beyond column 16384 (maxColumns)',
    );
    expect(() => readFirstSheet('x.xlsx', xlsxOfSheetXml('<row><c r="XFE1"><v>1</v></c></row>'))).toThrow('row 1, cell XFE1: data beyond column 16384 (maxColumns)');
    // The last column itself is a column; with a smaller cap it is refused the same way.
    expect(readFirstSheet('x.xlsx', xlsxOfSheetXml('<row><c r="XFD1" t="inlineStr"><is><t>last</t></is></c></row>'))[0]!.slice(-2)).toEqual(['', 'last']);
    expect(() => readFirstSheet('x.xlsx', xlsxOfSheetXml('<row><c r="D1"><v>1</v></c></row>'), { maxColumns: 3 })).toThrow(
      'x.xlsx:xl/worksheets/sheet1.xml: row 1, cell D1: data beyond column 3 (maxColumns)',
    );
    // Cells without a reference (<c> repeated) move one column each, against the same cap.
    expect(() => readFirstSheet('x.xlsx', xlsxOfSheetXml(`<row r="2">${'<c><v>1</v></c>'.repeat(5)}</row>`), { maxColumns: 4 })).toThrow(
      'x.xlsx:xl/worksheets/sheet1.xml: row 2, cell E2: data beyond column 4 (maxColumns)',
    );
  });

  it('counts the empty cells a far reference skips against the cell cap before materialising them (the "OOM" shape)', () => {
    const oom = xlsxOfSheetXml('<row><c r="XFD1"><v>1</v></c></row>'.repeat(20_000));
    expect(oom.length).toBeLessThan(4096);
    const e = refusal(() => readFirstSheet('oom.xlsx', oom));
    // 610 rows of 16,384 cells fit in 10,000,000; the 611th does not.
    expect(e.message).toBe('oom.xlsx:xl/worksheets/sheet1.xml: row 611, cell XFD1: the first sheet has more than 10000000 cells (maxCells); split the report');
    expect(e.details).toMatchObject({ cap: 'maxCells', limit: 10_000_000, row: 611 });
    expect(() => readFirstSheet('x.xlsx', xlsxOfSheetXml('<row><c r="A1"><v>1</v></c><c r="C1"><v>2</v></c></row><row><c r="B2"><v>3</v></c></row>'), { maxCells: 4 })).toThrow(
      'x.xlsx:xl/worksheets/sheet1.xml: row 2, cell B2: the first sheet has more than 4 cells (maxCells); split the report',
    );
    expect(readFirstSheet('x.xlsx', xlsxOfSheetXml('<row><c r="A1"><v>1</v></c><c r="C1"><v>2</v></c></row><row><c r="B2"><v>3</v></c></row>'), { maxCells: 5 })).toEqual([
      ['1', '', '2'],
      ['', '3'],
    ]);
  });

  it('only counts empty cells and rows (Excel writes styled empty cells), materialising them when data follows', () => {
    // The OOM shape with empty styled cells: nothing to materialise at all.
    expect(readFirstSheet('pad.xlsx', xlsxOfSheetXml('<row><c r="XFD1" s="0"/></row>'.repeat(40_000)))).toEqual([]);
    const padded = xlsxOfSheetXml(
      '<row r="1"><c r="A1" t="inlineStr"><is><t>MRN</t></is></c><c r="B1" s="3"/><c r="XFD1" s="3"/></row><row r="3"><c r="B3"><v>7</v></c></row><row r="1048576"><c r="XFD1048576" s="1"/></row>',
    );
    expect(readFirstSheet('pad.xlsx', padded)).toEqual([['MRN'], [], ['', '7']]);
  });

  it('places rows by their number, refuses data beyond the last row, and rows or cells out of order', () => {
    expect(readFirstSheet('x.xlsx', xlsxOfSheetXml('<row r="2"><c r="A2"><v>1</v></c></row><row><c><v>2</v></c></row><row r="5"><c r="B5"><v>3</v></c></row>'))).toEqual([
      [],
      ['1'],
      ['2'],
      [],
      ['', '3'],
    ]);
    const far = xlsxOfSheetXml('<row r="9999999"><c r="A9999999"><v>1</v></c></row>');
    const e = refusal(() => readFirstSheet('far.xlsx', far));
    expect(e.message).toBe('far.xlsx:xl/worksheets/sheet1.xml: row 9999999: data beyond row 1048576 of the first sheet (maxRows)');
    expect(e.details).toMatchObject({ cap: 'maxRows', limit: 1_048_576, row: 9_999_999 });
    // An empty row that far is padding, and costs nothing.
    expect(readFirstSheet('x.xlsx', xlsxOfSheetXml('<row r="1"><c><v>1</v></c></row><row r="99999999999"/>'))).toEqual([['1']]);
    expect(() => readFirstSheet('x.xlsx', xlsxOfSheetXml('<row r="3"><c><v>1</v></c></row><row r="2"><c><v>2</v></c></row>'))).toThrow(
      'x.xlsx:xl/worksheets/sheet1.xml: row 2 comes after row 3 (rows must be in order)',
    );
    expect(() => readFirstSheet('x.xlsx', xlsxOfSheetXml('<row r="-1"/>'))).toThrow('x.xlsx:xl/worksheets/sheet1.xml: row 1: r="-1" is not a row number');
    expect(() => readFirstSheet('x.xlsx', xlsxOfSheetXml('<row><c r="C1"><v>1</v></c><c r="B1"><v>2</v></c></row>'))).toThrow(
      'x.xlsx:xl/worksheets/sheet1.xml: row 1, cell B1: comes after column C (cells must be in order)',
    );
    expect(() => readFirstSheet('x.xlsx', xlsxOfSheetXml('<row><c r="1A"><v>1</v></c></row>'))).toThrow('x.xlsx:xl/worksheets/sheet1.xml: row 1: r="1A" is not a cell reference like B7');
  });

  it('caps the shared strings by count and by characters as they are read', () => {
    const three = sst('<si><t>a</t></si><si><t>b</t></si><si><t>c</t></si>');
    const sheet = '<row><c t="s"><v>2</v></c></row>';
    expect(readFirstSheet('s.xlsx', xlsxOfSheetXml(sheet, [three]), { maxSharedStrings: 3 })).toEqual([['c']]);
    const e = refusal(() => readFirstSheet('s.xlsx', xlsxOfSheetXml(sheet, [three]), { maxSharedStrings: 2 }));
    expect(e.message).toBe('s.xlsx:xl/sharedStrings.xml: shared string 3: more than 2 shared strings (maxSharedStrings); split the report');
    expect(e.details).toMatchObject({ part: 'xl/sharedStrings.xml', cap: 'maxSharedStrings', limit: 2, cell: 'shared string 3' });
    expect(SHEET_LIMITS.maxSharedStrings).toBe(10_000_000);
    const long = sst(`<si><t>abc</t></si><si><r><t>de</t></r><r><t>fgh</t></r></si>`);
    expect(() => readFirstSheet('s.xlsx', xlsxOfSheetXml(sheet, [long]), { maxSharedStringChars: 7 })).toThrow(
      's.xlsx:xl/sharedStrings.xml: shared string 2: the shared strings hold more than 7 characters (maxSharedStringChars)',
    );
    expect(readFirstSheet('s.xlsx', xlsxOfSheetXml('<row><c t="s"><v>1</v></c></row>', [long]), { maxSharedStringChars: 8 })).toEqual([['defgh']]);
    // Phonetic runs (a reading guide) are not the string's text.
    expect(readFirstSheet('s.xlsx', xlsxOfSheetXml('<row><c t="s"><v>0</v></c></row>', [sst('<si><t>東京</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh></si>')]))).toEqual([['東京']]);
    expect(() => readFirstSheet('s.xlsx', xlsxOfSheetXml('<row><c r="B1" t="s"><v>5</v></c></row>', [three]))).toThrow('s.xlsx:xl/worksheets/sheet1.xml: row 1, cell B1: shared string 5 missing');
    expect(() => readFirstSheet('s.xlsx', xlsxOfSheetXml('<row><c r="B1" t="s"><v></v></c></row>', [three]))).toThrow('row 1, cell B1: shared string  missing');
  });

  it('counts a shared string each time a cell shows it against the text cap (a 1 MB string used 300 times)', () => {
    const big = xlsxOfSheetXml(`<row>${'<c t="s"><v>0</v></c>'.repeat(300)}</row>`, [sst(`<si><t>${'x'.repeat(1_000_000)}</t></si>`)]);
    expect(big.length).toBeLessThan(4096);
    const e = refusal(() => readFirstSheet('amp.xlsx', big));
    expect(e.message).toBe(`amp.xlsx:xl/worksheets/sheet1.xml: row 1, cell JI1: the first sheet holds more than ${256 * 1024 * 1024} characters of text (maxTextChars)`);
    expect(() => readFirstSheet('t.xlsx', xlsxOfSheetXml('<row><c t="inlineStr"><is><t>abcdef</t></is></c></row>'), { maxTextChars: 5 })).toThrow(
      't.xlsx:xl/worksheets/sheet1.xml: row 1, cell A1: the first sheet holds more than 5 characters of text (maxTextChars)',
    );
  });

  it('caps the inflated size of every part it reads, declared or not', () => {
    const table = [['x'.repeat(5000)]];
    expect(() => readFirstSheet('bomb.xlsx', xlsxOf(table), { maxContentBytes: 4096 })).toThrow('bomb.xlsx:xl/sharedStrings.xml: inflates to more than 4096 bytes (maxContentBytes)');
    expect(() => readFirstSheet('bomb.xlsx', xlsxOfSheetXml(`<row><c t="inlineStr"><is><t>${'y'.repeat(5000)}</t></is></c></row>`), { maxContentBytes: 4096 })).toThrow(
      'bomb.xlsx:xl/worksheets/sheet1.xml: inflates to more than 4096 bytes (maxContentBytes)',
    );
    const stored = xlsxOfSheetXml('<row><c><v>1</v></c></row>', [{ ...sst(`<si><t>${'z'.repeat(5000)}</t></si>`), store: true }]);
    expect(() => readFirstSheet('stored.xlsx', stored, { maxContentBytes: 4096 })).toThrow('stored.xlsx:xl/sharedStrings.xml: inflates to more than 4096 bytes (maxContentBytes)');
    // A deflated entry that understates its size in the central directory is stopped by the inflate cap.
    const lying = xlsxOfSheetXml(`<row><c t="inlineStr"><is><t>${'y'.repeat(5000)}</t></is></c></row>`);
    const central = lying.lastIndexOf(Buffer.from(SHEET));
    lying.writeUInt32LE(100, central - 46 + 24);
    expect(() => readFirstSheet('liar.xlsx', lying, { maxContentBytes: 4096 })).toThrow('liar.xlsx:xl/worksheets/sheet1.xml: inflates to more than 4096 bytes (maxContentBytes)');
  });

  it('caps the cell and number formats of xl/styles.xml', () => {
    const styles = (xfs: number) => ({
      name: 'xl/styles.xml',
      data: `<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs>${'<xf numFmtId="14"/>'.repeat(xfs)}</cellXfs></styleSheet>`,
    });
    expect(readFirstSheet('st.xlsx', xlsxOfSheetXml('<row><c s="2"><v>45000</v></c></row>', [styles(3)]), { maxStyles: 3 })).toEqual([['2023-03-15']]);
    expect(() => readFirstSheet('st.xlsx', xlsxOfSheetXml('<row><c><v>1</v></c></row>', [styles(4)]), { maxStyles: 3 })).toThrow(
      'st.xlsx:xl/styles.xml: more than 3 cell or number formats (maxStyles)',
    );
    expect(() => readFirstSheet('st.xlsx', xlsxOfSheetXml('<row><c><v>1</v></c></row>', [styles(70_000)]))).toThrow('st.xlsx:xl/styles.xml: more than 65536 cell or number formats (maxStyles)');
  });

  it('applies the caps given to readFirstSheetOfWorkbook to every kind of workbook', () => {
    const wide = [['a', 'b', 'c', 'd']];
    expect(() => readFirstSheetOfWorkbook(xlsxOf(wide), 'w.xlsx', { maxColumns: 3 })).toThrow('w.xlsx:xl/worksheets/sheet1.xml: row 1, cell D1: data beyond column 3 (maxColumns)');
    expect(readFirstSheetOfWorkbook(xlsxOf(wide), 'w.xlsx', { maxColumns: 4 }).rows).toEqual(wide);
    expect(() => readFirstSheetOfWorkbook(odsOf(wide), 'w.ods', { maxColumns: 3 })).toThrow('w.ods:content.xml: row 1: data beyond column 3 (maxColumns)');
    expect(() => readFirstSheetOfWorkbook(fodsOf(wide), 'w.fods', { maxCells: 3 })).toThrow('w.fods: row 1: the first sheet has more than 3 cells (maxCells); split the report');
    // A ZIP that is not a workbook at all is still an ordinary error, not a cap.
    expect(() => readFirstSheetOfWorkbook(zipOf([{ name: 'a.txt', data: 'x' }]), 'z.xlsx', { maxColumns: 3 })).toThrow('z.xlsx: no worksheet in the workbook');
  });
});
