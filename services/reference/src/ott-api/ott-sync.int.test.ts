import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { credentials } from '@grpc/grpc-js';
import { ComputeDutiesRequest, ReferenceServiceClient, Topics, type ComputeDutiesResponse, type DatasetChanged, type LookupFxResponse, type LookupRatesResponse } from '@customs/contracts';
import { Client } from 'pg';
import { callUnary } from '@customs/grpc';
import type { KafkaHandle } from '@customs/kafka';
import type { RunningService } from '@customs/service';
import { createTestDatabase, createTestTopics, deleteTestTopics, testEnv, testTokens, uniquePrefix, waitFor, type TestDatabase } from '@customs/testing';
import { runCli } from '../cli';
import { loadConfig } from '../config';
import { startReferenceService } from '../service';
import { OttApiStandIn } from './stand-in-server';

const data = path.resolve(__dirname, '../../data');
const fixtures = path.resolve(__dirname, '../../test/fixtures/ott-api-2025');

/**
 * The bundled data with HMRC rates only to 2023-08 (as before this sync existed), so the sync has
 * a month to fetch that the recorded responses hold (2023-09).
 */
function dataDirWithFxTo202308(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ref-data-'));
  for (const e of fs.readdirSync(data)) if (e !== 'exchange_rates') fs.symlinkSync(path.join(data, e), path.join(dir, e));
  fs.mkdirSync(path.join(dir, 'exchange_rates/hmrc_monthly_xml'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'exchange_rates/hmrc_monthly_json'));
  for (const e of fs.readdirSync(path.join(data, 'exchange_rates')))
    if (!e.startsWith('hmrc_monthly_xml') && !e.startsWith('hmrc_monthly_json')) fs.symlinkSync(path.join(data, 'exchange_rates', e), path.join(dir, 'exchange_rates', e));
  for (const f of fs.readdirSync(path.join(data, 'exchange_rates/hmrc_monthly_xml')))
    if (f <= '2023-08.xml') fs.symlinkSync(path.join(data, 'exchange_rates/hmrc_monthly_xml', f), path.join(dir, 'exchange_rates/hmrc_monthly_xml', f));
  return dir;
}

// The sync end to end: the reference service (real Postgres, Kafka, gRPC) syncs from a LOCAL
// STAND-IN for the Online Trade Tariff API (node:http serving recorded responses; the public API
// cannot be reached here) with OAuth client credentials, and each sync becomes a dataset version
// announced with the codes it touched.
describe('OTT API v2 sync against a local stand-in for the public API', () => {
  const tokens = testTokens('tenant-ott-sync');
  const api = new OttApiStandIn({ fixturesDir: fixtures, clientId: 'client-1', clientSecret: 'secret-1' });
  let db: TestDatabase;
  let kafka: KafkaHandle;
  let svc: RunningService;
  let client: ReferenceServiceClient;
  let env: Record<string, string>;
  let dataDir: string;
  const seen: DatasetChanged[] = [];
  let reader: ReturnType<KafkaHandle['kafka']['consumer']>;

  const sync = async (body: object) => {
    const r = await fetch(`${svc.httpUrl}/v1/admin/ott-syncs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.service}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: r.status, body: (await r.json()) as any };
  };
  const versions = async () =>
    ((await (await fetch(`${svc.httpUrl}/v1/datasets`, { headers: { authorization: `Bearer ${tokens.analyst}` } })).json()) as { datasets: { dataset: string; version: string }[] }).datasets.map(
      (d) => d.version,
    );
  const rates = (q: { commodityCode: string; origin: string; date: string }[]) => callUnary<unknown, LookupRatesResponse>(client, 'lookupRates', { queries: q }, { token: tokens.analyst });

  beforeAll(async () => {
    const { baseUrl, tokenUrl } = await api.start();
    const prefix = uniquePrefix('ottsync');
    kafka = await createTestTopics(prefix);
    db = await createTestDatabase('ottsync');
    dataDir = dataDirWithFxTo202308();
    env = {
      DATABASE_URL: db.urlFor('reference'),
      KAFKA_BROKERS: testEnv().brokers.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      HTTP_PORT: '0',
      GRPC_PORT: '0',
      API_TOKENS: tokens.spec,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      SHUTDOWN_TIMEOUT_MS: '5000',
      REFERENCE_DATA_DIR: dataDir,
      OTT_API_BASE_URL: baseUrl,
      OTT_API_TOKEN_URL: tokenUrl,
      OTT_API_CLIENT_ID: 'client-1',
      OTT_API_CLIENT_SECRET: 'secret-1',
      OTT_API_MAX_ATTEMPTS: '3',
      // Retry-After: 1 from the stand-in is capped to this, so the test does not sleep for seconds.
      OTT_API_MAX_BACKOFF_MS: '20',
    };
    svc = await startReferenceService(loadConfig(env));
    client = new ReferenceServiceClient(svc.grpcAddress, credentials.createInsecure());
    reader = kafka.kafka.consumer({ groupId: `ott-sync-test-${Date.now()}` });
    await reader.connect();
    await reader.subscribe({ topic: kafka.physical(Topics.datasetChanged.name), fromBeginning: true });
    await reader.run({ eachMessage: async ({ message }) => void seen.push(Topics.datasetChanged.codec.decode(message.value!)) });
  });
  afterAll(async () => {
    await reader?.disconnect();
    client?.close();
    await svc?.stop();
    await db?.drop();
    await deleteTestTopics(kafka);
    await api.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses an incremental sync before any full one, and bad settings by name', async () => {
    expect(await sync({ kind: 'incremental', until: '2025-07-13' })).toMatchObject({ status: 400, body: { error: 'sync_refused', message: expect.stringContaining('run a full sync first') } });
    expect(() => loadConfig({ ...env, OTT_API_CLIENT_SECRET: '' })).toThrow('OTT_API_CLIENT_ID and OTT_API_CLIENT_SECRET go together (OAuth client credentials): OTT_API_CLIENT_SECRET is missing');
    expect(() => loadConfig({ ...env, OTT_SYNC_DAILY_AT: '3am' })).toThrow('OTT_SYNC_DAILY_AT must be HH:MM (UTC, 24-hour)');
    expect(() => loadConfig({ ...env, OTT_API_BASE_URL: 'ftp://x' })).toThrow('OTT_API_BASE_URL must use https: or http:');
  });

  it('full sync: commodities, group membership, news and the next HMRC month, as one new dataset version named with its as-of date', async () => {
    const before = await rates([{ commodityCode: '0101210000', origin: 'FR', date: '2025-07-13' }]);
    expect(before.results[0]!.measuresLoaded).toBe(false);
    const { status, body } = await sync({ kind: 'full', commodities: ['0101210000', '0101300000'], until: '2025-07-13' });
    expect(status).toBe(201);
    expect(body).toMatchObject({ kind: 'full', resumed: false, commodityCodes: ['0101210000', '0101300000'], fxVersions: [expect.stringMatching(/^ott-api-exchange-rates-2023-09@/)] });
    expect(body.datasetVersion).toMatch(/^ott-api-2025-07-13@[0-9a-f]{12}$/);
    // OAuth client credentials: one token for the whole sync, sent on every request.
    expect(api.tokensIssued).toBe(1);
    // All 20 notices on the news page are announced; one names 4412333000 among its codes.
    expect(body.stopPress).toHaveLength(20);
    expect(body.stopPress.some((n: { commodityCodes: string[] }) => n.commodityCodes.includes('4412333000'))).toBe(true);

    const [fr] = (await rates([{ commodityCode: '0101210000', origin: 'FR', date: '2025-07-13' }])).results;
    expect(fr).toMatchObject({ known: true, measuresLoaded: true });
    expect(fr!.thirdCountry!.datasetVersion).toBe(body.datasetVersion);
    expect(fr!.preferential.some((m) => m.geographicalArea === '1013')).toBe(true);
    // A snapshot as of 2025-07-13 does not hold measures that ended before it: earlier dates are not "complete".
    const [older] = (await rates([{ commodityCode: '0101210000', origin: 'FR', date: '2024-01-15' }])).results;
    expect(older).toMatchObject({ known: true, measuresLoaded: false, unknownReason: expect.stringContaining('held as of 2025-07-13: measures that ended before then are not held') });
    const fx = await callUnary<unknown, LookupFxResponse>(
      client,
      'lookupFx',
      {
        queries: [
          { currency: 'EUR', date: '2023-09-15' },
          { currency: 'EUR', date: '2023-10-02' },
        ],
      },
      { token: tokens.analyst },
    );
    expect(fx.results[0]).toMatchObject({ known: true, unitsPerGbp: '1.1683', period: '2023-09', datasetVersion: body.fxVersions[0] });
    // 2023-10 is not published by the stand-in (404): unknown, with the reason.
    expect(fx.results[1]).toMatchObject({ known: false, unknownReason: expect.stringContaining('HMRC rates for 2023-10 are not loaded (latest month loaded: 2023-09)') });

    const ev = await waitFor('DatasetChanged of the full sync', async () => seen.find((e) => e.version === body.datasetVersion));
    expect(ev.commodityCodes).toEqual(['0101210000', '0101300000']);
    expect(ev.stopPress).toHaveLength(20);
    expect(ev.tariffChanges.filter((c) => c.role === 'trade_remedy').map((c) => `${c.commodityCode} ${c.measureType} ${c.change}`)).toEqual(expect.arrayContaining(['0101210000 695 created']));
  });

  it('incremental sync: only the codes the changes endpoint lists, with 429s waited out (Retry-After) and bounded', async () => {
    api.fail('commodities/2924297099', '429', '429');
    const n0101300000 = api.count('commodities/0101300000');
    const { status, body } = await sync({ until: '2025-07-14' });
    expect(status).toBe(201);
    expect(body).toMatchObject({ kind: 'incremental', sinceDate: '2025-07-13', untilDate: '2025-07-14', commodityCodes: ['0101210000', '2924297099'], resumed: false });
    expect(body.stats).toMatchObject({ rateLimited: 2 });
    expect(api.count('commodities/2924297099')).toBe(3);
    // Not listed as changed: not fetched again. The intermediate line (end_line false) is skipped.
    expect(api.count('commodities/0101300000')).toBe(n0101300000);
    expect(api.count('commodities/0101000000')).toBe(0);
    const ev = await waitFor('DatasetChanged of the incremental sync', async () => seen.find((e) => e.version === body.datasetVersion));
    // Re-evaluation can be narrowed to the codes whose facts changed: 0101210000 was fetched again
    // but nothing about it changed, so only 2924297099; the new suspension is there for alerting.
    expect(ev.commodityCodes).toEqual(['2924297099']);
    expect(
      ev.tariffChanges
        .filter((c) => c.commodityCode === '2924297099' && c.role === 'suspension')
        .map((c) => `${c.measureType} ${c.change}`)
        .sort(),
    ).toEqual(['112 created', '117 created']);
    expect(ev.tariffChanges.some((c) => c.commodityCode === '0101210000')).toBe(false);
    const [r] = (await rates([{ commodityCode: '2924297099', origin: 'CN', date: '2025-07-14' }])).results;
    expect(r!.suspensions.length).toBeGreaterThan(0);
  });

  it('a broken transfer fails the run with nothing loaded; the next sync resumes it and fetches only what is missing', async () => {
    const before = await versions();
    api.fail('commodities/2924297099', 'reset', 'reset', 'reset');
    const broken = await sync({ until: '2025-07-15' });
    expect(broken.status).toBe(502);
    expect(broken.body).toMatchObject({ error: 'ott_sync_failed', details: { runId: expect.any(Number) } });
    expect(broken.body.message).toMatch(/GET commodities\/2924297099\?as_of=2025-07-15: no response after 3 attempt\(s\)/);
    expect(await versions()).toEqual(before);
    const counts = ['0101210000', '0101300000'].map((c) => api.count(`commodities/${c}`));

    const resumed = await sync({ until: '2025-07-15' });
    expect(resumed.status).toBe(201);
    expect(resumed.body).toMatchObject({ runId: broken.body.details.runId, resumed: true, reusedFromStage: 2, commodityCodes: ['0101210000', '0101300000', '2924297099'] });
    expect(['0101210000', '0101300000'].map((c) => api.count(`commodities/${c}`))).toEqual(counts);
    const runs = (await (await fetch(`${svc.httpUrl}/v1/admin/ott-syncs`, { headers: { authorization: `Bearer ${tokens.service}` } })).json()) as {
      runs: { id: number; status: string; staged: number }[];
    };
    expect(runs.runs[0]).toMatchObject({ id: broken.body.details.runId, status: 'completed', staged: 0 });
  });

  it('a malformed response is refused naming the request, nothing half-loaded; restart after the fix', async () => {
    const before = await versions();
    const [was] = (await rates([{ commodityCode: '0101210000', origin: 'FR', date: '2025-07-16' }])).results;
    api.fail('commodities/0101210000', 'malformed', 'malformed');
    const bad = await sync({ until: '2025-07-16' });
    expect(bad.status).toBe(502);
    expect(bad.body.message).toMatch(/GET commodities\/0101210000\?as_of=2025-07-16: 1 problem\(s\): not JSON/);
    expect(await versions()).toEqual(before);
    const [still] = (await rates([{ commodityCode: '0101210000', origin: 'FR', date: '2025-07-16' }])).results;
    expect(still).toEqual(was);
    // The same response again (it is still malformed): resuming fails the same way, nothing loaded.
    expect((await sync({ until: '2025-07-16' })).status).toBe(502);
    api.clearFaults();
    const ok = await sync({ until: '2025-07-16', restart: true });
    expect(ok).toMatchObject({ status: 201, body: { resumed: false, commodityCodes: ['0101210000'] } });
  });

  it('the CLI runs a sync too (nothing changed: no new dataset version)', async () => {
    const before = await versions();
    const lines: string[] = [];
    expect(await runCli(['sync-ott', '--until', '2025-07-17'], env, (l) => lines.push(l))).toBe(0);
    expect(lines.join('\n')).toMatch(/incremental sync run \d+ 2025-07-16\.\.2025-07-17: 0 commodity code\(s\)/);
    expect(await versions()).toEqual(before);
  });

  it('stores the quota definitions of the synced quota measures; ComputeDuties allocates from them, or says why it cannot', async () => {
    // TEAM-WRITTEN state for this test: the recorded 0201100021 (beef) response as of 2025-02-11
    // (bundled in data/tariff/ott_recorded_2025) served for as_of=2025-07-18, and a /quotas/search
    // answer for its order number 050351 (122 non-preferential quota, CA/US) cloned from the
    // recorded definition of 050671 with a made-up balance of 600 kg. Not published data.
    api.overrides.set('commodities/0201100021', fs.readFileSync(path.join(data, 'tariff/ott_recorded_2025/uk__commodities__0201100021_asof2025-02-11.json'), 'utf8'));
    const recorded = JSON.parse(fs.readFileSync(path.join(fixtures, 'uk__quotas__search.json'), 'utf8'));
    const def = structuredClone(recorded.data[0]);
    def.id = '99001';
    def.attributes = { ...def.attributes, quota_definition_sid: 99001, quota_order_number_id: '050351', initial_volume: '1000000.0', balance: '600.0' };
    api.overrides.set('quotas/search', JSON.stringify({ ...recorded, data: [...recorded.data, def] }));
    const r = await sync({ kind: 'full', commodities: ['0201100021'], until: '2025-07-18' });
    expect(r.status).toBe(201);
    expect(api.count('quotas/search')).toBeGreaterThan(0);
    const pg = new Client({ connectionString: env.DATABASE_URL });
    await pg.connect();
    const held = (await pg.query(`select order_number, valid_from, valid_to, initial_volume, balance, as_of from reference.ott_quota_definitions order by 1`)).rows;
    await pg.end();
    // Every order number of the response was asked for; only 050351 has a definition to hold.
    expect(held).toEqual([{ order_number: '050351', valid_from: '2025-01-01', valid_to: '2025-12-31', initial_volume: '1000000.0', balance: '600.0', as_of: '2025-07-18' }]);

    const line = (acceptanceDate: string, kg: string, orderNumber = '050351') => ({
      acceptanceDate,
      customsValue: { value: { $case: 'pence' as const, pence: 1_000_000 } },
      quantities: { netMassKg: kg },
      measures: [{ measureType: '103', taxType: 'A00', expression: '12.00 %', source: 'ott 103' }],
      quota: { orderNumber, measure: { measureType: '122', taxType: 'A00', expression: '0.00 %', source: 'ott 122' }, allocatedQuantity: '', declaredQuantity: kg, unit: 'kg' },
    });
    const res = await callUnary<unknown, ComputeDutiesResponse>(
      client,
      'computeDuties',
      ComputeDutiesRequest.fromPartial({ lines: [line('2025-07-18', '1000'), line('2025-07-10', '500'), line('2025-07-10', '1000'), line('2025-07-18', '10', '050331')] }),
      { token: tokens.analyst },
    );
    const [partial, full, cannot, none] = res.results;
    // 600 of 1000 kg in quota on the day the balance was read: two lines, 60 % of £10,000 at 0 %, 40 % at 12 %.
    expect(partial!.taxLines.filter((t) => t.taxType === 'A00').map((t) => [t.measureType, t.basePence, t.amountPence, t.quota?.portion])).toEqual([
      ['122', 600_000, 0, 'inQuota'],
      ['103', 400_000, 48_000, 'outOfQuota'],
    ]);
    expect(partial!.explanation[0]).toMatch(/^Quota allocation: quota 050351: balance 600 Kilogram \(kg\) of 1000000 as of 2025-07-18 \(the acceptance date\)/);
    expect(full!.taxLines.filter((t) => t.taxType === 'A00').map((t) => [t.measureType, t.amountPence])).toEqual([['122', 0]]);
    expect(cannot).toMatchObject({
      status: 'unknown',
      unknownReason: expect.stringContaining('quota.allocated_quantity: quota 050351: the balance 600 Kilogram (kg) of 1000000 as of 2025-07-18 is below the declared 1000'),
    });
    expect(none).toMatchObject({ status: 'unknown', unknownReason: 'quota.allocated_quantity: quota 050331: no quota definition is held (not synced from the OTT API)' });
  });
});
