import { createHash, randomUUID } from 'node:crypto';
import type { Context } from '@opentelemetry/api';
import { ErpReceiptLine } from '@customs/contracts';
import { enqueueOutbox, type Transaction } from '@customs/db';
import type { IngestionDb } from '../db/migrations';
import { completeBatch, insertBatches, openBatchRow } from '../db/batch-writes';
import { declarationsIngested, upsertErpReceipts } from '../db/books-repo';
import { parseErpCsv, parseErpJson, receiptIdFor, type ErpIssue } from '../parse/erp/erp';
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
  await insertBatches(trx, [openBatchRow({ batchId, tenantId: req.tenantId, channel: storable(req.channel), format: req.format, sourceName, content: req.content, receivedAt })]);
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
  const outcome = await upsertErpReceipts(
    trx,
    { tenantId: req.tenantId, batchId, sourceName, receivedAt },
    lines.map((l) => ({ line: l.full, sha256: l.sha })),
  );
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
  await completeBatch(trx, batchId, { status, accepted: stored, duplicate: receipts.length - stored, rejected: errors, issueCount: issues.length });
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
