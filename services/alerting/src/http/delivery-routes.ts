/**
 * REST of the delivery channels, all tenant-scoped:
 *   webhooks            POST/GET /v1/webhooks, GET/PATCH/DELETE /v1/webhooks/:id,
 *                       GET /v1/webhooks/:id/attempts, GET /v1/webhooks/:id/dead-letters,
 *                       POST /v1/webhooks/:id/dead-letters/:cursor/redeliver
 *   syslog              POST/GET /v1/syslog-destinations, GET/PATCH/DELETE /v1/syslog-destinations/:id
 *   SSE                 GET /v1/alerts/stream
 * Roles: configuring a channel sends the tenant's alerts outside the platform, so creating,
 * changing, deleting and redelivering need `admin`; analysts may read the configuration (never a
 * secret), the attempt log and the dead letters, and open the SSE stream.
 */
import { randomUUID } from 'node:crypto';
import { HttpError, createdCursor, csvOr, idCursor, obj, openObject as open, pageOf, principalOf, sendPage, type FastifyInstance } from '@customs/http';
import { filterToJson, parseDeliveryFilter, type DeliveryFilter, type FieldProblem } from '../policies/mapping';
import type { DeliveryRepo, SyslogDestinationRow, WebhookAttemptRow, WebhookRetryRow, WebhookSubscriptionRow } from '../db/delivery-repo';
import type { PostResult } from '../delivery/webhook';
import type { DeliveryConfig } from '../delivery/config';
import { streamAlertChanges, type HistoryTail } from '../delivery/sse';
import type { ChangeCache, Wakeup } from '../delivery/history';
import { checkHost, checkWebhookUrl } from '../delivery/targets';
import { newWebhookSecret } from '../delivery/webhook';

export interface DeliveryRouteDeps {
  repo: DeliveryRepo;
  config: DeliveryConfig;
  wakeup: Wakeup;
  cache: ChangeCache;
  tail: HistoryTail;
  closing: AbortSignal;
  /** Sends a signed test event to a subscription now. */
  sendTest(sub: WebhookSubscriptionRow): Promise<PostResult>;
  /** Called after a channel's configuration changed (the dispatchers re-read it). */
  changed(kind: 'webhook' | 'syslog'): void;
}

function bad(p: FieldProblem): never {
  throw new HttpError(400, 'invalid_field', `${p.field} ${p.message}`, { field: p.field });
}

function body(req: { body?: unknown }): Record<string, unknown> {
  const b = req.body;
  if (b === undefined || b === null) return {};
  if (typeof b !== 'object' || Array.isArray(b)) bad({ field: 'body', message: 'must be a JSON object' });
  return b as Record<string, unknown>;
}

function onlyKnown(b: Record<string, unknown>, known: string[]): void {
  const unknown = Object.keys(b).find((k) => !known.includes(k));
  if (unknown) bad({ field: unknown, message: `is not a known field; known: ${known.join(', ')}` });
}

function filterFrom(v: unknown, field = 'filters'): DeliveryFilter {
  const r = parseDeliveryFilter(v, field);
  if ('problem' in r) bad(r.problem);
  return r.filter;
}

function storedFilter(v: unknown): Record<string, unknown> {
  const parsed = parseDeliveryFilter(typeof v === 'string' ? JSON.parse(v) : v);
  return 'filter' in parsed ? filterToJson(parsed.filter) : {};
}

function cursorParam(v: unknown, field: string): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const s = String(v);
  if (!/^\d{1,15}$/.test(s) || (typeof v !== 'number' && typeof v !== 'string')) bad({ field, message: 'must be a whole number ≥ 0 (an alert_history cursor)' });
  return Number(s);
}

function limitParam(v: unknown): number {
  if (v === undefined || v === '') return 100;
  const s = String(v);
  const n = Number(s);
  if (!/^\d+$/.test(s) || n < 1 || n > 1000) bad({ field: 'limit', message: 'must be a whole number from 1 to 1000' });
  return n;
}

function text(v: unknown, field: string, max: number): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length > max) bad({ field, message: `must be a string of at most ${max} characters` });
  return v;
}

function bool(v: unknown, field: string): boolean | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') bad({ field, message: 'must be true or false' });
  return v;
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

function subscriptionView(s: WebhookSubscriptionRow) {
  // The secret is shown once, at creation; never again.
  return {
    id: s.subscription_id,
    url: s.url,
    description: s.description,
    filters: storedFilter(s.filters),
    enabled: s.enabled,
    cursor: s.cursor,
    createdBy: s.created_by,
    createdAt: iso(s.created_at),
    updatedAt: iso(s.updated_at),
  };
}

function attemptView(a: WebhookAttemptRow) {
  return { id: a.id, eventId: a.event_id, cursor: a.history_cursor, attempt: a.attempt, at: iso(a.at), statusCode: a.status_code, latencyMs: a.latency_ms, error: a.error, outcome: a.outcome };
}

function deadLetterView(r: WebhookRetryRow) {
  return { cursor: r.history_cursor, attempts: r.attempts, lastStatus: r.last_status, lastError: r.last_error, deadAt: iso(r.dead_at) };
}

function syslogView(d: SyslogDestinationRow) {
  return {
    id: d.destination_id,
    host: d.host,
    port: d.port,
    tls: d.tls,
    caPem: d.ca_pem || undefined,
    serverName: d.server_name || undefined,
    facility: d.facility,
    filters: storedFilter(d.filters),
    enabled: d.enabled,
    cursor: d.cursor,
    lastError: d.last_error,
    createdBy: d.created_by,
    createdAt: iso(d.created_at),
    updatedAt: iso(d.updated_at),
  };
}

function syslogFields(b: Record<string, unknown>, config: DeliveryConfig, partial: boolean) {
  const out: Partial<Pick<SyslogDestinationRow, 'host' | 'port' | 'tls' | 'ca_pem' | 'server_name' | 'facility' | 'filters' | 'enabled'>> = {};
  if (b.host !== undefined || !partial) {
    const host = text(b.host, 'host', 253);
    if (!host) bad({ field: 'host', message: 'is required: the receiver host name or IP address' });
    const p = checkHost(host, config.DELIVERY_ALLOWED_PRIVATE_HOSTS);
    if (p) bad(p);
    out.host = host.replace(/^\[(.*)\]$/, '$1');
  }
  if (b.port !== undefined || !partial) {
    if (typeof b.port !== 'number' || !Number.isInteger(b.port) || b.port < 1 || b.port > 65535) bad({ field: 'port', message: 'is required: a TCP port from 1 to 65535' });
    out.port = b.port;
  }
  const tls = bool(b.tls, 'tls');
  if (tls !== undefined) out.tls = tls;
  const ca = text(b.caPem, 'caPem', 64 * 1024);
  if (ca !== undefined) {
    if (ca && !/-----BEGIN CERTIFICATE-----/.test(ca)) bad({ field: 'caPem', message: 'must be PEM certificate(s) of the CA that signed the receiver' });
    out.ca_pem = ca;
  }
  const sn = text(b.serverName, 'serverName', 253);
  if (sn !== undefined) out.server_name = sn;
  if (b.facility !== undefined) {
    if (typeof b.facility !== 'number' || !Number.isInteger(b.facility) || b.facility < 0 || b.facility > 23)
      bad({ field: 'facility', message: 'must be a syslog facility number from 0 to 23 (16 = local0)' });
    out.facility = b.facility;
  }
  if (b.filters !== undefined) out.filters = filterToJson(filterFrom(b.filters));
  const enabled = bool(b.enabled, 'enabled');
  if (enabled !== undefined) out.enabled = enabled;
  return out;
}

// Route schemas for the OpenAPI document (@fastify/swagger). Validation stays in the handlers
// (attachValidation), so every refusal is the same 400 naming the field and why; unknown fields
// are refused there rather than silently dropped.
const filtersSchema = {
  type: 'object',
  description: 'Every present criterion must hold',
  properties: {
    minSeverity: { type: 'string', enum: ['info', 'low', 'medium', 'high', 'critical'] },
    // A comma list or an array; string first, so ajv's coercion leaves a comma list as it is.
    states: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }], description: 'new, acknowledged, in_progress, suppressed, resolved, expired, archived' },
    ruleIds: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }], description: 'alert rule (AR-001) or finding rule (C09) ids' },
    minPounds: { anyOf: [{ type: 'number' }, { type: 'string' }], description: 'money at stake (exposure + reclaim) in £, at most 2 decimals' },
  },
};
const idParams = { type: 'object', properties: { id: { type: 'string' } } };
const listQuery = { type: 'object', properties: { limit: { type: 'string', description: '1–1000, default 100' }, cursor: { type: 'string', description: 'from the previous page’s `next` link' } } };
const webhookBody = {
  type: 'object',
  properties: {
    url: { type: 'string', description: 'http(s) URL of the receiver (public address unless allowed by DELIVERY_ALLOWED_PRIVATE_HOSTS)' },
    description: { type: 'string', maxLength: 500 },
    filters: filtersSchema,
    startAfterCursor: { type: 'integer', description: 'deliver changes after this history cursor (0 = everything); default: from now on' },
    enabled: { type: 'boolean', description: 'PATCH only' },
  },
};
const syslogBody = {
  type: 'object',
  properties: {
    host: { type: 'string' },
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    tls: { type: 'boolean', description: 'default false' },
    caPem: { type: 'string', description: 'PEM of the CA that signed the receiver certificate (TLS); default: system CAs' },
    serverName: { type: 'string', description: 'name to check in the receiver certificate (default: host)' },
    facility: { type: 'integer', minimum: 0, maximum: 23, description: 'default 16 (local0)' },
    filters: filtersSchema,
    startAfterCursor: { type: 'integer' },
    enabled: { type: 'boolean', description: 'PATCH only' },
  },
};
// Response bodies: the subscription and destination views are open objects (every field of
// subscriptionView / syslogView is kept); a delete answers 204 with no body.
const oneSubscription = obj({ subscription: open });
const oneDestination = obj({ destination: open });
const noContent = { type: 'null', description: 'no body' } as const;
const doc = (summary: string, tags: string[], extra: Record<string, unknown> = {}) => ({ attachValidation: true, schema: { summary, tags, ...extra } });

export function registerDeliveryRoutes(app: FastifyInstance, deps: DeliveryRouteDeps): void {
  const { repo, config } = deps;

  // --- webhooks ----------------------------------------------------------------------------
  app.post(
    '/v1/webhooks',
    doc('Subscribe a webhook receiver (admin); the secret is in this answer only', ['webhooks'], {
      body: webhookBody,
      response: { 201: obj({ subscription: open, secret: { type: 'string' }, note: { type: 'string' } }) },
    }),
    async (req, reply) => {
      const p = principalOf(req);
      const b = body(req);
      onlyKnown(b, ['url', 'description', 'filters', 'startAfterCursor']);
      const u = checkWebhookUrl(b.url, config.DELIVERY_ALLOWED_PRIVATE_HOSTS);
      if ('problem' in u) bad(u.problem);
      const filters = filterToJson(filterFrom(b.filters));
      const secret = newWebhookSecret();
      const sub = await repo.createSubscription({
        subscription_id: randomUUID(),
        tenant_id: p.tenantId,
        url: u.url,
        description: text(b.description, 'description', 500) ?? '',
        secret,
        filters,
        created_by: `token:${p.tokenId}`,
        startAfterCursor: cursorParam(b.startAfterCursor, 'startAfterCursor'),
      });
      deps.changed('webhook');
      return reply.code(201).send({ subscription: subscriptionView(sub), secret, note: 'store the secret now: it is not shown again' });
    },
  );
  app.get<{ Querystring: { limit?: string; cursor?: string } }>(
    '/v1/webhooks',
    doc('Webhook subscriptions of the tenant (no secrets), oldest first (cursor pages)', ['webhooks'], { querystring: listQuery, response: { 200: pageOf('subscriptions') } }),
    async (req, reply) => {
      const p = principalOf(req);
      const limit = limitParam(req.query.limit);
      const rows = await repo.listSubscriptions(p.tenantId, limit + 1, createdCursor(req));
      return sendPage(req, reply, { key: 'subscriptions', rows, limit, keyOf: (s) => [iso(s.created_at)!, s.subscription_id], json: subscriptionView });
    },
  );
  const subscriptionOf = async (tenantId: string, id: string) => {
    const s = await repo.getSubscription(tenantId, id);
    if (!s) throw new HttpError(404, 'not_found', `no webhook subscription ${id}`);
    return s;
  };
  app.get<{ Params: { id: string } }>('/v1/webhooks/:id', doc('One webhook subscription', ['webhooks'], { params: idParams, response: { 200: oneSubscription } }), async (req) => {
    const p = principalOf(req);
    return { subscription: subscriptionView(await subscriptionOf(p.tenantId, req.params.id)) };
  });
  app.patch<{ Params: { id: string } }>(
    '/v1/webhooks/:id',
    doc('Change a subscription: url, description, filters, enabled (admin)', ['webhooks'], { params: idParams, body: webhookBody, response: { 200: oneSubscription } }),
    async (req) => {
      const p = principalOf(req);
      const b = body(req);
      onlyKnown(b, ['url', 'description', 'filters', 'enabled']);
      const patch: Parameters<DeliveryRepo['updateSubscription']>[2] = {};
      if (b.url !== undefined) {
        const u = checkWebhookUrl(b.url, config.DELIVERY_ALLOWED_PRIVATE_HOSTS);
        if ('problem' in u) bad(u.problem);
        patch.url = u.url;
      }
      if (b.filters !== undefined) patch.filters = filterToJson(filterFrom(b.filters));
      patch.description = text(b.description, 'description', 500);
      patch.enabled = bool(b.enabled, 'enabled');
      const s = await repo.updateSubscription(p.tenantId, req.params.id, patch);
      if (!s) throw new HttpError(404, 'not_found', `no webhook subscription ${req.params.id}`);
      deps.changed('webhook');
      return { subscription: subscriptionView(s) };
    },
  );
  app.delete<{ Params: { id: string } }>(
    '/v1/webhooks/:id',
    doc('Delete a subscription with its queue and log (admin)', ['webhooks'], { params: idParams, response: { 204: noContent } }),
    async (req, reply) => {
      const p = principalOf(req);
      if (!(await repo.deleteSubscription(p.tenantId, req.params.id))) throw new HttpError(404, 'not_found', `no webhook subscription ${req.params.id}`);
      deps.changed('webhook');
      return reply.code(204).send();
    },
  );
  // Cursor pages (next, Link): newest attempt first, keyed by attempt id (`before` still works).
  app.get<{ Params: { id: string }; Querystring: { limit?: string; before?: string; cursor?: string } }>(
    '/v1/webhooks/:id/attempts',
    doc('Delivery attempts, newest first: status code, latency, error, outcome (cursor pages; CSV with Accept: text/csv)', ['webhooks'], {
      params: idParams,
      querystring: {
        type: 'object',
        properties: {
          limit: { type: 'string' },
          before: { type: 'string', description: 'attempt id to page before' },
          cursor: { type: 'string', description: 'from the previous page’s `next` link' },
        },
      },
      response: { 200: csvOr(pageOf('attempts')) },
    }),
    async (req, reply) => {
      const p = principalOf(req);
      await subscriptionOf(p.tenantId, req.params.id);
      const limit = limitParam(req.query.limit);
      const before = idCursor(req) ?? cursorParam(req.query.before, 'before');
      const rows = await repo.listAttempts(p.tenantId, req.params.id, limit + 1, before);
      return sendPage(req, reply, {
        key: 'attempts',
        rows,
        limit,
        keyOf: (a) => [Number(a.id)],
        json: attemptView,
        csv: {
          filename: `webhook-${req.params.id}-attempts.csv`,
          columns: [
            { header: 'id', value: (a) => a.id },
            { header: 'at', value: (a) => iso(a.at) },
            { header: 'event_id', value: (a) => a.event_id },
            { header: 'history_cursor', value: (a) => a.history_cursor },
            { header: 'attempt', value: (a) => a.attempt },
            { header: 'status_code', value: (a) => a.status_code },
            { header: 'latency_ms', value: (a) => a.latency_ms },
            { header: 'outcome', value: (a) => a.outcome },
            { header: 'error', value: (a) => a.error },
          ],
        },
      });
    },
  );
  app.get<{ Params: { id: string }; Querystring: { limit?: string; cursor?: string } }>(
    '/v1/webhooks/:id/dead-letters',
    doc('Deliveries that used every attempt, in history order (cursor pages)', ['webhooks'], { params: idParams, querystring: listQuery, response: { 200: pageOf('deadLetters') } }),
    async (req, reply) => {
      const p = principalOf(req);
      await subscriptionOf(p.tenantId, req.params.id);
      const limit = limitParam(req.query.limit);
      const rows = await repo.listDeadLetters(p.tenantId, req.params.id, limit + 1, idCursor(req) ?? 0);
      return sendPage(req, reply, { key: 'deadLetters', rows, limit, keyOf: (r) => [Number(r.history_cursor)], json: deadLetterView });
    },
  );
  app.post<{ Params: { id: string; cursor: string } }>(
    '/v1/webhooks/:id/dead-letters/:cursor/redeliver',
    doc('Queue a dead letter again, now, with a fresh attempt budget (admin)', ['webhooks'], {
      params: { type: 'object', properties: { id: { type: 'string' }, cursor: { type: 'string' } } },
      response: { 202: obj({ redelivering: obj({ cursor: { type: 'integer' } }) }) },
    }),
    async (req, reply) => {
      const p = principalOf(req);
      await subscriptionOf(p.tenantId, req.params.id);
      const cursor = cursorParam(req.params.cursor, 'cursor')!;
      if (!(await repo.redeliver(p.tenantId, req.params.id, cursor))) throw new HttpError(404, 'not_found', `no dead letter at cursor ${cursor} for webhook subscription ${req.params.id}`);
      deps.changed('webhook');
      return reply.code(202).send({ redelivering: { cursor } });
    },
  );

  app.post<{ Params: { id: string } }>(
    '/v1/webhooks/:id/test',
    doc('Send a signed test event (type customs.alerting.webhook.test.v1) now and answer with what the receiver said (admin)', ['webhooks'], {
      params: idParams,
      response: { 200: obj({ delivered: { type: 'boolean' }, statusCode: { type: ['integer', 'null'] }, latencyMs: { type: 'number' }, error: { type: ['string', 'null'] } }) },
    }),
    async (req) => {
      const p = principalOf(req);
      const r = await deps.sendTest(await subscriptionOf(p.tenantId, req.params.id));
      return { delivered: r.error === undefined, statusCode: r.status ?? null, latencyMs: r.latencyMs, error: r.error ?? null };
    },
  );

  // --- syslog destinations -----------------------------------------------------------------
  app.post(
    '/v1/syslog-destinations',
    doc('Send the tenant’s alert changes as CEF over syslog (RFC 5424, TCP or TLS) (admin)', ['syslog'], { body: syslogBody, response: { 201: oneDestination } }),
    async (req, reply) => {
      const p = principalOf(req);
      const b = body(req);
      onlyKnown(b, ['host', 'port', 'tls', 'caPem', 'serverName', 'facility', 'filters', 'startAfterCursor']);
      const f = syslogFields(b, config, false);
      const d = await repo.createSyslogDestination({
        destination_id: randomUUID(),
        tenant_id: p.tenantId,
        host: f.host!,
        port: f.port!,
        tls: f.tls ?? false,
        ca_pem: f.ca_pem ?? '',
        server_name: f.server_name ?? '',
        facility: f.facility ?? 16,
        filters: f.filters ?? {},
        created_by: `token:${p.tokenId}`,
        startAfterCursor: cursorParam(b.startAfterCursor, 'startAfterCursor'),
      });
      deps.changed('syslog');
      return reply.code(201).send({ destination: syslogView(d) });
    },
  );
  app.get<{ Querystring: { limit?: string; cursor?: string } }>(
    '/v1/syslog-destinations',
    doc('Syslog destinations of the tenant, oldest first (cursor pages)', ['syslog'], { querystring: listQuery, response: { 200: pageOf('destinations') } }),
    async (req, reply) => {
      const p = principalOf(req);
      const limit = limitParam(req.query.limit);
      const rows = await repo.listSyslogDestinations(p.tenantId, limit + 1, createdCursor(req));
      return sendPage(req, reply, { key: 'destinations', rows, limit, keyOf: (d) => [iso(d.created_at)!, d.destination_id], json: syslogView });
    },
  );
  app.get<{ Params: { id: string } }>(
    '/v1/syslog-destinations/:id',
    doc('One syslog destination, with its last connection error', ['syslog'], { params: idParams, response: { 200: oneDestination } }),
    async (req) => {
      const p = principalOf(req);
      const d = await repo.getSyslogDestination(p.tenantId, req.params.id);
      if (!d) throw new HttpError(404, 'not_found', `no syslog destination ${req.params.id}`);
      return { destination: syslogView(d) };
    },
  );
  app.patch<{ Params: { id: string } }>(
    '/v1/syslog-destinations/:id',
    doc('Change a syslog destination (admin)', ['syslog'], { params: idParams, body: syslogBody, response: { 200: oneDestination } }),
    async (req) => {
      const p = principalOf(req);
      const b = body(req);
      onlyKnown(b, ['host', 'port', 'tls', 'caPem', 'serverName', 'facility', 'filters', 'enabled']);
      const d = await repo.updateSyslogDestination(p.tenantId, req.params.id, syslogFields(b, config, true));
      if (!d) throw new HttpError(404, 'not_found', `no syslog destination ${req.params.id}`);
      deps.changed('syslog');
      return { destination: syslogView(d) };
    },
  );
  app.delete<{ Params: { id: string } }>(
    '/v1/syslog-destinations/:id',
    doc('Delete a syslog destination (admin)', ['syslog'], { params: idParams, response: { 204: noContent } }),
    async (req, reply) => {
      const p = principalOf(req);
      if (!(await repo.deleteSyslogDestination(p.tenantId, req.params.id))) throw new HttpError(404, 'not_found', `no syslog destination ${req.params.id}`);
      deps.changed('syslog');
      return reply.code(204).send();
    },
  );

  // --- SSE ---------------------------------------------------------------------------------
  app.get<{ Querystring: Record<string, string | undefined> }>(
    '/v1/alerts/stream',
    // The data is already the CloudEvent's JSON text: sent as it is, not JSON-encoded again.
    {
      sse: { kind: 'only', serializer: (d: unknown) => String(d) },
      ...doc('Server-Sent Events of the tenant’s alert changes (id = history cursor; Last-Event-ID resumes)', ['delivery'], {
        querystring: {
          type: 'object',
          properties: {
            minSeverity: { type: 'string' },
            states: { type: 'string', description: 'comma list' },
            ruleIds: { type: 'string', description: 'comma list' },
            minPounds: { type: 'string' },
            lastEventId: { type: 'string', description: 'first connection only; then the Last-Event-ID header' },
          },
        },
      }),
    },
    async (req, reply) => {
      const p = principalOf(req);
      const { lastEventId, ...filterQuery } = req.query;
      const filter = filterFrom(filterQuery, 'query');
      const header = req.headers['last-event-id'];
      const resume = cursorParam(Array.isArray(header) ? header[0] : (header ?? lastEventId), header !== undefined ? 'Last-Event-ID' : 'lastEventId');
      // Without a position the stream starts now; lastEventId=0 replays the tenant's history.
      const afterCursor = resume ?? (await repo.latestCursor(principalOf(req).tenantId));
      await streamAlertChanges(reply, { repo, tail: deps.tail, cache: deps.cache, closing: deps.closing }, { tenantId: p.tenantId, afterCursor, filter });
    },
  );
}
