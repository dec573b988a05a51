import { type FastifyInstance, HttpError, isoDate, obj, principalOf, text } from '@customs/http';
import { enqueueOutbox, type Kysely, withTenant } from '@customs/db';
import { bindStore } from '../app/ports';
import { deleteOriginEvidence, type EvidenceInput, putOriginEvidence } from '../app/evidence';
import type { EvidenceRow } from '../db/evidence-repo';
import type { ScoringDb } from '../db/migrations';
import { encode } from '../kafka/consumers';
import { supplierKey } from '../rules/facts';
import type { OriginEvidenceKind } from '../rules/types';
import { findingJson, findingSchema, str } from './json';

// REST adapter for C20's origin evidence register, managed like C02's approved agents: per
// importer, read with config:read, changed with config:write, every change in the audit trail
// (the platform records each non-GET request). A change re-judges C20 for the importer at once and
// publishes the findings it raises (and the scores it moves) through the outbox, in one transaction.

const EORI = { type: 'string', pattern: '^[A-Z]{2}[A-Z0-9]{1,15}$' } as const;
const EVIDENCE_ID = { type: 'string', pattern: '^[A-Za-z0-9-]{1,64}$' } as const;
const KINDS: OriginEvidenceKind[] = ['supplier_statement', 'long_term_supplier_declaration', 'importers_records'];
const body = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'validFrom', 'validTo', 'reference'],
  properties: {
    supplierId: { type: 'string', minLength: 1, maxLength: 100, description: 'the supplier’s id (EORI, REX number) as declared as seller/exporter/consignor' },
    supplierName: { type: 'string', minLength: 1, maxLength: 200, description: 'when the declarations name the supplier without an id: its name, with supplierCountry' },
    supplierCountry: { type: 'string', pattern: '^[A-Z]{2}$' },
    kind: { type: 'string', enum: KINDS },
    validFrom: isoDate,
    validTo: isoDate,
    commodityCodePrefixes: {
      type: 'array',
      maxItems: 100,
      uniqueItems: true,
      items: { type: 'string', pattern: '^\\d{2,10}$' },
      description: 'codes covered (2–10 digit prefixes); none = every code',
    },
    reference: text(500),
  },
} as const;
type Body = {
  supplierId?: string;
  supplierName?: string;
  supplierCountry?: string;
  kind: OriginEvidenceKind;
  validFrom: string;
  validTo: string;
  commodityCodePrefixes?: string[];
  reference: string;
};

const bad = (field: string, message: string) => new HttpError(400, 'invalid_request', message, { in: 'body', field });

function inputOf(b: Body): EvidenceInput {
  if (b.supplierId && (b.supplierName || b.supplierCountry)) throw bad('supplierId', 'give either supplierId or supplierName with supplierCountry, not both');
  if (!b.supplierId && !(b.supplierName && b.supplierCountry)) throw bad(b.supplierName ? 'supplierCountry' : 'supplierId', 'body needs supplierId, or supplierName with supplierCountry');
  if (b.validTo < b.validFrom) throw bad('validTo', `validTo ${b.validTo} is before validFrom ${b.validFrom}`);
  const supplier = supplierKey({ id: b.supplierId ?? '', name: b.supplierName ?? '', countryCode: b.supplierCountry ?? '' });
  if (!supplier || supplier.startsWith('|')) throw bad(b.supplierId ? 'supplierId' : 'supplierName', 'the supplier has no letters or digits');
  return { supplier, kind: b.kind, validFrom: b.validFrom, validTo: b.validTo, codePrefixes: [...(b.commodityCodePrefixes ?? [])].sort(), reference: b.reference };
}

const maybe = { type: ['string', 'null'] } as const;
const entrySchema = obj({
  evidenceId: str,
  importerId: str,
  supplier: str,
  kind: str,
  validFrom: str,
  validTo: str,
  commodityCodePrefixes: { type: 'array', items: str },
  reference: str,
  createdBy: maybe,
  createdAt: maybe,
  updatedBy: maybe,
  updatedAt: maybe,
});
const rejudgedSchema = obj({ raised: { type: 'array', items: findingSchema }, superseded: { type: 'array', items: str } }, 'the findings C20 raised and the ids it superseded');
const changedSchema = obj({ entry: entrySchema, rejudged: rejudgedSchema });

const entryJson = (e: EvidenceRow) => ({
  evidenceId: e.id,
  importerId: e.importer,
  supplier: e.supplier,
  kind: e.kind,
  validFrom: e.validFrom,
  validTo: e.validTo,
  commodityCodePrefixes: e.codePrefixes,
  reference: e.reference,
  createdBy: e.createdBy,
  createdAt: e.createdAt,
  updatedBy: e.updatedBy,
  updatedAt: e.updatedAt,
});

export function registerEvidenceRoutes(http: FastifyInstance, db: Kysely<ScoringDb>): void {
  const tags = { tags: ['evidence register'] };
  const params = { type: 'object', additionalProperties: false, required: ['id'], properties: { id: EORI } } as const;
  const entryParams = { type: 'object', additionalProperties: false, required: ['id', 'evidenceId'], properties: { id: EORI, evidenceId: EVIDENCE_ID } } as const;
  const rejudgedJson = (r: { raised: import('@customs/contracts').Finding[]; superseded: string[] }) => ({ raised: r.raised.map(findingJson), superseded: r.superseded });

  http.get<{ Params: { id: string } }>(
    '/v1/importers/:id/origin-evidence',
    {
      schema: {
        summary: 'The origin evidence an importer keeps on file per supplier (C20’s register)',
        ...tags,
        params,
        response: { 200: obj({ importerId: str, entries: { type: 'array', items: entrySchema } }) },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const entries = await withTenant(db, p.tenantId, (trx) => bindStore(trx).listEvidence(p.tenantId, req.params.id));
      return { importerId: req.params.id, entries: entries.map(entryJson) };
    },
  );

  http.post<{ Params: { id: string }; Body: Body }>(
    '/v1/importers/:id/origin-evidence',
    { schema: { summary: 'Add origin evidence on file for a supplier; C20 is re-judged for the importer', ...tags, params, body, response: { 201: changedSchema } } },
    async (req, reply) => {
      const p = principalOf(req);
      const input = inputOf(req.body);
      const now = new Date().toISOString();
      const r = await withTenant(db, p.tenantId, async (trx) => {
        const out = await putOriginEvidence(bindStore(trx), p.tenantId, req.params.id, undefined, input, p.subject, now);
        await enqueueOutbox(
          trx,
          'scoring',
          out.events.map((o) => encode(o)),
        );
        return out;
      });
      return reply.code(201).send({ entry: entryJson(r.entry), rejudged: rejudgedJson(r) });
    },
  );

  http.put<{ Params: { id: string; evidenceId: string }; Body: Body }>(
    '/v1/importers/:id/origin-evidence/:evidenceId',
    { schema: { summary: 'Replace an origin evidence entry; C20 is re-judged for the importer', ...tags, params: entryParams, body, response: { 200: changedSchema } } },
    async (req) => {
      const p = principalOf(req);
      const input = inputOf(req.body);
      const now = new Date().toISOString();
      const r = await withTenant(db, p.tenantId, async (trx) => {
        const st = bindStore(trx);
        if (!(await st.getEvidence(p.tenantId, req.params.id, req.params.evidenceId))) return undefined;
        const out = await putOriginEvidence(st, p.tenantId, req.params.id, req.params.evidenceId, input, p.subject, now);
        await enqueueOutbox(
          trx,
          'scoring',
          out.events.map((o) => encode(o)),
        );
        return out;
      });
      if (!r) throw new HttpError(404, 'not_found', `no origin evidence ${req.params.evidenceId} for importer ${req.params.id}`);
      return { entry: entryJson(r.entry), rejudged: rejudgedJson(r) };
    },
  );

  http.delete<{ Params: { id: string; evidenceId: string } }>(
    '/v1/importers/:id/origin-evidence/:evidenceId',
    {
      schema: {
        summary: 'Remove an origin evidence entry; C20 is re-judged for the importer',
        ...tags,
        params: entryParams,
        response: { 200: obj({ importerId: str, evidenceId: str, deleted: { type: 'boolean' }, rejudged: rejudgedSchema }) },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const now = new Date().toISOString();
      const r = await withTenant(db, p.tenantId, async (trx) => {
        const out = await deleteOriginEvidence(bindStore(trx), p.tenantId, req.params.id, req.params.evidenceId, now);
        if (out)
          await enqueueOutbox(
            trx,
            'scoring',
            out.events.map((o) => encode(o)),
          );
        return out;
      });
      if (!r) throw new HttpError(404, 'not_found', `no origin evidence ${req.params.evidenceId} for importer ${req.params.id}`);
      return { importerId: req.params.id, evidenceId: req.params.evidenceId, deleted: true, rejudged: rejudgedJson(r) };
    },
  );
}
