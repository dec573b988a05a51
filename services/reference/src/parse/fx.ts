import { parse } from 'csv-parse/sync';
import { SaxesParser } from 'saxes';

/** One HMRC monthly rate: currency units per £1 for a period (inclusive ISO dates). */
export interface FxRow {
  currency: string;
  start: string;
  end: string;
  /** Exact decimal as published. */
  rate: string;
}

const MONTHS: Record<string, string> = { jan: '01', feb: '02', mar: '03', apr: '04', may: '05', jun: '06', jul: '07', aug: '08', sep: '09', oct: '10', nov: '11', dec: '12' };
const RATE = /^\d+(\.\d+)?$/;

/** "01/Jan/2023" → "2023-01-01". */
function hmrcXmlDate(s: string): string | undefined {
  const m = /^(\d{1,2})\/([A-Za-z]{3})\/(\d{4})$/.exec(s.trim());
  const mm = m && MONTHS[m[2]!.toLowerCase()];
  return m && mm ? `${m[3]}-${mm}-${m[1]!.padStart(2, '0')}` : undefined;
}

/** "31/01/2023" → "2023-01-31". */
function ukDate(s: string): string | undefined {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s.trim());
  return m ? `${m[3]}-${m[2]!.padStart(2, '0')}-${m[1]!.padStart(2, '0')}` : undefined;
}

/**
 * Parses HMRC's monthly exchange-rate XML (`<exchangeRateMonthList Period="01/Jan/2023 to
 * 31/Jan/2023">` of `<exchangeRate>` with currencyCode and rateNew). Any DOCTYPE is refused before
 * it is read, so no DTD is processed and no entity is ever expanded (no XXE, no entity bombs);
 * saxes itself never fetches anything.
 */
export function parseHmrcMonthlyXml(source: string, xml: string): FxRow[] {
  const parser = new SaxesParser({ xmlns: false, position: true });
  const rows: FxRow[] = [];
  let period: { start: string; end: string } | undefined;
  let current: Record<string, string> | undefined;
  let field: string | undefined;
  let failure: Error | undefined;
  const fail = (msg: string) => {
    failure ??= new Error(`${source}: line ${parser.line}: ${msg}`);
  };
  parser.on('doctype', () => fail('DOCTYPE declarations are not accepted (no DTD processing)'));
  parser.on('error', (e) => fail(`not well-formed XML: ${e.message}`));
  parser.on('opentag', (tag) => {
    if (tag.name === 'exchangeRateMonthList') {
      const p = String(tag.attributes.Period ?? '');
      const [a, b] = p.split(/\s+to\s+/i);
      const start = a ? hmrcXmlDate(a) : undefined;
      const end = b ? hmrcXmlDate(b) : undefined;
      if (!start || !end) fail(`attribute Period: "${p}" is not "dd/Mon/yyyy to dd/Mon/yyyy"`);
      else period = { start, end };
    } else if (tag.name === 'exchangeRate') current = {};
    else if (current) field = tag.name;
  });
  parser.on('text', (t) => {
    if (current && field) current[field] = (current[field] ?? '') + t;
  });
  parser.on('closetag', (tag) => {
    if (tag.name === 'exchangeRate' && current) {
      const currency = (current.currencyCode ?? '').trim().toUpperCase();
      const rate = (current.rateNew ?? '').trim();
      if (!/^[A-Z]{3}$/.test(currency)) fail(`exchangeRate ${rows.length + 1} field currencyCode: "${currency}" is not ISO 4217 alpha-3`);
      else if (!RATE.test(rate)) fail(`exchangeRate ${currency} field rateNew: "${rate}" is not a decimal`);
      else if (period) rows.push({ currency, start: period.start, end: period.end, rate });
      current = undefined;
    }
    field = undefined;
  });
  try {
    parser.write(xml).close();
  } catch (e) {
    fail((e as Error).message);
  }
  if (failure) throw failure;
  if (!period) throw new Error(`${source}: no <exchangeRateMonthList Period="…"> root`);
  if (rows.length === 0) throw new Error(`${source}: no <exchangeRate> entries`);
  return rows;
}

/**
 * Parses HMRC's monthly CSV as published (Windows-1252: "Currency units per £1"), columns
 * `Country/Territories,Currency,Currency Code,Currency units per £1,Start Date,End Date` with
 * dd/mm/yyyy dates. Columns are found by name so a reordering does not silently shift values.
 */
export function parseHmrcMonthlyCsv(source: string, content: Buffer | string): FxRow[] {
  const text = typeof content === 'string' ? content : new TextDecoder('windows-1252').decode(content);
  const rows = parse(text.replace(/^\uFEFF/, ''), { columns: false, skip_empty_lines: true, relax_column_count: true, trim: true }) as string[][];
  const header = (rows[0] ?? []).map((h) => h.toLowerCase());
  const col = (pred: (h: string) => boolean, name: string) => {
    const i = header.findIndex(pred);
    if (i < 0) throw new Error(`${source}: header: no "${name}" column (got ${rows[0]?.join(', ') ?? 'nothing'})`);
    return i;
  };
  const cCode = col((h) => h === 'currency code', 'Currency Code');
  const cRate = col((h) => h.startsWith('currency units per'), 'Currency units per £1');
  const cStart = col((h) => h === 'start date', 'Start Date');
  const cEnd = col((h) => h === 'end date', 'End Date');
  const out: FxRow[] = [];
  rows.slice(1).forEach((r, i) => {
    const where = `${source}: row ${i + 2}`;
    const currency = (r[cCode] ?? '').toUpperCase();
    const rate = r[cRate] ?? '';
    const start = ukDate(r[cStart] ?? '');
    const end = ukDate(r[cEnd] ?? '');
    if (!/^[A-Z]{3}$/.test(currency)) throw new Error(`${where} field Currency Code: "${currency}" is not ISO 4217 alpha-3`);
    if (!RATE.test(rate)) throw new Error(`${where} field Currency units per £1: "${rate}" is not a decimal`);
    if (!start || !end) throw new Error(`${where} field Start Date/End Date: not dd/mm/yyyy`);
    out.push({ currency, start, end, rate });
  });
  return out;
}

/** Parses the normalised form "CUR,start,end,rate" (no header, ISO dates). */
export function parseNormalisedFxCsv(source: string, csv: string): FxRow[] {
  const rows = parse(csv, { columns: false, skip_empty_lines: true }) as string[][];
  return rows.map((r, i) => {
    const [currency, start, end, rate] = r;
    if (!currency || !/^\d{4}-\d{2}-\d{2}$/.test(start ?? '') || !/^\d{4}-\d{2}-\d{2}$/.test(end ?? '') || !RATE.test(rate ?? '')) {
      throw new Error(`${source}: row ${i + 1}: expected currency,start,end,rate with ISO dates and a decimal rate`);
    }
    return { currency: currency.toUpperCase(), start: start!, end: end!, rate: rate! };
  });
}
