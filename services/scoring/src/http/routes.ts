import { HttpError, afterCursor, obj, badCursor, csvOr, listQuery, noBody, pageOf, principalOf, requireImporterVisible, sendPage, type FastifyInstance } from '@customs/http';
import type { Principal } from '@customs/config';
import { Severity } from '@customs/contracts';
import type { Kysely } from '@customs/db';
import { withTenant } from '@customs/db';
import type { ScoringDb } from '../db/migrations';
import { bindStore, type Store } from '../app/ports';
import { getScore, listScores, readinessOf, scoreKey, scorecards, scoredLines, trend } from '../app/queries';
import { findingJson, findingSchema, num, open, scoreJson, scoreSchema, str } from './json';
import { HISTORY_RULES } from '../rules';
import { rescorePage } from '../app/rescore';
import { encode } from '../kafka/consumers';
import { enqueueOutbox } from '@customs/db';

// REST adapter: JSON schemas on every route (fastify answers a bad parameter with a 400 naming it),
// tenant-scoped reads, role-checked writes.

const ENTITY = { type: 'string', enum: ['declaration', 'broker', 'importer'] } as const;
const ID = { type: 'string', minLength: 1, maxLength: 200 } as const;
const MONTH = { type: 'string', pattern: '^\\d{4}-(0[1-9]|1[0-2])$' } as const;
const EORI = { type: 'string', pattern: '^[A-Z]{2}[A-Z0-9]{1,15}$' } as const;
const agentsSchema = obj({ importerId: str, agents: { type: 'array', items: obj({ agentId: str, addedBy: str, addedAt: str }) } });

export function registerRoutes(http: FastifyInstance, db: Kysely<ScoringDb>): void {
  const read = <T>(tenant: string, fn: (s: Store) => Promise<T>) => withTenant(db, tenant, (trx) => fn(bindStore(trx)));
  // Broker-scoped reads (permissions.ts): a broker sees its importers' declarations and the
  // importers themselves, nothing else (a broker's own or another agent's score is not scoped).
  const visibleDeclaration = async (p: Principal, id: string) => {
    if (p.importers) requireImporterVisible(p, (await read(p.tenantId, (st) => st.getDeclScoreRow(p.tenantId, id)))?.importer_id, `no score for declaration ${id}`);
  };
  const visibleEntity = async (p: Principal, type: string, id: string) => {
    if (!p.importers) return;
    if (type === 'declaration') return visibleDeclaration(p, id);
    if (type !== 'importer') throw new HttpError(403, 'forbidden', `a broker’s delegated access covers its importers’ scores, not ${type} scores`);
    requireImporterVisible(p, id, `no importer score for ${id}`);
  };

  http.get<{ Params: { type: string; id: string } }>(
    '/v1/scores/:type/:id',
    {
      schema: {
        summary: 'One score (declaration, importer or broker) with its components',
        params: { type: 'object', required: ['type', 'id'], properties: { type: ENTITY, id: ID } },
        response: { 200: scoreSchema },
      },
    },
    async (req) => {
      const p = principalOf(req);
      await visibleEntity(p, req.params.type, req.params.id);
      const s = await read(p.tenantId, (st) => getScore(st, p.tenantId, req.params.type, req.params.id));
      if (!s) throw new HttpError(404, 'not_found', `no ${req.params.type} score for ${req.params.id}`);
      return scoreJson(s);
    },
  );

  // Cursor pages (keyset on the list's order); Accept: text/csv downloads the page.
  http.get<{ Params: { type: string }; Querystring: { limit: number; cursor?: string } }>(
    '/v1/scores/:type',
    {
      schema: {
        summary: 'Scores of one entity type, worst first (cursor pages; CSV with Accept: text/csv)',
        params: { type: 'object', required: ['type'], properties: { type: { type: 'string', enum: ['declaration', 'broker', 'importer'] } } },
        querystring: listQuery(500, 50),
        response: { 200: csvOr(pageOf('scores')) },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      const after = afterCursor(req, 3);
      if (after && (typeof after[0] !== 'number' || typeof after[1] !== 'number' || typeof after[2] !== 'string')) throw badCursor();
      const rows = await read(p.tenantId, (st) => listScores(st, p.tenantId, req.params.type, req.query.limit + 1, after));
      return sendPage(req, reply, {
        key: 'scores',
        rows,
        limit: req.query.limit,
        keyOf: scoreKey,
        json: scoreJson,
        csv: {
          filename: `${req.params.type}-scores.csv`,
          columns: [
            { header: 'entity_type', value: (s) => s.entityType },
            { header: 'entity_id', value: (s) => s.entityId },
            { header: 'score', value: (s) => s.score },
            { header: 'risk', value: (s) => (s.entityType === 'declaration' ? s.risk : '') },
            { header: 'finding_count', value: (s) => s.findingCount },
            { header: 'exposure_pence', value: (s) => s.exposurePence },
            { header: 'reclaim_pence', value: (s) => s.reclaimPence },
            { header: 'declaration_count', value: (s) => s.declarationCount },
            { header: 'model_version', value: (s) => s.modelVersion },
            { header: 'updated_at', value: (s) => s.updatedAt },
            { header: 'explanation', value: (s) => s.explanation },
          ],
        },
      });
    },
  );

  http.get<{ Params: { id: string } }>(
    '/v1/declarations/:id/scored-lines',
    {
      schema: {
        summary: 'A declaration’s lines as scored: rates, money at stake, findings',
        params: { type: 'object', required: ['id'], properties: { id: ID } },
        response: { 200: obj({ score: scoreSchema, validationFindings: { type: 'array', items: open }, historyFindings: { type: 'array', items: findingSchema } }) },
      },
    },
    async (req) => {
      const p = principalOf(req);
      await visibleDeclaration(p, req.params.id);
      const r = await read(p.tenantId, (st) => scoredLines(st, p.tenantId, req.params.id));
      if (!r) throw new HttpError(404, 'not_found', `no score for declaration ${req.params.id}`);
      return { score: scoreJson(r.score), validationFindings: r.validation, historyFindings: r.history.map(findingJson) };
    },
  );

  http.get<{ Querystring: { rule?: string; limit: number; offset?: number; cursor?: string } }>(
    '/v1/history-findings',
    {
      schema: {
        summary: 'Findings of the history rules (across declarations), newest first (cursor pages; CSV with Accept: text/csv)',
        querystring: listQuery(1000, 100, {
          rule: { type: 'string', enum: HISTORY_RULES.map((r) => r.meta.id) },
          offset: { type: 'integer', minimum: 0, maximum: 10_000_000, description: 'deprecated: follow `next` instead' },
        }),
        response: { 200: csvOr(pageOf('findings', { type: 'object', additionalProperties: true })) },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      const after = afterCursor(req, 2);
      if (after && (typeof after[0] !== 'string' || Number.isNaN(Date.parse(String(after[0]))) || typeof after[1] !== 'string')) throw badCursor();
      const { counts, rows } = await read(p.tenantId, async (st) => ({
        counts: await st.countHistoryFindings(p.tenantId),
        rows: await st.listHistoryFindings(p.tenantId, {
          rule: req.query.rule,
          limit: req.query.limit + 1,
          offset: after ? 0 : (req.query.offset ?? 0),
          after: after && { raisedAt: String(after[0]), findingId: String(after[1]) },
        }),
      }));
      return sendPage(req, reply, {
        key: 'findings',
        rows,
        limit: req.query.limit,
        keyOf: (r) => [r.raisedAt, r.finding.findingId],
        json: (r) => findingJson(r.finding),
        extra: { counts },
        csv: {
          filename: 'history-findings.csv',
          columns: [
            { header: 'finding_id', value: (r) => r.finding.findingId },
            { header: 'rule_id', value: (r) => r.finding.ruleId },
            { header: 'title', value: (r) => r.finding.title },
            { header: 'severity', value: (r) => Severity[r.finding.severity]?.replace('SEVERITY_', '').toLowerCase() },
            { header: 'declaration_id', value: (r) => r.finding.declarationId },
            { header: 'mrn', value: (r) => r.finding.mrn },
            { header: 'importer_eori', value: (r) => r.finding.importerEori },
            { header: 'item_number', value: (r) => r.finding.itemNumber },
            { header: 'raised_at', value: (r) => r.finding.raisedAt },
            { header: 'exposure_duty_pence', value: (r) => r.finding.exposureDutyPence },
            { header: 'exposure_vat_pence', value: (r) => r.finding.exposureVatPence },
            { header: 'reclaim_duty_pence', value: (r) => r.finding.reclaimDutyPence },
            { header: 'reclaim_vat_pence', value: (r) => r.finding.reclaimVatPence },
            { header: 'deadline', value: (r) => r.finding.deadline },
            { header: 'explanation', value: (r) => r.finding.explanation },
          ],
        },
      });
    },
  );

  http.get('/v1/history-rules', { schema: { summary: 'The history rules and their metadata', tags: ['rules'], response: { 200: obj({ rules: { type: 'array', items: open } }) } } }, async () => ({
    rules: HISTORY_RULES.map((r) => r.meta),
  }));

  // A month's scorecards are computed together (each card's peer percentile reads every agent of
  // the month), then paged in their order (score, agent): the cursor is the last card's key.
  http.get<{ Querystring: { month?: string; agent?: string; limit: number; cursor?: string } }>(
    '/v1/scorecards/brokers',
    {
      schema: {
        summary: 'Broker scorecards for a month, lowest score first (cursor pages; CSV with Accept: text/csv)',
        querystring: listQuery(1000, 500, { month: MONTH, agent: ID }),
        response: { 200: csvOr(pageOf('scorecards')) },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      const after = afterCursor(req, 2);
      if (after && (typeof after[0] !== 'number' || typeof after[1] !== 'string')) throw badCursor();
      const r = await read(p.tenantId, (st) => scorecards(st, p.tenantId, { month: req.query.month, agent: req.query.agent }));
      const rest = after ? r.scorecards.filter((c) => c.score > Number(after[0]) || (c.score === Number(after[0]) && c.agentId > String(after[1]))) : r.scorecards;
      return sendPage(req, reply, {
        key: 'scorecards',
        rows: rest.slice(0, req.query.limit + 1),
        limit: req.query.limit,
        keyOf: (c) => [c.score, c.agentId],
        extra: { month: r.month },
        csv: {
          filename: `broker-scorecards-${r.month || 'none'}.csv`,
          columns: [
            { header: 'agent_id', value: (c) => c.agentId },
            { header: 'month', value: (c) => c.month },
            { header: 'score', value: (c) => c.score },
            { header: 'peer_percentile', value: (c) => c.peerPercentile },
            { header: 'peer_count', value: (c) => c.peerCount },
            { header: 'model_version', value: (c) => c.modelVersion },
            { header: 'metrics', value: (c) => c.metrics.map((m) => `${m.name}=${m.value}${m.unit ? ` ${m.unit}` : ''}`).join('; ') },
            { header: 'score_explanation', value: (c) => c.scoreExplanation },
          ],
        },
      });
    },
  );

  http.get<{ Params: { id: string }; Querystring: { month?: string } }>(
    '/v1/scorecards/brokers/:id',
    {
      schema: {
        summary: 'One broker’s scorecard for a month',
        params: { type: 'object', required: ['id'], properties: { id: ID } },
        querystring: { type: 'object', properties: { month: MONTH } },
        response: { 200: obj({ month: str, scorecard: open }) },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const r = await read(p.tenantId, (st) => scorecards(st, p.tenantId, { month: req.query.month, agent: req.params.id }));
      if (r.scorecards.length === 0) throw new HttpError(404, 'not_found', `no scorecard for agent ${req.params.id}${r.month ? ` in ${r.month}` : ''}`);
      return { month: r.month, scorecard: r.scorecards[0] };
    },
  );

  http.get<{ Params: { id: string }; Querystring: { to?: string } }>(
    '/v1/importers/:id/readiness',
    {
      schema: {
        summary: 'An importer’s readiness (e.g. for a trader authorisation) up to a month',
        params: { type: 'object', required: ['id'], properties: { id: ID } },
        querystring: { type: 'object', properties: { to: MONTH } },
        response: { 200: obj({ importerId: str, from: str, to: str, modelVersion: str, score: num, explanation: str, dimensions: { type: 'array', items: open } }) },
      },
    },
    async (req) => {
      const p = principalOf(req);
      requireImporterVisible(p, req.params.id, `no history for importer ${req.params.id}`);
      const r = await read(p.tenantId, (st) => readinessOf(st, p.tenantId, req.params.id, req.query.to));
      if (!r) throw new HttpError(404, 'not_found', `no history for importer ${req.params.id}`);
      return r.readiness;
    },
  );

  http.get<{ Params: { id: string }; Querystring: { to?: string } }>(
    '/v1/importers/:id/duty-under-management',
    {
      schema: {
        summary: 'Duty under management of an importer, by month',
        params: { type: 'object', required: ['id'], properties: { id: ID } },
        querystring: { type: 'object', properties: { to: MONTH } },
        response: { 200: obj({ importerId: str, from: str, to: str, metrics: { type: 'array', items: open } }) },
      },
    },
    async (req) => {
      const p = principalOf(req);
      requireImporterVisible(p, req.params.id, `no history for importer ${req.params.id}`);
      const r = await read(p.tenantId, (st) => readinessOf(st, p.tenantId, req.params.id, req.query.to));
      if (!r) throw new HttpError(404, 'not_found', `no history for importer ${req.params.id}`);
      return r.dum;
    },
  );

  http.get<{ Params: { type: string; id: string } }>(
    '/v1/trends/:type/:id',
    {
      schema: {
        summary: 'Score trend of a broker or importer',
        params: { type: 'object', required: ['type', 'id'], properties: { type: { type: 'string', enum: ['broker', 'importer'] }, id: ID } },
        response: { 200: obj({ entityType: str, entityId: str, points: { type: 'array', items: open, description: 'month, score, modelVersion, recordedAt, snapshot' } }) },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const points = await read(p.tenantId, (st) => trend(st, p.tenantId, req.params.type, req.params.id));
      return {
        entityType: req.params.type,
        entityId: req.params.id,
        points: points.map((x) => ({ month: x.month, score: x.score, modelVersion: x.model_version, recordedAt: x.recorded_at, snapshot: x.payload })),
      };
    },
  );

  // Re-score every declaration of the tenant with the current model and today's date (after a
  // model change, or to move deadline nearness on): pages of 500, each its own transaction.
  http.post(
    '/v1/admin/rescore',
    { schema: { summary: 'Re-score every stored declaration of the tenant (admin)', tags: ['admin'], body: noBody, response: { 200: obj({ tenantId: str, declarations: num }) } } },
    async (req) => {
      const p = principalOf(req);
      let after = '';
      let total = 0;
      for (;;) {
        const now = new Date().toISOString();
        // Scores and their events commit together (the outbox), as in the consumers.
        const page = await withTenant(db, p.tenantId, async (trx) => {
          const r = await rescorePage(bindStore(trx), p.tenantId, after, 500, now);
          await enqueueOutbox(
            trx,
            'scoring',
            r.events.map((o) => encode(o)),
          );
          return r;
        });
        if (page.count === 0) break;
        total += page.count;
        after = page.last;
      }
      return { tenantId: p.tenantId, declarations: total };
    },
  );

  http.get<{ Params: { id: string } }>(
    '/v1/importers/:id/approved-agents',
    { schema: { summary: 'The agents an importer approved', params: { type: 'object', required: ['id'], properties: { id: ID } }, response: { 200: agentsSchema } } },
    async (req) => {
      const p = principalOf(req);
      return { importerId: req.params.id, agents: await read(p.tenantId, (st) => st.listApprovedAgents(p.tenantId, req.params.id)) };
    },
  );

  http.put<{ Params: { id: string }; Body: { agents: string[] } }>(
    '/v1/importers/:id/approved-agents',
    {
      schema: {
        summary: 'Replace the agents an importer approved',
        params: { type: 'object', required: ['id'], properties: { id: EORI } },
        body: { type: 'object', required: ['agents'], additionalProperties: false, properties: { agents: { type: 'array', maxItems: 1000, uniqueItems: true, items: EORI } } },
        response: { 200: agentsSchema },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const now = new Date().toISOString();
      await read(p.tenantId, (st) => st.replaceApprovedAgents(p.tenantId, req.params.id, req.body.agents, p.subject, now));
      return { importerId: req.params.id, agents: await read(p.tenantId, (st) => st.listApprovedAgents(p.tenantId, req.params.id)) };
    },
  );
}
