// The .xlsx reader on typed workbooks (as Excel saves a CSV it opened): number cells give their
// stored value, and number cells whose style shows a date give an ISO date, as the .ods reader
// gives a date cell, not the date's serial number.
import { xlsxOf, zipOf } from '@customs/testing';
import { excelSerialDate, excelShownNumber, isDateFormat, readFirstSheet } from './xlsx';

describe('readFirstSheet on typed cells', () => {
  const table = [
    ['EPU', 'Entry Number', 'Acceptance Date', 'Entry Date', 'Invoice Total', 'Customs Value', 'Commodity Code', 'CPC'],
    ['120', '000123A', '14/03/2023 10:15:00', '14/03/2023', '3800.00', '2145.05', '6109100010', '4000000'],
    ['120', '000124B', '29/02/2024 23:59:59', '01/03/2000', '0.50', '-12.5', '0101210000', '4000000'],
  ];

  it('reads numbers as their value and date-styled numbers as ISO dates (with the time when there is one)', () => {
    const rows = readFirstSheet('typed.xlsx', xlsxOf(table, '', { typed: 'excel' }));
    expect(rows).toEqual([
      table[0],
      ['120', '000123A', '2023-03-14T10:15:00', '2023-03-14', '3800', '2145.05', '6109100010', '4000000'],
      // A code with a leading zero is left a string by the builder (as xlsxOf documents), so it is read as written.
      ['120', '000124B', '2024-02-29T23:59:59', '2000-03-01', '0.5', '-12.5', '0101210000', '4000000'],
    ]);
    // The same in the 1904 date system (its serials are 1462 days smaller).
    expect(readFirstSheet('mac.xlsx', xlsxOf(table, '', { typed: 'excel', date1904: true }))).toEqual(rows);
    // Shared strings are read as before, styles or not.
    expect(readFirstSheet('strings.xlsx', xlsxOf(table))).toEqual(table);
  });

  it('goes by the cell style: a number with a non-date style, or no style, stays a number', () => {
    const sheet = (cells: string) => `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">${cells}</row></sheetData></worksheet>`;
    const styles =
      '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="3"><numFmt numFmtId="164" formatCode="&quot;Day &quot;0"/><numFmt numFmtId="165" formatCode="yyyy\\-mm\\-dd;@"/><numFmt numFmtId="14" formatCode="0.00"/></numFmts>' +
      '<cellStyleXfs count="1"><xf numFmtId="22"/></cellStyleXfs><cellXfs count="6"><xf numFmtId="0"/><xf numFmtId="4"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="14"/><xf numFmtId="21"/></cellXfs></styleSheet>';
    const book = zipOf([
      { name: 'xl/styles.xml', data: styles },
      { name: 'xl/workbook.xml', data: '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><workbookPr/></workbook>' },
      {
        name: 'xl/worksheets/sheet1.xml',
        data: sheet(
          '<c r="A1"><v>45000</v></c><c r="B1" s="0"><v>45000</v></c><c r="C1" s="1"><v>45000</v></c><c r="D1" s="2"><v>45000</v></c><c r="E1" s="3"><v>45000</v></c><c r="F1" s="4"><v>45000</v></c><c r="G1" s="5"><v>0.5</v></c><c r="H1" s="3" t="s"><v>0</v></c><c r="I1" s="3" t="str"><v>45000</v></c><c r="J1" s="3"><v>0.25</v></c><c r="K1" s="9"><v>45000</v></c>',
        ),
      },
      { name: 'xl/sharedStrings.xml', data: '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>shared</t></si></sst>' },
    ]);
    // General, #,##0.00, a quoted "Day ", a custom date, built-in 14 redefined as 0.00, time-only,
    // a string in a date style, a formula's string result, a time of day before day 1, an unknown style.
    expect(readFirstSheet('styles.xlsx', book)).toEqual([['45000', '45000', '45000', '45000', '2023-03-15', '45000', '0.5', 'shared', '45000', '0.25', '45000']]);
  });
});

describe('isDateFormat', () => {
  it('finds day or year tokens outside quoted text, escapes, [...] parts and later sections', () => {
    for (const f of ['dd/mm/yyyy', 'd-mmm-yy', 'yyyy\\-mm\\-dd;@', 'dd/mm/yyyy\\ hh:mm:ss', '[$-809]dd\\ mmmm\\ yyyy', '[Red]d/m/yy', 'DD/MM/YYYY', 'mmm yy'])
      expect([f, isDateFormat(f)]).toEqual([f, true]);
    for (const f of [
      'General',
      '0.00',
      '#,##0.00',
      '"Day "0',
      '\\d0',
      '0.00_);[Red]\\(0.00\\)',
      '[h]:mm:ss',
      'hh:mm',
      'mm:ss',
      '@',
      '0;"yes";"no"',
      '_-* #,##0.00_-',
      '#,##0 "days"',
      '[$USD-409]#,##0',
      '0.00E+00',
      '"unterminated',
    ])
      expect([f, isDateFormat(f)]).toEqual([f, false]);
  });
});

describe('excelSerialDate', () => {
  it('converts 1900- and 1904-system serials, rounding the time to the second', () => {
    expect(excelSerialDate(1, false)).toBe('1900-01-01');
    expect(excelSerialDate(59, false)).toBe('1900-02-28');
    expect(excelSerialDate(60, false)).toBeUndefined(); // 29 February 1900, which Excel counts and never was
    expect(excelSerialDate(61, false)).toBe('1900-03-01');
    expect(excelSerialDate(44999, false)).toBe('2023-03-14');
    expect(excelSerialDate(44999.427083333336, false)).toBe('2023-03-14T10:15:00');
    expect(excelSerialDate(44999.99999999, false)).toBe('2023-03-15'); // 23:59:59.9991 rounds to the next day
    expect(excelSerialDate(43537, true)).toBe('2023-03-14');
    expect(excelSerialDate(0, true)).toBe('1904-01-01');
    expect(excelSerialDate(2_958_465, false)).toBe('9999-12-31');
    for (const bad of [0, 0.5, -1, 2_958_466, Number.NaN, Infinity]) expect(excelSerialDate(bad, false)).toBeUndefined();
  });
});

describe('excelShownNumber', () => {
  it("rounds a formula result's binary noise to the 15 significant digits Excel shows, and leaves other numbers as written", () => {
    expect(excelShownNumber('2145.0500000000002')).toBe('2145.05');
    expect(excelShownNumber('0.30000000000000004')).toBe('0.3');
    expect(excelShownNumber('-12.499999999999998')).toBe('-12.5');
    expect(excelShownNumber('3800')).toBe('3800');
    expect(excelShownNumber('3800.00')).toBe('3800.00'); // short enough: as written (the content hash canonicalises it)
    expect(excelShownNumber('123456789012345')).toBe('123456789012345');
    expect(excelShownNumber('1.2345678901234567E+20')).toBe('1.2345678901234567E+20');
  });

  it('is applied to number cells without a date style', () => {
    const book = zipOf([
      { name: 'xl/workbook.xml', data: '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><workbookPr/></workbook>' },
      {
        name: 'xl/worksheets/sheet1.xml',
        data: '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1"><v>2145.0500000000002</v></c><c r="B1" t="str"><v>2145.0500000000002</v></c></row></sheetData></worksheet>',
      },
    ]);
    // A formula's string result is text, and text is read as written.
    expect(readFirstSheet('noise.xlsx', book)).toEqual([['2145.05', '2145.0500000000002']]);
  });
});
