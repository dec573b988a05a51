import { HttpError, nextLink, obj, pageOf, principalOf, query, sendCsv, wantsCsv, type CsvColumn, type FastifyInstance } from '@customs/http';
import type { Kysely } from '@customs/db';
import { listNotChecked, type NotCheckedView } from '../db/not-checked-repo';
import type { ValidationDb } from '../db/migrations';

/**
 * GET /v1/not-checked: what validation received for the caller's tenant but could not check
 * (dead-lettered or unusable events, rules that could not decide), newest first. Any
 * authenticated role of the tenant may read it, like the findings; the tenant is the token's.
 * Query: limit (1–1000, default 100), cursor (from the previous page's `next` link; `before`, the
 * id of its last entry, is the same), declarationId. Accept: text/csv downloads the page.
 */
// limit and the cursor stay text here: the handlers check them and name the parameter in their own
// code (invalid_parameter), which clients of this route already read.
const listParams = query({
  limit: { type: 'string', maxLength: 20, description: 'a whole number from 1 to 1000 (default 100)' },
  cursor: { type: 'string', maxLength: 20, description: 'from the previous page’s `next` link' },
  before: { type: 'string', maxLength: 20, description: 'the id of the last entry of the previous page (same as cursor)' },
  declarationId: { type: 'string', maxLength: 200 },
});
const CSV_COLUMNS: CsvColumn<NotCheckedView>[] = [
  { header: 'id', value: (r) => r.id },
  { header: 'recorded_at', value: (r) => r.recordedAt },
  { header: 'declaration_id', value: (r) => r.declarationId },
  { header: 'declaration_version', value: (r) => r.declarationVersion },
  { header: 'mrn', value: (r) => r.mrn },
  { header: 'lrn', value: (r) => r.lrn },
  { header: 'rule_id', value: (r) => r.ruleId },
  { header: 'item_number', value: (r) => r.itemNumber },
  { header: 'cause', value: (r) => r.cause },
  { header: 'reason', value: (r) => r.reason },
];
export function registerNotCheckedRoutes(http: FastifyInstance, db: Kysely<ValidationDb>): void {
  http.get<{ Querystring: { limit?: string; cursor?: string; before?: string; declarationId?: string } }>(
    '/v1/not-checked',
    {
      schema: {
        summary: 'What validation received but could not check, newest first (cursor pages; CSV with Accept: text/csv)',
        tags: ['not-checked'],
        querystring: listParams,
        response: { 200: pageOf('notChecked') },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      const { limit: rawLimit, declarationId } = req.query;
      const before = req.query.cursor ?? req.query.before;
      const limit = rawLimit === undefined ? 100 : Number(rawLimit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
        throw new HttpError(400, 'invalid_parameter', `query parameter "limit" must be a whole number from 1 to 1000 (got "${rawLimit}")`, { in: 'query', parameter: 'limit' });
      if (before !== undefined && !/^[1-9]\d{0,18}$/.test(before))
        throw new HttpError(400, 'invalid_parameter', `query parameter "before" must be an id from a previous page (got "${before}")`, { in: 'query', parameter: 'before' });
      const notChecked = await listNotChecked(db, p.tenantId, { limit, beforeId: before, declarationId: declarationId || undefined });
      const nextBefore = notChecked.length === limit ? notChecked.at(-1)!.id : null;
      if (wantsCsv(req)) return sendCsv(reply, 'not-checked.csv', CSV_COLUMNS, notChecked, nextBefore);
      const next = nextLink(req, nextBefore);
      if (next) reply.header('link', `<${next}>; rel="next"`);
      return { notChecked, nextBefore, next, nextCursor: nextBefore };
    },
  );

  // One declaration's "not checked, because …" records (rules that could not decide, per item,
  // and events that could not be checked), beside GET /v1/declarations/:id/findings.
  http.get<{ Params: { id: string }; Querystring: { limit?: string } }>(
    '/v1/declarations/:id/not-checked',
    {
      schema: {
        summary: 'One declaration’s “not checked, because …” records',
        tags: ['not-checked'],
        params: { type: 'object', properties: { id: { type: 'string', maxLength: 1000 } }, required: ['id'] },
        querystring: query({ limit: { type: 'string', maxLength: 20 } }),
        response: { 200: obj({ declarationId: { type: 'string' }, notChecked: { type: 'array' } }) },
      },
    },
    async (req) => {
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
    },
  );
}
