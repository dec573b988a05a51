import { chunksFor, withTenant, type Kysely, type Transaction } from '@customs/db';
import type { ValidationDb } from './migrations';

export type NotCheckedCause = ValidationDb['not_checked']['cause'];

/** One thing validation could not check (table not_checked, migration 0006). */
export interface NotCheckedEntry {
  tenantId: string;
  declarationId: string;
  /** null when the event could not be read far enough to know it. */
  declarationVersion: number | null;
  mrn: string;
  lrn: string;
  /** '' when the whole declaration was not checked; otherwise the one rule that could not decide. */
  ruleId: string;
  /** The goods item a rule could not decide on (0 = the declaration); null when not about one rule. */
  itemNumber?: number | null;
  cause: NotCheckedCause;
  reason: string;
  consumerGroup: string;
  /** Where it came from: the consumed topic, partition and offset ('' / null for a re-evaluation). */
  topic: string;
  partition: number | null;
  offset: string | null;
  eventId: string;
  /** Identifies the occurrence: recording it again (a redelivered batch) records nothing. */
  dedupeKey: string;
}

/** An entry as the API lists it (its tenant is the caller's). */
export type NotCheckedView = Omit<NotCheckedEntry, 'tenantId' | 'dedupeKey'> & { id: string; recordedAt: string };

type Db = Kysely<ValidationDb> | Transaction<ValidationDb>;

// Error texts can be long (a stack of causes); the reason names the cause, the log has the rest.
const MAX_REASON = 2000;

/**
 * Postgres text cannot hold U+0000, and a poison message is exactly where one turns up: recording
 * it as it came would fail, and the dead letter would never be recorded (its batch redelivered
 * for ever). Written visibly escaped instead.
 */
const pgText = (v: string): string => (v.includes('\u0000') ? v.replaceAll('\u0000', '\\u0000') : v);

/** Records entries (idempotent by dedupeKey); returns those recorded now, for counting and logging. */
export async function recordNotChecked(db: Db, entries: readonly NotCheckedEntry[]): Promise<NotCheckedEntry[]> {
  if (entries.length === 0) return [];
  const recorded = new Set<string>();
  for (const chunk of chunksFor(entries, 15)) {
    const rows = await db
      .insertInto('not_checked')
      .values(
        chunk.map((e) => ({
          tenant_id: pgText(e.tenantId),
          declaration_id: pgText(e.declarationId),
          declaration_version: e.declarationVersion,
          mrn: pgText(e.mrn),
          lrn: pgText(e.lrn),
          rule_id: e.ruleId,
          item_number: e.itemNumber ?? null,
          cause: e.cause,
          reason: pgText(e.reason.slice(0, MAX_REASON)),
          consumer_group: e.consumerGroup,
          topic: e.topic,
          kafka_partition: e.partition,
          kafka_offset: e.offset,
          event_id: pgText(e.eventId),
          dedupe_key: pgText(e.dedupeKey),
        })),
      )
      .onConflict((oc) => oc.column('dedupe_key').doNothing())
      .returning('dedupe_key')
      .execute();
    for (const r of rows) recorded.add(r.dedupe_key);
  }
  return entries.filter((e) => recorded.has(pgText(e.dedupeKey)));
}

/** A tenant's entries, newest first; `beforeId` pages back from a previous page's last id. */
export async function listNotChecked(db: Kysely<ValidationDb>, tenantId: string, opts: { limit: number; beforeId?: string; declarationId?: string }): Promise<NotCheckedView[]> {
  const rows = await withTenant(db, tenantId, (trx) => {
    let q = trx.selectFrom('not_checked').selectAll().where('tenant_id', '=', tenantId);
    if (opts.beforeId) q = q.where('id', '<', opts.beforeId);
    if (opts.declarationId) q = q.where('declaration_id', '=', opts.declarationId);
    return q.orderBy('id', 'desc').limit(opts.limit).execute();
  });
  return rows.map((r) => ({
    id: String(r.id),
    declarationId: r.declaration_id,
    declarationVersion: r.declaration_version,
    mrn: r.mrn,
    lrn: r.lrn,
    ruleId: r.rule_id,
    itemNumber: r.item_number,
    cause: r.cause,
    reason: r.reason,
    consumerGroup: r.consumer_group,
    topic: r.topic,
    partition: r.kafka_partition,
    offset: r.kafka_offset === null ? null : String(r.kafka_offset),
    eventId: r.event_id,
    recordedAt: new Date(r.recorded_at).toISOString(),
  }));
}
