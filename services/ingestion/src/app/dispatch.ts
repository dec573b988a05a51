import type { Context } from '@opentelemetry/api';
import type { Transaction } from '@customs/db';
import type { IngestionDb } from '../db/migrations';
import { looksLikeDdes } from '../parse/deferment/ddes';
import { type DefermentIngestResult, ingestDeferment } from './deferment';
import { ingestErp, type ErpIngestResult } from './erp';
import { DOCUMENT_FORMATS, isBooksFormat, isDocumentFormat, parseDocument } from './formats';
import { ingestDocument, type IngestRequest, type IngestResult, type ParsedDocument } from './ingest';
import { safeSourceName } from './safe-text';

export interface BufferedDocument {
  tenantId: string;
  channel: string;
  format: string;
  sourceName: string;
  content: Buffer;
  receivedAt: Date;
  parent?: Context;
  /** Set when the transport refused the bytes (over the size limit): stored as a rejection. */
  refused?: ParsedDocument;
}

/**
 * One document already in memory → one batch, whatever its format: declarations (DMS XML, CDS
 * report, CHIEF MSS), ERP receipt lines or a duty deferment statement. An unknown format is stored as a rejected batch.
 */
export async function ingestBuffered(trx: Transaction<IngestionDb>, doc: BufferedDocument, maxBytes: number): Promise<IngestResult | ErpIngestResult | DefermentIngestResult> {
  const format = booksFormatOf(doc);
  if (doc.refused) return ingestDocument(trx, await parseBuffered(doc, maxBytes));
  if (format === 'ddes-csv') return ingestDeferment(trx, doc);
  if (format === 'erp-json' || format === 'erp-csv') return ingestErp(trx, { ...doc, format });
  return ingestDocument(trx, await parseBuffered(doc, maxBytes));
}

/**
 * Format detection for the importer's books: a CSV sent as erp-csv whose header row names a
 * deferment account, a tax type and an amount is HMRC's duty deferment statement (ddes-csv) —
 * the two come out of the same finance system and are easily sent down the same channel.
 */
export function booksFormatOf(doc: Pick<BufferedDocument, 'format' | 'content'>): string {
  if (doc.format !== 'erp-csv') return doc.format;
  const firstLine =
    doc.content
      .subarray(0, 4096)
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .split(/\r?\n/, 1)[0] ?? '';
  return looksLikeDdes(firstLine) ? 'ddes-csv' : doc.format;
}

/**
 * A declaration document (not ERP lines) parsed, outside any transaction, into what
 * ingestDocument(s) stores: parsing holds no connection, and a group commit can take many.
 */
export async function parseBuffered(doc: BufferedDocument, maxBytes: number): Promise<IngestRequest> {
  const { format } = doc;
  // A file name with a control character is stored escaped, with a warning; the document is read.
  const { sourceName, issue: nameIssue } = safeSourceName(doc.sourceName);
  const parsed: ParsedDocument =
    doc.refused ??
    (isDocumentFormat(format) && !isBooksFormat(format)
      ? await parseDocument(format, doc.content, sourceName, maxBytes)
      : {
          declarations: [],
          changes: [],
          issues: [{ severity: 'error', sourceName, location: 'submission', field: 'format', code: 'UNSUPPORTED_FORMAT', reason: `format "${format}" is not one of ${DOCUMENT_FORMATS.join(', ')}` }],
        });
  if (nameIssue) parsed.issues.unshift(nameIssue);
  return { tenantId: doc.tenantId, channel: doc.channel, format: format || 'unknown', sourceName, content: doc.content, parsed, receivedAt: doc.receivedAt, parent: doc.parent };
}
