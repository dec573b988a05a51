// REST adapter: Kafka submissions refused as not authentic (unsigned, unknown key, another
// tenant's key, bad signature), kept for review. Admins and auditors (permissions.ts).
import type { Kysely } from '@customs/db';
import { HttpError, idCursor, pageOf, principalOf, sendPage, type FastifyInstance } from '@customs/http';
import { listRefusedSubmissions, refusedSubmissionContent } from '../db/refused-submission-repo';
import type { IngestionDb } from '../db/migrations';

export function registerRefusedSubmissionRoutes(http: FastifyInstance, db: Kysely<IngestionDb>): void {
  http.get<{ Querystring: { limit?: number; cursor?: string } }>(
    '/v1/admin/refused-submissions',
    {
      schema: {
        summary: 'Kafka submissions refused before they named a tenant (cursor pages)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 }, cursor: { type: 'string', maxLength: 200, description: 'from the previous page’s `next` link' } },
        },
        response: { 200: pageOf('refusedSubmissions') },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      const limit = req.query.limit ?? 100;
      // Newest first; the cursor is the id of the last one given.
      const rows = await listRefusedSubmissions(db, p.tenantId, limit + 1, idCursor(req));
      return sendPage(req, reply, { key: 'refusedSubmissions', rows, limit, keyOf: (r) => [r.id] });
    },
  );
  http.get<{ Params: { id: string } }>(
    '/v1/admin/refused-submissions/:id/content',
    {
      schema: {
        summary: 'The raw bytes of a refused submission',
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,15}$' } } },
        response: { 200: { description: 'the bytes as received', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } } },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      const content = await refusedSubmissionContent(db, p.tenantId, Number(req.params.id));
      if (!content) throw new HttpError(404, 'not_found', `no refused submission ${req.params.id}`);
      return reply.header('content-type', 'application/octet-stream').send(content);
    },
  );
}
