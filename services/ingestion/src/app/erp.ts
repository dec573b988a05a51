import { createHash, randomUUID } from 'node:crypto';
import type { Context } from '@opentelemetry/api';
import { ErpReceiptLine } from '@customs/contracts';
import { enqueueOutbox, sql, type Transaction } from '@customs/db';
import type { IngestionDb } from '../db/migrations';
import { invoiceKey, parseErpCsv, parseErpJson, receiptIdFor, type ErpIssue } from '../parse/erp/erp';
import { declarationsIngested } from '../db/books-repo';
import { erpReceiptEvents } from './books-events';
import { insertIssues, statusOf, type BatchStatus, type IngestIssue } from './ingest';
import { safeSourceName, storable } from './safe-text';

export interface ErpIngestRequest {
  tenantId: string;
  channel: string;
  format: 'erp-json' | 'erp-csv';
  sourceName: string;
  content: Buffer;
  receivedAt: Date;
  parent?: Context;
}

export interface ErpIngestResult {
  batchId: string;
  status: BatchStatus;
  receipts: { receiptId: string; supplier: string; invoiceNumber: string; lineNumber: number; outcome: 'inserted' | 'updated' | 'duplicate' }[];
  declarations: never[];
  changes: never[];
  issues: IngestIssue[];
}

export function erpIssue(i: ErpIssue): IngestIssue {
  return { severity: i.severity, sourceName: i.sourceName, line: i.row || undefined, location: i.location, field: i.field, code: i.code, reason: i.reason };
}

/**
 * Stores one ERP export as a batch in the caller's transaction: raw bytes, every issue, and the
 * valid lines upserted on (tenant, supplier, invoice, line) in one statement. A line already
 * stored with the same values is a duplicate; with different values it is updated (a corrected
 * export), never a second row. Inserted and updated lines are published on
 * ingestion.erp-receipts.received.v1 through the outbox (books-events.ts).
 */
export async function ingestErp(trx: Transaction<IngestionDb>, req: ErpIngestRequest): Promise<ErpIngestResult> {
  const batchId = randomUUID();
  const receivedAt = req.receivedAt.toISOString();
  // A file name with a control character is stored escaped, with a warning; the lines are read.
  const { sourceName, issue: nameIssue } = safeSourceName(req.sourceName);
  const parsed = req.format === 'erp-json' ? parseErpJson(req.content, sourceName) : parseErpCsv(req.content, sourceName);
  const issues = [...(nameIssue ? [nameIssue] : []), ...parsed.issues.map(erpIssue)];
  await trx
    .insertInto('batches')
    .values({
      batch_id: batchId,
      tenant_id: req.tenantId,
      channel: storable(req.channel),
      format: req.format,
      source_name: sourceName,
      content_sha256: createHash('sha256').update(req.content).digest('hex'),
      size_bytes: req.content.length,
      status: 'in_progress',
      declarations_accepted: 0,
      declarations_duplicate: 0,
      declarations_rejected: 0,
      issue_count: 0,
      received_at: receivedAt,
      completed_at: null,
      raw_content: req.content,
    })
    .execute();
  const lines = parsed.lines.map((l) => {
    const receiptId = receiptIdFor(req.tenantId, l.supplier, l.invoiceNumber, l.lineNumber);
    const full: ErpReceiptLine = { ...l, tenantId: req.tenantId, receiptId, batchId, receivedAt };
    const content = JSON.stringify([
      l.supplier,
      l.sku,
      l.description,
      l.invoiceNumber,
      l.invoiceDate,
      l.lineNumber,
      l.quantity,
      l.unit,
      l.lineValue?.value,
      l.lineValue?.currency,
      l.mrn,
      l.ducr,
      l.purchaseOrder,
      l.receiptDate,
      l.originCountry,
    ]);
    return { full, sha: createHash('sha256').update(content).digest('hex') };
  });
  const outcome = new Map<string, 'inserted' | 'updated'>();
  if (lines.length) {
    const col = <T>(f: (x: (typeof lines)[number]) => T) => lines.map(f);
    const rows = await sql<{ receipt_id: string; inserted: boolean }>`
      insert into erp_receipts (tenant_id, receipt_id, supplier, sku, description, invoice_number, invoice_key, invoice_date, line_number, quantity, unit, line_value, currency, mrn, ducr, purchase_order, receipt_date, origin_country, content_sha256, batch_id, source_name, received_at)
      select ${req.tenantId}, t.*, ${batchId}, ${sourceName}, ${receivedAt}::timestamptz
      from unnest(${col((x) => x.full.receiptId)}::text[], ${col((x) => x.full.supplier)}::text[], ${col((x) => x.full.sku)}::text[], ${col((x) => x.full.description)}::text[], ${col((x) => x.full.invoiceNumber)}::text[], ${col((x) => invoiceKey(x.full.invoiceNumber))}::text[], ${col((x) => x.full.invoiceDate)}::text[], ${col((x) => x.full.lineNumber)}::int[], ${col((x) => x.full.quantity)}::numeric[], ${col((x) => x.full.unit)}::text[], ${col((x) => x.full.lineValue!.value)}::numeric[], ${col((x) => x.full.lineValue!.currency)}::text[], ${col((x) => x.full.mrn)}::text[], ${col((x) => x.full.ducr)}::text[], ${col((x) => x.full.purchaseOrder)}::text[], ${col((x) => x.full.receiptDate)}::text[], ${col((x) => x.full.originCountry)}::text[], ${col((x) => x.sha)}::text[]) as t
      on conflict (tenant_id, receipt_id) do update set supplier = excluded.supplier, sku = excluded.sku, description = excluded.description, invoice_number = excluded.invoice_number, invoice_key = excluded.invoice_key, invoice_date = excluded.invoice_date, quantity = excluded.quantity, unit = excluded.unit, line_value = excluded.line_value, currency = excluded.currency, mrn = excluded.mrn, ducr = excluded.ducr, purchase_order = excluded.purchase_order, receipt_date = excluded.receipt_date, origin_country = excluded.origin_country, content_sha256 = excluded.content_sha256, batch_id = excluded.batch_id, source_name = excluded.source_name, received_at = excluded.received_at
        where erp_receipts.content_sha256 <> excluded.content_sha256
      returning receipt_id, (xmax = 0) as inserted`.execute(trx);
    for (const r of rows.rows) outcome.set(r.receipt_id, r.inserted ? 'inserted' : 'updated');
  }
  // What changed is published for reconciliation (scoring's C03), in bounded parts, in this
  // transaction: a re-sent export whose lines are all duplicates publishes nothing.
  const changed = lines.filter((l) => outcome.has(l.full.receiptId)).map((l) => l.full);
  if (changed.length) await enqueueOutbox(trx, 'ingestion', erpReceiptEvents(req.tenantId, batchId, changed, await declarationsIngested(trx, req.tenantId), req.parent));
  const receipts = lines.map((l) => ({
    receiptId: l.full.receiptId,
    supplier: l.full.supplier,
    invoiceNumber: l.full.invoiceNumber,
    lineNumber: l.full.lineNumber,
    outcome: outcome.get(l.full.receiptId) ?? ('duplicate' as const),
  }));
  const stored = receipts.filter((r) => r.outcome !== 'duplicate').length;
  const errors = issues.filter((i) => i.severity === 'error').length;
  const status = statusOf(stored, receipts.length - stored, errors, lines.length === 0 && errors > 0);
  const { stored: storedIssues } = await insertIssues(trx, { tenantId: req.tenantId, batchId, receivedAt }, issues);
  await trx
    .updateTable('batches')
    .set({ status, declarations_accepted: stored, declarations_duplicate: receipts.length - stored, declarations_rejected: errors, issue_count: issues.length, completed_at: new Date().toISOString() })
    .where('batch_id', '=', batchId)
    .execute();
  return { batchId, status, receipts, declarations: [], changes: [], issues: storedIssues };
}

/** A stored line as the API shows it (the ErpReceiptLine contract, JSON form). */
export function receiptJson(r: IngestionDb['erp_receipts']): unknown {
  return ErpReceiptLine.toJSON({
    tenantId: r.tenant_id,
    receiptId: r.receipt_id,
    supplier: r.supplier,
    sku: r.sku,
    description: r.description,
    invoiceNumber: r.invoice_number,
    invoiceDate: r.invoice_date,
    lineNumber: r.line_number,
    quantity: String(r.quantity),
    unit: r.unit,
    lineValue: { value: String(r.line_value), currency: r.currency },
    mrn: r.mrn,
    ducr: r.ducr,
    purchaseOrder: r.purchase_order,
    receiptDate: r.receipt_date,
    originCountry: r.origin_country,
    batchId: r.batch_id,
    sourceName: r.source_name,
    receivedAt: new Date(r.received_at).toISOString(),
  });
}
