// Every error a service answers is an RFC 9457 problem (application/problem+json): a stable `type`
// per error code, a `title` that names the code, the `status`, a `detail` saying what was wrong
// with this request, and the `instance` (the request id, also in the x-request-id header). The
// older fields `error` (the code) and `message` (the detail) stay as extension members, so clients
// written against them keep working. Fastify's own errors (FST_ERR_*, @fastify/multipart's FST_*)
// and busboy's are mapped to codes of ours here: none leaks. See docs/api/rest.md.
import { randomUUID } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import FindMyWay, { type HTTPMethod } from 'find-my-way';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
/** The namespace of problem types: `type` is this followed by the error code (docs/api/rest.md). */
export const PROBLEM_TYPE_BASE = 'tag:customs-monitor,2026:problem:';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  /** The error code (also the last segment of `type`); kept as `error` for older clients. */
  error: string;
  /** The same text as `detail`, for older clients. */
  message: string;
  details?: unknown;
  /** Validation problems: each offending element, where it is and what is wrong with it. */
  errors?: { in: string; name: string; message: string }[];
}

/** "invalid_parameter" → "Invalid parameter": one title per code, whatever the occurrence. */
export function problemTitle(code: string): string {
  const words = code.replace(/[_-]+/g, ' ').trim();
  return words ? words[0]!.toUpperCase() + words.slice(1) : 'Error';
}

export function problem(req: FastifyRequest, status: number, code: string, detail: string, extra: { details?: unknown; errors?: Problem['errors'] } = {}): Problem {
  return {
    type: PROBLEM_TYPE_BASE + code,
    title: problemTitle(code),
    status,
    detail,
    instance: `urn:request:${req.id}`,
    error: code,
    message: detail,
    ...(extra.details !== undefined ? { details: extra.details } : {}),
    ...(extra.errors ? { errors: extra.errors } : {}),
  };
}

/** A request id: the caller's x-request-id when it is a plain token (so traces join up), else a UUID. */
export function requestIdFor(raw: { headers: Record<string, string | string[] | undefined> }): string {
  const given = raw.headers['x-request-id'];
  return typeof given === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(given) ? given : randomUUID();
}

/** Fastify's and its plugins' error codes, as ours (status, code). */
const FASTIFY_ERRORS: Record<string, [number, string, string?]> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported_media_type'],
  FST_ERR_CTP_INVALID_TYPE: [400, 'invalid_content_type'],
  FST_ERR_CTP_EMPTY_TYPE: [400, 'invalid_content_type'],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'too_large', 'the request body exceeds the size limit of this route'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'invalid_content_length'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'empty_body', 'the request has Content-Type application/json but no body'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'invalid_json'],
  FST_ERR_CTP_INSTANCE_ALREADY_STARTED: [500, 'internal_error'],
  FST_ERR_VALIDATION: [400, 'invalid_request'],
  FST_ERR_NOT_FOUND: [404, 'not_found'],
  FST_ERR_BAD_URL: [400, 'invalid_url', 'the request path is not valid percent-encoding'],
  FST_ERR_ASYNC_CONSTRAINT: [400, 'invalid_request'],
  FST_ERR_MAX_PARAM_LENGTH: [414, 'uri_too_long', 'a path parameter is longer than 100 characters'],
  FST_INVALID_MULTIPART_CONTENT_TYPE: [415, 'not_multipart', 'send multipart/form-data with one or more file parts'],
  FST_PARTS_LIMIT: [413, 'too_many_parts'],
  FST_FILES_LIMIT: [413, 'too_many_files'],
  FST_FIELDS_LIMIT: [413, 'too_many_fields'],
  FST_REQ_FILE_TOO_LARGE: [413, 'too_large'],
  FST_PROTO_VIOLATION: [400, 'malformed_multipart'],
  FST_INVALID_JSON_FIELD_ERROR: [400, 'malformed_multipart'],
};
/** busboy (under @fastify/multipart) throws plain Errors for a body that is not the multipart it claims. */
const MALFORMED_MULTIPART = /^(Multipart: Boundary not found|Malformed (part )?header|Unexpected end of (form|multipart data)|Part terminated early|Malformed urlencoded form)/i;

interface ValidationIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** Each Ajv error as the element it is about, where it is, and what is wrong, in words. */
export function describeValidation(context: string, issues: readonly ValidationIssue[]): NonNullable<Problem['errors']> {
  const where = context === 'querystring' ? 'query' : context === 'params' ? 'path' : context === 'headers' ? 'header' : 'body';
  return issues.map((e) => {
    const path = e.instancePath.replace(/^\//, '').split('/').filter(Boolean).join('.');
    const missing = e.keyword === 'required' ? String(e.params.missingProperty) : undefined;
    const extra = e.keyword === 'additionalProperties' ? String(e.params.additionalProperty) : undefined;
    const name = missing ? (path ? `${path}.${missing}` : missing) : extra ? (path ? `${path}.${extra}` : extra) : path || '(whole)';
    let message = e.message ?? e.keyword;
    if (missing) message = 'is required';
    else if (extra) message = 'is not a known field of this request (nothing was changed)';
    else if (e.keyword === 'enum') message = `must be one of ${(e.params.allowedValues as unknown[]).map(String).join(', ')}`;
    else if (e.keyword === 'type') message = `must be ${e.params.type === 'integer' ? 'a whole number' : `of type ${String(e.params.type)}`}`;
    return { in: where, name, message };
  });
}

const nouns: Record<string, string> = { query: 'query parameter', path: 'path parameter', header: 'header', body: 'body field' };

/** The one error handler: HttpError as it says, validation and fastify errors mapped, the rest a 500 naming the request id. */
export function problemFor(
  err: FastifyError & { validation?: ValidationIssue[]; validationContext?: string; details?: unknown },
  req: FastifyRequest,
  known?: { status: number; code: string; message: string; details?: unknown },
): Problem {
  if (known) return problem(req, known.status, known.code, known.message, { details: known.details });
  if (err.validation) {
    const errors = describeValidation(err.validationContext ?? 'body', err.validation);
    const first = errors[0];
    const detail = first ? `${nouns[first.in] ?? first.in} "${first.name}" ${first.message}` : 'the request does not match its schema';
    return problem(req, 400, 'invalid_request', detail, { errors });
  }
  const mapped = err.code ? FASTIFY_ERRORS[err.code] : undefined;
  if (mapped) return problem(req, mapped[0], mapped[1], mapped[2] ?? cleanFastifyMessage(err.message));
  if (err instanceof SyntaxError && err.statusCode === 400) return problem(req, 400, 'invalid_json', `the body is not valid JSON: ${err.message}`);
  if (MALFORMED_MULTIPART.test(err.message ?? '')) return problem(req, 400, 'malformed_multipart', `the multipart body is malformed: ${err.message}`);
  const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
  if (status >= 500) return problem(req, 500, 'internal_error', 'internal error; see the server logs for this request id', { details: { requestId: req.id } });
  const code = (err.code ?? 'bad_request')
    .replace(/^FST_(ERR_)?/, '')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_');
  return problem(req, status, code, cleanFastifyMessage(err.message));
}

/** Fastify prefixes some messages with its code; the code is ours now. */
function cleanFastifyMessage(m: string): string {
  return (m ?? '').replace(/^FST_[A-Z_]+:\s*/, '');
}

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  return reply.code(p.status).type(PROBLEM_CONTENT_TYPE).send(p);
}

/**
 * What every response carries and how unknown paths and methods are answered:
 * - `x-request-id` on every response (the id of the request's log lines and of `instance`);
 * - any JSON error body a route sends itself ({error, message}) becomes a problem;
 * - 405 with `Allow` for a method an existing path does not have; 404 problem otherwise.
 */
export function installProblemResponses(app: FastifyInstance): void {
  // A copy of the route table, to tell "no such path" from "not with this method".
  const routes = FindMyWay({ ignoreTrailingSlash: false, caseSensitive: true });
  const methodsByPattern = new Map<string, Set<string>>();
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const m of methods) {
      const seen = methodsByPattern.get(route.url) ?? new Set<string>();
      if (seen.has(m)) continue;
      seen.add(m);
      methodsByPattern.set(route.url, seen);
      try {
        routes.on(m as HTTPMethod, route.url, () => undefined);
      } catch {
        // A method find-my-way does not know cannot be suggested in Allow; the route still works.
      }
    }
  });

  app.addHook('onSend', async (req, reply, payload) => {
    reply.header('x-request-id', req.id);
    if (reply.statusCode < 400) return payload;
    const type = String(reply.getHeader('content-type') ?? '');
    if (!type.startsWith('application/json') || typeof payload !== 'string') return payload;
    let body: unknown;
    try {
      body = JSON.parse(payload);
    } catch {
      return payload;
    }
    const b = body as Partial<Problem> | null;
    if (!b || typeof b !== 'object' || typeof b.error !== 'string') return payload;
    const detail = typeof b.message === 'string' ? b.message : (b.detail ?? b.error);
    const p = { ...b, ...problem(req, reply.statusCode, b.error, String(detail), { details: b.details, errors: b.errors }) };
    reply.type(PROBLEM_CONTENT_TYPE);
    return JSON.stringify(p);
  });

  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0] ?? '/';
    const allowed = [...new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].filter((m) => m !== req.method && routes.find(m as HTTPMethod, path)))];
    if (allowed.length) {
      reply.header('allow', allowed.join(', '));
      return sendProblem(reply, problem(req, 405, 'method_not_allowed', `${req.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`));
    }
    return sendProblem(reply, problem(req, 404, 'not_found', `no route ${req.method} ${path}`));
  });
}
