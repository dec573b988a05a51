// REST adapter: every route has a JSON schema (fastify validates request bodies and queries
// with it — bad input is a 400 naming the field — and @fastify/swagger publishes it as OpenAPI).
// Tenant from the token; roles checked per route.
import { randomUUID } from 'node:crypto';
import { AlertStatus } from '@customs/contracts';
import { HttpError, principalOf, requireImporterVisible, type FastifyInstance } from '@customs/http';
import type { Clock } from '../app/correlate';
import type { AlertQuery, HistoryRecord, SortKey } from '../app/ports';
import { type Triage, TriageError } from '../app/triage';
import type { AlertRepo } from '../db/alert-repo';
import { isoDay } from '../policies/deadline';
import { EXCEPTION_SCOPE_FIELDS, isActive, type AlertException } from '../policies/exceptions';
import { DISPOSITIONS, STATUS_NAMES, statusName } from '../policies/lifecycle';
import { RULE_TYPES, SEVERITY_BY_LEVEL, TUNABLE, checkRuleSetting, effectiveRule, type AlertRule, type Level } from '../policies/rules';
import { alertJson, findingJson } from '../policies/view';

const STATES = Object.keys(STATUS_NAMES);
const LEVELS = Object.keys(SEVERITY_BY_LEVEL);
const SORTS: SortKey[] = ['money', 'exposure', 'reclaim', 'deadline', 'days_left', 'severity', 'updated', 'created', 'broker', 'importer', 'state', 'rule'];
// Text an analyst types: bounded, so a pasted log cannot bloat the append-only history.
const reason = { type: 'string', minLength: 1, maxLength: 2000 };
const id = { type: 'string', minLength: 1, maxLength: 128 };
const eori = { type: 'string', minLength: 1, maxLength: 64 };
const error = { type: 'object', properties: { error: { type: 'string' }, message: { type: 'string' } } };
const idParams = { type: 'object', properties: { id }, required: ['id'] };

function historyJson(h: HistoryRecord) {
  return { cursor: h.cursor, actor: h.actor, at: h.at, from: statusName(h.from), to: statusName(h.to), kind: h.kind, reason: h.reason, notify: h.notify, disposition: h.disposition, note: h.note };
}

function encodeCursor(v: string | number, id: string): string {
  return Buffer.from(JSON.stringify([v, id])).toString('base64url');
}
function decodeCursor(c: string): { v: string | number; id: string } {
  try {
    const [v, i] = JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as [unknown, unknown];
    if ((typeof v === 'string' || typeof v === 'number') && typeof i === 'string') return { v, id: i };
  } catch {
    // fall through to the 400 below
  }
  throw new HttpError(400, 'invalid_cursor', 'cursor is not one this API returned (pass nextCursor back unchanged)');
}

const list = (s: string | undefined) =>
  s
    ? s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
    : [];

function ruleJson(r: AlertRule, setting: { enabled: boolean; params: Record<string, number>; updatedBy: string; updatedAt: string } | undefined) {
  const eff = effectiveRule(r, setting);
  const { hash, source, ...rest } = r;
  return {
    ...rest,
    hash,
    source,
    enabled: eff !== undefined,
    tunable: Object.keys(TUNABLE[r.type]),
    setting: setting ?? null,
    effective: eff ? Object.fromEntries(Object.entries(TUNABLE[r.type]).map(([k, t]) => [k, (eff as unknown as Record<string, unknown>)[t.prop]])) : null,
  };
}

export function registerRoutes(http: FastifyInstance, deps: { repo: AlertRepo; triage: Triage; rules: readonly AlertRule[]; clock: Clock }): void {
  const { repo, triage, rules, clock } = deps;
  const today = () => isoDay(clock.now());
  const wrap = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof TriageError) throw new HttpError(e.status, e.code, e.message);
      throw e;
    }
  };

  http.get<{ Querystring: Record<string, string | undefined> }>(
    '/v1/alerts',
    {
      schema: {
        summary: 'List, search, filter and sort alerts (cursor pages)',
        tags: ['alerts'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            state: { type: 'string', maxLength: 200, description: `comma list of ${STATES.join(', ')}` },
            status: { type: 'string', enum: STATES, description: 'one state (alias of state)' },
            severity: { type: 'string', enum: LEVELS, description: 'minimum severity' },
            rule: { type: 'string', maxLength: 400, description: 'comma list of alert rule ids (AR-001,…)' },
            rule_type: { type: 'string', maxLength: 200, description: `comma list of ${RULE_TYPES.join(', ')}` },
            broker: eori,
            importer: eori,
            min_pence: { type: 'string', pattern: '^\\d{1,15}$', description: 'minimum exposure + reclaim in pence' },
            deadline_before: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
            q: { type: 'string', minLength: 1, maxLength: 200, description: 'search in alert keys (ids, EORIs, rule ids, terms) or an alert id' },
            sort: { type: 'string', enum: SORTS, default: 'updated' },
            order: { type: 'string', enum: ['asc', 'desc'] },
            limit: { type: 'string', pattern: '^\\d{1,4}$' },
            cursor: { type: 'string', maxLength: 400 },
          },
        },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const qs = req.query;
      // A broker (permissions.ts, brokerScoped) lists one of its importers' alerts: the one it
      // names, or its only one.
      let importer = qs.importer;
      if (p.importers) {
        if (importer !== undefined && !p.importers.includes(importer)) throw new HttpError(403, 'forbidden', `importer ${importer} is not one this broker acts for`);
        if (importer === undefined && p.importers.length > 1) throw new HttpError(400, 'importer_required', `a broker acting for several importers names one: importer=${p.importers.join(' or ')}`);
        importer ??= p.importers[0];
      }
      const states = [...list(qs.state), ...list(qs.status)].map((s) => {
        const v = STATUS_NAMES[s];
        if (v === undefined) throw new HttpError(400, 'invalid_state', `state "${s}" is not one of ${STATES.join(', ')}`);
        return v;
      });
      const ruleTypes = list(qs.rule_type);
      for (const t of ruleTypes) if (!(RULE_TYPES as string[]).includes(t)) throw new HttpError(400, 'invalid_rule_type', `rule_type "${t}" is not one of ${RULE_TYPES.join(', ')}`);
      const limit = Number(qs.limit ?? 100);
      if (limit < 1 || limit > 1000) throw new HttpError(400, 'invalid_limit', 'limit must be a whole number from 1 to 1000');
      const sort = (qs.sort ?? 'updated') as SortKey;
      // Money and severity read best-first; deadlines soonest first; names alphabetically.
      const order = (qs.order ?? (['deadline', 'days_left', 'broker', 'importer', 'state', 'rule'].includes(sort) ? 'asc' : 'desc')) as 'asc' | 'desc';
      const q: AlertQuery = {
        tenantId: p.tenantId,
        states,
        minSeverity: qs.severity ? SEVERITY_BY_LEVEL[qs.severity as Level] : undefined,
        alertRuleIds: list(qs.rule),
        ruleTypes,
        broker: qs.broker,
        importer,
        minPence: qs.min_pence === undefined ? undefined : Number(qs.min_pence),
        deadlineBefore: qs.deadline_before,
        search: qs.q,
        sort,
        order,
        limit,
        after: qs.cursor ? decodeCursor(qs.cursor) : undefined,
      };
      const { alerts, sortValues } = await repo.list(q);
      const t = today();
      const last = alerts.length === limit ? alerts.length - 1 : -1;
      return { alerts: alerts.map((a) => alertJson(a, t)), nextCursor: last >= 0 ? encodeCursor(sortValues[last]!, alerts[last]!.alertId) : null, sort, order };
    },
  );

  http.get<{ Params: { id: string } }>('/v1/alerts/:id', { schema: { summary: 'One alert with its full history', tags: ['alerts'], params: idParams, response: { 404: error } } }, async (req) => {
    const p = principalOf(req);
    const r = await repo.get(p.tenantId, req.params.id);
    if (!r) throw new HttpError(404, 'not_found', `no alert ${req.params.id}`);
    requireImporterVisible(p, r.alert.importerEori, `no alert ${req.params.id}`);
    return { alert: alertJson(r.alert, today()), history: r.history.map(historyJson) };
  });

  http.get<{ Params: { id: string } }>('/v1/alerts/:id/history', { schema: { summary: 'Append-only history of an alert', tags: ['alerts'], params: idParams } }, async (req) => {
    const p = principalOf(req);
    const r = await repo.get(p.tenantId, req.params.id);
    if (!r) throw new HttpError(404, 'not_found', `no alert ${req.params.id}`);
    requireImporterVisible(p, r.alert.importerEori, `no alert ${req.params.id}`);
    return { alertId: req.params.id, history: r.history.map(historyJson) };
  });

  const transitionBody = {
    type: 'object',
    additionalProperties: false,
    required: ['to', 'reason'],
    properties: { to: { type: 'string', enum: STATES }, reason, disposition: { type: 'string', enum: [...DISPOSITIONS] } },
  };
  http.post<{ Params: { id: string }; Body: { to: string; reason: string; disposition?: string } }>(
    '/v1/alerts/:id/transition',
    { schema: { summary: 'Move an alert through its lifecycle (reason required; disposition when resolving)', tags: ['triage'], params: idParams, body: transitionBody } },
    async (req) => {
      const p = principalOf(req);
      const changed = await wrap(() => triage.transition(p.tenantId, req.params.id, p.subject, { to: STATUS_NAMES[req.body.to]!, reason: req.body.reason, disposition: req.body.disposition }));
      return { alert: alertJson(changed.alert!, today()) };
    },
  );

  http.post<{ Body: { alertIds: string[]; to: string; reason: string; disposition?: string } }>(
    '/v1/alerts/bulk-transition',
    {
      schema: {
        summary: 'Move many alerts at once (all or nothing)',
        tags: ['triage'],
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['alertIds', 'to', 'reason'],
          properties: { ...transitionBody.properties, alertIds: { type: 'array', items: id, minItems: 1, maxItems: 500 } },
        },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const changed = await wrap(() => triage.bulkTransition(p.tenantId, req.body.alertIds, p.subject, { to: STATUS_NAMES[req.body.to]!, reason: req.body.reason, disposition: req.body.disposition }));
      return { changed: changed.length, alerts: changed.map((c) => alertJson(c.alert!, today())) };
    },
  );

  http.post<{ Params: { id: string }; Body: { assignee: string; reason?: string } }>(
    '/v1/alerts/:id/assign',
    {
      schema: {
        summary: 'Assign (or unassign with "") an alert',
        tags: ['triage'],
        params: idParams,
        body: { type: 'object', additionalProperties: false, required: ['assignee'], properties: { assignee: { type: 'string', maxLength: 128 }, reason: { type: 'string', maxLength: 2000 } } },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const changed = await wrap(() => triage.assign(p.tenantId, req.params.id, p.subject, req.body.assignee.trim(), req.body.reason?.trim() ?? ''));
      return { alert: alertJson(changed.alert!, today()) };
    },
  );

  http.post<{ Params: { id: string }; Body: { text: string } }>(
    '/v1/alerts/:id/notes',
    {
      schema: {
        summary: 'Add a note (kept in the history)',
        tags: ['triage'],
        params: idParams,
        body: { type: 'object', additionalProperties: false, required: ['text'], properties: { text: { type: 'string', minLength: 1, maxLength: 10000 } } },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const changed = await wrap(() => triage.note(p.tenantId, req.params.id, p.subject, req.body.text));
      return { alert: alertJson(changed.alert!, today()) };
    },
  );

  // ---- rules and the tenant's settings of them ----

  http.get('/v1/alert-rules', { schema: { summary: 'Alert rules with this tenant’s settings', tags: ['rules'] } }, async (req) => {
    const p = principalOf(req);
    const settings = await repo.ruleSettings(p.tenantId);
    return { rules: rules.map((r) => ruleJson(r, settings.get(r.id))) };
  });

  http.get<{ Params: { id: string } }>('/v1/alert-rules/:id', { schema: { summary: 'One alert rule', tags: ['rules'], params: idParams } }, async (req) => {
    const p = principalOf(req);
    const r = rules.find((x) => x.id === req.params.id);
    if (!r) throw new HttpError(404, 'not_found', `no alert rule ${req.params.id}`);
    return { rule: ruleJson(r, (await repo.ruleSettings(p.tenantId)).get(r.id)) };
  });

  http.put<{ Params: { id: string }; Body: { enabled: boolean; params?: Record<string, number> } }>(
    '/v1/alert-rules/:id/settings',
    {
      schema: {
        summary: 'Enable/disable a rule or tune its thresholds for this tenant (audited)',
        tags: ['rules'],
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['enabled'],
          properties: { enabled: { type: 'boolean' }, params: { type: 'object', maxProperties: 10, additionalProperties: { type: 'integer' } } },
        },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const r = rules.find((x) => x.id === req.params.id);
      if (!r) throw new HttpError(404, 'not_found', `no alert rule ${req.params.id}`);
      const setting = { enabled: req.body.enabled, params: req.body.params ?? {} };
      const refused = checkRuleSetting(r, setting);
      if (refused) throw new HttpError(400, 'invalid_setting', refused);
      const out = await repo.putRuleSetting(p.tenantId, r.id, setting, p.subject, clock.now().toISOString());
      return { ruleId: r.id, actor: p.subject, before: out.before, after: out.after };
    },
  );

  http.get<{ Querystring: { limit?: string } }>(
    '/v1/alert-settings/audit',
    {
      schema: {
        summary: 'Audit of rule settings and exceptions: who, when, before, after',
        tags: ['rules'],
        querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'string', pattern: '^\\d{1,4}$' } } },
      },
    },
    async (req) => {
      const p = principalOf(req);
      return { entries: await repo.audit(p.tenantId, Math.min(Math.max(Number(req.query.limit ?? 100), 1), 1000)) };
    },
  );

  // ---- exceptions (allow-lists) ----

  const exceptionJson = (e: AlertException) => ({ ...e, active: isActive(e, clock.now()) });
  http.get('/v1/alert-exceptions', { schema: { summary: 'Exceptions (allow-lists), active and past', tags: ['exceptions'] } }, async (req) => {
    const p = principalOf(req);
    return { exceptions: (await repo.listExceptions(p.tenantId)).map(exceptionJson) };
  });

  http.post<{ Body: { scope: Record<string, string>; owner: string; reason: string; expiresAt: string } }>(
    '/v1/alert-exceptions',
    {
      schema: {
        summary: 'Add an exception: alerts in its scope are raised as suppressed until it expires',
        tags: ['exceptions'],
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['scope', 'owner', 'reason', 'expiresAt'],
          properties: {
            scope: {
              type: 'object',
              additionalProperties: false,
              minProperties: 1,
              properties: Object.fromEntries(EXCEPTION_SCOPE_FIELDS.map((f) => [f, { type: 'string', minLength: 1, maxLength: 128 }])),
            },
            owner: { type: 'string', minLength: 1, maxLength: 128 },
            reason,
            expiresAt: { type: 'string', format: 'date-time' },
          },
        },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      const now = clock.now();
      const expires = Date.parse(req.body.expiresAt);
      if (!(expires > now.getTime())) throw new HttpError(400, 'invalid_expiry', 'expiresAt must be in the future');
      if (expires - now.getTime() > 366 * 86_400_000) throw new HttpError(400, 'invalid_expiry', 'an exception lasts at most a year: review it, then add a new one');
      const e: AlertException = {
        id: randomUUID(),
        tenantId: p.tenantId,
        scope: req.body.scope,
        owner: req.body.owner.trim(),
        reason: req.body.reason.trim(),
        expiresAt: new Date(expires).toISOString(),
        createdBy: p.subject,
        createdAt: now.toISOString(),
      };
      await repo.createException(e);
      return reply.code(201).send({ exception: exceptionJson(e) });
    },
  );

  http.post<{ Params: { id: string } }>('/v1/alert-exceptions/:id/revoke', { schema: { summary: 'Revoke an exception now (audited)', tags: ['exceptions'], params: idParams } }, async (req) => {
    const p = principalOf(req);
    const e = await repo.revokeException(p.tenantId, req.params.id, p.subject, clock.now().toISOString());
    if (!e) throw new HttpError(404, 'not_found', `no exception ${req.params.id}`);
    return { exception: exceptionJson(e) };
  });

  // ---- findings feed ----

  http.get<{ Querystring: { after_cursor?: string; limit?: string } }>(
    '/v1/findings-feed',
    {
      schema: {
        summary: 'The tenant’s findings as alerting received them (raised / withdrawn), after a cursor',
        tags: ['findings'],
        querystring: { type: 'object', additionalProperties: false, properties: { after_cursor: { type: 'string', pattern: '^\\d{1,18}$' }, limit: { type: 'string', pattern: '^\\d{1,4}$' } } },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const after = Number(req.query.after_cursor ?? 0);
      const limit = Math.min(Math.max(Number(req.query.limit ?? 100), 1), 1000);
      const rows = await repo.findingsAfter(p.tenantId, after, limit);
      return { findings: rows.map((r) => ({ cursor: r.cursor, change: r.change, at: r.at, finding: findingJson(r.finding) })), nextCursor: rows.at(-1)?.cursor ?? after };
    },
  );

  http.get('/v1/alerting/states', { schema: { summary: 'Lifecycle states and dispositions', tags: ['alerts'] } }, async () => ({
    states: STATES.map((s) => ({ name: s, value: AlertStatus[STATUS_NAMES[s]!] })),
    dispositions: DISPOSITIONS,
  }));
}
