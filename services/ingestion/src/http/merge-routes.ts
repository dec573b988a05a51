// REST adapter: a user merges two declarations that are one (a declaration first sent under a
// mistyped MRN, then under the corrected one, would otherwise count twice). Who may is the
// permission matrix's (records:correct); the audit trail records who did it (@customs/service).
import { withTenant, type Kysely } from '@customs/db';
import { HttpError, obj, principalOf, requestContext, type FastifyInstance } from '@customs/http';
import { mergeDuplicates } from '../app/ingest';
import type { IngestionDb } from '../db/migrations';

const ID = { type: 'string', minLength: 1, maxLength: 200 } as const;

export function registerMergeRoutes(http: FastifyInstance, db: Kysely<IngestionDb>): void {
  http.post<{ Params: { id: string }; Body: { duplicate: string; reason: string } }>(
    '/v1/declarations/:id/merge',
    {
      schema: {
        summary: 'Merge a declaration into this one (they are the same declaration under two keys)',
        params: { type: 'object', required: ['id'], properties: { id: ID } },
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['duplicate', 'reason'],
          properties: { duplicate: ID, reason: { type: 'string', minLength: 1, maxLength: 500, pattern: '\\S' } },
        },
        response: {
          200: obj({
            ok: { type: 'boolean' },
            batchId: { type: 'string' },
            survivor: obj({ declarationId: { type: 'string' }, version: { type: 'integer' }, mrn: { type: 'string' } }),
            mergedAway: obj({ declarationId: { type: 'string' }, version: { type: 'integer' } }),
            note: { type: 'string' },
          }),
        },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const r = await withTenant(db, p.tenantId, (trx) =>
        mergeDuplicates(trx, {
          tenantId: p.tenantId,
          survivorId: req.params.id,
          duplicateId: req.body.duplicate,
          reason: req.body.reason.trim(),
          subject: p.subject,
          receivedAt: new Date(),
          parent: requestContext(req),
        }),
      );
      if (!r.ok) throw new HttpError(r.status, r.code, r.reason);
      return r;
    },
  );
}
