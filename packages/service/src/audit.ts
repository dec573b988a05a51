import { randomUUID } from 'node:crypto';
import { type AuditEntry, type Kysely, appendAudit, listAudit } from '@customs/db';
import { HttpError, type FastifyInstance, type FastifyRequest, csvOr, nextLink, pageOf, principalOf, sendCsv, wantsCsv } from '@customs/http';
import type { Logger } from '@customs/telemetry';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const SECRET_FIELD = /secret|password|token|key|credential|authorization/i;
const MAX_TEXT = 500;

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's id in audit entries and logs: the caller's X-Request-Id when well formed. */
    auditRequestId?: string;
  }
}

/**
 * The request's id: the server's own when it is a real one (the HTTP layer's id from the caller's
 * X-Request-Id, else a UUID), else the caller's X-Request-Id when well formed, else a new UUID —
 * never fastify's per-process counter ("req-1"), which repeats after every restart.
 */
function requestIdOf(req: FastifyRequest): string {
  const own = String(req.id);
  if (REQUEST_ID.test(own) && !/^req-\d+$/.test(own)) return own;
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/** Who, from where: the parts of an audit entry every channel fills the same way. */
export function auditActor(req: FastifyRequest): Pick<AuditEntry, 'tenantId' | 'subject' | 'role' | 'tokenId' | 'sourceIp' | 'userAgent' | 'requestId'> {
  const p = principalOf(req);
  const ua = req.headers['user-agent'];
  return {
    tenantId: p.tenantId,
    subject: p.subject,
    role: p.role,
    tokenId: p.tokenId,
    sourceIp: req.ip ?? '',
    userAgent: (Array.isArray(ua) ? ua.join(' ') : (ua ?? '')).slice(0, MAX_TEXT),
    requestId: req.auditRequestId ?? String(req.id),
  };
}

/**
 * What a change said, for the entry's details: the body's top-level scalar fields (an alert's
 * "to", "disposition" and "reason"; a rule's "enabled"), each cut to 500 characters, secrets
 * left out by name. Raw document bodies (uploads) are described by size only.
 */
function bodySummary(body: unknown): Record<string, unknown> | undefined {
  if (body === undefined || body === null) return undefined;
  if (Buffer.isBuffer(body)) return { bytes: body.length };
  if (typeof body !== 'object' || typeof (body as { pipe?: unknown }).pipe === 'function') return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body as Record<string, unknown>).slice(0, 50)) {
    if (SECRET_FIELD.test(k)) out[k] = '(not recorded)';
    else if (typeof v === 'string') out[k] = v.length > MAX_TEXT ? `${v.slice(0, MAX_TEXT)}… (${v.length} characters)` : v;
    else if (typeof v === 'number' || typeof v === 'boolean' || v === null) out[k] = v;
    else if (Array.isArray(v)) out[k] = v.length <= 20 && v.every((x) => typeof x === 'string' && x.length <= 100) ? v : `(${v.length} values)`;
    else out[k] = '(object)';
  }
  return out;
}

/**
 * The audit trail of a service's API (issue 11, defect 13): every request that may change state
 * (any method but GET/HEAD/OPTIONS) by an authenticated caller is recorded — subject, role,
 * tenant, source IP, user agent, request id, the route as action, the concrete path as target,
 * the outcome (2xx done, 4xx refused) and what the body said — before the answer leaves, so a
 * caller who got an answer has its entry. `GET /v1/admin/audit` (admin and auditor, by the
 * permission matrix) reads the tenant's trail, newest first, in pages.
 */
export function installAuditTrail(http: FastifyInstance, db: Kysely<unknown>, logger: Logger): void {
  http.addHook('onRequest', async (req, reply) => {
    req.auditRequestId = requestIdOf(req);
    if (!reply.hasHeader('x-request-id')) reply.header('x-request-id', req.auditRequestId);
  });
  http.addHook('onSend', async (req, reply, payload) => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return payload;
    if (!req.principal || req.routeOptions.url === undefined) return payload;
    // Refused before this hook's onRequest ran (the permission matrix's 403): an id now.
    if (req.auditRequestId === undefined) {
      req.auditRequestId = requestIdOf(req);
      if (!reply.hasHeader('x-request-id')) reply.header('x-request-id', req.auditRequestId);
    }
    const params = (req.params ?? {}) as Record<string, unknown>;
    const query = (req.query ?? {}) as Record<string, unknown>;
    const body = bodySummary(req.body);
    const entry: AuditEntry = {
      ...auditActor(req),
      action: `${req.method} ${req.routeOptions.url}`,
      target: req.url.split('?')[0]!.slice(0, 2000),
      outcome: reply.statusCode,
      details: { ...(Object.keys(params).length ? { params } : {}), ...(Object.keys(query).length ? { query } : {}), ...(body ? { body } : {}) },
    };
    try {
      await appendAudit(db, [entry]);
    } catch (e) {
      // The change itself is done (or refused); an entry that cannot be written is an incident.
      logger.error({ err: e, audit: entry }, 'audit entry could not be written');
    }
    return payload;
  });

  http.get<{ Querystring: { from?: string; to?: string; subject?: string; action?: string; cursor?: string; limit?: number } }>(
    '/v1/admin/audit',
    {
      schema: {
        summary: 'The audit trail of this service: who changed what, from where and when (cursor pages)',
        tags: ['admin'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            from: { type: 'string', format: 'date-time', description: 'entries at or after this time (ISO 8601 with zone)' },
            to: { type: 'string', format: 'date-time', description: 'entries before this time' },
            subject: { type: 'string', minLength: 1, maxLength: 200 },
            action: { type: 'string', minLength: 1, maxLength: 300, description: 'the route, e.g. "POST /v1/alerts/:id/transition"' },
            cursor: { type: 'string', pattern: '^[1-9][0-9]{0,15}$', description: 'the previous page’s nextCursor' },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          },
        },
        response: { 200: csvOr(pageOf('entries')) },
      },
    },
    async (req, reply) => {
      const p = principalOf(req);
      const q = req.query;
      if (q.from && q.to && Date.parse(q.from) >= Date.parse(q.to)) throw new HttpError(400, 'invalid_range', '"from" must be before "to"');
      const r = await listAudit(db, p.tenantId, { from: q.from, to: q.to, subject: q.subject, action: q.action, before: q.cursor ? Number(q.cursor) : undefined, limit: q.limit ?? 100 });
      // The cursor stays the plain entry id (clients written before `next` pass nextCursor back).
      const nextCursor = r.nextCursor === null ? null : String(r.nextCursor);
      if (wantsCsv(req))
        return sendCsv(
          reply,
          'audit-trail.csv',
          [
            { header: 'id', value: (e) => e.id },
            { header: 'at', value: (e) => e.at },
            { header: 'subject', value: (e) => e.subject },
            { header: 'role', value: (e) => e.role },
            { header: 'token_id', value: (e) => e.tokenId },
            { header: 'source_ip', value: (e) => e.sourceIp },
            { header: 'user_agent', value: (e) => e.userAgent },
            { header: 'request_id', value: (e) => e.requestId },
            { header: 'action', value: (e) => e.action },
            { header: 'target', value: (e) => e.target },
            { header: 'outcome', value: (e) => e.outcome },
            { header: 'details', value: (e) => JSON.stringify(e.details) },
          ],
          r.entries,
          nextCursor,
        );
      const next = nextLink(req, nextCursor);
      if (next) reply.header('link', `<${next}>; rel="next"`);
      return { entries: r.entries, next, nextCursor };
    },
  );
}
