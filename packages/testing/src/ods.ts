// Test support: writes OpenDocument spreadsheets (.ods) the way LibreOffice Calc saves them
// (mimetype stored first, META-INF/manifest.xml, content.xml with namespaced table markup),
// and flat ones (.fods: the same markup in one XML file under office:document), so the readers
// are tested on the real formats without a spreadsheet library. It is a test builder only: no
// styles, settings or meta parts in an .ods (a .fods gets a token set of them), one table per
// sheet.
import { zipOf } from './zip';

/** A cell of odsOf: its text, or a spec for typed, covered, repeated or hand-written cells. */
export type OdsTestCell = string | OdsTestCellSpec;

export interface OdsTestCellSpec {
  /** Display text (the cell's <text:p> paragraphs; "\n" separates paragraphs). */
  text?: string;
  /** office:value-type; a typed cell writes `value` into the attribute its type uses. */
  type?: 'string' | 'float' | 'percentage' | 'currency' | 'date' | 'time' | 'boolean';
  /** office:value / office:date-value / office:time-value / office:boolean-value, as written. */
  value?: string;
  /** A <table:covered-table-cell> (hidden by a merged cell) rather than a table-cell. */
  covered?: boolean;
  /** table:number-columns-spanned (a merged cell; write covered cells after it). */
  span?: number;
  /** table:number-columns-repeated, written as given. */
  repeat?: number;
  /** The cell's inner XML exactly as given instead of paragraphs built from `text`. */
  xml?: string;
}

export interface OdsTestOptions {
  /** Inserted after the XML declaration of content.xml (e.g. a DOCTYPE for the refusal test). */
  prolog?: string;
  /** Store content.xml and the manifest instead of deflating them (mimetype is always stored). */
  store?: boolean;
  /**
   * Write runs of identical cells and rows as one element with table:number-columns-repeated /
   * table:number-rows-repeated, as LibreOffice does.
   */
  repeats?: boolean;
  /**
   * Pad the sheet the way LibreOffice does: each row with one repeated empty cell up to
   * `columns`, then one empty row repeated up to `rows` (e.g. 1048576 × 1024).
   */
  padTo?: { rows: number; columns: number };
  /**
   * 'calc': type plain numbers as float cells (office:value in the shortest form, the text as
   * given, e.g. "12.50" → office:value="12.5") and dd/mm/yyyy [hh:mm:ss] as date cells
   * (office:date-value ISO), as Calc does when it opens a CSV. Default: every cell a string.
   */
  typed?: 'strings' | 'calc';
  /** Write "\n" in a cell as <text:line-break/> in one paragraph instead of separate paragraphs. */
  lineBreaks?: 'paragraphs' | 'line-break';
  /** table:number-rows-repeated for rows of the first sheet, by row index, written as given. */
  rowRepeats?: Record<number, number>;
  /** Further sheets after the first. */
  moreSheets?: OdsTestCell[][][];
  /** The mimetype entry's text; null leaves the entry out. */
  mimetype?: string | null;
  /** Prefixes for the office, table and text namespaces (the reader must go by namespace). */
  prefixes?: { office: string; table: string; text: string };
  /**
   * fodsOf only: the root's office:mimetype attribute (null leaves it out), and whether to write
   * the parts LibreOffice writes before the body of a flat file (meta, settings, font faces,
   * styles; default true).
   */
  flatMimetype?: string | null;
  flatParts?: boolean;
}

const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * Writes an .ods workbook of the rows (first sheet), LibreOffice-style. Cell texts are encoded
 * as Calc encodes them: significant spaces (leading, trailing, runs) as <text:s text:c="n"/>,
 * tabs as <text:tab/>, line breaks as separate paragraphs.
 */
export function odsOf(rows: OdsTestCell[][], opts: OdsTestOptions = {}): Buffer {
  const content = `<?xml version="1.0" encoding="UTF-8"?>${opts.prolog ?? ''}${documentXml(rows, opts, 'document-content', '')}`;
  const mimetype = opts.mimetype === undefined ? 'application/vnd.oasis.opendocument.spreadsheet' : opts.mimetype;
  const manifest =
    '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">' +
    `<manifest:file-entry manifest:full-path="/" manifest:version="1.3" manifest:media-type="${esc(mimetype ?? 'application/vnd.oasis.opendocument.spreadsheet')}"/>` +
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>';
  return zipOf([
    ...(mimetype === null ? [] : [{ name: 'mimetype', data: mimetype, store: true }]),
    { name: 'content.xml', data: content, store: opts.store },
    { name: 'META-INF/manifest.xml', data: manifest, store: opts.store },
  ]);
}

/**
 * Writes a flat OpenDocument spreadsheet (.fods: one uncompressed XML file, as LibreOffice saves
 * "Flat XML ODF Spreadsheet") of the rows: an office:document root declaring its mimetype, the
 * meta, settings and style parts LibreOffice writes before the body, then the same
 * office:body as odsOf's content.xml. `prolog` goes after the XML declaration (a DOCTYPE, a
 * comment); the ZIP options (store, mimetype) do not apply.
 */
export function fodsOf(rows: OdsTestCell[][], opts: OdsTestOptions = {}): Buffer {
  const o = opts.prefixes?.office ?? 'office';
  const mimetype = opts.flatMimetype === undefined ? 'application/vnd.oasis.opendocument.spreadsheet' : opts.flatMimetype;
  const parts =
    opts.flatParts === false
      ? ''
      : `<${o}:meta><meta:generator>LibreOffice/7.6.4.1$Linux_X86_64 LibreOffice_project/e19e193f88cd6c0525a17fb7a176ed8e6a3e2aa1</meta:generator><dc:date>2024-02-05T10:15:00</dc:date></${o}:meta>` +
        `<${o}:settings><config:config-item-set config:name="ooo:view-settings"><config:config-item-map-indexed config:name="Views"><config:config-item-map-entry><config:config-item config:name="ViewId" config:type="string">view1</config:config-item>` +
        `<config:config-item-map-named config:name="Tables"><config:config-item-map-entry config:name="Sheet1"><config:config-item config:name="CursorPositionX" config:type="int">0</config:config-item></config:config-item-map-entry></config:config-item-map-named></config:config-item-map-entry></config:config-item-map-indexed></config:config-item-set></${o}:settings>` +
        `<${o}:font-face-decls><style:font-face style:name="Liberation Sans" svg:font-family="&apos;Liberation Sans&apos;" style:font-family-generic="swiss"/></${o}:font-face-decls>` +
        `<${o}:styles><style:default-style style:family="table-cell"><style:paragraph-properties style:tab-stop-distance="1.25cm"/></style:default-style>` +
        `<number:date-style style:name="N37"><number:day number:style="long"/><number:text>/</number:text><number:month number:style="long"/><number:text>/</number:text><number:year number:style="long"/></number:date-style></${o}:styles>` +
        `<${o}:automatic-styles><style:style style:name="co1" style:family="table-column"><style:table-column-properties style:column-width="2.258cm"/></style:style></${o}:automatic-styles>`;
  const extraNs =
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" xmlns:config="urn:oasis:names:tc:opendocument:xmlns:config:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" ' +
    'xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" ';
  const rootAttrs = `${extraNs}${mimetype === null ? '' : `${o}:mimetype="${esc(mimetype)}" `}`;
  return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n${opts.prolog ?? ''}${documentXml(rows, opts, 'document', rootAttrs, parts)}\n`, 'utf8');
}

/** The root element (office:document-content for an .ods's content.xml, office:document for a .fods) with the sheets. */
function documentXml(rows: OdsTestCell[][], opts: OdsTestOptions, root: 'document-content' | 'document', rootAttrs: string, parts = ''): string {
  const { office: o, table: t, text: x } = opts.prefixes ?? { office: 'office', table: 'table', text: 'text' };

  const spaces = (n: number) => (n === 1 ? `<${x}:s/>` : `<${x}:s ${x}:c="${n}"/>`);
  const runText = (s: string) =>
    s
      .split('\t')
      .map((part) =>
        esc(part).replace(/ +/g, (run, at: number, whole: string) => {
          const edge = at === 0 || at + run.length === whole.length;
          if (edge) return spaces(run.length);
          return run.length === 1 ? ' ' : ` ${spaces(run.length - 1)}`;
        }),
      )
      .join(`<${x}:tab/>`);
  const paragraphs = (text: string) => {
    if (/[\r\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(text)) throw new Error(`odsOf: ${JSON.stringify(text)} holds a character an .ods cell cannot (CR or a control character)`);
    if (opts.lineBreaks === 'line-break') return `<${x}:p>${text.split('\n').map(runText).join(`<${x}:line-break/>`)}</${x}:p>`;
    return text
      .split('\n')
      .map((p) => (p === '' ? `<${x}:p/>` : `<${x}:p>${runText(p)}</${x}:p>`))
      .join('');
  };
  const calcTyped = (text: string): OdsTestCellSpec => {
    if (/^-?(0|[1-9]\d{0,14})(\.\d+)?$/.test(text)) return { type: 'float', value: String(Number(text)), text };
    const d = /^(\d{2})\/(\d{2})\/(\d{4})(?: (\d{2}:\d{2}:\d{2}))?$/.exec(text);
    if (d) return { type: 'date', value: `${d[3]}-${d[2]}-${d[1]}${d[4] ? `T${d[4]}` : ''}`, text };
    return { text };
  };
  const VALUE_ATTR: Record<string, string> = { float: 'value', percentage: 'value', currency: 'value', date: 'date-value', time: 'time-value', boolean: 'boolean-value' };

  /** One cell element without its repeat attribute, and its repeat count. */
  const cellXml = (c: OdsTestCell): { xml: (repeat: number) => string; key: string; repeat: number } => {
    let spec: OdsTestCellSpec = typeof c === 'string' ? (opts.typed === 'calc' ? calcTyped(c) : { text: c }) : c;
    if (spec.type === undefined && spec.text && spec.xml === undefined && !spec.covered) spec = { ...spec, type: 'string' };
    const name = spec.covered ? `${t}:covered-table-cell` : `${t}:table-cell`;
    let attrs = '';
    if (spec.span) attrs += ` ${t}:number-columns-spanned="${spec.span}" ${t}:number-rows-spanned="1"`;
    if (spec.type) {
      attrs += ` ${o}:value-type="${spec.type}"`;
      const va = VALUE_ATTR[spec.type];
      if (va && spec.value !== undefined) attrs += ` ${o}:${va}="${esc(spec.value)}"`;
      attrs += ` calcext:value-type="${spec.type}"`;
    }
    const inner = spec.xml ?? (spec.text ? paragraphs(spec.text) : '');
    const xml = (repeat: number) => {
      const r = repeat > 1 ? ` ${t}:number-columns-repeated="${repeat}"` : '';
      return inner ? `<${name}${r}${attrs}>${inner}</${name}>` : `<${name}${r}${attrs}/>`;
    };
    return { xml, key: `${name}${attrs}>${inner}`, repeat: spec.repeat ?? 1 };
  };

  const sheetXml = (table: OdsTestCell[][], index: number) => {
    const width = table.reduce((w, r) => Math.max(w, r.length), 1);
    const rowXml: string[] = table.map((r) => {
      const cells = r.map(cellXml);
      const out: string[] = [];
      let columns = 0;
      for (let i = 0; i < cells.length; i++) {
        let repeat = cells[i]!.repeat;
        if (opts.repeats) while (i + 1 < cells.length && cells[i + 1]!.key === cells[i]!.key && cells[i + 1]!.repeat === 1) repeat++, i++;
        out.push(cells[i]!.xml(repeat));
        columns += repeat;
      }
      if (opts.padTo && opts.padTo.columns > columns) out.push(`<${t}:table-cell ${t}:number-columns-repeated="${opts.padTo.columns - columns}"/>`);
      if (out.length === 0) out.push(`<${t}:table-cell/>`);
      return out.join('');
    });
    const body: string[] = [];
    let used = 0;
    for (let i = 0; i < rowXml.length; i++) {
      let repeat = (index === 0 ? opts.rowRepeats?.[i] : undefined) ?? 1;
      if (opts.repeats && repeat === 1) while (i + 1 < rowXml.length && rowXml[i + 1] === rowXml[i] && !(index === 0 && opts.rowRepeats?.[i + 1])) repeat++, i++;
      body.push(`<${t}:table-row${repeat > 1 ? ` ${t}:number-rows-repeated="${repeat}"` : ''}>${rowXml[i]}</${t}:table-row>`);
      used += repeat;
    }
    if (opts.padTo && opts.padTo.rows > used)
      body.push(`<${t}:table-row ${t}:number-rows-repeated="${opts.padTo.rows - used}"><${t}:table-cell ${t}:number-columns-repeated="${opts.padTo.columns}"/></${t}:table-row>`);
    return `<${t}:table ${t}:name="Sheet${index + 1}"><${t}:table-column ${t}:number-columns-repeated="${opts.padTo?.columns ?? width}"/>${body.join('')}</${t}:table>`;
  };

  return (
    `<${o}:${root} xmlns:${o}="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:${t}="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:${x}="urn:oasis:names:tc:opendocument:xmlns:text:1.0" ` +
    `xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/" ` +
    `xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" ${rootAttrs}${o}:version="1.3">${parts}` +
    `<${o}:body><${o}:spreadsheet>${[rows, ...(opts.moreSheets ?? [])].map(sheetXml).join('')}</${o}:spreadsheet></${o}:body></${o}:${root}>`
  );
}
