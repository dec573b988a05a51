import { randomUUID } from 'node:crypto';
import { Declaration, Finding } from '@customs/contracts';
import { HttpError, obj, principalOf, query, type FastifyInstance } from '@customs/http';
import type { Kysely } from '@customs/db';
import { draftCheckResult, saveDraftCheck } from '../db/draft-check-repo';
import { daysLeft, type Rule } from '../rules';
import { checkBatch, uncheckableReason, type CheckResult } from '../app/check-batch';
import type { ReferencePort } from '../app/reference-port';
import { recomputedTaxLines, type RecomputedTaxLine } from '../app/recomputed-tax-lines';
import type { ValidationDb } from '../db/migrations';

/** Largest body POST /v1/checks reads: a 999-item declaration in canonical JSON fits well within it. */
export const MAX_DRAFT_CHECK_BYTES = 4 * 1024 * 1024;
const MAX_ITEMS = 999;

/** What a draft check answers (REST body; the gRPC response carries the same facts). */
export interface DraftCheckResult {
  checkId: string;
  checkedAt: string;
  declaration: unknown;
  findings: unknown[];
  exposurePence: number;
  reclaimPence: number;
  rulesEvaluated: string[];
  notChecked: { ruleId: string; ruleVersion: string; itemNumber: number; cause: string; reason: string }[];
  /** The duty engine's recomputed A00/B00 per item, from the same tariff facts. */
  taxLines: RecomputedTaxLine[];
}

/** Why a typed draft declaration cannot be checked, naming the field; undefined when it can. */
export function draftProblem(d: Declaration): { field: string; message: string } | undefined {
  if (d.items.length === 0) return { field: 'items', message: 'items must be a non-empty list of goods items (DE 1/6)' };
  if (d.items.length > MAX_ITEMS) return { field: 'items', message: `a declaration has at most ${MAX_ITEMS} goods items (DE 1/9); got ${d.items.length}` };
  const seen = new Set<number>();
  for (const [i, it] of d.items.entries()) {
    if (!Number.isInteger(it.itemNumber) || it.itemNumber < 1 || it.itemNumber > MAX_ITEMS)
      return { field: `items[${i}].itemNumber`, message: `items[${i}].itemNumber must be a whole number from 1 to ${MAX_ITEMS} (DE 1/6)` };
    if (seen.has(it.itemNumber)) return { field: `items[${i}].itemNumber`, message: `items[${i}].itemNumber ${it.itemNumber} is used twice` };
    seen.add(it.itemNumber);
  }
  if (!d.acceptanceDate)
    return { field: 'acceptanceDate', message: 'acceptanceDate ("YYYY-MM-DD", the intended date of acceptance) is required: it decides the tariff, the exchange rate and the deadline' };
  const why = uncheckableReason(d);
  return why ? { field: 'acceptanceDate', message: why } : undefined;
}

const fail = (status: 400 | 415 | 422, error: string, message: string, field: string): never => {
  throw new HttpError(status, error, message, { in: 'body', field });
};

/**
 * The posted canonical JSON declaration (Declaration.toJSON form), checked enough that every rule
 * can run on it; anything else is refused naming the field (400 malformed, 422 unusable).
 */
export function draftDeclaration(body: Buffer, tenantId: string, checkId: string): Declaration {
  let raw: unknown;
  try {
    raw = JSON.parse(body.toString('utf8'));
  } catch (e) {
    return fail(400, 'invalid_json', `the body is not JSON: ${(e as Error).message}`, '(body)');
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    return fail(400, 'invalid_body', 'the body must be a JSON object: the canonical declaration (customs.v1.Declaration in JSON form)', '(body)');
  const o = raw as Record<string, unknown>;
  if (!Array.isArray(o.items) || o.items.length === 0) return fail(422, 'invalid_declaration', 'items must be a non-empty array of goods items (DE 1/6)', 'items');
  if (o.items.length > MAX_ITEMS) return fail(422, 'invalid_declaration', `a declaration has at most ${MAX_ITEMS} goods items (DE 1/9); got ${o.items.length}`, 'items');
  const seen = new Set<number>();
  o.items.forEach((it, i) => {
    if (!it || typeof it !== 'object' || Array.isArray(it)) fail(422, 'invalid_declaration', `items[${i}] must be an object`, `items[${i}]`);
    const n = (it as Record<string, unknown>).itemNumber;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_ITEMS)
      fail(422, 'invalid_declaration', `items[${i}].itemNumber must be a whole number from 1 to ${MAX_ITEMS} (DE 1/6)`, `items[${i}].itemNumber`);
    if (seen.has(n as number)) fail(422, 'invalid_declaration', `items[${i}].itemNumber ${n} is used twice`, `items[${i}].itemNumber`);
    seen.add(n as number);
  });
  if (typeof o.acceptanceDate !== 'string' || !o.acceptanceDate)
    return fail(422, 'invalid_declaration', 'acceptanceDate ("YYYY-MM-DD", the intended date of acceptance) is required: it decides the tariff, the exchange rate and the deadline', 'acceptanceDate');
  let d: Declaration;
  try {
    d = Declaration.fromJSON(raw);
  } catch (e) {
    return fail(422, 'invalid_declaration', `the declaration does not match customs.v1.Declaration: ${(e as Error).message}`, '(body)');
  }
  const problem = draftProblem(d);
  if (problem) return fail(422, 'invalid_declaration', problem.message, problem.field);
  // The caller's tenant, whatever the body says; an id of its own so it is never taken for a lodged declaration.
  return { ...d, tenantId, declarationId: `draft-${checkId}`, version: 1 };
}

/** Checks a draft declaration and stores the answer as the tenant's draft check (REST and gRPC). */
export async function runDraftCheck(
  db: Kysely<ValidationDb>,
  rules: readonly Rule[],
  reference: ReferencePort,
  tenantId: string,
  checkId: string,
  declaration: Declaration,
): Promise<{ result: DraftCheckResult; check: CheckResult }> {
  const now = new Date();
  const [r] = await checkBatch(rules, reference, [declaration], now);
  const today = now.toISOString().slice(0, 10);
  const result: DraftCheckResult = {
    checkId,
    checkedAt: now.toISOString(),
    declaration: Declaration.toJSON(declaration),
    // Zero amounts and header-level item 0 are stated, not left out as protobuf JSON defaults.
    findings: r!.findings.map((f) => ({
      ...(Finding.toJSON(f) as object),
      itemNumber: f.itemNumber,
      exposureDutyPence: f.exposureDutyPence,
      exposureVatPence: f.exposureVatPence,
      reclaimDutyPence: f.reclaimDutyPence,
      reclaimVatPence: f.reclaimVatPence,
      daysLeft: f.deadline ? daysLeft(f.deadline, today) : null,
    })),
    exposurePence: r!.summary.exposurePence,
    reclaimPence: r!.summary.reclaimPence,
    rulesEvaluated: r!.summary.rulesEvaluated,
    notChecked: r!.undecided.map((u) => ({ ruleId: u.ruleId, ruleVersion: u.ruleVersion, itemNumber: u.itemNumber, cause: u.cause, reason: u.reason })),
    taxLines: recomputedTaxLines(declaration, r!.reference),
  };
  await saveDraftCheck(db, {
    checkId,
    tenantId,
    lrn: declaration.lrn,
    checkedAt: now,
    findingCount: result.findings.length,
    exposurePence: result.exposurePence,
    reclaimPence: result.reclaimPence,
    result,
  });
  return { result, check: r! };
}

/**
 * POST /v1/checks — check before lodging: a broker or ERP posts a declaration it is about to
 * submit (canonical JSON) and gets back, in one call, the declaration as read, every
 * per-declaration finding with its £ effect and deadline, and what could not be checked. Kept
 * only as the tenant's draft check (draft_checks); never stored or published as a declaration.
 * GET /v1/checks/:id reads a draft check back. Roles: integrator (the submitter) and analyst.
 */
export function registerDraftCheckRoutes(http: FastifyInstance, db: Kysely<ValidationDb>, rules: readonly Rule[], reference: ReferencePort): void {
  http.register(async (scope) => {
    scope.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: MAX_DRAFT_CHECK_BYTES }, (_req, body, done) => done(null, body));
    // DMS XML waits for the parser to become a shared package (docs/adr/0008-dms-parser-package.md).
    scope.addContentTypeParser(['application/xml', 'text/xml'], { parseAs: 'buffer', bodyLimit: MAX_DRAFT_CHECK_BYTES }, (_req, _body, done) =>
      done(
        new HttpError(
          415,
          'unsupported_media_type',
          'DMS XML is not accepted here yet (ADR 0008: the DMS parser moves to a shared package first); post the canonical JSON declaration with content-type application/json',
          { in: 'header', parameter: 'content-type' },
        ),
        undefined,
      ),
    );

    // The body is read raw (its JSON is checked by draftDeclaration, naming each field); the
    // schemas bound the rest of the request and document the answer.
    scope.post<{ Body: Buffer }>(
      '/v1/checks',
      {
        schema: {
          summary: 'Check a draft declaration before lodging it (canonical JSON)',
          tags: ['checks'],
          querystring: query({}),
          response: { 200: obj({ checkId: { type: 'string' }, findings: { type: 'array' } }) },
        },
      },
      async (req, reply) => {
        const p = principalOf(req);
        if (!Buffer.isBuffer(req.body)) return fail(415, 'unsupported_media_type', 'post the canonical JSON declaration with content-type application/json', '(body)');
        const checkId = randomUUID();
        const declaration = draftDeclaration(req.body, p.tenantId, checkId);
        const { result } = await runDraftCheck(db, rules, reference, p.tenantId, checkId, declaration);
        return reply.code(200).send(result);
      },
    );

    scope.get<{ Params: { id: string } }>(
      '/v1/checks/:id',
      {
        schema: {
          summary: 'A draft check as recorded',
          tags: ['checks'],
          params: { type: 'object', properties: { id: { type: 'string', maxLength: 64 } }, required: ['id'] },
          querystring: query({}),
          response: { 200: obj({ checkId: { type: 'string' } }) },
        },
      },
      async (req) => {
        const p = principalOf(req);
        if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(req.params.id))
          throw new HttpError(400, 'invalid_parameter', 'path parameter "id" must be a check id from POST /v1/checks', { in: 'path', parameter: 'id' });
        const result = await draftCheckResult(db, p.tenantId, req.params.id);
        if (result === undefined) throw new HttpError(404, 'not_found', `no draft check ${req.params.id}`);
        return result;
      },
    );
  });
}
