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

/**
 * Parses a month of HMRC rates in the JSON form of matchilling/hmrc-exchange-rates
 * (`{"base":"GBP","period":{"start","end"},"rates":{"USD":"1.3456",…}}`), a mechanical conversion
 * of HMRC's monthly XML (currency level, first-published values). Rates must be decimal strings
 * as published, so no float ever stands in for one.
 */
export function parseHmrcMonthlyJson(source: string, json: string): FxRow[] {
  let doc: { base?: unknown; period?: { start?: unknown; end?: unknown }; rates?: Record<string, unknown> };
  try {
    doc = JSON.parse(json);
  } catch (e) {
    throw new Error(`${source}: not JSON: ${(e as Error).message}`);
  }
  if (doc.base !== 'GBP') throw new Error(`${source}: field base: "${String(doc.base)}" is not "GBP" (rates must be units per £1)`);
  const start = String(doc.period?.start ?? '');
  const end = String(doc.period?.end ?? '');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(start) || !/^\d{4}-\d{2}-\d{2}$/.test(end)) throw new Error(`${source}: field period: start/end must be YYYY-MM-DD (got "${start}", "${end}")`);
  const rates = doc.rates && typeof doc.rates === 'object' ? Object.entries(doc.rates) : [];
  if (rates.length === 0) throw new Error(`${source}: field rates: no rates`);
  return rates.map(([cur, rate]) => {
    const currency = cur.toUpperCase();
    if (!/^[A-Z]{3}$/.test(currency)) throw new Error(`${source}: rates key "${cur}" is not ISO 4217 alpha-3`);
    if (typeof rate !== 'string' || !RATE.test(rate)) throw new Error(`${source}: rates.${cur}: ${JSON.stringify(rate)} is not a decimal string`);
    return { currency, start, end, rate };
  });
}

/**
 * HMRC lists a currency once per country using it; a month's rows are collapsed to one rate per
 * currency. Where the countries disagree (it happened once: XCD April 2015, Montserrat 3.983
 * against 3.9831 for the other six) the rate most countries carry is kept; an even split cannot be
 * resolved without guessing, so it is refused naming the file and currency.
 */
export function collapseByMajority(source: string, rows: FxRow[]): { rows: FxRow[]; disagreements: string[] } {
  const groups = new Map<string, Map<string, number>>();
  const first = new Map<string, FxRow>();
  for (const r of rows) {
    const key = `${r.currency}|${r.start}|${r.end}`;
    const counts = groups.get(key) ?? new Map<string, number>();
    counts.set(r.rate, (counts.get(r.rate) ?? 0) + 1);
    groups.set(key, counts);
    if (!first.has(key)) first.set(key, r);
  }
  const out: FxRow[] = [];
  const disagreements: string[] = [];
  for (const [key, counts] of groups) {
    const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1]);
    const r = first.get(key)!;
    if (ranked.length > 1) {
      if (ranked[0]![1] === ranked[1]![1]) throw new Error(`${source}: ${r.currency} ${r.start}..${r.end}: countries split evenly between rates ${ranked.map(([v, n]) => `${v} (${n})`).join(', ')}`);
      disagreements.push(
        `${source}: ${r.currency} ${r.start}..${r.end}: kept ${ranked[0]![0]} (${ranked[0]![1]} countries) over ${ranked
          .slice(1)
          .map(([v, n]) => `${v} (${n})`)
          .join(', ')}`,
      );
    }
    out.push({ ...r, rate: ranked[0]![0] });
  }
  return { rows: out, disagreements };
}
