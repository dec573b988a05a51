// The OpenAPI 3.1 document of a service, made by @fastify/swagger from its route schemas, served at
// GET /openapi.json, with a browsable page (@fastify/swagger-ui) at /docs. Both are public: they
// describe the API, not a tenant's data, and an integrator reads them before holding a token.
// Every documented route but these and the probes needs `Authorization: Bearer <token>`.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
// Re-exported so that every service compiling against @customs/http sees swagger's route-schema
// fields (summary, tags, hide) on FastifySchema.
export type { SwaggerOptions } from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { PROBLEM_CONTENT_TYPE } from './problem';

/** Paths anyone may read: liveness, readiness, metrics, the API description. */
export function isPublicPath(path: string): boolean {
  return path === '/healthz' || path === '/readyz' || path === '/metrics' || path === '/openapi.json' || path === '/docs' || path.startsWith('/docs/');
}

/** The problem schema every error response refers to (RFC 9457; see problem.ts). */
export const problemSchema = {
  $id: 'Problem',
  type: 'object',
  description: 'RFC 9457 problem details; `error` and `message` repeat the code and detail for older clients',
  required: ['type', 'title', 'status', 'detail', 'instance'],
  properties: {
    type: { type: 'string', description: 'stable URI of the problem type: tag:customs-monitor,2026:problem:<code>' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string', description: 'urn:request:<request id> (the x-request-id header)' },
    error: { type: 'string', description: 'the error code' },
    message: { type: 'string' },
    details: {},
    errors: {
      type: 'array',
      items: { type: 'object', properties: { in: { type: 'string' }, name: { type: 'string' }, message: { type: 'string' } } },
    },
  },
} as const;

const TITLES: Record<string, string> = {
  ingestion: 'Customs monitor — ingestion (documents, batches, declarations)',
  reference: 'Customs monitor — reference data (tariff, FX, code lists)',
  validation: 'Customs monitor — validation (findings, checks, not checked)',
  scoring: 'Customs monitor — scoring (scores, history checks)',
  alerting: 'Customs monitor — alerting (alerts, triage, rules, delivery)',
  reporting: 'Customs monitor — reporting (reports, cases)',
};

/** Registers the document and the page; call before any route is added, so every route is in it. */
export function installOpenApi(app: FastifyInstance, service: string): void {
  app.addSchema(problemSchema);
  void app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: TITLES[service] ?? `Customs monitor — ${service}`,
        version: '1',
        description:
          'Errors are application/problem+json (RFC 9457, docs/api/rest.md); every response has an x-request-id header. Lists take ?cursor=&limit= and answer a `next` link (docs/api/rest.md lists which).',
        license: { name: 'UNLICENSED', identifier: 'UNLICENSED' },
      },
      servers: [{ url: '/' }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'an API token of the tenant (API_TOKENS / API_TOKENS_FILE)' } } },
      security: [{ bearer: [] }],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
    transform: ({ schema, url: route }) => {
      const s = { ...(schema as Record<string, unknown>) };
      // A trailing wildcard (reference's /v1/code-lists/:list/*) is the path parameter "rest" in the document.
      let url = route;
      if (url.endsWith('/*')) {
        url = `${url.slice(0, -1)}:rest`;
        const params = s.params as { properties?: Record<string, unknown>; required?: string[] } | undefined;
        if (params?.properties?.['*']) {
          const { '*': rest, ...others } = params.properties;
          s.params = {
            ...params,
            properties: { ...others, rest: { ...(rest as object), description: 'the rest of the path (may contain "/")' } },
            required: [...(params.required ?? []).filter((r) => r !== '*'), 'rest'],
          };
        }
      }
      if (isPublicPath(url)) s.security = [];
      const response = { ...((s.response as Record<string, unknown>) ?? {}) };
      // Every operation answers a success; a route that declares none (a write answering its
      // record, a raw download, the SSE stream) is documented as a 2XX whose body its summary names.
      if (!isPublicPath(url) && !Object.keys(response).some((k) => k.startsWith('2'))) {
        response['2XX'] = { description: 'success: the body the summary names (JSON unless the route says otherwise)' };
      }
      if (!Object.keys(response).some((k) => k.startsWith('4') || k === 'default')) {
        response['4XX'] = { description: 'problem details', content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: 'Problem#' } } } };
      }
      s.response = response;
      return { schema: s as never, url };
    },
  });
  void app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
