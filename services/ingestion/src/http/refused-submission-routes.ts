// REST adapter: Kafka submissions refused as not authentic (unsigned, unknown key, another
// tenant's key, bad signature), kept for review. Admins and auditors (permissions.ts).
import type { Kysely } from '@customs/db';
import { HttpError, principalOf, type FastifyInstance } from '@customs/http';
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
          properties: { limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 }, cursor: { type: 'string', pattern: '^[1-9][0-9]{0,15}$' } },
        },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const limit = req.query.limit ?? 100;
      const rows = await listRefusedSubmissions(db, p.tenantId, limit, req.query.cursor ? Number(req.query.cursor) : undefined);
      return { refusedSubmissions: rows, nextCursor: rows.length === limit ? rows[rows.length - 1]!.id : null };
    },
  );
  http.get<{ Params: { id: string } }>(
    '/v1/admin/refused-submissions/:id/content',
    { schema: { summary: 'The raw bytes of a refused submission', params: { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,15}$' } } } } },
    async (req, reply) => {
      const p = principalOf(req);
      const content = await refusedSubmissionContent(db, p.tenantId, Number(req.params.id));
      if (!content) throw new HttpError(404, 'not_found', `no refused submission ${req.params.id}`);
      return reply.header('content-type', 'application/octet-stream').send(content);
    },
  );
}
