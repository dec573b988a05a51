import { parse } from 'csv-parse/sync';

/**
 * Parsers for the bundled code lists (HMRC Tariff Volume 3 appendices as published by the OTT
 * projects; provenance in data/SOURCES.md). Pure: content in, plain maps out.
 */

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v)).trim();

/** A code list: code → description. */
export type CodeMap = Map<string, string>;

/** DE 4/17 preference codes: the short JSON list, completed by the long TSV. */
export function parsePreferenceCodes(json: string, tsv?: string): CodeMap {
  const out: CodeMap = new Map();
  for (const r of arr(JSON.parse(json))) out.set(str(obj(r).id), str(obj(r).description));
  if (tsv) {
    for (const line of tsv.split(/\r?\n/).slice(1)) {
      const [code, ...rest] = line.split('\t');
      const c = str(code);
      if (/^\d{3}$/.test(c) && !out.has(c)) out.set(c, rest.join(' ').trim());
    }
  }
  return out;
}

/** CPC/APC combinations (DE 1/10 four-digit procedure → allowed DE 1/11 additional procedures). */
export interface CpcCombos {
  /** 4-digit CPC → description. */
  procedures: CodeMap;
  /** 4-digit CPC → allowed APCs (union and national); an empty set means "not listed". */
  allowed: Map<string, Set<string>>;
}

export function parseCpcCombos(json: string): CpcCombos {
  const procedures: CodeMap = new Map();
  const allowed = new Map<string, Set<string>>();
  for (const req of arr(JSON.parse(json))) {
    for (const p of arr(obj(req).previous_codes)) {
      const code = str(obj(p).code);
      if (!/^\d{4}$/.test(code)) continue;
      procedures.set(code, str(obj(p).description));
      allowed.set(code, new Set([...arr(obj(p).union_apcs), ...arr(obj(p).national_apcs)].map(str).filter(Boolean)));
    }
  }
  return { procedures, allowed };
}

/** `[{code, description}]` lists (apcs.json). */
export function parseCodeDescriptionList(json: string): CodeMap {
  const out: CodeMap = new Map();
  for (const r of arr(JSON.parse(json))) out.set(str(obj(r).code), str(obj(r).description));
  return out;
}

/** DE 2/3 document code with its description and allowed DE 2/3 status codes. */
export interface DocumentCode {
  description: string;
  /** Empty = statuses not listed for this code. */
  statusCodes: Set<string>;
}

/** Appendix 5A (with status codes) completed by the CDS guidance file (codes only). */
export function parseDocumentCodes(appendix5aJson: string, guidanceJson?: string): Map<string, DocumentCode> {
  const out = new Map<string, DocumentCode>();
  for (const r of arr(JSON.parse(appendix5aJson))) {
    const o = obj(r);
    const code = str(o.document_code);
    if (!code) continue;
    const prev = out.get(code);
    const statuses = new Set([...(prev?.statusCodes ?? []), ...arr(o.status_codes).map(str).filter(Boolean)]);
    out.set(code, { description: prev?.description || str(o.description), statusCodes: statuses });
  }
  if (guidanceJson) {
    for (const code of Object.keys(obj(JSON.parse(guidanceJson)))) {
      if (!out.has(code)) out.set(code, { description: '', statusCodes: new Set() });
    }
  }
  return out;
}

/** Countries: the OTT countries list plus the ISO alpha-2 areas of the geographical areas dump. */
export function parseCountries(countriesJson: string, geoAreasJson?: string): CodeMap {
  const out: CodeMap = new Map();
  for (const r of arr(JSON.parse(countriesJson))) out.set(str(obj(r).geographical_area_id), str(obj(r).description));
  if (geoAreasJson) {
    for (const r of arr(obj(JSON.parse(geoAreasJson)).data)) {
      const a = obj(obj(r).attributes);
      const id = str(a.geographical_area_id);
      if (/^[A-Z]{2}$/.test(id) && !out.has(id)) out.set(id, str(a.description));
    }
  }
  return out;
}

/** Units: code + qualifier ("KGM", "ASVX") → description. */
export function parseUnits(measurementUnitsJson: string, supplementaryUnitsJson?: string): CodeMap {
  const out: CodeMap = new Map();
  for (const [key, v] of Object.entries(obj(JSON.parse(measurementUnitsJson)))) {
    const o = obj(v);
    out.set(key, str(o.expansion) || str(o.abbreviation));
  }
  if (supplementaryUnitsJson) {
    for (const r of arr(JSON.parse(supplementaryUnitsJson))) {
      const o = obj(r);
      const key = `${str(o.unit_code)}${str(o.unit_qualifier)}`;
      if (key && !out.has(key)) out.set(key, str(o.description));
    }
  }
  return out;
}

/** Currencies (currency.csv: currency,currency_description,…). */
export function parseCurrencies(csv: string): CodeMap {
  const rows = parse(csv.replace(/^\uFEFF/, ''), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  const out: CodeMap = new Map();
  for (const r of rows) if (/^[A-Z]{3}$/.test(str(r.currency))) out.set(str(r.currency), str(r.currency_description));
  return out;
}

/** Measure type → DE 4/3 tax type (measure_type_to_tax_type.csv: comments "#", no header). */
export function parseTaxTypes(csv: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of csv.split(/\r?\n/)) {
    if (!line.trim() || line.startsWith('#')) continue;
    const [type, , , taxType] = line.split(',');
    const t = str(type);
    // "475|L116" rows qualify a control by document; duty tax types key on the plain type id.
    if (/^\d{3}$/.test(t) && str(taxType) && !out.has(t)) out.set(t, str(taxType));
  }
  return out;
}

/** A seasonal MFN rate: in-season from start to end (dd/mm, may wrap the year end). */
export interface SeasonalRate {
  cn8: string;
  /** Periods as published: "MM-DD" bounds inclusive and the rate expression for each. */
  periods: { from: string; to: string; expression: string }[];
  text: string;
}

const MON: Record<string, string> = { JAN: '01', FEB: '02', MAR: '03', APR: '04', MAY: '05', JUN: '06', JUL: '07', AUG: '08', SEP: '09', OCT: '10', NOV: '11', DEC: '12' };

/**
 * seasonal_rates.csv: `CN8,start dd/mm,end dd/mm,rate,"14.00% (01 JUL - 31 JAN), 0.00% (01 FEB - 30 JUN)"`.
 * The text carries every period (also the off-season rate), so periods are read from it.
 */
export function parseSeasonalRates(source: string, csv: string): SeasonalRate[] {
  const rows = parse(csv, { columns: false, skip_empty_lines: true, trim: true, relax_quotes: true }) as string[][];
  return rows.map((r, i) => {
    const [cn8, , , , text] = r;
    const periods: SeasonalRate['periods'] = [];
    for (const m of (text ?? '').matchAll(/([^,(]+?)\s*\((\d{2}) ([A-Z]{3}) - (\d{2}) ([A-Z]{3})\)/g)) {
      const [, expr, d1, m1, d2, m2] = m;
      if (!MON[m1!] || !MON[m2!]) throw new Error(`${source}: row ${i + 1}: month "${m1}"/"${m2}" not recognised`);
      periods.push({ from: `${MON[m1!]}-${d1}`, to: `${MON[m2!]}-${d2}`, expression: expr!.trim() });
    }
    if (!/^\d{8}$/.test(cn8 ?? '') || periods.length === 0) throw new Error(`${source}: row ${i + 1}: expected CN8 and a seasonal text like "14.00% (01 JUL - 31 JAN), 0.00% (01 FEB - 30 JUN)"`);
    return { cn8: cn8!, periods, text: text ?? '' };
  });
}

/** The seasonal expression in force on a date ("YYYY-MM-DD"), undefined when no period covers it. */
export function seasonalExpression(s: SeasonalRate, date: string): string | undefined {
  const md = date.slice(5);
  const hit = s.periods.find((p) => (p.from <= p.to ? p.from <= md && md <= p.to : md >= p.from || md <= p.to));
  return hit?.expression;
}

/** Pharmaceutical INN duty-free annex: CN8 → INN names. */
export function parsePharmaInn(csv: string): Map<string, string[]> {
  const rows = parse(csv, { columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
  const out = new Map<string, string[]>();
  for (const r of rows) {
    const cn8 = str(r['Combined Nomenclature code']).replace(/\s+/g, '');
    if (!/^\d{8}$/.test(cn8)) continue;
    const list = out.get(cn8) ?? [];
    list.push(str(r.Name));
    out.set(cn8, list);
  }
  return out;
}

/** A UK preference scheme (roo_schemes_uk.json) with the DE 2/3 codes of its accepted proofs. */
export interface Scheme {
  id: string;
  name: string;
  /** ISO alpha-2 members (and group aliases such as "EU", "andean"). */
  countries: Set<string>;
  proofClasses: string[];
  proofDocumentCodes: string[];
  validFrom: string;
  validTo: string;
}

/**
 * Schemes with proof classes mapped to DE 2/3 codes through proof_document_codes.csv (team-written:
 * DOMAIN.md §2.3's inferred mapping; a summary-specific row wins over the class-wide one).
 */
export function parseSchemes(json: string, proofMapCsv: string): Scheme[] {
  const rows = parse(proofMapCsv, { columns: true, skip_empty_lines: true, comment: '#', trim: true }) as { scheme: string; proof_class: string; summary_prefix: string; document_codes: string }[];
  const codesFor = (scheme: string, cls: string, summary: string): string[] => {
    const mine = rows.filter((r) => r.proof_class === cls && (!r.scheme || r.scheme === scheme));
    const hit =
      mine.find((r) => r.scheme === scheme) ??
      mine.find((r) => !r.scheme && r.summary_prefix && summary.toLowerCase().startsWith(r.summary_prefix.toLowerCase())) ??
      mine.find((r) => !r.scheme && !r.summary_prefix);
    return hit?.document_codes.split(/\s+/).filter(Boolean) ?? [];
  };
  return arr(obj(JSON.parse(json)).schemes).map((raw) => {
    const s = obj(raw);
    const proofs = arr(s.proofs).map(obj);
    const codes = new Set<string>();
    for (const p of proofs) for (const c of codesFor(str(s.scheme_code), str(p.proof_class), str(p.summary))) codes.add(c);
    return {
      id: str(s.scheme_code),
      name: str(s.title),
      countries: new Set(arr(s.countries).map(str)),
      proofClasses: proofs.map((p) => str(p.proof_class)),
      proofDocumentCodes: [...codes].sort(),
      validFrom: str(s.validity_start_date),
      validTo: str(s.validity_end_date),
    };
  });
}
