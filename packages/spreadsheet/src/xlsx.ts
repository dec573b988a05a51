import { SheetLimitError, sheetLimits, type SheetCap, type SheetLimits } from './limits';
import { parseXml } from './xml';
import { readPart, zipEntries, type ZipEntry } from './zip';

/**
 * Minimal reader of the first worksheet of an .xlsx workbook (the OTT daily reports are
 * written by Axlsx with shared strings), as rows of cell texts. Number cells give their stored
 * value ("3800", not the "3800.00" a format may show); a number cell whose style shows a date
 * (a built-in date format or a custom one with day or year tokens) gives its serial as an ISO
 * date, "2023-03-14" or "2023-03-14T10:15:00", as the .ods reader gives a date cell. Pure and dependency-free apart
 * from saxes: a ZIP central-directory walk, raw inflate with an output cap (no zip bombs), and
 * XML read with any DOCTYPE refused (no entity expansion) — the container and XML parts are
 * shared with the .ods reader (zip.ts, xml.ts).
 *
 * The same caps as the .ods reader (limits.ts: rows, columns, cells, characters of text, the
 * inflated size of each part) and the .xlsx's own (shared strings and their characters, styles),
 * each checked before the reader allocates what it guards: a cell reference is read as a number
 * and refused beyond the last column before any row grows; rows and cells are placed where their
 * references say (Excel leaves out empty rows and cells), with the empty ones between counted and
 * only materialised when data follows, and empty cells and rows at the end dropped, as the .ods
 * reader does; a shared-string table is refused by count and size as it is read.
 */

const local = (name: string) => name.slice(name.indexOf(':') + 1);

/**
 * Built-in number formats that show a date (ECMA-376 §18.8.30: 14 m/d/yyyy, 15 d-mmm-yy,
 * 16 d-mmm, 17 mmm-yy, 22 m/d/yyyy h:mm). The time-only ones (18–21, 45–47) are not dates.
 */
const BUILTIN_DATE_FORMATS = new Set([14, 15, 16, 17, 22]);

/**
 * Whether a custom number format shows a date: its first section, without quoted text, escaped
 * characters, "_x" / "*x" spacing and [...] parts (colour, condition, locale, elapsed [h]), has a
 * day or year token. A month "m" alone is not enough (it is minutes too); "General", "0.00",
 * "#,##0.00 [$€-1]" and "[h]:mm" are not dates.
 */
export function isDateFormat(code: string): boolean {
  for (let i = 0; i < code.length; i++) {
    const c = code[i]!;
    if (c === '"') {
      const end = code.indexOf('"', i + 1);
      if (end < 0) return false;
      i = end;
    } else if (c === '[') {
      const end = code.indexOf(']', i + 1);
      if (end < 0) return false;
      i = end;
    } else if (c === '\\' || c === '_' || c === '*') i++;
    else if (c === ';') return false;
    else if (c === 'd' || c === 'D' || c === 'y' || c === 'Y') return true;
  }
  return false;
}

/**
 * A date serial as ISO 8601, as an .ods date cell gives it: "2023-03-14", or
 * "2023-03-14T10:15:00" when it has a time of day (rounded to the second). Undefined for what is
 * no calendar date: before day 1, Excel's phantom 29 February 1900 (serial 60), after 9999.
 */
export function excelSerialDate(serial: number, date1904: boolean): string | undefined {
  if (!Number.isFinite(serial) || serial < (date1904 ? 0 : 1) || serial >= 2_958_466) return undefined;
  let days = Math.floor(serial);
  let secs = Math.round((serial - days) * 86_400);
  if (secs === 86_400) {
    days++;
    secs = 0;
  }
  if (!date1904 && days === 60) return undefined;
  // The 1900 system counts 29 February 1900, which never was: from 1 March 1900, day 0 is 30 December 1899.
  const epoch = date1904 ? Date.UTC(1904, 0, 1) : days < 60 ? Date.UTC(1899, 11, 31) : Date.UTC(1899, 11, 30);
  const iso = new Date(epoch + days * 86_400_000 + secs * 1000).toISOString();
  return secs === 0 ? iso.slice(0, 10) : iso.slice(0, 19);
}

/**
 * A number cell's value as Excel shows it: Excel keeps 15 significant digits, but a value computed
 * by a formula is saved with the binary double's noise ("2145.0500000000002" for 2145.05). Such a
 * value is rounded to 15 significant digits; one already that short (nearly all) is kept as
 * written, and so is anything that is not a plain decimal.
 */
export function excelShownNumber(v: string): string {
  let digits = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c !== 45 && c !== 46) return v; // an exponent or anything else: left as written
  }
  if (digits <= 15) return v;
  const n = Number(v);
  if (!Number.isFinite(n)) return v;
  const shown = String(Number(n.toPrecision(15)));
  return shown.includes('e') ? v : shown;
}

/**
 * The zero-based column of a cell reference ("AB12" → 27; letters, then the row's digits), -1
 * past `max` columns, or -2 when it is no cell reference. Counted letter by letter and given up
 * as soon as it passes the cap, so "ZZZZZZZZZZ1" is a refusal, not a 10^14-element row.
 */
function columnIndex(ref: string, max: number): number {
  let n = 0;
  let i = 0;
  for (; i < ref.length; i++) {
    const c = ref.charCodeAt(i) | 32; // lower case
    if (c < 97 || c > 122) break;
    if (n <= max) n = n * 26 + (c - 96);
  }
  if (i === 0) return -2;
  for (let j = i; j < ref.length; j++) {
    const c = ref.charCodeAt(j);
    if (c < 48 || c > 57) return -2;
  }
  return n > max ? -1 : n - 1;
}

/** A row's r attribute: a positive integer, or undefined when it is not one. */
function rowIndex(v: string): number | undefined {
  if (!/^[1-9]\d{0,15}$/.test(v)) return undefined;
  return Number(v);
}

/** A column's letters ("AA" for 26), for naming a cell in an error. */
function columnLetters(i: number): string {
  let s = '';
  for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

/** The caps (limits.ts defaults for those not given). */
export type XlsxReadOptions = Partial<SheetLimits>;

/**
 * Rows (arrays of cell texts, "" for empty cells between data) of the workbook's first
 * worksheet. A workbook past a cap is refused with a SheetLimitError naming the part, the row
 * and cell, and the cap; one that is malformed with an Error naming the part and where.
 */
export function readFirstSheet(source: string, content: Buffer, opts: XlsxReadOptions = {}): string[][] {
  const lim = sheetLimits(opts);
  const entries = zipEntries(content, source);
  const byName = new Map(entries.map((e) => [e.name, e]));
  const read = (e: ZipEntry) => readPart(content, e, source, lim.maxContentBytes);
  const refuse = (part: string, cap: SheetCap, what: string, at: { row?: number; cell?: string } = {}, hint?: string) => new SheetLimitError({ source, part, cap, limit: lim[cap], what, ...at, hint });

  const shared: string[] = [];
  const ss = byName.get('xl/sharedStrings.xml');
  if (ss) {
    const part = ss.name;
    let cur: string | undefined;
    let chars = 0;
    // Text of <t> elements of an <si>, not of its phonetic runs (<rPh>: a reading guide Excel
    // does not show as the cell's text).
    let inT = false;
    let inPhonetic = 0;
    parseXml(`${source}:${part}`, read(ss), {
      open: (n) => {
        const ln = local(n);
        if (ln === 'si') {
          if (shared.length >= lim.maxSharedStrings)
            throw refuse(part, 'maxSharedStrings', `more than ${lim.maxSharedStrings} shared strings`, { cell: `shared string ${shared.length + 1}` }, 'split the report');
          cur = '';
        } else if (ln === 'rPh') inPhonetic++;
        else if (ln === 't' && inPhonetic === 0) inT = true;
      },
      text: (t) => {
        if (!inT || cur === undefined) return;
        chars += t.length;
        if (chars > lim.maxSharedStringChars)
          throw refuse(part, 'maxSharedStringChars', `the shared strings hold more than ${lim.maxSharedStringChars} characters`, { cell: `shared string ${shared.length + 1}` });
        cur += t;
      },
      close: (n) => {
        const ln = local(n);
        if (ln === 't') inT = false;
        else if (ln === 'rPh') inPhonetic--;
        else if (ln === 'si') {
          shared.push(cur ?? '');
          cur = undefined;
        }
      },
    });
  }
  // Which cell styles (the index a cell's s attribute names) show a date: a number cell with one
  // holds a date serial, read as an ISO date like an .ods date cell, not as the serial number.
  const dateStyles: boolean[] = [];
  const st = byName.get('xl/styles.xml');
  if (st) {
    const part = st.name;
    const custom = new Map<number, string>();
    let inCellXfs = false;
    const tooMany = () => refuse(part, 'maxStyles', `more than ${lim.maxStyles} cell or number formats`);
    parseXml(`${source}:${part}`, read(st), {
      open: (n, a) => {
        const ln = local(n);
        if (ln === 'numFmt' && a.numFmtId !== undefined) {
          if (custom.size >= lim.maxStyles) throw tooMany();
          custom.set(Number(a.numFmtId), a.formatCode ?? '');
        } else if (ln === 'cellXfs') inCellXfs = true;
        else if (ln === 'xf' && inCellXfs) {
          if (dateStyles.length >= lim.maxStyles) throw tooMany();
          const id = Number(a.numFmtId ?? 0);
          const code = custom.get(id);
          dateStyles.push(code !== undefined ? isDateFormat(code) : BUILTIN_DATE_FORMATS.has(id));
        }
      },
      text: () => undefined,
      close: (n) => {
        if (local(n) === 'cellXfs') inCellXfs = false;
      },
    });
  }
  let date1904 = false;
  const wb = dateStyles.includes(true) ? byName.get('xl/workbook.xml') : undefined;
  if (wb) {
    parseXml(`${source}:${wb.name}`, read(wb), {
      open: (n, a) => {
        if (local(n) === 'workbookPr') date1904 = a.date1904 === '1' || a.date1904 === 'true';
      },
      text: () => undefined,
      close: () => undefined,
    });
  }
  const sheet = entries.filter((e) => /^xl\/worksheets\/sheet\d+\.xml$/.test(e.name)).sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }))[0];
  if (!sheet) throw new Error(`${source}: no worksheet in the workbook`);
  const part = sheet.name;
  const where = `${source}:${part}`;

  const rows: string[][] = [];
  /** Rows seen (1-based number of the last <row>), whether or not they were materialised. */
  let rowNumber = 0;
  let cellCount = 0;
  let textChars = 0;
  let row: { number: number; cells: string[] /** columns seen: the next cell without a reference goes here */; next: number } | undefined;
  let cell: { col: number; ref: string; type: string; date: boolean; text: string } | undefined;
  let inValue = false;
  let inPhonetic = 0;
  const tooMuchText = (at: { row?: number; cell?: string }) => refuse(part, 'maxTextChars', `the first sheet holds more than ${lim.maxTextChars} characters of text`, at);

  parseXml(where, read(sheet), {
    open: (n, a) => {
      const ln = local(n);
      if (ln === 'row') {
        let number = rowNumber + 1;
        if (a.r !== undefined) {
          const r = rowIndex(a.r);
          if (r === undefined) throw new Error(`${where}: row ${number}: r="${a.r.slice(0, 40)}" is not a row number`);
          if (r < number) throw new Error(`${where}: row ${r} comes after row ${rowNumber} (rows must be in order)`);
          number = r;
        }
        rowNumber = number;
        row = { number, cells: [], next: 0 };
      } else if (ln === 'c' && row) {
        let col = row.next;
        if (a.r !== undefined) {
          col = columnIndex(a.r, lim.maxColumns);
          if (col === -2) throw new Error(`${where}: row ${row.number}: r="${a.r.slice(0, 40)}" is not a cell reference like B7`);
          if (col === -1) throw refuse(part, 'maxColumns', `data beyond column ${lim.maxColumns}`, { row: row.number, cell: a.r.slice(0, 40) });
          if (col < row.next) throw new Error(`${where}: row ${row.number}, cell ${a.r}: comes after column ${columnLetters(row.next - 1)} (cells must be in order)`);
        } else if (col >= lim.maxColumns) throw refuse(part, 'maxColumns', `data beyond column ${lim.maxColumns}`, { row: row.number, cell: `${columnLetters(col)}${row.number}` });
        row.next = col + 1;
        cell = { col, ref: a.r ?? `${columnLetters(col)}${row.number}`, type: a.t ?? 'n', date: a.s !== undefined && dateStyles[Number(a.s)] === true, text: '' };
      } else if (cell) {
        // <v> holds the value, <is><t> (and <is><r><t>) an inline string; not <f> (the formula)
        // nor an inline string's phonetic runs.
        if (ln === 'rPh') inPhonetic++;
        else if ((ln === 'v' || ln === 't') && inPhonetic === 0) inValue = true;
      }
    },
    text: (t) => {
      if (!inValue || !cell) return;
      if (textChars + cell.text.length + t.length > lim.maxTextChars) throw tooMuchText({ row: row?.number, cell: cell.ref });
      cell.text += t;
    },
    close: (n) => {
      const ln = local(n);
      if (ln === 'v' || ln === 't') inValue = false;
      else if (ln === 'rPh') inPhonetic--;
      else if (ln === 'c' && row && cell) {
        let v = cell.text;
        if (cell.type === 's') {
          const s = /^\d{1,10}$/.test(v) ? shared[Number(v)] : undefined;
          if (s === undefined) throw new Error(`${where}: row ${row.number}, cell ${cell.ref}: shared string ${v.slice(0, 40)} missing`);
          v = s;
        } else if (cell.type === 'n' && v !== '') v = cell.date ? (excelSerialDate(Number(v), date1904) ?? v) : excelShownNumber(v);
        const { col, ref } = cell;
        cell = undefined;
        // An empty cell (Excel writes them for formatting) only moves the column on; the empty
        // cells before data are materialised when the data comes, counted against the caps first.
        if (v === '') return;
        const add = col + 1 - row.cells.length;
        if (cellCount + add > lim.maxCells) throw refuse(part, 'maxCells', `the first sheet has more than ${lim.maxCells} cells`, { row: row.number, cell: ref }, 'split the report');
        // A shared string counts each time a cell shows it: that is what the rows hold.
        textChars += v.length;
        if (textChars > lim.maxTextChars) throw tooMuchText({ row: row.number, cell: ref });
        cellCount += add;
        while (row.cells.length < col) row.cells.push('');
        row.cells.push(v);
      } else if (ln === 'row' && row) {
        const r = row;
        row = undefined;
        if (r.cells.length === 0) return; // an empty row is materialised only if data follows
        if (r.number > lim.maxRows) throw refuse(part, 'maxRows', `data beyond row ${lim.maxRows} of the first sheet`, { row: r.number });
        // Rows left out or empty before this one: as many empty rows (at most maxRows in all).
        while (rows.length < r.number - 1) rows.push([]);
        rows.push(r.cells);
      }
    },
  });
  return rows;
}
