// Test support: writes minimal .xlsx workbooks (shared strings, one sheet) the way Axlsx and
// HMRC's report exports do, or typed the way Excel saves a CSV it opened, so spreadsheet readers
// are tested on the real container format without a spreadsheet library.
import { zipOf } from './zip';

export interface XlsxTestOptions {
  /**
   * 'excel': type cells as Excel does when it opens a CSV (UK locale) and saves it as .xlsx:
   * plain numbers without a leading zero are number cells (<v> the shortest form of the double,
   * "3800.00" → 3800; "0101210000" stays a string),
   * dd/mm/yyyy [hh:mm[:ss]] are date serials with a date style (numFmtId 14, or a custom
   * "dd/mm/yyyy hh:mm:ss" with a time). Default: every cell a shared string.
   */
  typed?: 'strings' | 'excel';
  /** The 1904 date system (workbookPr date1904="1"; Excel for Mac before 2011). */
  date1904?: boolean;
}

/** Excel's serial of a calendar date and time (1900 system from 1900-03-01, or 1904 system). */
function serialOf(y: number, m: number, d: number, secs: number, date1904: boolean): number {
  const days = (Date.UTC(y, m - 1, d) - (date1904 ? Date.UTC(1904, 0, 1) : Date.UTC(1899, 11, 30))) / 86_400_000;
  return days + secs / 86_400;
}

/**
 * Writes a minimal .xlsx the way Axlsx does for the OTT report (shared strings, one sheet),
 * so the reader is tested on the published container format without a spreadsheet library.
 */
export function xlsxOf(table: string[][], doctype = '', opts: XlsxTestOptions = {}): Buffer {
  const strings: string[] = [];
  const idx = new Map<string, number>();
  const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const col = (i: number) => (i >= 26 ? String.fromCharCode(64 + Math.floor(i / 26)) : '') + String.fromCharCode(65 + (i % 26));
  const cell = (v: string, ref: string) => {
    if (opts.typed === 'excel') {
      if (/^-?(0|[1-9]\d{0,14})(\.\d+)?$/.test(v)) return `<c r="${ref}"><v>${Number(v)}</v></c>`;
      const d = /^(\d{2})\/(\d{2})\/(\d{4})(?: (\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(v);
      if (d) {
        const secs = d[4] ? Number(d[4]) * 3600 + Number(d[5]) * 60 + Number(d[6] ?? 0) : 0;
        return `<c r="${ref}" s="${d[4] ? 2 : 1}"><v>${serialOf(Number(d[3]), Number(d[2]), Number(d[1]), secs, !!opts.date1904)}</v></c>`;
      }
    }
    if (!idx.has(v)) idx.set(v, strings.push(v) - 1);
    return `<c r="${ref}" t="s"><v>${idx.get(v)}</v></c>`;
  };
  const rows = table.map((r, ri) => `<row r="${ri + 1}">${r.map((v, ci) => (v === '' ? '' : cell(v, `${col(ci)}${ri + 1}`))).join('')}</row>`).join('');
  const files: [string, string][] = [
    ['[Content_Types].xml', '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'],
    [
      'xl/workbook.xml',
      `<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><workbookPr${opts.date1904 ? ' date1904="1"' : ''}/><sheets><sheet name="Sheet1" sheetId="1"/></sheets></workbook>`,
    ],
    [
      'xl/styles.xml',
      '<?xml version="1.0"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy\\ hh:mm:ss"/></numFmts>' +
        '<cellStyleXfs count="1"><xf numFmtId="0"/></cellStyleXfs><cellXfs count="3"><xf numFmtId="0" xfId="0"/><xf numFmtId="14" xfId="0" applyNumberFormat="1"/><xf numFmtId="164" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>',
    ],
    ['xl/sharedStrings.xml', `<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">${strings.map((t) => `<si><t>${esc(t)}</t></si>`).join('')}</sst>`],
    ['xl/worksheets/sheet1.xml', `<?xml version="1.0"?>${doctype}<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${rows}</sheetData></worksheet>`],
  ];
  return zipOf(files.map(([name, data]) => ({ name, data })));
}

/**
 * An .xlsx whose first sheet's <sheetData> is exactly the given markup, with any further parts
 * (shared strings, styles) as given: for hostile or odd workbooks whose exact XML matters (a cell
 * reference past the last column, rows out of order, a shared-string bomb).
 */
export function xlsxOfSheetXml(sheetDataXml: string, parts: { name: string; data: string | Buffer; store?: boolean }[] = []): Buffer {
  return zipOf([
    { name: 'xl/workbook.xml', data: '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets><sheet name="Sheet1" sheetId="1"/></sheets></workbook>' },
    ...parts,
    { name: 'xl/worksheets/sheet1.xml', data: `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${sheetDataXml}</sheetData></worksheet>` },
  ]);
}
