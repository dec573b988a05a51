import { sql, type Transaction } from '@customs/db';
import type { IngestionDb } from './migrations';

/**
 * Distinct declarations the tenant has in ingestion, as this transaction sees them: every one's
 * event is already in the outbox ahead of the books events that carry this count, so a consumer
 * that has seen as many has seen them all (the primary key's index answers it).
 */
export async function declarationsIngested(trx: Transaction<IngestionDb>, tenantId: string): Promise<number> {
  const r = await sql<{ n: string }>`select count(distinct declaration_id)::bigint as n from declarations where tenant_id = ${tenantId}`.execute(trx);
  return Number(r.rows[0]?.n ?? 0);
}
