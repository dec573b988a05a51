import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TariffChange } from '@customs/contracts';
import { MAX_EVENT_CHANGES, eventChanges, measureRole } from '../app/tariff-changes';
import { parseHmrcMonthlyXml } from '../parse/fx';
import { OttApiClient, retryAfterMs } from './client';
import { OttApiFormatError, parseChanges, parseExchangeRateMonth, parseGeographicalArea, parseNewsItems, parseQuotaDefinitions } from './parse';
import { OttApiStandIn } from './stand-in-server';

const fixtures = path.resolve(__dirname, '../../test/fixtures/ott-api-2025');
const read = (f: string) => fs.readFileSync(path.join(fixtures, f), 'utf8');

describe('OTT API v2 response parsers (recorded responses)', () => {
  it('reads the monthly exchange rates of a collection, one row per currency', () => {
    const rows = parseExchangeRateMonth('GET exchange_rates/2023-9', read('uk__exchange_rates__2023-9_type-monthly.json'));
    expect(rows.find((r) => r.currency === 'EUR')).toEqual({ currency: 'EUR', start: '2023-09-01', end: '2023-09-30', rate: '1.1683' });
    expect(new Set(rows.map((r) => r.currency)).size).toBe(rows.length);
    // The API serves HMRC's own month: every currency equals the bundled HMRC XML of 2023-09.
    const xml = parseHmrcMonthlyXml('2023-09.xml', fs.readFileSync(path.resolve(__dirname, '../../data/exchange_rates/hmrc_monthly_xml/2023-09.xml'), 'utf8'));
    const bundled = new Map(xml.map((r) => [r.currency, Number(r.rate)]));
    expect(rows.filter((r) => bundled.get(r.currency) !== Number(r.rate)).map((r) => `${r.currency} ${r.rate} vs ${bundled.get(r.currency)}`)).toEqual([]);
  });

  it('reads a group’s members, news notices with the codes they name, quota definitions and changes', () => {
    const eu = parseGeographicalArea('GET geographical_areas/1013', read('uk__geographical_areas__1013.json'));
    expect(eu).toMatchObject({ id: '1013', description: 'European Union' });
    expect(eu.members).toEqual(expect.arrayContaining(['AT', 'DE', 'FR', 'SE']));
    const news = parseNewsItems('GET news/items', read('uk__news__items_target-updates.json'));
    expect(news).toHaveLength(20);
    expect(news[0]).toMatchObject({
      id: '1721',
      published: '2025-07-10',
      commodityCodes: ['2710199990', '3204110090', '4412319000', '4412333000'],
      url: 'https://www.trade-tariff.service.gov.uk/news/stories/update-to-autonomous-suspension-coverage--10-july-2025-',
    });
    const quotas = parseQuotaDefinitions('GET quotas/search', read('uk__quotas__search.json'));
    expect(quotas[0]).toMatchObject({ orderNumber: '050671', validFrom: '2025-01-01', validTo: '2025-12-31', initialVolume: '95000.0', balance: '95000.0', status: 'Open' });
    expect(parseChanges('GET changes/2025-7-14', read('changes_2025-7-14.json')).map((c) => `${c.code} ${c.endLine}`)).toEqual(['0101210000 true', '2924297099 true', '0101000000 false']);
  });

  it('refuses what is not the documented shape, naming request and field', () => {
    expect(() => parseChanges('GET changes/x', '{"data":{}}')).toThrow(new OttApiFormatError('GET changes/x', 'field data: expected an array'));
    expect(() => parseChanges('GET changes/x', '{"data":[{"type":"change","attributes":{"goods_nomenclature_item_id":"12345"}}]}')).toThrow(
      'GET changes/x: data[0].attributes.goods_nomenclature_item_id: "12345" is not 10 digits',
    );
    expect(() =>
      parseExchangeRateMonth(
        'GET exchange_rates/2023-9',
        '{"data":{"type":"exchange_rate_collection"},"included":[{"type":"exchange_rate","attributes":{"currency_code":"EUR","rate":"1,16","validity_start_date":"2023-09-01","validity_end_date":"2023-09-30"}}]}',
      ),
    ).toThrow('field rate: "1,16" is not a decimal');
    expect(() => parseNewsItems('GET news/items', '{"data":[{"type":"news_item","attributes":{"start_date":"soon"}}]}')).toThrow('data[0].attributes.start_date: "soon" is not YYYY-MM-DD');
    expect(() => parseGeographicalArea('GET geographical_areas/1013', '{"data":{"type":"geographical_area","relationships":{}}}')).toThrow('children_geographical_areas.data: expected an array');
    expect(() => parseQuotaDefinitions('GET quotas/search', '{"data":[{"type":"definition","attributes":{"quota_order_number_id":"51"}}]}')).toThrow('"51" is not a 6-digit order number');
    expect(() => parseChanges('GET changes/x', '{"data":[')).toThrow(/GET changes\/x: not JSON/);
  });
});

describe('OTT API client: backoff, Retry-After, OAuth', () => {
  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(retryAfterMs('10', 0)).toBe(10_000);
    expect(retryAfterMs('Wed, 02 Dec 2026 15:00:30 GMT', Date.parse('2026-12-02T15:00:00Z'))).toBe(30_000);
    expect(retryAfterMs('soon', 0)).toBeUndefined();
    expect(retryAfterMs(null, 0)).toBeUndefined();
  });

  it('waits Retry-After (capped), backs off with jitter within bounds on 5xx, gives up after maxAttempts, renews the token on 401', async () => {
    const api = new OttApiStandIn({ fixturesDir: fixtures, clientId: 'id', clientSecret: 'secret' });
    const { baseUrl, tokenUrl } = await api.start();
    const waits: number[] = [];
    const client = new OttApiClient({
      baseUrl,
      tokenUrl,
      clientId: 'id',
      clientSecret: 'secret',
      scope: 'tariff/read',
      maxAttempts: 4,
      maxBackoffMs: 5_000,
      timeoutMs: 5_000,
      baseBackoffMs: 1_000,
      sleep: async (ms) => void waits.push(ms),
      random: () => 0.999,
    });
    try {
      api.fail('geographical_areas/1013', '429', '500', '500');
      expect(await client.get('geographical_areas/1013')).toContain('"European Union"');
      // 429: Retry-After 1 s; then 5xx backoff: full jitter under base·2^(n-1) = 2 s, 4 s.
      expect(waits).toEqual([1000, 1998, 3996]);
      expect(client.stats).toMatchObject({ requests: 4, retries: 3, rateLimited: 1, tokenRequests: 1 });

      api.fail('geographical_areas/1013', '500', '500', '500', '500');
      await expect(client.get('geographical_areas/1013')).rejects.toThrow('GET geographical_areas/1013: HTTP 500 after 4 attempt(s)');
      api.clearFaults();

      api.expireTokens();
      expect(await client.get('geographical_areas/1013')).toContain('"European Union"');
      expect(client.stats.tokenRequests).toBe(2);
      expect(await client.get('news/nothing', { allowNotFound: true })).toBeUndefined();
      await expect(client.get('news/nothing')).rejects.toThrow('GET news/nothing: HTTP 404');

      const wrong = new OttApiClient({ baseUrl, tokenUrl, clientId: 'id', clientSecret: 'wrong', scope: 'tariff/read', maxAttempts: 2, maxBackoffMs: 10, timeoutMs: 5_000 });
      await expect(wrong.get('geographical_areas/1013')).rejects.toThrow('token request refused (HTTP 401): check OTT_API_CLIENT_ID / OTT_API_CLIENT_SECRET');
    } finally {
      await api.stop();
    }
  });
});

describe('tariff changes on DatasetChanged', () => {
  const change = (measureType: string, i: number): TariffChange => ({
    commodityCode: String(i).padStart(10, '0'),
    geographicalArea: 'CN',
    excludedAreas: [],
    measureType,
    change: 'created',
    validFrom: '2025-01-01',
    validTo: '',
    expression: '10.00 %',
    measureSid: String(i),
    role: measureRole(measureType),
  });

  it('names each measure type’s role (remedy, suspension, quota, preference, rate, VAT, unit, other)', () => {
    expect(['552', '554', '695', '112', '117', '122', '143', '142', '103', '305', '109', '410'].map((t) => `${t}:${measureRole(t)}`)).toEqual([
      '552:trade_remedy',
      '554:trade_remedy',
      '695:trade_remedy',
      '112:suspension',
      '117:suspension',
      '122:quota',
      '143:quota',
      '142:preference',
      '103:third_country',
      '305:vat',
      '109:supplementary_unit',
      '410:other',
    ]);
    expect(measureRole('142', '051193')).toBe('quota');
  });

  it('keeps the event bounded: remedies first, preferences last, measures of no rate role never, and says how many were left out', () => {
    const all = [...Array.from({ length: MAX_EVENT_CHANGES }, (_, i) => change('142', i)), change('552', 1), change('410', 2)];
    const { tariffChanges, tariffChangesOmitted } = eventChanges(all);
    expect(tariffChanges).toHaveLength(MAX_EVENT_CHANGES);
    expect(tariffChanges[0]!.measureType).toBe('552');
    expect(tariffChanges.some((c) => c.measureType === '410')).toBe(false);
    expect(tariffChangesOmitted).toBe(2);
    expect(eventChanges([change('552', 1)])).toEqual({ tariffChanges: [change('552', 1)], tariffChangesOmitted: 0 });
  });
});
