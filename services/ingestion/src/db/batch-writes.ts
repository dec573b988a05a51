// The batch record every submission gets (uploads, books files, refusals, merges): its row is
import { createHash } from 'node:crypto';
// written first, in the transaction that stores what the submission carried, and its outcome
// filled in when that is known.
import type { Insertable, Transaction } from '@customs/db';
import type { IngestionDb } from './migrations';

export type NewBatch = Insertable<IngestionDb['batches']>;

export interface BatchOutcome {
  status: string;
  accepted: number;
  duplicate: number;
  rejected: number;
  issueCount: number;
}

/** Inserts batch rows (one statement). */
export async function insertBatches(trx: Transaction<IngestionDb>, rows: readonly NewBatch[]): Promise<void> {
  if (rows.length === 0) return;
  await trx
    .insertInto('batches')
    .values(rows as NewBatch[])
    .execute();
}

/** Records a batch's outcome and completion time. */
export async function completeBatch(trx: Transaction<IngestionDb>, batchId: string, o: BatchOutcome): Promise<void> {
  await trx
    .updateTable('batches')
    .set({
      status: o.status,
      declarations_accepted: o.accepted,
      declarations_duplicate: o.duplicate,
      declarations_rejected: o.rejected,
      issue_count: o.issueCount,
      completed_at: new Date().toISOString(),
    })
    .where('batch_id', '=', batchId)
    .execute();
}

/**
 * The row of a batch being stored (status in_progress, counts 0 until completeBatch): the raw
 * bytes and their SHA-256 are kept whatever the outcome. Text values must already be storable
 * (app/safe-text.ts).
 */
export function openBatchRow(b: { batchId: string; tenantId: string; channel: string; format: string; sourceName: string; content: Buffer; receivedAt: string }): NewBatch {
  return {
    batch_id: b.batchId,
    tenant_id: b.tenantId,
    channel: b.channel,
    format: b.format,
    source_name: b.sourceName,
    content_sha256: createHash('sha256').update(b.content).digest('hex'),
    size_bytes: b.content.length,
    status: 'in_progress',
    declarations_accepted: 0,
    declarations_duplicate: 0,
    declarations_rejected: 0,
    issue_count: 0,
    received_at: b.receivedAt,
    completed_at: null,
    raw_content: b.content,
  };
}
