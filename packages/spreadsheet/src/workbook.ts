import type { SheetLimits } from './limits';
import { ODS_MIMETYPE, odfMimetype, readFirstFlatOdsSheet, readFirstOdsSheet } from './ods';
import { readFirstSheet } from './xlsx';
import { zipEntries } from './zip';
import { SaxesParser } from 'saxes';

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
const localIsDocument = (name: string) => name === 'document' || name.endsWith(':document');
/** Ends the peek once the root element (or a DOCTYPE naming it) has answered. */
class Answered extends Error {}

/**
 * True when the start of a file is a flat OpenDocument document (.fods): after an optional UTF-8
 * BOM, XML declaration, white space, comments and processing instructions, an office:document
 * root element in the ODF office namespace. Told by content, not by the file's name; a CSV
 * report never starts with "<". A DOCTYPE naming a document root counts too, so that the reader
 * refuses it by name (DOCTYPE declarations are not accepted) rather than it being read as CSV.
 *
 * Looks at most WORKBOOK_PEEK_BYTES with saxes (nothing is declared or expanded: the peek stops
 * at the root's start tag); `head` may be the whole file, its first chunk, or the chunks read so
 * far. When it ends inside the root's start tag, the root's name decides ([prefix:]document);
 * when it ends before the root's name, the answer is false (so pass at least the first few
 * hundred bytes: LibreOffice's prolog is 40).
 */
export function isFlatOds(head: Buffer | readonly Buffer[]): boolean {
  const b = headOf(head, WORKBOOK_PEEK_BYTES).subarray(0, WORKBOOK_PEEK_BYTES);
  if (b.length === 0) return false;
  const parser = new SaxesParser({ xmlns: true });
  let answer: boolean | undefined;
  let rootName: string | undefined;
  const answered = (a: boolean) => {
    answer = a;
    throw new Answered();
  };
  parser.on('doctype', (text) => {
    const name = /^\s*([^\s[>]+)/.exec(text)?.[1] ?? '';
    if (localIsDocument(name)) answered(true);
  });
  parser.on('opentagstart', (t) => {
    rootName = t.name;
    if (!localIsDocument(t.name)) answered(false);
  });
  parser.on('opentag', (t) => answered(t.local === 'document' && t.uri === OFFICE_NS));
  parser.on('text', (t) => {
    if (t.trim() !== '') answered(false); // text before the root: not XML at all (a CSV)
  });
  parser.on('error', () => answered(false));
  try {
    parser.write(new TextDecoder('utf-8', { fatal: false }).decode(b));
  } catch (e) {
    if (!(e instanceof Answered)) return false;
  }
  // Cut off inside the root's start tag: its name decides.
  return answer ?? (rootName !== undefined && localIsDocument(rootName));
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

/**
 * The first sheet of an .xlsx, .ods or .fods workbook (told apart by content), as rows of cell
 * texts, within the caps of limits.ts (the defaults, or those given). On the calling thread: a
 * service reads untrusted workbooks with readWorkbookInWorker (worker-pool.ts) instead, which
 * also bounds time and memory.
 */
export function readFirstSheetOfWorkbook(content: Buffer, source = 'workbook', limits: Partial<SheetLimits> = {}): { kind: WorkbookKind; rows: string[][] } {
  const kind = workbookKind(content, source);
  const rows = kind === 'fods' ? readFirstFlatOdsSheet(content, { ...limits, source }) : kind === 'ods' ? readFirstOdsSheet(content, { ...limits, source }) : readFirstSheet(source, content, limits);
  return { kind, rows };
}
