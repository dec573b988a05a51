import * as fs from 'node:fs';
import * as path from 'node:path';
import { ReferenceStore } from './store';

/** The bundled files the store is built from (relative to the data folder). */
export const BUNDLED_FILES = {
  nomenclature: 'tariff/uk-tariff-2021-01-01--v4.0.1205--commodities-report.csv',
  ukgt: 'tariff/ukgt_2021-01-01_global-uk-tariff.csv',
  fx: 'exchange_rates/hmrc_monthly_rates_2020-01_to_2023-08.csv',
};

/** Reads the bundled data folder into a store (the only file I/O of the reference data). */
export function loadBundledStore(dataDir: string): ReferenceStore {
  const read = (rel: string) => {
    const p = path.join(dataDir, rel);
    if (!fs.existsSync(p)) throw new Error(`reference data file missing: ${p} (REFERENCE_DATA_DIR=${dataDir})`);
    return fs.readFileSync(p, 'utf8');
  };
  const store = new ReferenceStore();
  store.loadNomenclature(path.basename(BUNDLED_FILES.nomenclature, '.csv'), read(BUNDLED_FILES.nomenclature));
  store.loadUkgt(path.basename(BUNDLED_FILES.ukgt, '.csv'), read(BUNDLED_FILES.ukgt));
  store.loadMonthlyFx(path.basename(BUNDLED_FILES.fx, '.csv'), read(BUNDLED_FILES.fx));
  return store;
}
