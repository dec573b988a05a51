import { parse } from 'csv-parse/sync';
import { readFirstSheet } from '@customs/spreadsheet';

/**
 * Importers for the UK Online Trade Tariff (OTT): the API v2 commodity response and the daily
 * "declarable commodities with duty measures" report. Pure: content in, measures out; every
 * problem names the source, the row or measure, and the field.
 */

/** One tariff measure on one declarable commodity, as published. */
export interface OttMeasure {
  /** Measure SID (stable identity across loads). */
  sid: string;
  commodityCode: string;
  measureType: string;
  /** "1011" erga omnes, a group id ("1013") or an ISO alpha-2 country. */
  geographicalArea: string;
  /** Areas the measure excludes (e.g. a country removed from a group). */
  excludedAreas: string[];
  /** Duty expression as published ("8.00 %", "10.00% + 77.00 GBP / 100 kg"); for 109 the unit. */
  expression: string;
  additionalCode: string;
  /** "YYYY-MM-DD". */
  validFrom: string;
  /** "YYYY-MM-DD", "" = open-ended. */
  validTo: string;
  quotaOrderNumber: string;
}

/** What one OTT file contributes: measures, the codes it covers, and group memberships it states. */
export interface OttImport {
  format: 'ott-api-jsonapi' | 'ott-api-flat' | 'ott-geographical-areas' | 'ott-declarable-duties';
  /** Commodity codes the file is authoritative for (measures of these codes are replaced by it). */
  commodityCodes: string[];
  measures: OttMeasure[];
  /** Group id → member areas, as stated in the file. */
  groups: Map<string, string[]>;
}

/** A load was refused: every problem found, each naming where and why. */
export class OttImportError extends Error {
  constructor(
    readonly source: string,
    readonly issues: string[],
  ) {
    super(`${source}: ${issues.length} problem(s): ${issues.slice(0, 5).join('; ')}${issues.length > 5 ? ' …' : ''}`);
  }
}

const DATE = /^\d{4}-\d{2}-\d{2}/;
const CODE10 = /^\d{10}$/;
const MEASURE_TYPE = /^[0-9A-Z]{3}$/;

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v)).trim();

/** "2021-03-31T00:00:00.000Z" or "2021-03-31" → "2021-03-31"; "" stays ""; anything else → undefined. */
function isoDate(v: unknown): string | undefined {
  const s = str(v);
  if (s === '') return '';
  return DATE.test(s) ? s.slice(0, 10) : undefined;
}

/**
 * A supplementary-unit measure (109) publishes no duty expression, only its unit in the measure
 * components: "NAR", "LTR", or code + qualifier such as "ASVX".
 */
function unitOf(components: Json[], measureType: string): string {
  if (measureType !== '109') return '';
  const c = components.find((x) => str(x.measurement_unit_code));
  return c ? `${str(c.measurement_unit_code)}${str(c.measurement_unit_qualifier_code)}` : '';
}

function checkMeasure(m: OttMeasure, where: string, issues: string[]): boolean {
  const before = issues.length;
  if (!CODE10.test(m.commodityCode)) issues.push(`${where} field commodity code: "${m.commodityCode}" is not 10 digits`);
  if (!MEASURE_TYPE.test(m.measureType)) issues.push(`${where} field measure type: "${m.measureType}" is not a 3-character measure type id`);
  if (!m.geographicalArea) issues.push(`${where} field geographical area: missing`);
  if (!m.validFrom) issues.push(`${where} field effective start date: missing or not YYYY-MM-DD`);
  if (m.validTo && m.validTo < m.validFrom) issues.push(`${where} field effective end date: ${m.validTo} is before the start ${m.validFrom}`);
  return issues.length === before;
}

/**
 * Parses an OTT API v2 response: a commodity (JSON:API `data` + `included`, or the flattened
 * shape the OTT duty calculator stores), or the `/geographical_areas` list (group memberships).
 * Only import measures are kept.
 */
export function parseOttApiJson(source: string, text: string): OttImport {
  let doc: Json;
  try {
    doc = obj(JSON.parse(text));
  } catch (e) {
    throw new OttImportError(source, [`not JSON: ${(e as Error).message}`]);
  }
  if ('data' in doc) return Array.isArray(doc.data) ? parseGeoAreas(source, doc) : parseJsonApiCommodity(source, doc);
  if ('import_measures' in doc) return parseFlatCommodity(source, doc);
  throw new OttImportError(source, ['neither a JSON:API document (no "data") nor an OTT commodity (no "import_measures")']);
}

function parseFlatCommodity(source: string, doc: Json): OttImport {
  const code = str(doc.goods_nomenclature_item_id);
  const issues: string[] = [];
  if (!CODE10.test(code)) issues.push(`field goods_nomenclature_item_id: "${code}" is not 10 digits`);
  const measures: OttMeasure[] = [];
  const groups = new Map<string, string[]>();
  arr(doc.import_measures).forEach((raw, i) => {
    const m = obj(raw);
    if (m.import === false) return;
    const area = obj(m.geographical_area);
    const areaId = str(area.geographical_area_id ?? area.id);
    const children = arr(area.children_geographical_areas)
      .map((c) => str(obj(c).geographical_area_id ?? obj(c).id))
      .filter(Boolean);
    if (children.length > 0) groups.set(areaId, children);
    const validFrom = isoDate(m.effective_start_date);
    const validTo = isoDate(m.effective_end_date);
    const where = `import_measures[${i}] (measure ${str(m.id)})`;
    if (validFrom === undefined || validTo === undefined) {
      issues.push(`${where} field effective_start_date/effective_end_date: not an ISO date`);
      return;
    }
    const measure: OttMeasure = {
      sid: str(m.id),
      commodityCode: code,
      measureType: str(obj(m.measure_type).id),
      geographicalArea: areaId,
      excludedAreas: arr(m.excluded_countries)
        .map((c) => str(obj(c).geographical_area_id ?? obj(c).id))
        .filter(Boolean),
      expression: str(obj(m.duty_expression).base) || unitOf(arr(m.measure_components).map(obj), str(obj(m.measure_type).id)),
      additionalCode: str(obj(m.additional_code).code),
      validFrom,
      validTo,
      quotaOrderNumber: str(obj(m.order_number).number),
    };
    if (checkMeasure(measure, where, issues)) measures.push(measure);
  });
  if (issues.length) throw new OttImportError(source, issues);
  return { format: 'ott-api-flat', commodityCodes: [code], measures, groups };
}

function parseJsonApiCommodity(source: string, doc: Json): OttImport {
  const data = obj(doc.data);
  const attrs = obj(data.attributes);
  const code = str(attrs.goods_nomenclature_item_id);
  const issues: string[] = [];
  if (!CODE10.test(code)) issues.push(`field data.attributes.goods_nomenclature_item_id: "${code}" is not 10 digits`);
  // JSON:API: relationships point at (type, id) pairs resolved in `included`.
  const included = new Map<string, Json>();
  for (const r of arr(doc.included)) included.set(`${str(obj(r).type)}/${str(obj(r).id)}`, obj(r));
  const ref = (rel: unknown): Json | undefined => {
    const d = obj(obj(rel).data);
    return included.get(`${str(d.type)}/${str(d.id)}`);
  };
  const refId = (rel: unknown): string => str(obj(obj(rel).data).id);
  const areaId = (rel: unknown): string => {
    const ga = ref(rel);
    return str(obj(ga?.attributes).geographical_area_id) || refId(rel);
  };
  const groups = new Map<string, string[]>();
  for (const r of included.values()) {
    if (str(r.type) !== 'geographical_area') continue;
    const kids = arr(obj(obj(r.relationships).children_geographical_areas).data)
      .map((k) => str(obj(k).id))
      .filter(Boolean);
    if (kids.length) groups.set(str(obj(r.attributes).geographical_area_id) || str(r.id), kids);
  }
  const measures: OttMeasure[] = [];
  const ids = arr(obj(obj(data.relationships).import_measures).data).map((d) => str(obj(d).id));
  ids.forEach((id, i) => {
    const where = `import_measures[${i}] (measure ${id})`;
    const m = included.get(`measure/${id}`);
    if (!m) {
      issues.push(`${where}: not found in "included"`);
      return;
    }
    const a = obj(m.attributes);
    const rel = obj(m.relationships);
    if (a.import === false) return;
    const validFrom = isoDate(a.effective_start_date);
    const validTo = isoDate(a.effective_end_date);
    if (validFrom === undefined || validTo === undefined) {
      issues.push(`${where} field effective_start_date/effective_end_date: not an ISO date`);
      return;
    }
    const duty = ref(rel.duty_expression);
    const additional = ref(rel.additional_code);
    const order = ref(rel.order_number);
    const measure: OttMeasure = {
      sid: id,
      commodityCode: code,
      measureType: str(obj(ref(rel.measure_type)?.attributes).id) || refId(rel.measure_type),
      geographicalArea: areaId(rel.geographical_area),
      excludedAreas: arr(obj(rel.excluded_countries).data).map((d) => {
        const ga = included.get(`geographical_area/${str(obj(d).id)}`);
        return str(obj(ga?.attributes).geographical_area_id) || str(obj(d).id);
      }),
      expression:
        str(obj(duty?.attributes).base) ||
        unitOf(
          arr(obj(rel.measure_components).data).map((d) => obj(included.get(`measure_component/${str(obj(d).id)}`)?.attributes)),
          str(obj(ref(rel.measure_type)?.attributes).id) || refId(rel.measure_type),
        ),
      additionalCode: str(obj(additional?.attributes).code),
      validFrom,
      validTo,
      quotaOrderNumber: str(obj(order?.attributes).number) || (order ? str(order.id) : ''),
    };
    if (checkMeasure(measure, where, issues)) measures.push(measure);
  });
  if (issues.length) throw new OttImportError(source, issues);
  return { format: 'ott-api-jsonapi', commodityCodes: [code], measures, groups };
}

function parseGeoAreas(source: string, doc: Json): OttImport {
  const groups = new Map<string, string[]>();
  for (const r of arr(doc.data)) {
    const g = obj(r);
    const kids = arr(obj(obj(g.relationships).children_geographical_areas).data)
      .map((k) => str(obj(k).id))
      .filter(Boolean);
    if (kids.length) groups.set(str(obj(g.attributes).geographical_area_id) || str(g.id), kids);
  }
  if (groups.size === 0) throw new OttImportError(source, ['geographical areas document states no group memberships (no children_geographical_areas)']);
  return { format: 'ott-geographical-areas', commodityCodes: [], measures: [], groups };
}

/**
 * Column layout of the OTT daily report `declarable_commodities_with_duty_measures_uk_YYYY_MM_DD`
 * (trade-tariff-backend app/lib/reporting/declarable_duties.rb HEADER_ROW); the DBT
 * "measures-on-declarable-commodities" table uses the same names with `id` first.
 */
export const DECLARABLE_DUTIES_COLUMNS = [
  'trackedmodel_ptr_id',
  'commodity__sid',
  'commodity__code',
  'commodity__indent',
  'commodity__description',
  'measure__sid',
  'measure__type__id',
  'measure__type__description',
  'measure__additional_code__code',
  'measure__additional_code__description',
  'measure__duty_expression',
  'measure__effective_start_date',
  'measure__effective_end_date',
  'measure_reduction_indicator',
  'measure__footnotes',
  'measure__conditions',
  'measure__geographical_area__sid',
  'measure__geographical_area__id',
  'measure__geographical_area__description',
  'measure__excluded_geographical_areas__ids',
  'measure__excluded_geographical_areas__descriptions',
  'measure__quota__order_number',
  'measure__quota__available',
  'measure__regulation__id',
  'measure__regulation__url',
] as const;

const REQUIRED = ['commodity__code', 'measure__sid', 'measure__type__id', 'measure__duty_expression', 'measure__effective_start_date', 'measure__effective_end_date', 'measure__geographical_area__id'];

/** Parses the declarable-duties report saved as CSV (header row with the report's column names). */
export function parseDeclarableDutiesCsv(source: string, text: string): OttImport {
  const rows = parse(text.replace(/^\uFEFF/, ''), { columns: true, skip_empty_lines: true, relax_column_count: false }) as Record<string, string>[];
  return parseDeclarableDutiesRecords(source, rows.length ? Object.keys(rows[0]!) : [], rows);
}

/** Parses the declarable-duties report as published (.xlsx, first sheet, header row first), on the calling thread. */
export function parseDeclarableDutiesXlsx(source: string, content: Buffer): OttImport {
  let table: string[][];
  try {
    table = readFirstSheet(source, content);
  } catch (e) {
    throw new OttImportError(source, [(e as Error).message]);
  }
  return parseDeclarableDutiesTable(source, table);
}

/** Parses the declarable-duties report's first sheet, read already (header row first). */
export function parseDeclarableDutiesTable(source: string, table: string[][]): OttImport {
  const [header = [], ...body] = table;
  const records = body.filter((r) => r.some((c) => c !== '')).map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
  return parseDeclarableDutiesRecords(source, header, records);
}

function parseDeclarableDutiesRecords(source: string, header: string[], rows: Record<string, string>[]): OttImport {
  const missing = REQUIRED.filter((c) => !header.includes(c));
  if (rows.length === 0) throw new OttImportError(source, ['no data rows']);
  if (missing.length) throw new OttImportError(source, [`header: missing column(s) ${missing.join(', ')} (expected the declarable_commodities_with_duty_measures layout)`]);
  const issues: string[] = [];
  const measures: OttMeasure[] = [];
  const codes = new Set<string>();
  rows.forEach((r, i) => {
    const where = `row ${i + 2}`;
    const validFrom = isoDate(r.measure__effective_start_date);
    const validTo = isoDate(r.measure__effective_end_date);
    if (validFrom === undefined) issues.push(`${where} field measure__effective_start_date: "${r.measure__effective_start_date}" is not YYYY-MM-DD`);
    if (validTo === undefined) issues.push(`${where} field measure__effective_end_date: "${r.measure__effective_end_date}" is not YYYY-MM-DD`);
    if (validFrom === undefined || validTo === undefined) return;
    const m: OttMeasure = {
      sid: str(r.measure__sid),
      commodityCode: str(r.commodity__code),
      measureType: str(r.measure__type__id),
      geographicalArea: str(r.measure__geographical_area__id),
      excludedAreas: str(r.measure__excluded_geographical_areas__ids)
        .split('|')
        .map((s) => s.trim())
        .filter(Boolean),
      expression: str(r.measure__duty_expression),
      additionalCode: str(r.measure__additional_code__code),
      validFrom,
      validTo,
      quotaOrderNumber: str(r.measure__quota__order_number),
    };
    if (!m.sid) issues.push(`${where} field measure__sid: missing`);
    if (checkMeasure(m, where, issues) && m.sid) {
      measures.push(m);
      codes.add(m.commodityCode);
    }
  });
  if (issues.length) throw new OttImportError(source, issues);
  return { format: 'ott-declarable-duties', commodityCodes: [...codes].sort(), measures, groups: new Map() };
}

const isZip = (buf: Buffer) => buf.subarray(0, 4).toString('latin1') === 'PK\u0003\u0004';

/** Picks the importer from the content: JSON → API response; .xlsx or CSV with the report header → daily report. */
export function parseOttFile(source: string, content: Buffer | string): OttImport {
  const buf = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  if (isZip(buf)) return parseDeclarableDutiesXlsx(source, buf);
  const text = buf.toString('utf8');
  const first = text.replace(/^\uFEFF/, '').trimStart()[0];
  if (first === '{') return parseOttApiJson(source, text);
  return parseDeclarableDutiesCsv(source, text);
}

/**
 * Reads the first sheet of an .xlsx report. The service and the CLI read on a bounded worker
 * thread (WorkbookWorkerPool.readRows), so that a hostile workbook is a refusal, not a frozen or
 * crashed process; its refusals (a cap, the time or memory limit) become the load's issue.
 */
export type SheetReader = (source: string, content: Buffer) => Promise<string[][]>;

/** parseOttFile, with an .xlsx report's sheet read by `readSheet` rather than on this thread. */
export async function parseOttFileWith(source: string, content: Buffer, readSheet: SheetReader): Promise<OttImport> {
  if (!isZip(content)) return parseOttFile(source, content);
  let table: string[][];
  try {
    table = await readSheet(source, content);
  } catch (e) {
    // A reader closed as the process stops is no verdict on the file: it fails as it is.
    if ((e as { reason?: string }).reason === 'closed') throw e;
    throw new OttImportError(source, [(e as Error).message]);
  }
  return parseDeclarableDutiesTable(source, table);
}
