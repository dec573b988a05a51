// Flat OpenDocument spreadsheets (.fods: LibreOffice's "Flat XML ODF Spreadsheet", one
// uncompressed XML file): told from CSV and from ZIP workbooks by content, read exactly like an
// .ods's content.xml, with the same refusals and caps on hostile input.
import { fodsOf, odsOf, xlsxOf, type OdsTestCell, type OdsTestOptions } from '@customs/testing';
import { readFirstFlatOdsSheet, readFirstOdsSheet } from './ods';
import { WORKBOOK_PEEK_BYTES, isFlatOds, isWorkbook, isZip, readFirstSheetOfWorkbook, workbookKind } from './workbook';

const OFFICE = 'urn:oasis:names:tc:opendocument:xmlns:office:1.0';
const NS = `xmlns:office="${OFFICE}" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"`;
/** A .fods whose first sheet is the given table-row markup, exactly. */
const fodsWithRows = (rowsXml: string, prolog = '') =>
  Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?>${prolog}<office:document ${NS} office:mimetype="application/vnd.oasis.opendocument.spreadsheet"><office:body><office:spreadsheet><table:table table:name="S">${rowsXml}</table:table></office:spreadsheet></office:body></office:document>`,
  );

describe('readFirstFlatOdsSheet', () => {
  const report: OdsTestCell[][] = [
    ['MRN', 'Item Number', 'Goods Description', 'Customs Value', 'Acceptance Date'],
    ['26GBFODS0000000011', '1', 'Men\'s T-shirts, "cotton" & <wool>', '2145.05', '14/03/2023 10:15:00'],
    ['26GBFODS0000000011', '2', '  two leading\tand a tab', '0.00', '14/03/2023'],
    ['26GBFODS0000000021', '1', 'line 1\nline 2', '=HYPERLINK("http://evil")', ''],
    [],
    ['', '', '', '', 'only the last column'],
    [{ text: 'Merged', span: 2 }, { covered: true }, 'after'],
  ];

  it('reads the same rows as the .ods of the same table, whatever the writer did (repeats, padding, typed cells, prefixes, line breaks, more sheets)', () => {
    const variants: OdsTestOptions[] = [
      {},
      { repeats: true, padTo: { rows: 1_048_576, columns: 1024 } },
      { typed: 'calc' },
      { typed: 'calc', repeats: true, lineBreaks: 'line-break' },
      { prefixes: { office: 'o', table: 't', text: 'x' }, repeats: true, padTo: { rows: 100, columns: 10 } },
      { moreSheets: [[['second sheet']]] },
      { flatParts: false },
    ];
    for (const opts of variants) {
      const rows = readFirstFlatOdsSheet(fodsOf(report, opts));
      expect([opts, rows]).toEqual([opts, readFirstOdsSheet(odsOf(report, opts))]);
    }
    expect(readFirstFlatOdsSheet(fodsOf(report))[1]).toEqual(['26GBFODS0000000011', '1', 'Men\'s T-shirts, "cotton" & <wool>', '2145.05', '14/03/2023 10:15:00']);
    // Typed as Calc types a CSV it opens: values, not display texts.
    expect(readFirstFlatOdsSheet(fodsOf(report, { typed: 'calc' }))[2]).toEqual(['26GBFODS0000000011', '2', '  two leading\tand a tab', '0', '2023-03-14']);
    expect(readFirstFlatOdsSheet(fodsOf([], { padTo: { rows: 1_048_576, columns: 1024 }, moreSheets: [[['x']]] }))).toEqual([]);
  });

  it('ignores what LibreOffice writes before the body (meta, settings, styles) and reads a BOM-prefixed file', () => {
    const fods = fodsOf(report);
    expect(fods.toString()).toContain('<office:settings>');
    expect(fods.toString()).toContain('config:name="Tables"');
    expect(readFirstFlatOdsSheet(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), fods]))).toEqual(readFirstFlatOdsSheet(fods));
  });

  it('refuses a DOCTYPE, whatever it names (no entity can be declared or expanded: no XXE, no billion laughs)', () => {
    const evil = fodsOf(report, { prolog: '<!DOCTYPE office:document [<!ENTITY e SYSTEM "file:///etc/passwd">]>' });
    expect(() => readFirstFlatOdsSheet(evil, { source: 'evil.fods' })).toThrow('evil.fods: DOCTYPE declarations are not accepted');
    let laughs = '<!ENTITY l0 "lol">';
    for (let i = 1; i < 10; i++) laughs += `<!ENTITY l${i} "${`&l${i - 1};`.repeat(10)}">`;
    const bomb = fodsWithRows('<table:table-row><table:table-cell><text:p>&l9;</text:p></table:table-cell></table:table-row>', `<!DOCTYPE lolz [${laughs}]>`);
    expect(() => readFirstFlatOdsSheet(bomb, { source: 'laughs.fods' })).toThrow('laughs.fods: DOCTYPE declarations are not accepted');
    // Without a DOCTYPE an entity reference is just not well-formed.
    expect(() => readFirstFlatOdsSheet(fodsWithRows('<table:table-row><table:table-cell><text:p>&e;</text:p></table:table-cell></table:table-row>'), { source: 'ref.fods' })).toThrow(
      /^ref\.fods: not well-formed XML: .*undefined entity/,
    );
    expect(() => readFirstFlatOdsSheet(Buffer.from(fodsOf(report).toString().slice(0, -200)), { source: 'cut.fods' })).toThrow(/^cut\.fods: not well-formed XML/);
  });

  it('counts repeated rows and cells rather than materialising them, and refuses repeats beyond the caps before allocating', () => {
    const jumbo = fodsOf([['MRN'], ['26GBPAD00000000011']], { padTo: { rows: 16_777_216, columns: 16_384 } });
    expect(jumbo.toString()).toContain('table:number-rows-repeated="16777214"');
    expect(readFirstFlatOdsSheet(jumbo)).toEqual([['MRN'], ['26GBPAD00000000011']]);
    const bomb = fodsWithRows('<table:table-row table:number-rows-repeated="1000000"><table:table-cell table:number-columns-repeated="16384"><text:p>x</text:p></table:table-cell></table:table-row>');
    expect(() => readFirstFlatOdsSheet(bomb, { source: 'bomb.fods' })).toThrow('bomb.fods: row 1: the first sheet has more than 10000000 cells (maxCells); split the report');
    const wide = fodsWithRows('<table:table-row><table:table-cell table:number-columns-repeated="2000000000"><text:p>x</text:p></table:table-cell></table:table-row>');
    expect(() => readFirstFlatOdsSheet(wide, { source: 'wide.fods' })).toThrow('wide.fods: row 1: data beyond column 16384 (maxColumns)');
    const far = fodsWithRows(
      '<table:table-row table:number-rows-repeated="4000000000"><table:table-cell/></table:table-row><table:table-row><table:table-cell><text:p>late</text:p></table:table-cell></table:table-row>',
    );
    expect(() => readFirstFlatOdsSheet(far, { source: 'far.fods' })).toThrow('far.fods: row 4000000001: data beyond row 1048576 of the first sheet (maxRows)');
    const spaces = fodsWithRows('<table:table-row><table:table-cell><text:p>a<text:s text:c="1000000000"/></text:p></table:table-cell></table:table-row>');
    expect(() => readFirstFlatOdsSheet(spaces, { source: 's.fods' })).toThrow(`s.fods: row 1: the first sheet holds more than ${256 * 1024 * 1024} characters of text (maxTextChars)`);
    expect(() => readFirstFlatOdsSheet(fodsOf(report), { source: 'small.fods', maxCells: 5 })).toThrow('small.fods: row 2: the first sheet has more than 5 cells (maxCells); split the report');
  });

  it('caps the size of the file, and refuses what is not UTF-8', () => {
    const big = fodsOf([['x'.repeat(5000)]], { flatParts: false });
    expect(() => readFirstFlatOdsSheet(big, { source: 'big.fods', maxContentBytes: 4096 })).toThrow('big.fods: the flat OpenDocument file is more than 4096 bytes');
    expect(readFirstFlatOdsSheet(big, { maxContentBytes: 8192 })).toEqual([['x'.repeat(5000)]]);
    const latin1 = Buffer.from(
      fodsOf([['Café']])
        .toString()
        .replace('encoding="UTF-8"', 'encoding="ISO-8859-1"'),
      'latin1',
    );
    expect(() => readFirstFlatOdsSheet(latin1, { source: 'latin1.fods' })).toThrow('latin1.fods: not valid UTF-8; save the spreadsheet as UTF-8 XML');
  });

  it('refuses a file that is not a flat spreadsheet: another root, another OpenDocument type, no spreadsheet body, no sheet', () => {
    const contentXml = Buffer.from(`<office:document-content ${NS}><office:body><office:spreadsheet><table:table/></office:spreadsheet></office:body></office:document-content>`);
    expect(() => readFirstFlatOdsSheet(contentXml, { source: 'content.fods' })).toThrow(
      'content.fods: the root element is <office:document-content>, not office:document (not a flat OpenDocument file)',
    );
    expect(() => readFirstFlatOdsSheet(Buffer.from(`<document xmlns="urn:example"/>`), { source: 'other.fods' })).toThrow('other.fods: the root element is <document>, not office:document');
    expect(() => readFirstFlatOdsSheet(fodsOf(report, { flatMimetype: 'application/vnd.oasis.opendocument.text' }), { source: 'letter.fods' })).toThrow(
      'letter.fods: office:mimetype says "application/vnd.oasis.opendocument.text", not an OpenDocument spreadsheet',
    );
    expect(readFirstFlatOdsSheet(fodsOf(report, { flatMimetype: null }))).toEqual(readFirstFlatOdsSheet(fodsOf(report))); // the attribute is optional
    const text = Buffer.from(`<office:document ${NS}><office:body><office:text><text:p>hello</text:p></office:text></office:body></office:document>`);
    expect(() => readFirstFlatOdsSheet(text, { source: 'doc.fods' })).toThrow('doc.fods: no office:spreadsheet body');
    const noSheet = Buffer.from(`<office:document ${NS}><office:body><office:spreadsheet/></office:body></office:document>`);
    expect(() => readFirstFlatOdsSheet(noSheet, { source: 'empty.fods' })).toThrow('empty.fods: no sheet in the workbook');
    expect(() => readFirstFlatOdsSheet(Buffer.from('MRN,Item Number\n26GB1,1\n'), { source: 'report.fods' })).toThrow(/^report\.fods: not well-formed XML/);
  });
});

describe('isFlatOds / isWorkbook / workbookKind', () => {
  const table = [
    ['MRN', 'Item Number'],
    ['26GBKND00000000011', '1'],
  ];
  // LibreOffice 7's root: some forty namespace declarations, the office one far from the start.
  const libreOfficeRoot =
    '<?xml version="1.0" encoding="UTF-8"?>\n\n<office:document ' +
    Array.from({ length: 40 }, (_, i) => `xmlns:ns${i}="urn:example:ns:${i}:1.0"`).join(' ') +
    ` xmlns:office="${OFFICE}" office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.spreadsheet">`;

  it('recognises a .fods by its office:document root in the ODF office namespace, after a BOM, XML declaration, comments, processing instructions, white space', () => {
    expect(isFlatOds(fodsOf(table))).toBe(true);
    expect(isFlatOds(Buffer.from(libreOfficeRoot))).toBe(true);
    expect(isFlatOds(Buffer.from(`\ufeff<?xml version="1.0"?>\r\n<!-- exported 2024-02-05 <office:x> --><?some-pi data?>\n  <o:document xmlns:o='${OFFICE}'>`))).toBe(true);
    expect(isFlatOds(Buffer.from(`<document xmlns="${OFFICE}"/>`))).toBe(true); // default namespace
    expect(isFlatOds(Buffer.from(`<office:document\n\tfoo = "a>b" xmlns:office = "${OFFICE}">`))).toBe(true);
    // A DOCTYPE is passed on to the reader, which refuses it by name: whatever it names, however long its subset.
    expect(isFlatOds(fodsOf(table, { prolog: '<!DOCTYPE office:document [<!ENTITY e SYSTEM "file:///etc/passwd">]>' }))).toBe(true);
    expect(isFlatOds(fodsOf(table, { prolog: '<!DOCTYPE lolz [<!ENTITY a "]>"><!-- ]> --><!ENTITY b \'&a;&a;\'>]>' }))).toBe(true);
  });

  it('does not take CSV, other XML, a ZIP workbook or another namespace for a .fods', () => {
    for (const head of [
      'MRN,Item Number,Commodity Code\n26GB1,1,6109100010\n',
      '"<office:document>",x\n',
      '\ufeffEPU,Entry Number\n',
      '',
      '<?xml version="1.0"?><Declaration xmlns="urn:wco:datamodel:WCO:DEC-DMS:2"/>',
      `<office:document-content xmlns:office="${OFFICE}">`, // an .ods's content.xml, not a flat file
      '<office:document xmlns:office="urn:example:not-odf">',
      '<office:document>', // prefix never bound
      `<office:document xmlns:o="${OFFICE}">`,
      `<document xmlns:office="${OFFICE}">`,
      '<?xml version="1.0"?><!-- unterminated',
      '<!DOCTYPE html><html><body>',
    ])
      expect([head, isFlatOds(Buffer.from(head))]).toEqual([head, false]);
    expect(isFlatOds(odsOf(table))).toBe(false);
    expect(isFlatOds(xlsxOf(table))).toBe(false);
    expect(isFlatOds(Buffer.from('<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0">', 'utf16le'))).toBe(false);
  });

  it('decides on a first chunk cut inside the root start tag by the root name, and on chunks read so far', () => {
    const full = Buffer.from(libreOfficeRoot);
    for (const cut of [60, 200, 1000, full.indexOf('xmlns:office') + 20]) expect([cut, isFlatOds(full.subarray(0, cut))]).toEqual([cut, true]);
    expect(isFlatOds(full.subarray(0, 45))).toBe(false); // "<office:docu": the root's name is not known yet
    expect(isFlatOds(Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<foo:bar xmlns:a="x'))).toBe(false);
    // Chunks: the first few bytes alone say nothing; with the chunks after them, a .fods or a ZIP.
    const chunks = [full.subarray(0, 3), full.subarray(3, 50), full.subarray(50)];
    expect(isFlatOds(chunks[0]!)).toBe(false);
    expect(isFlatOds(chunks)).toBe(true);
    expect(isWorkbook(chunks)).toBe(true);
    const ods = odsOf(table);
    expect(isZip([ods.subarray(0, 2), ods.subarray(2, 3), ods.subarray(3)])).toBe(true);
    expect(isWorkbook([ods.subarray(0, 1), ods.subarray(1)])).toBe(true);
    expect(isWorkbook([Buffer.from('MRN,'), Buffer.from('Item Number\n')])).toBe(false);
    expect(isWorkbook([])).toBe(false);
    // Only the first WORKBOOK_PEEK_BYTES are looked at: a root beyond them is not found.
    expect(isFlatOds(Buffer.from(`<!--${' '.repeat(WORKBOOK_PEEK_BYTES)}--><office:document xmlns:office="${OFFICE}">`))).toBe(false);
  });

  it('workbookKind and readFirstSheetOfWorkbook tell .fods from .ods and .xlsx and read all three to the same rows', () => {
    expect(workbookKind(fodsOf(table))).toBe('fods');
    expect(workbookKind(odsOf(table))).toBe('ods');
    expect(workbookKind(xlsxOf(table))).toBe('xlsx');
    expect(readFirstSheetOfWorkbook(fodsOf(table), 'r.fods')).toEqual({ kind: 'fods', rows: table });
    expect(readFirstSheetOfWorkbook(odsOf(table), 'r.ods')).toEqual({ kind: 'ods', rows: table });
    expect(() => readFirstSheetOfWorkbook(fodsOf(table, { prolog: '<!DOCTYPE office:document>' }), 'evil.fods')).toThrow('evil.fods: DOCTYPE declarations are not accepted');
    expect(() => workbookKind(Buffer.from('MRN,Item Number\n'), 'x.fods')).toThrow('x.fods: not a ZIP archive');
  });
});
