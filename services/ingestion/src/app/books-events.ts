import type { Context } from '@opentelemetry/api';
import { type DefermentStatementLine, type ErpReceiptLine, Topics } from '@customs/contracts';
import { buildEvent, type EncodedEvent } from '@customs/kafka';
import type { DefermentStatement } from '../parse/deferment/ddes';

/**
 * Lines per event of the importer's books (ERP receipts, deferment statement lines). A line is a
 * few hundred bytes at most (fields capped at 1,000 characters by the ERP parser, 200 by the
 * statement's), so a part stays far below the broker's 1 MB message limit whatever the export's
 * size: a 200,000-line export is 400 events, never one event of 60 MB.
 */
export const LINES_PER_EVENT = 500;

function parts<T>(lines: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < lines.length; i += LINES_PER_EVENT) out.push(lines.slice(i, i + LINES_PER_EVENT));
  return out;
}

/** The stored (inserted or changed) receipt lines of one ERP batch, as bounded events. */
export function erpReceiptEvents(tenantId: string, batchId: string, lines: readonly ErpReceiptLine[], declarationsIngested: number, parent?: Context): EncodedEvent[] {
  const chunks = parts(lines);
  return chunks.map((chunk, i) =>
    buildEvent({
      topic: Topics.erpReceiptsReceived,
      key: `${tenantId}/erp-receipts`,
      value: { tenantId, batchId, part: i + 1, parts: chunks.length, lines: chunk, declarationsIngested },
      tenant: tenantId,
      source: 'ingestion',
      subject: batchId,
      parent,
      id: `erp-receipts/${tenantId}/${batchId}/${i + 1}`,
    }),
  );
}

/** One deferment statement of a batch, as bounded events (every part names the statement and its size). */
export function defermentStatementEvents(
  tenantId: string,
  batchId: string,
  s: DefermentStatement,
  meta: { sourceName: string; receivedAt: string; declarationsIngested: number },
  parent?: Context,
): EncodedEvent[] {
  const chunks: DefermentStatementLine[][] = parts(s.lines);
  return chunks.map((chunk, i) =>
    buildEvent({
      topic: Topics.defermentStatementReceived,
      key: `${tenantId}/deferment/${s.dan}`,
      value: {
        tenantId,
        batchId,
        statementId: s.statementId,
        dan: s.dan,
        periodFrom: s.periodFrom,
        periodTo: s.periodTo,
        part: i + 1,
        parts: chunks.length,
        totalLines: s.lines.length,
        firstLine: i * LINES_PER_EVENT,
        lines: chunk,
        sourceName: meta.sourceName,
        receivedAt: meta.receivedAt,
        declarationsIngested: meta.declarationsIngested,
      },
      tenant: tenantId,
      source: 'ingestion',
      subject: s.statementId,
      parent,
      id: `deferment-statement/${tenantId}/${batchId}/${s.statementId}/${i + 1}`,
    }),
  );
}
