import { ODS_MIMETYPE, odfMimetype, readFirstFlatOdsSheet, readFirstOdsSheet } from './ods';
import { readFirstSheet } from './xlsx';
import { zipEntries } from './zip';

export type WorkbookKind = 'xlsx' | 'ods' | 'fods';

/** How much of the start of a file isFlatOds / isWorkbook look at (a .fods root start tag, with its namespace list, is about 3 KiB). */
export const WORKBOOK_PEEK_BYTES = 64 * 1024;

/** The first bytes of a file given whole or as the chunks read so far (at most `max`, copied only if split). */
function headOf(head: Buffer | readonly Buffer[], max: number): Buffer {
  if (Buffer.isBuffer(head)) return head;
  if (head.length === 0) return Buffer.alloc(0);
  if (head[0]!.length >= max || head.length === 1) return head[0]!;
  const parts: Buffer[] = [];
  let size = 0;
  for (const b of head) {
    parts.push(b);
    size += b.length;
    if (size >= max) break;
  }
  return Buffer.concat(parts, Math.min(size, max));
}

/**
 * True when the bytes are a ZIP container, by its local-file-header magic: an .xlsx or .ods
 * workbook (workbookKind tells which), never a CSV report.
 */
export function isZip(content: Buffer | readonly Buffer[]): boolean {
  const b = headOf(content, 4);
  return b.length >= 4 && b.readUInt32LE(0) === 0x04034b50;
}

const OFFICE_NS = 'urn:oasis:names:tc:opendocument:xmlns:office:1.0';
const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const startsAt = (b: Buffer, i: number, s: string) => b.length >= i + s.length && b.toString('latin1', i, i + s.length) === s;
/** End of an XML name starting at i (up to white space, '>', '/', '=', '[' or the end). */
function nameEnd(b: Buffer, i: number, n: number): number {
  while (i < n) {
    const c = b[i]!;
    if (isSpace(c) || c === 0x3e || c === 0x2f || c === 0x3d || c === 0x5b) break;
    i++;
  }
  return i;
}
const localIsDocument = (name: string) => name === 'document' || name.endsWith(':document');

/**
 * True when the start of a file is a flat OpenDocument document (.fods): after an optional UTF-8
 * BOM, XML declaration, white space, comments and processing instructions, an office:document
 * root element in the ODF office namespace. Told by content, not by the file's name; a CSV
 * report never starts with "<". A DOCTYPE naming a document root (or skipped to the root) counts
 * too, so that the reader refuses it by name (DOCTYPE declarations are not accepted) rather
 * than it being read as CSV.
 *
 * Looks at most WORKBOOK_PEEK_BYTES; `head` may be the whole file, its first chunk, or the chunks
 * read so far. When it ends inside the root's start tag before the tag binds the root's prefix,
 * the root's name decides ([prefix:]document); when it ends before the root's name, the answer
 * is false (so pass at least the first few hundred bytes: LibreOffice's prolog is 40).
 */
export function isFlatOds(head: Buffer | readonly Buffer[]): boolean {
  const b = headOf(head, WORKBOOK_PEEK_BYTES).subarray(0, WORKBOOK_PEEK_BYTES); // searches stop at the peek
  const n = b.length;
  let i = n >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
  for (;;) {
    while (i < n && isSpace(b[i]!)) i++;
    if (i >= n || b[i] !== 0x3c) return false;
    if (startsAt(b, i, '<?')) {
      const e = b.indexOf('?>', i + 2, 'latin1');
      if (e < 0 || e + 2 > n) return false;
      i = e + 2;
    } else if (startsAt(b, i, '<!--')) {
      const e = b.indexOf('-->', i + 4, 'latin1');
      if (e < 0 || e + 3 > n) return false;
      i = e + 3;
    } else if (startsAt(b, i, '<!DOCTYPE')) {
      let j = i + 9;
      while (j < n && isSpace(b[j]!)) j++;
      const end = nameEnd(b, j, n);
      if (end >= n) return false;
      if (localIsDocument(b.toString('latin1', j, end))) return true;
      // Skip the declaration (quoted literals and an internal subset may hold '>') to the root.
      let subset = false;
      for (j = end; ; j++) {
        if (j >= n) return false;
        const c = b[j]!;
        if (c === 0x22 || c === 0x27) {
          const q = b.indexOf(c, j + 1);
          if (q < 0 || q >= n) return false;
          j = q;
        } else if (subset && startsAt(b, j, '<!--')) {
          const e = b.indexOf('-->', j + 4, 'latin1');
          if (e < 0 || e + 3 > n) return false;
          j = e + 2;
        } else if (c === 0x5b) subset = true;
        else if (c === 0x5d) subset = false;
        else if (c === 0x3e && !subset) break;
      }
      i = j + 1;
    } else break;
  }
  // The root start tag: its name, then its attributes up to the binding of its prefix.
  const start = i + 1;
  const end = nameEnd(b, start, n);
  if (end >= n) return false;
  const name = b.toString('latin1', start, end);
  if (!localIsDocument(name)) return false;
  const binding = name.includes(':') ? `xmlns:${name.slice(0, name.indexOf(':'))}` : 'xmlns';
  i = end;
  for (;;) {
    while (i < n && isSpace(b[i]!)) i++;
    if (i >= n) return true; // cut off before the binding: the name decides
    if (b[i] === 0x3e || b[i] === 0x2f) return false; // the tag ends and never bound the prefix
    const an = nameEnd(b, i, n);
    if (an === i) return false;
    const attr = b.toString('latin1', i, an);
    i = an;
    while (i < n && isSpace(b[i]!)) i++;
    if (i >= n) return true;
    if (b[i] !== 0x3d) return false;
    i++;
    while (i < n && isSpace(b[i]!)) i++;
    if (i >= n) return true;
    const q = b[i]!;
    if (q !== 0x22 && q !== 0x27) return false;
    const close = b.indexOf(q, i + 1);
    if (close < 0 || close >= n) return true;
    if (attr === binding) return b.toString('latin1', i + 1, close) === OFFICE_NS;
    i = close + 1;
  }
}

/**
 * True when a CDS report file is a workbook to be read whole (an .xlsx or .ods ZIP container, or
 * a flat .fods), not a CSV to be streamed; `head` is the file or its first chunk(s).
 */
export function isWorkbook(head: Buffer | readonly Buffer[]): boolean {
  return isZip(head) || isFlatOds(head);
}

/**
 * Which workbook a file holds, from its content (a file name or a client's Content-Type can say
 * anything): a flat OpenDocument file (.fods) by its root element (isFlatOds); in a ZIP
 * container, an OpenDocument spreadsheet declares itself in its "mimetype" entry (the ODF
 * package rule; content.xml without xl/ parts is taken as one too); anything else is read as
 * .xlsx, whose reader reports what it misses. Another OpenDocument type (a text document, a
 * presentation) is refused by name rather than read as the wrong thing.
 */
export function workbookKind(content: Buffer, source = 'workbook'): WorkbookKind {
  if (!isZip(content) && isFlatOds(content)) return 'fods';
  const entries = zipEntries(content, source);
  const mime = odfMimetype(content, entries, source);
  if (mime === ODS_MIMETYPE) return 'ods';
  if (mime?.startsWith('application/vnd.oasis.opendocument.')) throw new Error(`${source}: an OpenDocument file of type ${mime}, not a spreadsheet (${ODS_MIMETYPE})`);
  const names = new Set(entries.map((e) => e.name));
  if (names.has('content.xml') && !entries.some((e) => e.name.startsWith('xl/'))) return 'ods';
  return 'xlsx';
}

/** The first sheet of an .xlsx, .ods or .fods workbook (told apart by content), as rows of cell texts. */
export function readFirstSheetOfWorkbook(content: Buffer, source = 'workbook'): { kind: WorkbookKind; rows: string[][] } {
  const kind = workbookKind(content, source);
  const rows = kind === 'fods' ? readFirstFlatOdsSheet(content, { source }) : kind === 'ods' ? readFirstOdsSheet(content, { source }) : readFirstSheet(source, content);
  return { kind, rows };
}
