import { inflateRawSync } from 'node:zlib';
import { SaxesParser } from 'saxes';

/**
 * Minimal reader of the first worksheet of an .xlsx workbook (the OTT daily reports are
 * written by Axlsx with shared strings), as rows of cell texts. Pure and dependency-free apart
 * from saxes: a ZIP central-directory walk, raw inflate with an output cap (no zip bombs), and
 * XML read with any DOCTYPE refused (no entity expansion).
 */

const MAX_ENTRY_BYTES = 512 * 1024 * 1024;

interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  offset: number;
}

function zipEntries(buf: Buffer, source: string): ZipEntry[] {
  // End of central directory: last 0x06054b50 within the final 64 KiB + 22 bytes.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65_557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${source}: not a ZIP archive (no end of central directory)`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`${source}: ZIP central directory entry ${i + 1} is corrupt`);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    out.push({ name: buf.toString('utf8', p + 46, p + 46 + nameLen), method: buf.readUInt16LE(p + 10), compressedSize: buf.readUInt32LE(p + 20), size: buf.readUInt32LE(p + 24), offset: buf.readUInt32LE(p + 42) });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

function readEntry(buf: Buffer, e: ZipEntry, source: string): string {
  if (buf.readUInt32LE(e.offset) !== 0x04034b50) throw new Error(`${source}: ${e.name}: local header missing`);
  const start = e.offset + 30 + buf.readUInt16LE(e.offset + 26) + buf.readUInt16LE(e.offset + 28);
  const data = buf.subarray(start, start + e.compressedSize);
  if (e.method === 0) return data.toString('utf8');
  if (e.method !== 8) throw new Error(`${source}: ${e.name}: unsupported compression method ${e.method}`);
  return inflateRawSync(data, { maxOutputLength: MAX_ENTRY_BYTES }).toString('utf8');
}

function parseXml(source: string, xml: string, handlers: { open(name: string, attrs: Record<string, string>): void; text(t: string): void; close(name: string): void }): void {
  const parser = new SaxesParser({ xmlns: false });
  let failure: Error | undefined;
  parser.on('doctype', () => (failure ??= new Error(`${source}: DOCTYPE declarations are not accepted`)));
  parser.on('error', (e) => (failure ??= new Error(`${source}: not well-formed XML: ${e.message}`)));
  parser.on('opentag', (t) => handlers.open(t.name, t.attributes as Record<string, string>));
  parser.on('text', (t) => handlers.text(t));
  parser.on('cdata', (t) => handlers.text(t));
  parser.on('closetag', (t) => handlers.close(t.name));
  try {
    parser.write(xml).close();
  } catch (e) {
    failure ??= e as Error;
  }
  if (failure) throw failure;
}

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
