import * as fs from 'node:fs';
import * as path from 'node:path';
import { collapseByMajority, parseHmrcMonthlyJson } from '../parse/fx';
import { fxMonthsBehind } from './fx-freshness';
import { loadBundledFx } from './load-bundled';
import { ReferenceStore } from './store';

const data = path.resolve(__dirname, '../../data');
const read = (rel: string) => fs.readFileSync(path.join(data, rel), 'utf8');
const bundled = loadBundledFx(data, read);
const store = new ReferenceStore();
store.loadMonthlyFx(bundled.source, bundled.content, bundled.rows);

describe('bundled HMRC monthly exchange rates 2014-02 … 2026-10', () => {
  it('names the months it covers in its version, so it is never presented as newer than it is', () => {
    expect(bundled.source).toBe('hmrc-monthly-fx-2014-02_to_2026-10');
    expect(store.version('fx')).toMatch(/^hmrc-monthly-fx-2014-02_to_2026-10@[0-9a-f]{12}$/);
    expect(store.fxCoverage()).toEqual({ from: '2014-02-01', to: '2026-10-31' });
  });

  it('prices a 2026 EUR date with that month’s HMRC rate (XML 2026-03 1.1469; JSON 2026-10 1.1665)', () => {
    expect(store.fx('EUR', '2026-03-15')).toMatchObject({ known: true, unitsPerGbp: '1.1469', period: '2026-03', unknownReason: '' });
    expect(store.fx('EUR', '2026-10-31')).toMatchObject({ known: true, unitsPerGbp: '1.1665', period: '2026-10' });
  });

  it('takes HMRC’s amended value over the older bundled file (MUR 2023-08: 58.2467, not 28.2467)', () => {
    expect(read('exchange_rates/hmrc_monthly_rates_2020-01_to_2023-08.csv')).toContain('MUR,2023-08-01,2023-08-31,28.2467');
    expect(store.fx('MUR', '2023-08-10')).toMatchObject({ known: true, unitsPerGbp: '58.2467' });
  });

  it('keeps LRD for 2021–2023 from HMRC’s original publication, which the later re-publication dropped', () => {
    expect(read('exchange_rates/hmrc_monthly_xml/2022-05.xml')).not.toContain('<currencyCode>LRD</currencyCode>');
    expect(store.fx('LRD', '2022-05-01')).toMatchObject({ known: true, unitsPerGbp: '1.3048', period: '2022-05' });
  });

  it('resolves the one month where countries disagree by majority, and says so (XCD 2015-04: 3.9831 over Montserrat’s 3.983)', () => {
    expect(store.fx('XCD', '2015-04-20')).toMatchObject({ known: true, unitsPerGbp: '3.9831' });
    expect(bundled.disagreements).toEqual(['exchange_rates/hmrc_monthly_xml/2015-04.xml: XCD 2015-04-01..2015-04-30: kept 3.9831 (6 countries) over 3.983 (1)']);
  });

  it('answers a month not loaded as unknown with the reason, never a neighbouring month’s rate', () => {
    const nov = store.fx('EUR', '2026-11-02');
    expect(nov).toMatchObject({ known: false, unitsPerGbp: '', period: '' });
    expect(nov.unknownReason).toBe("HMRC rates for 2026-11 are not loaded (latest month loaded: 2026-10); load HMRC's monthly file for that month (POST /v1/admin/fx-loads or an OTT sync)");
    expect(store.fx('EUR', '2014-01-31').unknownReason).toBe('no HMRC rates are held before 2014-02');
    expect(store.fx('XYZ', '2024-01-01').unknownReason).toBe('HMRC publishes no monthly rate for XYZ in the loaded months (2014-02..2026-10)');
    expect(new ReferenceStore().fx('EUR', '2024-01-01').unknownReason).toBe('no HMRC exchange rates are loaded');
  });

  it('measures staleness in months behind the calendar (the operational signal)', () => {
    expect(fxMonthsBehind('2026-10-31', '2026-10-01')).toEqual({ behind: 0, latest: '2026-10' });
    expect(fxMonthsBehind('2026-10-31', '2026-12-02')).toEqual({ behind: 2, latest: '2026-10' });
    expect(fxMonthsBehind('2026-12-31', '2027-01-01')).toEqual({ behind: 1, latest: '2026-12' });
    expect(fxMonthsBehind(undefined, '2026-12-02')).toEqual({ behind: 999, latest: '' });
  });
});

describe('HMRC monthly JSON and per-country collapsing', () => {
  it('parses a month and refuses non-decimal rates, a non-GBP base and bad periods by field', () => {
    expect(parseHmrcMonthlyJson('m.json', '{"base":"GBP","period":{"start":"2026-10-01","end":"2026-10-31"},"rates":{"eur":"1.1665"}}')).toEqual([
      { currency: 'EUR', start: '2026-10-01', end: '2026-10-31', rate: '1.1665' },
    ]);
    expect(() => parseHmrcMonthlyJson('m.json', '{"base":"GBP","period":{"start":"2026-10-01","end":"2026-10-31"},"rates":{"EUR":1.1665}}')).toThrow(
      'm.json: rates.EUR: 1.1665 is not a decimal string',
    );
    expect(() => parseHmrcMonthlyJson('m.json', '{"base":"EUR","period":{"start":"2026-10-01","end":"2026-10-31"},"rates":{"GBP":"0.8"}}')).toThrow('m.json: field base: "EUR" is not "GBP"');
    expect(() => parseHmrcMonthlyJson('m.json', '{"base":"GBP","period":{"start":"1/10/2026"},"rates":{"EUR":"1"}}')).toThrow('m.json: field period');
    expect(() => parseHmrcMonthlyJson('m.json', 'nope')).toThrow('m.json: not JSON');
  });

  it('refuses an even split between countries rather than picking one', () => {
    const row = (rate: string) => ({ currency: 'XCD', start: '2015-04-01', end: '2015-04-30', rate });
    expect(() => collapseByMajority('x.xml', [row('1'), row('2')])).toThrow('x.xml: XCD 2015-04-01..2015-04-30: countries split evenly between rates 1 (1), 2 (1)');
    expect(collapseByMajority('x.xml', [row('1'), row('1')])).toEqual({ rows: [row('1')], disagreements: [] });
  });
});
