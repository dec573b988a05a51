import { HttpError, principalOf, type FastifyInstance } from '@customs/http';
import type { Kysely } from '@customs/db';
import { listNotChecked } from '../db/not-checked-repo';
import type { ValidationDb } from '../db/migrations';

/**
 * GET /v1/not-checked: what validation received for the caller's tenant but could not check
 * (dead-lettered or unusable events, rules that could not decide), newest first. Any
 * authenticated role of the tenant may read it, like the findings; the tenant is the token's.
 * Query: limit (1–1000, default 100), before (an id from the previous page), declarationId.
 */
export function registerNotCheckedRoutes(http: FastifyInstance, db: Kysely<ValidationDb>): void {
  http.get<{ Querystring: { limit?: string; before?: string; declarationId?: string } }>('/v1/not-checked', async (req) => {
    const p = principalOf(req);
    const { limit: rawLimit, before, declarationId } = req.query;
    const limit = rawLimit === undefined ? 100 : Number(rawLimit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
      throw new HttpError(400, 'invalid_parameter', `query parameter "limit" must be a whole number from 1 to 1000 (got "${rawLimit}")`, { in: 'query', parameter: 'limit' });
    if (before !== undefined && !/^[1-9]\d{0,18}$/.test(before))
      throw new HttpError(400, 'invalid_parameter', `query parameter "before" must be an id from a previous page (got "${before}")`, { in: 'query', parameter: 'before' });
    const notChecked = await listNotChecked(db, p.tenantId, { limit, beforeId: before, declarationId: declarationId || undefined });
    return { notChecked, nextBefore: notChecked.length === limit ? notChecked.at(-1)!.id : null };
  });

  // One declaration's "not checked, because …" records (rules that could not decide, per item,
  // and events that could not be checked), beside GET /v1/declarations/:id/findings.
  http.get<{ Params: { id: string }; Querystring: { limit?: string } }>('/v1/declarations/:id/not-checked', async (req) => {
    const p = principalOf(req);
    const { id } = req.params;
    if (!id || id.length > 200 || /[\u0000-\u001f]/.test(id))
      throw new HttpError(400, 'invalid_parameter', 'path parameter "id" must be a declaration id (1–200 characters, no control characters)', { in: 'path', parameter: 'id' });
    const rawLimit = req.query.limit;
    const limit = rawLimit === undefined ? 1000 : Number(rawLimit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
      throw new HttpError(400, 'invalid_parameter', `query parameter "limit" must be a whole number from 1 to 1000 (got "${rawLimit}")`, { in: 'query', parameter: 'limit' });
    const notChecked = await listNotChecked(db, p.tenantId, { limit, declarationId: id });
    return { declarationId: id, notChecked };
  });
}
