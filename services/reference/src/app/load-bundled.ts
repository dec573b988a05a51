import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseCountries, parseCodeDescriptionList, parseCpcCombos, parseCurrencies, parseDocumentCodes, parsePharmaInn, parsePreferenceCodes, parseSchemes, parseSeasonalRates, parseTaxTypes, parseUnits } from '../parse/codes';
import { parseNormalisedFxCsv } from '../parse/fx';
import { ReferenceStore } from './store';

/** The bundled files the store is built from (relative to the data folder; see data/SOURCES.md). */
export const BUNDLED_FILES = {
  nomenclature: 'tariff/uk-tariff-2021-01-01--v4.0.1205--commodities-report.csv',
  ukgt: 'tariff/ukgt_2021-01-01_global-uk-tariff.csv',
  seasonal: 'tariff/seasonal_rates.csv',
  pharma: 'tariff/pharma_annex3_inn_duty_free.csv',
  fx: 'exchange_rates/hmrc_monthly_rates_2020-01_to_2023-08.csv',
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
  const fx = read(f.fx);
  store.loadMonthlyFx(name(f.fx), fx, parseNormalisedFxCsv(f.fx, fx));
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
  return store;
}
