import { createHash } from 'node:crypto';
import { parse as parseCsv } from 'csv-parse/sync';
import { ErpReceiptLine, describeControlCharacter, findControlCharacter } from '@customs/contracts';
import { dateProblem, type DateWindow } from '../dates';
import { currencyProblem } from '../values';

/**
 * ERP purchase / goods-receipt lines (the importer's own books) as JSON (an array of objects) or
 * CSV (a header row; columns matched by a tolerant alias table). Each line is validated on its
 * own: a bad line is reported by row (CSV) or index (JSON) and field, and the good lines still
 * go in. Pure: bytes in, lines and issues out.
 *
 * Idempotency key: tenant + supplier + invoice number + line number, normalised (case and
 * spacing), so re-sending an export does not duplicate lines and a corrected line replaces its
 * earlier values.
 */

export interface ErpIssue {
  severity: 'error' | 'warning';
  sourceName: string;
  row: number;
  location: string;
  field: string;
  code:
    | 'INVALID_VALUE'
    | 'MISSING_VALUE'
    | 'FIELD_TOO_LONG'
    | 'CONTROL_CHARACTER'
    | 'INVALID_ENCODING'
    | 'NOT_AN_ARRAY'
    | 'JSON_MALFORMED'
    | 'CSV_MALFORMED'
    | 'MISSING_COLUMN'
    | 'UNKNOWN_COLUMN'
    | 'TOO_MANY_LINES'
    | 'DUPLICATE_LINE';
  reason: string;
}

export interface ErpParseResult {
  lines: ErpReceiptLine[];
  issues: ErpIssue[];
}

const MAX_FIELD = 1000;
const MAX_LINES = 200_000;

const ALIASES: Record<string, string[]> = {
  supplier: ['supplier', 'suppliername', 'vendor', 'vendorname', 'supplierid', 'vendorid'],
  sku: ['sku', 'itemcode', 'partnumber', 'material', 'materialnumber', 'productcode', 'article'],
  description: ['description', 'itemdescription', 'productdescription'],
  invoiceNumber: ['invoicenumber', 'invoiceno', 'invoice', 'supplierinvoice', 'supplierinvoicenumber', 'invoiceref', 'invoicereference'],
  invoiceDate: ['invoicedate'],
  lineNumber: ['linenumber', 'line', 'lineno', 'invoiceline', 'invoicelinenumber'],
  quantity: ['quantity', 'qty', 'receivedquantity', 'quantityreceived'],
  unit: ['unit', 'uom', 'unitofmeasure'],
  lineValue: ['linevalue', 'value', 'amount', 'netamount', 'linetotal', 'netvalue'],
  currency: ['currency', 'currencycode', 'invoicecurrency'],
  mrn: ['mrn', 'movementreferencenumber', 'customsmrn', 'entrynumber'],
  ducr: ['ducr', 'ucr'],
  purchaseOrder: ['purchaseorder', 'ponumber', 'po', 'purchaseordernumber'],
  receiptDate: ['receiptdate', 'goodsreceiptdate', 'grdate', 'receiveddate'],
  originCountry: ['origincountry', 'countryoforigin', 'origin'],
};
const normalise = (h: string) => h.toLowerCase().replace(/[^a-z0-9]/g, '');
const LOOKUP = new Map<string, string>();
for (const [field, names] of Object.entries(ALIASES)) for (const n of names) LOOKUP.set(n, field);

const DECIMAL = /^-?\d{1,15}(\.\d{1,6})?$/;
const MRN = /^\d{2}[A-Z]{2}[A-Z0-9]{13}\d$/;

/** "2024-03-05" | "05/03/2024" → "2024-03-05", the spelling only (not yet calendar-checked). */
function erpDateText(v: string): string | undefined {
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return v;
  const r = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(v);
  return r ? `${r[3]}-${r[2]}-${r[1]}` : undefined;
}

/** Why an ERP date is not a real, plausible date (range in ../dates); undefined when it is one. */
export function erpDateProblem(v: string, window?: DateWindow): string | undefined {
  const iso = erpDateText(v);
  return iso ? dateProblem(iso, v, window) : `"${v}" is not a date (yyyy-mm-dd or dd/mm/yyyy)`;
}

/** "2024-03-05" | "05/03/2024" → "2024-03-05" when a real, plausible date; undefined otherwise. */
export function erpDate(v: string, window?: DateWindow): string | undefined {
  return erpDateProblem(v, window) ? undefined : erpDateText(v);
}

/** Normalised invoice reference for matching: letters and digits only, upper case ("inv 5521" = "INV-5521"). */
export function invoiceKey(v: string): string {
  return v.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

/** The stable id of a line: tenant + normalised supplier + invoice number + line. */
export function receiptIdFor(tenantId: string, supplier: string, invoiceNumber: string, line: number): string {
  const h = createHash('sha256')
    .update(`${tenantId}|${supplier.toLowerCase().replace(/\s+/g, ' ').trim()}|${invoiceKey(invoiceNumber)}|${line}`)
    .digest('hex');
  return `erp-${h.slice(0, 32)}`;
}

type Raw = Record<string, string>;

/** Validates one line's raw values (already mapped to canonical field names). */
function toLine(raw: Raw, row: number, location: (f: string) => string, sourceName: string, issues: ErpIssue[], autoLine: () => number): ErpReceiptLine | undefined {
  const before = issues.length;
  const err = (field: string, code: ErpIssue['code'], reason: string) => issues.push({ severity: 'error', sourceName, row, location: location(field), field, code, reason });
  for (const [f, v] of Object.entries(raw)) if (v.length > MAX_FIELD) err(f, 'FIELD_TOO_LONG', `value longer than ${MAX_FIELD} characters`);
  // A NUL (Postgres text cannot hold it; JSON's "\u0000" decodes to one), another control
  // character or an unpaired surrogate escape ("\ud800") is corruption, never a value.
  for (const [f, v] of Object.entries(raw)) {
    const c = findControlCharacter(v, { text: true });
    if (c) err(f, 'CONTROL_CHARACTER', `value contains ${describeControlCharacter(c)}; control characters other than tab and line breaks are not allowed, so the line was rejected`);
  }
  if (issues.length > before) return undefined;
  const need = (f: string, label: string) => {
    if (!raw[f]) err(f, 'MISSING_VALUE', `${label} is required`);
    return raw[f] ?? '';
  };
  const supplier = need('supplier', 'the supplier');
  const sku = need('sku', 'the SKU');
  const invoiceNumber = need('invoiceNumber', 'the supplier invoice number');
  const invoiceDateRaw = need('invoiceDate', 'the invoice date');
  const quantity = need('quantity', 'the quantity');
  const lineValue = need('lineValue', 'the line value');
  const currency = need('currency', 'the currency').toUpperCase();
  const dateOf = (field: string, v: string): string => {
    const problem = erpDateProblem(v);
    if (problem) err(field, 'INVALID_VALUE', problem);
    return problem ? '' : erpDateText(v)!;
  };
  const invoiceDate = invoiceDateRaw ? dateOf('invoiceDate', invoiceDateRaw) : '';
  if (quantity && !DECIMAL.test(quantity)) err('quantity', 'INVALID_VALUE', `"${quantity}" is not an exact decimal quantity`);
  if (lineValue && !DECIMAL.test(lineValue.replace(/,/g, ''))) err('lineValue', 'INVALID_VALUE', `"${lineValue}" is not an exact decimal amount (at most 6 decimals)`);
  // The ISO 4217 list every format shares (../values): "ZZZ" has the shape of a code but is none.
  const currencyWrong = currency ? currencyProblem(currency, 'currency') : undefined;
  if (currencyWrong) err('currency', 'INVALID_VALUE', currencyWrong);
  const mrn = (raw.mrn ?? '').toUpperCase();
  if (mrn && !MRN.test(mrn)) err('mrn', 'INVALID_VALUE', `"${raw.mrn}" is not an 18-character MRN`);
  const origin = (raw.originCountry ?? '').toUpperCase();
  if (origin && !/^[A-Z]{2}$/.test(origin)) err('originCountry', 'INVALID_VALUE', `"${raw.originCountry}" is not an ISO alpha-2 country code`);
  const receiptDate = raw.receiptDate ? dateOf('receiptDate', raw.receiptDate) : '';
  let lineNumber = 0;
  if (raw.lineNumber) {
    if (/^\d{1,6}$/.test(raw.lineNumber) && Number(raw.lineNumber) > 0) lineNumber = Number(raw.lineNumber);
    else err('lineNumber', 'INVALID_VALUE', `"${raw.lineNumber}" is not a positive line number`);
  }
  if (issues.length > before) return undefined;
  return ErpReceiptLine.fromPartial({
    supplier,
    sku,
    description: raw.description ?? '',
    invoiceNumber,
    invoiceDate: invoiceDate ?? '',
    lineNumber: lineNumber || autoLine(),
    quantity,
    unit: (raw.unit ?? '').toUpperCase(),
    lineValue: { value: lineValue.replace(/,/g, ''), currency },
    mrn,
    ducr: raw.ducr ?? '',
    purchaseOrder: raw.purchaseOrder ?? '',
    receiptDate,
    originCountry: origin,
    sourceName,
  });
}

/** Numbers lines without an explicit line number by their order within supplier + invoice. */
function autoNumbering(): (supplier: string, invoice: string) => () => number {
  const next = new Map<string, number>();
  return (supplier, invoice) => () => {
    const k = `${supplier.toLowerCase()}|${invoiceKey(invoice)}`;
    const n = (next.get(k) ?? 0) + 1;
    next.set(k, n);
    return n;
  };
}

/** Refuses two lines with the same key in one file (which one would be meant?). */
function dedupe(lines: { line: ErpReceiptLine; row: number; location: string }[], sourceName: string, issues: ErpIssue[]): ErpReceiptLine[] {
  const seen = new Map<string, number>();
  const out: ErpReceiptLine[] = [];
  for (const l of lines) {
    const k = receiptIdFor('', l.line.supplier, l.line.invoiceNumber, l.line.lineNumber);
    const first = seen.get(k);
    if (first !== undefined) {
      issues.push({
        severity: 'error',
        sourceName,
        row: l.row,
        location: l.location,
        field: 'lineNumber',
        code: 'DUPLICATE_LINE',
        reason: `supplier ${l.line.supplier}, invoice ${l.line.invoiceNumber}, line ${l.line.lineNumber} already appears at ${first > 0 ? `row ${first}` : 'an earlier index'} of this file`,
      });
      continue;
    }
    seen.set(k, l.row);
    out.push(l.line);
  }
  return out;
}

const str = (v: unknown): string | undefined =>
  v === undefined || v === null ? undefined : typeof v === 'string' ? v.trim() : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;

/** JSON: an array of line objects (camelCase or snake_case keys, or any alias of the CSV columns). */
export function parseErpJson(content: Buffer, sourceName: string): ErpParseResult {
  const issues: ErpIssue[] = [];
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(content);
  } catch {
    return { lines: [], issues: [{ severity: 'error', sourceName, row: 0, location: '(file)', field: '(file)', code: 'INVALID_ENCODING', reason: 'not valid UTF-8' }] };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return { lines: [], issues: [{ severity: 'error', sourceName, row: 0, location: '(file)', field: '(json)', code: 'JSON_MALFORMED', reason: (e as Error).message }] };
  }
  if (!Array.isArray(doc))
    return { lines: [], issues: [{ severity: 'error', sourceName, row: 0, location: '$', field: '(json)', code: 'NOT_AN_ARRAY', reason: 'send a JSON array of receipt lines' }] };
  if (doc.length > MAX_LINES)
    return { lines: [], issues: [{ severity: 'error', sourceName, row: 0, location: '$', field: '(json)', code: 'TOO_MANY_LINES', reason: `${doc.length} lines; at most ${MAX_LINES} per document` }] };
  const numbering = autoNumbering();
  const ok: { line: ErpReceiptLine; row: number; location: string }[] = [];
  doc.forEach((item, i) => {
    if (!item || typeof item !== 'object' || Array.isArray(item)) {
      issues.push({ severity: 'error', sourceName, row: i + 1, location: `$[${i}]`, field: '(line)', code: 'INVALID_VALUE', reason: 'each element must be an object' });
      return;
    }
    const raw: Raw = {};
    const keyOf = new Map<string, string>();
    for (const [k, v] of Object.entries(item as Record<string, unknown>)) {
      const f = LOOKUP.get(normalise(k));
      if (!f) continue;
      keyOf.set(f, k);
      // A nested {value, currency} amount is accepted too.
      if (f === 'lineValue' && v && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        raw.lineValue = str(o.value) ?? '';
        if (o.currency !== undefined && raw.currency === undefined) raw.currency = str(o.currency) ?? '';
        continue;
      }
      const s = str(v);
      if (s === undefined) {
        issues.push({ severity: 'error', sourceName, row: i + 1, location: `$[${i}].${k}`, field: f, code: 'INVALID_VALUE', reason: 'must be a string or number' });
        continue;
      }
      raw[f] = s;
    }
    const line = toLine(raw, i + 1, (f) => `$[${i}].${keyOf.get(f) ?? f}`, sourceName, issues, numbering(raw.supplier ?? '', raw.invoiceNumber ?? ''));
    if (line) ok.push({ line, row: i + 1, location: `$[${i}]` });
  });
  return { lines: dedupe(ok, sourceName, issues), issues };
}

/** CSV with a header row; formula-looking values ("=cmd|…") are kept as inert text. */
export function parseErpCsv(content: Buffer, sourceName: string): ErpParseResult {
  const issues: ErpIssue[] = [];
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(content);
  } catch {
    return { lines: [], issues: [{ severity: 'error', sourceName, row: 0, location: '(file)', field: '(file)', code: 'INVALID_ENCODING', reason: 'not valid UTF-8; save the export as UTF-8 CSV' }] };
  }
  let records: string[][];
  try {
    records = parseCsv(text, { bom: true, relax_column_count: true, skip_empty_lines: true, max_record_size: 256 * 1024 }) as string[][];
  } catch (e) {
    const line = (e as { lines?: number }).lines ?? 0;
    return { lines: [], issues: [{ severity: 'error', sourceName, row: line, location: line ? `row ${line}` : '(file)', field: '(csv)', code: 'CSV_MALFORMED', reason: (e as Error).message }] };
  }
  if (records.length === 0) return { lines: [], issues: [{ severity: 'error', sourceName, row: 0, location: '(file)', field: '(header row)', code: 'MISSING_COLUMN', reason: 'the file is empty' }] };
  if (records.length - 1 > MAX_LINES)
    return {
      lines: [],
      issues: [{ severity: 'error', sourceName, row: 0, location: '(file)', field: '(file)', code: 'TOO_MANY_LINES', reason: `${records.length - 1} lines; at most ${MAX_LINES} per document` }],
    };
  const header = records[0]!;
  const cols = header.map((h) => LOOKUP.get(normalise(h)));
  for (const f of ['supplier', 'invoiceNumber', 'lineValue']) {
    if (!cols.includes(f))
      return {
        lines: [],
        issues: [{ severity: 'error', sourceName, row: 1, location: 'row 1', field: f, code: 'MISSING_COLUMN', reason: `no column for ${f} (e.g. ${ALIASES[f]!.slice(0, 3).join(', ')})` }],
      };
  }
  // One warning per unused column name, at most 50, then one counting the rest (a header of
  // 100,000 made-up columns is not 100,000 issues).
  const unknown = new Set<string>();
  let moreUnknown = 0;
  header.forEach((h, i) => {
    if (cols[i] || !h.trim() || unknown.has(h)) return;
    if (unknown.size < 50) {
      unknown.add(h);
      issues.push({ severity: 'warning', sourceName, row: 1, location: 'row 1', field: h.slice(0, 100), code: 'UNKNOWN_COLUMN', reason: `column "${h.slice(0, 100)}" is not used` });
    } else moreUnknown++;
  });
  if (moreUnknown) issues.push({ severity: 'warning', sourceName, row: 1, location: 'row 1', field: '(unknown)', code: 'UNKNOWN_COLUMN', reason: `${moreUnknown} more unused columns are not listed` });
  const numbering = autoNumbering();
  const ok: { line: ErpReceiptLine; row: number; location: string }[] = [];
  for (let r = 1; r < records.length; r++) {
    const raw: Raw = {};
    records[r]!.forEach((v, i) => {
      const f = cols[i];
      if (f) raw[f] = v.trim();
    });
    const row = r + 1;
    const line = toLine(raw, row, () => `row ${row}`, sourceName, issues, numbering(raw.supplier ?? '', raw.invoiceNumber ?? ''));
    if (line) ok.push({ line, row, location: `row ${row}` });
  }
  return { lines: dedupe(ok, sourceName, issues), issues };
}
