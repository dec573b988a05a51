// Draft checks ("check before lodging", POST /v1/checks): each result kept for GET /v1/checks/:id.
import { withTenant, type Kysely } from '@customs/db';
import type { ValidationDb } from './migrations';

export interface DraftCheckRow {
  checkId: string;
  tenantId: string;
  lrn: string;
  checkedAt: Date;
  findingCount: number;
  exposurePence: number;
  reclaimPence: number;
  /** The answer as the API gave it (JSON). */
  result: unknown;
}

export function saveDraftCheck(db: Kysely<ValidationDb>, row: DraftCheckRow): Promise<unknown> {
  return withTenant(db, row.tenantId, (trx) =>
    trx
      .insertInto('draft_checks')
      .values({
        check_id: row.checkId,
        tenant_id: row.tenantId,
        lrn: row.lrn,
        checked_at: row.checkedAt,
        finding_count: row.findingCount,
        exposure_pence: row.exposurePence,
        reclaim_pence: row.reclaimPence,
        result: JSON.stringify(row.result),
      })
      .execute(),
  );
}

/** The stored answer of one draft check of the tenant, or undefined. */
export async function draftCheckResult(db: Kysely<ValidationDb>, tenantId: string, checkId: string): Promise<unknown> {
  const row = await withTenant(db, tenantId, (trx) => trx.selectFrom('draft_checks').select(['result']).where('tenant_id', '=', tenantId).where('check_id', '=', checkId).executeTakeFirst());
  return row?.result;
}
