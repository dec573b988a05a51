// Must run before any producer or consumer exists: every span of this file goes to memory.
import { startInMemoryTracing, createLogger, inSpan, tracer, SpanKind, trace } from '@customs/telemetry';
const spans = startInMemoryTracing();

import { DatasetChanged, Topics } from '@customs/contracts';
import { createDb, enqueueOutbox, inboxOutboxMigration, migrateToLatest, outboxDeadLetterMigration, outboxPackedMigration, OUTBOX_PACK_MIN_MESSAGES, withAllTenants } from '@customs/db';
import { createTestDatabase, createTestTopics, deleteTestTopics, uniquePrefix, waitFor, type TestDatabase } from '@customs/testing';
import { BatchConsumer, OutboxRelay, buildEvent, type ConsumedEvent, type KafkaHandle } from './index';

// Real Kafka and real Postgres: a trace survives the outbox (the relay publishes, in another
// transaction and later, rows written inside a request's span) and batch consumption (one batch
// carries messages of many traces).
describe('trace context through the outbox relay and the batch consumer (real Kafka, real Postgres)', () => {
  const logger = createLogger('test', 'silent');
  let kafka: KafkaHandle;
  let tdb: TestDatabase;
  let svc: ReturnType<typeof createDb<any>>;
  const t = tracer('test');
  const finished = () => spans.getFinishedSpans();
  const parentOf = (s: ReturnType<typeof finished>[number]) => s.parentSpanContext?.spanId;

  beforeAll(async () => {
    kafka = await createTestTopics(uniquePrefix('ktrace'));
    tdb = await createTestDatabase('ktrace');
    svc = createDb<any>({ url: tdb.urlFor('reference'), schema: 'reference' });
    await migrateToLatest(svc.db, 'reference', { '0001': inboxOutboxMigration, '0002': outboxPackedMigration, '0003': outboxDeadLetterMigration });
  });

  afterAll(async () => {
    await svc?.close();
    await tdb?.drop();
    await deleteTestTopics(kafka);
  });

  const event = (id: string) =>
    buildEvent({ topic: Topics.datasetChanged, key: 'traced', value: DatasetChanged.fromPartial({ dataset: 'trace', version: id }), tenant: 'tenant-t', source: 'test', id });

  it('the relay publishes each outbox row (plain and packed) in a PRODUCER span under the span that wrote it; a batch of several messages has a span linked to each message’s consumer span', async () => {
    // Three "requests", each writing its events in its own committed transaction while its span
    // is active; the relay is not running yet, so it publishes them later, outside any span.
    const plain = await Promise.all(
      ['a', 'b'].map((r) =>
        inSpan(t, `request ${r}`, { kind: SpanKind.SERVER }, async (span) => {
          await withAllTenants(svc.db, (trx) => enqueueOutbox(trx, 'reference', [event(`plain-${r}`)]));
          return span.spanContext();
        }),
      ),
    );
    const packed = await inSpan(t, 'request packed', { kind: SpanKind.SERVER }, async (span) => {
      await withAllTenants(svc.db, (trx) =>
        enqueueOutbox(
          trx,
          'reference',
          Array.from({ length: OUTBOX_PACK_MIN_MESSAGES }, (_, i) => event(`packed-${i}`)),
        ),
      );
      return span.spanContext();
    });
    const expected = 2 + OUTBOX_PACK_MIN_MESSAGES;

    const relay = new OutboxRelay({ pool: svc.pool, schema: 'reference', kafka, logger, pollMs: 100 });
    await relay.start();
    // Published before the consumer starts, so it reads them in batches of several (one key, one partition).
    await waitFor('the outbox to be empty', async () => Number((await svc.pool.query('select count(*)::int as n from outbox')).rows[0].n) === 0, { timeoutMs: 30000 });
    await relay.stop();

    const batches: ConsumedEvent<DatasetChanged>[][] = [];
    const caused: { traceId: string; spanId: string }[] = [];
    const consumer = new BatchConsumer(kafka, {
      groupId: 'alerting',
      topic: Topics.datasetChanged,
      logger,
      handle: async (batch) => {
        batches.push(batch);
        // What a handler does for the batch as a whole, with no explicit parent: an event built
        // in the handler's context (alerting's alert.changed is built like this).
        const built = buildEvent({ topic: Topics.datasetChanged, key: 'caused', value: DatasetChanged.fromPartial({ dataset: 'caused' }), tenant: 'tenant-t', source: 'test' });
        const [, traceId, spanId] = built.headers.traceparent!.split('-');
        caused.push({ traceId: traceId!, spanId: spanId! });
      },
    });
    await consumer.start();
    try {
      await waitFor('every message consumed', async () => batches.flat().length >= expected, { timeoutMs: 60000 });
    } finally {
      await consumer.stop();
    }

    const publish = finished().filter((s) => s.kind === SpanKind.PRODUCER && s.name === `${Topics.datasetChanged.name} publish`);
    const consume = finished().filter((s) => s.kind === SpanKind.CONSUMER && s.name === `${Topics.datasetChanged.name} process`);
    // One publish span per message, under the span that wrote its row: plain rows and every message of the pack.
    for (const [i, request] of plain.entries()) {
      const mine = publish.filter((s) => s.spanContext().traceId === request.traceId);
      expect({ request: i, publishes: mine.length, parent: mine.map(parentOf) }).toEqual({ request: i, publishes: 1, parent: [request.spanId] });
    }
    const packPublishes = publish.filter((s) => s.spanContext().traceId === packed.traceId);
    expect(packPublishes.length).toBe(OUTBOX_PACK_MIN_MESSAGES);
    for (const s of packPublishes) expect(parentOf(s)).toBe(packed.spanId);
    expect(packPublishes.every((s) => Number(s.attributes['customs.outbox.pack_index']) >= 1)).toBe(true);

    // Each message's consumer span is the child of its publish span (the traceparent on the message).
    const publishIds = new Set(publish.map((s) => s.spanContext().spanId));
    const ours = consume.filter((s) => [...plain, packed].some((r) => r.traceId === s.spanContext().traceId));
    expect(ours.length).toBe(expected);
    for (const s of ours) expect(publishIds.has(parentOf(s)!)).toBe(true);

    // Batch mode: the consumer read batches of several messages of different traces.
    const multi = batches.filter((b) => b.length > 1);
    expect(multi.length).toBeGreaterThan(0);
    const batchSpans = finished().filter((s) => s.name === `${Topics.datasetChanged.name} process batch`);
    expect(batchSpans.length).toBe(multi.length);
    for (const [i, b] of multi.entries()) {
      const batchSpan = batchSpans.find((s) => s.links.length === b.length && b.every((e) => s.links.some((l) => l.context.spanId === trace.getSpanContext(e.context)!.spanId)));
      expect({ batch: i, found: batchSpan !== undefined }).toEqual({ batch: i, found: true });
      // A root of its own, linked to each message's consumer span, which links back to it.
      expect(batchSpan!.parentSpanContext).toBeUndefined();
      for (const e of b) {
        const messageSpan = consume.find((s) => s.spanContext().spanId === trace.getSpanContext(e.context)!.spanId)!;
        expect(messageSpan.links.map((l) => l.context.spanId)).toContain(batchSpan!.spanContext().spanId);
      }
    }
    // An event the handler built for a batch of several continues the batch span's trace (not a
    // fresh root of its own); for a batch of one, the message's consumer span.
    batches.forEach((b, i) => {
      const c = caused[i]!;
      if (b.length > 1) expect(batchSpans.some((s) => s.spanContext().traceId === c.traceId && s.spanContext().spanId === c.spanId)).toBe(true);
      else expect(trace.getSpanContext(b[0]!.context)!.spanId).toBe(c.spanId);
    });
  });
});
