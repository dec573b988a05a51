import { parseXml } from './xml';
import { readEntry, zipEntries } from './zip';

/**
 * Minimal reader of the first worksheet of an .xlsx workbook (the OTT daily reports are
 * written by Axlsx with shared strings), as rows of cell texts. Pure and dependency-free apart
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
  const sheet = entries.filter((e) => /^xl\/worksheets\/sheet\d+\.xml$/.test(e.name)).sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }))[0];
  if (!sheet) throw new Error(`${source}: no worksheet in the workbook`);
  const rows: string[][] = [];
  let row: string[] | undefined;
  let cell: { col: number; type: string; text: string } | undefined;
  let inValue = false;
  parseXml(`${source}:${sheet.name}`, readEntry(content, sheet, source), {
    open: (n, a) => {
      const ln = local(n);
      if (ln === 'row') row = [];
      else if (ln === 'c' && row) cell = { col: a.r ? columnOf(a.r) : row.length, type: a.t ?? 'n', text: '' };
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
        }
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
