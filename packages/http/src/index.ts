import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { SpanKind, context, trace } from '@opentelemetry/api';
import type { Principal, TokenAuthenticator } from '@customs/config';
import { extractTrace, tracer, type Logger, type ServiceMetrics } from '@customs/telemetry';

export type { FastifyInstance, FastifyReply, FastifyRequest };

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/** The error body every API returns: a stable code, a message, and where the problem is. */
export interface ApiError {
  error: string;
  message: string;
  details?: unknown;
}

export class HttpError extends Error {
  constructor(readonly statusCode: number, readonly code: string, message: string, readonly details?: unknown) {
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

const PUBLIC_PATHS = new Set(['/healthz', '/readyz', '/metrics']);
const httpTracer = tracer('@customs/http');

/**
 * A fastify instance with /healthz (process alive), /readyz (dependencies usable), /metrics
 * (Prometheus), bearer-token auth on everything else (request.principal carries the tenant),
 * a server span per request continuing the caller's traceparent, and a uniform error body.
 */
export function createHttpServer(opts: HttpServerOptions): FastifyInstance {
  const app: FastifyInstance = Fastify({ loggerInstance: opts.logger.child({ component: 'http' }) as unknown as FastifyInstance['log'], bodyLimit: opts.bodyLimit ?? 10 * 1024 * 1024 });

  app.addHook('onRequest', async (req, reply) => {
    const parent = extractTrace(req.headers as Record<string, string | undefined>);
    const span = httpTracer.startSpan(`HTTP ${req.method} ${req.routeOptions.url ?? req.url}`, { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method, 'url.path': req.url.split('?')[0] ?? '' } }, parent);
    (req as unknown as { otelSpan: typeof span }).otelSpan = span;
    // Run the rest of the request inside the span, so handlers' child spans and logs link to it.
    const ctx = trace.setSpan(context.active(), span);
    (req as unknown as { otelContext: typeof ctx }).otelContext = ctx;
    if (PUBLIC_PATHS.has(req.url.split('?')[0] ?? '')) return;
    const principal = opts.auth.authenticate(req.headers.authorization);
    if (!principal) {
      reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthenticated', message: 'a valid "Authorization: Bearer <token>" header is required' } satisfies ApiError);
      return reply;
    }
    req.principal = principal;
  });

  app.addHook('onResponse', async (req, reply) => {
    const span = (req as unknown as { otelSpan?: { setAttribute(k: string, v: number): void; end(): void } }).otelSpan;
    span?.setAttribute('http.response.status_code', reply.statusCode);
    span?.end();
    opts.metrics.httpRequests.inc({ route: req.routeOptions.url ?? 'unmatched', method: req.method, status: String(reply.statusCode) });
  });

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string; validation?: unknown }, req, reply) => {
    if (err instanceof HttpError) {
      void reply.code(err.statusCode).send({ error: err.code, message: err.message, details: err.details } satisfies ApiError);
      return;
    }
    if (err.validation) {
      void reply.code(400).send({ error: 'invalid_request', message: err.message } satisfies ApiError);
      return;
    }
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status >= 500) req.log.error({ err, tenant: req.principal?.tenantId }, 'request failed');
    void reply.code(status).send({ error: status >= 500 ? 'internal_error' : (err.code ?? 'bad_request').toLowerCase(), message: status >= 500 ? 'internal error; see server logs with this request id' : err.message, details: status >= 500 ? { requestId: req.id } : undefined } satisfies ApiError);
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
