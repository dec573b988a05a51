// REST adapter for reading the record: batches (with their raw bytes), declarations and their
// versions, ERP receipts and the reconciliation of both. All SQL is in db/.
import { Declaration } from '@customs/contracts';
import {
  HttpError,
  decodeCursor,
  idParams,
  limit,
  listQuery,
  nextLink,
  obj,
  page,
  pageOf,
  principalOf,
  query,
  requireImporterVisible,
  sendCsv,
  text,
  wantsCsv,
  type FastifyInstance,
} from '@customs/http';
import { Readable } from 'node:stream';
import { receiptJson } from '../app/erp';
import type { BatchRepo } from '../db/batch-repo';
import type { DeclarationRepo } from '../db/declaration-repo';

const batchesTag = { tags: ['batches'] };
const badCursor = () => new HttpError(400, 'invalid_cursor', 'query parameter "cursor" is not one this API returned (pass the `next` link back unchanged)', { in: 'query', parameter: 'cursor' });
const iso = (v: Date | string) => (v instanceof Date ? v.toISOString() : new Date(v).toISOString());

export function registerRecordRoutes(http: FastifyInstance, { batches, declarations }: { batches: BatchRepo; declarations: DeclarationRepo }): void {
  http.get<{ Params: { id: string } }>(
    '/v1/batches/:id',
    {
      schema: {
        summary: 'One batch: its status, issues and declarations',
        ...batchesTag,
        params: idParams,
        response: { 200: obj({ batch: obj({}), declarations: { type: 'array' }, issues: { type: 'array' } }) },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const found = await batches.get(p.tenantId, req.params.id);
      if (!found) throw new HttpError(404, 'not_found', `no batch ${req.params.id}`);
      return found;
    },
  );
  // The raw bytes of a batch, exactly as they were received (every refused document is kept for
  // review). A streamed report's bytes are its chunks in order, read one at a time so that a
  // 1 GB batch is never held in memory; a streamed upload of several files has a
  // "--- name ---" line before each file's bytes, like the joined multipart reports.
  http.get<{ Params: { id: string } }>(
    '/v1/batches/:id/content',
    {
      schema: {
        summary: 'The raw bytes of a batch, exactly as received',
        ...batchesTag,
        params: idParams,
        response: { 200: { description: 'the bytes', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } } },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      const found = await batches.contentIndex(p.tenantId, req.params.id);
      if (!found) throw new HttpError(404, 'not_found', `no batch ${req.params.id}`);
      const named = new Set(found.chunks.map((c) => c.source_name)).size > 1;
      async function* content(): AsyncGenerator<Buffer> {
        if (found!.raw.length) yield found!.raw;
        let file: string | undefined;
        for (const c of found!.chunks) {
          if (named && c.source_name !== file) yield Buffer.from(`${file === undefined ? '' : '\n'}--- ${c.source_name} ---\n`);
          file = c.source_name;
          const bytes = await batches.chunk(p.tenantId, req.params.id, c.seq);
          if (bytes) yield bytes;
        }
      }
      return reply.header('content-type', 'application/octet-stream').send(Readable.from(content()));
    },
  );
  // Newest first, in cursor pages; Accept: text/csv downloads the page as CSV (an auditor's list).
  http.get<{ Querystring: { limit: number; cursor?: string } }>(
    '/v1/batches',
    { schema: { summary: 'Batches (every submission, refused ones too), newest first', ...batchesTag, querystring: listQuery(500, 50), response: { 200: pageOf('batches') } } },
    async (req, reply) => {
      const p = principalOf(req);
      const after = decodeCursor(req.query.cursor, 2);
      if (req.query.cursor !== undefined && !after) throw badCursor();
      const rows = await batches.list(p.tenantId, req.query.limit + 1, after && { receivedAt: String(after[0]), batchId: String(after[1]) });
      const { items, nextCursor } = page(rows, req.query.limit, (b) => [iso(b.received_at), b.batch_id]);
      if (wantsCsv(req))
        return sendCsv(
          reply,
          'batches.csv',
          [
            { header: 'batch_id', value: (b) => b.batch_id },
            { header: 'received_at', value: (b) => iso(b.received_at) },
            { header: 'format', value: (b) => b.format },
            { header: 'source_name', value: (b) => b.source_name },
            { header: 'status', value: (b) => b.status },
            { header: 'declarations_accepted', value: (b) => b.declarations_accepted },
            { header: 'declarations_duplicate', value: (b) => b.declarations_duplicate },
            { header: 'issue_count', value: (b) => b.issue_count },
          ],
          items,
          nextCursor,
        );
      const next = nextLink(req, nextCursor);
      if (next) reply.header('link', `<${next}>; rel="next"`);
      return { batches: items, next, nextCursor };
    },
  );

  http.get<{ Params: { id: string }; Querystring: { version: number } }>(
    '/v1/declarations/:id',
    {
      schema: {
        summary: 'One declaration (canonical JSON): its latest version, or ?version=N',
        tags: ['declarations'],
        params: idParams,
        querystring: query({ version: { type: 'integer', minimum: 0, maximum: 2147483647, default: 0, description: '0 or absent: the latest' } }),
        response: { 200: obj({ declarationId: { type: 'string' }, version: { type: 'integer' } }) },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const d = await declarations.get(p.tenantId, req.params.id, req.query.version);
      if (!d) throw new HttpError(404, 'not_found', `no declaration ${req.params.id}`);
      requireImporterVisible(p, d.importerEori, `no declaration ${req.params.id}`);
      return Declaration.toJSON(d);
    },
  );
  http.get<{ Querystring: { limit: number; cursor?: string; supplier?: string; invoice?: string; mrn?: string } }>(
    '/v1/erp-receipts',
    {
      schema: {
        summary: 'ERP receipt lines, by supplier, invoice and line (cursor pages; CSV with Accept: text/csv)',
        tags: ['erp'],
        querystring: listQuery(1000, 100, { supplier: text(200), invoice: text(200), mrn: text(18) }),
        response: { 200: pageOf('receipts') },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      const after = decodeCursor(req.query.cursor, 3);
      if (req.query.cursor !== undefined && !after) throw badCursor();
      const rows = await declarations.receipts(p.tenantId, req.query, req.query.limit + 1, after && { supplier: String(after[0]), invoiceKey: String(after[1]), lineNumber: Number(after[2]) });
      const { items, nextCursor } = page(rows, req.query.limit, (r) => [r.supplier, r.invoice_key, r.line_number]);
      if (wantsCsv(req))
        return sendCsv(
          reply,
          'erp-receipts.csv',
          [
            { header: 'receipt_id', value: (r) => r.receipt_id },
            { header: 'supplier', value: (r) => r.supplier },
            { header: 'invoice_number', value: (r) => r.invoice_number },
            { header: 'invoice_date', value: (r) => r.invoice_date },
            { header: 'line_number', value: (r) => r.line_number },
            { header: 'sku', value: (r) => r.sku },
            { header: 'description', value: (r) => r.description },
            { header: 'quantity', value: (r) => String(r.quantity) },
            { header: 'unit', value: (r) => r.unit },
            { header: 'line_value', value: (r) => String(r.line_value) },
            { header: 'currency', value: (r) => r.currency },
            { header: 'mrn', value: (r) => r.mrn },
          ],
          items,
          nextCursor,
        );
      const next = nextLink(req, nextCursor);
      if (next) reply.header('link', `<${next}>; rel="next"`);
      return { receipts: items.map(receiptJson), next, nextCursor };
    },
  );
  // Reconciliation (the data of rule C03): declarations whose N935 invoice references match
  // no ERP receipt, and ERP receipts matching no declaration.
  http.get<{ Querystring: { limit: number } }>(
    '/v1/reconciliation',
    {
      schema: {
        summary: 'Declarations without an ERP receipt and receipts without a declaration (up to limit of each)',
        tags: ['erp'],
        querystring: query({ limit: limit(5000, 500) }),
        response: { 200: obj({ declarationsWithoutReceipt: { type: 'array' }, receiptsWithoutDeclaration: { type: 'array' } }) },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const r = await declarations.reconciliation(p.tenantId, req.query.limit);
      return {
        declarationsWithoutReceipt: r.declarations.map((d) => ({
          declarationId: d.declaration_id,
          version: d.version,
          mrn: d.mrn,
          lrn: d.lrn,
          acceptanceDate: d.acceptance_date,
          invoiceReferences: d.invoice_references,
        })),
        receiptsWithoutDeclaration: r.receipts.map(receiptJson),
      };
    },
  );
  // History: every version stays readable (?version=N above); this lists them, newest last,
  // with how each came about (original, resubmission, amendment, invalidation).
  http.get<{ Params: { id: string } }>(
    '/v1/declarations/:id/versions',
    {
      schema: {
        summary: 'Every version of a declaration and the changes that made them',
        tags: ['declarations'],
        params: idParams,
        response: { 200: obj({ declarationId: { type: 'string' }, versions: { type: 'array' }, changes: { type: 'array' } }) },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const { versions, changes } = await declarations.versions(p.tenantId, req.params.id);
      if (versions.length === 0) throw new HttpError(404, 'not_found', `no declaration ${req.params.id}`);
      // A broker: only when the declaration (as it now stands) is one of its importers'.
      if (p.importers) requireImporterVisible(p, (await declarations.get(p.tenantId, req.params.id, 0))?.importerEori, `no declaration ${req.params.id}`);
      return { declarationId: req.params.id, versions, changes };
    },
  );
}
