import { randomUUID } from 'node:crypto';
import type { Context } from '@opentelemetry/api';
import { enqueueOutbox, type Transaction } from '@customs/db';
import type { IngestionDb } from '../db/migrations';
import { type DdesIssue, parseDdesCsv } from '../parse/deferment/ddes';
import { completeBatch, insertBatches, openBatchRow } from '../db/batch-writes';
import { declarationsIngested } from '../db/books-repo';
import { defermentStatementEvents } from './books-events';
import { type BatchStatus, type IngestIssue, insertIssues, statusOf } from './ingest';
import { safeSourceName, storable } from './safe-text';

export interface DefermentIngestRequest {
  tenantId: string;
  channel: string;
  sourceName: string;
  content: Buffer;
  receivedAt: Date;
  parent?: Context;
}

export interface DefermentIngestResult {
  batchId: string;
  status: BatchStatus;
  statements: { statementId: string; dan: string; periodFrom: string; periodTo: string; lines: number; dutyPence: number; vatPence: number }[];
  /** Always empty: the same answer shape as an ERP upload's, so callers handle either. */
  receipts: never[];
  declarations: never[];
  changes: never[];
  issues: IngestIssue[];
}

export function ddesIssue(i: DdesIssue): IngestIssue {
  return { severity: i.severity, sourceName: i.sourceName, line: i.row || undefined, location: i.location, field: i.field, code: i.code, reason: i.reason };
}

/**
 * Stores one duty deferment statement CSV (format ddes-csv) as a batch in the caller's
 * transaction — raw bytes, every issue — and publishes its valid lines, per deferment account,
 * on ingestion.deferment-statement.received.v1 in bounded parts through the outbox, so they
 * commit together. Scoring keeps them and reconciles them with the declarations (C42). A
 * statement sent again replaces its lines downstream (same statement id).
 */
export async function ingestDeferment(trx: Transaction<IngestionDb>, req: DefermentIngestRequest): Promise<DefermentIngestResult> {
  const batchId = randomUUID();
  const receivedAt = req.receivedAt.toISOString();
  const { sourceName, issue: nameIssue } = safeSourceName(req.sourceName);
  const parsed = parseDdesCsv(req.content, sourceName, req.tenantId);
  const issues = [...(nameIssue ? [nameIssue] : []), ...parsed.issues.map(ddesIssue)];
  const lines = parsed.statements.reduce((n, s) => n + s.lines.length, 0);
  const errors = issues.filter((i) => i.severity === 'error').length;
  const status = statusOf(lines, 0, errors, lines === 0 && errors > 0);
  await insertBatches(trx, [openBatchRow({ batchId, tenantId: req.tenantId, channel: storable(req.channel), format: 'ddes-csv', sourceName, content: req.content, receivedAt })]);
  await completeBatch(trx, batchId, { status, accepted: lines, duplicate: 0, rejected: errors, issueCount: issues.length });
  const { stored: storedIssues } = await insertIssues(trx, { tenantId: req.tenantId, batchId, receivedAt }, issues);
  if (parsed.statements.length) {
    const ingested = await declarationsIngested(trx, req.tenantId);
    await enqueueOutbox(
      trx,
      'ingestion',
      parsed.statements.flatMap((s) => defermentStatementEvents(req.tenantId, batchId, s, { sourceName, receivedAt, declarationsIngested: ingested }, req.parent)),
    );
  }
  const sum = (s: (typeof parsed.statements)[number], vat: boolean) => s.lines.filter((l) => (l.taxType === 'B00') === vat).reduce((n, l) => n + l.amountPence, 0);
  return {
    batchId,
    status,
    statements: parsed.statements.map((s) => ({
      statementId: s.statementId,
      dan: s.dan,
      periodFrom: s.periodFrom,
      periodTo: s.periodTo,
      lines: s.lines.length,
      dutyPence: sum(s, false),
      vatPence: sum(s, true),
    })),
    receipts: [],
    declarations: [],
    changes: [],
    issues: storedIssues,
  };
}
