import * as fs from 'node:fs';
import * as path from 'node:path';
import { ReferenceStore } from './store';
import { parseNormalisedFxCsv } from '../parse/fx';

const data = path.resolve(__dirname, '../../data');
const store = new ReferenceStore();
store.loadNomenclature('commodities-report', fs.readFileSync(path.join(data, 'tariff/uk-tariff-2021-01-01--v4.0.1205--commodities-report.csv'), 'utf8'));
store.loadUkgt('ukgt', fs.readFileSync(path.join(data, 'tariff/ukgt_2021-01-01_global-uk-tariff.csv'), 'utf8'));
const fxCsv = fs.readFileSync(path.join(data, 'exchange_rates/hmrc_monthly_rates_2020-01_to_2023-08.csv'), 'utf8');
store.loadMonthlyFx('hmrc-monthly', fxCsv, parseNormalisedFxCsv('hmrc-monthly', fxCsv));

describe('ReferenceStore on the bundled UK data', () => {
  it('knows a declarable leaf code and its UKGT rate (8510900000 parts of shavers, 2.0%)', () => {
    const r = store.commodity('8510900000', '2024-11-14');
    expect(r).toMatchObject({ known: true, declarableOnDate: true, description: 'Parts', validityStart: '1972-01-01', validityEnd: '', thirdCountryDuty: '2.0%' });
    expect(r.datasetVersion).toMatch(/^commodities-report@[0-9a-f]{12}$/);
  });

  it('says a heading is not declarable and an unknown code is unknown', () => {
    expect(store.commodity('8510000000', '2024-01-01')).toMatchObject({ known: true, declarableOnDate: false });
    expect(store.commodity('9999999999', '2024-01-01')).toMatchObject({ known: false, declarableOnDate: false });
  });

  it('is not declarable before its validity start', () => {
    expect(store.commodity('8510900000', '1971-06-30')).toMatchObject({ known: true, declarableOnDate: false });
  });

  it('returns the HMRC monthly rate for the month of the date (EUR Jan 2023 = 1.1652, USD 1.2406)', () => {
    expect(store.fx('EUR', '2023-01-17')).toMatchObject({ known: true, unitsPerGbp: '1.1652', period: '2023-01' });
    expect(store.fx('usd', '2023-01-31')).toMatchObject({ known: true, unitsPerGbp: '1.2406' });
  });

  it('says unknown outside the covered months rather than guessing', () => {
    expect(store.fx('EUR', '2024-11-14')).toMatchObject({ known: false, unitsPerGbp: '' });
    expect(store.fx('GBP', '2030-01-01')).toMatchObject({ known: true, unitsPerGbp: '1' });
  });
});
