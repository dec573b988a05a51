// The books side of ingestion: ERP receipt lines (and what the books events carry).
import type { ErpReceiptLine } from '@customs/contracts';
import { sql, type Transaction } from '@customs/db';
import { invoiceKey } from '../parse/erp/erp';
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

/** An ERP receipt line to store: the contract's line and the hash of its values. */
export interface ReceiptToStore {
  line: ErpReceiptLine;
  /** Hash of the line's values: equal = a duplicate, different = a corrected line. */
  sha256: string;
}

/**
 * Upserts receipt lines on (tenant, receipt id) in one statement: a line stored with the same
 * values is left alone (a duplicate, absent from the answer), one with other values is updated.
 * Answers each inserted or updated receipt id.
 */
export async function upsertErpReceipts(
  trx: Transaction<IngestionDb>,
  at: { tenantId: string; batchId: string; sourceName: string; receivedAt: string },
  lines: readonly ReceiptToStore[],
): Promise<Map<string, 'inserted' | 'updated'>> {
  const outcome = new Map<string, 'inserted' | 'updated'>();
  if (lines.length === 0) return outcome;
  const col = <T>(f: (l: ErpReceiptLine) => T) => lines.map((x) => f(x.line));
  const rows = await sql<{ receipt_id: string; inserted: boolean }>`
    insert into erp_receipts (tenant_id, receipt_id, supplier, sku, description, invoice_number, invoice_key, invoice_date, line_number, quantity, unit, line_value, currency, mrn, ducr, purchase_order, receipt_date, origin_country, content_sha256, batch_id, source_name, received_at)
    select ${at.tenantId}, t.*, ${at.batchId}, ${at.sourceName}, ${at.receivedAt}::timestamptz
    from unnest(${col((l) => l.receiptId)}::text[], ${col((l) => l.supplier)}::text[], ${col((l) => l.sku)}::text[], ${col((l) => l.description)}::text[], ${col((l) => l.invoiceNumber)}::text[], ${col((l) => invoiceKey(l.invoiceNumber))}::text[], ${col((l) => l.invoiceDate)}::text[], ${col((l) => l.lineNumber)}::int[], ${col((l) => l.quantity)}::numeric[], ${col((l) => l.unit)}::text[], ${col((l) => l.lineValue!.value)}::numeric[], ${col((l) => l.lineValue!.currency)}::text[], ${col((l) => l.mrn)}::text[], ${col((l) => l.ducr)}::text[], ${col((l) => l.purchaseOrder)}::text[], ${col((l) => l.receiptDate)}::text[], ${col((l) => l.originCountry)}::text[], ${lines.map((x) => x.sha256)}::text[]) as t
    on conflict (tenant_id, receipt_id) do update set supplier = excluded.supplier, sku = excluded.sku, description = excluded.description, invoice_number = excluded.invoice_number, invoice_key = excluded.invoice_key, invoice_date = excluded.invoice_date, quantity = excluded.quantity, unit = excluded.unit, line_value = excluded.line_value, currency = excluded.currency, mrn = excluded.mrn, ducr = excluded.ducr, purchase_order = excluded.purchase_order, receipt_date = excluded.receipt_date, origin_country = excluded.origin_country, content_sha256 = excluded.content_sha256, batch_id = excluded.batch_id, source_name = excluded.source_name, received_at = excluded.received_at
      where erp_receipts.content_sha256 <> excluded.content_sha256
    returning receipt_id, (xmax = 0) as inserted`.execute(trx);
  for (const r of rows.rows) outcome.set(r.receipt_id, r.inserted ? 'inserted' : 'updated');
  return outcome;
}
