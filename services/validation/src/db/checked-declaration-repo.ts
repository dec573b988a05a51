import { Declaration } from '@customs/contracts';
import { type Kysely, withTenant } from '@customs/db';
import type { ValidationDb } from './migrations';

/**
 * The importer (EORI) of the latest version of a declaration validation has checked, for
 * broker-scoped reads (a broker sees its importers' findings only); undefined when validation has
 * not seen the declaration.
 */
export async function importerOfCheckedDeclaration(db: Kysely<ValidationDb>, tenantId: string, declarationId: string): Promise<string | undefined> {
  const row = await withTenant(db, tenantId, (trx) =>
    trx
      .selectFrom('checked_declarations')
      .select(['payload'])
      .where('tenant_id', '=', tenantId)
      .where('declaration_id', '=', declarationId)
      .orderBy('declaration_version', 'desc')
      .limit(1)
      .executeTakeFirst(),
  );
  return row ? Declaration.decode(row.payload).importerEori : undefined;
}
