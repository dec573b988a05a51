import { SHEET_LIMITS, SheetLimitError, sheetLimits, type SheetCap, type SheetReadOptions } from './limits';
import { parseXml, StopParsing } from './xml';
import { readEntry, readPart, zipEntries, type ZipEntry } from './zip';

/**
 * Reader of the first sheet of an OpenDocument spreadsheet (.ods: LibreOffice, Google Sheets,
 * Excel's "Save as ODS"; or flat, .fods: the same document as one uncompressed XML file), as rows
 * of cell texts, like the .xlsx reader. Pure apart from saxes:
 * the shared ZIP walk with capped inflate (zip.ts) and XML read with any DOCTYPE refused
 * (xml.ts); elements are matched by the OpenDocument namespaces, not by the prefixes a writer
 * chose.
 *
 * What a sheet looks like in content.xml (or in a .fods's office:body), and how it is read:
 * - Only the first <table:table> of <office:spreadsheet>; parsing stops at its end.
 * - Rows and cells may carry table:number-rows-repeated / table:number-columns-repeated.
 *   LibreOffice pads every sheet to its full size that way (one row element repeated 1,048,576
 *   times, one cell repeated 16,384 times), so empty rows and cells are only counted, never
 *   materialised, until data follows them; trailing empty rows and cells are dropped. Repeated
 *   cells and rows holding data are materialised, within caps on rows, columns, cells and
 *   characters of text (limits.ts, shared with the .xlsx reader) checked before anything is
 *   allocated, so a few bytes of XML cannot claim gigabytes; a cap hit is a SheetLimitError.
 * - <table:covered-table-cell> (hidden by a merged cell) keeps its column position and its
 *   content, like any cell.
 * - A cell's text is its <text:p> paragraphs joined with "\n"; inside a paragraph <text:s
 *   text:c="n"/> is n spaces, <text:tab/> a tab, <text:line-break/> "\n", spans and links are
 *   transparent, and literal white space is collapsed as ODF 1.2 §6.1.2 requires (writers
 *   encode significant spaces as <text:s/>). Comments (office:annotation), drawings and nested
 *   tables inside a cell are not its text.
 * - Typed cells give their value, not their display text (which may be rounded, grouped or
 *   localised): float, percentage and currency cells their office:value exactly as written
 *   ("0.1" stays "0.1"; 15% is "0.15"), date cells their office:date-value ("2024-01-15" or
 *   "2024-01-15T10:15:00"), boolean cells "true" / "false", string cells office:string-value
 *   when present; time cells and untyped cells their text.
 */

const OFFICE = 'urn:oasis:names:tc:opendocument:xmlns:office:1.0';
const TABLE = 'urn:oasis:names:tc:opendocument:xmlns:table:1.0';
const TEXT = 'urn:oasis:names:tc:opendocument:xmlns:text:1.0';
const DRAW = 'urn:oasis:names:tc:opendocument:xmlns:drawing:1.0';

// The elements and attributes the reader acts on, by namespace and local name.
const ELEMENTS = {
  document: [OFFICE, 'document'],
  spreadsheet: [OFFICE, 'spreadsheet'],
  annotation: [OFFICE, 'annotation'],
  table: [TABLE, 'table'],
  row: [TABLE, 'table-row'],
  cell: [TABLE, 'table-cell'],
  covered: [TABLE, 'covered-table-cell'],
  p: [TEXT, 'p'],
  h: [TEXT, 'h'],
  s: [TEXT, 's'],
  tab: [TEXT, 'tab'],
  lineBreak: [TEXT, 'line-break'],
  noteBody: [TEXT, 'note-body'],
  rubyText: [TEXT, 'ruby-text'],
} as const;
const ATTRIBUTES = {
  rowsRepeated: [TABLE, 'number-rows-repeated'],
  columnsRepeated: [TABLE, 'number-columns-repeated'],
  valueType: [OFFICE, 'value-type'],
  value: [OFFICE, 'value'],
  dateValue: [OFFICE, 'date-value'],
  booleanValue: [OFFICE, 'boolean-value'],
  stringValue: [OFFICE, 'string-value'],
  mimetype: [OFFICE, 'mimetype'],
  c: [TEXT, 'c'],
} as const;
type Element = keyof typeof ELEMENTS;
type Attribute = keyof typeof ATTRIBUTES;

/**
 * What the names written under a set of namespace bindings mean: qualified element name → the
 * element, attribute → the qualified names it can be written as, and the prefixes of drawing
 * elements. Rebuilt only where a document declares namespaces (in practice once, at the root),
 * so each element costs one map lookup.
 */
interface Vocabulary {
  elements: Map<string, Element>;
  attributes: Record<Attribute, string[]>;
  draw: string[];
}

function vocabulary(bindings: Map<string, string>): Vocabulary {
  const prefixes = (uri: string) => [...bindings].filter(([, u]) => u === uri).map(([p]) => p);
  const elements = new Map<string, Element>();
  for (const [el, [uri, local]] of Object.entries(ELEMENTS)) for (const p of prefixes(uri)) elements.set(p ? `${p}:${local}` : local, el as Element);
  // An unprefixed attribute has no namespace (a default namespace does not apply to attributes).
  const attributes = Object.fromEntries(
    Object.entries(ATTRIBUTES).map(([at, [uri, local]]) => [
      at,
      prefixes(uri)
        .filter((p) => p)
        .map((p) => `${p}:${local}`),
    ]),
  ) as Record<Attribute, string[]>;
  return { elements, attributes, draw: prefixes(DRAW) };
}

export const ODS_MIMETYPE = 'application/vnd.oasis.opendocument.spreadsheet';

/** The caps of every workbook reader (limits.ts); the .ods reader uses those that apply to it. */
export const ODS_LIMITS = SHEET_LIMITS;
export type OdsReadOptions = SheetReadOptions;

/** The declared OpenDocument type of a ZIP (its stored "mimetype" entry), if it has one. */
export function odfMimetype(content: Buffer, entries: ZipEntry[], source: string): string | undefined {
  const e = entries.find((x) => x.name === 'mimetype');
  if (!e) return undefined;
  if (e.compressedSize > 1024) return '(unreadable: over 1 KiB)';
  try {
    return readEntry(content, e, source, 1024).trim();
  } catch {
    return '(unreadable)';
  }
}

/** A repeat count attribute: a positive integer, 1 when absent or malformed. */
function repeats(v: string | undefined): number {
  if (v === undefined || !/^\d+$/.test(v)) return 1;
  const n = Number(v);
  return n >= 1 ? n : 1;
}

interface Paragraph {
  text: string;
  /** A collapsible space seen after text: written only if more text follows (§6.1.2). */
  space: boolean;
}

interface Cell {
  repeat: number;
  /** The typed value from the cell's attributes, when its type has one. */
  value: string | undefined;
  paragraphs: string[];
  para: Paragraph | undefined;
  /** > 0 inside an element whose text is not the cell's (comment, drawing, nested table). */
  skip: number;
}

interface Row {
  repeat: number;
  cells: string[];
  /** Empty cells seen since the last cell with data: materialised only if data follows. */
  emptyCells: number;
}

function typedValue(v: Vocabulary, a: Record<string, string>): string | undefined {
  const get = (at: Attribute) => attr(v, a, at);
  switch (get('valueType')) {
    case 'float':
    case 'percentage':
    case 'currency':
      return get('value');
    case 'date':
      return get('dateValue');
    case 'boolean':
      return get('booleanValue');
    case 'string':
      return get('stringValue');
    default:
      return undefined;
  }
}

function attr(v: Vocabulary, a: Record<string, string>, at: Attribute): string | undefined {
  for (const name of v.attributes[at]) {
    const value = a[name];
    if (value !== undefined) return value;
  }
  return undefined;
}

/** Rows (arrays of cell texts, "" for empty cells) of the first sheet of an .ods workbook. */
export function readFirstOdsSheet(content: Buffer, opts: OdsReadOptions = {}): string[][] {
  const source = opts.source ?? 'workbook.ods';
  const { maxContentBytes } = sheetLimits(opts);

  const entries = zipEntries(content, source);
  const mime = odfMimetype(content, entries, source);
  if (mime !== undefined && mime !== ODS_MIMETYPE) throw new Error(`${source}: the mimetype entry says "${mime.slice(0, 100)}", not an OpenDocument spreadsheet (${ODS_MIMETYPE})`);
  const entry = entries.find((e) => e.name === 'content.xml');
  if (!entry) throw new Error(`${source}: no content.xml in the OpenDocument spreadsheet`);
  const xml = readPart(content, entry, source, maxContentBytes);
  return readSheetXml(xml, 'content.xml', source, false, opts);
}

/**
 * Rows of the first sheet of a flat OpenDocument spreadsheet (.fods: the whole document as one
 * uncompressed XML file, its root an office:document). Read exactly like an .ods's content.xml,
 * with the same refusals (any DOCTYPE) and caps (rows, columns, cells, characters of text;
 * maxContentBytes caps the file itself); the root must be office:document (by namespace) and,
 * when it declares an office:mimetype, that of a spreadsheet. UTF-8 only (what LibreOffice
 * writes): bytes that are not UTF-8 are refused, not read as replacement characters.
 */
export function readFirstFlatOdsSheet(content: Buffer, opts: OdsReadOptions = {}): string[][] {
  const source = opts.source ?? 'workbook.fods';
  const { maxContentBytes } = sheetLimits(opts);
  if (content.length > maxContentBytes)
    throw new SheetLimitError({ source, part: '', cap: 'maxContentBytes', limit: maxContentBytes, what: `the flat OpenDocument file is more than ${maxContentBytes} bytes` });
  let xml: string;
  try {
    xml = new TextDecoder('utf-8', { fatal: true }).decode(content); // a UTF-8 BOM is dropped
  } catch {
    throw new Error(`${source}: not valid UTF-8; save the spreadsheet as UTF-8 XML (LibreOffice's "Flat XML ODF Spreadsheet" is)`);
  }
  return readSheetXml(xml, '', source, true, opts);
}

/**
 * The first sheet of an OpenDocument spreadsheet's XML: content.xml of an .ods, or a whole
 * .fods (flat: its root must be office:document). `part` names the XML in errors ("" for a .fods).
 */
function readSheetXml(xml: string, part: string, source: string, flat: boolean, opts: OdsReadOptions): string[][] {
  const where = part ? `${source}:${part}` : source;
  const { maxRows, maxColumns, maxCells, maxTextChars } = sheetLimits(opts);
  const limit = (cap: SheetCap, limit: number, what: string, row?: number, hint?: string) => new SheetLimitError({ source, part, cap, limit, what, row, hint });

  const rows: string[][] = [];
  let emptyRows = 0; // empty rows since the last row with data: materialised only if data follows
  let cellCount = 0;
  let textChars = 0;
  let spreadsheet = false;
  let tables = 0; // open table:table elements (only the first sheet is read)
  let sawTable = false;
  let row: Row | undefined;
  let cell: Cell | undefined;

  const rowNumber = () => rows.length + emptyRows + 1;
  const tooMuchText = () => limit('maxTextChars', maxTextChars, `the first sheet holds more than ${maxTextChars} characters of text`, rowNumber());
  const addText = (p: Paragraph, s: string) => {
    textChars += s.length + (p.space ? 1 : 0);
    if (textChars > maxTextChars) throw tooMuchText();
    if (p.space) p.text += ' ';
    p.text += s;
    p.space = false;
  };
  // Literal text: tabs and line ends are spaces, runs of spaces are one, and spaces at the start
  // or end of a paragraph are dropped (ODF 1.2 §6.1.2).
  const literal = (p: Paragraph, t: string) => {
    let s = t.replace(/[\t\r\n ]+/g, ' ');
    if (s === '') return;
    if (s.charCodeAt(0) === 32) {
      if (p.text !== '') p.space = true;
      s = s.slice(1);
    }
    if (s === '') return;
    const trailing = s.charCodeAt(s.length - 1) === 32;
    addText(p, trailing ? s.slice(0, -1) : s);
    p.space = trailing;
  };
  const placeCell = (r: Row, value: string, repeat: number) => {
    if (value === '') {
      r.emptyCells += repeat;
      return;
    }
    const at = r.cells.length + r.emptyCells;
    if (at + repeat > maxColumns) throw limit('maxColumns', maxColumns, `data beyond column ${maxColumns}`, rowNumber());
    // The text was counted once as read; each further copy a repeat makes counts too.
    textChars += value.length * (repeat - 1);
    if (textChars > maxTextChars) throw tooMuchText();
    for (; r.emptyCells > 0; r.emptyCells--) r.cells.push('');
    for (let i = 0; i < repeat; i++) r.cells.push(value);
  };
  const placeRow = (r: Row) => {
    if (r.cells.length === 0) {
      emptyRows += r.repeat;
      return;
    }
    if (rows.length + emptyRows + r.repeat > maxRows) throw limit('maxRows', maxRows, `data beyond row ${maxRows} of the first sheet`, Math.max(rowNumber(), maxRows + 1));
    if (cellCount + r.cells.length * r.repeat > maxCells) throw limit('maxCells', maxCells, `the first sheet has more than ${maxCells} cells`, rowNumber(), 'split the report');
    // Each further copy of a repeated row repeats its text too.
    if (r.repeat > 1) {
      textChars += r.cells.reduce((n, c) => n + c.length, 0) * (r.repeat - 1);
      if (textChars > maxTextChars) throw tooMuchText();
    }
    for (; emptyRows > 0; emptyRows--) rows.push([]);
    rows.push(r.cells);
    for (let i = 1; i < r.repeat; i++) rows.push(r.cells.slice());
    cellCount += r.cells.length * r.repeat;
  };

  // Namespace bindings in scope (the parser gives names as written): a new vocabulary where an
  // element declares xmlns / xmlns:*, restored after it.
  let bindings = new Map([['xml', 'http://www.w3.org/XML/1998/namespace']]);
  let v = vocabulary(bindings);
  const scopes: { depth: number; bindings: Map<string, string>; v: Vocabulary }[] = [];
  let depth = 0;
  const isDrawing = (n: string) => v.draw.some((p) => (p ? n.length > p.length && n.charCodeAt(p.length) === 58 && n.startsWith(p) : !n.includes(':')));

  parseXml(where, xml, {
    open: (n, a) => {
      depth++;
      let declared: Map<string, string> | undefined;
      for (const k in a) {
        if (k.charCodeAt(0) === 120 && (k === 'xmlns' || k.startsWith('xmlns:'))) (declared ??= new Map(bindings)).set(k === 'xmlns' ? '' : k.slice(6), a[k]!);
      }
      if (declared) {
        scopes.push({ depth, bindings, v });
        bindings = declared;
        v = vocabulary(bindings);
      }
      const el = v.elements.get(n);
      if (flat && depth === 1) {
        if (el !== 'document') throw new Error(`${where}: the root element is <${n.slice(0, 100)}>, not office:document (not a flat OpenDocument file)`);
        const mime = attr(v, a, 'mimetype');
        if (mime !== undefined && mime !== ODS_MIMETYPE) throw new Error(`${where}: office:mimetype says "${mime.slice(0, 100)}", not an OpenDocument spreadsheet (${ODS_MIMETYPE})`);
      }
      if (cell) {
        if (cell.skip > 0) {
          cell.skip++;
          return;
        }
        if (el === 'annotation' || el === 'table' || el === 'noteBody' || el === 'rubyText' || isDrawing(n)) {
          cell.skip = 1;
          return;
        }
        const p = cell.para;
        if (!p) {
          if (el === 'p' || el === 'h') cell.para = { text: '', space: false };
          return;
        }
        if (el === 's') {
          const c = repeats(attr(v, a, 'c'));
          if (textChars + c > maxTextChars) throw tooMuchText();
          addText(p, ' '.repeat(c));
        } else if (el === 'tab') addText(p, '\t');
        else if (el === 'lineBreak') addText(p, '\n');
        return;
      }
      if (el === 'spreadsheet') spreadsheet = true;
      else if (el === 'table' && spreadsheet) {
        tables++;
        sawTable = true;
      } else if (tables === 1 && el === 'row') row = { repeat: repeats(attr(v, a, 'rowsRepeated')), cells: [], emptyCells: 0 };
      else if (row && (el === 'cell' || el === 'covered')) cell = { repeat: repeats(attr(v, a, 'columnsRepeated')), value: typedValue(v, a), paragraphs: [], para: undefined, skip: 0 };
    },
    text: (t) => {
      if (cell?.para && cell.skip === 0) literal(cell.para, t);
    },
    close: (n) => {
      const el = v.elements.get(n);
      if (scopes.length > 0 && scopes[scopes.length - 1]!.depth === depth) ({ bindings, v } = scopes.pop()!);
      depth--;
      if (cell) {
        if (cell.skip > 0) {
          cell.skip--;
          return;
        }
        if (cell.para && (el === 'p' || el === 'h')) {
          cell.paragraphs.push(cell.para.text);
          cell.para = undefined;
        } else if (el === 'cell' || el === 'covered') {
          placeCell(row!, cell.value ?? cell.paragraphs.join('\n'), cell.repeat);
          cell = undefined;
        }
        return;
      }
      if (row && el === 'row') {
        placeRow(row);
        row = undefined;
      } else if (el === 'table' && tables > 0) {
        tables--;
        if (tables === 0) throw new StopParsing(); // the first sheet is complete
      }
    },
  });
  if (!spreadsheet) throw new Error(`${where}: no office:spreadsheet body (not an OpenDocument spreadsheet)`);
  if (!sawTable) throw new Error(`${source}: no sheet in the workbook`);
  return rows;
}
