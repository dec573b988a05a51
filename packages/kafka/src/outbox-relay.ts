import type { Pool, PoolClient } from 'pg';
import type { Producer } from 'kafkajs';
import { outboxChannel, unpackOutboxMessages } from '@customs/db';
import { SpanKind, SpanStatusCode, context, trace, type Span } from '@opentelemetry/api';
import { tracer, type Logger, type ServiceMetrics } from '@customs/telemetry';
import type { KafkaHandle } from './client';
import { extractMessageTrace, injectMessageTrace, tenantOf } from './events';

export interface OutboxRelayOptions {
  pool: Pool;
  schema: string;
  kafka: KafkaHandle;
  logger: Logger;
  metrics?: ServiceMetrics;
  /** Rows per publish round (default 2000). */
  batchSize?: number;
  /**
   * Bytes (payload + key + headers) per publish round (default 900 KiB). A round goes out as one
   * record batch per partition, and a batch over the broker's message.max.bytes (1 MiB by default)
   * is refused whole, which would stall the outbox; a single larger message is still sent alone.
   */
  maxRoundBytes?: number;
  /**
   * The largest message (payload + key + headers) the broker takes (default 16 MiB, the
   * platform's message.max.bytes; KAFKA_MAX_MESSAGE_BYTES). A larger one is dead-lettered
   * without being sent: the broker would refuse it on every attempt.
   */
  maxMessageBytes?: number;
  /** Poll interval when no NOTIFY arrives (default 1000 ms). */
  pollMs?: number;
}

/** One message of a round, with where it came from (for deletion or dead-lettering). */
interface RoundMessage {
  topic: string;
  key: string | Buffer;
  value: Buffer;
  headers: Record<string, string | Buffer>;
  outboxId: number;
  /** Place in a packed row; 0 for a plain row. */
  packIndex: number;
  size: number;
}

/**
 * Errors with which the broker refuses a record for what it is, not for the state of the
 * cluster: sending it again can never succeed. Anything else (broker down, leader moving,
 * authorisation not yet granted) is retried, since it heals without touching the message.
 */
const PERMANENT_REFUSALS = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD', 'INVALID_TIMESTAMP', 'POLICY_VIOLATION']);

/** The broker's refusal type when `e` (or an error it wraps) is a permanent one. */
export function permanentRefusal(e: unknown): string | undefined {
  for (let cur = e as { type?: unknown; cause?: unknown } | undefined, depth = 0; cur && depth < 5; cur = cur.cause as typeof cur, depth++) {
    if (typeof cur.type === 'string' && PERMANENT_REFUSALS.has(cur.type)) return cur.type;
  }
  return undefined;
}

function sizeOf(key: string | Buffer, value: Buffer, headers: Record<string, string | Buffer>): number {
  let size = value.length + key.length;
  for (const name in headers) size += name.length + headers[name]!.length;
  return size;
}

interface OutboxRow {
  id: number;
  topic: string;
  message_key: string;
  /** Null for a pack (fetched separately). */
  payload: Buffer | null;
  headers: Record<string, string>;
  packed_count: number;
  sent: number;
}

const relayTracer = tracer('@customs/kafka');

/**
 * The PRODUCER span of one outbox message's send: a child of the trace context stored with the
 * row (the traceparent buildEvent put in its headers, in the transaction that wrote it — the
 * request's or consumed message's span), so the relay's send, however much later and in whatever
 * process, is one hop of the causing trace; the gap before it is the time the row waited in the
 * outbox. The consumer continues from this span (withPublishTrace).
 */
function publishSpan(m: RoundMessage): Span {
  const carrier: Record<string, string> = {};
  for (const name of TRACE_HEADERS) {
    const v = m.headers[name];
    if (v !== undefined) carrier[name] = v.toString();
  }
  return relayTracer.startSpan(
    `${m.topic} publish`,
    {
      kind: SpanKind.PRODUCER,
      attributes: { 'messaging.system': 'kafka', 'messaging.operation.type': 'send', 'messaging.destination.name': m.topic, 'customs.outbox.id': m.outboxId, 'customs.outbox.pack_index': m.packIndex },
    },
    extractMessageTrace(carrier),
  );
}

const TRACE_HEADERS = ['traceparent', 'tracestate'] as const;

/**
 * The message's headers with traceparent naming the publish span, so its consumer's span is that
 * span's child. Without a tracer provider the span is the API's non-recording one, which keeps
 * the stored context: the header is then unchanged.
 */
function withPublishTrace(headers: Record<string, string | Buffer>, span: Span): Record<string, string | Buffer> {
  const out: Record<string, string | Buffer> = { ...headers };
  const injected: Record<string, string> = {};
  injectMessageTrace(injected, trace.setSpan(context.active(), span));
  for (const name of TRACE_HEADERS) {
    if (injected[name] !== undefined) out[name] = injected[name]!;
  }
  return out;
}

// Advisory-lock namespace; the schema name hashes into the second key.
const LOCK_NAMESPACE = 0x0c5;

/**
 * Publishes the outbox to Kafka in id order, then deletes what was acknowledged (a packed row,
 * holding many messages, is published message by message in the same order). One relay per
 * schema holds an advisory lock, so replicas do not publish the same rows or reorder a key.
 * A crash between send and delete re-sends those rows: consumers deduplicate by ce_id (inbox),
 * which is what makes effects exactly-once on an at-least-once bus.
 */
export class OutboxRelay {
  private listener: PoolClient | undefined;
  private producer: Producer | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;
  private loopDone: Promise<void> | undefined;
  private haveLock = false;

  constructor(private readonly opts: OutboxRelayOptions) {}

  async start(): Promise<void> {
    this.producer = this.opts.kafka.producer();
    await this.producer.connect();
    this.listener = await this.opts.pool.connect();
    this.listener.on('notification', () => this.wake?.());
    // A dropped LISTEN connection must not crash the process; polling carries on until restart.
    this.listener.on('error', (e) => this.opts.logger.warn({ err: e }, 'outbox LISTEN connection failed; polling continues'));
    await this.listener.query(`listen ${outboxChannel(this.opts.schema)}`);
    this.loopDone = this.loop();
  }

  private async tryLock(): Promise<boolean> {
    if (this.haveLock) return true;
    const r = await this.listener!.query('select pg_try_advisory_lock($1, hashtext($2)) as ok', [LOCK_NAMESPACE, this.opts.schema]);
    this.haveLock = r.rows[0].ok === true;
    return this.haveLock;
  }

  private async loop(): Promise<void> {
    const pollMs = this.opts.pollMs ?? 1000;
    while (!this.stopped) {
      let published = 0;
      try {
        if (await this.tryLock()) published = await this.publishOnce();
      } catch (e) {
        this.opts.logger.error({ err: e }, 'outbox relay round failed; retrying');
      }
      if (published > 0) continue;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, pollMs);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  /** Publishes one round; returns the number of messages published. */
  async publishOnce(): Promise<number> {
    const limit = this.opts.batchSize ?? 2000;
    // A pack's payload is fetched on its own (it can be megabytes); single rows come with theirs.
    const { rows } = await this.opts.pool.query<OutboxRow>(
      'select id, topic, message_key, case when packed_count = 0 then payload end as payload, headers, packed_count, sent from outbox order by id limit $1',
      [limit],
    );
    if (rows.length === 0) {
      this.opts.metrics?.outboxBacklog.set(0);
      return 0;
    }
    if (rows[0]!.packed_count > 0) return this.publishPack(rows[0]!);
    const maxBytes = this.maxRoundBytes();
    let bytes = 0;
    const round: RoundMessage[] = [];
    for (const r of rows) {
      if (r.packed_count !== 0) break;
      const m: RoundMessage = { topic: r.topic, key: r.message_key, value: r.payload!, headers: r.headers, outboxId: r.id, packIndex: 0, size: sizeOf(r.message_key, r.payload!, r.headers) };
      if (round.length > 0 && bytes + m.size > maxBytes) break;
      bytes += m.size;
      round.push(m);
    }
    const deadLettered = await this.deliver(round, rows[0]!.id);
    // Dead-lettered rows were moved out already; the rest were acknowledged.
    const sent = round.filter((m) => !deadLettered.has(m));
    if (sent.length) await this.opts.pool.query('delete from outbox where id = any($1::bigint[])', [sent.map((m) => m.outboxId)]);
    return round.length;
  }

  /**
   * Sends a round in order. When the broker refuses it for good (permanentRefusal), the round is
   * split in halves, each sent in turn, until the refused messages stand alone; those are
   * dead-lettered and the others go out, so one bad message costs a few extra requests, never the
   * outbox. A transient failure throws and the round is retried whole. Returns the messages
   * dead-lettered.
   */
  private async deliver(round: RoundMessage[], rowId: number): Promise<Set<RoundMessage>> {
    const dead = new Set<RoundMessage>();
    const limit = this.opts.maxMessageBytes ?? 16 * 1024 * 1024;
    const sendable: RoundMessage[] = [];
    for (const m of round) {
      if (m.size > limit) {
        await this.deadLetter(m, `MESSAGE_TOO_LARGE: ${m.size} bytes, above the ${limit} bytes the broker accepts (KAFKA_MAX_MESSAGE_BYTES); not sent`);
        dead.add(m);
      } else sendable.push(m);
    }
    const attempt = async (part: RoundMessage[]): Promise<void> => {
      if (part.length === 0) return;
      try {
        await this.send(part);
      } catch (e) {
        const refusal = permanentRefusal(e);
        if (!refusal) throw e;
        if (part.length === 1) {
          await this.deadLetter(part[0]!, `${refusal}: ${(e as Error).message}`);
          dead.add(part[0]!);
          return;
        }
        this.opts.logger.warn({ refusal, messages: part.length, outboxId: rowId }, 'broker refused an outbox round for good; splitting it to isolate the refused message');
        const mid = Math.ceil(part.length / 2);
        await attempt(part.slice(0, mid));
        await attempt(part.slice(mid));
      }
    };
    await attempt(sendable);
    return dead;
  }

  /**
   * Moves a refused message to outbox_dead_letters (with the error) and, for a plain row, out of
   * the outbox, in one transaction. A packed message stays in its pack, which `sent` moves past.
   */
  private async deadLetter(m: RoundMessage, error: string): Promise<void> {
    const headers: Record<string, string> = {};
    for (const name in m.headers) headers[name] = m.headers[name]!.toString();
    const client = await this.opts.pool.connect();
    try {
      await client.query('begin');
      await client.query(
        `insert into outbox_dead_letters (outbox_id, pack_index, topic, message_key, payload, headers, error, enqueued_at)
         select $1, $2, $3, $4, $5, $6::jsonb, $7, coalesce((select created_at from outbox where id = $1), now())
         on conflict (outbox_id, pack_index) do nothing`,
        [m.outboxId, m.packIndex, m.topic, typeof m.key === 'string' ? m.key : m.key.toString('utf8'), m.value, JSON.stringify(headers), error.slice(0, 4000)],
      );
      if (m.packIndex === 0) await client.query('delete from outbox where id = $1 and packed_count = 0', [m.outboxId]);
      await client.query('commit');
    } catch (e) {
      await client.query('rollback').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
    this.opts.metrics?.outboxDeadLettered.inc({ topic: m.topic });
    // An operator's page: Prometheus alert rule CustomsOutboxDeadLetter (infra/prometheus/alerts.yml).
    this.opts.logger.error(
      { topic: m.topic, key: String(m.key), outboxId: m.outboxId, packIndex: m.packIndex, bytes: m.size, tenant: tenantOf(headers), ceId: headers.ce_id, error },
      'outbox message refused by the broker for good: dead-lettered to outbox_dead_letters, the outbox goes on',
    );
  }

  /**
   * Publishes a pack in byte-bounded rounds, in order, recording after each acknowledged round
   * how many of its messages are out: a restart resumes there (at most one round is re-sent).
   */
  private async publishPack(row: OutboxRow): Promise<number> {
    // As base64 text: node-pg reads bytea as hex, twice the size and for a multi-megabyte pack
    // three times the decoding time (a pack is read back once per chunk of a streamed report).
    const { rows } = await this.opts.pool.query<{ payload: string }>("select encode(payload, 'base64') as payload from outbox where id = $1", [row.id]);
    const messages = unpackOutboxMessages(Buffer.from(rows[0]!.payload, 'base64'));
    const maxBytes = this.maxRoundBytes();
    let sent = row.sent;
    while (sent < messages.length) {
      let bytes = 0;
      const round: RoundMessage[] = [];
      for (let i = sent; i < messages.length; i++) {
        const m = messages[i]!;
        // Pack indexes are 1-based so that 0 stays "a plain row" in outbox_dead_letters.
        const rm: RoundMessage = { topic: m.topic, key: m.key, value: m.payload, headers: m.headers, outboxId: row.id, packIndex: i + 1, size: sizeOf(m.key, m.payload, m.headers) };
        if (round.length > 0 && bytes + rm.size > maxBytes) break;
        bytes += rm.size;
        round.push(rm);
      }
      await this.deliver(round, row.id);
      sent += round.length;
      if (sent < messages.length) await this.opts.pool.query('update outbox set sent = $2 where id = $1', [row.id, sent]);
    }
    await this.opts.pool.query('delete from outbox where id = $1', [row.id]);
    return messages.length - row.sent;
  }

  private maxRoundBytes(): number {
    return this.opts.maxRoundBytes ?? 900 * 1024;
  }

  private async send(messages: RoundMessage[]): Promise<void> {
    const byTopic = new Map<string, { key: string | Buffer; value: Buffer; headers: Record<string, string | Buffer> }[]>();
    const spans: Span[] = [];
    for (const m of messages) {
      let list = byTopic.get(m.topic);
      if (!list) byTopic.set(m.topic, (list = []));
      const span = publishSpan(m);
      spans.push(span);
      list.push({ key: m.key, value: m.value, headers: withPublishTrace(m.headers, span) });
    }
    try {
      await this.producer!.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, list]) => ({ topic: this.opts.kafka.physical(topic), messages: list })) });
    } catch (e) {
      for (const s of spans) {
        s.setStatus({ code: SpanStatusCode.ERROR, message: (e as Error).message });
        s.end();
      }
      throw e;
    }
    for (const s of spans) s.end();
    for (const [topic, list] of byTopic) this.opts.metrics?.messagesProduced.inc({ topic }, list.length);
  }

  /** Stops after the round in flight; unpublished rows stay for the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loopDone;
    if (this.listener) {
      if (this.haveLock) await this.listener.query('select pg_advisory_unlock($1, hashtext($2))', [LOCK_NAMESPACE, this.opts.schema]).catch(() => undefined);
      this.listener.release();
    }
    await this.producer?.disconnect();
  }
}
