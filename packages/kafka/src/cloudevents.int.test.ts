import { Kafka as CloudEventsKafka } from 'cloudevents';
import type { Consumer } from 'kafkajs';
import { context, trace } from '@opentelemetry/api';
import { AlertChanged, AlertStatus, Severity, Topics, dlqTopicFor } from '@customs/contracts';
import { enqueueOutbox, inboxOutboxMigration, migrateToLatest, outboxPackedMigration, createDb, withAllTenants } from '@customs/db';
import { createLogger, startInMemoryTracing } from '@customs/telemetry';
import { createTestDatabase, testEnv, uniquePrefix, waitFor, type TestDatabase } from '@customs/testing';
import { BatchConsumer, OutboxRelay, buildEvent, createKafka, ensureTopics, headersToStrings, type ConsumedEvent, type DeadLetter, type KafkaHandle } from './index';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]$/;

// The CloudEvents Kafka protocol binding (binary mode), checked by the CloudEvents SDK itself on
// messages the outbox relay really published to a real topic: what an integrator's consumer
// built on any CloudEvents SDK reads.
describe('CloudEvents Kafka binding on real messages (outbox relay → Kafka → cloudevents SDK)', () => {
  const logger = createLogger('test', 'silent');
  const spans = startInMemoryTracing();
  let kafka: KafkaHandle;
  let tdb: TestDatabase;
  let svc: ReturnType<typeof createDb<any>>;
  const consumers: (Consumer | BatchConsumer<unknown>)[] = [];

  beforeAll(async () => {
    kafka = createKafka({ brokers: testEnv().brokers, clientId: 'test', topicPrefix: uniquePrefix('cloudevents') });
    await ensureTopics(kafka, [
      { name: Topics.alertChanged.name, partitions: 1 },
      { name: dlqTopicFor('alerting'), partitions: 1 },
    ]);
    tdb = await createTestDatabase('cloudevents');
    svc = createDb<any>({ url: tdb.urlFor('alerting'), schema: 'alerting' });
    await migrateToLatest(svc.db, 'alerting', { '0001': inboxOutboxMigration, '0002': outboxPackedMigration });
  });
  afterAll(async () => {
    for (const c of consumers) await c.stop?.();
    for (const c of consumers) await (c as Consumer).disconnect?.();
    await svc?.close();
    await tdb?.drop();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [kafka.physical(Topics.alertChanged.name), kafka.physical(dlqTopicFor('alerting'))] }).catch(() => undefined);
    await admin.disconnect();
  });

  /** Every message of a topic from the beginning, as raw kafkajs messages with string headers. */
  async function readRaw(topic: string, count: number) {
    const got: { key: string; value: Buffer; headers: Record<string, string>; timestamp: string }[] = [];
    const consumer = kafka.kafka.consumer({ groupId: kafka.physical(`raw-${Math.random()}`) });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic: kafka.physical(topic), fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) =>
        void got.push({ key: message.key!.toString(), value: message.value!, headers: headersToStrings(message.headers as Record<string, unknown>), timestamp: message.timestamp }),
    });
    await waitFor(`${count} messages on ${topic}`, async () => got.length >= count, { timeoutMs: 60000 });
    return got;
  }

  const alert = AlertChanged.fromPartial({
    alert: { alertId: 'A-1', tenantId: 'tenant-a', title: 'C07 on 3 declarations', severity: Severity.SEVERITY_HIGH, status: AlertStatus.ALERT_STATUS_NEW, exposurePence: 123456 },
    change: { kind: 'raised', toStatus: AlertStatus.ALERT_STATUS_NEW, at: '2026-12-03T09:00:00.000Z', actor: 'alerting', notify: true },
  });

  it('the SDK reads specversion, id, source, type, time, content type and the tenant extension; data decodes; traceparent continues the trace', async () => {
    const tracer = trace.getTracer('test');
    const inSpan = tracer.startSpan('raise alert');
    const inSpanEvent = context.with(trace.setSpan(context.active(), inSpan), () =>
      buildEvent({ topic: Topics.alertChanged, key: 'tenant-a/A-1', value: alert, tenant: 'tenant-a', source: 'alerting', subject: 'A-1', id: 'alert/tenant-a/A-1/1' }),
    );
    inSpan.end();
    // Built outside any span (a timer, a start-up task): a trace of its own, never no traceparent.
    const rootEvent = buildEvent({ topic: Topics.alertChanged, key: 'tenant-a/A-1', value: alert, tenant: 'tenant-a', source: 'alerting', id: 'alert/tenant-a/A-1/2' });
    await withAllTenants(svc.db, (trx) => enqueueOutbox(trx, 'alerting', [inSpanEvent, rootEvent]));
    const relay = new OutboxRelay({ pool: svc.pool, schema: 'alerting', kafka, logger, pollMs: 100 });
    await relay.start();
    let raw: Awaited<ReturnType<typeof readRaw>>;
    try {
      raw = await readRaw(Topics.alertChanged.name, 2);
    } finally {
      await relay.stop();
    }
    const [first, second] = raw;
    expect(Object.keys(first!.headers).sort()).toEqual(['ce_id', 'ce_source', 'ce_specversion', 'ce_subject', 'ce_tenant', 'ce_time', 'ce_type', 'content-type', 'traceparent']);

    const event = CloudEventsKafka.toEvent({ key: first!.key, value: first!.value, headers: first!.headers, timestamp: first!.timestamp });
    const e = Array.isArray(event) ? event[0]! : event;
    expect({ specversion: e.specversion, id: e.id, source: e.source, type: e.type, subject: e.subject, datacontenttype: e.datacontenttype, tenant: e.tenant }).toEqual({
      specversion: '1.0',
      id: 'alert/tenant-a/A-1/1',
      source: '/customs/alerting',
      type: 'alerting.alert.changed.v1',
      subject: 'A-1',
      datacontenttype: 'application/protobuf; messageType=customs.v1.AlertChanged',
      tenant: 'tenant-a',
    });
    expect(Number.isNaN(Date.parse(String(e.time)))).toBe(false);
    expect(AlertChanged.decode(e.data as Uint8Array)).toEqual(alert);

    expect(first!.headers.traceparent).toMatch(TRACEPARENT);
    expect(TRACEPARENT.exec(first!.headers.traceparent!)![1]).toBe(inSpan.spanContext().traceId);
    expect(second!.headers.traceparent).toMatch(TRACEPARENT);
    const rootTrace = TRACEPARENT.exec(second!.headers.traceparent!)![1];
    expect(rootTrace).not.toBe(inSpan.spanContext().traceId);
    expect(spans.getFinishedSpans().find((s) => s.spanContext().traceId === rootTrace)?.name).toBe('alerting.alert.changed.v1 publish');
  });

  it('consumers still read old-style messages already in topics ("tenant", "content_type"); one naming no tenant is dead-lettered saying which header', async () => {
    const producer = kafka.producer();
    await producer.connect();
    const oldStyle = (id: string, tenantHeaders: Record<string, string>) => ({
      key: 'tenant-b/A-9',
      value: Buffer.from(AlertChanged.encode(alert).finish()),
      headers: {
        ce_specversion: '1.0',
        ce_id: id,
        ce_type: Topics.alertChanged.name,
        ce_source: '/customs/alerting',
        content_type: 'application/protobuf; messageType=customs.v1.AlertChanged',
        ...tenantHeaders,
      },
    });
    await producer.send({ topic: kafka.physical(Topics.alertChanged.name), messages: [oldStyle('old-1', { tenant: 'tenant-b' }), oldStyle('no-tenant', {})] });
    await producer.disconnect();

    const seen: ConsumedEvent<AlertChanged>[] = [];
    const dead: DeadLetter<AlertChanged>[] = [];
    const consumer = new BatchConsumer(kafka, {
      groupId: 'alerting',
      topic: Topics.alertChanged,
      logger,
      handle: async (batch) => void seen.push(...batch),
      onDeadLetter: async (d) => void dead.push(d),
    });
    consumers.push(consumer as BatchConsumer<unknown>);
    await consumer.start();
    await waitFor('the old-style message and the dead letter', async () => seen.some((e) => e.eventId === 'old-1') && dead.length === 1, { timeoutMs: 60000 });
    expect(seen.map((e) => [e.eventId, e.tenant])).toEqual([
      ['alert/tenant-a/A-1/1', 'tenant-a'],
      ['alert/tenant-a/A-1/2', 'tenant-a'],
      ['old-1', 'tenant-b'],
    ]);
    expect(dead.map((d) => [d.headers.ce_id, d.error])).toEqual([['no-tenant', 'missing tenant: no "ce_tenant" header (nor the older "tenant")']]);
  });
});
