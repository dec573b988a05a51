import type { Consumer, KafkaMessage, Producer } from 'kafkajs';
import { SpanKind, SpanStatusCode, context, trace, type Context, type Span } from '@opentelemetry/api';
import { dlqTopicFor, escapeControlCharacters, tenantIdProblem, type TopicDef } from '@customs/contracts';
import { tracer, withTenant, type Logger, type ServiceMetrics } from '@customs/telemetry';
import type { KafkaHandle } from './client';
import { LEGACY_TENANT_HEADER, TENANT_HEADER, extractMessageTrace, headersToStrings, tenantOf } from './events';

/** One decoded event handed to a batch handler. */
export interface ConsumedEvent<T> {
  /** CloudEvents ce_id (falls back to topic/partition/offset for foreign producers). */
  eventId: string;
  topic: string;
  partition: number;
  offset: string;
  key: string;
  tenant: string;
  headers: Record<string, string>;
  value: T;
  /** The message's value bytes exactly as produced (what a signature covers). */
  rawValue: Buffer;
  /** Trace context of this event's processing span: pass it as `parent` to events it causes. */
  context: Context;
}

/** A message the consumer gave up on and sent to its dead-letter topic, as onDeadLetter sees it. */
export interface DeadLetter<T> {
  groupId: string;
  /** Logical topic, partition and offset of the original message. */
  topic: string;
  partition: number;
  offset: string;
  key: string;
  /** The message's tenant header ('' when it has none or it is not a valid tenant id). */
  tenant: string;
  headers: Record<string, string>;
  /** The decoded event when the handler failed on it; undefined when it could not be decoded. */
  event?: ConsumedEvent<T>;
  /** Why: the decode error or the handler's last error. */
  error: string;
  /** Logical dead-letter topic it was sent to. */
  dlqTopic: string;
  deadLetteredAt: string;
}

export interface BatchConsumerOptions<T> {
  groupId: string;
  topic: TopicDef<T>;
  /**
   * Processes a batch: must write all effects, the inbox entries and the outbox messages in one
   * database transaction. Throwing retries the batch; a batch that keeps failing is split so the
   * poison message alone goes to the dead-letter topic.
   */
  handle(events: ConsumedEvent<T>[]): Promise<void>;
  logger: Logger;
  metrics?: ServiceMetrics;
  /**
   * Called for each message after it is on the dead-letter topic, so the service can record it
   * where its API and alerts see it (a dead letter nobody looks at is a silent loss). Must be
   * idempotent by topic/partition/offset: it is retried (maxAttempts, with backoff), and if it
   * still fails the batch is not committed and is delivered again (the message is then
   * dead-lettered, and this called, once more). The consumer logs every dead letter itself.
   */
  onDeadLetter?(dead: DeadLetter<T>): Promise<void>;
  /**
   * Whether a handler error is the infrastructure's (a dependency unreachable, a lost database
   * connection) rather than the message's. Such a batch is retried with backoff (up to 10 s) for
   * as long as the error lasts and the consumer runs, never split or dead-lettered: a restart of
   * a dependency must not dead-letter every message that arrives meanwhile. Classify narrowly: a
   * message that causes an error classified transient stops its partition until it is fixed.
   */
  isTransient?(error: unknown): boolean;
  /** Attempts for a failing batch before it is split (default 3). */
  maxAttempts?: number;
  fromBeginning?: boolean;
}

/**
 * The context a batch handler runs in: a single message's own (its consumer span and tenant).
 * For several messages, whose traces differ, a span of the batch (batchSpan) with the tenant
 * when they share one: what the handler does for the batch as a whole (one query, one gRPC call
 * for all, an event built without an explicit `parent`) is traced there, not as a root trace
 * of its own, and is linked both ways to every message's consumer span.
 */
function batchContext(events: ConsumedEvent<unknown>[], batch: Span | undefined): Context {
  if (events.length === 1 || !batch) return events[0]!.context;
  const tenant = events[0]!.tenant;
  const ctx = trace.setSpan(context.active(), batch);
  return events.every((e) => e.tenant === tenant) ? withTenant(ctx, tenant) : ctx;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Batch consumer with decode, per-event trace spans, retry with backoff, dead-lettering and
 * graceful shutdown (stop() finishes the batch in flight and commits its offsets).
 */
export class BatchConsumer<T> {
  private consumer: Consumer | undefined;
  private dlqProducer: Producer | undefined;
  private readonly tracer = tracer('@customs/kafka');

  constructor(
    private readonly handle: KafkaHandle,
    private readonly opts: BatchConsumerOptions<T>,
  ) {}

  async start(): Promise<void> {
    const { groupId, topic } = this.opts;
    await this.requireDlqTopic();
    this.dlqProducer = this.handle.producer();
    await this.dlqProducer.connect();
    // The group is scoped like the topics: environments sharing a broker under different
    // KAFKA_TOPIC_PREFIXes must not join one group (its leader would hand this environment's
    // partitions to a member not subscribed to them, and they would never be read).
    this.consumer = this.handle.kafka.consumer({
      groupId: this.handle.physical(groupId),
      sessionTimeout: 30000,
      heartbeatInterval: 3000,
      maxBytesPerPartition: 4 * 1024 * 1024,
      retry: { retries: 10 },
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.handle.physical(topic.name), fromBeginning: this.opts.fromBeginning ?? true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }) => {
        if (!isRunning() || isStale() || batch.messages.length === 0) return;
        const end = this.opts.metrics?.batchDuration.startTimer({ consumer: groupId });
        const decoded: ConsumedEvent<T>[] = [];
        const spans: ReturnType<typeof this.tracer.startSpan>[] = [];
        for (const m of batch.messages) {
          const ev = this.decode(this.handle.logical(batch.topic), batch.partition, m);
          if ('error' in ev) {
            await this.deadLetter(this.handle.logical(batch.topic), batch.partition, m, ev.error);
            continue;
          }
          decoded.push(ev.event);
          spans.push(trace.getSpan(ev.event.context)!);
        }
        try {
          await this.process(decoded, heartbeat, isRunning);
        } finally {
          for (const s of spans) s.end();
        }
        const last = batch.messages[batch.messages.length - 1]!;
        resolveOffset(last.offset);
        await commitOffsetsIfNecessary({ topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() }] }] });
        await heartbeat();
        end?.();
      },
    });
  }

  /**
   * Topics are never auto-created: a group without its dead-letter topic would retry its first
   * poison message forever (the send fails, the batch is redelivered) and wedge its partition, so
   * the consumer refuses to start instead.
   */
  private async requireDlqTopic(): Promise<void> {
    const dlq = this.handle.physical(dlqTopicFor(this.opts.groupId));
    const admin = this.handle.admin();
    await admin.connect();
    try {
      const existing = await admin.listTopics();
      if (!existing.includes(dlq)) throw new Error(`dead-letter topic ${dlq} of consumer group ${this.opts.groupId} does not exist: declare it in infra/kafka/topics.json`);
    } finally {
      await admin.disconnect();
    }
  }

  private decode(topicName: string, partition: number, m: KafkaMessage): { event: ConsumedEvent<T> } | { error: string } {
    const headers = headersToStrings(m.headers as Record<string, unknown>);
    if (!m.value) return { error: 'message has no value' };
    let value: T;
    try {
      value = this.opts.topic.codec.decode(m.value);
    } catch (e) {
      return { error: `cannot decode ${this.opts.topic.codec.typeName}: ${(e as Error).message}` };
    }
    // ce_tenant (the CloudEvents extension); "tenant" on old-style messages already in topics.
    const tenant = tenantOf(headers);
    if (!tenant) return { error: `missing tenant: no "${TENANT_HEADER}" header (nor the older "${LEGACY_TENANT_HEADER}")` };
    // A tenant id that could not be stored (a NUL) or that means something else downstream ("*"
    // is row-level security's "every tenant") never reaches a handler.
    const bad = tenantIdProblem(tenant);
    const named = headers[TENANT_HEADER] !== undefined ? TENANT_HEADER : LEGACY_TENANT_HEADER;
    if (bad) return { error: `"${named}" header ${bad}, so it names no tenant ("${escapeControlCharacters(tenant).slice(0, 80)}")` };
    const parent = extractMessageTrace(headers);
    const span = this.tracer.startSpan(
      `${topicName} process`,
      {
        kind: SpanKind.CONSUMER,
        attributes: { 'messaging.system': 'kafka', 'messaging.destination.name': topicName, 'messaging.kafka.offset': m.offset, 'messaging.consumer.group.name': this.opts.groupId, tenant },
      },
      parent,
    );
    return {
      event: {
        eventId: headers.ce_id ?? `${topicName}/${partition}/${m.offset}`,
        topic: topicName,
        partition,
        offset: m.offset,
        key: m.key?.toString('utf8') ?? '',
        tenant,
        headers,
        value,
        rawValue: m.value,
        context: withTenant(trace.setSpan(context.active(), span), tenant),
      },
    };
  }

  /**
   * A span for a batch of several messages, a root of its own (one batch belongs to many traces)
   * LINKED to each message's consumer span, which links back to it: a message's trace (the
   * upload's, say) leads to the batch's work, and the batch's to every message it served. A
   * single message needs none: the handler runs in its consumer span.
   */
  private batchSpan(events: ConsumedEvent<T>[]): Span | undefined {
    if (events.length < 2) return undefined;
    const span = this.tracer.startSpan(`${this.opts.topic.name} process batch`, {
      kind: SpanKind.INTERNAL,
      root: true,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.destination.name': this.opts.topic.name,
        'messaging.consumer.group.name': this.opts.groupId,
        'messaging.batch.message_count': events.length,
      },
      links: events.map((e) => ({ context: trace.getSpanContext(e.context)! })).filter((l) => l.context && trace.isSpanContextValid(l.context)),
    });
    for (const e of events) trace.getSpan(e.context)?.addLink({ context: span.spanContext() });
    return span;
  }

  private async process(events: ConsumedEvent<T>[], heartbeat: () => Promise<void>, isRunning: () => boolean): Promise<void> {
    if (events.length === 0) return;
    const batch = this.batchSpan(events);
    try {
      await this.processIn(batch, events, heartbeat, isRunning);
      batch?.setStatus({ code: SpanStatusCode.OK });
    } catch (e) {
      batch?.setStatus({ code: SpanStatusCode.ERROR, message: (e as Error).message });
      throw e;
    } finally {
      batch?.end();
    }
  }

  private async processIn(batch: Span | undefined, events: ConsumedEvent<T>[], heartbeat: () => Promise<void>, isRunning: () => boolean): Promise<void> {
    const max = this.opts.maxAttempts ?? 3;
    for (let attempt = 1, transient = 0; ; attempt++) {
      try {
        await context.with(batchContext(events, batch), () => this.opts.handle(events));
        this.opts.metrics?.messagesConsumed.inc({ topic: this.opts.topic.name, outcome: 'processed' }, events.length);
        return;
      } catch (e) {
        if (this.opts.isTransient?.(e)) {
          // Not the message's fault: wait it out. Stopping, the batch is left uncommitted and is
          // redelivered to whoever consumes the partition next.
          transient++;
          attempt--;
          this.opts.logger.warn({ err: e, transientAttempt: transient, batchSize: events.length, topic: this.opts.topic.name }, 'batch handler failed on a transient error; retrying');
          if (!isRunning()) throw e;
          await this.pause(Math.min(200 * 2 ** Math.min(transient - 1, 6), 10_000), heartbeat, isRunning);
          continue;
        }
        this.opts.logger.warn({ err: e, attempt, batchSize: events.length, topic: this.opts.topic.name }, 'batch handler failed');
        if (attempt < max) {
          await heartbeat();
          await sleep(200 * 2 ** (attempt - 1));
          continue;
        }
        if (events.length === 1) {
          const ev = events[0]!;
          await this.deadLetterEvent(ev, (e as Error).message);
          return;
        }
        // Split to isolate the poison message; the healthy ones still get through.
        const mid = Math.ceil(events.length / 2);
        await this.process(events.slice(0, mid), heartbeat, isRunning);
        await this.process(events.slice(mid), heartbeat, isRunning);
        return;
      }
    }
  }

  /** Sleeps `ms`, heartbeating at least every 2 s (the group's session is 30 s), until stopped. */
  private async pause(ms: number, heartbeat: () => Promise<void>, isRunning: () => boolean): Promise<void> {
    for (let left = ms; left > 0 && isRunning(); left -= 2000) {
      await heartbeat();
      await sleep(Math.min(left, 2000));
    }
  }

  private async deadLetterEvent(ev: ConsumedEvent<T>, error: string): Promise<void> {
    await this.sendDlq(ev.topic, ev.partition, ev.offset, ev.key, this.opts.topic.codec.encode(ev.value), ev.headers, error, ev);
  }

  private async deadLetter(topicName: string, partition: number, m: KafkaMessage, error: string): Promise<void> {
    await this.sendDlq(topicName, partition, m.offset, m.key?.toString('utf8') ?? '', m.value ?? Buffer.alloc(0), headersToStrings(m.headers as Record<string, unknown>), error, undefined);
  }

  private async sendDlq(
    topicName: string,
    partition: number,
    offset: string,
    key: string,
    value: Uint8Array,
    headers: Record<string, string>,
    error: string,
    event: ConsumedEvent<T> | undefined,
  ): Promise<void> {
    const dlq = dlqTopicFor(this.opts.groupId);
    const deadLetteredAt = new Date().toISOString();
    this.opts.logger.error({ topic: topicName, partition, offset, dlq, error, tenant: tenantOf(headers), consumerGroup: this.opts.groupId }, 'message dead-lettered');
    await this.dlqProducer!.send({
      topic: this.handle.physical(dlq),
      acks: -1,
      messages: [
        {
          key,
          value: Buffer.from(value),
          headers: {
            ...headers,
            dlq_error: error.slice(0, 2000),
            dlq_original_topic: topicName,
            dlq_original_partition: String(partition),
            dlq_original_offset: offset,
            dlq_consumer_group: this.opts.groupId,
            dlq_at: deadLetteredAt,
          },
        },
      ],
    });
    this.opts.metrics?.messagesConsumed.inc({ topic: topicName, outcome: 'dead_lettered' });
    if (this.opts.onDeadLetter) {
      // What the hook stores must be storable: a control character in a header, key or error
      // text would fail its insert on every retry and hold the partition forever.
      const safeHeaders: Record<string, string> = {};
      for (const [k, v] of Object.entries(headers)) safeHeaders[escapeControlCharacters(k)] = escapeControlCharacters(v);
      const named = tenantOf(headers);
      const tenant = named && !tenantIdProblem(named) ? named : '';
      await this.recordDeadLetter({
        groupId: this.opts.groupId,
        topic: topicName,
        partition,
        offset,
        key: escapeControlCharacters(key),
        tenant,
        headers: safeHeaders,
        event,
        error: escapeControlCharacters(error),
        dlqTopic: dlq,
        deadLetteredAt,
      });
    }
  }

  /** onDeadLetter with retries; still failing, it throws so the batch's offsets are not committed. */
  private async recordDeadLetter(dead: DeadLetter<T>): Promise<void> {
    const max = this.opts.maxAttempts ?? 3;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.opts.onDeadLetter!(dead);
        return;
      } catch (e) {
        this.opts.logger.error({ err: e, attempt, topic: dead.topic, partition: dead.partition, offset: dead.offset, tenant: dead.tenant }, 'recording a dead letter failed');
        if (attempt >= max) throw new Error(`dead letter ${dead.topic}/${dead.partition}/${dead.offset} was sent to ${dead.dlqTopic} but not recorded: ${(e as Error).message}`, { cause: e });
        await sleep(200 * 2 ** (attempt - 1));
      }
    }
  }

  /** Stops after the batch in flight; its offsets are committed before this resolves. */
  async stop(): Promise<void> {
    await this.consumer?.disconnect();
    await this.dlqProducer?.disconnect();
  }
}
