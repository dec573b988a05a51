import { hash } from 'node:crypto';
import { CsvError, CsvSplitter } from '../csv';
import { type Declaration, SourceFormat, describeControlCharacter, findControlCharacter, type Document, type GoodsItem, type TaxLine } from '@customs/contracts';
import { dateProblem, plausibleDateWindow, type DateWindow } from '../dates';
import { MAX_ITEMS_PER_DECLARATION, MAX_TAX_LINES_PER_DECLARATION } from '../limits';
import { ELEMENT, commodityCodeProblem, currencyProblem, itemNumberProblem, penceProblem, unsignedDecimalProblem } from '../values';

/**
 * HMRC CDS data reports (import header, item and tax-line CSVs that importers obtain about their
 * own imports; DOMAIN.md §2.4) → canonical declarations. Columns are matched by a tolerant alias
 * table (case, spacing and punctuation ignored); rows are joined on the entry identifier (MRN, or
 * EPU + entry number as in HMRC's header sample) and item number. Pure: the caller supplies the
 * bytes; nothing here touches files, the database or the network.
 */

export type CdsReportKind = 'header' | 'item' | 'taxline';

/** A problem in a report row, named by file, row (header = row 1), column and reason. */
export interface CdsIssue {
  sourceName: string;
  row: number;
  column: string;
  field: string;
  reason: string;
  code:
    | 'MISSING_COLUMN'
    | 'UNKNOWN_REPORT'
    | 'INVALID_VALUE'
    | 'UNJOINED_ROW'
    | 'INVALID_ENCODING'
    | 'FIELD_TOO_LONG'
    | 'CSV_MALFORMED'
    | 'UNKNOWN_COLUMN'
    | 'CONTROL_CHARACTER'
    | 'TOO_MANY_ITEMS'
    | 'TOO_MANY_TAX_LINES'
    | 'DUPLICATE_ROW';
  severity: 'error' | 'warning';
}

/** Canonical report fields and the column names (normalised) they are found under. */
const ALIASES: Record<string, string[]> = {
  mrn: ['mrn', 'entryidentifier', 'declarationreference', 'declarationnumber', 'movementreferencenumber'],
  epu: ['epu', 'epunumber'],
  entryNumber: ['entrynumber', 'entryno'],
  itemNumber: ['itemnumber', 'itemno', 'declarationitemnumber', 'goodsitemnumber', 'itemnum'],
  acceptanceDate: ['acceptancedate', 'acceptancedatetime', 'taxpoint'],
  // Entry date: when CHIEF/CDS accepted the entry and numbered it (CHIEF entry numbers repeat
  // across days, so a CHIEF entry is EPU + entry number + entry date).
  entryDate: ['entrydate'],
  clearanceDate: ['clearancedate'],
  importer: ['importereori', 'importer', 'importerid', 'importerturn', 'turn'],
  declarant: ['declaranteori', 'declarant'],
  agent: ['agent', 'agenteori', 'representativeeori'],
  traderReference: ['traderreference', 'declarantsreferencenumber', 'submittersreferencenumber', 'lrn'],
  ducr: ['ducr'],
  transportMode: ['transportmode', 'modeoftransport'],
  customsValue: ['customsvalue', 'customsvaluegbp'],
  invoiceCurrency: ['invoicecurrency', 'currency'],
  invoiceTotal: ['invoicetotal', 'totalamountinvoiced'],
  firstDan: ['firstdan', 'dan', 'defermentaccountnumber'],
  commodityCode: ['commoditycode', 'commodity', 'tariffcode'],
  cpc: ['cpc', 'customsprocedurecode', 'procedurecode'],
  apc: ['additionalprocedurecode', 'additionalprocedurecodes', 'additionalspecialprocedurecodes', 'apc'],
  origin: ['countryoforigin', 'origincountry', 'origin'],
  preferentialOrigin: ['preferentialcountryoforigin', 'countryofpreferentialorigin'],
  dispatch: ['countryofdispatch', 'dispatchcountry'],
  description: ['goodsdescription', 'descriptionofgoods', 'description'],
  itemPrice: ['itemprice', 'itemamount', 'itempriceamount'],
  netMass: ['netmass', 'netmasskg', 'itemnetmass'],
  grossMass: ['grossmass', 'grossmasskg', 'itemgrossmass'],
  suppUnits: ['supplementaryunits', 'supplementaryunit', 'suppunits', 'itemsuppunits'],
  preference: ['preference', 'preferencecode'],
  valuationMethod: ['valuationmethod', 'valuationmethodcode'],
  dutyPaid: ['dutypaid', 'customsdutypaid'],
  dutySuspended: ['dutysuspended'],
  vatValue: ['vatvalue', 'totalvatvalue'],
  vatPaid: ['vatpaid', 'totalvatpaid'],
  vatPostponed: ['vatpostponed'],
  documentCodes: ['allitemdocumentcodes', 'documentcodes'],
  documentReferences: ['allitemdocumentreferences', 'documentreferences'],
  aiCodes: ['additionalinformationcode', 'additionalinformationcodes', 'aicode'],
  consignor: ['consignor', 'consignorname'],
  quota: ['quotaordernumber', 'quota'],
  taxType: ['taxtype', 'typeoftax', 'dutytype'],
  taxAmount: ['taxamount', 'amount'],
  taxBase: ['taxbase', 'taxbaseamount'],
  taxRate: ['taxrate', 'rate'],
  methodOfPayment: ['methodofpayment', 'mop', 'paymentmethod'],
  calculationMethod: ['calculationmethod'],
};

const normalise = (h: string) => h.toLowerCase().replace(/[^a-z0-9]/g, '');
const LOOKUP = new Map<string, string>();
for (const [field, names] of Object.entries(ALIASES)) for (const n of names) LOOKUP.set(n, field);

/** Which report a header row belongs to (tax-line before item before header: they nest). */
export function detectReportKind(fields: Set<string>, wideTax: boolean): CdsReportKind | undefined {
  if (fields.has('taxType') || wideTax) return 'taxline';
  if (fields.has('itemNumber') && fields.has('commodityCode')) return 'item';
  if (fields.has('acceptanceDate') && (fields.has('mrn') || fields.has('entryNumber'))) return 'header';
  return undefined;
}

const REQUIRED: Record<CdsReportKind, string[][]> = {
  // Each inner list is "one of": the entry id may be an MRN or EPU + entry number.
  header: [['mrn', 'entryNumber'], ['acceptanceDate']],
  item: [['mrn', 'entryNumber'], ['itemNumber'], ['commodityCode']],
  taxline: [['mrn', 'entryNumber'], ['itemNumber']],
};

/** One mapped report row. */
export interface CdsRow {
  kind: CdsReportKind;
  row: number;
  entryId: string;
  values: Record<string, string>;
  /** Wide tax layout: "Tax Type 1", "Tax Amount 1", … pairs. */
  wideTax: { type: string; amount: string }[];
}

const MAX_FIELD = 64 * 1024;
/**
 * The controls findControlCharacter({ text: true }) refuses, for one scan of a whole chunk. Its
 * unpaired surrogates cannot occur here: the text comes out of a fatal UTF-8 decoder.
 */
const CONTROL_IN_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

const isDigit = (c: number) => c >= 48 && c <= 57;
const digitsAt = (s: string, from: number, to: number) => {
  for (let i = from; i < to; i++) if (!isDigit(s.charCodeAt(i))) return false;
  return true;
};
/** JavaScript's line terminators (what "." in a regular expression does not match). */
const isLineEnd = (c: number) => c === 10 || c === 13 || c === 0x2028 || c === 0x2029;

/**
 * "29/03/2023 00:51:00" | "2023-03-29" → "2023-03-29"; undefined when not a date. Accepted:
 * dd/mm/yyyy alone or followed by a space or "T" and a time (anything on the same line), and
 * anything starting yyyy-mm-dd (an .ods date cell: "2023-03-29T00:51:00"). Character checks, no
 * regular expression: the content hash canonicalises every date value with it.
 */
export function reportDate(v: string): string | undefined {
  const s = v.trim();
  if (s.length < 10) return undefined;
  if (s.charCodeAt(2) === 47 && s.charCodeAt(5) === 47 && digitsAt(s, 0, 2) && digitsAt(s, 3, 5) && digitsAt(s, 6, 10)) {
    if (s.length > 10) {
      const c = s.charCodeAt(10);
      if (c !== 32 && c !== 84) return undefined;
      for (let i = 11; i < s.length; i++) if (isLineEnd(s.charCodeAt(i))) return undefined;
    }
    return `${s.slice(6, 10)}-${s.slice(3, 5)}-${s.slice(0, 2)}`;
  }
  if (s.charCodeAt(4) === 45 && s.charCodeAt(7) === 45 && digitsAt(s, 0, 4) && digitsAt(s, 5, 7) && digitsAt(s, 8, 10)) return s.length === 10 ? s : s.slice(0, 10);
  return undefined;
}

/**
 * Why a report's date value is not a real, plausible date (dd/mm/yyyy or yyyy-mm-dd, as
 * reportDate reads it; range in ../dates), naming the value as written; undefined when it is one.
 */
export function reportDateProblem(v: string, window?: DateWindow): string | undefined {
  const iso = reportDate(v);
  if (!iso) return `"${v.trim()}" is not a date (dd/mm/yyyy or yyyy-mm-dd)`;
  return dateProblem(iso, v.trim(), window);
}

/** The date columns of the reports, and their names in issues. */
const DATE_FIELDS = [
  ['acceptanceDate', 'Acceptance Date'],
  ['entryDate', 'Entry Date'],
  ['clearanceDate', 'Clearance Date'],
] as const;

/** GBP decimal → pence exactly; undefined when not a plain amount. */
export function gbpPence(v: string): number | undefined {
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(v.trim().replace(/,/g, ''));
  if (!m) return undefined;
  const p = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return m[1] ? -p : p;
}

/** The decimals a field's parser reads: what canonicalDecimal may take as the same value. */
export interface DecimalForm {
  /** Thousands separators are stripped by the parser ("3,800.00" is 3800). */
  commas: boolean;
  /** A leading "-" is read (else a negative value is not a number to the parser). */
  minus: boolean;
  /** A leading "+" is read (Number() takes it; gbpPence does not). */
  plus: boolean;
  /** Most digits after the point the parser takes. */
  maxFraction: number;
}

/** GBP amounts, as gbpPence reads them (commas stripped, "-", at most 2 decimals). */
export const GBP_AMOUNT: DecimalForm = { commas: true, minus: true, plus: false, maxFraction: 2 };
/**
 * Decimals the assembler keeps as text (invoice total, masses, units, tax base and rate) and
 * validation reads as unsigned decimals (/^\d+(\.\d+)?$/): no sign, no commas.
 */
export const UNSIGNED_DECIMAL: DecimalForm = { commas: false, minus: false, plus: false, maxFraction: Infinity };
/** The item price: an unsigned decimal, which the assembler stores with its commas stripped. */
export const ITEM_PRICE: DecimalForm = { commas: true, minus: false, plus: false, maxFraction: Infinity };
/** The item number, read with Number() (which takes a "+"; any other sign is refused). */
export const ITEM_NUMBER: DecimalForm = { commas: false, minus: false, plus: true, maxFraction: Infinity };

/**
 * A decimal's spelling for the content hash: its value, whatever spelling of it the field's
 * parser reads the same (`form`): leading zeros of the whole part, trailing zeros of the
 * fraction and a point with nothing left after it go ("0003800.50" → "3800.5", "3800.00" →
 * "3800"), "-0.00" is "0", and so do the thousands separators and "+" the parser takes.
 * Accepted: a sign the form allows, one or more digits, then optionally "." and 1 to
 * form.maxFraction digits. Anything else is returned as it is: a value its parser does not read
 * as a number (it is flagged, or stays text nothing reads) only ever equals itself. Character
 * checks, no regular expression; a value already canonical (the usual case) is returned itself.
 */
export function canonicalDecimal(v: string, form: DecimalForm): string {
  const s = form.commas && v.includes(',') ? v.replaceAll(',', '') : v;
  const n = s.length;
  let i = 0;
  const c0 = n > 0 ? s.charCodeAt(0) : 0;
  const neg = c0 === 45 && form.minus;
  if (neg || (c0 === 43 && form.plus)) i = 1;
  const intStart = i;
  while (i < n && isDigit(s.charCodeAt(i))) i++;
  const intEnd = i;
  if (intEnd === intStart) return v;
  let fracEnd = intEnd; // end of the fraction's significant digits; intEnd when none is left
  if (i < n) {
    if (s.charCodeAt(i) !== 46) return v;
    const fracStart = ++i;
    while (i < n && isDigit(s.charCodeAt(i))) i++;
    if (i < n || i === fracStart || i - fracStart > form.maxFraction) return v;
    fracEnd = i;
    while (fracEnd > fracStart && s.charCodeAt(fracEnd - 1) === 48) fracEnd--;
    if (fracEnd === fracStart) fracEnd = intEnd;
  }
  let a = intStart;
  while (a < intEnd - 1 && s.charCodeAt(a) === 48) a++;
  const zero = a === intEnd - 1 && s.charCodeAt(a) === 48 && fracEnd === intEnd;
  if (s === v && intStart === (neg ? 1 : 0) && a === intStart && fracEnd === n && !(neg && zero)) return v;
  return (neg && !zero ? '-' : '') + s.slice(a, fracEnd);
}

const gbpDecimal = (v: string) => canonicalDecimal(v, GBP_AMOUNT);
const plainDecimal = (v: string) => canonicalDecimal(v, UNSIGNED_DECIMAL);
const priceDecimal = (v: string) => canonicalDecimal(v, ITEM_PRICE);
const itemNumberValue = (v: string) => canonicalDecimal(v, ITEM_NUMBER);
/**
 * Dates as reportDate reads them: the ISO date (the time of day is never read). The last one is
 * remembered: the rows of an entry, and the entries of a day, repeat the same date text.
 */
let lastDate = '';
let lastDateValue = '';
const dateValue = (v: string) => {
  if (v !== lastDate) {
    lastDateValue = reportDate(v) ?? v;
    lastDate = v;
  }
  return lastDateValue;
};

/**
 * How each field's value is spelled in the content hash, by how the assembler reads it (the
 * functions above). Every other field (codes: commodity code, CPC, EORIs, EPU, entry number,
 * DAN, preference…, where a leading zero is significant; texts) is hashed as written.
 */
export const HASH_CANONICAL: Readonly<Record<string, (v: string) => string>> = {
  customsValue: gbpDecimal,
  dutyPaid: gbpDecimal,
  dutySuspended: gbpDecimal,
  vatValue: gbpDecimal,
  vatPaid: gbpDecimal,
  vatPostponed: gbpDecimal,
  taxAmount: gbpDecimal,
  invoiceTotal: plainDecimal,
  itemPrice: priceDecimal,
  netMass: plainDecimal,
  grossMass: plainDecimal,
  suppUnits: plainDecimal,
  taxBase: plainDecimal,
  taxRate: plainDecimal,
  itemNumber: itemNumberValue,
  acceptanceDate: dateValue,
  entryDate: dateValue,
  clearanceDate: dateValue,
};

/** One field's value as the content hash sees it (HASH_CANONICAL; as written for other fields). */
export function hashCanonicalValue(field: string, value: string): string {
  return Object.hasOwn(HASH_CANONICAL, field) ? HASH_CANONICAL[field]!(value) : value;
}

const HASH_FIELDS = Object.entries(HASH_CANONICAL);

/**
 * A row's values as the content hash sees them: no empty values (the assembler reads an empty
 * cell as an absent one, and a workbook drops a row's trailing empty cells where a CSV keeps its
 * empty fields), and the fields of HASH_CANONICAL in their canonical spelling. On the hot path
 * (every row of every entry): the row is copied only when something differs.
 */
export function hashValues(values: Record<string, string>): Record<string, string> {
  let out: Record<string, string> | undefined;
  for (const k in values) {
    if (values[k] === '') {
      out = {};
      for (const j in values) if (values[j] !== '') out[j] = values[j]!;
      break;
    }
  }
  const o = out ?? values;
  for (const [field, canonical] of HASH_FIELDS) {
    const v = o[field];
    if (v === undefined) continue;
    const c = canonical(v);
    if (c !== v) (out ??= { ...values })[field] = c;
  }
  return out ?? values;
}

/**
 * Streams one report file: detects its kind from the header row, maps columns, yields rows and
 * reports issues (missing required column = file error; unknown column = warning; bad value =
 * warning naming row and column). Formula-looking values ("=cmd|…") stay inert data.
 */
export async function* readCdsReport(chunks: AsyncIterable<Buffer | string>, sourceName: string, issues: CdsIssue[]): AsyncGenerator<CdsRow> {
  const splitter = new CsvSplitter(1024 * 1024);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let byteOffset = 0;
  let columns: (string | undefined)[] | undefined;
  let headerNames: string[] = [];
  let kind: CdsReportKind | undefined;
  let wide: { typeIdx: number; amountIdx: number }[] = [];
  let rowNo = 0;
  let stop = false;
  /**
   * A cell with a control character other than TAB/LF/CR (a NUL above all: Postgres cannot hold
   * it) is corruption, never a value: its row is rejected with an issue naming row, column and
   * where in the cell, and a header row with one rejects the file. Records are looked at one by
   * one only when the text they came in had such a character (one native scan per chunk).
   */
  const controlIn = (record: string[]): { i: number; found: NonNullable<ReturnType<typeof findControlCharacter>> } | undefined => {
    for (let i = 0; i < record.length; i++) {
      const found = findControlCharacter(record[i]!, { text: true });
      if (found) return { i, found };
    }
    return undefined;
  };
  const handle = (record: string[], suspect: boolean): CdsRow | undefined => {
    rowNo++;
    const control = suspect ? controlIn(record) : undefined;
    if (!columns) {
      if (control) {
        issues.push({
          sourceName,
          row: 1,
          column: `column ${control.i + 1}`,
          field: '(header row)',
          reason: `header cell ${control.i + 1} contains ${describeControlCharacter(control.found)}; control characters other than tab and line breaks are not allowed in a report (is the file corrupted, or not a CSV?)`,
          code: 'CONTROL_CHARACTER',
          severity: 'error',
        });
        stop = true;
        return undefined;
      }
      headerNames = record;
      columns = record.map((h) => LOOKUP.get(normalise(h)));
      const wideTypes = record.map((h, i) => ({ h: normalise(h), i })).filter((x) => /^taxtype\d+$/.test(x.h));
      wide = wideTypes.map((t) => ({ typeIdx: t.i, amountIdx: record.findIndex((h) => normalise(h) === t.h.replace('taxtype', 'taxamount')) })).filter((w) => w.amountIdx >= 0);
      const present = new Set(columns.filter((c): c is string => !!c));
      kind = detectReportKind(present, wide.length > 0);
      if (!kind) {
        issues.push({
          sourceName,
          row: 1,
          column: '',
          field: '(header row)',
          reason: `cannot tell which CDS report this is: expected an entry identifier (MRN or EPU + Entry Number) with Acceptance Date (header report), Item Number + Commodity Code (item report) or Tax Type (tax-line report); found columns ${record.slice(0, 12).join(', ')}`,
          code: 'UNKNOWN_REPORT',
          severity: 'error',
        });
        stop = true;
        return undefined;
      }
      for (const oneOf of REQUIRED[kind]) {
        if (!oneOf.some((f) => present.has(f))) {
          issues.push({
            sourceName,
            row: 1,
            column: ALIASES[oneOf[0]!]![0]!,
            field: oneOf.join(' or '),
            reason: `the ${kind} report needs a column for ${oneOf.map((f) => `"${f}" (e.g. ${ALIASES[f]!.slice(0, 2).join(', ')})`).join(' or ')}`,
            code: 'MISSING_COLUMN',
            severity: 'error',
          });
          stop = true;
          return undefined;
        }
      }
      unknownColumns(record, (i) => !columns![i] && !wide.some((w) => w.typeIdx === i || w.amountIdx === i), sourceName, issues);
      return undefined;
    }
    const values: Record<string, string> = {};
    let tooLong = false;
    let rejected = '';
    if (control) {
      const column = headerNames[control.i] || `column ${control.i + 1}`;
      issues.push({
        sourceName,
        row: rowNo,
        column,
        field: columns[control.i] ?? column,
        reason: `cell "${column}" (column ${control.i + 1}) contains ${describeControlCharacter(control.found)}; control characters other than tab and line breaks are not allowed in report cells, so the row was rejected`,
        code: 'CONTROL_CHARACTER',
        severity: 'error',
      });
      rejected = `a cell contains ${control.found.label}`;
    }
    record.forEach((v, i) => {
      const f = columns![i];
      if (!f) return;
      if (v.length > MAX_FIELD) {
        issues.push({ sourceName, row: rowNo, column: headerNames[i] ?? '', field: f, reason: `value longer than ${MAX_FIELD} characters`, code: 'FIELD_TOO_LONG', severity: 'error' });
        tooLong = true;
        return;
      }
      values[f] = v.trim();
    });
    if (tooLong) rejected = 'a field is too long';
    const entryId = values.mrn ? values.mrn.toUpperCase() : values.entryNumber ? `${values.epu ?? ''}-${values.entryNumber}`.replace(/^-/, '') : '';
    if (!entryId) {
      issues.push({
        sourceName,
        row: rowNo,
        column: headerNames[columns.indexOf('mrn')] ?? 'Entry Number',
        field: 'entry identifier',
        reason: 'row has no MRN / entry number',
        code: 'INVALID_VALUE',
        severity: 'error',
      });
      return undefined;
    }
    return {
      kind: kind!,
      row: rowNo,
      entryId,
      values: rejected ? { ...values, __rejected: rejected } : values,
      wideTax: wide.map((w) => ({ type: (record[w.typeIdx] ?? '').trim(), amount: (record[w.amountIdx] ?? '').trim() })).filter((t) => t.type),
    };
  };
  let carried = false;
  const badEncoding = (len: number) =>
    issues.push({
      sourceName,
      row: 0,
      column: '',
      field: '(file)',
      reason: `not valid UTF-8 (within bytes ${byteOffset}–${byteOffset + len}); save the report as UTF-8 CSV`,
      code: 'INVALID_ENCODING',
      severity: 'error',
    });
  // A failing source (an upload that broke off) is not the end of the file: its error reaches
  // the caller after the rows already read, and the unfinished last record is never emitted.
  // A malformed record or bad encoding ends the file here with an issue naming where.
  try {
    for await (const chunk of chunks) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      let text: string;
      try {
        text = decoder.decode(buf, { stream: true });
      } catch {
        badEncoding(buf.length);
        return;
      }
      byteOffset += buf.length;
      // A record is suspect when its text may hold a control character: this chunk has one, or
      // an earlier one had and no record has completed since (a record may span chunks).
      const dirty = CONTROL_IN_TEXT.test(text);
      const suspect = dirty || carried;
      const records = splitter.push(text);
      carried = dirty || (records.length === 0 && carried);
      for (const record of records) {
        const row = handle(record, suspect);
        if (stop) return;
        if (row) yield row;
      }
    }
    let tail: string;
    try {
      tail = decoder.decode();
    } catch {
      badEncoding(0);
      return;
    }
    const suspect = carried || CONTROL_IN_TEXT.test(tail);
    for (const record of [...splitter.push(tail), ...splitter.end()]) {
      const row = handle(record, suspect);
      if (stop) return;
      if (row) yield row;
    }
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    issues.push({ sourceName, row: rowNo + 1, column: '', field: '(csv)', reason: e.message, code: 'CSV_MALFORMED', severity: 'error' });
  }
}

/** UNKNOWN_COLUMN issues listed by name; the rest of a wide header is one issue counting them. */
export const MAX_UNKNOWN_COLUMN_ISSUES = 50;

/**
 * One UNKNOWN_COLUMN warning per unused column name (a name repeated is one issue giving its
 * positions), at most MAX_UNKNOWN_COLUMN_ISSUES, then one counting the other names: a header of
 * 100,000 made-up columns is two issues' worth of news, not 100,000 rows.
 */
function unknownColumns(header: string[], unused: (i: number) => boolean, sourceName: string, issues: CdsIssue[]): void {
  const byName = new Map<string, number[]>();
  let more = 0;
  header.forEach((h, i) => {
    if (!h.trim() || !unused(i)) return;
    const at = byName.get(h);
    if (at) {
      if (at.length < 10) at.push(i + 1);
    } else if (byName.size < MAX_UNKNOWN_COLUMN_ISSUES) byName.set(h, [i + 1]);
    else more++;
  });
  for (const [h, at] of byName)
    issues.push({
      sourceName,
      row: 1,
      column: h,
      field: '(unknown)',
      reason: at.length === 1 ? `column "${h}" is not used` : `column "${h}" (columns ${at.join(', ')}${at.length === 10 ? ', …' : ''}) is not used`,
      code: 'UNKNOWN_COLUMN',
      severity: 'warning',
    });
  if (more > 0)
    issues.push({
      sourceName,
      row: 1,
      column: '',
      field: '(unknown)',
      reason: `${more} more columns not listed here are not used either (the header has more than ${MAX_UNKNOWN_COLUMN_ISSUES} unused column names)`,
      code: 'UNKNOWN_COLUMN',
      severity: 'warning',
    });
}

/** "A, NULL, B" → ["A", "", "B"]: HMRC's parallel comma lists keep positions with NULL. */
function parallelList(v: string | undefined): string[] {
  if (!v) return [];
  return v
    .split(',')
    .map((s) => s.trim())
    .map((s) => (s.toUpperCase() === 'NULL' ? '' : s));
}

interface EntryState {
  header?: CdsRow;
  items: Map<number, CdsRow>;
  taxes: CdsRow[];
  /** Why the entry is not stored: a row's problem, and the column it is in when one is to blame. */
  rejected: { row: number; reason: string; column?: string; code?: CdsIssue['code'] }[];
  /** Rows past the entry's item or tax-line bound: counted, not kept. */
  overflowRows?: number;
  /** Reasons past MAX_REJECTIONS_LISTED: counted, not kept. */
  moreRejected?: number;
  /** Item rows repeating an item number already read (DUPLICATE_ROW), by item number. */
  repeats?: Map<number, { first: number; rows: number[]; count: number; differs: boolean; firstValues: string }>;
}

/** Reasons listed for one rejected entry (the rest are counted in the last). */
const MAX_REJECTIONS_LISTED = 20;

/** Rows named in one DUPLICATE_ROW issue (the rest are counted). */
const LISTED_REPEATS = 10;

export interface CdsAssemblerOptions {
  /** Plausible dates (default: the window on the day the assembler is made). */
  dateWindow?: DateWindow;
  /** Date fields the caller has already checked (and may spell its own way): not checked again. */
  checkedDateFields?: readonly string[];
}

/**
 * Joins header, item and tax-line rows (from one or three files, any order) into declarations.
 * Rows that cannot be joined are reported, never dropped silently; an entry with a bad row is
 * rejected whole (with that row's issue) so nothing is half-ingested. Holds the joined entries in
 * memory: callers stream sorted reports in bounded slices (see ingestion's CDS adapter).
 */
export class CdsReportAssembler {
  private readonly entries = new Map<string, EntryState>();
  private readonly dateWindow: DateWindow;
  private readonly dateFields: readonly (readonly [string, string])[];
  // The rows of an entry, and the entries of a day, repeat the same date text: the last answer is kept.
  private lastDateText = '';
  private lastDateProblem: string | undefined;

  constructor(
    private readonly sourceName: string,
    private readonly issues: CdsIssue[],
    opts: CdsAssemblerOptions = {},
  ) {
    this.dateWindow = opts.dateWindow ?? plausibleDateWindow();
    this.dateFields = DATE_FIELDS.filter(([f]) => !opts.checkedDateFields?.includes(f));
  }

  add(row: CdsRow): void {
    const e: EntryState = this.entries.get(row.entryId) ?? { items: new Map(), taxes: [], rejected: [] };
    this.entries.set(row.entryId, e);
    // __rejected: why readCdsReport refused the row (it named the cell in its own issue).
    if (row.values.__rejected) this.reject(e, { row: row.row, reason: row.values.__rejected });
    this.checkDates(row, e);
    this.checkValues(row, e);
    if (row.kind === 'header') e.header = row;
    else if (row.kind === 'taxline') {
      if (e.taxes.length >= MAX_TAX_LINES_PER_DECLARATION) {
        e.overflowRows = (e.overflowRows ?? 0) + 1;
        if (e.overflowRows === 1)
          this.reject(e, { row: row.row, code: 'TOO_MANY_TAX_LINES', reason: `the entry has more than ${MAX_TAX_LINES_PER_DECLARATION} tax-line rows; from this row on they were not read` });
        return;
      }
      e.taxes.push(row);
    } else {
      const numberProblem = itemNumberProblem(row.values.itemNumber ?? '');
      const n = numberProblem ? NaN : Number(row.values.itemNumber);
      // Past 999 items the entry cannot be a CDS declaration: it is rejected, and its further
      // rows are counted, not kept, so one entry of a million rows costs no more memory than 999.
      // (Checked first: item 1000 of such an entry is one more row past the bound, not a new issue.)
      if (e.items.size >= MAX_ITEMS_PER_DECLARATION && !e.items.has(n)) {
        e.overflowRows = (e.overflowRows ?? 0) + 1;
        if (e.overflowRows === 1)
          this.reject(e, {
            row: row.row,
            column: 'Item Number',
            code: 'TOO_MANY_ITEMS',
            reason: `the entry has more than ${MAX_ITEMS_PER_DECLARATION} goods items (a CDS declaration holds at most ${MAX_ITEMS_PER_DECLARATION}, DE 1/9); from this row on its item rows were not read`,
          });
        return;
      }
      if (numberProblem) {
        this.reject(e, { row: row.row, column: 'Item Number', reason: `${numberProblem}, so the entry is not stored` });
        return;
      }
      const earlier = e.items.get(n);
      if (earlier) this.repeat(e, n, earlier, row);
      e.items.set(n, row);
    }
  }

  /**
   * Why an entry is not stored, at most MAX_REJECTIONS_LISTED reasons (then counted): an entry
   * whose every row is bad says so in a few issues, not one per row of a million-row file.
   */
  private reject(e: EntryState, r: EntryState['rejected'][number]): void {
    // A bound issue (TOO_MANY_ITEMS/TAX_LINES, one per entry) is always listed: it says rows were not read.
    if (e.rejected.length < MAX_REJECTIONS_LISTED || r.code) e.rejected.push(r);
    else e.moreRejected = (e.moreRejected ?? 0) + 1;
  }

  /**
   * An item row whose entry and item number were already read: the later row replaces the
   * earlier (as before), but never silently. A repeated identical row (a copy-paste, an .ods
   * row repeated 400,000 times) is one warning naming the rows; a repeat with other values is
   * a warning saying which row was used. Rows are listed up to LISTED_REPEATS, then counted.
   */
  private repeat(e: EntryState, n: number, earlier: CdsRow, row: CdsRow): void {
    e.repeats ??= new Map();
    let r = e.repeats.get(n);
    if (!r) {
      r = { first: earlier.row, rows: [], count: 0, differs: false, firstValues: JSON.stringify(earlier.values) };
      e.repeats.set(n, r);
    }
    r.count++;
    if (r.rows.length < LISTED_REPEATS) r.rows.push(row.row);
    if (!r.differs && JSON.stringify(row.values) !== r.firstValues) r.differs = true;
  }

  /**
   * Values against their data element (../values): amounts and masses zero or more and finite,
   * item number 1–999, commodity code 8 or 10 digits, currency in ISO 4217. A value no
   * declaration can hold rejects the entry (an error naming row, column and element), like an
   * impossible acceptance date: every check downstream would compute with it.
   */
  private checkValues(row: CdsRow, e: EntryState): void {
    const v = row.values;
    const reject = (column: string, problem: string | undefined) => {
      if (problem) this.reject(e, { row: row.row, column, reason: `${problem}, so the entry is not stored` });
    };
    const decimal = (k: string, column: string, element: string, fraction?: number, commas = false) => {
      const x = v[k];
      if (x) reject(column, unsignedDecimalProblem(commas ? x.replace(/,/g, '') : x, `${column} (${element})`, fraction));
    };
    const pence = (k: string, column: string, element: string) => {
      const x = v[k];
      if (!x) return;
      const p = gbpPence(x);
      // Not a GBP amount at all is the builder's warning (the amount is left out); a negative one is no value.
      if (p !== undefined) reject(column, penceProblem(p, x, `${column} (${element})`));
    };
    if (row.kind === 'item') {
      reject('Commodity Code', commodityCodeProblem((v.commodityCode ?? '').replace(/\s/g, '')));
      decimal('itemPrice', 'Item Price', ELEMENT.itemPrice, undefined, true);
      decimal('netMass', 'Net Mass', ELEMENT.netMass, 6);
      decimal('grossMass', 'Gross Mass', ELEMENT.grossMass, 6);
      pence('vatValue', 'VAT Value', ELEMENT.vatValue);
    }
    if (row.kind === 'taxline' && v.itemNumber) reject('Item Number', itemNumberProblem(v.itemNumber));
    if (row.kind !== 'taxline') {
      pence('customsValue', 'Customs Value', ELEMENT.customsValue);
      decimal('invoiceTotal', 'Invoice Total', ELEMENT.invoiceTotal, 2, true);
      if (v.invoiceCurrency) reject('Invoice Currency', currencyProblem(v.invoiceCurrency.toUpperCase()));
    }
  }

  /**
   * Every date of every row must be a real, plausible date (../dates). The acceptance date dates
   * the tariff, the exchange rate and the 3-year deadline of every check, so an entry with an
   * impossible one is rejected whole (an error naming row and column), never stored with a date
   * guessed in its place; an entry or clearance date is not read into the declaration, so a bad
   * one is a warning and the entry is kept.
   */
  private checkDates(row: CdsRow, e: EntryState): void {
    for (const [field, column] of this.dateFields) {
      const v = row.values[field];
      if (!v) continue;
      if (v !== this.lastDateText) {
        this.lastDateProblem = reportDateProblem(v, this.dateWindow);
        this.lastDateText = v;
      }
      const problem = this.lastDateProblem;
      if (!problem) continue;
      if (field === 'acceptanceDate')
        this.reject(e, { row: row.row, column, reason: `${column} ${problem}; the acceptance date dates the tariff, the exchange rate and the 3-year deadline, so the entry is not stored` });
      else
        this.issues.push({
          sourceName: this.sourceName,
          row: row.row,
          column,
          field: column,
          reason: `${column} ${problem} (not used for the checks; the entry is kept)`,
          code: 'INVALID_VALUE',
          severity: 'warning',
        });
    }
  }

  /** Entries currently held (a streaming caller attaches indexed header/tax rows before finish()). */
  entryIds(): string[] {
    return [...this.entries.keys()];
  }

  /** Forgets an entry whose rows may be incomplete (its file broke off mid-entry). */
  drop(entryId: string): boolean {
    return this.entries.delete(entryId);
  }

  /** Builds every entry's declaration; entries with item rows become declarations. */
  finish(): Declaration[] {
    const out: Declaration[] = [];
    for (const [entryId, e] of this.entries) {
      const rowsOf = [e.header, ...e.items.values(), ...e.taxes].filter(Boolean).map((r) => r!.row);
      for (const [n, r] of e.repeats ?? []) {
        const listed = `${r.rows.join(', ')}${r.count > r.rows.length ? ` and ${r.count - r.rows.length} more rows` : ''}`;
        const last = e.items.get(n)?.row ?? r.rows[r.rows.length - 1]!;
        this.issues.push({
          sourceName: this.sourceName,
          row: r.first,
          column: 'Item Number',
          field: 'Item Number',
          reason: r.differs
            ? `item ${n} of entry ${entryId} (row ${r.first}) appears again in row ${listed} (${r.count + 1} rows in all) with other values; only row ${last} was read — one row per goods item is expected`
            : `item ${n} of entry ${entryId} (row ${r.first}) is repeated unchanged in row ${listed} (${r.count + 1} identical rows in all); it was read once`,
          code: 'DUPLICATE_ROW',
          severity: 'warning',
        });
      }
      if (e.rejected.length) {
        const skipped = e.overflowRows ? ` (${e.overflowRows} rows not read)` : '';
        for (const r of e.rejected)
          this.issues.push({
            sourceName: this.sourceName,
            row: r.row,
            column: r.column ?? '',
            field: r.column ?? 'entry',
            reason: `entry ${entryId} rejected: row ${r.row}: ${r.reason}${r.code ? skipped : ''}`,
            code: r.code ?? 'INVALID_VALUE',
            severity: 'error',
          });
        if (e.moreRejected)
          this.issues.push({
            sourceName: this.sourceName,
            row: e.rejected[e.rejected.length - 1]!.row,
            column: '',
            field: 'entry',
            reason: `entry ${entryId} rejected: ${e.moreRejected} more problems in its rows are not listed (the first ${MAX_REJECTIONS_LISTED} are)`,
            code: 'INVALID_VALUE',
            severity: 'error',
          });
        continue;
      }
      if (e.items.size === 0) {
        // A header (or tax lines) with no item rows: kept as an issue, since it says nothing checkable per item.
        this.issues.push({
          sourceName: this.sourceName,
          row: rowsOf[0] ?? 0,
          column: '',
          field: 'entry',
          reason: `entry ${entryId} has no item rows in this upload (send the item report with the header report)`,
          code: 'UNJOINED_ROW',
          severity: 'warning',
        });
        continue;
      }
      const d = this.build(entryId, e);
      if (d) out.push(d);
    }
    this.entries.clear();
    return out;
  }

  private build(entryId: string, e: EntryState): Declaration | undefined {
    const h = e.header?.values ?? {};
    const first = [...e.items.values()][0]!.values;
    const pick = (k: string) => h[k] || first[k] || '';
    // Checked in add(): a present acceptance date here is a real, plausible one.
    const acceptance = reportDate(pick('acceptanceDate'));
    const warn = (row: number, column: string, reason: string) => this.issues.push({ sourceName: this.sourceName, row, column, field: column, reason, code: 'INVALID_VALUE', severity: 'warning' });

    const items = [...e.items.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([n, r]) => {
        const v = r.values;
        const codes = parallelList(v.documentCodes);
        const refs = parallelList(v.documentReferences);
        const documents: Document[] = codes.map((code, i) => ({ code, reference: refs[i] ?? '', status: '', reason: '' })).filter((d) => d.code);
        const money = (k: string, label: string) => {
          if (!v[k]) return undefined;
          const p = gbpPence(v[k]!);
          if (p === undefined) warn(r.row, label, `"${v[k]}" is not a GBP amount`);
          return p;
        };
        const taxLines: TaxLine[] = [];
        for (const t of e.taxes.filter((t) => Number(t.values.itemNumber) === n)) {
          if (t.values.taxType) {
            const p = gbpPence(t.values.taxAmount ?? '');
            if (t.values.taxAmount && p === undefined) warn(t.row, 'Tax Amount', `"${t.values.taxAmount}" is not a GBP amount`);
            taxLines.push({
              taxType: t.values.taxType,
              baseAmount: t.values.taxBase ?? '',
              baseUnit: '',
              rate: t.values.taxRate ?? '',
              payablePence: p ?? 0,
              methodOfPayment: t.values.methodOfPayment ?? '',
              traderDeclared: false,
              suspendedPence: 0,
            });
          }
          for (const w of t.wideTax)
            taxLines.push({ taxType: w.type, baseAmount: '', baseUnit: '', rate: '', payablePence: gbpPence(w.amount) ?? 0, methodOfPayment: '', traderDeclared: false, suspendedPence: 0 });
        }
        if (taxLines.length === 0) {
          // Without a tax-line report, the item report's paid amounts stand in for the A00/B00 lines.
          const duty = money('dutyPaid', 'Duty Paid');
          const vat = money('vatPaid', 'VAT Paid');
          if (duty !== undefined)
            taxLines.push({
              taxType: 'A00',
              baseAmount: '',
              baseUnit: '',
              rate: '',
              payablePence: duty,
              methodOfPayment: '',
              traderDeclared: false,
              suspendedPence: money('dutySuspended', 'Duty Suspended') ?? 0,
            });
          if (vat !== undefined)
            taxLines.push({
              taxType: 'B00',
              baseAmount: '',
              baseUnit: '',
              rate: '',
              payablePence: vat,
              methodOfPayment: v.vatPostponed && gbpPence(v.vatPostponed) ? 'G' : '',
              traderDeclared: false,
              suspendedPence: 0,
            });
        }
        const cpc = (v.cpc ?? '').replace(/\s/g, '');
        const cv = money('customsValue', 'Customs Value');
        const vatValue = money('vatValue', 'VAT Value');
        // Checked in add() (checkValues): 8 or 10 digits.
        const code = (v.commodityCode ?? '').replace(/\s/g, '');
        // A complete literal (typed, so a new contract field is a compile error here), not
        // fromPartial: that deep-copies every nested list again, per item, on the hot path.
        const item: GoodsItem = {
          itemNumber: n,
          commodityCode: code,
          description: v.description ?? '',
          // Reports may carry the 7-character CPC (4000000): DE 1/10 is its first 4, DE 1/11 the rest.
          procedureCode: cpc.slice(0, 4),
          additionalProcedureCodes: [...(cpc.length === 7 ? [cpc.slice(4)] : []), ...parallelList(v.apc).filter(Boolean)],
          originCountry: v.origin ?? '',
          preferentialOrigin: v.preferentialOrigin ?? '',
          dispatchCountry: v.dispatch ?? '',
          preference: v.preference ?? '',
          valuationMethod: v.valuationMethod ?? '',
          itemPrice: v.itemPrice ? { value: v.itemPrice.replace(/,/g, ''), currency: (v.invoiceCurrency || h.invoiceCurrency || 'GBP').toUpperCase() } : undefined,
          customsValuePence: cv ?? 0,
          customsValuePresent: cv !== undefined,
          netMassKg: v.netMass ?? '',
          grossMassKg: v.grossMass ?? '',
          supplementaryUnits: v.suppUnits ?? '',
          quotaOrderNumber: v.quota ?? '',
          documents,
          additionalInformation: parallelList(v.aiCodes)
            .filter(Boolean)
            .map((code) => ({ code, text: '' })),
          taxLines,
          vatValuePence: vatValue ?? 0,
          vatValuePresent: vatValue !== undefined,
          parties: v.consignor ? [{ role: 'consignor', id: '', name: v.consignor, countryCode: '' }] : [],
          additionalCodes: [],
          valuationIndicators: '',
          statisticalValuePence: 0,
          adjustments: [],
          previousDocuments: [],
        };
        return item;
      });

    const parties = [
      pick('importer') && { role: 'importer', id: pick('importer'), name: '', countryCode: '' },
      pick('declarant') && { role: 'declarant', id: pick('declarant'), name: '', countryCode: '' },
      pick('agent') && { role: 'representative', id: pick('agent'), name: '', countryCode: '' },
    ].filter(Boolean) as Declaration['parties'];
    const headerCv = h.customsValue ? gbpPence(h.customsValue) : undefined;
    // The content hash is of the values, not of their spelling (hashValues): the same report as
    // CSV ("3800.00", "14/03/2023 10:15:00") and as a typed workbook (a number cell's "3800", a
    // date cell's "2023-03-14T10:15:00") is the same entry, recognised as a duplicate. Changing
    // this changes every entry's hash: an entry stored before (under the raw-text hash of the
    // previous release) is not recognised as a duplicate of a re-send after it; the re-send is
    // stored as a new version with the same content (services/ingestion/README.md).
    const canonical = {
      entryId,
      header: hashValues(h),
      items: [...e.items.values()].map((r) => hashValues(r.values)),
      taxes: e.taxes.map((t) => [hashValues(t.values), t.wideTax.length ? t.wideTax.map((w) => ({ type: w.type, amount: gbpDecimal(w.amount) })) : t.wideTax]),
    };
    // A complete literal (typed: a new contract field is a compile error here), not fromPartial,
    // which deep-copied every item and party again.
    const declaration: Declaration = {
      tenantId: '',
      declarationId: '',
      version: 0,
      mrn: /^\d{2}[A-Z]{2}[A-Z0-9]{13}\d$/.test(entryId) ? entryId : '',
      lrn: pick('traderReference') || entryId,
      functionCode: '9',
      typeCode: '',
      acceptanceDate: acceptance ?? '',
      acceptanceDateSource: acceptance ? 'report' : '',
      parties,
      invoiceAmount: h.invoiceTotal ? { value: h.invoiceTotal, currency: (h.invoiceCurrency || 'GBP').toUpperCase() } : undefined,
      exchangeRate: '',
      incoterm: '',
      deliveryLocation: '',
      adjustments: [],
      authorisations: [],
      additionalInformation: [],
      previousDocuments: [],
      documents: [],
      fiscalReferences: [],
      defermentAccounts: pick('firstDan') ? [pick('firstDan')] : [],
      representativeStatus: '',
      totalPackages: '',
      totalGrossMassKg: '',
      transportMode: pick('transportMode'),
      customsValuePence: headerCv ?? 0,
      customsValuePresent: headerCv !== undefined,
      items,
      sourceFormat: SourceFormat.SOURCE_FORMAT_CDS_REPORT,
      sourceName: this.sourceName,
      // Idempotency by content of this entry's rows, not of the whole file.
      contentSha256: hash('sha256', JSON.stringify(canonical), 'hex'),
      batchId: '',
      receivedAt: '',
      destinationCountry: '',
      goodsLocation: '',
      importerEori: pick('importer'),
      status: '',
      changeKind: '',
      appliedChanges: [],
    };
    return declaration;
  }
}

/** Parses one or more report files (header/item/tax-line, any order) into declarations. */
export async function parseCdsReports(files: { sourceName: string; chunks: AsyncIterable<Buffer | string> }[]): Promise<{ declarations: Declaration[]; issues: CdsIssue[] }> {
  const issues: CdsIssue[] = [];
  const assembler = new CdsReportAssembler(files.map((f) => f.sourceName).join(' + '), issues);
  for (const f of files) {
    const before = issues.length;
    for await (const row of readCdsReport(f.chunks, f.sourceName, issues)) assembler.add(row);
    // A file-level error (unknown report, missing column, bad encoding) rejects the upload whole.
    if (issues.slice(before).some((i) => i.severity === 'error' && i.row <= 1)) return { declarations: [], issues };
  }
  return { declarations: assembler.finish(), issues };
}
