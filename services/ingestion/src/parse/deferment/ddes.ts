import { createHash } from 'node:crypto';
import { parse as parseCsv } from 'csv-parse/sync';
import { type DefermentStatementLine, describeControlCharacter, findControlCharacter } from '@customs/contracts';
import { erpDateProblem } from '../erp/erp';

/**
 * HMRC's duty deferment electronic statement (DDES) as CSV: one row per charge to a deferment
 * account — DAN, MRN, tax type (A00 duty, B00 VAT, …) and amount — with optional date, EORIs,
 * trader reference and statement period. HMRC does not publish the CSV's column list (DOMAIN.md
 * §2 (c): "[CSV column list UNVERIFIED]"), so the layout read here is ours, documented in
 * docs/deferment-statement.md, with tolerant aliases for the names the financial dashboard and
 * brokers' exports use. Pure: bytes in, statements and issues out. A bad row is reported by row
 * and column and left out; the good rows still go in.
 */

export interface DdesIssue {
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
    | 'CSV_MALFORMED'
    | 'MISSING_COLUMN'
    | 'UNKNOWN_COLUMN'
    | 'TOO_MANY_LINES'
    | 'INCONSISTENT_VALUE';
  reason: string;
}

/** One deferment account's statement: its lines and the period it covers. */
export interface DefermentStatement {
  /** Stable id: tenant + DAN + period (or, with no dates at all, + the file's SHA-256). */
  statementId: string;
  dan: string;
  periodFrom: string;
  periodTo: string;
  lines: DefermentStatementLine[];
}

export interface DdesParseResult {
  statements: DefermentStatement[];
  issues: DdesIssue[];
}

/** Rows one statement file may carry (a busy importer's month is a few thousand). */
export const MAX_DDES_LINES = 200_000;
const MAX_FIELD = 200;

export const DDES_ALIASES: Record<string, string[]> = {
  dan: ['dan', 'defermentaccountnumber', 'defermentaccount', 'defermentaccountno', 'accountnumber'],
  mrn: ['mrn', 'movementreferencenumber', 'declarationid', 'declarationreference', 'entryreference'],
  taxType: ['taxtype', 'taxtypecode', 'dutytype', 'dutytypecode', 'taxcode', 'revenuetype'],
  amount: ['amount', 'amountgbp', 'amountpounds', 'charge', 'chargeamount', 'amountcharged', 'total'],
  date: ['date', 'declarationdate', 'acceptancedate', 'entrydate', 'postingdate', 'transactiondate'],
  importerEori: ['importereori', 'importer', 'consigneeeori'],
  declarantEori: ['declaranteori', 'declarant', 'agenteori'],
  traderReference: ['traderreference', 'ucr', 'ducr', 'declarantreference', 'yourreference'],
  periodFrom: ['periodfrom', 'statementfrom', 'periodstart', 'statementperiodfrom', 'startdate'],
  periodTo: ['periodto', 'statementto', 'periodend', 'statementperiodto', 'enddate'],
};
const REQUIRED = ['dan', 'mrn', 'taxType', 'amount'] as const;
const normalise = (h: string) => h.toLowerCase().replace(/[^a-z0-9]/g, '');
const LOOKUP = new Map<string, string>();
for (const [field, names] of Object.entries(DDES_ALIASES)) for (const n of names) LOOKUP.set(n, field);

const DAN = /^\d{7}$/;
const MRN = /^\d{2}[A-Z]{2}[A-Z0-9]{13}\d$/;
const TAX_TYPE = /^[A-Z]\d{2}$/;
const EORI = /^[A-Z]{2}[A-Z0-9]{1,15}$/;
/** Pounds with at most 2 decimals: "1234.56", "1,234.56", "£12", "-3.10", "(3.10)". */
const POUNDS = /^(-)?£?(\d{1,3}(?:,\d{3})+|\d{1,13})(?:\.(\d{1,2}))?$/;

/** "1,234.5" → 123450 pence, exactly (string arithmetic, no floating point); undefined when not an amount. */
export function poundsToPence(text: string): number | undefined {
  let t = text.trim().replace(/\s/g, '');
  let negative = false;
  const paren = /^\((.*)\)$/.exec(t);
  if (paren) {
    negative = true;
    t = paren[1]!;
  }
  const m = POUNDS.exec(t);
  if (!m) return undefined;
  if (m[1]) negative = !negative;
  const pence = Number(m[2]!.replace(/,/g, '')) * 100 + Number((m[3] ?? '').padEnd(2, '0') || '0');
  return negative ? -pence : pence;
}

/** Does this header row look like a deferment statement (a DAN column and a tax type column)? */
export function looksLikeDdes(headerLine: string): boolean {
  const names = headerLine.split(/[,;\t]/).map((h) => LOOKUP.get(normalise(h.replace(/^"|"$/g, ''))));
  return names.includes('dan') && names.includes('taxType') && names.includes('amount');
}

export function statementIdFor(tenantId: string, dan: string, from: string, to: string, contentSha: string): string {
  const basis = from || to ? `${from}..${to}` : `sha:${contentSha}`;
  return `ddes-${createHash('sha256').update(`${tenantId}|${dan}|${basis}`).digest('hex').slice(0, 32)}`;
}

export function parseDdesCsv(content: Buffer, sourceName: string, tenantId: string): DdesParseResult {
  const issues: DdesIssue[] = [];
  const fileIssue = (field: string, code: DdesIssue['code'], reason: string, row = 0): DdesParseResult => ({
    statements: [],
    issues: [{ severity: 'error', sourceName, row, location: row ? `row ${row}` : '(file)', field, code, reason }],
  });
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(content);
  } catch {
    return fileIssue('(file)', 'INVALID_ENCODING', 'not valid UTF-8; save the statement as UTF-8 CSV');
  }
  let records: string[][];
  try {
    // `to` stops the reader one row past the cap: a file of a million rows is not read whole to be refused.
    records = parseCsv(text, { bom: true, relax_column_count: true, skip_empty_lines: true, max_record_size: 64 * 1024, to: MAX_DDES_LINES + 2 }) as string[][];
  } catch (e) {
    const line = (e as { lines?: number }).lines ?? 0;
    return fileIssue('(csv)', 'CSV_MALFORMED', (e as Error).message, line);
  }
  if (records.length === 0) return fileIssue('(header row)', 'MISSING_COLUMN', 'the file is empty');
  if (records.length - 1 > MAX_DDES_LINES) return fileIssue('(file)', 'TOO_MANY_LINES', `more than ${MAX_DDES_LINES} lines; split the statement by period`);
  const header = records[0]!;
  const cols = header.map((h) => LOOKUP.get(normalise(h)));
  for (const f of REQUIRED) if (!cols.includes(f)) return fileIssue(f, 'MISSING_COLUMN', `no column for ${f} (e.g. ${DDES_ALIASES[f]!.slice(0, 3).join(', ')}); see docs/deferment-statement.md`, 1);
  header.forEach((h, i) => {
    if (!cols[i] && h.trim() && i < 50)
      issues.push({ severity: 'warning', sourceName, row: 1, location: 'row 1', field: h.slice(0, 100), code: 'UNKNOWN_COLUMN', reason: `column "${h.slice(0, 100)}" is not used` });
  });
  const byDan = new Map<string, { lines: DefermentStatementLine[]; from: Set<string>; to: Set<string>; dates: string[] }>();
  for (let r = 1; r < records.length; r++) {
    const row = r + 1;
    const raw: Record<string, string> = {};
    records[r]!.forEach((v, i) => {
      const f = cols[i];
      if (f) raw[f] = v.trim();
    });
    const before = issues.length;
    const err = (field: string, code: DdesIssue['code'], reason: string) => issues.push({ severity: 'error', sourceName, row, location: `row ${row}`, field, code, reason });
    for (const [f, v] of Object.entries(raw)) {
      if (v.length > MAX_FIELD) err(f, 'FIELD_TOO_LONG', `value longer than ${MAX_FIELD} characters`);
      const c = findControlCharacter(v, { text: true });
      if (c) err(f, 'CONTROL_CHARACTER', `value contains ${describeControlCharacter(c)}; the row was rejected`);
    }
    if (issues.length > before) continue;
    for (const f of REQUIRED) if (!raw[f]) err(f, 'MISSING_VALUE', `${f} is required`);
    const dan = raw.dan ?? '';
    if (dan && !DAN.test(dan)) err('dan', 'INVALID_VALUE', `"${dan}" is not a 7-digit deferment account number`);
    const mrn = (raw.mrn ?? '').toUpperCase();
    if (mrn && !MRN.test(mrn)) err('mrn', 'INVALID_VALUE', `"${raw.mrn}" is not an 18-character MRN`);
    const taxType = (raw.taxType ?? '').toUpperCase();
    if (taxType && !TAX_TYPE.test(taxType)) err('taxType', 'INVALID_VALUE', `"${raw.taxType}" is not a tax type code (a letter and two digits, e.g. A00, B00)`);
    const amountPence = raw.amount ? poundsToPence(raw.amount) : undefined;
    if (raw.amount && amountPence === undefined) err('amount', 'INVALID_VALUE', `"${raw.amount}" is not an amount in pounds with at most 2 decimals`);
    const dateOf = (f: string): string => {
      const v = raw[f];
      if (!v) return '';
      const problem = erpDateProblem(v);
      if (problem) err(f, 'INVALID_VALUE', problem);
      return problem ? '' : /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : `${v.slice(6, 10)}-${v.slice(3, 5)}-${v.slice(0, 2)}`;
    };
    const date = dateOf('date');
    const from = dateOf('periodFrom');
    const to = dateOf('periodTo');
    const eori = (f: string) => {
      const v = (raw[f] ?? '').toUpperCase();
      if (v && !EORI.test(v)) err(f, 'INVALID_VALUE', `"${raw[f]}" is not an EORI`);
      return v;
    };
    const importerEori = eori('importerEori');
    const declarantEori = eori('declarantEori');
    if (issues.length > before) continue;
    const s = byDan.get(dan) ?? { lines: [], from: new Set<string>(), to: new Set<string>(), dates: [] };
    byDan.set(dan, s);
    if (from) s.from.add(from);
    if (to) s.to.add(to);
    if (date) s.dates.push(date);
    s.lines.push({ dan, mrn, taxType, amountPence: amountPence!, date, importerEori, declarantEori, traderReference: raw.traderReference ?? '', row });
  }
  const sha = createHash('sha256').update(content).digest('hex');
  const statements: DefermentStatement[] = [];
  for (const [dan, s] of [...byDan.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    // One statement per account and period: rows naming different periods are a mixed file.
    for (const [f, set] of [
      ['periodFrom', s.from],
      ['periodTo', s.to],
    ] as const)
      if (set.size > 1)
        issues.push({
          severity: 'warning',
          sourceName,
          row: 0,
          location: '(file)',
          field: f,
          code: 'INCONSISTENT_VALUE',
          reason: `DAN ${dan}: rows give ${set.size} different values of ${f} (${[...set].sort().slice(0, 3).join(', ')}); the statement is taken to span all of them`,
        });
    const dates = [...s.dates].sort();
    const periodFrom = [...s.from].sort()[0] ?? dates[0] ?? '';
    const periodTo = [...s.to].sort().at(-1) ?? dates.at(-1) ?? '';
    statements.push({ statementId: statementIdFor(tenantId, dan, periodFrom, periodTo, sha), dan, periodFrom, periodTo, lines: s.lines });
  }
  return { statements, issues };
}
