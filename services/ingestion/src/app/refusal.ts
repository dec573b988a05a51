import { randomUUID } from 'node:crypto';
import type { Transaction } from '@customs/db';
import type { IngestionDb } from '../db/migrations';
import { insertBatches, openBatchRow } from '../db/batch-writes';
import { insertIssues, type IngestIssue, type IngestResult } from './ingest';
import { storable } from './safe-text';

/**
 * The last line of "every refused document is kept": when storing a document fails on its
 * content, it is still recorded as a rejected batch, with its raw bytes and an issue saying why.
 *
 * Parsers refuse what Postgres cannot hold (a NUL in a cell or value: ../parse), and every text
 * this module writes is escaped (safe-text.ts), so this runs only for a case nobody foresaw; then
 * the document is kept for review instead of a 500 with nothing stored, or a Kafka submission
 * retried into the dead-letter topic.
 */

/**
 * SQLSTATE class 22, "data exception" (22021 a NUL or invalid UTF-8 in text, 22P05 "\u0000" in
 * json, 22003 a number out of range …): the content itself cannot be stored, and storing it again
 * fails the same way. Other failures (a lost connection, a deadlock) are not the document's fault
 * and stay errors the caller retries.
 */
export function isUnstorableContent(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('22');
}

/** The issue recorded for a document Postgres refused. */
export function unstorableIssue(sourceName: string, e: unknown): IngestIssue {
  const err = e as { code?: string; message?: string };
  return {
    severity: 'error',
    sourceName,
    location: '(file)',
    field: '(content)',
    code: 'UNSTORABLE_VALUE',
    reason: `the document could not be stored: the database refused one of its values (SQLSTATE ${err.code}: ${err.message}); nothing of it was stored, and its raw bytes are kept with this batch for review`,
  };
}

export interface RefusedDocument {
  tenantId: string;
  channel: string;
  format: string;
  sourceName: string;
  content: Buffer;
  receivedAt: Date;
  /**
   * What was read of a document too large to keep (`content` is then empty): the size and
   * SHA-256 of the bytes read before the cap, so the refusal still says what arrived.
   */
  read?: { bytes: number; sha256: string };
}

/**
 * Records a document as a rejected batch in the caller's transaction: raw bytes (bytea holds any
 * byte), its issues, and nothing else. Only escaped text and fixed values go into text columns,
 * so this insert cannot fail on what was sent.
 */
export async function recordRefusal(trx: Transaction<IngestionDb>, doc: RefusedDocument, issues: IngestIssue[]): Promise<IngestResult> {
  const batchId = randomUUID();
  const receivedAt = doc.receivedAt.toISOString();
  await insertBatches(trx, [
    {
      ...openBatchRow({
        batchId,
        tenantId: doc.tenantId,
        channel: storable(doc.channel),
        format: storable(doc.format || 'unknown'),
        sourceName: storable(doc.sourceName),
        content: doc.content,
        receivedAt,
      }),
      // A capped read keeps what arrived before the cap; its size and hash say what was sent.
      ...(doc.read ? { content_sha256: doc.read.sha256, size_bytes: doc.read.bytes } : {}),
      status: 'rejected',
      declarations_rejected: 1,
      issue_count: issues.length,
      completed_at: new Date().toISOString(),
    },
  ]);
  const { stored } = await insertIssues(trx, { tenantId: doc.tenantId, batchId, receivedAt }, issues);
  return { batchId, status: 'rejected', declarations: [], changes: [], issues: stored };
}
