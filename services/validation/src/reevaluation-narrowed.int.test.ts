// Re-evaluation narrowed to the commodity codes a reference change touched, through the real
// services: the reference service syncs from a LOCAL STAND-IN for the Online Trade Tariff API
// (the public API cannot be reached here), its DatasetChanged goes over Kafka to validation, which
// re-checks only the stored declarations with those codes. Measured: declarations re-checked per
// sync (customs_validation_reevaluated_declarations_total) against the date window alone.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Declaration, DeclarationReceived, GoodsItem, Topics } from '@customs/contracts';
import { buildEvent, type KafkaHandle } from '@customs/kafka';
import type { RunningService } from '@customs/service';
import { createTestDatabase, createTestTopics, deleteTestTopics, testEnv, testTokens, uniquePrefix, waitFor, type TestDatabase } from '@customs/testing';
import { Client } from 'pg';
import { loadConfig as referenceConfig } from '../../reference/src/config';
import { OttApiStandIn } from '../../reference/src/ott-api/stand-in-server';
import { startReferenceService } from '../../reference/src/service';
import { loadConfig } from './config';
import { startValidationService } from './service';

const fixtures = path.resolve(__dirname, '../../reference/test/fixtures/ott-api-2025');
const TENANT = 'tenant-narrow';

/** TEAM-WRITTEN later tariff state: 2924297099 as recorded plus a 552 anti-dumping duty on CN (fake SID 20999002). */
function withNewRemedy(): string {
  const doc = JSON.parse(fs.readFileSync(path.join(fixtures, 'uk__commodities__2924297099_asof2025-07-14.json'), 'utf8'));
  const m = structuredClone(doc.included.find((x: any) => x.type === 'measure' && x.relationships.measure_type.data.id === '695' && x.relationships.geographical_area.data.id === 'RU'));
  m.id = '20999002';
  m.attributes.id = 20999002;
  m.attributes.effective_start_date = '2025-07-16T00:00:00.000Z';
  m.relationships.geographical_area.data.id = 'CN';
  m.relationships.duty_expression.data.id = '20999002-duty_expression';
  m.relationships.measure_components.data = [];
  m.relationships.measure_conditions.data = [];
  m.relationships.measure_condition_permutation_groups.data = [];
  doc.included.push(m, { id: '20999002-duty_expression', type: 'duty_expression', attributes: { base: '22.10 %', formatted_base: '<span>22.10</span> %', verbose_duty: '22.10%' } });
  doc.data.relationships.import_measures.data.push({ id: '20999002', type: 'measure' });
  return JSON.stringify(doc);
}

describe('validation re-checks only the declarations with the codes a reference sync changed (real services)', () => {
  const t = testTokens(TENANT);
  const api = new OttApiStandIn({ fixturesDir: fixtures, clientId: 'client-n', clientSecret: 'secret-n' });
  let kafka: KafkaHandle;
  let db: TestDatabase;
  const services: RunningService[] = [];
  let reference: RunningService;
  let validation: RunningService;
  let pg: Client;

  beforeAll(async () => {
    const { baseUrl, tokenUrl } = await api.start();
    const prefix = uniquePrefix('narrow');
    kafka = await createTestTopics(prefix);
    db = await createTestDatabase('narrow');
    const common = (service: 'reference' | 'validation') => ({
      DATABASE_URL: db.urlFor(service),
      KAFKA_BROKERS: testEnv().brokers.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      HTTP_PORT: '0',
      GRPC_PORT: '0',
      API_TOKENS: t.spec,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      SHUTDOWN_TIMEOUT_MS: '5000',
    });
    reference = await startReferenceService(
      referenceConfig({
        ...common('reference'),
        OTT_API_BASE_URL: baseUrl,
        OTT_API_TOKEN_URL: tokenUrl,
        OTT_API_CLIENT_ID: 'client-n',
        OTT_API_CLIENT_SECRET: 'secret-n',
        OTT_API_MAX_BACKOFF_MS: '20',
      }),
    );
    services.push(reference);
    validation = await startValidationService(loadConfig({ ...common('validation'), REFERENCE_GRPC_ADDRESS: reference.grpcAddress, SERVICE_TOKEN: t.service }));
    services.push(validation);
    pg = new Client({ connectionString: db.urlFor('validation') });
    await pg.connect();
    await pg.query(`select set_config('app.tenant_id', '*', false)`);
  });
  afterAll(async () => {
    await pg?.end();
    for (const s of services.reverse()) await s.stop();
    await db?.drop();
    await deleteTestTopics(kafka);
    await api.stop();
  });

  const sync = async (body: object) => {
    const r = await fetch(`${reference.httpUrl}/v1/admin/ott-syncs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.service}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: r.status, body: (await r.json()) as any };
  };
  const reevaluated = async (): Promise<Record<string, number>> => {
    const text = await (await fetch(`${validation.httpUrl}/metrics`)).text();
    const out: Record<string, number> = {};
    for (const l of text.split('\n')) {
      const m = /^customs_validation_reevaluated_declarations_total\{[^}]*scope="(\w+)"[^}]*\} (\d+)/.exec(l);
      if (m) out[m[1]!] = Number(m[2]);
    }
    return out;
  };
  const handled = async () => Number((await pg.query(`select count(*) as n from validation.inbox where consumer_group = 'validation-reevaluation'`)).rows[0].n);
  /** Stored declarations a re-evaluation by the date window alone would re-check. */
  const inWindow = async (from: string, to: string) =>
    Number(
      (
        await pg.query(
          `select count(distinct (tenant_id, declaration_id)) as n from validation.checked_declarations where ($1 = '' or acceptance_date >= $1::date) and ($2 = '' or acceptance_date <= $2::date)`,
          [from, to],
        )
      ).rows[0].n,
    );

  it('40 stored declarations over four codes: a sync changing one code re-checks its 10', async () => {
    const codes: [string, string][] = [
      ['2924297099', 'CN'],
      ['0101210000', 'FR'],
      ['8510900000', 'CN'],
      ['6109100010', 'BD'],
    ];
    const events = Array.from({ length: 40 }, (_, i) => {
      const [code, origin] = codes[i % 4]!;
      const d = Declaration.fromPartial({
        tenantId: TENANT,
        declarationId: `n-${i}`,
        version: 1,
        lrn: `LRN-N-${i}`,
        acceptanceDate: `2025-06-${String(1 + (i % 28)).padStart(2, '0')}`,
        acceptanceDateSource: 'report',
        importerEori: 'GB553202734852',
        parties: [{ role: 'importer', id: 'GB553202734852' }],
        items: [GoodsItem.fromPartial({ itemNumber: 1, commodityCode: code, originCountry: origin, netMassKg: '10', grossMassKg: '12', customsValuePence: 100000, customsValuePresent: true })],
      });
      const ev = buildEvent({
        topic: Topics.declarationReceived,
        key: `${TENANT}/${d.lrn}`,
        value: DeclarationReceived.fromPartial({ declaration: d }),
        tenant: TENANT,
        source: 'test',
        id: `declaration/${TENANT}/${d.declarationId}/1`,
      });
      return { key: ev.key, value: Buffer.from(ev.payload), headers: ev.headers };
    });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: kafka.physical(Topics.declarationReceived.name), messages: events });
    await producer.disconnect();
    await waitFor('40 declarations checked', async () => Number((await pg.query('select count(*) as n from validation.checked_declarations')).rows[0].n) === 40 || undefined);

    // First sync of two codes (both new to the database): their 20 declarations, not all 40.
    const handledBefore = await handled();
    const first = await sync({ kind: 'full', commodities: ['2924297099', '0101210000'], until: '2025-07-14' });
    expect(first.status).toBe(201);
    await waitFor('first DatasetChanged re-evaluated', async () => (await handled()) > handledBefore || undefined);
    const afterFirst = await reevaluated();
    expect(afterFirst.commodity_codes).toBe(20);
    // (Other dataset events, not narrowed, re-checked nothing here.)
    expect(afterFirst.window ?? 0).toBe(0);

    // A later tariff with one new remedy on 2924297099; 0101210000 fetched again, unchanged.
    api.overrides.set('commodities/2924297099', withNewRemedy());
    const handledMid = await handled();
    const second = await sync({ kind: 'full', commodities: ['2924297099', '0101210000'], until: '2025-07-16' });
    expect(second.status).toBe(201);
    await waitFor('second DatasetChanged re-evaluated', async () => (await handled()) > handledMid || undefined);
    const afterSecond = await reevaluated();
    const narrowed = afterSecond.commodity_codes! - afterFirst.commodity_codes!;
    expect(narrowed).toBe(10);
    expect(afterSecond.window ?? 0).toBe(0);
    const window = await inWindow('2019-01-01', '');
    expect(window).toBe(40);
    process.stdout.write(
      `declarations re-checked per sync: first sync (2 codes new) ${afterFirst.commodity_codes}, second (1 code changed) ${narrowed}; by the date window alone each would re-check ${window}\n`,
    );
  });
});
