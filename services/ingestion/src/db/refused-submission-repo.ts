import { createHash } from 'node:crypto';
import { type Kysely, type Transaction, withTenant } from '@customs/db';
import type { IngestionDb } from './migrations';

export interface RefusedSubmission {
  tenantId: string;
  topic: string;
  partition: number;
  offset: string;
  eventId: string;
  keyId: string;
  code: string;
  reason: string;
  headers: Record<string, string>;
  content: Buffer;
}

/**
 * Kafka submissions refused as unauthentic (app/submission-signature.ts), kept whole for review.
 * A redelivered message is recorded once (its topic/partition/offset is unique).
 */
export async function recordRefusedSubmissions(trx: Transaction<IngestionDb>, rows: RefusedSubmission[]): Promise<void> {
  if (rows.length === 0) return;
  await trx
    .insertInto('refused_submissions')
    .values(
      rows.map((r) => ({
        tenant_id: r.tenantId,
        topic: r.topic,
        kafka_partition: r.partition,
        kafka_offset: r.offset,
        event_id: r.eventId,
        key_id: r.keyId,
        code: r.code,
        reason: r.reason,
        // Never the signature itself in the listing's headers: it proves nothing once refused, but
        // it is what a forger would iterate on.
        headers: JSON.stringify(Object.fromEntries(Object.entries(r.headers).filter(([k]) => k !== 'signature'))),
        content: r.content,
      })),
    )
    .onConflict((oc) => oc.columns(['tenant_id', 'topic', 'kafka_partition', 'kafka_offset']).doNothing())
    .execute();
}

/** One tenant's refused submissions, newest first (content as size and SHA-256; ?id= for the bytes). */
export async function listRefusedSubmissions(db: Kysely<IngestionDb>, tenantId: string, limit: number, before?: number) {
  const rows = await withTenant(db, tenantId, (trx) => {
    let q = trx.selectFrom('refused_submissions').selectAll().where('tenant_id', '=', tenantId);
    if (before !== undefined) q = q.where('id', '<', before);
    return q.orderBy('id', 'desc').limit(limit).execute();
  });
  return rows.map((r) => ({
    id: Number(r.id),
    topic: r.topic,
    partition: r.kafka_partition,
    offset: r.kafka_offset,
    eventId: r.event_id,
    keyId: r.key_id,
    code: r.code,
    reason: r.reason,
    headers: r.headers as unknown as Record<string, string>,
    bytes: r.content.length,
    sha256: createHash('sha256').update(r.content).digest('hex'),
    receivedAt: (r.received_at as Date).toISOString(),
  }));
}

/** The raw bytes of one refused submission (for review), or undefined. */
export async function refusedSubmissionContent(db: Kysely<IngestionDb>, tenantId: string, id: number): Promise<Buffer | undefined> {
  const row = await withTenant(db, tenantId, (trx) => trx.selectFrom('refused_submissions').select(['content']).where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst());
  return row?.content;
}
