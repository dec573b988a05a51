// Tariff-change alerts through the real services: the reference service syncs from a LOCAL
// STAND-IN for the Online Trade Tariff API (the public API cannot be reached here), its
// DatasetChanged goes over real Kafka to the alerting service, which knows the importers' imported
// (commodity code, origin) lanes from the declarations it received, and the alert is read over
// alerting's REST API.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Declaration, DeclarationReceived, GoodsItem, Topics } from '@customs/contracts';
import { buildEvent, type KafkaHandle } from '@customs/kafka';
import type { RunningService } from '@customs/service';
import { createTestDatabase, createTestTopics, deleteTestTopics, testEnv, testTokens, uniquePrefix, waitFor, type TestDatabase } from '@customs/testing';
import { Client } from 'pg';
import { loadConfig as loadReferenceConfig } from '../../reference/src/config';
import { OttApiStandIn } from '../../reference/src/ott-api/stand-in-server';
import { startReferenceService } from '../../reference/src/service';
import { loadConfig } from './config';
import { startAlertingService } from './service';

const fixtures = path.resolve(__dirname, '../../reference/test/fixtures/ott-api-2025');
const A = 'tenant-tc-a';
const B = 'tenant-tc-b';

/**
 * TEAM-WRITTEN later state of the tariff: the recorded 2924297099 response (as of 2025-07-14) with
 * one measure added — a definitive anti-dumping duty (552) of 22.10 % on origin CN from
 * 2025-07-16 (fake SID 20999001), built from the response's own 695 RU measure. Not published data.
 */
function withNewAntiDumpingOnCn(): string {
  const doc = JSON.parse(fs.readFileSync(path.join(fixtures, 'uk__commodities__2924297099_asof2025-07-14.json'), 'utf8'));
  const template = doc.included.find((x: any) => x.type === 'measure' && x.relationships.measure_type.data.id === '695' && x.relationships.geographical_area.data.id === 'RU');
  const m = structuredClone(template);
  m.id = '20999001';
  m.attributes.id = 20999001;
  m.attributes.effective_start_date = '2025-07-16T00:00:00.000Z';
  m.relationships.measure_type.data.id = '552';
  m.relationships.geographical_area.data.id = 'CN';
  m.relationships.duty_expression.data.id = '20999001-duty_expression';
  m.relationships.measure_components.data = [];
  m.relationships.measure_conditions.data = [];
  m.relationships.measure_condition_permutation_groups.data = [];
  const type695 = doc.included.find((x: any) => x.type === 'measure_type' && x.id === '695');
  doc.included.push(m, { id: '20999001-duty_expression', type: 'duty_expression', attributes: { base: '22.10 %', formatted_base: '<span>22.10</span> %', verbose_duty: '22.10%' } });
  if (!doc.included.some((x: any) => x.type === 'measure_type' && x.id === '552'))
    doc.included.push({
      ...structuredClone(type695),
      id: '552',
      attributes: { ...type695.attributes, id: '552', description: 'Definitive anti-dumping duty', measure_type_series_description: 'Anti-dumping/countervailing' },
    });
  doc.data.relationships.import_measures.data.push({ id: '20999001', type: 'measure' });
  return JSON.stringify(doc);
}

describe('tariff-change alerts: OTT sync (stand-in) → DatasetChanged → alerting REST', () => {
  const tokens = { a: testTokens(A), b: testTokens(B) };
  const api = new OttApiStandIn({ fixturesDir: fixtures, clientId: 'client-tc', clientSecret: 'secret-tc' });
  let kafka: KafkaHandle;
  let refDb: TestDatabase;
  let alertDb: TestDatabase;
  let reference: RunningService;
  let alerting: RunningService;
  let prod: ReturnType<KafkaHandle['producer']>;
  let pg: Client;

  const sync = async (body: object) => {
    const r = await fetch(`${reference.httpUrl}/v1/admin/ott-syncs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.a.service}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: r.status, body: (await r.json()) as any };
  };
  const alerts = async (token: string) => {
    const r = await fetch(`${alerting.httpUrl}/v1/alerts?rule=AR-018&limit=100`, { headers: { authorization: `Bearer ${token}` } });
    return ((await r.json()) as { alerts: any[] }).alerts;
  };
  const tariffEventsHandled = async () => Number((await pg.query(`select count(*) as n from alerting.inbox where consumer_group = 'alerting-tariff'`)).rows[0].n);
  const declaration = (tenant: string, id: string, importer: string, items: [string, string][]) =>
    buildEvent({
      topic: Topics.declarationReceived,
      key: `${tenant}/${id}`,
      tenant,
      source: 'test',
      id: `received/${tenant}/${id}/1`,
      value: DeclarationReceived.fromPartial({
        declaration: Declaration.fromPartial({
          tenantId: tenant,
          declarationId: id,
          version: 1,
          mrn: `26GB${id.padStart(14, '0')}`,
          acceptanceDate: '2026-11-20',
          importerEori: importer,
          items: items.map(([commodityCode, originCountry], i) => GoodsItem.fromPartial({ itemNumber: i + 1, commodityCode, originCountry })),
        }),
      }),
    });

  beforeAll(async () => {
    const { baseUrl, tokenUrl } = await api.start();
    const prefix = uniquePrefix('tariffchg');
    kafka = await createTestTopics(prefix);
    refDb = await createTestDatabase('tcref');
    alertDb = await createTestDatabase('tcalert');
    const common = {
      KAFKA_BROKERS: testEnv().brokers.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      HTTP_PORT: '0',
      GRPC_PORT: '0',
      API_TOKENS: `${tokens.a.spec},${tokens.b.spec}`,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      SHUTDOWN_TIMEOUT_MS: '5000',
    };
    reference = await startReferenceService(
      loadReferenceConfig({
        ...common,
        DATABASE_URL: refDb.urlFor('reference'),
        OTT_API_BASE_URL: baseUrl,
        OTT_API_TOKEN_URL: tokenUrl,
        OTT_API_CLIENT_ID: 'client-tc',
        OTT_API_CLIENT_SECRET: 'secret-tc',
        OTT_API_MAX_BACKOFF_MS: '20',
      }),
    );
    alerting = await startAlertingService(loadConfig({ ...common, DATABASE_URL: alertDb.urlFor('alerting'), DEADLINE_TICK_MS: '60000' }));
    pg = new Client({ connectionString: alertDb.urlFor('alerting') });
    await pg.connect();
    await pg.query(`select set_config('app.tenant_id', '*', false)`);
    prod = kafka.producer();
    await prod.connect();
  });
  afterAll(async () => {
    await prod?.disconnect();
    await pg?.end();
    await alerting?.stop();
    await reference?.stop();
    await refDb?.drop();
    await alertDb?.drop();
    await deleteTestTopics(kafka);
    await api.stop();
  });

  it('a new anti-dumping duty on (2924297099, CN) alerts the importer that imports it; a stop-press naming its code too; nobody else', async () => {
    // Tenant A's importer imports 2924297099 from CN (declared at 10 digits) and 0101210000 from FR;
    // tenant B's imports 2924297099 from the US only.
    const events = [
      declaration(A, 'a1', 'GB100000000001', [
        ['2924297099', 'CN'],
        ['0101210000', 'FR'],
      ]),
      declaration(B, 'b1', 'GB900000000009', [['2924297099', 'US']]),
    ];
    await prod.send({ topic: kafka.physical(Topics.declarationReceived.name), messages: events.map((e) => ({ key: e.key, value: Buffer.from(e.payload), headers: e.headers })) });
    await waitFor('lanes recorded', async () => Number((await pg.query('select count(*) as n from alerting.imported_lanes')).rows[0].n) === 3 || undefined);

    // First sync of the codes: their measures are the baseline (no remedy alert), but the recorded
    // stop-press notice 1615 (1 July 2025) names 0101210000, which tenant A imports.
    const first = await sync({ kind: 'full', commodities: ['2924297099', '0101210000'], until: '2025-07-14' });
    expect(first.status).toBe(201);
    await waitFor('first DatasetChanged handled by alerting', async () => (await tariffEventsHandled()) >= 1 || undefined);
    const afterFirst = await waitFor('stop-press alert', async () => {
      const list = await alerts(tokens.a.analyst);
      return list.length >= 1 ? list : undefined;
    });
    expect(afterFirst.map((a) => a.title)).toEqual([expect.stringMatching(/^Tariff change on an imported lane: stop-press ".*" names 0101210000 \(importer GB100000000001\)$/)]);
    expect(afterFirst[0]).toMatchObject({ alertRuleType: 'tariff_change', importerEori: 'GB100000000001', commodityCodes: ['0101210000'], declarationId: 'a1' });

    // The tariff as of two days later: a new 552 on CN for 2924297099 (team-written, see above).
    api.overrides.set('commodities/2924297099', withNewAntiDumpingOnCn());
    const second = await sync({ kind: 'full', commodities: ['2924297099', '0101210000'], until: '2025-07-16' });
    expect(second.status).toBe(201);
    const list = await waitFor('trade-remedy alert', async () => {
      const l = await alerts(tokens.a.analyst);
      return l.length >= 2 ? l : undefined;
    });
    const remedy = list.find((a) => a.title.includes('trade remedy'));
    expect(remedy).toMatchObject({
      title: 'Tariff change on an imported lane: trade remedy 552 created on 2924297099 for origin CN (importer GB100000000001)',
      alertRuleId: 'AR-018',
      severity: 'SEVERITY_HIGH',
      statusName: 'new',
      importerEori: 'GB100000000001',
      commodityCodes: ['2924297099'],
      termValue: 'CN',
      declarationId: 'a1',
    });
    expect(remedy.summary).toContain('(measure type 552, SID 20999001) created on 2924297099, area CN, "22.10 %", valid 2025-07-16 to open');
    // The stop-press notice came again with the second sync: absorbed, not a second alert.
    await waitFor('second DatasetChanged handled', async () => (await tariffEventsHandled()) >= 2 || undefined);
    const again = await alerts(tokens.a.analyst);
    expect(again).toHaveLength(2);
    expect(again.find((a) => a.title.includes('stop-press'))).toMatchObject({ suppressedCount: 1 });
    // Tenant B imports the code from the US: the CN duty does not concern it.
    expect(await alerts(tokens.b.analyst)).toEqual([]);
  });
});
