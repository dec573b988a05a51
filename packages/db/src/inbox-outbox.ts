import { sql, type Kysely, type Transaction } from 'kysely';
import { OUTBOX_PACK_MIN_MESSAGES, groupForPacks, packOutboxMessages } from './outbox-pack';

/** One event to publish once the writing transaction commits. */
export interface OutboxMessage {
  topic: string;
  key: string;
  payload: Uint8Array;
  headers: Record<string, string>;
}

type AnyDb = Kysely<any> | Transaction<any>;

/**
 * Records the consumed event ids of a batch in the inbox and returns those seen for the first
 * time. Call inside the transaction that writes the batch's effects: effects and "consumed"
 * commit together, so a redelivered event is recognised and skipped (exactly-once effects).
 */
export async function claimInbox(trx: AnyDb, consumerGroup: string, events: { eventId: string; topic: string }[]): Promise<Set<string>> {
  const fresh = new Set<string>();
  for (const chunk of chunksFor(events, 3)) {
    const rows = await trx
      .insertInto('inbox')
      .values(chunk.map((e) => ({ consumer_group: consumerGroup, event_id: e.eventId, topic: e.topic })))
      .onConflict((oc) => oc.columns(['consumer_group', 'event_id']).doNothing())
      .returning('event_id')
      .execute();
    for (const r of rows as { event_id: string }[]) fresh.add(r.event_id);
  }
  return fresh;
}

/** Channel the outbox relay LISTENs on, per schema. */
export function outboxChannel(schema: string): string {
  return `${schema}_outbox`;
}

/**
 * Adds messages to the outbox in the caller's transaction and wakes the relay with NOTIFY, which
 * Postgres delivers only if the transaction commits. Up to OUTBOX_PACK_MIN_MESSAGES messages
 * are a row each (one multi-row insert); more are written as packs (outbox-pack.ts), a row per
 * few megabytes, which the relay publishes in the same order.
 */
export async function enqueueOutbox(trx: AnyDb, schema: string, messages: OutboxMessage[]): Promise<void> {
  if (messages.length === 0) return;
  if (messages.length >= OUTBOX_PACK_MIN_MESSAGES) {
    for (const group of groupForPacks(messages)) {
      await sql`insert into outbox (topic, message_key, payload, headers, packed_count) values ('', '', ${packOutboxMessages(group)}, '{}'::jsonb, ${group.length})`.execute(trx);
    }
    await sql`select pg_notify(${outboxChannel(schema)}, '')`.execute(trx);
    return;
  }
  for (const chunk of chunksFor(messages, 4)) {
    await trx
      .insertInto('outbox')
      .values(
        chunk.map((m) => ({
          topic: m.topic,
          message_key: m.key,
          payload: Buffer.from(m.payload),
          headers: JSON.stringify(m.headers),
        })),
      )
      .execute();
  }
  await sql`select pg_notify(${outboxChannel(schema)}, '')`.execute(trx);
}

/**
 * Splits rows into chunks that stay under Postgres' 65,535 bind-parameter limit for a multi-row
 * statement, given how many columns each row binds.
 */
export function chunksFor<T>(rows: readonly T[], columnsPerRow: number): T[][] {
  const size = Math.max(1, Math.floor(60_000 / Math.max(1, columnsPerRow)));
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/** An outbox message the broker refused for good (outboxDeadLetterMigration), as an operator sees it. */
export interface OutboxDeadLetter {
  id: number;
  topic: string;
  key: string;
  eventId: string;
  eventType: string;
  tenant: string;
  bytes: number;
  error: string;
  enqueuedAt: string;
  deadLetteredAt: string;
}

/**
 * The newest dead-lettered outbox messages of one tenant (by the event's `ce_tenant` header, or the
 * older `tenant` of rows stored before CloudEvents' extension was used), newest
 * first; payloads stay in the table for re-publishing, only their size is listed.
 */
export async function listOutboxDeadLetters(db: AnyDb, tenantId: string, limit: number, beforeId?: number): Promise<OutboxDeadLetter[]> {
  const { rows } = await sql<{
    id: string;
    topic: string;
    message_key: string;
    ce_id: string | null;
    ce_type: string | null;
    tenant: string | null;
    bytes: number;
    error: string;
    enqueued_at: Date;
    dead_lettered_at: Date;
  }>`
    select id, topic, message_key, headers->>'ce_id' as ce_id, headers->>'ce_type' as ce_type, coalesce(headers->>'ce_tenant', headers->>'tenant') as tenant, length(payload) as bytes, error, enqueued_at, dead_lettered_at
    from outbox_dead_letters where coalesce(headers->>'ce_tenant', headers->>'tenant') = ${tenantId} and (${beforeId ?? null}::bigint is null or id < ${beforeId ?? null}::bigint)
    order by id desc limit ${limit}`.execute(db);
  return rows.map((r) => ({
    id: Number(r.id),
    topic: r.topic,
    key: r.message_key,
    eventId: r.ce_id ?? '',
    eventType: r.ce_type ?? '',
    tenant: r.tenant ?? '',
    bytes: Number(r.bytes),
    error: r.error,
    enqueuedAt: r.enqueued_at.toISOString(),
    deadLetteredAt: r.dead_lettered_at.toISOString(),
  }));
}
