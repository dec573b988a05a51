import { sql, type Kysely, type Transaction } from 'kysely';

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
  if (events.length === 0) return new Set();
  const rows = await trx
    .insertInto('inbox')
    .values(events.map((e) => ({ consumer_group: consumerGroup, event_id: e.eventId, topic: e.topic })))
    .onConflict((oc) => oc.columns(['consumer_group', 'event_id']).doNothing())
    .returning('event_id')
    .execute();
  return new Set(rows.map((r: { event_id: string }) => r.event_id));
}

/** Channel the outbox relay LISTENs on, per schema. */
export function outboxChannel(schema: string): string {
  return `${schema}_outbox`;
}

/**
 * Adds messages to the outbox in the caller's transaction (one multi-row insert) and wakes the
 * relay with NOTIFY, which Postgres delivers only if the transaction commits.
 */
export async function enqueueOutbox(trx: AnyDb, schema: string, messages: OutboxMessage[]): Promise<void> {
  if (messages.length === 0) return;
  const CHUNK = 1000;
  for (let i = 0; i < messages.length; i += CHUNK) {
    await trx
      .insertInto('outbox')
      .values(
        messages.slice(i, i + CHUNK).map((m) => ({
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
