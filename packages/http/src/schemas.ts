// Schema fragments every service's routes share, cursor pagination, and CSV downloads.
// Plain JSON Schema (fastify's native schemas, validated by schema-validation.ts and published by
// openapi.ts) rather than a type-provider library: see docs/adr/0013-http-schemas-and-problems.md.
import { stringify } from 'csv-stringify/sync';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from './index';

/** Free text a person types (a reason, a note): bounded, so a pasted log cannot bloat a record. */
export const text = (maxLength: number, minLength = 1) => ({ type: 'string', minLength, maxLength }) as const;
/** An identifier from this API (declaration, batch, alert, rule ids). */
export const idString = { type: 'string', minLength: 1, maxLength: 128 } as const;
/** A real calendar date (format `date`: 2023-02-30, 0000-00-00 and 2023-13-01 are 400s naming the field). */
export const isoDate = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', format: 'date', description: 'YYYY-MM-DD' } as const;
/**
 * The body of a write route that takes no fields: none, or `{}`; any field is a 400 naming it
 * (`{"tenant": "*"}` is refused, not ignored).
 */
export const noBody = { type: 'object', additionalProperties: false, properties: {}, description: 'no fields: send no body or {}', 'x-body-optional': true } as const;
export const booleanText = { type: 'string', enum: ['true', 'false'] } as const;
/** A page size: a whole number (limit=1.5 is a 400), within bounds. */
export const limit = (max: number, dflt?: number) => ({ type: 'integer', minimum: 1, maximum: max, ...(dflt !== undefined ? { default: dflt } : {}) }) as const;
/** An opaque page cursor from a previous page's `next` link. */
export const cursor = { type: 'string', minLength: 1, maxLength: 512, description: 'opaque: the cursor of the previous page’s `next` link' } as const;

export const idParams = { type: 'object', additionalProperties: false, required: ['id'], properties: { id: idString } } as const;

/** A query-string schema: the given parameters and nothing else (an unknown one is a 400 naming it). */
export function query(properties: Record<string, unknown>, required: string[] = []) {
  return { type: 'object', additionalProperties: false, properties, ...(required.length ? { required } : {}) } as const;
}

/** A list's querystring: cursor, limit (1..max, default dflt) and the list's own filters. */
export function listQuery(max: number, dflt: number, filters: Record<string, unknown> = {}) {
  return query({ cursor, limit: limit(max, dflt), ...filters });
}

/** An object response documented by its main fields; others may be present. */
export function obj(properties: Record<string, unknown>, description?: string) {
  return { type: 'object', properties, additionalProperties: true, ...(description ? { description } : {}) } as const;
}

/** A list page: its items under `key`, `next` (URL of the following page, or null) and `nextCursor`. */
export function pageOf(key: string, item: Record<string, unknown> = openObject) {
  return obj({
    [key]: { type: 'array', items: item },
    next: { type: ['string', 'null'], description: 'the next page (same filters), or null on the last page' },
    nextCursor: { type: ['string', 'null'] },
  });
}

/** A cursor: the sort key of the last row given, opaque to the client. */
export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** The sort key a cursor stands for, or undefined when it is not one this API made. */
export function decodeCursor(c: string | undefined, arity: number): (string | number)[] | undefined {
  if (c === undefined) return undefined;
  try {
    const v = JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === arity && v.every((x) => typeof x === 'string' || typeof x === 'number')) return v as (string | number)[];
  } catch {
    // not one of ours: undefined
  }
  return undefined;
}

/** The 400 for a cursor this API did not make (a forged or edited one): a problem naming `cursor`. */
export function badCursor(parameter = 'cursor'): HttpError {
  return new HttpError(400, 'invalid_cursor', `query parameter "${parameter}" is not one this API returned (pass the \`next\` link back unchanged)`, { in: 'query', parameter });
}

/** The sort key of `?cursor=` (arity values), undefined without one; a cursor not ours is a 400 naming it. */
export function afterCursor(req: FastifyRequest, arity: number): (string | number)[] | undefined {
  const c = (req.query as { cursor?: string } | undefined)?.cursor;
  if (c === undefined) return undefined;
  const v = decodeCursor(c, arity);
  if (!v) throw badCursor();
  return v;
}

/** `?cursor=` of a list keyed by one whole number ≥ 0 (an id, a history cursor): undefined without one, else a 400 naming it. */
export function idCursor(req: FastifyRequest): number | undefined {
  const k = afterCursor(req, 1);
  if (k && (typeof k[0] !== 'number' || !Number.isSafeInteger(k[0]) || k[0] < 0)) throw badCursor();
  return k?.[0] as number | undefined;
}

/** `?cursor=` of a list keyed by (creation time, id): undefined without one, else a 400 naming it. */
export function createdCursor(req: FastifyRequest): { createdAt: string; id: string } | undefined {
  const k = afterCursor(req, 2);
  if (k && (typeof k[0] !== 'string' || Number.isNaN(Date.parse(k[0])) || typeof k[1] !== 'string')) throw badCursor();
  return k && { createdAt: String(k[0]), id: String(k[1]) };
}

/** A response object documented by its name only: every field the handler returns is kept. */
export const openObject = { type: 'object', additionalProperties: true } as const;

/** The URL of the next page: this request's path and query with `cursor` replaced. */
export function nextLink(req: FastifyRequest, nextCursor: string | null): string | null {
  if (nextCursor === null) return null;
  const url = new URL(req.url, 'http://local');
  url.searchParams.set('cursor', nextCursor);
  return `${url.pathname}?${url.searchParams.toString()}`;
}

/**
 * One page of `rows` (fetched with limit + 1 to know whether more follow): the page, and the
 * cursor of its last row when more follow.
 */
export function page<T>(rows: readonly T[], pageSize: number, keyOf: (row: T) => readonly (string | number)[]): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, pageSize);
  return { items, nextCursor: rows.length > pageSize && items.length ? encodeCursor(keyOf(items[items.length - 1]!)) : null };
}

/** Whether the client asked for CSV (`Accept: text/csv`, or `?format=csv` where a route allows it). */
export function wantsCsv(req: FastifyRequest): boolean {
  const accept = String(req.headers.accept ?? '');
  return /(^|,)\s*text\/csv\b/i.test(accept);
}

export interface CsvColumn<T> {
  header: string;
  value: (row: T) => string | number | boolean | null | undefined;
}

/**
 * A CSV download (RFC 4180, UTF-8, a header row): values a spreadsheet would run as formulas
 * (starting with = + - @ or a tab/CR) are prefixed with a quote, so an auditor opening the file
 * runs nothing a declarant typed.
 */
export function sendCsv<T>(reply: FastifyReply, filename: string, columns: readonly CsvColumn<T>[], rows: readonly T[], nextCursor?: string | null): FastifyReply {
  const guard = (v: unknown) => {
    if (v === null || v === undefined) return '';
    const s = String(v);
    return /^[=+\-@\t\r]/.test(s) && !/^-?\d+(\.\d+)?$/.test(s) ? `'${s}` : s;
  };
  const body = stringify([columns.map((c) => c.header), ...rows.map((r) => columns.map((c) => guard(c.value(r))))], { record_delimiter: '\r\n' });
  if (nextCursor) reply.header('link', `<${nextLink(reply.request, nextCursor)}>; rel="next"`);
  return reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${filename.replace(/[^A-Za-z0-9._-]/g, '_')}"`)
    .send(body);
}

/**
 * Answers one list page: `{ [key]: items, next, nextCursor }`, or with `Accept: text/csv` the same
 * page as CSV (the next page in a `Link` header). `rows` were fetched with limit + 1.
 */
export function sendPage<T, J = T>(
  req: FastifyRequest,
  reply: FastifyReply,
  o: {
    key: string;
    rows: readonly T[];
    limit: number;
    keyOf: (row: T) => readonly (string | number)[];
    json?: (row: T) => J;
    csv?: { filename: string; columns: readonly CsvColumn<T>[] };
    extra?: Record<string, unknown>;
  },
) {
  const { items, nextCursor } = page(o.rows, o.limit, o.keyOf);
  if (o.csv && wantsCsv(req)) return sendCsv(reply, o.csv.filename, o.csv.columns, items, nextCursor);
  const next = nextLink(req, nextCursor);
  if (next) reply.header('link', `<${next}>; rel="next"`);
  return { ...(o.extra ?? {}), [o.key]: o.json ? items.map(o.json) : items, next, nextCursor };
}

/** The response entry of a download: its bytes in one of `types` (text as a string, the rest binary). */
export function downloadOf(description: string, types: readonly string[]) {
  return { description, content: Object.fromEntries(types.map((t) => [t, { schema: { type: 'string', ...(t.startsWith('text/') ? {} : { format: 'binary' }) } }])) };
}

/** The response entry of a list that may also be downloaded as CSV. */
export function csvOr(json: Record<string, unknown>) {
  return { description: 'the page as JSON, or as CSV with Accept: text/csv', content: { 'application/json': { schema: json }, 'text/csv': { schema: { type: 'string' } } } };
}
