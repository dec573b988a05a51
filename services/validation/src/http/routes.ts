// REST adapter: a declaration's findings and checks, and the rules they come from.
import { Finding } from '@customs/contracts';
import type { Kysely } from '@customs/db';
import { HttpError, booleanText, idParams, obj, principalOf, query, requireImporterVisible, type FastifyInstance } from '@customs/http';
import { importerOfCheckedDeclaration } from '../db/checked-declaration-repo';
import { listChecks, listFindings } from '../db/findings-repo';
import type { ValidationDb } from '../db/migrations';
import { RULES, daysLeft } from '../rules';

export function registerRoutes(http: FastifyInstance, db: Kysely<ValidationDb>): void {
  http.get<{ Params: { id: string }; Querystring: { includeSuperseded?: string } }>(
    '/v1/declarations/:id/findings',
    {
      schema: {
        summary: 'A declaration’s findings (active; superseded too with includeSuperseded=true), with days left to act',
        tags: ['findings'],
        params: idParams,
        querystring: query({ includeSuperseded: booleanText }),
        response: { 200: obj({ declarationId: { type: 'string' }, findings: { type: 'array' } }) },
      },
    },
    async (req) => {
      const p = principalOf(req);
      if (p.importers) requireImporterVisible(p, await importerOfCheckedDeclaration(db, p.tenantId, req.params.id), `no declaration ${req.params.id}`);
      const today = new Date().toISOString().slice(0, 10);
      const findings = await listFindings(db, p.tenantId, req.params.id, req.query.includeSuperseded === 'true');
      return { declarationId: req.params.id, findings: findings.map((f) => ({ ...(Finding.toJSON(f) as object), daysLeft: f.deadline ? daysLeft(f.deadline, today) : null })) };
    },
  );
  http.get<{ Params: { id: string } }>(
    '/v1/declarations/:id/checks',
    {
      schema: {
        summary: 'Every check of a declaration, one per version',
        tags: ['findings'],
        params: idParams,
        response: { 200: obj({ declarationId: { type: 'string' }, checks: { type: 'array' } }) },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const rows = await listChecks(db, p.tenantId, req.params.id);
      if (rows.length === 0) throw new HttpError(404, 'not_found', `no checks for declaration ${req.params.id}`);
      return { declarationId: req.params.id, checks: rows };
    },
  );
  http.get('/v1/rules', { schema: { summary: 'The validation rules and their metadata', tags: ['rules'], response: { 200: obj({ rules: { type: 'array' } }) } } }, async () => ({
    rules: RULES.map((r) => r.meta),
  }));
}
