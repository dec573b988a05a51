// Batches: the record of every submission (its status, issues, declarations and raw bytes).
import { sql, withAllTenants, withTenant, type Kysely } from '@customs/db';
import { MAX_STORED_ISSUES } from '../app/ingest';
import type { IngestionDb } from './migrations';

export class BatchRepo {
  constructor(private readonly db: Kysely<IngestionDb>) {}

  /**
   * A streamed batch whose process died mid-file stays "in_progress" with no heartbeat: it is
   * marked incomplete (its committed chunks stand; re-sending the file resumes it).
   */
  sweepStale(staleSeconds: number): Promise<unknown> {
    return withAllTenants(this.db, (trx) =>
      sql`
        with swept as (
          update batches set status = 'incomplete', completed_at = now(), issue_count = issue_count + 1
          where status = 'in_progress' and updated_at < now() - make_interval(secs => ${staleSeconds})
          returning batch_id, tenant_id, source_name, rows_committed, chunks_committed)
        insert into batch_issues (batch_id, tenant_id, severity, source_name, location, field, code, reason)
        select batch_id, tenant_id, 'error', source_name, '(file)', '(upload)', 'INCOMPLETE',
          format('the upload stopped after %s rows (%s chunks committed) with no progress for %s s: the service was stopped or crashed mid-file; re-send the file to resume (stored entries are recognised as duplicates)', rows_committed, chunks_committed, ${staleSeconds}::int)
        from swept`.execute(trx),
    );
  }

  /** One batch with its issues (all a batch stores) and up to 1,000 of its declarations. */
  get(tenantId: string, batchId: string) {
    return withTenant(this.db, tenantId, async (trx) => {
      const b = await trx
        .selectFrom('batches')
        .select([
          'batch_id',
          'channel',
          'format',
          'source_name',
          'content_sha256',
          'size_bytes',
          'status',
          'declarations_accepted',
          'declarations_duplicate',
          'declarations_rejected',
          'issue_count',
          'rows_committed',
          'chunks_committed',
          'received_at',
          'updated_at',
          'completed_at',
        ])
        .where('tenant_id', '=', tenantId)
        .where('batch_id', '=', batchId)
        .executeTakeFirst();
      if (!b) return undefined;
      const issues = await trx
        .selectFrom('batch_issues')
        .select(['severity', 'source_name', 'line', 'column_number', 'location', 'field', 'code', 'reason'])
        .where('batch_id', '=', b.batch_id)
        .orderBy('id')
        .limit(MAX_STORED_ISSUES + 2)
        .execute(); // all a batch stores: the cap, its MORE_ISSUES and a streamed upload's INCOMPLETE
      const declarations = await trx
        .selectFrom('declarations')
        .select(['declaration_id', 'version', 'lrn', 'mrn', 'item_count', 'acceptance_date', 'change_kind', 'status'])
        .where('tenant_id', '=', tenantId)
        .where('batch_id', '=', b.batch_id)
        .orderBy('declaration_id')
        .limit(1000)
        .execute();
      return { batch: b, declarations, issues };
    });
  }

  /** Where a batch's raw bytes are: its own column and the sequence of its streamed chunks. */
  contentIndex(tenantId: string, batchId: string) {
    return withTenant(this.db, tenantId, async (trx) => {
      const b = await trx.selectFrom('batches').select(['batch_id', 'raw_content']).where('tenant_id', '=', tenantId).where('batch_id', '=', batchId).executeTakeFirst();
      const chunks = b ? await trx.selectFrom('batch_raw_chunks').select(['seq', 'source_name']).where('tenant_id', '=', tenantId).where('batch_id', '=', b.batch_id).orderBy('seq').execute() : [];
      return b && { raw: b.raw_content, chunks };
    });
  }

  /** One streamed chunk's bytes (read one at a time, so a 1 GB batch is never held in memory). */
  async chunk(tenantId: string, batchId: string, seq: number): Promise<Buffer | undefined> {
    const row = await withTenant(this.db, tenantId, (trx) =>
      trx.selectFrom('batch_raw_chunks').select('content').where('tenant_id', '=', tenantId).where('batch_id', '=', batchId).where('seq', '=', seq).executeTakeFirst(),
    );
    return row?.content;
  }

  /** Newest first (received_at, then batch id, descending); `after` is the last row of the previous page. */
  list(tenantId: string, limit: number, after?: { receivedAt: string; batchId: string }) {
    return withTenant(this.db, tenantId, (trx) => {
      let q = trx
        .selectFrom('batches')
        .select(['batch_id', 'format', 'source_name', 'status', 'declarations_accepted', 'declarations_duplicate', 'issue_count', 'received_at'])
        .where('tenant_id', '=', tenantId);
      if (after) q = q.where((eb) => eb.or([eb('received_at', '<', after.receivedAt as never), eb.and([eb('received_at', '=', after.receivedAt as never), eb('batch_id', '<', after.batchId)])]));
      return q.orderBy('received_at', 'desc').orderBy('batch_id', 'desc').limit(limit).execute();
    });
  }
}
