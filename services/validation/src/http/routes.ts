// REST adapter: a declaration's findings and checks, and the rules they come from.
import { Finding } from '@customs/contracts';
import type { Kysely } from '@customs/db';
import { HttpError, principalOf, type FastifyInstance } from '@customs/http';
import { listChecks, listFindings } from '../db/findings-repo';
import type { ValidationDb } from '../db/migrations';
import { RULES, daysLeft } from '../rules';

export function registerRoutes(http: FastifyInstance, db: Kysely<ValidationDb>): void {
  http.get<{ Params: { id: string }; Querystring: { includeSuperseded?: string } }>('/v1/declarations/:id/findings', async (req) => {
    const p = principalOf(req);
    const today = new Date().toISOString().slice(0, 10);
    const findings = await listFindings(db, p.tenantId, req.params.id, req.query.includeSuperseded === 'true');
    return { declarationId: req.params.id, findings: findings.map((f) => ({ ...(Finding.toJSON(f) as object), daysLeft: f.deadline ? daysLeft(f.deadline, today) : null })) };
  });
  http.get<{ Params: { id: string } }>('/v1/declarations/:id/checks', async (req) => {
    const p = principalOf(req);
    const rows = await listChecks(db, p.tenantId, req.params.id);
    if (rows.length === 0) throw new HttpError(404, 'not_found', `no checks for declaration ${req.params.id}`);
    return { declarationId: req.params.id, checks: rows };
  });
  http.get('/v1/rules', async () => ({ rules: RULES.map((r) => r.meta) }));
}
