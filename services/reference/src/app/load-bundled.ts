import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  parseCountries,
  parseCodeDescriptionList,
  parseCpcCombos,
  parseCurrencies,
  parseDocumentCodes,
  parsePharmaInn,
  parsePreferenceCodes,
  parseSchemes,
  parseSeasonalRates,
  parseTaxTypes,
  parseUnits,
} from '../parse/codes';
import { collapseByMajority, parseHmrcMonthlyJson, parseHmrcMonthlyXml, parseNormalisedFxCsv, type FxRow } from '../parse/fx';
import { datasetVersion, ReferenceStore } from './store';
import { parsePharmaIntermediates, parseSeasonalPreferences, parseSupplementaryUnits } from '../parse/bundled-extra';
import { parseOttApiJson } from '../parse/ott';

/** The bundled files the store is built from (relative to the data folder; see data/SOURCES.md). */
export const BUNDLED_FILES = {
  nomenclature: 'tariff/uk-tariff-2021-01-01--v4.0.1205--commodities-report.csv',
  ukgt: 'tariff/ukgt_2021-01-01_global-uk-tariff.csv',
  seasonal: 'tariff/seasonal_rates.csv',
  pharma: 'tariff/pharma_annex3_inn_duty_free.csv',
  fx: 'exchange_rates/hmrc_monthly_rates_2020-01_to_2023-08.csv',
  /** HMRC monthly XML, one file per month YYYY-MM.xml (2014-02 …), amended values as re-published. */
  fxXml: 'exchange_rates/hmrc_monthly_xml',
  /** Months after the last XML (YYYY-MM.json, first-published values converted from HMRC's XML). */
  fxJson: 'exchange_rates/hmrc_monthly_json',
  currencies: 'exchange_rates/currency.csv',
  taxTypes: 'codes/measure_type_to_tax_type.csv',
  preference: 'codes/preference_codes_DE4-17.json',
  preferenceLong: 'codes/preference_codes_DE4-17_long.tsv',
  cpcCombos: 'codes/cpc/cpc-combos.json',
  apcs: 'codes/cpc/apcs.json',
  documents: 'codes/documents/appendix5a_document_codes_all.json',
  documentGuidance: 'codes/documents/document_code_guidance_cds_chief.json',
  countries: 'codes/geo/countries.json',
  geoAreas: 'codes/geo/geographical_areas.json',
  units: 'codes/units/measurement_units.json',
  supplementaryUnits: 'codes/units/supplementary_units.json',
  schemes: 'origin/roo_schemes_uk.json',
  /** Electronic Tariff File per-commodity supplementary units, content of 2022-04-29 (CHIEF notation + unit map). */
  suppUnits: 'tariff/etf_supp_units_by_commodity.json',
  suppUnitsChiefMap: 'tariff/etf_supplementary_units_chief_map.csv',
  /** OTT team worksheet of seasonal preferential (142) rates by partner, 2023-10-27. */
  seasonalPreferences: 'tariff/seasonal_preferential_measures.csv',
  /** Pharmaceutical intermediates annex (Annex 6), trade-tariff-backend file of 2023-03-06. */
  pharmaIntermediates: 'tariff/pharma_annex6_intermediates.csv',
  /** Recorded OTT API commodity responses (uk__commodities__CODE_asofYYYY-MM-DD.json), loaded as snapshots of their as-of date. */
  ottRecorded: 'tariff/ott_recorded_2025',
  proofCodes: 'origin/proof_document_codes.csv',
};

/** Reads the bundled data folder into a store (the only file I/O of the bundled reference data). */
export function loadBundledStore(dataDir: string): ReferenceStore {
  const read = (rel: string) => {
    const p = path.join(dataDir, rel);
    if (!fs.existsSync(p)) throw new Error(`reference data file missing: ${p} (REFERENCE_DATA_DIR=${dataDir})`);
    return fs.readFileSync(p, 'utf8');
  };
  const name = (rel: string) => path.basename(rel).replace(/\.[a-z]+$/, '');
  const f = BUNDLED_FILES;
  const store = new ReferenceStore();
  store.loadNomenclature(name(f.nomenclature), read(f.nomenclature));
  store.loadUkgt(name(f.ukgt), read(f.ukgt));
  const seasonal = read(f.seasonal);
  store.loadSeasonal(name(f.seasonal), seasonal, parseSeasonalRates(f.seasonal, seasonal));
  const pharma = read(f.pharma);
  store.loadPharmaInn(name(f.pharma), pharma, parsePharmaInn(pharma));
  const fx = loadBundledFx(dataDir, read);
  store.loadMonthlyFx(fx.source, fx.content, fx.rows);
  const taxTypes = read(f.taxTypes);
  store.loadTaxTypes(name(f.taxTypes), taxTypes, parseTaxTypes(taxTypes));
  const schemes = read(f.schemes);
  const proofCodes = read(f.proofCodes);
  store.loadSchemes(name(f.schemes), schemes + proofCodes, parseSchemes(schemes, proofCodes));
  const cpc = read(f.cpcCombos);
  store.loadCpc(name(f.cpcCombos), cpc, parseCpcCombos(cpc));
  const apcs = read(f.apcs);
  store.loadCodeList('apc', name(f.apcs), apcs, parseCodeDescriptionList(apcs));
  const [docs, guidance] = [read(f.documents), read(f.documentGuidance)];
  store.loadDocuments(name(f.documents), docs + guidance, parseDocumentCodes(docs, guidance));
  const [pref, prefLong] = [read(f.preference), read(f.preferenceLong)];
  store.loadCodeList('preference', name(f.preference), pref + prefLong, parsePreferenceCodes(pref, prefLong));
  const [countries, geo] = [read(f.countries), read(f.geoAreas)];
  store.loadCodeList('country', name(f.countries), countries + geo, parseCountries(countries, geo));
  const [units, supp] = [read(f.units), read(f.supplementaryUnits)];
  store.loadCodeList('unit', name(f.units), units + supp, parseUnits(units, supp));
  const currencies = read(f.currencies);
  store.loadCodeList('currency', name(f.currencies), currencies, parseCurrencies(currencies));
  // Dated extras: each dataset's source names the date of its content, never the load's.
  const [suppByCode, chief] = [read(f.suppUnits), read(f.suppUnitsChiefMap)];
  store.loadSupplementaryUnits('etf-supp-units-2022-04-29', suppByCode + chief, parseSupplementaryUnits(f.suppUnits, suppByCode, chief), '2022-04-29');
  const seasonalPref = read(f.seasonalPreferences);
  store.loadSeasonalPreferences('seasonal-preferential-measures-2023-10-27', seasonalPref, parseSeasonalPreferences(f.seasonalPreferences, seasonalPref), '2023-10-27');
  const intermediates = read(f.pharmaIntermediates);
  store.loadPharmaIntermediates('pharma-annex6-intermediates-2023-03-06', intermediates, parsePharmaIntermediates(intermediates), '2023-03-06');
  loadRecordedOtt(dataDir, store);
  return store;
}

/**
 * The bundled HMRC monthly rates as one dataset, layered oldest source first so a later source
 * wins for the same currency and month: the 2020-01..2023-08 normalised file (which still holds
 * LRD and VEF, dropped from HMRC's later re-publications of those months), then HMRC's monthly XML
 * (2014-02 on, with amended months as HMRC corrected them, e.g. HRK 2021-12, MUR 2023-08), then
 * the JSON months after the last XML. The version's source names the months covered, so the data
 * is never presented as newer than it is.
 */
export function loadBundledFx(dataDir: string, read: (rel: string) => string): { source: string; content: string; rows: FxRow[]; disagreements: string[] } {
  const f = BUNDLED_FILES;
  const monthFiles = (dir: string, ext: string) => {
    const p = path.join(dataDir, dir);
    if (!fs.existsSync(p)) throw new Error(`reference data folder missing: ${p} (REFERENCE_DATA_DIR=${dataDir})`);
    const files = fs
      .readdirSync(p)
      .filter((n) => n.endsWith(ext))
      .sort();
    for (const n of files) if (!/^\d{4}-\d{2}\./.test(n)) throw new Error(`${dir}/${n}: expected a YYYY-MM${ext} file name`);
    return files.map((n) => `${dir}/${n}`);
  };
  const parts: string[] = [];
  const rows: FxRow[] = [];
  const disagreements: string[] = [];
  const csv = read(f.fx);
  parts.push(csv);
  rows.push(...parseNormalisedFxCsv(f.fx, csv));
  const xmlMonths = new Set<string>();
  for (const rel of monthFiles(f.fxXml, '.xml')) {
    const xml = read(rel);
    parts.push(xml);
    const month = collapseByMajority(rel, parseHmrcMonthlyXml(rel, xml));
    const expected = path.basename(rel).slice(0, 7);
    if (month.rows.some((r) => r.start.slice(0, 7) !== expected)) throw new Error(`${rel}: Period ${month.rows[0]!.start}..${month.rows[0]!.end} does not match the file name's month ${expected}`);
    xmlMonths.add(expected);
    rows.push(...month.rows);
    disagreements.push(...month.disagreements);
  }
  for (const rel of monthFiles(f.fxJson, '.json')) {
    const expected = path.basename(rel).slice(0, 7);
    // The XML is the amended publication: a JSON month never overrides it.
    if (xmlMonths.has(expected)) continue;
    const json = read(rel);
    parts.push(json);
    const month = parseHmrcMonthlyJson(rel, json);
    if (month.some((r) => r.start.slice(0, 7) !== expected)) throw new Error(`${rel}: period ${month[0]!.start}..${month[0]!.end} does not match the file name's month ${expected}`);
    rows.push(...month);
  }
  const from = rows.reduce((m, r) => (!m || r.start < m ? r.start : m), '');
  const to = rows.reduce((m, r) => (r.end > m ? r.end : m), '');
  return { source: `hmrc-monthly-fx-${from.slice(0, 7)}_to_${to.slice(0, 7)}`, content: parts.join('\n'), rows, disagreements };
}

/**
 * The recorded OTT API commodity responses bundled under tariff/ott_recorded_2025 (real 2025
 * tariff data: preferences, quotas, suspensions, remedies of a few codes), as one OTT dataset whose
 * source names its as-of dates; each code is complete only from its response's as-of date on.
 */
function loadRecordedOtt(dataDir: string, store: ReferenceStore): void {
  const dir = path.join(dataDir, BUNDLED_FILES.ottRecorded);
  if (!fs.existsSync(dir)) throw new Error(`reference data folder missing: ${dir} (REFERENCE_DATA_DIR=${dataDir})`);
  const files = fs
    .readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .sort();
  const parts: string[] = [];
  const coverage = new Map<string, string>();
  const imports = files.map((n) => {
    const m = /^uk__commodities__(\d{10})_asof(\d{4}-\d{2}-\d{2})\.json$/.exec(n);
    if (!m) throw new Error(`${BUNDLED_FILES.ottRecorded}/${n}: expected uk__commodities__CODE_asofYYYY-MM-DD.json`);
    const text = fs.readFileSync(path.join(dir, n), 'utf8');
    parts.push(text);
    const imp = parseOttApiJson(`${BUNDLED_FILES.ottRecorded}/${n}`, text);
    if (!imp.commodityCodes.includes(m[1]!)) throw new Error(`${BUNDLED_FILES.ottRecorded}/${n}: the response is for ${imp.commodityCodes.join(', ')}, not ${m[1]}`);
    coverage.set(m[1]!, m[2]!);
    return imp;
  });
  if (imports.length === 0) return;
  const dates = [...new Set(coverage.values())].sort();
  const source = `ott-api-recorded-${dates[0]}_to_${dates.at(-1)}`;
  const version = datasetVersion(source, parts.join('\n'));
  const groups = new Map<string, string[]>();
  for (const imp of imports) for (const [g, members] of imp.groups) groups.set(g, members);
  const measures = imports.flatMap((imp) => imp.measures.map((m) => ({ ...m, datasetVersion: version })));
  store.applyOttLoad({ dataset: 'ott-measures', version, source, rows: measures.length }, measures, groups, coverage);
}
