import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { SpanKind, context, trace } from '@opentelemetry/api';
import { maySeeImporter, type Principal, type TokenAuthenticator } from '@customs/config';
import { extractTrace, markTraceBound, tracer, withTenant, type Logger, type ServiceMetrics } from '@customs/telemetry';
import type { IncomingMessage } from 'node:http';
import { describeControlCharacter, findControlCharacter, findControlCharacterIn, escapeControlCharacters, type ControlCharacter } from '@customs/contracts';
export type { FastifyInstance, FastifyReply, FastifyRequest };
import { installOpenApi, isPublicPath } from './openapi';
import { installProblemResponses, problemFor, requestIdFor, sendProblem } from './problem';
import { installSchemaValidation } from './schema-validation';
export * from './openapi';
export * from './problem';
export * from './schemas';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /**
     * Query parameters this route reads as free text and checks itself (ingestion's `filename`,
     * stored escaped with a warning so the document is still recorded), exempt from the edge's
     * refusal of control characters.
     */
    textQuery?: readonly string[];
    /** The body is a document the route records as it came, issues and all: not checked here. */
    documentBody?: boolean;
  }
}

/** The error body every API returns: a stable code, a message, and where the problem is. */
export interface ApiError {
  error: string;
  message: string;
  details?: unknown;
}

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export interface HttpServerOptions {
  service: string;
  logger: Logger;
  metrics: ServiceMetrics;
  auth: TokenAuthenticator;
  /** Readiness: resolves true when dependencies (db, kafka) are usable. */
  ready: () => Promise<boolean>;
  bodyLimit?: number;
}

/** Headers the platform reads identifiers from (the W3C trace context's trace and span ids). */
export const ID_HEADERS = ['traceparent', 'tracestate'] as const;

function controlCharacterError(where: 'path' | 'query' | 'header' | 'body', parameter: string, found: ControlCharacter, what: string): ApiError {
  const noun = where === 'path' ? 'path parameter' : where === 'query' ? 'query parameter' : where === 'header' ? 'header' : 'body field';
  return {
    error: 'invalid_characters',
    message: `${noun} "${escapeControlCharacters(parameter)}" contains ${describeControlCharacter(found)}: ${what}`,
    details: { in: where, parameter: escapeControlCharacters(parameter), character: found.label, position: found.index + 1 },
  };
}

/**
 * The edge's check of what a request names things by: every route parameter, query value (and
 * query key) and id header must be free of control characters (C0, DEL, unpaired surrogates;
 * @customs/contracts text.ts). Refused here with a 400 naming the parameter, instead of a 500 when
 * Postgres meets the NUL, or a lookup that matches nothing for a reason no one can see. Query
 * parameters a route lists in `config.textQuery` are its own to check.
 */
export function checkRequestIdentifiers(req: FastifyRequest): ApiError | undefined {
  const why = 'control characters are not allowed in identifiers and filters';
  for (const [name, value] of Object.entries((req.params ?? {}) as Record<string, unknown>)) {
    if (typeof value !== 'string') continue;
    let found = findControlCharacter(value);
    // A route may decode a value once more (reference's code-list "*" does, so a code may carry
    // an encoded slash): what it would decode to is checked too.
    if (!found && value.includes('%')) {
      try {
        found = findControlCharacter(decodeURIComponent(value));
      } catch {
        // Not valid percent-encoding: the route says so in its own words.
      }
    }
    if (found) return controlCharacterError('path', name, found, why);
  }
  const text = new Set(req.routeOptions.config?.textQuery ?? []);
  for (const [name, value] of Object.entries((req.query ?? {}) as Record<string, unknown>)) {
    const keyProblem = findControlCharacter(name);
    if (keyProblem) return controlCharacterError('query', name, keyProblem, why);
    if (text.has(name)) continue;
    for (const v of Array.isArray(value) ? value : [value]) {
      const found = typeof v === 'string' ? findControlCharacter(v) : undefined;
      if (found) return controlCharacterError('query', name, found, why);
    }
  }
  for (const name of ID_HEADERS) {
    const value = req.headers[name];
    for (const v of Array.isArray(value) ? value : [value]) {
      const found = typeof v === 'string' ? findControlCharacter(v) : undefined;
      if (found) return controlCharacterError('header', name, found, why);
    }
  }
  return undefined;
}

/**
 * A parsed JSON body's strings (keys too) may be text, but without control characters other than
 * TAB, LF and CR: an alert's triage reason with a NUL would fail its insert. Raw bodies (Buffers,
 * streams) and routes that record documents as they came (`config.documentBody`) are not checked.
 */
export function checkJsonBody(req: FastifyRequest): ApiError | undefined {
  if (req.routeOptions.config?.documentBody) return undefined;
  const body = req.body as unknown;
  if (body === null || typeof body !== 'object' || Buffer.isBuffer(body) || typeof (body as { pipe?: unknown }).pipe === 'function') return undefined;
  const at = findControlCharacterIn(body, { text: true });
  return at ? controlCharacterError('body', at.path, at.found, 'control characters other than tab and line breaks are not allowed in request text') : undefined;
}
const httpTracer = tracer('@customs/http');

/**
 * A fastify instance with /healthz (process alive), /readyz (dependencies usable), /metrics
 * (Prometheus), bearer-token auth on everything else (request.principal carries the tenant),
 * a server span per request continuing the caller's traceparent, and a uniform error body.
 */
export function createHttpServer(opts: HttpServerOptions): FastifyInstance {
  // The one server span of a request starts where fastify makes the request's logger, so every
  // line of the request from "incoming request" on carries its trace_id and span_id.
  const serverSpans = new WeakMap<IncomingMessage, ReturnType<typeof httpTracer.startSpan>>();
  const startServerSpan = (raw: IncomingMessage) => {
    const span = httpTracer.startSpan(
      `HTTP ${raw.method}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': raw.method ?? '', 'url.path': (raw.url ?? '').split('?')[0] ?? '' } },
      extractTrace(raw.headers as Record<string, string | undefined>),
    );
    serverSpans.set(raw, span);
    return span;
  };
  const app: FastifyInstance = Fastify({
    loggerInstance: opts.logger.child({ component: 'http' }) as unknown as FastifyInstance['log'],
    bodyLimit: opts.bodyLimit ?? 10 * 1024 * 1024,
    genReqId: requestIdFor,
    // What the router refuses before any route runs (a path that is not valid percent-encoding,
    // a path parameter over maxParamLength, 100 characters) is a problem like every other error.
    frameworkErrors: (err, req, reply) => {
      void sendProblem(reply.header('x-request-id', req.id), problemFor(err as never, req));
    },
    childLoggerFactory: (logger, bindings, childOptions, raw) => {
      const sc = startServerSpan(raw as IncomingMessage).spanContext();
      if (!trace.isSpanContextValid(sc)) return logger.child(bindings, childOptions);
      return markTraceBound(logger.child({ ...bindings, trace_id: sc.traceId, span_id: sc.spanId }, childOptions) as unknown as Logger) as unknown as typeof logger;
    },
  });

  // Schemas validate strictly, errors are problems, and OpenAPI sees every route (added later).
  installSchemaValidation(app);
  installProblemResponses(app);
  installOpenApi(app, opts.service);

  app.addHook('onRequest', (req, reply, done) => {
    const span = serverSpans.get(req.raw) ?? startServerSpan(req.raw);
    span.updateName(`HTTP ${req.method} ${req.routeOptions.url ?? 'unmatched'}`);
    if (req.routeOptions.url) span.setAttribute('http.route', req.routeOptions.url);
    (req as unknown as { otelSpan: typeof span }).otelSpan = span;
    // The rest of the request runs inside the span (re-entered in preHandler, after the body is
    // read), so handlers' child spans and log lines link to it.
    let ctx = trace.setSpan(context.active(), span);
    const enter = () => {
      (req as unknown as { otelContext: typeof ctx }).otelContext = ctx;
      context.with(ctx, done);
    };
    if (isPublicPath(req.url.split('?')[0] ?? '')) return enter();
    const principal = opts.auth.authenticate(req.headers.authorization);
    if (!principal) {
      reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send({ error: 'unauthenticated', message: 'a valid "Authorization: Bearer <token>" header is required' } satisfies ApiError);
      return;
    }
    req.principal = principal;
    ctx = withTenant(ctx, principal.tenantId);
    span.setAttribute('tenant', principal.tenantId);
    // Every later line of this request (the handler's, "request completed") names the tenant.
    req.log = markTraceBound(req.log.child({ tenant: principal.tenantId }));
    reply.log = req.log;
    const refused = checkRequestIdentifiers(req);
    if (refused) {
      reply.code(400).send(refused);
      return;
    }
    enter();
  });

  app.addHook('preHandler', (req, _reply, done) => {
    const ctx = (req as unknown as { otelContext?: ReturnType<typeof context.active> }).otelContext;
    if (ctx) context.with(ctx, done);
    else done();
  });

  app.addHook('preValidation', async (req, reply) => {
    const refused = checkJsonBody(req);
    if (refused) {
      reply.code(400).send(refused);
      return reply;
    }
  });

  app.addHook('onResponse', async (req, reply) => {
    const span = (req as unknown as { otelSpan?: { setAttribute(k: string, v: number): void; end(): void } }).otelSpan;
    span?.setAttribute('http.response.status_code', reply.statusCode);
    span?.end();
    const labels = { route: req.routeOptions.url ?? 'unmatched', method: req.method, status: String(reply.statusCode) };
    opts.metrics.httpRequests.inc(labels);
    opts.metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
  });

  // RFC 9457 problems for every error (problem.ts): HttpError as it says, the rest mapped.
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string; validation?: unknown }, req, reply) => {
    const known = err instanceof HttpError ? { status: err.statusCode, code: err.code, message: err.message, details: err.details } : undefined;
    const p = problemFor(err as never, req, known);
    if (p.status >= 500) req.log.error({ err, tenant: req.principal?.tenantId }, 'request failed');
    void sendProblem(reply, p);
  });

  app.get('/healthz', async () => ({ status: 'ok', service: opts.service }));
  app.get('/readyz', async (_req, reply) => {
    const ok = await opts.ready().catch(() => false);
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not_ready', service: opts.service });
  });
  app.get('/metrics', async (_req, reply) => reply.header('content-type', opts.metrics.registry.contentType).send(await opts.metrics.registry.metrics()));
  return app;
}

/** The trace context of a request (for spans and events caused by it). */
export function requestContext(req: FastifyRequest) {
  return (req as unknown as { otelContext?: ReturnType<typeof context.active> }).otelContext ?? context.active();
}

/** The authenticated principal; throws 401 if the route was reached without one. */
export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw new HttpError(401, 'unauthenticated', 'authentication required');
  return req.principal;
}

/** Requires a role (admin passes every check). */
export function requireRole(req: FastifyRequest, ...roles: Principal['role'][]): Principal {
  const p = principalOf(req);
  if (p.role !== 'admin' && !roles.includes(p.role)) throw new HttpError(403, 'forbidden', `this action needs role ${roles.join(' or ')}`);
  return p;
}

/**
 * A broker-scoped route's check of one record (permissions.ts, brokerScoped): a broker sees only
 * the importers its token names, and anything else answers 404 with `notFound`, the same as an
 * unknown id, so a broker learns nothing of other importers' records.
 */
export function requireImporterVisible(p: Principal, importer: string | null | undefined, notFound: string): void {
  if (!maySeeImporter(p, importer)) throw new HttpError(404, 'not_found', notFound);
}
