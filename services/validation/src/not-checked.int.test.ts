import { Declaration, DeclarationReceived, GoodsItem, Topics } from '@customs/contracts';
import { buildEvent, type KafkaHandle } from '@customs/kafka';
import type { RunningService } from '@customs/service';
import { createTestDatabase, createTestTopics, deleteTestTopics, testEnv, testTokens, uniquePrefix, waitFor, type TestDatabase } from '@customs/testing';
import { loadConfig as referenceConfig } from '../../reference/src/config';
import { startReferenceService } from '../../reference/src/service';
import { loadConfig } from './config';
import { startValidationService } from './service';

// Through the real validation service (and the real reference service it looks tariff data up
// in), on its own topics and database: declarations it cannot check are produced straight to its
// input topic, as a faulty or foreign producer would, and must show up on GET /v1/not-checked for
// their tenant only, and in the customs_declarations_not_checked_total metric.
describe('validation: what it cannot check is listed per tenant, counted and never lost', () => {
  const tenantA = 'tenant-nc-a';
  const tenantB = 'tenant-nc-b';
  const a = testTokens(tenantA);
  const b = testTokens(tenantB);
  let kafka: KafkaHandle;
  let db: TestDatabase;
  const services: RunningService[] = [];
  let validation: RunningService;

  beforeAll(async () => {
    const prefix = uniquePrefix('notchecked');
    kafka = await createTestTopics(prefix);
    db = await createTestDatabase('notchecked');
    const common = (service: 'reference' | 'validation') => ({
      DATABASE_URL: db.urlFor(service),
      KAFKA_BROKERS: testEnv().brokers.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      HTTP_PORT: '0',
      GRPC_PORT: '0',
      API_TOKENS: `${a.spec},${b.spec}`,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      SHUTDOWN_TIMEOUT_MS: '5000',
    });
    const reference = await startReferenceService(referenceConfig(common('reference')));
    services.push(reference);
    validation = await startValidationService(loadConfig({ ...common('validation'), REFERENCE_GRPC_ADDRESS: reference.grpcAddress, SERVICE_TOKEN: a.service }));
    services.push(validation);
  });
  afterAll(async () => {
    for (const s of services.reverse()) await s.stop();
    await db?.drop();
    await deleteTestTopics(kafka);
  });

  const get = async (p: string, token?: string) => {
    const res = await fetch(`${validation.httpUrl}${p}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    return { status: res.status, body: (await res.json()) as any };
  };
  const declaration = (id: string, over: Partial<Declaration> = {}) =>
    Declaration.fromPartial({
      tenantId: tenantA,
      declarationId: id,
      version: 1,
      mrn: '',
      lrn: `LRN-${id}`,
      acceptanceDate: '2024-03-15',
      acceptanceDateSource: 'report',
      importerEori: 'GB553202734852',
      parties: [{ role: 'importer', id: 'GB553202734852' }],
      items: [GoodsItem.fromPartial({ itemNumber: 1, commodityCode: '8510900000', netMassKg: '10', grossMassKg: '12', customsValuePence: 10000, customsValuePresent: true })],
      ...over,
    });
  const received = (d: Declaration, tenant = d.tenantId) => {
    const ev = buildEvent({
      topic: Topics.declarationReceived,
      key: `${tenant}/${d.lrn}`,
      value: DeclarationReceived.fromPartial({ declaration: d }),
      tenant,
      source: 'test',
      id: `declaration/${tenant}/${d.declarationId}/${d.version}`,
    });
    return { key: ev.key, value: Buffer.from(ev.payload), headers: ev.headers };
  };
  /** The metric's value for a tenant and cause, read from /metrics (0 when absent). */
  const metric = async (tenant: string, cause: string): Promise<number> => {
    const text = await (await fetch(`${validation.httpUrl}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith('customs_declarations_not_checked_total{') && l.includes(`tenant="${tenant}"`) && l.includes(`cause="${cause}"`));
    return line ? Number(line.split(' ').at(-1)) : 0;
  };

  it('lists a dead-lettered, an unreadable and an impossibly dated declaration for their tenant, checks the good one, and counts each', async () => {
    expect(await metric(tenantA, 'dead_lettered')).toBe(0);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: kafka.physical(Topics.declarationReceived.name),
      messages: [
        received(declaration('good-1')),
        // Ingestion now refuses such a date; another producer (or older data) may still send one.
        received(declaration('bad-date-1', { acceptanceDate: '2023-02-30' })),
        // A NUL in its LRN, which Postgres text cannot hold: every attempt to store its check
        // fails, so the consumer retries, isolates it from the batch and dead-letters it.
        received(declaration('poison-1', { lrn: 'LRN-poison\u0000-1' })),
        // Bytes that are no DeclarationReceived at all.
        { key: `${tenantA}/garbage`, value: Buffer.from([0xff, 0xff, 0xff, 0xff]), headers: { ce_id: 'garbage-1', tenant: tenantA } },
      ],
    });
    await producer.disconnect();

    const list = await waitFor(
      'four not-checked entries for tenant A',
      async () => {
        const r = await get('/v1/not-checked', a.analyst);
        return r.status === 200 && r.body.notChecked.length >= 4 ? r.body.notChecked : undefined;
      },
      { timeoutMs: 90000 },
    );
    const byCause = (cause: string) => list.filter((e: any) => e.cause === cause);
    expect(list).toHaveLength(4);
    // The good declaration was checked, and the rule that could not decide on its item says so:
    // no tariff facts are loaded for its code in this test (reference holds none).
    expect(byCause('rule_not_checked')).toEqual([
      expect.objectContaining({
        declarationId: 'good-1',
        declarationVersion: 1,
        ruleId: 'C13',
        itemNumber: 1,
        reason: 'rule C13 not checked on item 1, because no tariff facts for 8510900000 on 2024-03-15',
      }),
    ]);
    const perDeclaration = await get('/v1/declarations/good-1/not-checked', a.analyst);
    expect(perDeclaration.body).toEqual({ declarationId: 'good-1', notChecked: byCause('rule_not_checked') });
    expect((await get('/v1/declarations/good-1/not-checked', b.analyst)).body).toEqual({ declarationId: 'good-1', notChecked: [] });
    expect(byCause('unusable_event')).toEqual([
      expect.objectContaining({
        declarationId: 'bad-date-1',
        declarationVersion: 1,
        lrn: 'LRN-bad-date-1',
        ruleId: '',
        consumerGroup: 'validation',
        topic: Topics.declarationReceived.name,
        eventId: `declaration/${tenantA}/bad-date-1/1`,
        reason: 'acceptance date "2023-02-30" is not a real calendar date, so nothing can be dated by it (tariff, exchange rate, 3-year deadline): no rule was run',
      }),
    ]);
    const dead = byCause('dead_lettered');
    expect(dead).toHaveLength(2);
    const poison = dead.find((e: any) => e.declarationId === 'poison-1');
    // Recorded with the NUL escaped (else recording the dead letter would fail the same way).
    expect(poison).toMatchObject({
      declarationVersion: 1,
      lrn: 'LRN-poison\\u0000-1',
      consumerGroup: 'validation',
      topic: Topics.declarationReceived.name,
      partition: expect.any(Number),
      offset: expect.stringMatching(/^\d+$/),
    });
    expect(poison.reason).toMatch(/^not checked: .*0x00.* \(message sent to validation\.dlq\)$/);
    const garbage = dead.find((e: any) => e.eventId === 'garbage-1');
    expect(garbage).toMatchObject({ declarationId: '', declarationVersion: null });
    expect(garbage.reason).toMatch(/^the message could not be read, so its declaration is unknown: cannot decode customs\.v1\.DeclarationReceived/);

    // The good declaration of the same batch was checked all the same.
    const checks = await waitFor('the good declaration checked', async () => {
      const r = await get('/v1/declarations/good-1/checks', a.analyst);
      return r.status === 200 ? r.body.checks : undefined;
    });
    expect(checks).toHaveLength(1);
    expect((await get('/v1/declarations/bad-date-1/checks', a.analyst)).status).toBe(404);

    // Another tenant sees none of it, and the list needs a token.
    expect((await get('/v1/not-checked', b.analyst)).body).toEqual({ notChecked: [], nextBefore: null, next: null, nextCursor: null });
    expect((await get('/v1/not-checked')).status).toBe(401);
    expect((await get('/v1/not-checked?limit=0', a.analyst)).body).toMatchObject({ error: 'invalid_parameter' });

    // Paging: newest first, one at a time.
    const first = await get('/v1/not-checked?limit=1', a.analyst);
    expect(first.body.notChecked).toEqual([list[0]]);
    const second = await get(`/v1/not-checked?limit=2&before=${first.body.nextBefore}`, a.analyst);
    expect(second.body.notChecked).toEqual(list.slice(1, 3));

    // The operational alert's metric moved, for tenant A only.
    expect(await metric(tenantA, 'dead_lettered')).toBe(2);
    expect(await metric(tenantA, 'unusable_event')).toBe(1);
    expect(await metric(tenantA, 'rule_not_checked')).toBe(1);
    expect(await metric(tenantB, 'dead_lettered')).toBe(0);
  });
});
