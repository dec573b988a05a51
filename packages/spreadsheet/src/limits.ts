/**
 * The caps every workbook reader (.xlsx, .ods, .fods) enforces, with one set of defaults, so a
 * few hundred bytes of hostile workbook cannot claim gigabytes or minutes: each is checked
 * before the reader allocates what it guards (a cell reference beyond the last column is refused
 * before any row grows; a repeat count before anything is repeated; an entry's declared size
 * before it is inflated, and the inflate itself is capped for entries that lie).
 */

/** Default caps (the largest sheet LibreOffice and Excel make is 1,048,576 × 16,384). */
export const SHEET_LIMITS = {
  maxRows: 1_048_576,
  maxColumns: 16_384,
  /** Materialised cells (repeats included; empty cells before data in a row count too). */
  maxCells: 10_000_000,
  /** Inflated size of one XML part (content.xml; an .xlsx's sheet, shared strings, styles), held as one string while read; for a .fods, the file. */
  maxContentBytes: 256 * 1024 * 1024,
  /** Characters of cell text in all, as read: a repeated cell, or a shared string each cell that uses it, counts every time. */
  maxTextChars: 256 * 1024 * 1024,
  /** .xlsx: entries of xl/sharedStrings.xml. */
  maxSharedStrings: 10_000_000,
  /** .xlsx: characters of all entries of xl/sharedStrings.xml together. */
  maxSharedStringChars: 256 * 1024 * 1024,
  /** .xlsx: cell formats and number formats in xl/styles.xml (Excel itself allows about 64,000). */
  maxStyles: 65_536,
} as const;

export type SheetLimits = { -readonly [K in keyof typeof SHEET_LIMITS]: number };

/**
 * The caps that keep what a reader holds within a V8 heap of `maxMemoryMb` (a worker's
 * resourceLimits), each the default or less: the XML part being read (up to two bytes a
 * character) a quarter of the heap, the shared strings an eighth, the cells' text an eighth and
 * the cells (a pointer and a small string each, 32 bytes) a quarter, leaving a quarter for the
 * parser and the output. A workbook within these caps cannot run its worker out of heap, which
 * matters because a heap limit is not a wall: a large allocation made in native code near it
 * (a 250 MB string being encoded, say) is a fatal error of the whole process, not only of the
 * worker. So the caps, not the heap limit, are what stop a hostile workbook; the heap limit and
 * the deadline are the backstop. (1024 MB: 128 MB parts, 8,388,608 cells, 64 M characters of
 * text, 1,048,576 shared strings of 32 M characters.)
 */
export function limitsForMemory(maxMemoryMb: number): SheetLimits {
  const heap = maxMemoryMb * 1024 * 1024;
  const out = sheetLimits();
  const clamp = (cap: SheetCap, v: number) => (out[cap] = Math.max(1, Math.min(out[cap], Math.floor(v))));
  clamp('maxContentBytes', heap / 8);
  clamp('maxSharedStringChars', heap / 32);
  clamp('maxSharedStrings', heap / 16 / 64);
  clamp('maxTextChars', heap / 16);
  clamp('maxCells', heap / 4 / 32);
  return out;
}
export type SheetCap = keyof SheetLimits;

export interface SheetReadOptions extends Partial<SheetLimits> {
  /** Names the file in error messages. */
  source?: string;
}

/** The caps in force: the defaults, overridden by what the options set. */
export function sheetLimits(opts: Partial<SheetLimits> = {}): SheetLimits {
  const out = { ...SHEET_LIMITS } as SheetLimits;
  for (const k of Object.keys(SHEET_LIMITS) as SheetCap[]) if (opts[k] !== undefined) out[k] = opts[k]!;
  return out;
}

/** Where in a workbook a cap was hit, and which cap (what a worker thread sends back as is). */
export interface SheetLimitDetails {
  /** The file, as the caller named it ("report.xlsx"). */
  source: string;
  /** The part of the file: "xl/worksheets/sheet1.xml", "content.xml"; "" for a flat .fods. */
  part: string;
  cap: SheetCap;
  limit: number;
  /** 1-based row of the sheet, when the cap was hit at one. */
  row?: number;
  /** The cell ("XFD7"), when the cap was hit at one. */
  cell?: string;
  /** What was too much, in words ("data beyond column 16384"). */
  what: string;
  /** What the sender can do about it. */
  hint?: string;
}

/**
 * A workbook refused because it exceeds a cap. The message names the file and part, the row and
 * cell when there is one, and the cap ("report.xlsx:xl/worksheets/sheet1.xml: row 1, cell
 * ZZZZ1: data beyond column 16384 (maxColumns)"); the fields say the same for callers that turn
 * it into an issue naming file, row and field.
 */
export class SheetLimitError extends Error {
  readonly details: SheetLimitDetails;

  constructor(details: SheetLimitDetails) {
    const where = details.part ? `${details.source}:${details.part}` : details.source;
    const at = details.row !== undefined ? `row ${details.row}${details.cell ? `, cell ${details.cell}` : ''}: ` : details.cell ? `${details.cell}: ` : '';
    super(`${where}: ${at}${details.what} (${details.cap})${details.hint ? `; ${details.hint}` : ''}`);
    this.name = 'SheetLimitError';
    this.details = details;
  }
}
