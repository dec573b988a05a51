import { ODS_MIMETYPE, odfMimetype, readFirstOdsSheet } from './ods';
import { readFirstSheet } from './xlsx';
import { zipEntries } from './zip';

export type WorkbookKind = 'xlsx' | 'ods';

/**
 * Which workbook a ZIP container holds, from its content (a file name or a client's
 * Content-Type can say anything): an OpenDocument spreadsheet declares itself in its "mimetype"
 * entry (the ODF package rule; content.xml without xl/ parts is taken as one too); anything
 * else is read as .xlsx, whose reader reports what it misses. Another OpenDocument type (a text
 * document, a presentation) is refused by name rather than read as the wrong thing.
 */
export function workbookKind(content: Buffer, source = 'workbook'): WorkbookKind {
  const entries = zipEntries(content, source);
  const mime = odfMimetype(content, entries, source);
  if (mime === ODS_MIMETYPE) return 'ods';
  if (mime?.startsWith('application/vnd.oasis.opendocument.')) throw new Error(`${source}: an OpenDocument file of type ${mime}, not a spreadsheet (${ODS_MIMETYPE})`);
  const names = new Set(entries.map((e) => e.name));
  if (names.has('content.xml') && !entries.some((e) => e.name.startsWith('xl/'))) return 'ods';
  return 'xlsx';
}

/** The first sheet of an .xlsx or .ods workbook (told apart by content), as rows of cell texts. */
export function readFirstSheetOfWorkbook(content: Buffer, source = 'workbook'): { kind: WorkbookKind; rows: string[][] } {
  const kind = workbookKind(content, source);
  return { kind, rows: kind === 'ods' ? readFirstOdsSheet(content, { source }) : readFirstSheet(source, content) };
}
