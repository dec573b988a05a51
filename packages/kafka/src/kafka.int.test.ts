import { Client } from 'pg';
import { DatasetChanged, Topics, dlqTopicFor } from '@customs/contracts';
import { OUTBOX_PACK_MIN_MESSAGES, claimInbox, createDb, enqueueOutbox, inboxOutboxMigration, migrateToLatest, outboxPackedMigration, withAllTenants } from '@customs/db';
import { createLogger } from '@customs/telemetry';
import { createTestDatabase, createTestTopics, deleteTestTopics, uniquePrefix, waitFor, type TestDatabase } from '@customs/testing';
import { BatchConsumer, OutboxRelay, buildEvent, type DeadLetter, type KafkaHandle } from './index';

// Real Kafka and real Postgres: the outbox relay publishes what a transaction committed, the
// batch consumer deduplicates redeliveries through the inbox, and poison messages are
// dead-lettered with their error while the rest of the batch goes through.
describe('outbox relay + batch consumer (real Kafka, real Postgres)', () => {
  const logger = createLogger('test', 'silent');
  let kafka: KafkaHandle;
  let tdb: TestDatabase;
  let svc: ReturnType<typeof createDb<any>>;

  beforeAll(async () => {
    kafka = await createTestTopics(uniquePrefix('kafka'));
    tdb = await createTestDatabase('kafka');
    svc = createDb<any>({ url: tdb.urlFor('reference'), schema: 'reference' });
    await migrateToLatest(svc.db, 'reference', {
      '0001': inboxOutboxMigration,
      '0003': outboxPackedMigration,
      '0002': {
        up: async (db) =>
          void (await db.schema
            .createTable('effects')
            .addColumn('event_id', 'text', (c) => c.primaryKey())
            .addColumn('version', 'text')
            .execute()),
      },
    });
  });

  afterAll(async () => {
    await svc?.close();
    await tdb?.drop();
    await deleteTestTopics(kafka);
  });

  it('publishes committed outbox rows once and applies each event exactly once despite redelivery', async () => {
    const events = Array.from({ length: 50 }, (_, i) =>
      buildEvent({ topic: Topics.datasetChanged, key: `k${i % 5}`, value: DatasetChanged.fromPartial({ dataset: 'fx', version: `v${i}` }), tenant: 'platform', source: 'test', id: `evt-${i}` }),
    );
    // Enqueue every event twice (as a producer crash-and-retry would), in committed transactions.
    await withAllTenants(svc.db, (trx) => enqueueOutbox(trx, 'reference', events));
    await withAllTenants(svc.db, (trx) => enqueueOutbox(trx, 'reference', events.slice(0, 10)));
    // A rolled-back transaction must publish nothing.
    await expect(
      withAllTenants(svc.db, async (trx) => {
        await enqueueOutbox(trx, 'reference', [
          buildEvent({ topic: Topics.datasetChanged, key: 'x', value: DatasetChanged.fromPartial({ dataset: 'never' }), tenant: 'platform', source: 'test', id: 'rolled-back' }),
        ]);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');

    const relay = new OutboxRelay({ pool: svc.pool, schema: 'reference', kafka, logger, pollMs: 100 });
    await relay.start();
    const seen: string[] = [];
    // A group with a declared dead-letter topic (the consumer refuses to start without one).
    const consumer = new BatchConsumer(kafka, {
      groupId: 'alerting',
      topic: Topics.datasetChanged,
      logger,
      handle: async (batch) => {
        await withAllTenants(svc.db, async (trx) => {
          const fresh = await claimInbox(
            trx,
            'alerting',
            batch.map((e) => ({ eventId: e.eventId, topic: e.topic })),
          );
          const rows = batch.filter((e) => fresh.has(e.eventId)).map((e) => ({ event_id: e.eventId, version: e.value.version }));
          if (rows.length) await trx.insertInto('effects').values(rows).execute();
          seen.push(...batch.map((e) => e.eventId));
        });
      },
    });
    await consumer.start();
    try {
      await waitFor('60 deliveries', async () => seen.length >= 60, { timeoutMs: 60000 });
      const effects = await svc.db.selectFrom('effects').select(['event_id']).execute();
      expect(effects.map((e: { event_id: string }) => e.event_id).sort()).toEqual(events.map((e) => e.headers.ce_id).sort());
      expect(seen).not.toContain('rolled-back');
      const left = await svc.pool.query('select count(*)::int as n from outbox');
      expect(left.rows[0].n).toBe(0);
    } finally {
      await consumer.stop();
      await relay.stop();
    }
  });

  it('publishes an outbox larger than the broker accepts in one record batch, in byte-bounded rounds', async () => {
    // 24 events of 800 KB on one key (one partition): 19 MB, above the broker's 16 MiB
    // message.max.bytes for a single record batch, so one unbounded round would be refused and the
    // outbox would stall. The relay keeps each round under 900 KiB.
    const big = 'x'.repeat(800 * 1024);
    const events = Array.from({ length: 24 }, (_, i) =>
      buildEvent({
        topic: Topics.datasetChanged,
        key: 'big',
        value: DatasetChanged.fromPartial({ dataset: 'ott-measures', version: `${i}-${big}` }),
        tenant: 'platform',
        source: 'test',
        id: `big-${i}`,
      }),
    );
    await withAllTenants(svc.db, (trx) => enqueueOutbox(trx, 'reference', events));
    const admin = kafka.admin();
    await admin.connect();
    const offsets = async () => (await admin.fetchTopicOffsets(kafka.physical(Topics.datasetChanged.name))).reduce((s, p) => s + Number(p.high), 0);
    const before = await offsets();
    const relay = new OutboxRelay({ pool: svc.pool, schema: 'reference', kafka, logger, pollMs: 100 });
    await relay.start();
    try {
      await waitFor('the outbox drained', async () => (await svc.pool.query('select count(*)::int as n from outbox')).rows[0].n === 0, { timeoutMs: 60000 });
      expect((await offsets()) - before).toBe(24);
    } finally {
      await relay.stop();
      await admin.disconnect();
    }
  });

  it('publishes packed rows in order between single rows, and resumes a pack where a crashed relay left it', async () => {
    // One key, so one partition, so the topic's order is the outbox's order.
    const ev = (id: string) =>
      buildEvent({ topic: Topics.datasetChanged, key: 'ordered', value: DatasetChanged.fromPartial({ dataset: 'pack', version: id }), tenant: 'platform', source: 'test', id });
    const before = Array.from({ length: 3 }, (_, i) => ev(`before-${i}`));
    const packed = Array.from({ length: 100 }, (_, i) => ev(`packed-${i}`));
    const after = Array.from({ length: 2 }, (_, i) => ev(`after-${i}`));
    await withAllTenants(svc.db, (trx) => enqueueOutbox(trx, 'reference', before));
    await withAllTenants(svc.db, (trx) => enqueueOutbox(trx, 'reference', packed));
    await withAllTenants(svc.db, (trx) => enqueueOutbox(trx, 'reference', after));
    const rows = (await svc.pool.query('select packed_count, sent from outbox order by id')).rows;
    expect(packed.length).toBeGreaterThanOrEqual(OUTBOX_PACK_MIN_MESSAGES);
    expect(rows.map((r) => r.packed_count)).toEqual([0, 0, 0, 100, 0, 0]);
    // A relay that died after publishing the pack's first 40 messages left sent = 40.
    await svc.pool.query('update outbox set sent = 40 where packed_count > 0');

    const ids: string[] = [];
    const reader = kafka.kafka.consumer({ groupId: `pack-reader-${Date.now()}` });
    await reader.connect();
    await reader.subscribe({ topic: kafka.physical(Topics.datasetChanged.name), fromBeginning: true });
    await reader.run({ eachMessage: async ({ message }) => void (message.key?.toString() === 'ordered' && ids.push(message.headers!.ce_id!.toString())) });
    const relay = new OutboxRelay({ pool: svc.pool, schema: 'reference', kafka, logger, pollMs: 100, maxRoundBytes: 2048 });
    await relay.start();
    try {
      await waitFor('65 ordered messages', async () => ids.length >= 65, { timeoutMs: 60000 });
      expect(ids).toEqual([...before, ...packed.slice(40), ...after].map((e) => e.headers.ce_id));
      expect((await svc.pool.query('select count(*)::int as n from outbox')).rows[0].n).toBe(0);
    } finally {
      await relay.stop();
      await reader.disconnect();
    }
  });

  it('dead-letters an undecodable message with its error and keeps consuming', async () => {
    const producer = kafka.producer();
    await producer.connect();
    const good = buildEvent({ topic: Topics.datasetChanged, key: 'g', value: DatasetChanged.fromPartial({ dataset: 'after-poison' }), tenant: 'platform', source: 'test', id: 'good-after-poison' });
    await producer.send({
      topic: kafka.physical(Topics.datasetChanged.name),
      messages: [
        { key: 'p', value: Buffer.from([0xff, 0xff, 0xff, 0xff]), headers: { ce_id: 'poison', tenant: 'platform' } },
        { key: good.key, value: Buffer.from(good.payload), headers: good.headers },
      ],
    });
    await producer.disconnect();

    const handled: string[] = [];
    const consumer = new BatchConsumer(kafka, { groupId: 'validation', topic: Topics.datasetChanged, logger, handle: async (b) => void handled.push(...b.map((e) => e.value.dataset)) });
    await consumer.start();
    const dlq: { error: string; offset: string }[] = [];
    const reader = kafka.kafka.consumer({ groupId: `dlq-reader-${Date.now()}` });
    await reader.connect();
    await reader.subscribe({ topic: kafka.physical(dlqTopicFor('validation')), fromBeginning: true });
    await reader.run({ eachMessage: async ({ message }) => void dlq.push({ error: message.headers!.dlq_error!.toString(), offset: message.headers!.dlq_original_offset!.toString() }) });
    try {
      await waitFor('dead letter and the good message', async () => dlq.length >= 1 && handled.includes('after-poison'), { timeoutMs: 60000 });
      expect(dlq[0]!.error).toMatch(/cannot decode customs\.v1\.DatasetChanged/);
    } finally {
      await reader.disconnect();
      await consumer.stop();
    }
  });

  it('retries a batch failing on a transient error for as long as it lasts, never dead-lettering it', async () => {
    const producer = kafka.producer();
    await producer.connect();
    const flaky = buildEvent({
      topic: Topics.datasetChanged,
      key: 'hook-flaky',
      value: DatasetChanged.fromPartial({ dataset: 'flaky-after-outage' }),
      tenant: 'tenant-h',
      source: 'test',
      id: 'hook-flaky',
    });
    await producer.send({ topic: kafka.physical(Topics.datasetChanged.name), messages: [{ key: flaky.key, value: Buffer.from(flaky.payload), headers: flaky.headers }] });
    await producer.disconnect();

    // Five failures, more than maxAttempts (3): a non-transient error would have been dead-lettered.
    let outage = 5;
    const handled: string[] = [];
    const dead: string[] = [];
    const consumer = new BatchConsumer(kafka, {
      groupId: 'ingestion',
      topic: Topics.datasetChanged,
      logger,
      handle: async (b) => {
        if (b.some((e) => e.value.dataset === 'flaky-after-outage') && outage > 0) {
          outage--;
          throw Object.assign(new Error('14 UNAVAILABLE: No connection established'), { transient: true });
        }
        handled.push(...b.map((e) => e.value.dataset));
      },
      isTransient: (e) => (e as { transient?: boolean }).transient === true,
      onDeadLetter: async (d) => void dead.push(d.key),
    });
    await consumer.start();
    try {
      await waitFor('the event handled once the outage is over', async () => handled.includes('flaky-after-outage'), { timeoutMs: 60000 });
      expect(outage).toBe(0);
      expect(dead).not.toContain('hook-flaky');
    } finally {
      await consumer.stop();
    }
  });

  it('refuses to start a consumer group whose dead-letter topic does not exist (its first poison message would wedge it)', async () => {
    const consumer = new BatchConsumer(kafka, { groupId: 'undeclared-group', topic: Topics.datasetChanged, logger, handle: async () => undefined });
    await expect(consumer.start()).rejects.toThrow(
      `dead-letter topic ${kafka.physical('undeclared-group.dlq')} of consumer group undeclared-group does not exist: declare it in infra/kafka/topics.json`,
    );
    await consumer.stop();
  });

  it('hands every dead letter to onDeadLetter, undecodable or refused by the handler, and retries a failing hook', async () => {
    const producer = kafka.producer();
    await producer.connect();
    const refused = buildEvent({
      topic: Topics.datasetChanged,
      key: 'hook-refused',
      value: DatasetChanged.fromPartial({ dataset: 'refused-by-handler' }),
      tenant: 'tenant-h',
      source: 'test',
      id: 'hook-refused',
    });
    const fine = buildEvent({ topic: Topics.datasetChanged, key: 'hook-fine', value: DatasetChanged.fromPartial({ dataset: 'hook-fine' }), tenant: 'tenant-h', source: 'test', id: 'hook-fine' });
    await producer.send({
      topic: kafka.physical(Topics.datasetChanged.name),
      messages: [
        { key: 'hook-undecodable', value: Buffer.from([0xff, 0xff, 0xff, 0xff]), headers: { ce_id: 'hook-undecodable', tenant: 'tenant-h' } },
        { key: refused.key, value: Buffer.from(refused.payload), headers: refused.headers },
        { key: fine.key, value: Buffer.from(fine.payload), headers: fine.headers },
      ],
    });
    await producer.disconnect();

    const handled: string[] = [];
    const recorded: DeadLetter<DatasetChanged>[] = [];
    let hookCalls = 0;
    // Any group with a declared dead-letter topic (infra/kafka/topics.json); this file uses no other 'scoring' consumer.
    const consumer = new BatchConsumer(kafka, {
      groupId: 'scoring',
      topic: Topics.datasetChanged,
      logger,
      handle: async (b) => {
        if (b.some((e) => e.value.dataset === 'refused-by-handler')) throw new Error('the handler refuses this event');
        handled.push(...b.map((e) => e.value.dataset));
      },
      // The first call fails (a database hiccup): the consumer retries it rather than losing it.
      onDeadLetter: async (dead) => {
        if (hookCalls++ === 0) throw new Error('database unavailable');
        if (dead.key.startsWith('hook-')) recorded.push(dead);
      },
    });
    await consumer.start();
    try {
      await waitFor('both dead letters recorded and the good event handled', async () => recorded.length >= 2 && handled.includes('hook-fine'), { timeoutMs: 60000 });
      const byKey = Object.fromEntries(recorded.map((d) => [d.key, d]));
      expect(Object.keys(byKey).sort()).toEqual(['hook-refused', 'hook-undecodable']);
      expect(byKey['hook-undecodable']).toMatchObject({
        groupId: 'scoring',
        topic: Topics.datasetChanged.name,
        tenant: 'tenant-h',
        event: undefined,
        dlqTopic: dlqTopicFor('scoring'),
        error: expect.stringMatching(/cannot decode customs\.v1\.DatasetChanged/),
      });
      expect(byKey['hook-refused']).toMatchObject({ tenant: 'tenant-h', error: 'the handler refuses this event', headers: expect.objectContaining({ ce_id: 'hook-refused' }) });
      expect(byKey['hook-refused']!.event!.value.dataset).toBe('refused-by-handler');
      expect(byKey['hook-refused']!.offset).toMatch(/^\d+$/);
      expect(hookCalls).toBeGreaterThan(recorded.length);
    } finally {
      await consumer.stop();
    }
  });
});
