// REST adapter: every route has a JSON schema (fastify validates request bodies and queries
// with it — bad input is a 400 naming the field — and @fastify/swagger publishes it as OpenAPI).
// Tenant from the token; roles checked per route.
import { randomUUID } from 'node:crypto';
import { type Alert, AlertStatus, Severity } from '@customs/contracts';
import {
  type CsvColumn,
  HttpError,
  badCursor,
  createdCursor,
  csvOr,
  idCursor,
  listQuery,
  nextLink,
  obj,
  openObject as open,
  pageOf,
  principalOf,
  requireImporterVisible,
  sendCsv,
  sendPage,
  wantsCsv,
  type FastifyInstance,
} from '@customs/http';
import type { Clock } from '../app/correlate';
import type { AlertQuery, HistoryRecord, SortKey } from '../app/ports';
import { type Triage, TriageError } from '../app/triage';
import type { AlertRepo } from '../db/alert-repo';
import type { ListRepo } from '../db/list-repo';
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
// Response bodies: the alert, rule and exception views are open objects (alertJson, ruleJson and
// exceptionJson carry many fields; fastify's serialiser keeps every one).
const openList = { type: 'array', items: open } as const;
const oneAlert = obj({ alert: open });
const oneException = obj({ exception: open });

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
  throw badCursor();
}

const severityName = (s: Severity) => Severity[s]?.replace('SEVERITY_', '').toLowerCase() ?? '';

/** The alert list as an auditor downloads it (Accept: text/csv): one row per alert. */
const alertColumns = (today: string): CsvColumn<Alert>[] => [
  { header: 'alert_id', value: (a) => a.alertId },
  { header: 'alert_rule_id', value: (a) => a.alertRuleId },
  { header: 'title', value: (a) => a.title },
  { header: 'severity', value: (a) => severityName(a.severity) },
  { header: 'state', value: (a) => statusName(a.status) },
  { header: 'disposition', value: (a) => a.disposition },
  { header: 'assignee', value: (a) => a.assignee },
  { header: 'importer_eori', value: (a) => a.importerEori },
  { header: 'declarant_id', value: (a) => a.declarantId },
  { header: 'mrn', value: (a) => a.mrn },
  { header: 'rule_ids', value: (a) => a.ruleIds.join(' ') },
  { header: 'finding_count', value: (a) => a.findingIds.length },
  { header: 'exposure_pence', value: (a) => a.exposurePence },
  { header: 'reclaim_pence', value: (a) => a.reclaimPence },
  { header: 'deadline', value: (a) => a.deadline },
  { header: 'days_left', value: (a) => (a.deadline ? (alertJson(a, today).daysLeft as number) : '') },
  { header: 'created_at', value: (a) => a.createdAt },
  { header: 'updated_at', value: (a) => a.updatedAt },
];

const historyColumns: CsvColumn<HistoryRecord>[] = [
  { header: 'cursor', value: (h) => h.cursor },
  { header: 'at', value: (h) => h.at },
  { header: 'actor', value: (h) => h.actor },
  { header: 'kind', value: (h) => h.kind },
  { header: 'from', value: (h) => statusName(h.from) },
  { header: 'to', value: (h) => statusName(h.to) },
  { header: 'disposition', value: (h) => h.disposition },
  { header: 'reason', value: (h) => h.reason },
  { header: 'note', value: (h) => h.note },
];

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

export function registerRoutes(http: FastifyInstance, deps: { repo: AlertRepo; lists: ListRepo; triage: Triage; rules: readonly AlertRule[]; clock: Clock }): void {
  const { repo, lists, triage, rules, clock } = deps;
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
        summary: 'List, search, filter and sort alerts (cursor pages; CSV with Accept: text/csv)',
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
        response: { 200: csvOr(pageOf('alerts')) },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      const qs = req.query;
      // A broker (permissions.ts, brokerScoped) lists its importers' alerts: the one it names,
      // else all of them (a broker acting for several importers used to be refused unless it
      // named one).
      const importer = qs.importer;
      if (p.importers && importer !== undefined && !p.importers.includes(importer)) throw new HttpError(403, 'forbidden', `importer ${importer} is not one this broker acts for`);
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
        importers: importer === undefined ? p.importers : undefined,
        minPence: qs.min_pence === undefined ? undefined : Number(qs.min_pence),
        deadlineBefore: qs.deadline_before,
        search: qs.q,
        sort,
        order,
        // One row more than the page: whether another page follows (no empty last page).
        limit: limit + 1,
        after: qs.cursor ? decodeCursor(qs.cursor) : undefined,
      };
      const found = await repo.list(q);
      const alerts = found.alerts.slice(0, limit);
      const t = today();
      const nextCursor = found.alerts.length > limit ? encodeCursor(found.sortValues[limit - 1]!, alerts[limit - 1]!.alertId) : null;
      if (wantsCsv(req)) return sendCsv(reply, 'alerts.csv', alertColumns(t), alerts, nextCursor);
      const next = nextLink(req, nextCursor);
      if (next) reply.header('link', `<${next}>; rel="next"`);
      return { alerts: alerts.map((a) => alertJson(a, t)), next, nextCursor, sort, order };
    },
  );

  http.get<{ Params: { id: string } }>(
    '/v1/alerts/:id',
    { schema: { summary: 'One alert with its full history', tags: ['alerts'], params: idParams, response: { 200: obj({ alert: open, history: openList }), 404: error } } },
    async (req) => {
      const p = principalOf(req);
      const r = await repo.get(p.tenantId, req.params.id);
      if (!r) throw new HttpError(404, 'not_found', `no alert ${req.params.id}`);
      requireImporterVisible(p, r.alert.importerEori, `no alert ${req.params.id}`);
      return { alert: alertJson(r.alert, today()), history: r.history.map(historyJson) };
    },
  );

  // Oldest change first, in cursor pages (the history cursor of the page's last entry).
  http.get<{ Params: { id: string }; Querystring: { limit: number; cursor?: string } }>(
    '/v1/alerts/:id/history',
    {
      schema: {
        summary: 'Append-only history of an alert, oldest first (cursor pages; CSV with Accept: text/csv)',
        tags: ['alerts'],
        params: idParams,
        querystring: listQuery(1000, 500),
        response: { 200: csvOr(pageOf('history')) },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      const after = idCursor(req);
      const alert = await lists.alert(p.tenantId, req.params.id);
      if (!alert) throw new HttpError(404, 'not_found', `no alert ${req.params.id}`);
      requireImporterVisible(p, alert.importerEori, `no alert ${req.params.id}`);
      const rows = await lists.alertHistory(p.tenantId, req.params.id, after ?? 0, req.query.limit + 1);
      return sendPage(req, reply, {
        key: 'history',
        rows,
        limit: req.query.limit,
        keyOf: (h) => [h.cursor],
        json: historyJson,
        extra: { alertId: req.params.id },
        csv: { filename: `alert-${req.params.id}-history.csv`, columns: historyColumns },
      });
    },
  );

  const transitionBody = {
    type: 'object',
    additionalProperties: false,
    required: ['to', 'reason'],
    properties: { to: { type: 'string', enum: STATES }, reason, disposition: { type: 'string', enum: [...DISPOSITIONS] } },
  };
  http.post<{ Params: { id: string }; Body: { to: string; reason: string; disposition?: string } }>(
    '/v1/alerts/:id/transition',
    { schema: { summary: 'Move an alert through its lifecycle (reason required; disposition when resolving)', tags: ['triage'], params: idParams, body: transitionBody, response: { 200: oneAlert } } },
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
        response: { 200: obj({ changed: { type: 'integer' }, alerts: openList }) },
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
        response: { 200: oneAlert },
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
        response: { 200: oneAlert },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const changed = await wrap(() => triage.note(p.tenantId, req.params.id, p.subject, req.body.text));
      return { alert: alertJson(changed.alert!, today()) };
    },
  );

  // ---- rules and the tenant's settings of them ----

  http.get('/v1/alert-rules', { schema: { summary: 'Alert rules with this tenant’s settings', tags: ['rules'], response: { 200: obj({ rules: openList }) } } }, async (req) => {
    const p = principalOf(req);
    const settings = await repo.ruleSettings(p.tenantId);
    return { rules: rules.map((r) => ruleJson(r, settings.get(r.id))) };
  });

  http.get<{ Params: { id: string } }>('/v1/alert-rules/:id', { schema: { summary: 'One alert rule', tags: ['rules'], params: idParams, response: { 200: obj({ rule: open }) } } }, async (req) => {
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
        response: {
          200: obj({ ruleId: { type: 'string' }, actor: { type: 'string' }, before: { description: 'the setting before (null: none)' }, after: { description: 'the setting now' } }),
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

  http.get<{ Querystring: { limit: number; cursor?: string } }>(
    '/v1/alert-settings/audit',
    {
      schema: {
        summary: 'Audit of rule settings and exceptions: who, when, before, after; newest first (cursor pages; CSV with Accept: text/csv)',
        tags: ['rules'],
        querystring: listQuery(1000, 100),
        response: { 200: csvOr(pageOf('entries')) },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      const rows = await lists.settingsAudit(p.tenantId, req.query.limit + 1, idCursor(req));
      return sendPage(req, reply, {
        key: 'entries',
        rows,
        limit: req.query.limit,
        keyOf: (e) => [e.id],
        csv: {
          filename: 'alert-settings-audit.csv',
          columns: [
            { header: 'id', value: (e) => e.id },
            { header: 'at', value: (e) => e.at },
            { header: 'actor', value: (e) => e.actor },
            { header: 'subject_type', value: (e) => e.subjectType },
            { header: 'subject_id', value: (e) => e.subjectId },
            { header: 'before', value: (e) => JSON.stringify(e.before ?? null) },
            { header: 'after', value: (e) => JSON.stringify(e.after ?? null) },
          ],
        },
      });
    },
  );

  // ---- exceptions (allow-lists) ----

  const exceptionJson = (e: AlertException) => ({ ...e, active: isActive(e, clock.now()) });
  http.get<{ Querystring: { limit: number; cursor?: string } }>(
    '/v1/alert-exceptions',
    {
      schema: {
        summary: 'Exceptions (allow-lists), active and past, newest first (cursor pages; CSV with Accept: text/csv)',
        tags: ['exceptions'],
        querystring: listQuery(1000, 500),
        response: { 200: csvOr(pageOf('exceptions')) },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      const rows = await lists.exceptions(p.tenantId, req.query.limit + 1, createdCursor(req));
      return sendPage(req, reply, {
        key: 'exceptions',
        rows,
        limit: req.query.limit,
        keyOf: (e) => [e.createdAt, e.id],
        json: exceptionJson,
        csv: {
          filename: 'alert-exceptions.csv',
          columns: [
            { header: 'id', value: (e) => e.id },
            { header: 'scope', value: (e) => JSON.stringify(e.scope) },
            { header: 'owner', value: (e) => e.owner },
            { header: 'reason', value: (e) => e.reason },
            { header: 'active', value: (e) => isActive(e, clock.now()) },
            { header: 'expires_at', value: (e) => e.expiresAt },
            { header: 'revoked_at', value: (e) => e.revokedAt },
            { header: 'created_by', value: (e) => e.createdBy },
            { header: 'created_at', value: (e) => e.createdAt },
          ],
        },
      });
    },
  );

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
        response: { 201: oneException },
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

  http.post<{ Params: { id: string } }>(
    '/v1/alert-exceptions/:id/revoke',
    { schema: { summary: 'Revoke an exception now (audited)', tags: ['exceptions'], params: idParams, response: { 200: oneException } } },
    async (req) => {
      const p = principalOf(req);
      const e = await repo.revokeException(p.tenantId, req.params.id, p.subject, clock.now().toISOString());
      if (!e) throw new HttpError(404, 'not_found', `no exception ${req.params.id}`);
      return { exception: exceptionJson(e) };
    },
  );

  // ---- findings feed ----

  // A feed, not a snapshot: `nextCursor` is always the last cursor read (poll again from it);
  // `next` is the following page while this one was full, null once the feed is caught up.
  http.get<{ Querystring: { after_cursor?: string; limit?: string } }>(
    '/v1/findings-feed',
    {
      schema: {
        summary: 'The tenant’s findings as alerting received them (raised / withdrawn), after a cursor (CSV with Accept: text/csv)',
        tags: ['findings'],
        querystring: { type: 'object', additionalProperties: false, properties: { after_cursor: { type: 'string', pattern: '^\\d{1,18}$' }, limit: { type: 'string', pattern: '^\\d{1,4}$' } } },
        response: {
          200: csvOr({
            type: 'object',
            additionalProperties: true,
            properties: {
              findings: { type: 'array', items: { type: 'object', additionalProperties: true } },
              next: { type: ['string', 'null'], description: 'the next page while this one was full; null once caught up' },
              nextCursor: { type: 'integer', description: 'the last cursor read: poll again with after_cursor=nextCursor' },
            },
          }),
        },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      const after = Number(req.query.after_cursor ?? 0);
      const limit = Math.min(Math.max(Number(req.query.limit ?? 100), 1), 1000);
      const rows = await repo.findingsAfter(p.tenantId, after, limit + 1);
      const pageRows = rows.slice(0, limit);
      const last = pageRows.at(-1)?.cursor ?? after;
      let next: string | null = null;
      if (rows.length > limit) {
        const url = new URL(req.url, 'http://local');
        url.searchParams.set('after_cursor', String(last));
        next = `${url.pathname}?${url.searchParams.toString()}`;
        reply.header('link', `<${next}>; rel="next"`);
      }
      if (wantsCsv(req)) {
        const f = (r: (typeof rows)[number]) => r.finding;
        return sendCsv(
          reply,
          'findings-feed.csv',
          [
            { header: 'cursor', value: (r) => r.cursor },
            { header: 'change', value: (r) => r.change },
            { header: 'at', value: (r) => r.at },
            { header: 'finding_id', value: (r) => f(r).findingId },
            { header: 'rule_id', value: (r) => f(r).ruleId },
            { header: 'title', value: (r) => f(r).title },
            { header: 'severity', value: (r) => severityName(f(r).severity) },
            { header: 'declaration_id', value: (r) => f(r).declarationId },
            { header: 'mrn', value: (r) => f(r).mrn },
            { header: 'item_number', value: (r) => f(r).itemNumber },
            { header: 'importer_eori', value: (r) => f(r).importerEori },
            { header: 'exposure_duty_pence', value: (r) => f(r).exposureDutyPence },
            { header: 'exposure_vat_pence', value: (r) => f(r).exposureVatPence },
            { header: 'reclaim_duty_pence', value: (r) => f(r).reclaimDutyPence },
            { header: 'reclaim_vat_pence', value: (r) => f(r).reclaimVatPence },
            { header: 'deadline', value: (r) => f(r).deadline },
          ],
          pageRows,
        );
      }
      return { findings: pageRows.map((r) => ({ cursor: r.cursor, change: r.change, at: r.at, finding: findingJson(r.finding) })), next, nextCursor: last };
    },
  );

  http.get(
    '/v1/alerting/states',
    { schema: { summary: 'Lifecycle states and dispositions', tags: ['alerts'], response: { 200: obj({ states: openList, dispositions: { type: 'array', items: { type: 'string' } } }) } } },
    async () => ({
      states: STATES.map((s) => ({ name: s, value: AlertStatus[STATUS_NAMES[s]!] })),
      dispositions: DISPOSITIONS,
    }),
  );
}
