// The .ods reader on real OpenDocument containers (written by the odsOf test builder, or by hand
// where the exact markup matters): LibreOffice's repeat encoding, covered cells, ODF white-space
// rules, typed values, and hostile or broken workbooks.
import { odsOf, xlsxOf, zipOf, type OdsTestCell } from '@customs/testing';
import { readFirstOdsSheet } from './ods';
import { readFirstSheetOfWorkbook, workbookKind } from './workbook';
import { readEntry, zipEntries } from './zip';

const NS =
  'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/"';
/** An .ods whose first sheet is the given table-row markup, exactly. */
const odsWithRows = (rowsXml: string) =>
  zipOf([
    { name: 'mimetype', data: 'application/vnd.oasis.opendocument.spreadsheet', store: true },
    {
      name: 'content.xml',
      data: `<?xml version="1.0" encoding="UTF-8"?><office:document-content ${NS}><office:body><office:spreadsheet><table:table table:name="S">${rowsXml}</table:table></office:spreadsheet></office:body></office:document-content>`,
    },
  ]);
const cellOf = (inner: string, attrs = '') => odsWithRows(`<table:table-row><table:table-cell${attrs}>${inner}</table:table-cell></table:table-row>`);

describe('readFirstOdsSheet', () => {
  it('reads cell texts as written, including CSV-hostile text, whether entries are deflated or stored', () => {
    const table = [
      ['MRN', 'Goods Description', 'Customs Value'],
      ['26GBODS00000000011', 'Men\'s T-shirts, "cotton" & <wool>', '12.50'],
      ['26GBODS00000000021', '=HYPERLINK("http://evil")', ''],
      ['', '', 'only the last column'],
    ];
    expect(readFirstOdsSheet(odsOf(table))).toEqual([table[0], table[1], ['26GBODS00000000021', '=HYPERLINK("http://evil")'], table[3]]);
    expect(readFirstOdsSheet(odsOf(table, { store: true }))).toEqual(readFirstOdsSheet(odsOf(table)));
  });

  it('expands repeated rows and columns holding data, keeps empty cells and rows between data, drops trailing ones', () => {
    const table = [['A', 'A', 'A', 'B'], ['A', 'A', 'A', 'B'], ['A', 'A', 'A', 'B'], [], ['x', '', '', '', 'y'], ['', '', '']];
    const ods = odsOf(table, { repeats: true });
    const xml = contentXml(ods);
    expect(xml).toContain('table:number-rows-repeated="3"');
    expect(xml).toContain('table:number-columns-repeated="3"');
    expect(readFirstOdsSheet(ods)).toEqual([['A', 'A', 'A', 'B'], ['A', 'A', 'A', 'B'], ['A', 'A', 'A', 'B'], [], ['x', '', '', '', 'y']]);
    // Explicit repeat counts on cells (data and empty) and rows.
    const hand = odsWithRows(
      '<table:table-row table:number-rows-repeated="2"><table:table-cell table:number-columns-repeated="2"><text:p>r</text:p></table:table-cell><table:table-cell table:number-columns-repeated="3"/><table:table-cell><text:p>z</text:p></table:table-cell><table:table-cell table:number-columns-repeated="5"/></table:table-row>' +
        '<table:table-row table:number-rows-repeated="4"><table:table-cell/></table:table-row><table:table-row><table:table-cell><text:p>end</text:p></table:table-cell></table:table-row>',
    );
    expect(readFirstOdsSheet(hand)).toEqual([['r', 'r', '', '', '', 'z'], ['r', 'r', '', '', '', 'z'], [], [], [], [], ['end']]);
  });

  it('never materialises the empty padding LibreOffice writes (1,048,576 rows × 1,024 columns, or a jumbo 16,777,216 × 16,384)', () => {
    const table = [
      ['MRN', 'Item Number'],
      ['26GBPAD00000000011', '1'],
    ];
    expect(readFirstOdsSheet(odsOf(table, { padTo: { rows: 1_048_576, columns: 1024 } }))).toEqual(table);
    const jumbo = odsOf(table, { padTo: { rows: 16_777_216, columns: 16_384 } });
    expect(contentXml(jumbo)).toContain('table:number-rows-repeated="16777214"');
    // 2.7 × 10^11 cells if materialised: only counting them makes this return at all.
    expect(readFirstOdsSheet(jumbo)).toEqual(table);
  });

  it('refuses repeats that would materialise too much data, before allocating it', () => {
    const wide = odsWithRows('<table:table-row><table:table-cell table:number-columns-repeated="20000"><text:p>x</text:p></table:table-cell></table:table-row>');
    expect(() => readFirstOdsSheet(wide, { source: 'wide.ods' })).toThrow('wide.ods:content.xml: row 1: data beyond column 16384 (maxColumns)');
    const bomb = odsWithRows('<table:table-row table:number-rows-repeated="1000000"><table:table-cell table:number-columns-repeated="16384"><text:p>x</text:p></table:table-cell></table:table-row>');
    expect(() => readFirstOdsSheet(bomb, { source: 'bomb.ods' })).toThrow('bomb.ods:content.xml: row 1: the first sheet has more than 10000000 cells (maxCells); split the report');
    const far = odsWithRows(
      '<table:table-row table:number-rows-repeated="2000000"><table:table-cell/></table:table-row><table:table-row><table:table-cell><text:p>late</text:p></table:table-cell></table:table-row>',
    );
    expect(() => readFirstOdsSheet(far, { source: 'far.ods' })).toThrow('far.ods:content.xml: row 2000001: data beyond row 1048576 of the first sheet (maxRows)');
    const ok = odsWithRows('<table:table-row table:number-rows-repeated="3"><table:table-cell table:number-columns-repeated="4"><text:p>x</text:p></table:table-cell></table:table-row>');
    expect(() => readFirstOdsSheet(ok, { maxCells: 11 })).toThrow('the first sheet has more than 11 cells');
    expect(readFirstOdsSheet(ok, { maxCells: 12 })).toEqual([
      ['x', 'x', 'x', 'x'],
      ['x', 'x', 'x', 'x'],
      ['x', 'x', 'x', 'x'],
    ]);
    const spaces = cellOf('<text:p>a<text:s text:c="1000000000"/></text:p>');
    expect(() => readFirstOdsSheet(spaces, { source: 's.ods' })).toThrow(`s.ods:content.xml: row 1: the first sheet holds more than ${256 * 1024 * 1024} characters of text (maxTextChars)`);
  });

  it('keeps the column positions of cells covered by a merged cell, and any text they still hold', () => {
    const table: OdsTestCell[][] = [
      ['Header', 'B', 'C', 'D'],
      [{ text: 'Merged', span: 3 }, { covered: true }, { covered: true }, 'after'],
      [
        { text: 'Wide', span: 4 },
        { covered: true, repeat: 3 },
      ],
      ['x', { covered: true, text: 'kept hidden text' }],
    ];
    expect(readFirstOdsSheet(odsOf(table))).toEqual([['Header', 'B', 'C', 'D'], ['Merged', '', '', 'after'], ['Wide'], ['x', 'kept hidden text']]);
  });

  it('reads spaces, tabs and line breaks as Calc encodes them (text:s, text:tab, separate paragraphs)', () => {
    const table = [['  two leading', 'trailing  ', 'a   b', 'tab\there', 'line 1\nline 2\n\nline 4', ' ', 'a \t b']];
    const ods = odsOf(table);
    expect(contentXml(ods)).toContain('<text:s text:c="2"/>two leading');
    expect(readFirstOdsSheet(ods)).toEqual(table);
    expect(readFirstOdsSheet(odsOf(table, { lineBreaks: 'line-break' }))).toEqual(table);
  });

  it('collapses literal white space in paragraphs as ODF 1.2 §6.1.2 says, with spans and links transparent', () => {
    const ods = cellOf('<text:p>\n   Men\'s   <text:span>T-shirts, </text:span>\t <text:a>cotton</text:a><text:s text:c="2"/>x<text:line-break/>y  \n</text:p><text:p>  second  </text:p>');
    expect(readFirstOdsSheet(ods)).toEqual([["Men's T-shirts, cotton  x\ny\nsecond"]]);
    expect(readFirstOdsSheet(cellOf('<text:p>a</text:p><text:p/>'))).toEqual([['a\n']]);
  });

  it('does not take comments, drawings or nested tables for the cell text', () => {
    const ods = cellOf(
      '<office:annotation><dc:creator>Broker</dc:creator><text:p>check this entry</text:p></office:annotation>' +
        '<draw:frame><draw:text-box><text:p>caption</text:p></draw:text-box></draw:frame>' +
        '<text:p>value<office:annotation><text:p>inline note</text:p></office:annotation></text:p>' +
        '<table:table><table:table-row><table:table-cell><text:p>inner</text:p></table:table-cell></table:table-row></table:table>',
    );
    expect(readFirstOdsSheet(ods)).toEqual([['value']]);
  });

  it('gives typed cells their value as written, not their display text', () => {
    const table: OdsTestCell[][] = [
      [
        { type: 'float', value: '0.1', text: '0.10' },
        { type: 'float', value: '1234.5', text: '1,234.50' },
        { type: 'float', value: '1E-20', text: '0.00' },
        { type: 'percentage', value: '0.15', text: '15%' },
        { type: 'currency', value: '796.36', text: '£796.36' },
        { type: 'date', value: '2024-01-15', text: '15/01/24' },
        { type: 'date', value: '2023-03-14T10:15:00', text: '14/03/2023 10:15' },
        { type: 'boolean', value: 'true', text: 'TRUE' },
        { type: 'boolean', value: 'false', text: 'FALSE' },
        { type: 'time', value: 'PT10H15M00S', text: '10:15:00' },
        { type: 'float', text: '42' },
        { type: 'string', text: 'GB553202734852' },
      ],
    ];
    expect(readFirstOdsSheet(odsOf(table))).toEqual([['0.1', '1234.5', '1E-20', '0.15', '796.36', '2024-01-15', '2023-03-14T10:15:00', 'true', 'false', '10:15:00', '42', 'GB553202734852']]);
    expect(readFirstOdsSheet(cellOf('<text:p>shown</text:p>', ' office:value-type="string" office:string-value="stored"'))).toEqual([['stored']]);
    // As Calc types a CSV it opens: "12.50" is a float cell whose value is 12.5; dates are dates.
    expect(readFirstOdsSheet(odsOf([['120', '12.50', '14/03/2023 10:15:00', '000123A', '0401100000']], { typed: 'calc' }))).toEqual([['120', '12.5', '2023-03-14T10:15:00', '000123A', '0401100000']]);
  });

  it('reads the first sheet only, and goes by namespace, not by prefix', () => {
    const first = [
      ['MRN', 'EPU'],
      ['26GBONE00000000011', '120'],
    ];
    expect(readFirstOdsSheet(odsOf(first, { moreSheets: [[['other sheet']]] }))).toEqual(first);
    const odd = odsOf(first, { prefixes: { office: 'o', table: 't', text: 'x' }, repeats: true, padTo: { rows: 100, columns: 10 } });
    expect(contentXml(odd)).toContain('<t:table-row>');
    expect(readFirstOdsSheet(odd)).toEqual(first);
    // Bindings declared on inner elements hold for that element only; a default namespace works too.
    const T = 'urn:oasis:names:tc:opendocument:xmlns:text:1.0';
    const scoped = odsWithRows(
      `<table:table-row><table:table-cell><x:p xmlns:x="${T}">scoped<x:s x:c="2"/>prefix</x:p></table:table-cell>` +
        `<table:table-cell><p xmlns="${T}">default<s/>namespace</p></table:table-cell>` +
        `<table:table-cell><x:p>unbound: not a paragraph</x:p><text:p>after</text:p></table:table-cell></table:table-row>`,
    );
    expect(readFirstOdsSheet(scoped)).toEqual([['scoped  prefix', 'default namespace', 'after']]);
    // An empty first sheet (LibreOffice pads it all the same) has no rows.
    expect(readFirstOdsSheet(odsOf([], { padTo: { rows: 1_048_576, columns: 1024 }, moreSheets: [first] }))).toEqual([]);
  });

  it('refuses a DOCTYPE (no entity can be declared or expanded) and XML that is not well-formed', () => {
    const evil = odsOf([['MRN'], ['x']], { prolog: '<!DOCTYPE office:document-content [<!ENTITY e SYSTEM "file:///etc/passwd">]>' });
    expect(() => readFirstOdsSheet(evil, { source: 'evil.ods' })).toThrow('evil.ods:content.xml: DOCTYPE declarations are not accepted');
    const laughs = odsOf([['MRN']], { prolog: '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>' });
    expect(() => readFirstOdsSheet(laughs)).toThrow(/DOCTYPE declarations are not accepted/);
    expect(() => readFirstOdsSheet(cellOf('<text:p>&e;</text:p>'), { source: 'ref.ods' })).toThrow(/^ref\.ods:content\.xml: not well-formed XML: .*undefined entity/);
    expect(() => readFirstOdsSheet(cellOf('<text:p>unclosed'), { source: 'cut.ods' })).toThrow(/^cut\.ods:content\.xml: not well-formed XML/);
  });

  it('refuses what is not an .ods: not a ZIP, a ZIP without content.xml, another OpenDocument type, no spreadsheet body', () => {
    expect(() => readFirstOdsSheet(Buffer.from('MRN,Item Number\n26GB1,1\n'), { source: 'report.ods' })).toThrow('report.ods: not a ZIP archive (no end of central directory)');
    expect(() => readFirstOdsSheet(Buffer.from('PK\u0003\u0004not really a zip', 'latin1'), { source: 'broken.ods' })).toThrow('broken.ods: not a ZIP archive');
    const noContent = zipOf([
      { name: 'mimetype', data: 'application/vnd.oasis.opendocument.spreadsheet', store: true },
      { name: 'styles.xml', data: '<x/>' },
    ]);
    expect(() => readFirstOdsSheet(noContent, { source: 'hollow.ods' })).toThrow('hollow.ods: no content.xml in the OpenDocument spreadsheet');
    expect(() => readFirstOdsSheet(odsOf([['a']], { mimetype: 'application/vnd.oasis.opendocument.text' }), { source: 'letter.ods' })).toThrow(
      'letter.ods: the mimetype entry says "application/vnd.oasis.opendocument.text", not an OpenDocument spreadsheet',
    );
    const text = zipOf([{ name: 'content.xml', data: `<office:document-content ${NS}><office:body><office:text><text:p>hello</text:p></office:text></office:body></office:document-content>` }]);
    expect(() => readFirstOdsSheet(text, { source: 'doc.ods' })).toThrow('doc.ods:content.xml: no office:spreadsheet body');
    const noSheet = zipOf([{ name: 'content.xml', data: `<office:document-content ${NS}><office:body><office:spreadsheet/></office:body></office:document-content>` }]);
    expect(() => readFirstOdsSheet(noSheet, { source: 'empty.ods' })).toThrow('empty.ods: no sheet in the workbook');
  });

  it('caps the inflated size of content.xml (no zip bombs)', () => {
    const big = odsOf([['x'.repeat(5000)]]);
    expect(() => readFirstOdsSheet(big, { source: 'bomb.ods', maxContentBytes: 4096 })).toThrow('bomb.ods:content.xml: inflates to more than 4096 bytes (maxContentBytes)');
    expect(readFirstOdsSheet(big, { maxContentBytes: 8192 })).toEqual([['x'.repeat(5000)]]);
    expect(() => readFirstOdsSheet(odsOf([['x'.repeat(5000)]], { store: true }), { source: 'stored.ods', maxContentBytes: 4096 })).toThrow(
      'stored.ods:content.xml: inflates to more than 4096 bytes (maxContentBytes)',
    );
    // A deflated entry that understates its size is still stopped by the inflate cap.
    const lying = Buffer.from(big);
    const central = lying.lastIndexOf(Buffer.from('content.xml'));
    lying.writeUInt32LE(100, central - 46 + 24);
    expect(() => readFirstOdsSheet(lying, { source: 'liar.ods', maxContentBytes: 4096 })).toThrow('liar.ods:content.xml: inflates to more than 4096 bytes (maxContentBytes)');
  });
});

describe('workbookKind / readFirstSheetOfWorkbook', () => {
  const table = [
    ['MRN', 'Item Number', 'Goods Description'],
    ['26GBKND00000000011', '1', 'Shaver parts, "spare"'],
  ];

  it('tells .ods from .xlsx by content and reads either to the same rows', () => {
    expect(workbookKind(odsOf(table))).toBe('ods');
    expect(workbookKind(odsOf(table, { mimetype: null }))).toBe('ods'); // content.xml, no xl/ parts
    expect(workbookKind(xlsxOf(table))).toBe('xlsx');
    expect(readFirstSheetOfWorkbook(odsOf(table), 'r.ods')).toEqual({ kind: 'ods', rows: table });
    expect(readFirstSheetOfWorkbook(xlsxOf(table), 'r.xlsx')).toEqual({ kind: 'xlsx', rows: table });
  });

  it('names another OpenDocument type rather than reading it as the wrong thing; keeps the .xlsx errors', () => {
    expect(() => workbookKind(odsOf(table, { mimetype: 'application/vnd.oasis.opendocument.presentation' }), 'deck.ods')).toThrow(
      'deck.ods: an OpenDocument file of type application/vnd.oasis.opendocument.presentation, not a spreadsheet',
    );
    expect(() => readFirstSheetOfWorkbook(zipOf([{ name: 'readme.txt', data: 'hi' }]), 'other.zip')).toThrow('other.zip: no worksheet in the workbook');
    expect(() => workbookKind(Buffer.from('not a zip'), 'x.xlsx')).toThrow('x.xlsx: not a ZIP archive');
  });
});

/** content.xml of a workbook written by odsOf (deflated), for assertions on the markup. */
function contentXml(ods: Buffer): string {
  const e = zipEntries(ods, 'test').find((x) => x.name === 'content.xml')!;
  return readEntry(ods, e, 'test');
}
