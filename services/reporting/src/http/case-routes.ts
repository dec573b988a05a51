// REST adapter of cases, playbooks and role assignments, and the audit-response pack download.
import { HttpError, createdCursor, csvOr, downloadOf, listQuery, obj, openObject as open, pageOf, principalOf, sendPage, type FastifyInstance, type FastifyRequest } from '@customs/http';
import { CaseError, type Cases } from '../app/cases';
import { buildPack } from '../app/pack';
import type { CaseStore, Clock, DraftStore, FindingsSource, PlatformReads } from '../app/ports';
import { UpstreamError } from '../clients/findings-feed';
import { CASE_TRIGGERS } from '../policies/cases';
import { zipStream } from '../render/zip';

const ID = { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,100}$' } as const;
const DATE = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } as const;
const EORI = { type: 'string', pattern: '^[A-Z]{2}[A-Z0-9]{1,15}$' } as const;
const TEXT = { type: 'string', minLength: 1, maxLength: 300, pattern: '^[^\\u0000-\\u001f\\u007f]*$' } as const;
const PERSON = { type: 'string', pattern: '^[A-Za-z0-9_.@+ -]{1,128}$' } as const;
const idParams = { type: 'object', required: ['id'], properties: { id: ID } } as const;
// Response bodies: open objects documented by their main keys (fastify's serialiser keeps every
// field of an open object).
const caseView = obj(
  { case: open, clocks: { type: 'array', items: open }, checklist: { type: 'array', items: open }, asOf: { type: 'string' } },
  'the case with its clocks and checklist (and its history, one case)',
);

function bearerOf(req: FastifyRequest): string {
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (!m?.[1]) throw new HttpError(401, 'unauthenticated', 'authentication required');
  return m[1];
}

function mapError(e: unknown): never {
  if (e instanceof CaseError) throw new HttpError(e.code === 'not_found' ? 404 : e.code === 'conflict' ? 409 : 400, e.code, e.message);
  if (e instanceof UpstreamError) throw new HttpError(502, 'upstream_failed', e.message);
  throw e;
}

export function registerCaseRoutes(http: FastifyInstance, deps: { cases: Cases; store: CaseStore; clock: Clock; findings: FindingsSource; drafts: DraftStore; platform: PlatformReads }): void {
  const { cases, store, clock } = deps;

  http.get('/v1/playbooks', { schema: { summary: 'The audit-case playbooks', response: { 200: obj({ playbooks: { type: 'array', items: open } }) } } }, async (req) => {
    principalOf(req);
    return { playbooks: cases.listPlaybooks() };
  });

  http.get(
    '/v1/role-assignments',
    {
      schema: {
        summary: 'Who holds each playbook role',
        response: { 200: obj({ assignments: { type: 'array', items: obj({ role: { type: 'string' }, person: { type: ['string', 'null'] } }) } }) },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const roles = [...new Set(cases.listPlaybooks().flatMap((pb) => pb.roles))].sort();
      const a = await store.assignments(p.tenantId);
      return { assignments: roles.map((role) => ({ role, person: a[role] ?? null })) };
    },
  );

  http.put<{ Params: { role: string }; Body: { person: string | null } }>(
    '/v1/role-assignments/:role',
    {
      schema: {
        summary: 'Assign a playbook role to a person (or null)',
        params: { type: 'object', required: ['role'], properties: { role: { type: 'string', pattern: '^[a-z0-9-]{1,60}$' } } },
        body: { type: 'object', additionalProperties: false, required: ['person'], properties: { person: { anyOf: [PERSON, { type: 'null' }] } } },
        response: { 200: obj({ role: { type: 'string' }, person: { type: ['string', 'null'] } }) },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const roles = new Set(cases.listPlaybooks().flatMap((pb) => pb.roles));
      if (!roles.has(req.params.role)) throw new HttpError(400, 'unknown_role', `no playbook uses role ${req.params.role}; roles: ${[...roles].sort().join(', ')}`);
      await store.assign(p.tenantId, req.params.role, req.body.person, p.subject, clock.now().toISOString());
      return { role: req.params.role, person: req.body.person };
    },
  );

  http.post<{
    Body: {
      trigger: (typeof CASE_TRIGGERS)[number];
      title: string;
      letterDate: string;
      visitDate?: string;
      owner: string;
      playbookId?: string;
      scope: { importer: string; acceptedFrom?: string; acceptedTo?: string; codes?: string[]; brokers?: string[] };
    };
  }>(
    '/v1/cases',
    {
      schema: {
        summary: 'Open an audit case (letter, visit, scope, owner)',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['trigger', 'title', 'letterDate', 'owner', 'scope'],
          properties: {
            trigger: { type: 'string', enum: CASE_TRIGGERS },
            title: TEXT,
            letterDate: DATE,
            visitDate: DATE,
            owner: PERSON,
            playbookId: { type: 'string', pattern: '^[a-z0-9-]{1,60}$' },
            scope: {
              type: 'object',
              additionalProperties: false,
              required: ['importer'],
              properties: {
                importer: EORI,
                acceptedFrom: DATE,
                acceptedTo: DATE,
                codes: { type: 'array', maxItems: 100, items: { type: 'string', pattern: '^\\d{2,10}$' } },
                brokers: { type: 'array', maxItems: 100, items: EORI },
              },
            },
          },
        },
        response: { 201: caseView },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      const v = await cases.open(p.tenantId, p.subject, req.body).catch(mapError);
      reply.code(201);
      return v;
    },
  );

  http.get<{ Querystring: { limit: number; cursor?: string } }>(
    '/v1/cases',
    {
      schema: {
        summary: 'Audit cases, newest first, with their clocks and checklists (cursor pages; CSV with Accept: text/csv)',
        querystring: listQuery(200, 50),
        response: { 200: csvOr(pageOf('cases')) },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      const a = await store.assignments(p.tenantId);
      const rows = await store.listCases(p.tenantId, req.query.limit + 1, createdCursor(req));
      return sendPage(req, reply, {
        key: 'cases',
        rows: rows.map((c) => cases.view(c, a)),
        limit: req.query.limit,
        keyOf: (v) => [v.case.createdAt, v.case.caseId],
        csv: {
          filename: 'cases.csv',
          columns: [
            { header: 'case_id', value: (v) => v.case.caseId },
            { header: 'title', value: (v) => v.case.title },
            { header: 'trigger', value: (v) => v.case.trigger },
            { header: 'state', value: (v) => v.case.state },
            { header: 'importer', value: (v) => v.case.scope.importer },
            { header: 'accepted_from', value: (v) => v.case.scope.acceptedFrom },
            { header: 'accepted_to', value: (v) => v.case.scope.acceptedTo },
            { header: 'letter_date', value: (v) => v.case.letterDate },
            { header: 'visit_date', value: (v) => v.case.visitDate },
            { header: 'owner', value: (v) => v.case.owner },
            { header: 'playbook', value: (v) => v.case.playbook.id },
            { header: 'steps_done', value: (v) => v.case.done.length },
            { header: 'created_by', value: (v) => v.case.createdBy },
            { header: 'created_at', value: (v) => v.case.createdAt },
            { header: 'updated_at', value: (v) => v.case.updatedAt },
          ],
        },
      });
    },
  );

  http.get<{ Params: { id: string } }>('/v1/cases/:id', { schema: { summary: 'One case with its clocks, checklist and history', params: idParams, response: { 200: caseView } } }, async (req) => {
    const p = principalOf(req);
    return cases.get(p.tenantId, req.params.id).catch(mapError);
  });

  http.post<{ Params: { id: string; step: string }; Body: { note?: string } }>(
    '/v1/cases/:id/steps/:step/done',
    {
      schema: {
        summary: 'Mark a checklist step done',
        params: { type: 'object', required: ['id', 'step'], properties: { id: ID, step: { type: 'string', pattern: '^[a-z0-9-]{1,60}$' } } },
        body: { type: 'object', additionalProperties: false, properties: { note: TEXT } },
        response: { 200: caseView },
      },
    },
    async (req) => {
      const p = principalOf(req);
      return cases.completeStep(p.tenantId, p.subject, req.params.id, req.params.step, req.body?.note).catch(mapError);
    },
  );

  http.post<{ Params: { id: string }; Body: { reason: string } }>(
    '/v1/cases/:id/close',
    { schema: { summary: 'Close a case', params: idParams, body: { type: 'object', additionalProperties: false, required: ['reason'], properties: { reason: TEXT } }, response: { 200: caseView } } },
    async (req) => {
      const p = principalOf(req);
      return cases.close(p.tenantId, p.subject, req.params.id, req.body.reason).catch(mapError);
    },
  );

  http.get<{ Params: { id: string } }>(
    '/v1/cases/:id/pack',
    { schema: { summary: 'The audit-response pack of a case (ZIP)', params: idParams, response: { 200: downloadOf('the pack, streamed', ['application/zip']) } } },
    async (req, reply) => {
      const p = principalOf(req);
      const v = await cases.get(p.tenantId, req.params.id).catch(mapError);
      const entries = await buildPack(deps, p.tenantId, bearerOf(req), v).catch(mapError);
      reply.header('content-type', 'application/zip').header('content-disposition', `attachment; filename="${v.case.caseId}-audit-response-pack.zip"`);
      return reply.send(zipStream(entries));
    },
  );
}
