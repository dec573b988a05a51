// The console's own fastify process: serves the built page (@fastify/static), exchanges a bearer
// token for a server-side session, and answers the page's /api calls by calling the services'
// public REST APIs with the session's token (never their databases). Alerting's SSE stream is
// relayed to the browser, so the page is live without polling.
import * as path from 'node:path';
import { Readable } from 'node:stream';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import { TokenAuthenticator, hasRole, roleHas, type Principal } from '@customs/config';
import type { ConsoleConfig } from './config';
import { COOKIE, SessionStore, csrfMatches, type Session } from './sessions';

type Service = 'ingestion' | 'reference' | 'validation' | 'scoring' | 'alerting' | 'reporting';

export interface ConsoleServer {
  app: FastifyInstance;
  url: string;
  stop(): Promise<void>;
}

declare module 'fastify' {
  interface FastifyRequest {
    session?: Session;
  }
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
// What ingestion's /v1/documents reads; the page sends anything else as application/octet-stream.
const UPLOAD_TYPES = [
  'application/xml',
  'text/xml',
  'text/csv',
  'application/octet-stream',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.oasis.opendocument.spreadsheet',
  'application/vnd.oasis.opendocument.spreadsheet-flat-xml',
];
// What the page may ask of alerting's list: passed through by name only.
const ALERT_QUERY = ['state', 'status', 'severity', 'rule', 'rule_type', 'broker', 'importer', 'min_pence', 'deadline_before', 'q', 'sort', 'order', 'limit', 'cursor'];
const STREAM_QUERY = ['minSeverity', 'states', 'ruleIds', 'minPounds'];

function pick(q: unknown, names: string[]): string {
  const src = (q ?? {}) as Record<string, unknown>;
  const out = new URLSearchParams();
  for (const n of names) if (typeof src[n] === 'string' && src[n] !== '') out.set(n, src[n] as string);
  const s = out.toString();
  return s ? `?${s}` : '';
}
const enc = encodeURIComponent;

export async function startConsoleServer(config: ConsoleConfig, opts: { auth?: TokenAuthenticator } = {}): Promise<ConsoleServer> {
  const auth = opts.auth ?? TokenAuthenticator.fromConfig(config);
  const sessions = new SessionStore(config.SESSION_TTL_MINUTES * 60_000);
  const base: Record<Service, string> = {
    ingestion: config.INGESTION_URL,
    reference: config.REFERENCE_URL,
    validation: config.VALIDATION_URL,
    scoring: config.SCORING_URL,
    alerting: config.ALERTING_URL,
    reporting: config.REPORTING_URL,
  };
  const webRoot = config.WEB_ROOT || path.resolve(__dirname, '..', 'web');
  const streams = new Set<AbortController>();

  const app = Fastify({ logger: { level: config.LOG_LEVEL }, bodyLimit: 10 * 1024 * 1024, forceCloseConnections: true });
  await app.register(cookie);
  // A strict CSP: the page is our own bundle, talks only to its own origin, is never framed.
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    // Served over plain HTTP on a developer machine; HSTS belongs to the TLS proxy in front.
    hsts: false,
  });
  // Uploads for re-submission arrive as the file's bytes.
  app.addContentTypeParser(UPLOAD_TYPES, { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  // Sessions and CSRF for everything under /api except signing in.
  app.addHook('onRequest', async (req, reply) => {
    const url = req.url.split('?')[0]!;
    if (!url.startsWith('/api/')) return;
    reply.header('cache-control', 'no-store');
    if (url === '/api/session' && (req.method === 'POST' || req.method === 'GET')) {
      req.session = sessions.get(req.cookies[COOKIE]);
      return;
    }
    const s = sessions.get(req.cookies[COOKIE]);
    if (!s) return reply.code(401).send({ error: 'unauthenticated', message: 'sign in first' });
    if (STATE_CHANGING.has(req.method)) {
      // Defence in depth behind SameSite=Strict: the CSRF token, and no foreign Origin.
      if (!csrfMatches(s, req.headers['x-csrf-token'])) return reply.code(403).send({ error: 'csrf', message: 'missing or wrong x-csrf-token header' });
      const origin = req.headers.origin;
      if (origin && origin !== `${req.protocol}://${req.headers.host}`) return reply.code(403).send({ error: 'origin', message: 'state changes from another origin are refused' });
    }
    req.session = s;
  });

  const need = (req: FastifyRequest, role: Principal['role']) => {
    const p = req.session!.principal;
    if (!hasRole(p, role)) throw Object.assign(new Error(`your role (${p.role}) cannot do this: it needs ${role}`), { statusCode: 403, code: 'forbidden' });
    return p;
  };
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string; validation?: unknown }, _req, reply) => {
    const status = err.statusCode ?? 500;
    if (status >= 500) app.log.error({ err }, 'console error');
    void reply.code(status).send({ error: err.code ?? 'error', message: status >= 500 ? 'internal error' : err.message });
  });

  /** One call to a service with the session's token; the service's answer and status as they are. */
  async function call(req: FastifyRequest, service: Service, method: string, p: string, body?: unknown, contentType?: string): Promise<{ status: number; body: any }> {
    const headers: Record<string, string> = { authorization: `Bearer ${req.session!.token}`, accept: 'application/json' };
    let payload: string | Buffer | undefined;
    if (body !== undefined) {
      payload = Buffer.isBuffer(body) ? body : JSON.stringify(body);
      headers['content-type'] = contentType ?? 'application/json';
    }
    try {
      const res = await fetch(`${base[service]}${p}`, { method, headers, body: payload, signal: AbortSignal.timeout(30_000) });
      const text = await res.text();
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = { error: 'bad_upstream', message: text.slice(0, 200) };
      }
      return { status: res.status, body: json };
    } catch (e) {
      return { status: 503, body: { error: 'unavailable', message: `${service} is not reachable (${(e as Error).message})` } };
    }
  }
  const relay = async (reply: FastifyReply, r: Promise<{ status: number; body: unknown }>) => {
    const x = await r;
    return reply.code(x.status).send(x.body);
  };

  // ---- session ----
  app.post<{ Body: { token?: unknown } }>('/api/session', async (req, reply) => {
    // JSON only: a cross-site form cannot send it, and fetch from another origin needs CORS we never grant.
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) return reply.code(415).send({ error: 'unsupported_media_type', message: 'send {"token": "…"} as application/json' });
    const origin = req.headers.origin;
    if (origin && origin !== `${req.protocol}://${req.headers.host}`) return reply.code(403).send({ error: 'origin', message: 'sign-in from another origin refused' });
    const token = typeof req.body?.token === 'string' ? req.body.token.trim() : '';
    const principal = token ? auth.authenticate(`Bearer ${token}`) : undefined;
    if (!principal) return reply.code(401).send({ error: 'invalid_token', message: 'that token is not known to the platform' });
    sessions.delete(req.cookies[COOKIE]);
    const s = sessions.create(token, principal);
    // A browser-session cookie: the idle timeout is the server's (sliding), closing the browser ends it.
    reply.setCookie(COOKIE, s.id, { httpOnly: true, sameSite: 'strict', secure: config.COOKIE_SECURE, path: '/' });
    return { ...view(s) };
  });
  app.get('/api/session', async (req, reply) => {
    if (!req.session) return reply.code(401).send({ error: 'unauthenticated', message: 'sign in first' });
    return view(req.session);
  });
  app.delete('/api/session', async (req, reply) => {
    sessions.delete(req.session!.id);
    reply.clearCookie(COOKIE, { path: '/' });
    return reply.code(204).send();
  });
  const view = (s: Session) => ({
    tenant: s.principal.tenantId,
    role: s.principal.role,
    subject: s.principal.subject,
    csrf: s.csrf,
    // From the permission matrix (@customs/config permissions.ts), so the views offered are the
    // ones the services will answer: an auditor reads everything, a broker its importers' alerts.
    can: {
      read: roleHas(s.principal.role, 'data:read'),
      triage: roleHas(s.principal.role, 'triage'),
      submit: roleHas(s.principal.role, 'submit'),
      admin: s.principal.role === 'admin',
    },
  });

  // ---- alerts ----
  app.get('/api/alerts', async (req, reply) => relay(reply, call(req, 'alerting', 'GET', `/v1/alerts${pick(req.query, ALERT_QUERY)}`)));
  app.get<{ Params: { id: string } }>('/api/alerts/:id', async (req, reply) => relay(reply, call(req, 'alerting', 'GET', `/v1/alerts/${enc(req.params.id)}`)));
  // Everything the detail page shows, gathered in parallel: the alert and its history, the full
  // findings (evidence, explanation, reference versions) of its declarations, the first
  // declaration's fields, the alert rule's text and hash, the finding rules' metadata.
  app.get<{ Params: { id: string } }>('/api/alerts/:id/detail', async (req, reply) => {
    const a = await call(req, 'alerting', 'GET', `/v1/alerts/${enc(req.params.id)}`);
    if (a.status !== 200) return reply.code(a.status).send(a.body);
    const alert = a.body.alert;
    const declIds: string[] = [...new Set<string>([alert.declarationId, ...(alert.declarationIds ?? [])].filter(Boolean))].slice(0, 20);
    const [findings, declaration, rule, rules] = await Promise.all([
      Promise.all(declIds.map((d) => call(req, 'validation', 'GET', `/v1/declarations/${enc(d)}/findings`))),
      declIds[0] ? call(req, 'ingestion', 'GET', `/v1/declarations/${enc(declIds[0])}`) : Promise.resolve({ status: 404, body: undefined }),
      call(req, 'alerting', 'GET', `/v1/alert-rules/${enc(alert.alertRuleId)}`),
      call(req, 'validation', 'GET', '/v1/rules'),
    ]);
    const wanted = new Set<string>(alert.findingIds ?? []);
    const full = findings.flatMap((f) => (f.status === 200 ? f.body.findings : [])).filter((f: any) => wanted.has(f.findingId));
    const ruleIds = new Set<string>(alert.ruleIds ?? []);
    return {
      alert,
      history: a.body.history,
      findings: full,
      declaration: declaration.status === 200 ? declaration.body : null,
      alertRule: rule.status === 200 ? rule.body.rule : null,
      findingRules: rules.status === 200 ? rules.body.rules.filter((r: any) => ruleIds.has(r.id)) : [],
    };
  });
  for (const action of ['transition', 'assign', 'notes'] as const) {
    app.post<{ Params: { id: string } }>(`/api/alerts/:id/${action}`, async (req, reply) => {
      need(req, 'analyst');
      return relay(reply, call(req, 'alerting', 'POST', `/v1/alerts/${enc(req.params.id)}/${action}`, req.body ?? {}));
    });
  }
  app.post('/api/alerts/bulk-transition', async (req, reply) => {
    need(req, 'analyst');
    return relay(reply, call(req, 'alerting', 'POST', '/v1/alerts/bulk-transition', req.body ?? {}));
  });
  app.get('/api/alerting/states', async (req, reply) => relay(reply, call(req, 'alerting', 'GET', '/v1/alerting/states')));
  app.get('/api/alert-rules', async (req, reply) => relay(reply, call(req, 'alerting', 'GET', '/v1/alert-rules')));

  // Deadlines: open alerts with a deadline in the next 180 days, bucketed by days left (30/90/180)
  // with £ totals. The alert carries its findings' money, so the sums are the alerts'.
  app.get('/api/deadlines', async (req, reply) => {
    const until = new Date(Date.now() + 181 * 86_400_000).toISOString().slice(0, 10);
    const alerts: any[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const r = await call(req, 'alerting', 'GET', `/v1/alerts?state=new,acknowledged,in_progress&deadline_before=${until}&sort=deadline&limit=1000${cursor ? `&cursor=${enc(cursor)}` : ''}`);
      if (r.status !== 200) return reply.code(r.status).send(r.body);
      alerts.push(...r.body.alerts);
      cursor = r.body.nextCursor;
      if (!cursor) break;
    }
    const buckets = [30, 90, 180].map((days) => {
      const inside = alerts.filter((a) => a.hasDeadline && a.daysLeft !== null && a.daysLeft >= 0 && a.daysLeft <= days);
      return { days, alerts: inside.length, exposurePence: inside.reduce((s, a) => s + Number(a.exposurePence), 0), reclaimPence: inside.reduce((s, a) => s + Number(a.reclaimPence), 0) };
    });
    // Open alerts whose deadline has already gone: money that can no longer be reclaimed (or
    // demanded), shown so it is not silently dropped from the view.
    const gone = alerts.filter((a) => a.hasDeadline && a.daysLeft !== null && a.daysLeft < 0);
    const passed = { alerts: gone.length, exposurePence: gone.reduce((s, a) => s + Number(a.exposurePence), 0), reclaimPence: gone.reduce((s, a) => s + Number(a.reclaimPence), 0) };
    return { buckets, passed, alerts: alerts.filter((a) => a.hasDeadline && a.daysLeft >= 0 && a.daysLeft <= 180), truncated: cursor !== null };
  });

  // ---- declarations ----
  app.get<{ Params: { id: string }; Querystring: { version?: string } }>('/api/declarations/:id', async (req, reply) => {
    const id = enc(req.params.id);
    const version = /^\d{1,6}$/.test(req.query.version ?? '') ? `?version=${req.query.version}` : '';
    const [decl, versions, findings, scored] = await Promise.all([
      call(req, 'ingestion', 'GET', `/v1/declarations/${id}${version}`),
      call(req, 'ingestion', 'GET', `/v1/declarations/${id}/versions`),
      call(req, 'validation', 'GET', `/v1/declarations/${id}/findings?includeSuperseded=true`),
      call(req, 'scoring', 'GET', `/v1/declarations/${id}/scored-lines`),
    ]);
    if (decl.status !== 200) return reply.code(decl.status).send(decl.body);
    // The tariff the lines are judged against: reference's rates for each commodity code and
    // origin on the acceptance date (the first 50 distinct pairs: a declaration has up to 999 items).
    const date = /^\d{4}-\d{2}-\d{2}$/.test(decl.body.acceptanceDate ?? '') ? decl.body.acceptanceDate : '';
    const pairs = [...new Set<string>((decl.body.items ?? []).map((i: any) => `${i.commodityCode}|${i.originCountry ?? ''}`))].slice(0, 50);
    const rates: Record<string, unknown> = {};
    await Promise.all(
      pairs.map(async (pair) => {
        const [code, origin] = pair.split('|') as [string, string];
        if (!/^\d{8,10}$/.test(code)) return;
        const r = await call(req, 'reference', 'GET', `/v1/rates/${code}?${new URLSearchParams({ ...(origin ? { origin } : {}), ...(date ? { date } : {}) })}`);
        if (r.status === 200) rates[pair] = r.body;
      }),
    );
    return {
      rates,
      declaration: decl.body,
      versions: versions.status === 200 ? versions.body : null,
      findings: findings.status === 200 ? findings.body.findings : [],
      score: scored.status === 200 ? scored.body.score : null,
    };
  });

  // ---- ingestion ----
  app.get('/api/batches', async (req, reply) => relay(reply, call(req, 'ingestion', 'GET', `/v1/batches${pick(req.query, ['limit'])}`)));
  app.get<{ Params: { id: string } }>('/api/batches/:id', async (req, reply) => relay(reply, call(req, 'ingestion', 'GET', `/v1/batches/${enc(req.params.id)}`)));
  app.get('/api/not-checked', async (req, reply) => relay(reply, call(req, 'validation', 'GET', `/v1/not-checked${pick(req.query, ['limit', 'before', 'declarationId'])}`)));
  // Re-upload of a corrected document: the file's bytes go to ingestion as a new batch.
  app.post<{ Querystring: { filename?: string; format?: string } }>('/api/documents', async (req, reply) => {
    need(req, 'integrator');
    if (!Buffer.isBuffer(req.body) || req.body.length === 0) return reply.code(400).send({ error: 'empty_body', message: 'choose a file to upload' });
    return relay(reply, call(req, 'ingestion', 'POST', `/v1/documents${pick(req.query, ['filename', 'format'])}`, req.body, String(req.headers['content-type'])));
  });

  // ---- scoring ----
  // Every broker of the month, not the first page: the view ranks and compares them all. Pages of
  // 1,000 followed along `next`, at most 20 (20,000 brokers in a month); beyond, `truncated` says so.
  app.get('/api/scorecards/brokers', async (req, reply) => {
    let path: string | null = `/v1/scorecards/brokers${pick(req.query, ['month', 'agent'])}`;
    path = `${path}${path.includes('?') ? '&' : '?'}limit=1000`;
    let first: { status: number; body: any } | undefined;
    const scorecards: unknown[] = [];
    for (let pages = 0; path && pages < 20; pages++) {
      const r = await call(req, 'scoring', 'GET', path);
      if (r.status !== 200) return reply.code(r.status).send(r.body);
      first ??= r;
      scorecards.push(...(r.body?.scorecards ?? []));
      path = typeof r.body?.next === 'string' ? r.body.next : null;
    }
    return { ...first!.body, scorecards, next: null, nextCursor: null, truncated: path !== null };
  });
  app.get<{ Params: { type: string; id: string } }>('/api/trends/:type/:id', async (req, reply) =>
    relay(reply, call(req, 'scoring', 'GET', `/v1/trends/${enc(req.params.type)}/${enc(req.params.id)}`)),
  );
  app.get<{ Params: { type: string } }>('/api/scores/:type', async (req, reply) => relay(reply, call(req, 'scoring', 'GET', `/v1/scores/${enc(req.params.type)}${pick(req.query, ['limit'])}`)));
  app.get<{ Params: { id: string } }>('/api/importers/:id/readiness', async (req, reply) => relay(reply, call(req, 'scoring', 'GET', `/v1/importers/${enc(req.params.id)}/readiness`)));
  app.get<{ Params: { id: string } }>('/api/importers/:id/duty-under-management', async (req, reply) =>
    relay(reply, call(req, 'scoring', 'GET', `/v1/importers/${enc(req.params.id)}/duty-under-management`)),
  );

  // ---- reporting: C285 / C2001 drafts computed by the reporting service from the tenant's findings ----
  app.post<{ Body: { kind?: string; importer?: string } }>('/api/drafts', async (req, reply) => {
    need(req, 'analyst');
    const { kind, importer } = req.body ?? {};
    return relay(reply, call(req, 'reporting', 'POST', '/v1/drafts', { kind, ...(importer ? { importer } : {}) }));
  });
  app.get<{ Params: { id: string } }>('/api/drafts/:id', async (req, reply) => relay(reply, call(req, 'reporting', 'GET', `/v1/drafts/${enc(req.params.id)}`)));
  // The drafted document is downloaded, never rendered in the console's origin.
  app.get<{ Params: { id: string }; Querystring: { format?: string } }>('/api/drafts/:id/document', async (req, reply) => {
    const format = req.query.format === 'csv' ? 'csv' : 'html';
    try {
      const res = await fetch(`${base.reporting}/v1/drafts/${enc(req.params.id)}/document?format=${format}`, {
        headers: { authorization: `Bearer ${req.session!.token}` },
        signal: AbortSignal.timeout(30_000),
      });
      const body = Buffer.from(await res.arrayBuffer());
      if (res.status !== 200) return reply.code(res.status).type('application/json').send(body);
      const name = `${req.params.id.replace(/[^A-Za-z0-9_.-]/g, '_')}.${format}`;
      return reply
        .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'text/html; charset=utf-8')
        .header('content-disposition', `attachment; filename="${name}"`)
        .send(body);
    } catch (e) {
      return reply.code(503).send({ error: 'unavailable', message: `reporting is not reachable (${(e as Error).message})` });
    }
  });

  // ---- admin (alert rule settings): admin role only, here and again at alerting ----
  app.put<{ Params: { id: string } }>('/api/admin/alert-rules/:id/settings', async (req, reply) => {
    need(req, 'admin');
    return relay(reply, call(req, 'alerting', 'PUT', `/v1/alert-rules/${enc(req.params.id)}/settings`, req.body ?? {}));
  });
  app.get('/api/admin/audit', async (req, reply) => {
    need(req, 'admin');
    return relay(reply, call(req, 'alerting', 'GET', '/v1/alert-settings/audit'));
  });

  // ---- live: alerting's SSE relayed byte for byte (ids are alerting's cursors, so the browser's
  // EventSource resumes with Last-Event-ID through us) ----
  app.get('/api/stream', async (req, reply) => {
    const ac = new AbortController();
    streams.add(ac);
    const lastEventId = req.headers['last-event-id'];
    const headers: Record<string, string> = { authorization: `Bearer ${req.session!.token}`, accept: 'text/event-stream' };
    if (typeof lastEventId === 'string' && /^\d{1,18}$/.test(lastEventId)) headers['last-event-id'] = lastEventId;
    let upstream: Response;
    try {
      upstream = await fetch(`${base.alerting}/v1/alerts/stream${pick(req.query, STREAM_QUERY)}`, { headers, signal: ac.signal });
    } catch (e) {
      streams.delete(ac);
      return reply.code(503).send({ error: 'unavailable', message: `alerting is not reachable (${(e as Error).message})` });
    }
    if (upstream.status !== 200 || !upstream.body) {
      streams.delete(ac);
      return reply.code(upstream.status).send(await upstream.json().catch(() => ({ error: 'stream_refused' })));
    }
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', connection: 'keep-alive' });
    const body = Readable.fromWeb(upstream.body as never);
    const end = () => {
      ac.abort();
      streams.delete(ac);
      body.destroy();
      if (!reply.raw.writableEnded) reply.raw.end();
    };
    req.raw.on('close', end);
    body.on('error', end);
    body.on('end', end);
    body.pipe(reply.raw, { end: false });
  });
  app.addHook('preClose', async () => {
    for (const ac of streams) ac.abort();
  });

  // ---- the page ----
  await app.register(fastifyStatic, { root: webRoot, prefix: '/', index: ['index.html'], wildcard: true, maxAge: 0 });
  app.setNotFoundHandler((req, reply) => {
    if (req.url.startsWith('/api/')) return reply.code(404).send({ error: 'not_found', message: `no ${req.method} ${req.url.split('?')[0]}` });
    return reply.sendFile('index.html');
  });
  app.get('/healthz', async () => ({ status: 'ok' }));

  const url = await app.listen({ host: config.CONSOLE_HOST, port: config.CONSOLE_PORT });
  return { app, url, stop: () => app.close() };
}
