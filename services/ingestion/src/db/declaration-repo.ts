// Declarations (every version), their change history, ERP receipts and the reconciliation of both.
import { Declaration } from '@customs/contracts';
import { sql, withTenant, type Kysely } from '@customs/db';
import { invoiceKey } from '../parse/erp/erp';
import type { IngestionDb } from './migrations';

export interface ReceiptFilter {
  supplier?: string;
  invoice?: string;
  mrn?: string;
}

export class DeclarationRepo {
  constructor(private readonly db: Kysely<IngestionDb>) {}

  /** A declaration's given version, or its latest when version is 0. */
  async get(tenantId: string, id: string, version: number): Promise<Declaration | undefined> {
    const row = await withTenant(this.db, tenantId, async (trx) => {
      let q = trx.selectFrom('declarations').select('payload').where('tenant_id', '=', tenantId).where('declaration_id', '=', id);
      if (version > 0) q = q.where('version', '=', version);
      return q.orderBy('version', 'desc').limit(1).executeTakeFirst();
    });
    return row ? Declaration.decode(row.payload) : undefined;
  }

  /** Every version, oldest first, and the changes (amendments, invalidations) that targeted it. */
  versions(tenantId: string, id: string) {
    return withTenant(this.db, tenantId, async (trx) => {
      const versions = await trx
        .selectFrom('declarations')
        .select(['version', 'lrn', 'mrn', 'function_code', 'status', 'change_kind', 'item_count', 'acceptance_date', 'content_sha256', 'batch_id', 'received_at'])
        .where('tenant_id', '=', tenantId)
        .where('declaration_id', '=', id)
        .orderBy('version')
        .execute();
      const changes = await trx
        .selectFrom('declaration_changes')
        .select(['kind', 'mrn', 'lrn', 'applied_version', 'batch_id', 'received_at'])
        .where('tenant_id', '=', tenantId)
        .where('target_declaration_id', '=', id)
        .orderBy('id')
        .execute();
      return { versions, changes };
    });
  }

  /** By supplier, invoice and line; `after` is the last row of the previous page. */
  receipts(tenantId: string, filter: ReceiptFilter, limit: number, after?: { supplier: string; invoiceKey: string; lineNumber: number }) {
    return withTenant(this.db, tenantId, (trx) => {
      let q = trx.selectFrom('erp_receipts').selectAll().where('tenant_id', '=', tenantId);
      if (after)
        q = q.where((eb) =>
          eb.or([
            eb('supplier', '>', after.supplier),
            eb.and([eb('supplier', '=', after.supplier), eb('invoice_key', '>', after.invoiceKey)]),
            eb.and([eb('supplier', '=', after.supplier), eb('invoice_key', '=', after.invoiceKey), eb('line_number', '>', after.lineNumber)]),
          ]),
        );
      if (filter.supplier) q = q.where('supplier', '=', filter.supplier);
      if (filter.invoice) q = q.where('invoice_key', '=', invoiceKey(filter.invoice));
      if (filter.mrn) q = q.where('mrn', '=', filter.mrn.toUpperCase());
      return q.orderBy('supplier').orderBy('invoice_key').orderBy('line_number').limit(limit).execute();
    });
  }

  /**
   * Reconciliation (the data of rule C03): declarations whose N935 invoice references match no
   * ERP receipt, and ERP receipts matching no declaration. A receipt matches a declaration by
   * invoice number (whole N935 reference, or its number before "/date") or by MRN.
   */
  reconciliation(tenantId: string, limit: number) {
    return withTenant(this.db, tenantId, async (trx) => {
      const declarations = await sql<{ declaration_id: string; version: number; mrn: string; lrn: string; acceptance_date: string; invoice_references: string[] }>`
        select r.declaration_id, r.version, d.mrn, d.lrn, d.acceptance_date, array_agg(distinct r.reference order by r.reference) as invoice_references
        from declaration_invoice_refs r
        join declarations d on d.tenant_id = r.tenant_id and d.declaration_id = r.declaration_id and d.version = r.version
        where r.tenant_id = ${tenantId}
          and not exists (select 1 from declaration_invoice_refs r2 join erp_receipts e on e.tenant_id = r2.tenant_id and e.invoice_key = r2.invoice_key where r2.tenant_id = r.tenant_id and r2.declaration_id = r.declaration_id)
          and not exists (select 1 from erp_receipts e where e.tenant_id = r.tenant_id and d.mrn <> '' and e.mrn = d.mrn)
        group by r.declaration_id, r.version, d.mrn, d.lrn, d.acceptance_date
        order by d.acceptance_date, r.declaration_id
        limit ${limit}`.execute(trx);
      const receipts = await sql<IngestionDb['erp_receipts']>`
        select e.* from erp_receipts e
        where e.tenant_id = ${tenantId}
          and not exists (select 1 from declaration_invoice_refs r where r.tenant_id = e.tenant_id and r.invoice_key = e.invoice_key)
          and not (e.mrn <> '' and exists (select 1 from declarations d where d.tenant_id = e.tenant_id and d.mrn = e.mrn and d.status <> 'invalidated'))
        order by e.invoice_date, e.supplier, e.invoice_key, e.line_number
        limit ${limit}`.execute(trx);
      return { declarations: declarations.rows, receipts: receipts.rows };
    });
  }
}
