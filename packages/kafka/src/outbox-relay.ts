import type { Pool, PoolClient } from 'pg';
import type { Producer } from 'kafkajs';
import { outboxChannel, unpackOutboxMessages } from '@customs/db';
import type { Logger, ServiceMetrics } from '@customs/telemetry';
import type { KafkaHandle } from './client';

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
  /** Poll interval when no NOTIFY arrives (default 1000 ms). */
  pollMs?: number;
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
    let take = 0;
    while (take < rows.length && rows[take]!.packed_count === 0) {
      const r = rows[take]!;
      const size = r.payload!.length + r.message_key.length + JSON.stringify(r.headers).length;
      if (take > 0 && bytes + size > maxBytes) break;
      bytes += size;
      take++;
    }
    rows.length = take;
    await this.send(rows.map((r) => ({ topic: r.topic, key: r.message_key, value: r.payload!, headers: r.headers })));
    await this.opts.pool.query('delete from outbox where id = any($1::bigint[])', [rows.map((r) => r.id)]);
    return rows.length;
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
      let end = sent;
      while (end < messages.length) {
        const m = messages[end]!;
        let size = m.payload.length + m.key.length;
        for (const name in m.headers) size += name.length + m.headers[name]!.length;
        if (end > sent && bytes + size > maxBytes) break;
        bytes += size;
        end++;
      }
      await this.send(messages.slice(sent, end).map((m) => ({ topic: m.topic, key: m.key, value: m.payload, headers: m.headers })));
      sent = end;
      if (sent < messages.length) await this.opts.pool.query('update outbox set sent = $2 where id = $1', [row.id, sent]);
    }
    await this.opts.pool.query('delete from outbox where id = $1', [row.id]);
    return messages.length - row.sent;
  }

  private maxRoundBytes(): number {
    return this.opts.maxRoundBytes ?? 900 * 1024;
  }

  private async send(messages: { topic: string; key: string | Buffer; value: Buffer; headers: Record<string, string | Buffer> }[]): Promise<void> {
    const byTopic = new Map<string, { key: string | Buffer; value: Buffer; headers: Record<string, string | Buffer> }[]>();
    for (const m of messages) {
      let list = byTopic.get(m.topic);
      if (!list) byTopic.set(m.topic, (list = []));
      list.push({ key: m.key, value: m.value, headers: m.headers });
    }
    await this.producer!.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, list]) => ({ topic: this.opts.kafka.physical(topic), messages: list })) });
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
