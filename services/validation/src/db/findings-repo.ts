// Findings and checks as stored: the read side of what validation decided.
import { Finding } from '@customs/contracts';
import { sql, withTenant, type Kysely } from '@customs/db';
import type { ValidationDb } from './migrations';

/** A declaration's findings (active only, or superseded too), by version, item and rule. */
export function listFindings(db: Kysely<ValidationDb>, tenantId: string, declarationId: string, includeSuperseded: boolean): Promise<Finding[]> {
  return withTenant(db, tenantId, async (trx) => {
    let q = trx.selectFrom('findings').select(['payload']).where('tenant_id', '=', tenantId).where('declaration_id', '=', declarationId);
    if (!includeSuperseded) q = q.where('status', '=', 'active');
    const rows = await q.orderBy('declaration_version').orderBy('item_number').orderBy('rule_id').execute();
    return rows.map((r) => Finding.decode(r.payload));
  });
}

/** Every check of a declaration, one per version. */
export function listChecks(db: Kysely<ValidationDb>, tenantId: string, declarationId: string) {
  return withTenant(db, tenantId, (trx) => trx.selectFrom('checks').selectAll().where('tenant_id', '=', tenantId).where('declaration_id', '=', declarationId).orderBy('declaration_version').execute());
}

/** The rule-set fingerprint the stored findings were last evaluated with. */
export async function storedRuleSetFingerprint(db: Kysely<ValidationDb>): Promise<string | undefined> {
  const row = await db.selectFrom('evaluation_state').select('value').where('key', '=', 'rule_set').executeTakeFirst();
  return row?.value;
}

export async function recordRuleSetFingerprint(db: Kysely<ValidationDb>, fingerprint: string): Promise<void> {
  await db
    .insertInto('evaluation_state')
    .values({ key: 'rule_set', value: fingerprint })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: fingerprint, updated_at: sql`now()` } as never))
    .execute();
}
