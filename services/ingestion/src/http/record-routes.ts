// REST adapter for reading the record: batches (with their raw bytes), declarations and their
// versions, ERP receipts and the reconciliation of both. All SQL is in db/.
import { Declaration } from '@customs/contracts';
import { HttpError, principalOf, requireImporterVisible, type FastifyInstance } from '@customs/http';
import { Readable } from 'node:stream';
import { receiptJson } from '../app/erp';
import type { BatchRepo } from '../db/batch-repo';
import type { DeclarationRepo } from '../db/declaration-repo';

export function registerRecordRoutes(http: FastifyInstance, { batches, declarations }: { batches: BatchRepo; declarations: DeclarationRepo }): void {
  http.get<{ Params: { id: string } }>('/v1/batches/:id', async (req) => {
    const p = principalOf(req);
    const found = await batches.get(p.tenantId, req.params.id);
    if (!found) throw new HttpError(404, 'not_found', `no batch ${req.params.id}`);
    return found;
  });
  // The raw bytes of a batch, exactly as they were received (every refused document is kept for
  // review). A streamed report's bytes are its chunks in order, read one at a time so that a
  // 1 GB batch is never held in memory; a streamed upload of several files has a
  // "--- name ---" line before each file's bytes, like the joined multipart reports.
  http.get<{ Params: { id: string } }>('/v1/batches/:id/content', async (req, reply) => {
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
  });
  http.get<{ Querystring: { limit?: string } }>('/v1/batches', async (req) => {
    const p = principalOf(req);
    const limit = Math.min(Math.max(Number(req.query.limit ?? 50) || 50, 1), 500);
    return { batches: await batches.list(p.tenantId, limit) };
  });

  http.get<{ Params: { id: string }; Querystring: { version?: string } }>('/v1/declarations/:id', async (req) => {
    const p = principalOf(req);
    const d = await declarations.get(p.tenantId, req.params.id, Number(req.query.version ?? 0) || 0);
    if (!d) throw new HttpError(404, 'not_found', `no declaration ${req.params.id}`);
    requireImporterVisible(p, d.importerEori, `no declaration ${req.params.id}`);
    return Declaration.toJSON(d);
  });
  http.get<{ Querystring: { limit?: string; supplier?: string; invoice?: string; mrn?: string } }>('/v1/erp-receipts', async (req) => {
    const p = principalOf(req);
    const limit = Math.min(Math.max(Number(req.query.limit ?? 100) || 100, 1), 1000);
    const rows = await declarations.receipts(p.tenantId, req.query, limit);
    return { receipts: rows.map(receiptJson) };
  });
  // Reconciliation (the data of rule C03): declarations whose N935 invoice references match
  // no ERP receipt, and ERP receipts matching no declaration.
  http.get<{ Querystring: { limit?: string } }>('/v1/reconciliation', async (req) => {
    const p = principalOf(req);
    const limit = Math.min(Math.max(Number(req.query.limit ?? 500) || 500, 1), 5000);
    const r = await declarations.reconciliation(p.tenantId, limit);
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
  });
  // History: every version stays readable (?version=N above); this lists them, newest last,
  // with how each came about (original, resubmission, amendment, invalidation).
  http.get<{ Params: { id: string } }>('/v1/declarations/:id/versions', async (req) => {
    const p = principalOf(req);
    const { versions, changes } = await declarations.versions(p.tenantId, req.params.id);
    if (versions.length === 0) throw new HttpError(404, 'not_found', `no declaration ${req.params.id}`);
    // A broker: only when the declaration (as it now stands) is one of its importers'.
    if (p.importers) requireImporterVisible(p, (await declarations.get(p.tenantId, req.params.id, 0))?.importerEori, `no declaration ${req.params.id}`);
    return { declarationId: req.params.id, versions, changes };
  });
}
