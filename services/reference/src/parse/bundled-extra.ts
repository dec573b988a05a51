// Readers of the extra public reference files bundled with their own dates (data/SOURCES.md):
// per-commodity supplementary units (Electronic Tariff File snapshot, CHIEF notation), seasonal
// preferential rates by partner (OTT team worksheet), and the pharmaceutical intermediates annex.
// Pure; every problem names the file, the row or key and the field.
import { parse } from 'csv-parse/sync';

/** One quantity a declaration of the code reports, decoded from CHIEF notation ("2030" = quantity 2, CHIEF unit 030). */
export interface QuantityUnit {
  quantity: number;
  /** CDS measurement unit (+ qualifier), e.g. "NAR", "KGM", "LPA"; "" when the CHIEF code is not in the unit map (said, not guessed). */
  unit: string;
  chiefCode: string;
}

/**
 * `supp_units.json` ({"0101210000":{"unit1":"1023","unit2":"2030","unit3":"0000"}}) decoded with
 * the CHIEF unit map (`KGM,,023`: unit, qualifier, CHIEF code). "0000" = no such quantity. A
 * CHIEF code the map does not know keeps its code with unit "" (never a guessed unit).
 */
export function parseSupplementaryUnits(source: string, json: string, chiefMapCsv: string): Map<string, QuantityUnit[]> {
  const map = new Map<string, string>();
  for (const r of parse(chiefMapCsv, { columns: false, skip_empty_lines: true, relax_column_count: true, trim: true }) as string[][]) {
    const [unit, qualifier, code, note] = r;
    // Several CDS units map to one CHIEF code; the rows noted "Not found" are the ETF's fallbacks,
    // so the first row without a note is the unit the code stands for.
    if (!unit || !code || !/^\d{3}$/.test(code)) continue;
    if (!note && !map.has(code)) map.set(code, `${unit}${qualifier ?? ''}`);
  }
  let doc: Record<string, Record<string, string>>;
  try {
    doc = JSON.parse(json);
  } catch (e) {
    throw new Error(`${source}: not JSON (${(e as Error).message})`);
  }
  const out = new Map<string, QuantityUnit[]>();
  for (const [code, slots] of Object.entries(doc)) {
    if (!/^\d{10}$/.test(code)) throw new Error(`${source}: key "${code}" is not a 10-digit commodity code`);
    const units: QuantityUnit[] = [];
    for (const [field, v] of Object.entries(slots)) {
      if (v === '0000') continue;
      const m = /^([1-3])(\d{3})$/.exec(v);
      if (!m) throw new Error(`${source}: ${code}.${field}: "${v}" is not CHIEF notation (quantity digit + 3-digit unit code)`);
      units.push({ quantity: Number(m[1]), unit: map.get(m[2]!) ?? '', chiefCode: m[2]! });
    }
    out.set(
      code,
      units.sort((a, b) => a.quantity - b.quantity),
    );
  }
  return out;
}

/** A seasonal preferential rate for a partner: goods code (or its heading), dd/mm season, duty. */
export interface SeasonalPreference {
  geographicalArea: string;
  goodsCode: string;
  measureType: string;
  /** "MM-DD" bounds, inclusive (a season may wrap the year end). */
  from: string;
  to: string;
  expression: string;
}

export function parseSeasonalPreferences(source: string, csv: string): SeasonalPreference[] {
  const rows = parse(csv, { columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
  const md = (s: string, where: string) => {
    // The worksheet writes "15/4" as well as "15/04".
    const m = /^(\d{1,2})\/(\d{1,2})$/.exec(s);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 12 || Number(m[1]) < 1 || Number(m[1]) > 31) throw new Error(`${where}: "${s}" is not dd/mm`);
    return `${m[2]!.padStart(2, '0')}-${m[1]!.padStart(2, '0')}`;
  };
  return rows.map((r, i) => {
    const where = `${source}: row ${i + 2}`;
    const goodsCode = r.goods_nomenclature_item_id ?? '';
    if (!/^\d{10}$/.test(goodsCode)) throw new Error(`${where} field goods_nomenclature_item_id: "${goodsCode}" is not 10 digits`);
    if (!/^[0-9A-Z]{2,4}$/.test(r.geographical_area_id ?? '')) throw new Error(`${where} field geographical_area_id: "${r.geographical_area_id}" is not an area id`);
    return {
      geographicalArea: r.geographical_area_id!,
      goodsCode,
      measureType: r.measure_type_id ?? '',
      from: md(r.from ?? '', `${where} field from`),
      to: md(r.to ?? '', `${where} field to`),
      expression: r.duty ?? '',
    };
  });
}

/** Does a goods line of the worksheet cover the code? Trailing "00" pairs stand for the whole heading/subheading. */
export function goodsCovers(goodsCode: string, code: string): boolean {
  const prefix = goodsCode.replace(/(00)+$/, '');
  return code.startsWith(prefix);
}

/** Pharmaceutical intermediates annex (Annex 6): CN8 → names (with CAS numbers). */
export function parsePharmaIntermediates(csv: string): Map<string, string[]> {
  const rows = parse(csv, { columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
  const out = new Map<string, string[]>();
  for (const r of rows) {
    const cn8 = (r.goods_nomenclature_item_id ?? '').replace(/\s+/g, '');
    if (!/^\d{8}$/.test(cn8)) continue;
    out.set(cn8, [...(out.get(cn8) ?? []), r.casrn ? `${r.name} (CAS ${r.casrn})` : (r.name ?? '')]);
  }
  return out;
}
