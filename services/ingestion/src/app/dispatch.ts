import type { Context } from '@opentelemetry/api';
import type { Transaction } from '@customs/db';
import type { IngestionDb } from '../db/migrations';
import { ingestErp, type ErpIngestResult } from './erp';
import { DOCUMENT_FORMATS, isDocumentFormat, isErpFormat, parseDocument } from './formats';
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
 * report, CHIEF MSS) or ERP receipt lines. An unknown format is stored as a rejected batch.
 */
export async function ingestBuffered(trx: Transaction<IngestionDb>, doc: BufferedDocument, maxBytes: number): Promise<IngestResult | ErpIngestResult> {
  if (isErpFormat(doc.format) && !doc.refused) return ingestErp(trx, { ...doc, format: doc.format });
  return ingestDocument(trx, await parseBuffered(doc, maxBytes));
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
    (isDocumentFormat(format) && !isErpFormat(format)
      ? await parseDocument(format, doc.content, sourceName, maxBytes)
      : {
          declarations: [],
          changes: [],
          issues: [{ severity: 'error', sourceName, location: 'submission', field: 'format', code: 'UNSUPPORTED_FORMAT', reason: `format "${format}" is not one of ${DOCUMENT_FORMATS.join(', ')}` }],
        });
  if (nameIssue) parsed.issues.unshift(nameIssue);
  return { tenantId: doc.tenantId, channel: doc.channel, format: format || 'unknown', sourceName, content: doc.content, parsed, receivedAt: doc.receivedAt, parent: doc.parent };
}
