import { Declaration, IngestionServiceService, Topics, type GetDeclarationRequest, type GetDeclarationResponse, type Submission } from '@customs/contracts';
import { GrpcError, status, type CallContext } from '@customs/grpc';
import { HttpError, principalOf, requestContext, requireRole } from '@customs/http';
import { claimInbox, withAllTenants, withTenant } from '@customs/db';
import multipart from '@fastify/multipart';
import { startPlatformService, type RunningService } from '@customs/service';
import { MAX_STORED_ISSUES, ingestDocuments, type IngestRequest, type IngestResult } from './app/ingest';
import { isUnstorableContent, recordRefusal, unstorableIssue } from './app/refusal';
import { safeSourceName, storable } from './app/safe-text';
import { DOCUMENT_FORMATS, canonicalFormat, closeWorkbookReading, configureWorkbookReading, isDocumentFormat, isErpFormat, parseDocuments } from './app/formats';
import { ingestBuffered, parseBuffered, type BufferedDocument } from './app/dispatch';
import { GroupCommitter } from './app/group-commit';
import type { ErpIngestResult } from './app/erp';
import { ingestErp, receiptJson } from './app/erp';
import { invoiceKey } from './parse/erp/erp';
import { closeDmsSchemaCheck, configureDmsSchemaCheck, warmUpDmsSchemaCheck } from './parse/dms';
import { migrations, type IngestionDb } from './db/migrations';
import { ingestCdsStream, type StreamFile, type StreamIngestResult } from './app/stream-cds';
import { StreamIngestThread } from './app/stream-thread';
import { drain, limitStream, once, peekFirst, prepend, readUpTo } from './app/streams';
import { isWorkbook } from '@customs/spreadsheet';
import { sql } from '@customs/db';
import { Readable } from 'node:stream';
import { createHash, hash } from 'node:crypto';
import { describeControlCharacter, findControlCharacter } from '@customs/contracts';
import type { IngestionConfig } from './config';

const GROUP = 'ingestion';

function httpStatusFor(r: { status: IngestResult['status'] }): number {
  return r.status === 'rejected' ? 422 : r.status === 'duplicate' ? 200 : 201;
}

/** Starts the ingestion service: REST uploads and Kafka submissions → canonical declarations. */
export async function startIngestionService(config: IngestionConfig): Promise<RunningService> {
  return startPlatformService<IngestionDb>({
    name: 'ingestion',
    config,
    migrations,
    async setup(kit) {
      const { db } = kit.db;
      const docs = kit.metrics.counter('customs_ingested_documents_total', 'Documents ingested, by format and outcome', ['format', 'status']);

      // A streamed batch whose process died mid-file stays "in_progress" with no heartbeat: mark
      // it incomplete (its committed chunks stand; re-sending the file resumes it).
      const sweep = () =>
        withAllTenants(db, (trx) =>
          sql`
            with swept as (
              update batches set status = 'incomplete', completed_at = now(), issue_count = issue_count + 1
              where status = 'in_progress' and updated_at < now() - make_interval(secs => ${config.STALE_BATCH_SECONDS})
              returning batch_id, tenant_id, source_name, rows_committed, chunks_committed)
            insert into batch_issues (batch_id, tenant_id, severity, source_name, location, field, code, reason)
            select batch_id, tenant_id, 'error', source_name, '(file)', '(upload)', 'INCOMPLETE',
              format('the upload stopped after %s rows (%s chunks committed) with no progress for %s s: the service was stopped or crashed mid-file; re-send the file to resume (stored entries are recognised as duplicates)', rows_committed, chunks_committed, ${config.STALE_BATCH_SECONDS}::int)
            from swept`.execute(trx),
        ).catch((e) => kit.logger.warn({ err: e }, 'stale batch sweep failed'));
      await sweep();
      const sweeper = setInterval(sweep, Math.min(config.STALE_BATCH_SECONDS, 300) * 1000);
      sweeper.unref();
      kit.lifecycle.add('stale-batch-sweep', async () => clearInterval(sweeper));

      // HMRC XSD check of DMS declarations (parse/dms/xsd.ts): libxml2 loads and compiles the schema
      // in its worker thread now, so that the first upload does not wait for it.
      configureDmsSchemaCheck({ enabled: config.DMS_XSD_CHECK, timeoutMs: config.DMS_XSD_TIMEOUT_MS, maxBytes: config.MAX_DOCUMENT_BYTES });
      // Workbook reports are read on bounded worker threads (app/formats.ts).
      const workbooks = configureWorkbookReading({ timeoutMs: config.WORKBOOK_TIMEOUT_MS, maxMemoryMb: config.WORKBOOK_MAX_MEMORY_MB, concurrency: config.WORKBOOK_CONCURRENCY });
      kit.lifecycle.add('workbook-workers', () => closeWorkbookReading(workbooks));
      if (config.DMS_XSD_CHECK) {
        warmUpDmsSchemaCheck();
        kit.lifecycle.add('dms-schema-check', () => closeDmsSchemaCheck());
      }

      // REST: one document in the request body; ?format= names it (default dms-xml). Bodies
      // arrive as streams: CDS reports are parsed and committed as they arrive (any size); other
      // formats are read up to MAX_DOCUMENT_BYTES and refused beyond it.
      // Workbook types (.xlsx, .ods, .fods) are accepted like octet-stream: what a body is, is told by its
      // content below, not by the type a client chose.
      kit.http.addContentTypeParser(
        [
          'application/xml',
          'text/xml',
          'application/octet-stream',
          'text/csv',
          'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
          'application/vnd.oasis.opendocument.spreadsheet',
          'application/vnd.oasis.opendocument.spreadsheet-flat-xml',
        ],
        (_req, payload, done) => done(null, payload),
      );
      const streamed = (r: StreamIngestResult) => (r.status === 'incomplete' ? 500 : r.status === 'rejected' ? 422 : r.status === 'duplicate' ? 200 : 201);
      // Streamed reports run on a worker thread (app/stream-thread.ts) unless configured off.
      const streamThread =
        config.STREAM_WORKER_DB_CONNECTIONS > 0 ? new StreamIngestThread({ databaseUrl: config.DATABASE_URL, poolSize: config.STREAM_WORKER_DB_CONNECTIONS, logger: kit.logger }) : undefined;
      if (streamThread) {
        streamThread.start();
        kit.lifecycle.add('stream-ingest-worker', () => streamThread.close());
      }
      const streamCds = (tenantId: string, channel: string, sourceName: string, files: AsyncIterable<StreamFile> | Iterable<StreamFile>, parent: ReturnType<typeof requestContext>) => {
        const opts = { tenantId, channel, sourceName, receivedAt: new Date(), parent, chunkRows: config.STREAM_CHUNK_ROWS };
        return streamThread ? streamThread.ingest(opts, files) : ingestCdsStream({ ...opts, db }, files);
      };
      // Declaration documents sent one per request (or per multipart file) are parsed outside any
      // transaction, then stored by group commit: one transaction per tenant at a time, taking
      // every document that arrived meanwhile (app/group-commit.ts). ERP lines go their own way.
      const groupSizes = kit.metrics.histogram('customs_ingest_group_documents', 'Documents stored per group-commit transaction', [], [1, 2, 5, 10, 20, 50, 100, 200, 500]);
      const committer = new GroupCommitter<IngestRequest, IngestResult>(
        (tenantId, reqs) => {
          groupSizes.observe(reqs.length);
          return withTenant(db, tenantId, (trx) => ingestDocuments(trx, reqs));
        },
        { maxDocuments: config.GROUP_COMMIT_MAX_DOCUMENTS, maxBytes: config.GROUP_COMMIT_MAX_BYTES, maxGroupsInFlight: 2 },
      );
      kit.metrics.gaugeOf('customs_ingest_group_commit_waiting', 'Documents parsed and waiting for their group-commit transaction', () => committer.waiting);
      const storeParsed = (r: IngestRequest) => committer.submit(r.tenantId, r, r.content.length);
      // A document whose content the database refuses (app/refusal.ts: what no parser foresaw) is
      // still recorded, as a rejected batch with its raw bytes, instead of a 500 leaving nothing.
      const refuseUnstorable = (doc: { tenantId: string; channel: string; format: string; sourceName: string; content: Buffer; receivedAt: Date }) => (e: unknown) => {
        if (!isUnstorableContent(e)) throw e;
        kit.logger.warn({ err: e, tenant: doc.tenantId, sourceName: storable(doc.sourceName) }, 'the database refused a document; recorded as a rejected batch');
        return withTenant(db, doc.tenantId, (trx) => recordRefusal(trx, doc, [unstorableIssue(storable(doc.sourceName), e)]));
      };
      const ingestOne = (doc: BufferedDocument): Promise<IngestResult | ErpIngestResult> =>
        (isErpFormat(doc.format) && !doc.refused
          ? withTenant(db, doc.tenantId, (trx) => ingestBuffered(trx, doc, config.MAX_DOCUMENT_BYTES))
          : parseBuffered(doc, config.MAX_DOCUMENT_BYTES).then(storeParsed)
        ).catch(refuseUnstorable(doc));

      /**
       * Every refusal of a submission is a batch too (status rejected, the reason as its issue),
       * not only an HTTP error: what was sent, by whom and why it was refused stays on record.
       * What the request carried is read up to MAX_DOCUMENT_BYTES and kept; past the cap no raw
       * bytes are kept (that is the refusal), only the size and SHA-256 of what was read. Then the
       * error is thrown, naming the batch.
       */
      const refuseRequest = async (
        tenantId: string,
        channel: string,
        format: string,
        sourceName: string,
        input: AsyncIterable<Buffer> | undefined,
        err: { status: number; code: string; field: string; reason: string },
      ): Promise<never> => {
        const read = input ? await readUpTo(input, config.MAX_DOCUMENT_BYTES) : { chunks: [] as Buffer[], overflow: false, content: Buffer.alloc(0), rest: undefined };
        if (read.rest) await drain(read.rest);
        const sha = createHash('sha256');
        let bytes = 0;
        for (const c of read.chunks) sha.update(c), (bytes += c.length);
        const content = read.overflow ? Buffer.alloc(0) : Buffer.concat(read.chunks);
        const name = storable(sourceName);
        const r = await withTenant(db, tenantId, (trx) =>
          recordRefusal(trx, { tenantId, channel, format, sourceName: name, content, receivedAt: new Date(), read: { bytes, sha256: sha.digest('hex') } }, [
            { severity: 'error', sourceName: name, location: '(request)', field: err.field, code: err.code.toUpperCase(), reason: err.reason },
          ]),
        );
        docs.inc({ format: format || 'unknown', status: 'rejected' });
        throw new HttpError(err.status, err.code, err.reason, { batchId: r.batchId });
      };

      // The file name is a label, not an identifier: one with a control character is stored escaped
      // with a warning (app/safe-text.ts) rather than refused at the edge, so the document is kept.
      kit.http.post<{ Querystring: { format?: string; filename?: string }; Body: Readable }>('/v1/documents', { config: { textQuery: ['filename'], documentBody: true } }, async (req, reply) => {
        const p = requireRole(req, 'integrator');
        const format = canonicalFormat(req.query.format ?? 'dms-xml');
        const sourceName = (req.query.filename ?? 'upload').slice(0, 200);
        // No body at all (Content-Length 0) reaches here without a stream: read as empty. A body
        // sent as application/json (ERP lines) arrives parsed: its JSON text is the document.
        const raw = req.body as unknown;
        const input: AsyncIterable<Buffer> =
          raw && typeof (raw as Readable)[Symbol.asyncIterator] === 'function' ? (raw as Readable) : once(raw === undefined || raw === null ? Buffer.alloc(0) : Buffer.from(JSON.stringify(raw)));
        if (!isDocumentFormat(format))
          return refuseRequest(p.tenantId, 'rest', format, sourceName, input, {
            status: 400,
            code: 'unsupported_format',
            field: 'format',
            reason: `format must be one of ${DOCUMENT_FORMATS.join(', ')}`,
          });
        // An .xlsx or .ods report (a ZIP container, whichever the extension or Content-Type) cannot
        // be streamed row by row: it is read whole, up to MAX_DOCUMENT_BYTES, and goes the
        // in-memory way (parseDocuments reads its first sheet); CSV reports stream.
        const peeked = format === 'cds-report' ? await peekFirst(input) : undefined;
        if (format === 'cds-report' && peeked && !(peeked.first && isWorkbook(peeked.first))) {
          const limited = limitStream(peeked.all, config.MAX_STREAM_BYTES);
          const r = await streamCds(p.tenantId, 'rest', sourceName, [{ sourceName, chunks: limited.chunks, truncated: limited.truncated }], requestContext(req));
          docs.inc({ format, status: r.status });
          return reply.code(streamed(r)).send(r);
        }
        const body = await readUpTo(peeked?.all ?? input, config.MAX_DOCUMENT_BYTES);
        if (body.overflow)
          return refuseRequest(p.tenantId, 'rest', format, sourceName, prepend(body.chunks, body.rest!), {
            status: 413,
            code: 'too_large',
            field: '(size)',
            reason: `the document exceeds the ${config.MAX_DOCUMENT_BYTES}-byte limit`,
          });
        if (body.content.length === 0)
          return refuseRequest(p.tenantId, 'rest', format, sourceName, undefined, {
            status: 400,
            code: 'empty_body',
            field: '(body)',
            reason: 'send the document as the request body with Content-Type application/xml',
          });
        const result = await ingestOne({ tenantId: p.tenantId, channel: 'rest', format, sourceName, content: body.content, receivedAt: new Date(), parent: requestContext(req) });
        docs.inc({ format, status: result.status });
        return reply.code(httpStatusFor(result)).send(result);
      });

      // Multipart upload of one or many files (a broker's day of declarations): each file is its
      // own batch; a file over the size limit is refused alone, the others still ingest. CDS
      // report files of one upload are joined into one batch: buffered (any order, tax lines
      // joined) while they fit MAX_DOCUMENT_BYTES; a bigger one switches the upload to streaming
      // (files before it are indexed, it and the files after it are streamed in chunks).
      await kit.http.register(multipart, { throwFileSizeLimit: false, limits: { fileSize: config.MAX_STREAM_BYTES, files: 1000, fields: 10 } });
      kit.http.post<{ Querystring: { format?: string } }>('/v1/uploads', async (req, reply) => {
        const p = requireRole(req, 'integrator');
        if (!req.isMultipart()) {
          const raw = req.body as unknown;
          const input =
            raw && typeof (raw as Readable)[Symbol.asyncIterator] === 'function'
              ? (raw as Readable)
              : once(raw === undefined || raw === null ? Buffer.alloc(0) : Buffer.from(typeof raw === 'string' ? raw : JSON.stringify(raw)));
          return refuseRequest(p.tenantId, 'rest-multipart', canonicalFormat(req.query.format ?? 'dms-xml'), 'upload', input, {
            status: 415,
            code: 'not_multipart',
            field: '(content-type)',
            reason: `send multipart/form-data with one or more file parts (got ${storable(String(req.headers['content-type'] ?? 'no Content-Type')).slice(0, 100)})`,
          });
        }
        // Files are parsed as they arrive and handed to the group commit without waiting for it,
        // so an upload of many files is stored in a few transactions; results keep file order.
        // Backpressure: past a group's worth of files or bytes not yet stored, the next part is
        // read only once the oldest is, so memory stays bounded whatever the upload's size.
        type FileResult = { filename: string; status: string } & Record<string, unknown>;
        const results: Promise<FileResult>[] = [];
        const unstored: { done: Promise<unknown>; bytes: number }[] = [];
        let unstoredBytes = 0;
        const ingestFile = async (doc: BufferedDocument) => {
          const r = ingestOne(doc).then((result) => {
            docs.inc({ format: doc.format, status: result.status });
            return { filename: doc.sourceName, ...result };
          });
          const done = r.catch(() => undefined); // awaited below with the others; not an unhandled rejection meanwhile
          results.push(r);
          unstored.push({ done, bytes: doc.content.length });
          unstoredBytes += doc.content.length;
          while (unstored.length > config.GROUP_COMMIT_MAX_DOCUMENTS || (unstored.length > 1 && unstoredBytes > config.GROUP_COMMIT_MAX_BYTES)) {
            const oldest = unstored.shift()!;
            unstoredBytes -= oldest.bytes;
            await oldest.done;
          }
        };
        let format = canonicalFormat(req.query.format ?? 'dms-xml');
        const cdsFiles: { sourceName: string; content: Buffer }[] = [];
        const tooLarge = (sourceName: string, reason = `file exceeds the ${config.MAX_DOCUMENT_BYTES}-byte limit per document`) => ({
          declarations: [],
          changes: [],
          issues: [{ severity: 'error' as const, sourceName, location: '(file)', field: '(size)', code: 'TOO_LARGE', reason }],
        });
        const parts = req.parts()[Symbol.asyncIterator]();
        for (let n = await parts.next(); !n.done; n = await parts.next()) {
          const part = n.value;
          if (part.type === 'field') {
            if (part.fieldname === 'format') format = canonicalFormat(String(part.value));
            continue;
          }
          const sourceName = (part.filename || part.fieldname || 'upload').slice(0, 200);
          if (!isDocumentFormat(format))
            return refuseRequest(p.tenantId, 'rest-multipart', format, sourceName, part.file, {
              status: 400,
              code: 'unsupported_format',
              field: 'format',
              reason: `format must be one of ${DOCUMENT_FORMATS.join(', ')}`,
            });
          const read = await readUpTo(part.file, config.MAX_DOCUMENT_BYTES);
          // A workbook (.xlsx/.ods, a ZIP; or a flat .fods) is read whole, so one over the limit cannot switch to
          // streaming like a CSV report: it is refused alone, naming why, and the upload goes on.
          if (format === 'cds-report' && read.overflow && isWorkbook(read.chunks)) {
            await drain(read.rest!);
            const refused = tooLarge(
              sourceName,
              `workbook exceeds the ${config.MAX_DOCUMENT_BYTES}-byte limit: .xlsx, .ods and .fods reports are read whole; export it as CSV, which streams at any size`,
            );
            await ingestFile({ tenantId: p.tenantId, channel: 'rest-multipart', format, sourceName, content: Buffer.alloc(0), receivedAt: new Date(), parent: requestContext(req), refused });
            continue;
          }
          if (format === 'cds-report' && read.overflow) {
            const file = part.file;
            const first: StreamFile = { sourceName, chunks: prepend(read.chunks, read.rest!), truncated: () => file.truncated };
            async function* rest(): AsyncGenerator<StreamFile> {
              for (const f of cdsFiles) yield { sourceName: f.sourceName, chunks: once(f.content) };
              yield first;
              for (let m = await parts.next(); !m.done; m = await parts.next()) {
                const q = m.value;
                if (q.type === 'field') continue;
                const qf = q.file;
                yield { sourceName: (q.filename || q.fieldname || 'upload').slice(0, 200), chunks: qf, truncated: () => qf.truncated };
              }
            }
            const names = [...cdsFiles.map((f) => f.sourceName), sourceName, '…'].join(' + ').slice(0, 200);
            const r = await streamCds(p.tenantId, 'rest-multipart', names, rest(), requestContext(req));
            cdsFiles.length = 0;
            docs.inc({ format: 'cds-report', status: r.status });
            results.push(Promise.resolve({ filename: names, ...r }));
            break;
          }
          let content = read.content;
          // Keep a record of a refusal, without the bytes we refused to read.
          if (read.overflow) {
            await drain(read.rest!);
            content = Buffer.alloc(0);
          }
          if (format === 'cds-report') {
            cdsFiles.push({ sourceName, content }); // header, item and tax-line reports are joined below
            continue;
          }
          await ingestFile({
            tenantId: p.tenantId,
            channel: 'rest-multipart',
            format,
            sourceName,
            content,
            receivedAt: new Date(),
            parent: requestContext(req),
            refused: read.overflow ? tooLarge(sourceName) : undefined,
          });
        }
        if (cdsFiles.length) {
          const named = cdsFiles.map((f) => ({ content: f.content, ...safeSourceName(f.sourceName) }));
          const sourceName = named
            .map((f) => f.sourceName)
            .join(' + ')
            .slice(0, 200);
          const parsed = await parseDocuments('cds-report', named, config.MAX_DOCUMENT_BYTES);
          parsed.issues.unshift(...named.flatMap((f) => (f.issue ? [f.issue] : [])));
          // One batch for the joined reports; its raw content keeps every file, named.
          const content = Buffer.concat(named.flatMap((f) => [Buffer.from(`--- ${f.sourceName} ---\n`), f.content, Buffer.from('\n')]));
          const receivedAt = new Date();
          const result = await storeParsed({ tenantId: p.tenantId, channel: 'rest-multipart', format: 'cds-report', sourceName, content, parsed, receivedAt, parent: requestContext(req) }).catch(
            refuseUnstorable({ tenantId: p.tenantId, channel: 'rest-multipart', format: 'cds-report', sourceName, content, receivedAt }),
          );
          docs.inc({ format: 'cds-report', status: result.status });
          results.push(Promise.resolve({ filename: sourceName, ...result }));
        }
        if (results.length === 0) throw new HttpError(400, 'no_files', 'the multipart body has no file parts');
        const files = await Promise.all(results);
        const summary: Record<string, number> = { accepted: 0, partially_accepted: 0, duplicate: 0, rejected: 0 };
        for (const r of files) summary[r.status] = (summary[r.status] ?? 0) + 1;
        return reply.code(summary.rejected === files.length ? 422 : 207).send({ summary, files });
      });

      kit.http.get<{ Params: { id: string } }>('/v1/batches/:id', async (req) => {
        const p = principalOf(req);
        return withTenant(db, p.tenantId, async (trx) => {
          const b = await trx
            .selectFrom('batches')
            .select([
              'batch_id',
              'channel',
              'format',
              'source_name',
              'content_sha256',
              'size_bytes',
              'status',
              'declarations_accepted',
              'declarations_duplicate',
              'declarations_rejected',
              'issue_count',
              'rows_committed',
              'chunks_committed',
              'received_at',
              'updated_at',
              'completed_at',
            ])
            .where('tenant_id', '=', p.tenantId)
            .where('batch_id', '=', req.params.id)
            .executeTakeFirst();
          if (!b) throw new HttpError(404, 'not_found', `no batch ${req.params.id}`);
          const issues = await trx
            .selectFrom('batch_issues')
            .select(['severity', 'source_name', 'line', 'column_number', 'location', 'field', 'code', 'reason'])
            .where('batch_id', '=', b.batch_id)
            .orderBy('id')
            .limit(MAX_STORED_ISSUES + 2)
            .execute(); // all a batch stores: the cap, its MORE_ISSUES and a streamed upload's INCOMPLETE
          const declarations = await trx
            .selectFrom('declarations')
            .select(['declaration_id', 'version', 'lrn', 'mrn', 'item_count', 'acceptance_date', 'change_kind', 'status'])
            .where('tenant_id', '=', p.tenantId)
            .where('batch_id', '=', b.batch_id)
            .orderBy('declaration_id')
            .limit(1000)
            .execute();
          return { batch: b, declarations, issues };
        });
      });
      // The raw bytes of a batch, exactly as they were received (every refused document is kept for
      // review). A streamed report's bytes are its chunks in order, read one at a time so that a
      // 1 GB batch is never held in memory; a streamed upload of several files has a
      // "--- name ---" line before each file's bytes, like the joined multipart reports.
      kit.http.get<{ Params: { id: string } }>('/v1/batches/:id/content', async (req, reply) => {
        const p = principalOf(req);
        const found = await withTenant(db, p.tenantId, async (trx) => {
          const b = await trx.selectFrom('batches').select(['batch_id', 'raw_content']).where('tenant_id', '=', p.tenantId).where('batch_id', '=', req.params.id).executeTakeFirst();
          const chunks = b
            ? await trx.selectFrom('batch_raw_chunks').select(['seq', 'source_name']).where('tenant_id', '=', p.tenantId).where('batch_id', '=', b.batch_id).orderBy('seq').execute()
            : [];
          return b && { raw: b.raw_content, chunks };
        });
        if (!found) throw new HttpError(404, 'not_found', `no batch ${req.params.id}`);
        const named = new Set(found.chunks.map((c) => c.source_name)).size > 1;
        async function* content(): AsyncGenerator<Buffer> {
          if (found!.raw.length) yield found!.raw;
          let file: string | undefined;
          for (const c of found!.chunks) {
            if (named && c.source_name !== file) yield Buffer.from(`${file === undefined ? '' : '\n'}--- ${c.source_name} ---\n`);
            file = c.source_name;
            const row = await withTenant(db, p.tenantId, (trx) =>
              trx.selectFrom('batch_raw_chunks').select('content').where('tenant_id', '=', p.tenantId).where('batch_id', '=', req.params.id).where('seq', '=', c.seq).executeTakeFirst(),
            );
            if (row) yield row.content;
          }
        }
        return reply.header('content-type', 'application/octet-stream').send(Readable.from(content()));
      });
      kit.http.get<{ Querystring: { limit?: string } }>('/v1/batches', async (req) => {
        const p = principalOf(req);
        const limit = Math.min(Math.max(Number(req.query.limit ?? 50) || 50, 1), 500);
        const rows = await withTenant(db, p.tenantId, (trx) =>
          trx
            .selectFrom('batches')
            .select(['batch_id', 'format', 'source_name', 'status', 'declarations_accepted', 'declarations_duplicate', 'issue_count', 'received_at'])
            .where('tenant_id', '=', p.tenantId)
            .orderBy('received_at', 'desc')
            .limit(limit)
            .execute(),
        );
        return { batches: rows };
      });

      const getDeclaration = async (tenantId: string, id: string, version: number): Promise<Declaration | undefined> => {
        const row = await withTenant(db, tenantId, async (trx) => {
          let q = trx.selectFrom('declarations').select('payload').where('tenant_id', '=', tenantId).where('declaration_id', '=', id);
          if (version > 0) q = q.where('version', '=', version);
          return q.orderBy('version', 'desc').limit(1).executeTakeFirst();
        });
        return row ? Declaration.decode(row.payload) : undefined;
      };
      kit.http.get<{ Params: { id: string }; Querystring: { version?: string } }>('/v1/declarations/:id', async (req) => {
        const p = principalOf(req);
        const d = await getDeclaration(p.tenantId, req.params.id, Number(req.query.version ?? 0) || 0);
        if (!d) throw new HttpError(404, 'not_found', `no declaration ${req.params.id}`);
        return Declaration.toJSON(d);
      });
      // ERP purchase / goods-receipt lines: a JSON array in the body (or format=erp-csv /
      // erp-json on /v1/documents and /v1/uploads). The raw body is kept as the batch content,
      // so JSON that does not parse is stored (rejected, with the parser's reason) like any file.
      await kit.http.register(async (app) => {
        app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: config.MAX_DOCUMENT_BYTES }, (_req, body, done) => done(null, body));
        app.post<{ Querystring: { filename?: string }; Body: Buffer }>('/v1/erp-receipts', { config: { textQuery: ['filename'] } }, async (req, reply) => {
          const p = requireRole(req, 'integrator');
          if (!Buffer.isBuffer(req.body) || req.body.length === 0) throw new HttpError(400, 'empty_body', 'send a JSON array of receipt lines with Content-Type application/json');
          const sourceName = (req.query.filename ?? 'erp-receipts.json').slice(0, 200);
          const doc = { tenantId: p.tenantId, channel: 'rest', format: 'erp-json' as const, sourceName, content: req.body, receivedAt: new Date(), parent: requestContext(req) };
          const r = await withTenant(db, p.tenantId, (trx) => ingestErp(trx, doc)).catch(refuseUnstorable(doc));
          docs.inc({ format: 'erp-json', status: r.status });
          return reply.code(httpStatusFor(r)).send(r);
        });
      });
      kit.http.get<{ Querystring: { limit?: string; supplier?: string; invoice?: string; mrn?: string } }>('/v1/erp-receipts', async (req) => {
        const p = principalOf(req);
        const limit = Math.min(Math.max(Number(req.query.limit ?? 100) || 100, 1), 1000);
        const rows = await withTenant(db, p.tenantId, (trx) => {
          let q = trx.selectFrom('erp_receipts').selectAll().where('tenant_id', '=', p.tenantId);
          if (req.query.supplier) q = q.where('supplier', '=', req.query.supplier);
          if (req.query.invoice) q = q.where('invoice_key', '=', invoiceKey(req.query.invoice));
          if (req.query.mrn) q = q.where('mrn', '=', req.query.mrn.toUpperCase());
          return q.orderBy('supplier').orderBy('invoice_key').orderBy('line_number').limit(limit).execute();
        });
        return { receipts: rows.map(receiptJson) };
      });
      // Reconciliation (the data of rule C03): declarations whose N935 invoice references match
      // no ERP receipt, and ERP receipts matching no declaration. A receipt matches a declaration
      // by invoice number (whole N935 reference, or its number before "/date") or by MRN.
      kit.http.get<{ Querystring: { limit?: string } }>('/v1/reconciliation', async (req) => {
        const p = principalOf(req);
        const limit = Math.min(Math.max(Number(req.query.limit ?? 500) || 500, 1), 5000);
        return withTenant(db, p.tenantId, async (trx) => {
          const unmatchedDeclarations = await sql<{ declaration_id: string; version: number; mrn: string; lrn: string; acceptance_date: string; invoice_references: string[] }>`
            select r.declaration_id, r.version, d.mrn, d.lrn, d.acceptance_date, array_agg(distinct r.reference order by r.reference) as invoice_references
            from declaration_invoice_refs r
            join declarations d on d.tenant_id = r.tenant_id and d.declaration_id = r.declaration_id and d.version = r.version
            where r.tenant_id = ${p.tenantId}
              and not exists (select 1 from declaration_invoice_refs r2 join erp_receipts e on e.tenant_id = r2.tenant_id and e.invoice_key = r2.invoice_key where r2.tenant_id = r.tenant_id and r2.declaration_id = r.declaration_id)
              and not exists (select 1 from erp_receipts e where e.tenant_id = r.tenant_id and d.mrn <> '' and e.mrn = d.mrn)
            group by r.declaration_id, r.version, d.mrn, d.lrn, d.acceptance_date
            order by d.acceptance_date, r.declaration_id
            limit ${limit}`.execute(trx);
          const unmatchedReceipts = await sql<IngestionDb['erp_receipts']>`
            select e.* from erp_receipts e
            where e.tenant_id = ${p.tenantId}
              and not exists (select 1 from declaration_invoice_refs r where r.tenant_id = e.tenant_id and r.invoice_key = e.invoice_key)
              and not (e.mrn <> '' and exists (select 1 from declarations d where d.tenant_id = e.tenant_id and d.mrn = e.mrn and d.status <> 'invalidated'))
            order by e.invoice_date, e.supplier, e.invoice_key, e.line_number
            limit ${limit}`.execute(trx);
          return {
            declarationsWithoutReceipt: unmatchedDeclarations.rows.map((r) => ({
              declarationId: r.declaration_id,
              version: r.version,
              mrn: r.mrn,
              lrn: r.lrn,
              acceptanceDate: r.acceptance_date,
              invoiceReferences: r.invoice_references,
            })),
            receiptsWithoutDeclaration: unmatchedReceipts.rows.map(receiptJson),
          };
        });
      });

      // History: every version stays readable (?version=N above); this lists them, newest last,
      // with how each came about (original, resubmission, amendment, invalidation).
      kit.http.get<{ Params: { id: string } }>('/v1/declarations/:id/versions', async (req) => {
        const p = principalOf(req);
        const rows = await withTenant(db, p.tenantId, (trx) =>
          trx
            .selectFrom('declarations')
            .select(['version', 'lrn', 'mrn', 'function_code', 'status', 'change_kind', 'item_count', 'acceptance_date', 'content_sha256', 'batch_id', 'received_at'])
            .where('tenant_id', '=', p.tenantId)
            .where('declaration_id', '=', req.params.id)
            .orderBy('version')
            .execute(),
        );
        if (rows.length === 0) throw new HttpError(404, 'not_found', `no declaration ${req.params.id}`);
        const changes = await withTenant(db, p.tenantId, (trx) =>
          trx
            .selectFrom('declaration_changes')
            .select(['kind', 'mrn', 'lrn', 'applied_version', 'batch_id', 'received_at'])
            .where('tenant_id', '=', p.tenantId)
            .where('target_declaration_id', '=', req.params.id)
            .orderBy('id')
            .execute(),
        );
        return { declarationId: req.params.id, versions: rows, changes };
      });
      kit.grpc.addService(IngestionServiceService as never, {
        getDeclaration: async (req: GetDeclarationRequest, call: CallContext): Promise<GetDeclarationResponse> => {
          const d = await getDeclaration(call.principal.tenantId, req.declarationId, req.version);
          if (!d) throw new GrpcError(status.NOT_FOUND, `no declaration ${req.declarationId}`);
          return { declaration: d };
        },
      });

      const tooLargeSubmission = (sourceName: string) => ({
        declarations: [],
        changes: [],
        issues: [{ severity: 'error' as const, sourceName, location: 'submission', field: 'content', code: 'TOO_LARGE', reason: `the document exceeds the ${config.MAX_DOCUMENT_BYTES}-byte limit` }],
      });
      // Kafka channel for API producers: each submission is one document, idempotent by its key.
      // (BatchConsumer scopes the Kafka group by KAFKA_TOPIC_PREFIX, like the topics.)
      const group = GROUP;
      kit.consume<Submission>({
        groupId: group,
        topic: Topics.submission,
        handle: async (events) => {
          // Each submission is parsed first, holding no connection; then the batch is claimed and
          // stored in one transaction, a crash in between losing nothing. Declaration documents
          // are stored with one ingestDocuments per tenant (shared statements), ERP lines alone.
          // A tenant header with a control character names no tenant (tenant ids are 1-64 of
          // [A-Za-z0-9_.-]): such a submission cannot be recorded as anyone's batch, so it goes to
          // the dead-letter topic (thrown below, after the others are stored), with this reason.
          const unrecordable = events.filter((ev) => findControlCharacter(ev.tenant));
          const prepared = await Promise.all(
            events
              .filter((ev) => !unrecordable.includes(ev))
              .map(async (ev) => {
                // The inbox id is text: a key (or CloudEvents id) with a control character is kept
                // there as its hash, still idempotent on redelivery and never equal to a clean key.
                const rawId = ev.value.idempotencyKey ? `submission/${ev.tenant}/${ev.value.idempotencyKey}` : ev.eventId;
                const id = findControlCharacter(rawId) ? `submission-sha256/${ev.tenant}/${hash('sha256', rawId, 'hex')}` : rawId;
                const format = canonicalFormat(ev.value.format);
                const content = Buffer.from(ev.value.content);
                const sourceName = `kafka:${ev.topic}/${ev.partition}/${ev.offset}:${ev.value.filename || 'submission'}`.slice(0, 200);
                const badKey = findControlCharacter(ev.value.idempotencyKey);
                // A submission names its tenant in the event (producers authenticate to the broker);
                // one whose payload claims another tenant is refused rather than trusted.
                const refused =
                  ev.value.tenantId && ev.value.tenantId !== ev.tenant
                    ? {
                        declarations: [],
                        changes: [],
                        issues: [
                          {
                            severity: 'error' as const,
                            sourceName,
                            location: 'submission',
                            field: 'tenant_id',
                            code: 'TENANT_MISMATCH',
                            reason: `the submission names tenant "${ev.value.tenantId}" but was produced for "${ev.tenant}"`,
                          },
                        ],
                      }
                    : badKey
                      ? {
                          declarations: [],
                          changes: [],
                          issues: [
                            {
                              severity: 'error' as const,
                              sourceName,
                              location: 'submission',
                              field: 'idempotency_key',
                              code: 'CONTROL_CHARACTER',
                              reason: `the idempotency key contains ${describeControlCharacter(badKey)}; control characters are not allowed in identifiers, so the submission was not read`,
                            },
                          ],
                        }
                      : content.length > config.MAX_DOCUMENT_BYTES
                        ? tooLargeSubmission(sourceName)
                        : undefined;
                const doc: BufferedDocument = { tenantId: ev.tenant, channel: 'kafka', format, sourceName, content, receivedAt: new Date(), parent: ev.context, refused };
                return { id, topic: ev.topic, doc, parsed: isErpFormat(format) && !refused ? undefined : await parseBuffered(doc, config.MAX_DOCUMENT_BYTES) };
              }),
          );
          const store = (items: typeof prepared) =>
            withAllTenants(db, async (trx) => {
              const fresh = await claimInbox(
                trx,
                group,
                items.map((p) => ({ eventId: p.id, topic: p.topic })),
              );
              const byTenant = new Map<string, IngestRequest[]>();
              for (const { id, doc, parsed } of items) {
                if (!fresh.has(id)) continue;
                fresh.delete(id); // a repeated key later in the same batch is a duplicate too
                if (!parsed) {
                  const result = await ingestBuffered(trx, doc, config.MAX_DOCUMENT_BYTES);
                  docs.inc({ format: doc.format, status: result.status });
                } else {
                  const reqs = byTenant.get(doc.tenantId) ?? [];
                  byTenant.set(doc.tenantId, reqs);
                  reqs.push(parsed);
                }
              }
              for (const reqs of byTenant.values()) {
                const results = await ingestDocuments(trx, reqs);
                results.forEach((r, i) => docs.inc({ format: reqs[i]!.format, status: r.status }));
              }
            });
          try {
            await store(prepared);
          } catch (e) {
            if (!isUnstorableContent(e)) throw e;
            // A submission whose content the database refuses (what no parser foresaw) is recorded
            // as a rejected batch, raw bytes and all, not retried into the dead-letter topic: each
            // submission alone, the refused ones with the database's reason.
            for (const item of prepared) {
              try {
                await store([item]);
              } catch (e2) {
                if (!isUnstorableContent(e2)) throw e2;
                const sourceName = item.parsed?.sourceName ?? storable(item.doc.sourceName);
                await withAllTenants(db, async (trx) => {
                  if ((await claimInbox(trx, group, [{ eventId: item.id, topic: item.topic }])).size === 0) return;
                  const r = await recordRefusal(trx, { ...item.doc, sourceName }, [...(item.parsed?.parsed.issues ?? []), unstorableIssue(sourceName, e2)]);
                  docs.inc({ format: item.doc.format, status: r.status });
                });
              }
            }
          }
          if (unrecordable.length)
            throw new Error(
              `submission at ${unrecordable.map((ev) => `${ev.topic}/${ev.partition}/${ev.offset}`).join(', ')}: its "tenant" header contains ${describeControlCharacter(findControlCharacter(unrecordable[0]!.tenant)!)}, so it names no tenant (tenant ids are 1-64 of [A-Za-z0-9_.-]) and cannot be recorded as a batch; fix the producer's tenant header and re-send`,
            );
        },
      });
    },
  });
}
