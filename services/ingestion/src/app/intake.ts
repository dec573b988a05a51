// The intake use cases every channel shares: stream a CDS report, parse and store one buffered
// document (group commit), record a document the database refuses, and record a refused request.
import { withTenant, type Kysely } from '@customs/db';
import type { Logger } from '@customs/telemetry';
import { createHash } from 'node:crypto';
import type { Context } from '@opentelemetry/api';
import type { IngestionConfig } from '../config';
import type { IngestionDb } from '../db/migrations';
import { ingestBuffered, parseBuffered, type BufferedDocument } from './dispatch';
import { ingestErp, type ErpIngestResult } from './erp';
import { isErpFormat } from './formats';
import type { GroupCommitter } from './group-commit';
import type { IngestRequest, IngestResult } from './ingest';
import { isUnstorableContent, recordRefusal, unstorableIssue } from './refusal';
import { storable } from './safe-text';
import { ingestCdsStream, type StreamFile, type StreamIngestResult } from './stream-cds';
import type { StreamIngestThread } from './stream-thread';
import { drain, readUpTo } from './streams';

/** Why a request was refused: its HTTP status, a stable code, the field and the reason. */
export interface RequestRefusal {
  status: number;
  code: string;
  field: string;
  reason: string;
}

/** A refusal already recorded as a rejected batch (thrown; the HTTP adapter maps it). */
export class RefusedRequest extends Error {
  constructor(
    readonly refusal: RequestRefusal,
    readonly batchId: string,
  ) {
    super(refusal.reason);
  }
}

export interface IntakeDeps {
  db: Kysely<IngestionDb>;
  config: IngestionConfig;
  logger: Logger;
  /** customs_ingested_documents_total, by format and status. */
  documents: { inc(labels: { format: string; status: string }): void };
  committer: GroupCommitter<IngestRequest, IngestResult>;
  streamThread?: StreamIngestThread;
}

export class Intake {
  constructor(readonly deps: IntakeDeps) {}

  /** Streamed reports run on a worker thread (app/stream-thread.ts) unless configured off. */
  streamCds(tenantId: string, channel: string, sourceName: string, files: AsyncIterable<StreamFile> | Iterable<StreamFile>, parent: Context): Promise<StreamIngestResult> {
    const { config, db, streamThread } = this.deps;
    const opts = { tenantId, channel, sourceName, receivedAt: new Date(), parent, chunkRows: config.STREAM_CHUNK_ROWS };
    return streamThread ? streamThread.ingest(opts, files) : ingestCdsStream({ ...opts, db }, files);
  }

  /** A parsed document, stored by group commit (one transaction per tenant at a time). */
  storeParsed(r: IngestRequest): Promise<IngestResult> {
    return this.deps.committer.submit(r.tenantId, r, r.content.length);
  }

  /**
   * A document whose content the database refuses (app/refusal.ts: what no parser foresaw) is
   * still recorded, as a rejected batch with its raw bytes, instead of a 500 leaving nothing.
   */
  refuseUnstorable(doc: { tenantId: string; channel: string; format: string; sourceName: string; content: Buffer; receivedAt: Date }) {
    return (e: unknown) => {
      if (!isUnstorableContent(e)) throw e;
      this.deps.logger.warn({ err: e, tenant: doc.tenantId, sourceName: storable(doc.sourceName) }, 'the database refused a document; recorded as a rejected batch');
      return withTenant(this.deps.db, doc.tenantId, (trx) => recordRefusal(trx, doc, [unstorableIssue(storable(doc.sourceName), e)]));
    };
  }

  /** One buffered document: ERP lines go their own way, declarations through the group commit. */
  ingestOne(doc: BufferedDocument): Promise<IngestResult | ErpIngestResult> {
    const max = this.deps.config.MAX_DOCUMENT_BYTES;
    return (isErpFormat(doc.format) && !doc.refused ? withTenant(this.deps.db, doc.tenantId, (trx) => ingestBuffered(trx, doc, max)) : parseBuffered(doc, max).then((r) => this.storeParsed(r))).catch(
      this.refuseUnstorable(doc),
    );
  }

  /** ERP receipt lines sent on their own (POST /v1/erp-receipts). */
  ingestErp(doc: Parameters<typeof ingestErp>[1]): Promise<ErpIngestResult | IngestResult> {
    return withTenant(this.deps.db, doc.tenantId, (trx) => ingestErp(trx, doc)).catch(this.refuseUnstorable(doc));
  }

  /**
   * Every refusal of a submission is a batch too (status rejected, the reason as its issue),
   * not only an HTTP error: what was sent, by whom and why it was refused stays on record.
   * What the request carried is read up to MAX_DOCUMENT_BYTES and kept; past the cap no raw
   * bytes are kept (that is the refusal), only the size and SHA-256 of what was read. Then a
   * RefusedRequest is thrown, naming the batch.
   */
  async refuseRequest(tenantId: string, channel: string, format: string, sourceName: string, input: AsyncIterable<Buffer> | undefined, err: RequestRefusal): Promise<never> {
    const max = this.deps.config.MAX_DOCUMENT_BYTES;
    const read = input ? await readUpTo(input, max) : { chunks: [] as Buffer[], overflow: false, content: Buffer.alloc(0), rest: undefined };
    if (read.rest) await drain(read.rest);
    const sha = createHash('sha256');
    let bytes = 0;
    for (const c of read.chunks) {
      sha.update(c);
      bytes += c.length;
    }
    const content = read.overflow ? Buffer.alloc(0) : Buffer.concat(read.chunks);
    const name = storable(sourceName);
    const r = await withTenant(this.deps.db, tenantId, (trx) =>
      recordRefusal(trx, { tenantId, channel, format, sourceName: name, content, receivedAt: new Date(), read: { bytes, sha256: sha.digest('hex') } }, [
        { severity: 'error', sourceName: name, location: '(request)', field: err.field, code: err.code.toUpperCase(), reason: err.reason },
      ]),
    );
    this.deps.documents.inc({ format: format || 'unknown', status: 'rejected' });
    throw new RefusedRequest(err, r.batchId);
  }
}
