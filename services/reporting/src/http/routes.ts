// REST adapter of reporting: JSON schemas on every route (fastify answers a bad parameter with a
// 400 naming it), every call authenticated, tenant-scoped and role-checked.
import { HttpError, createdCursor, downloadOf, listQuery, obj, openObject as open, pageOf, principalOf, sendPage, type FastifyInstance, type FastifyRequest } from '@customs/http';
import { DraftError, type Drafts } from '../app/drafts';
import type { Clock, DraftStore } from '../app/ports';
import { UpstreamError } from '../clients/findings-feed';
import { csvCell, scheduledClaimCsv, type C2001Draft, type C285Draft } from '../policies/drafts';
import { c2001Html, c285Html } from '../render/draft-html';

const ID = { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,100}$' } as const;
const DATE = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } as const;
const EORI = { type: 'string', pattern: '^[A-Z]{2}[A-Z0-9]{1,15}$' } as const;
const idParams = { type: 'object', required: ['id'], properties: { id: ID } } as const;
// Response bodies: open objects documented by their main keys (fastify's serialiser keeps every
// field of an open object); downloads by their media type.
const openList = { type: 'array', items: open } as const;
const oneDraft = obj({ draft: open });
const settingsBody = obj({ settings: open });

/** The caller's bearer token, forwarded to the upstream APIs so they scope the read to its tenant. */
function bearerOf(req: FastifyRequest): string {
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (!m?.[1]) throw new HttpError(401, 'unauthenticated', 'authentication required');
  return m[1];
}

function mapError(e: unknown): never {
  if (e instanceof DraftError) throw new HttpError(e.code === 'not_found' ? 404 : 409, e.code, e.message);
  if (e instanceof UpstreamError) throw new HttpError(502, 'upstream_failed', e.message);
  throw e;
}

export function worksheetCsv(c: C285Draft): string {
  const head = [
    'Claim',
    'Basis of claim',
    'MRN',
    'Item',
    'Rule',
    'Code declared',
    'Code correct',
    'Customs value',
    'Rate declared',
    'Rate correct',
    'Duty difference (GBP)',
    'VAT difference (GBP)',
    'Finding id',
  ];
  const gbp = (p: number) => (p / 100).toFixed(2);
  const rows = c.claims.flatMap((cl, i) =>
    cl.worksheet.map((r) => [
      i + 1,
      cl.basisOfClaim,
      r.mrn,
      r.itemNumber,
      r.ruleId,
      r.codeDeclared,
      r.codeCorrect,
      r.customsValue,
      r.rateDeclared,
      r.rateCorrect,
      gbp(r.dutyDifferencePence),
      gbp(r.vatDifferencePence),
      r.findingId,
    ]),
  );
  return `${[head, ...rows].map((r) => r.map((v) => csvCell(v as string | number | null)).join(',')).join('\n')}\n`;
}

export function registerRoutes(http: FastifyInstance, deps: { store: DraftStore; drafts: Drafts; clock: Clock }): void {
  const { store, drafts, clock } = deps;

  http.get('/v1/settings', { schema: { summary: 'The tenant’s reporting settings (VAT registration, repayment method)', response: { 200: settingsBody } } }, async (req) => {
    const p = principalOf(req);
    const s = await store.settings(p.tenantId);
    return { settings: s ?? { vatRegistered: null, repaymentMethod: 'bank_transfer', updatedBy: null, updatedAt: null } };
  });

  http.put<{ Body: { vatRegistered: boolean | null; repaymentMethod?: 'bank_transfer' | 'current_month_adjustment' } }>(
    '/v1/settings',
    {
      schema: {
        summary: 'Change the tenant’s reporting settings (admin)',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['vatRegistered'],
          properties: { vatRegistered: { type: ['boolean', 'null'] }, repaymentMethod: { type: 'string', enum: ['bank_transfer', 'current_month_adjustment'] } },
        },
        response: { 200: settingsBody },
      },
    },
    async (req) => {
      const p = principalOf(req);
      return {
        settings: await store.putSettings(
          p.tenantId,
          { vatRegistered: req.body.vatRegistered, repaymentMethod: req.body.repaymentMethod ?? 'bank_transfer', updatedBy: p.subject },
          clock.now().toISOString(),
        ),
      };
    },
  );

  http.post<{ Body: { kind: 'c285' | 'c2001'; importer?: string; acceptedFrom?: string; acceptedTo?: string } }>(
    '/v1/drafts',
    {
      schema: {
        summary: 'Draft a C285 or C2001 from the current findings',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['kind'],
          properties: { kind: { type: 'string', enum: ['c285', 'c2001'] }, importer: EORI, acceptedFrom: DATE, acceptedTo: DATE },
        },
        response: { 201: oneDraft },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      const { kind, ...scope } = req.body;
      const d = await drafts.create(p.tenantId, p.subject, bearerOf(req), kind, scope).catch(mapError);
      reply.code(201);
      return { draft: d };
    },
  );

  http.get<{ Querystring: { kind?: string; limit: number; cursor?: string } }>(
    '/v1/drafts',
    {
      schema: {
        summary: 'C285 and C2001 drafts, newest first (cursor pages)',
        querystring: listQuery(500, 50, { kind: { type: 'string', enum: ['c285', 'c2001'] } }),
        response: { 200: pageOf('drafts') },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      const rows = await store.listDrafts(p.tenantId, { kind: req.query.kind, limit: req.query.limit + 1, after: createdCursor(req) });
      // The list is a summary: totals and state, not every line.
      return sendPage(req, reply, { key: 'drafts', rows, limit: req.query.limit, keyOf: (d) => [d.createdAt, d.draftId], json: ({ content, ...r }) => ({ ...r, totals: content.totals }) });
    },
  );

  const load = async (req: FastifyRequest<{ Params: { id: string } }>) => {
    const p = principalOf(req);
    const d = await store.getDraft(p.tenantId, req.params.id);
    if (!d) throw new HttpError(404, 'not_found', `no draft ${req.params.id}`);
    return d;
  };

  http.get<{ Params: { id: string } }>(
    '/v1/drafts/:id',
    { schema: { summary: 'One draft with its history', params: idParams, response: { 200: obj({ draft: open, history: openList }) } } },
    async (req) => {
      principalOf(req);
      return load(req);
    },
  );

  http.get<{ Params: { id: string }; Querystring: { format?: 'html' | 'csv' } }>(
    '/v1/drafts/:id/document',
    {
      schema: {
        summary: 'A draft as HTML, or a C285 worksheet as CSV',
        params: idParams,
        querystring: { type: 'object', additionalProperties: false, properties: { format: { type: 'string', enum: ['html', 'csv'] } } },
        response: { 200: downloadOf('the draft as HTML (format=html), or the C285 worksheet as CSV (format=csv)', ['text/html', 'text/csv']) },
      },
    },
    async (req, reply) => {
      principalOf(req);
      const { draft } = await load(req);
      const format = req.query.format ?? 'html';
      if (format === 'csv') {
        if (draft.kind !== 'c285') throw new HttpError(400, 'no_worksheet', 'the CSV worksheet belongs to C285 drafts');
        reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${draft.draftId}-worksheet.csv"`);
        return worksheetCsv(draft.content as C285Draft);
      }
      reply.header('content-type', 'text/html; charset=utf-8').header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'");
      return draft.kind === 'c285' ? c285Html(draft, draft.content as C285Draft) : c2001Html(draft, draft.content as C2001Draft);
    },
  );

  http.get<{ Params: { id: string; n: number } }>(
    '/v1/drafts/:id/scheduled-claims/:n',
    {
      schema: {
        summary: 'A scheduled claim of a C285 draft as CSV',
        params: { type: 'object', required: ['id', 'n'], properties: { id: ID, n: { type: 'integer', minimum: 1, maximum: 10000 } } },
        response: { 200: downloadOf('the scheduled claim', ['text/csv']) },
      },
    },
    async (req, reply) => {
      principalOf(req);
      const { draft } = await load(req);
      const claim = draft.kind === 'c285' ? (draft.content as C285Draft).claims[req.params.n - 1] : undefined;
      if (!claim || claim.claimType !== 'scheduled') throw new HttpError(404, 'not_found', `draft ${draft.draftId} has no scheduled claim ${req.params.n}`);
      reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${draft.draftId}-scheduled-claim-${req.params.n}.csv"`);
      return scheduledClaimCsv(claim);
    },
  );

  const move = (to: 'reviewed' | 'submitted' | 'withdrawn', body: object, required: string[]) =>
    http.post<{ Params: { id: string }; Body: { hmrcReference?: string; reason?: string } }>(
      `/v1/drafts/:id/${to === 'reviewed' ? 'review' : to === 'submitted' ? 'submit' : 'withdraw'}`,
      { schema: { summary: `Move a draft to ${to}`, params: idParams, body: { type: 'object', additionalProperties: false, required, properties: body }, response: { 200: oneDraft } } },
      async (req) => {
        const p = principalOf(req);
        return { draft: await drafts.move(p.tenantId, p.subject, req.params.id, to, req.body ?? {}).catch(mapError) };
      },
    );
  const text = { type: 'string', minLength: 1, maxLength: 500, pattern: '^[^\\u0000-\\u001f\\u007f]*$' };
  move('reviewed', { reason: text }, []);
  move('submitted', { hmrcReference: { type: 'string', pattern: '^[A-Za-z0-9/_.-]{1,60}$' }, reason: text }, ['hmrcReference']);
  move('withdrawn', { reason: text }, ['reason']);
}
