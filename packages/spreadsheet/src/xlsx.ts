import { parseXml } from './xml';
import { readEntry, zipEntries } from './zip';

/**
 * Minimal reader of the first worksheet of an .xlsx workbook (the OTT daily reports are
 * written by Axlsx with shared strings), as rows of cell texts. Number cells give their stored
 * value ("3800", not the "3800.00" a format may show); a number cell whose style shows a date
 * (a built-in date format or a custom one with day or year tokens) gives its serial as an ISO
 * date, "2023-03-14" or "2023-03-14T10:15:00", as the .ods reader gives a date cell. Pure and dependency-free apart
 * from saxes: a ZIP central-directory walk, raw inflate with an output cap (no zip bombs), and
 * XML read with any DOCTYPE refused (no entity expansion) — the container and XML parts are
 * shared with the .ods reader (zip.ts, xml.ts).
 */

/** "AB12" → 27 (zero-based column). */
function columnOf(ref: string): number {
  let n = 0;
  for (const ch of ref.replace(/\d+$/, '')) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

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

/** Rows (arrays of cell texts, "" for empty cells) of the workbook's first worksheet. */
export function readFirstSheet(source: string, content: Buffer): string[][] {
  const entries = zipEntries(content, source);
  const byName = new Map(entries.map((e) => [e.name, e]));
  const shared: string[] = [];
  const ss = byName.get('xl/sharedStrings.xml');
  if (ss) {
    let cur: string | undefined;
    let inT = false;
    parseXml(`${source}:xl/sharedStrings.xml`, readEntry(content, ss, source), {
      open: (n) => {
        if (local(n) === 'si') cur = '';
        else if (local(n) === 't') inT = true;
      },
      text: (t) => {
        if (inT && cur !== undefined) cur += t;
      },
      close: (n) => {
        if (local(n) === 't') inT = false;
        else if (local(n) === 'si') {
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
    const custom = new Map<number, string>();
    let inCellXfs = false;
    parseXml(`${source}:xl/styles.xml`, readEntry(content, st, source), {
      open: (n, a) => {
        const ln = local(n);
        if (ln === 'numFmt' && a.numFmtId !== undefined) custom.set(Number(a.numFmtId), a.formatCode ?? '');
        else if (ln === 'cellXfs') inCellXfs = true;
        else if (ln === 'xf' && inCellXfs) {
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
    parseXml(`${source}:xl/workbook.xml`, readEntry(content, wb, source), {
      open: (n, a) => {
        if (local(n) === 'workbookPr') date1904 = a.date1904 === '1' || a.date1904 === 'true';
      },
      text: () => undefined,
      close: () => undefined,
    });
  }
  const sheet = entries.filter((e) => /^xl\/worksheets\/sheet\d+\.xml$/.test(e.name)).sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }))[0];
  if (!sheet) throw new Error(`${source}: no worksheet in the workbook`);
  const rows: string[][] = [];
  let row: string[] | undefined;
  let cell: { col: number; type: string; date: boolean; text: string } | undefined;
  let inValue = false;
  parseXml(`${source}:${sheet.name}`, readEntry(content, sheet, source), {
    open: (n, a) => {
      const ln = local(n);
      if (ln === 'row') row = [];
      else if (ln === 'c' && row) cell = { col: a.r ? columnOf(a.r) : row.length, type: a.t ?? 'n', date: a.s !== undefined && dateStyles[Number(a.s)] === true, text: '' };
      else if ((ln === 'v' || ln === 't') && cell) inValue = true;
    },
    text: (t) => {
      if (inValue && cell) cell.text += t;
    },
    close: (n) => {
      const ln = local(n);
      if (ln === 'v' || ln === 't') inValue = false;
      else if (ln === 'c' && row && cell) {
        let v = cell.text;
        if (cell.type === 's') {
          const s = shared[Number(v)];
          if (s === undefined) throw new Error(`${source}: row ${rows.length + 1}: shared string ${v} missing`);
          v = s;
        } else if (cell.type === 'n' && v !== '') v = cell.date ? (excelSerialDate(Number(v), date1904) ?? v) : excelShownNumber(v);
        while (row.length < cell.col) row.push('');
        row[cell.col] = v;
        cell = undefined;
      } else if (ln === 'row' && row) {
        rows.push(row);
        row = undefined;
      }
    },
  });
  return rows;
}
