// REST adapter for submissions: single documents, multipart uploads and ERP receipt lines. Each
// request is handed to the intake use cases (app/intake.ts); refusals are recorded as batches there.
import { HttpError, obj, query, requestContext, requireRole, text, type FastifyInstance } from '@customs/http';
import { isWorkbook } from '@customs/spreadsheet';
import multipart from '@fastify/multipart';
import type { Readable } from 'node:stream';
import type { IngestionConfig } from '../config';
import type { BufferedDocument } from '../app/dispatch';
import { DOCUMENT_FORMATS, canonicalFormat, isDocumentFormat, parseDocuments } from '../app/formats';
import type { IngestResult } from '../app/ingest';
import { RefusedRequest, type Intake, type RequestRefusal } from '../app/intake';
import { safeSourceName, storable } from '../app/safe-text';
import type { StreamFile, StreamIngestResult } from '../app/stream-cds';
import { drain, limitStream, once, peekFirst, prepend, readUpTo } from '../app/streams';

export function httpStatusFor(r: { status: IngestResult['status'] }): number {
  return r.status === 'rejected' ? 422 : r.status === 'duplicate' ? 200 : 201;
}

export interface SubmissionRouteDeps {
  intake: Intake;
  config: IngestionConfig;
  documents: { inc(labels: { format: string; status: string }): void };
}

// Formats are checked by the routes (an unknown one is recorded as a refused batch), not by an enum.
const format = { ...text(40), description: `${'dms-xml (default), cds-report, chief-csv, erp-csv, erp-json'}: what the document is` };
const filename = { ...text(1000), description: "the document's file name (a label; kept escaped if it has control characters)" };
const ingestResult = obj({ batchId: { type: 'string' }, status: { type: 'string', enum: ['accepted', 'partially_accepted', 'duplicate', 'rejected', 'incomplete'] } });

export async function registerSubmissionRoutes(http: FastifyInstance, { intake, config, documents }: SubmissionRouteDeps): Promise<void> {
  // A refusal is recorded as a rejected batch (app/intake.ts) and answered naming that batch.
  const refuseRequest = (tenantId: string, channel: string, format: string, sourceName: string, input: AsyncIterable<Buffer> | undefined, err: RequestRefusal): Promise<never> =>
    intake.refuseRequest(tenantId, channel, format, sourceName, input, err).catch((e: unknown) => {
      if (e instanceof RefusedRequest) throw new HttpError(e.refusal.status, e.refusal.code, e.refusal.reason, { batchId: e.batchId });
      throw e;
    });
  // REST: one document in the request body; ?format= names it (default dms-xml). Bodies
  // arrive as streams: CDS reports are parsed and committed as they arrive (any size); other
  // formats are read up to MAX_DOCUMENT_BYTES and refused beyond it.
  // Workbook types (.xlsx, .ods, .fods) are accepted like octet-stream: what a body is, is told by its
  // content below, not by the type a client chose.
  http.addContentTypeParser(
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

  // The file name is a label, not an identifier: one with a control character is stored escaped
  // with a warning (app/safe-text.ts) rather than refused at the edge, so the document is kept.
  http.post<{ Querystring: { format?: string; filename?: string }; Body: Readable }>(
    '/v1/documents',
    {
      config: { textQuery: ['filename'], documentBody: true },
      schema: {
        summary: 'Submit one document as the request body (DMS XML, CDS report CSV/.xlsx/.ods, CHIEF CSV, ERP lines)',
        tags: ['submissions'],
        querystring: query({ format, filename }),
        response: { 200: ingestResult, 201: ingestResult, 422: ingestResult },
      },
    },
    async (req, reply) => {
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
        const r = await intake.streamCds(p.tenantId, 'rest', sourceName, [{ sourceName, chunks: limited.chunks, truncated: limited.truncated }], requestContext(req));
        documents.inc({ format, status: r.status });
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
      const result = await intake.ingestOne({ tenantId: p.tenantId, channel: 'rest', format, sourceName, content: body.content, receivedAt: new Date(), parent: requestContext(req) });
      documents.inc({ format, status: result.status });
      return reply.code(httpStatusFor(result)).send(result);
    },
  );

  // Multipart upload of one or many files (a broker's day of declarations): each file is its
  // own batch; a file over the size limit is refused alone, the others still ingest. CDS
  // report files of one upload are joined into one batch: buffered (any order, tax lines
  // joined) while they fit MAX_DOCUMENT_BYTES; a bigger one switches the upload to streaming
  // (files before it are indexed, it and the files after it are streamed in chunks).
  await http.register(multipart, { throwFileSizeLimit: false, limits: { fileSize: config.MAX_STREAM_BYTES, files: 1000, fields: 10 } });
  http.post<{ Querystring: { format?: string } }>(
    '/v1/uploads',
    {
      schema: {
        summary: 'Upload one or many files as multipart/form-data (each file its own batch; CDS report files joined)',
        tags: ['submissions'],
        querystring: query({ format }),
        response: { 207: obj({ summary: obj({}), files: { type: 'array' } }), 422: obj({ summary: obj({}), files: { type: 'array' } }) },
      },
    },
    async (req, reply) => {
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
        const r = intake.ingestOne(doc).then((result) => {
          documents.inc({ format: doc.format, status: result.status });
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
          const r = await intake.streamCds(p.tenantId, 'rest-multipart', names, rest(), requestContext(req));
          cdsFiles.length = 0;
          documents.inc({ format: 'cds-report', status: r.status });
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
        const result = await intake
          .storeParsed({ tenantId: p.tenantId, channel: 'rest-multipart', format: 'cds-report', sourceName, content, parsed, receivedAt, parent: requestContext(req) })
          .catch(intake.refuseUnstorable({ tenantId: p.tenantId, channel: 'rest-multipart', format: 'cds-report', sourceName, content, receivedAt }));
        documents.inc({ format: 'cds-report', status: result.status });
        results.push(Promise.resolve({ filename: sourceName, ...result }));
      }
      if (results.length === 0) throw new HttpError(400, 'no_files', 'the multipart body has no file parts');
      const files = await Promise.all(results);
      const summary: Record<string, number> = { accepted: 0, partially_accepted: 0, duplicate: 0, rejected: 0 };
      for (const r of files) summary[r.status] = (summary[r.status] ?? 0) + 1;
      return reply.code(summary.rejected === files.length ? 422 : 207).send({ summary, files });
    },
  );

  // ERP purchase / goods-receipt lines: a JSON array in the body (or format=erp-csv /
  // erp-json on /v1/documents and /v1/uploads). The raw body is kept as the batch content,
  // so JSON that does not parse is stored (rejected, with the parser's reason) like any file.
  await http.register(async (app) => {
    app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: config.MAX_DOCUMENT_BYTES }, (_req, body, done) => done(null, body));
    app.post<{ Querystring: { filename?: string }; Body: Buffer }>(
      '/v1/erp-receipts',
      {
        config: { textQuery: ['filename'] },
        schema: {
          summary: 'ERP purchase / goods-receipt lines as a JSON array (kept as the batch content)',
          tags: ['erp'],
          querystring: query({ filename }),
          response: { 201: ingestResult, 200: ingestResult, 422: ingestResult },
        },
      },
      async (req, reply) => {
        const p = requireRole(req, 'integrator');
        if (!Buffer.isBuffer(req.body) || req.body.length === 0) throw new HttpError(400, 'empty_body', 'send a JSON array of receipt lines with Content-Type application/json');
        const sourceName = (req.query.filename ?? 'erp-receipts.json').slice(0, 200);
        const doc = { tenantId: p.tenantId, channel: 'rest', format: 'erp-json' as const, sourceName, content: req.body, receivedAt: new Date(), parent: requestContext(req) };
        const r = await intake.ingestErp(doc);
        documents.inc({ format: 'erp-json', status: r.status });
        return reply.code(httpStatusFor(r)).send(r);
      },
    );
  });
}
