import { httpRule, refusal } from '@customs/config';
import { type FastifyInstance, HttpError } from '@customs/http';

/** One route as fastify registered it. */
export interface RouteEntry {
  method: string;
  url: string;
}

/**
 * Enforces the permission matrix (@customs/config permissions.ts) on every route of a service:
 * records each route as it is registered, refuses a request whose role the route's entry does not
 * allow (403 naming the permission) before its body is read, and `verify()` throws, so the service
 * does not start, when a route has no entry. Handlers need no role checks of their own; a
 * broker-scoped handler narrows its answer with the principal's importers.
 */
export function enforcePermissions(service: string, http: FastifyInstance): { routes: RouteEntry[]; verify(): void } {
  // Registered by createHttpServer before this hook exists (the probes, the API description).
  const routes: RouteEntry[] = ['/healthz', '/readyz', '/metrics', '/openapi.json'].filter((url) => http.hasRoute({ method: 'GET', url })).map((url) => ({ method: 'GET', url }));
  http.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) if (method !== 'HEAD') routes.push({ method, url: route.url });
  });
  // Runs after createHttpServer's authentication hook (hooks run in the order added): a request
  // without a valid token was already answered 401 there, except on the public paths.
  http.addHook('onRequest', async (req) => {
    const url = req.routeOptions.url;
    if (url === undefined) return; // no such route: fastify answers 404
    const entry = httpRule(service, req.method, url);
    // Thrown, so the HTTP layer's error handler answers it in the platform's error format.
    // verify() makes a missing entry unreachable in a started service; refused rather than allowed.
    if (!entry) throw new HttpError(403, 'forbidden', `${req.method} ${url} has no entry in the permission matrix`);
    if (entry.permission === 'public') return;
    const p = req.principal;
    if (!p) return; // answered 401 already
    const why = refusal(p.role, entry);
    if (why) throw new HttpError(403, 'forbidden', why, { role: p.role, permission: entry.permission });
  });
  return {
    routes,
    /** Call once every plugin has registered its routes (after `await http.ready()`). */
    verify() {
      const missing = routes.filter((r) => !httpRule(service, r.method, r.url)).map((r) => `${r.method} ${r.url}`);
      if (missing.length) throw new Error(`${service}: routes without an entry in the permission matrix (packages/config/src/permissions.ts): ${missing.join(', ')}`);
    },
  };
}
