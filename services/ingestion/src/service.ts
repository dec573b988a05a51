import { Declaration, IngestionServiceService, Topics, type GetDeclarationRequest, type GetDeclarationResponse, type Submission } from '@customs/contracts';
import { GrpcError, status, type CallContext } from '@customs/grpc';
import { HttpError, principalOf, requestContext, requireRole } from '@customs/http';
import { claimInbox, withAllTenants, withTenant } from '@customs/db';
import multipart from '@fastify/multipart';
import { startPlatformService, type RunningService } from '@customs/service';
import { ingestDocument, type IngestResult } from './app/ingest';
import { DOCUMENT_FORMATS, isDocumentFormat, parseDocument, parseDocuments } from './app/formats';
import { migrations, type IngestionDb } from './db/migrations';
import type { IngestionConfig } from './config';

const GROUP = 'ingestion';

function httpStatusFor(r: IngestResult): number {
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

      // REST: one document in the request body; ?format= names it (default dms-xml).
      kit.http.addContentTypeParser(['application/xml', 'text/xml', 'application/octet-stream', 'text/csv'], { parseAs: 'buffer', bodyLimit: config.MAX_DOCUMENT_BYTES }, (_req, body, done) => done(null, body));
      kit.http.post<{ Querystring: { format?: string; filename?: string }; Body: Buffer }>('/v1/documents', async (req, reply) => {
        const p = requireRole(req, 'integrator');
        const format = req.query.format ?? 'dms-xml';
        if (!isDocumentFormat(format)) throw new HttpError(400, 'unsupported_format', `format must be one of ${DOCUMENT_FORMATS.join(', ')}`);
        if (!Buffer.isBuffer(req.body) || req.body.length === 0) throw new HttpError(400, 'empty_body', 'send the document as the request body with Content-Type application/xml');
        const sourceName = (req.query.filename ?? 'upload').slice(0, 200);
        const parsed = await parseDocument(format, req.body, sourceName, config.MAX_DOCUMENT_BYTES);
        const result = await withTenant(db, p.tenantId, (trx) => ingestDocument(trx, { tenantId: p.tenantId, channel: 'rest', format, sourceName, content: req.body, parsed, receivedAt: new Date(), parent: requestContext(req) }));
        docs.inc({ format, status: result.status });
        return reply.code(httpStatusFor(result)).send(result);
      });

      // Multipart upload of one or many files (a broker's day of declarations): each file is its
      // own batch; a file over the size limit is refused alone, the others still ingest.
      // throwFileSizeLimit off: an oversized part is cut and flagged (file.truncated), so one bad
      // file does not abort the rest of the upload.
      await kit.http.register(multipart, { throwFileSizeLimit: false, limits: { fileSize: config.MAX_DOCUMENT_BYTES, files: 1000, fields: 10 } });
      kit.http.post<{ Querystring: { format?: string } }>('/v1/uploads', async (req, reply) => {
        const p = requireRole(req, 'integrator');
        if (!req.isMultipart()) throw new HttpError(415, 'not_multipart', 'send multipart/form-data with one or more file parts');
        const results: (IngestResult & { filename: string })[] = [];
        let format = req.query.format ?? 'dms-xml';
        const cdsFiles: { sourceName: string; content: Buffer }[] = [];
        const tooLarge = (sourceName: string) => ({ declarations: [], changes: [], issues: [{ severity: 'error' as const, sourceName, location: '(file)', field: '(size)', code: 'TOO_LARGE', reason: `file exceeds the ${config.MAX_DOCUMENT_BYTES}-byte limit per document` }] });
        for await (const part of req.parts()) {
          if (part.type === 'field') {
            if (part.fieldname === 'format') format = String(part.value);
            continue;
          }
          if (!isDocumentFormat(format)) throw new HttpError(400, 'unsupported_format', `format must be one of ${DOCUMENT_FORMATS.join(', ')}`);
          const sourceName = (part.filename || part.fieldname || 'upload').slice(0, 200);
          let content = await part.toBuffer();
          const truncated = part.file.truncated;
          // Keep a record of a refusal, without the bytes we refused to read.
          if (truncated) content = Buffer.alloc(0);
          if (format === 'cds-report' && !truncated) {
            cdsFiles.push({ sourceName, content }); // header, item and tax-line reports are joined below
            continue;
          }
          const parsed = truncated ? tooLarge(sourceName) : await parseDocument(format, content, sourceName, config.MAX_DOCUMENT_BYTES);
          const result = await withTenant(db, p.tenantId, (trx) => ingestDocument(trx, { tenantId: p.tenantId, channel: 'rest-multipart', format, sourceName, content, parsed, receivedAt: new Date(), parent: requestContext(req) }));
          docs.inc({ format, status: result.status });
          results.push({ filename: sourceName, ...result });
        }
        if (cdsFiles.length) {
          const sourceName = cdsFiles.map((f) => f.sourceName).join(' + ').slice(0, 200);
          const parsed = await parseDocuments('cds-report', cdsFiles, config.MAX_DOCUMENT_BYTES);
          // One batch for the joined reports; its raw content keeps every file, named.
          const content = Buffer.concat(cdsFiles.flatMap((f) => [Buffer.from(`--- ${f.sourceName} ---\n`), f.content, Buffer.from('\n')]));
          const result = await withTenant(db, p.tenantId, (trx) => ingestDocument(trx, { tenantId: p.tenantId, channel: 'rest-multipart', format: 'cds-report', sourceName, content, parsed, receivedAt: new Date(), parent: requestContext(req) }));
          docs.inc({ format: 'cds-report', status: result.status });
          results.push({ filename: sourceName, ...result });
        }
        if (results.length === 0) throw new HttpError(400, 'no_files', 'the multipart body has no file parts');
        const summary: Record<string, number> = { accepted: 0, partially_accepted: 0, duplicate: 0, rejected: 0 };
        for (const r of results) summary[r.status] = (summary[r.status] ?? 0) + 1;
        return reply.code(summary.rejected === results.length ? 422 : 207).send({ summary, files: results });
      });

      kit.http.get<{ Params: { id: string } }>('/v1/batches/:id', async (req) => {
        const p = principalOf(req);
        return withTenant(db, p.tenantId, async (trx) => {
          const b = await trx.selectFrom('batches').select(['batch_id', 'channel', 'format', 'source_name', 'content_sha256', 'size_bytes', 'status', 'declarations_accepted', 'declarations_duplicate', 'declarations_rejected', 'issue_count', 'received_at', 'completed_at']).where('tenant_id', '=', p.tenantId).where('batch_id', '=', req.params.id).executeTakeFirst();
          if (!b) throw new HttpError(404, 'not_found', `no batch ${req.params.id}`);
          const issues = await trx.selectFrom('batch_issues').select(['severity', 'source_name', 'line', 'column_number', 'location', 'field', 'code', 'reason']).where('batch_id', '=', b.batch_id).orderBy('id').limit(1000).execute();
          const declarations = await trx.selectFrom('declarations').select(['declaration_id', 'version', 'lrn', 'mrn', 'item_count', 'acceptance_date']).where('tenant_id', '=', p.tenantId).where('batch_id', '=', b.batch_id).execute();
          return { batch: b, declarations, issues };
        });
      });
      kit.http.get<{ Querystring: { limit?: string } }>('/v1/batches', async (req) => {
        const p = principalOf(req);
        const limit = Math.min(Math.max(Number(req.query.limit ?? 50) || 50, 1), 500);
        const rows = await withTenant(db, p.tenantId, (trx) => trx.selectFrom('batches').select(['batch_id', 'format', 'source_name', 'status', 'declarations_accepted', 'declarations_duplicate', 'issue_count', 'received_at']).where('tenant_id', '=', p.tenantId).orderBy('received_at', 'desc').limit(limit).execute());
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
      // History: every version stays readable (?version=N above); this lists them, newest last,
      // with how each came about (original, resubmission, amendment, invalidation).
      kit.http.get<{ Params: { id: string } }>('/v1/declarations/:id/versions', async (req) => {
        const p = principalOf(req);
        const rows = await withTenant(db, p.tenantId, (trx) => trx.selectFrom('declarations').select(['version', 'lrn', 'mrn', 'function_code', 'status', 'change_kind', 'item_count', 'acceptance_date', 'content_sha256', 'batch_id', 'received_at']).where('tenant_id', '=', p.tenantId).where('declaration_id', '=', req.params.id).orderBy('version').execute());
        if (rows.length === 0) throw new HttpError(404, 'not_found', `no declaration ${req.params.id}`);
        const changes = await withTenant(db, p.tenantId, (trx) => trx.selectFrom('declaration_changes').select(['kind', 'mrn', 'lrn', 'applied_version', 'batch_id', 'received_at']).where('tenant_id', '=', p.tenantId).where('target_declaration_id', '=', req.params.id).orderBy('id').execute());
        return { declarationId: req.params.id, versions: rows, changes };
      });
      kit.grpc.addService(IngestionServiceService as never, {
        getDeclaration: async (req: GetDeclarationRequest, call: CallContext): Promise<GetDeclarationResponse> => {
          const d = await getDeclaration(call.principal.tenantId, req.declarationId, req.version);
          if (!d) throw new GrpcError(status.NOT_FOUND, `no declaration ${req.declarationId}`);
          return { declaration: d };
        },
      });

      // Kafka channel for API producers: each submission is one document, idempotent by its key.
      kit.consume<Submission>({
        groupId: GROUP,
        topic: Topics.submission,
        handle: async (events) => {
          // Claim and ingest in one transaction: a crash in between loses nothing.
          await withAllTenants(db, async (trx) => {
          const fresh = await claimInbox(trx, GROUP, events.map((e) => ({ eventId: e.value.idempotencyKey ? `submission/${e.tenant}/${e.value.idempotencyKey}` : e.eventId, topic: e.topic })));
          for (const ev of events) {
            const id = ev.value.idempotencyKey ? `submission/${ev.tenant}/${ev.value.idempotencyKey}` : ev.eventId;
            if (!fresh.has(id)) continue;
            const format = ev.value.format;
            const content = Buffer.from(ev.value.content);
            const sourceName = `kafka:${ev.topic}/${ev.partition}/${ev.offset}:${ev.value.filename || 'submission'}`;
            const parsed = isDocumentFormat(format)
              ? await parseDocument(format, content, sourceName, config.MAX_DOCUMENT_BYTES)
              : { declarations: [], changes: [], issues: [{ severity: 'error' as const, sourceName, location: 'submission', field: 'format', code: 'UNSUPPORTED_FORMAT', reason: `format "${format}" is not one of ${DOCUMENT_FORMATS.join(', ')}` }] };
            const result = await ingestDocument(trx, { tenantId: ev.tenant, channel: 'kafka', format: format || 'unknown', sourceName, content, parsed, receivedAt: new Date(), parent: ev.context });
            fresh.delete(id); // a repeated key later in the same batch is a duplicate too
            docs.inc({ format, status: result.status });
          }
          });
        },
      });
    },
  });
}
