import { DatasetChanged, Topics } from '@customs/contracts';
import { createDb, enqueueOutbox, inboxOutboxMigration, migrateToLatest, outboxDeadLetterMigration, outboxPackedMigration, withAllTenants } from '@customs/db';
import { ServiceMetrics, createLogger } from '@customs/telemetry';
import { createTestDatabase, createTestTopics, deleteTestTopics, uniquePrefix, waitFor, type TestDatabase } from '@customs/testing';
import { OutboxRelay, buildEvent, permanentRefusal, type KafkaHandle } from './index';

// Real Kafka (message.max.bytes 16 MiB) and real Postgres: an event the broker refuses for good
// must not block the events behind it. It is dead-lettered with the broker's error, the rest
// flows in order, and nothing is lost.
describe('outbox relay dead-letters what the broker refuses for good (real Kafka, real Postgres)', () => {
  const logger = createLogger('test', 'silent');
  let kafka: KafkaHandle;
  let tdb: TestDatabase;
  let svc: ReturnType<typeof createDb<any>>;

  beforeAll(async () => {
    kafka = await createTestTopics(uniquePrefix('deadletter'));
    tdb = await createTestDatabase('deadletter');
    svc = createDb<any>({ url: tdb.urlFor('reference'), schema: 'reference' });
    await migrateToLatest(svc.db, 'reference', { '0001': inboxOutboxMigration, '0002': outboxPackedMigration, '0003': outboxDeadLetterMigration });
  });

  afterAll(async () => {
    await svc?.close();
    await tdb?.drop();
    await deleteTestTopics(kafka);
  });

  const ev = (id: string, padding = 0) =>
    buildEvent({
      topic: Topics.datasetChanged,
      key: 'ordered',
      value: DatasetChanged.fromPartial({ dataset: 'dl', version: padding ? `${id}:${'x'.repeat(padding)}` : id }),
      tenant: 'tenant-a',
      source: 'test',
      id,
    });

  async function readIds(expected: number, run: () => Promise<void>, only: (id: string) => boolean = () => true): Promise<string[]> {
    const ids: string[] = [];
    const reader = kafka.kafka.consumer({ groupId: `dl-reader-${Date.now()}-${Math.random()}`, maxBytesPerPartition: 32 * 1024 * 1024 });
    await reader.connect();
    await reader.subscribe({ topic: kafka.physical(Topics.datasetChanged.name), fromBeginning: true });
    await reader.run({ eachMessage: async ({ message }) => void (message.key?.toString() === 'ordered' && only(message.headers!.ce_id!.toString()) && ids.push(message.headers!.ce_id!.toString())) });
    try {
      await run();
      await waitFor(`${expected} messages on the topic`, async () => ids.length >= expected, { timeoutMs: 60000 });
      return ids;
    } finally {
      await reader.disconnect();
    }
  }

  it('sends the rows around a refused one, in order, and keeps the refused one with its error', async () => {
    // 17 MiB: above the broker's 16 MiB message.max.bytes. The relay is told the broker takes
    // 64 MiB, so it really sends the event and the broker's MESSAGE_TOO_LARGE is what stops it.
    const rows = [ev('row-0'), ev('refused-by-broker', 17 * 1024 * 1024), ev('row-1'), ev('row-2')];
    for (const e of rows) await withAllTenants(svc.db, (trx) => enqueueOutbox(trx, 'reference', [e]));
    // A pack (≥ 64 messages) with a refused message inside it.
    const packed = Array.from({ length: 80 }, (_, i) => (i === 30 ? ev('packed-refused', 17 * 1024 * 1024) : ev(`packed-${i}`)));
    await withAllTenants(svc.db, (trx) => enqueueOutbox(trx, 'reference', packed));
    const after = [ev('after-0'), ev('after-1')];
    await withAllTenants(svc.db, (trx) => enqueueOutbox(trx, 'reference', after));

    const relay = new OutboxRelay({ pool: svc.pool, schema: 'reference', kafka, logger, pollMs: 100, maxMessageBytes: 64 * 1024 * 1024 });
    const expected = ['row-0', 'row-1', 'row-2', ...packed.map((e) => e.headers.ce_id!).filter((id) => id !== 'packed-refused'), 'after-0', 'after-1'];
    let ids: string[] = [];
    try {
      ids = await readIds(expected.length, () => relay.start());
      await waitFor('the outbox drained', async () => (await svc.pool.query('select count(*)::int as n from outbox')).rows[0].n === 0, { timeoutMs: 60000 });
    } finally {
      await relay.stop();
    }
    expect(ids).toEqual(expected);

    const dead = (
      await svc.pool.query("select pack_index, topic, message_key, headers->>'ce_id' as ce_id, headers->>'ce_tenant' as tenant, error, length(payload) as bytes from outbox_dead_letters order by id")
    ).rows;
    expect(dead.map((d) => d.ce_id)).toEqual(['refused-by-broker', 'packed-refused']);
    expect(dead[0]).toMatchObject({ pack_index: 0, topic: Topics.datasetChanged.name, message_key: 'ordered', tenant: 'tenant-a' });
    expect(dead[0].error).toMatch(/^MESSAGE_TOO_LARGE: /);
    // Packed: pack indexes are 1-based (0 is a plain row). Packs are cut at a few MB, so the
    // 17 MiB message sits in a pack of its own between its neighbours' packs.
    expect(dead[1].pack_index).toBeGreaterThan(0);
    expect(dead[1].error).toMatch(/^MESSAGE_TOO_LARGE: /);
    expect(dead[1].bytes).toBeGreaterThan(17 * 1024 * 1024);
  });

  it('dead-letters a message above its own limit without sending it, and counts it', async () => {
    await svc.pool.query('delete from outbox_dead_letters');
    const metrics = new ServiceMetrics('test', { defaultMetrics: false });
    const rows = [ev('b-0'), ev('b-oversize', 9 * 1024 * 1024), ev('b-1')];
    for (const e of rows) await withAllTenants(svc.db, (trx) => enqueueOutbox(trx, 'reference', [e]));
    const relay = new OutboxRelay({ pool: svc.pool, schema: 'reference', kafka, logger, metrics, pollMs: 100, maxMessageBytes: 8 * 1024 * 1024 });
    let ids: string[] = [];
    try {
      ids = await readIds(
        2,
        () => relay.start(),
        (id) => id.startsWith('b-'),
      );
      await waitFor('the outbox drained', async () => (await svc.pool.query('select count(*)::int as n from outbox')).rows[0].n === 0, { timeoutMs: 60000 });
    } finally {
      await relay.stop();
    }
    expect(ids).toEqual(['b-0', 'b-1']);
    const dead = (await svc.pool.query("select headers->>'ce_id' as ce_id, error from outbox_dead_letters order by id")).rows;
    expect(dead.map((d) => d.ce_id)).toEqual(['b-oversize']);
    expect(dead[0].error).toMatch(/^MESSAGE_TOO_LARGE: \d+ bytes, above the 8388608 bytes the broker accepts/);
    const text = await metrics.registry.getSingleMetricAsString('customs_outbox_dead_lettered_total');
    expect(text).toContain(`customs_outbox_dead_lettered_total{topic="${Topics.datasetChanged.name}",service="test"} 1`);
  });

  it('tells a permanent refusal from a transient failure', () => {
    expect(permanentRefusal({ name: 'KafkaJSNonRetriableError', cause: { name: 'KafkaJSProtocolError', type: 'MESSAGE_TOO_LARGE' } })).toBe('MESSAGE_TOO_LARGE');
    expect(permanentRefusal({ name: 'KafkaJSNumberOfRetriesExceeded', cause: { type: 'LEADER_NOT_AVAILABLE' } })).toBeUndefined();
    expect(permanentRefusal(new Error('Connection error: ECONNREFUSED'))).toBeUndefined();
  });
});
