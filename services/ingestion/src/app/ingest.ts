import { createHash, randomUUID } from 'node:crypto';
import type { Context } from '@opentelemetry/api';
import { Declaration, DeclarationReceived, Topics, declarationKey } from '@customs/contracts';
import { enqueueOutbox, sql, type Transaction } from '@customs/db';
import { buildEvent } from '@customs/kafka';
import type { IngestionDb } from '../db/migrations';

/** A problem found in a submitted document, named precisely enough to fix it. */
export interface IngestIssue {
  severity: 'error' | 'warning';
  sourceName: string;
  line?: number;
  column?: number;
  /** Element path (XML) or "row N" (CSV). */
  location: string;
  field: string;
  code: string;
  reason: string;
}

/** An amendment (delta with pointers) or invalidation request for an existing declaration. */
export interface DeclarationChange {
  kind: 'amendment' | 'invalidation';
  /** The partial content as parsed (an amendment carries only the changed elements). */
  declaration: Declaration;
  /** Where each change applies (DMS Amendment/Pointer). */
  amendments: unknown[];
}

/** What a parser made of a document. */
export interface ParsedDocument {
  declarations: Declaration[];
  /** Amendments and invalidations (recorded against their target; not new versions). */
  changes?: DeclarationChange[];
  issues: IngestIssue[];
}

export interface IngestRequest {
  tenantId: string;
  /** "rest", "kafka", "cli". */
  channel: string;
  format: string;
  sourceName: string;
  content: Buffer;
  parsed: ParsedDocument;
  receivedAt: Date;
  parent?: Context;
}

export interface IngestResult {
  batchId: string;
  status: 'accepted' | 'partially_accepted' | 'rejected' | 'duplicate';
  declarations: { declarationId: string; version: number; lrn: string; mrn: string; duplicate: boolean }[];
  /** Amendments/invalidations recorded; `targetDeclarationId` is empty until the MRN is known. */
  changes: { kind: string; mrn: string; lrn: string; targetDeclarationId: string; applied: boolean }[];
  issues: IngestIssue[];
}

/** Stable declaration id from tenant + natural key (MRN, else LRN), so versions group together. */
export function declarationIdFor(tenantId: string, naturalKey: string): string {
  const h = createHash('sha256').update(`${tenantId}|${naturalKey}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function naturalKeyOf(d: Declaration): string {
  return d.mrn ? `mrn:${d.mrn.toUpperCase()}` : d.lrn ? `lrn:${d.lrn}` : `sha:${d.contentSha256}`;
}

/**
 * Stores a parsed document as one batch in the caller's transaction: the raw bytes, every issue,
 * each new declaration version and its outbox event, so they commit together or not at all.
 * Rejected documents are stored with their issues and publish nothing; content already ingested
 * is recognised by hash and not published again.
 */
export async function ingestDocument(trx: Transaction<IngestionDb>, req: IngestRequest): Promise<IngestResult> {
  const batchId = randomUUID();
  const errors = req.parsed.issues.filter((i) => i.severity === 'error');
  const changes = req.parsed.changes ?? [];
  const rejectedWhole = req.parsed.declarations.length === 0 && changes.length === 0;
  const fileSha = createHash('sha256').update(req.content).digest('hex');
  const receivedAt = req.receivedAt.toISOString();

  {
    const result: IngestResult = { batchId, status: 'rejected', declarations: [], changes: [], issues: req.parsed.issues };
    const toInsert: IngestionDb['declarations'][] = [];
    const events = [];
    if (!rejectedWhole) {
      const withKeys = req.parsed.declarations.map((d) => {
        const naturalKey = naturalKeyOf(d);
        return { d, naturalKey, id: declarationIdFor(req.tenantId, naturalKey) };
      });
      const ids = [...new Set(withKeys.map((w) => w.id))].sort();
      // Versions are numbered per declaration: concurrent uploads of the same declaration (an
      // original and its amendment) take turns; sorted lock order rules out deadlocks.
      // A large report takes one tenant-wide lock instead: thousands of advisory locks in one
      // transaction would exhaust Postgres' lock table.
      if (ids.length > 200) await sql`select pg_advisory_xact_lock(hashtext(${`${req.tenantId}|*`}))`.execute(trx);
      else for (const id of ids) await sql`select pg_advisory_xact_lock(hashtext(${`${req.tenantId}|${id}`}))`.execute(trx);
      const hashes = withKeys.map((w) => w.d.contentSha256);
      // One round trip for versions and one for duplicates, whatever the batch size.
      const versions = ids.length === 0 ? [] : await trx.selectFrom('declarations').select(['declaration_id']).select((eb) => eb.fn.max('version').as('max_version')).where('tenant_id', '=', req.tenantId).where('declaration_id', 'in', ids).groupBy('declaration_id').execute();
      const seen = hashes.length === 0 ? [] : await trx.selectFrom('declarations').select(['content_sha256', 'declaration_id', 'version', 'lrn', 'mrn']).where('tenant_id', '=', req.tenantId).where('content_sha256', 'in', hashes).execute();
      const maxVersion = new Map(versions.map((v) => [v.declaration_id, Number(v.max_version)]));
      const seenByHash = new Map(seen.map((s) => [s.content_sha256, s]));
      for (const { d, naturalKey, id } of withKeys) {
        const dup = seenByHash.get(d.contentSha256);
        if (dup) {
          result.declarations.push({ declarationId: dup.declaration_id, version: dup.version, lrn: dup.lrn, mrn: dup.mrn, duplicate: true });
          continue;
        }
        const previous = maxVersion.get(id) ?? 0;
        const version = previous + 1;
        maxVersion.set(id, version);
        const full: Declaration = {
          ...d,
          tenantId: req.tenantId,
          declarationId: id,
          version,
          batchId,
          receivedAt,
          acceptanceDate: d.acceptanceDate || receivedAt.slice(0, 10),
          acceptanceDateSource: d.acceptanceDate ? d.acceptanceDateSource : 'received',
          importerEori: d.importerEori || d.parties.find((p) => p.role === 'importer')?.id || '',
        };
        seenByHash.set(d.contentSha256, { content_sha256: d.contentSha256, declaration_id: id, version, lrn: d.lrn, mrn: d.mrn });
        toInsert.push({ tenant_id: req.tenantId, declaration_id: id, version, natural_key: naturalKey, lrn: full.lrn, mrn: full.mrn, function_code: full.functionCode, type_code: full.typeCode, acceptance_date: full.acceptanceDate, item_count: full.items.length, content_sha256: full.contentSha256, batch_id: batchId, received_at: receivedAt, payload: Buffer.from(Declaration.encode(full).finish()) });
        events.push(buildEvent({ topic: Topics.declarationReceived, key: declarationKey(req.tenantId, full.mrn || full.lrn || id), value: DeclarationReceived.fromPartial({ declaration: full, supersedesVersion: previous }), tenant: req.tenantId, source: 'ingestion', subject: id, parent: req.parent, id: `declaration/${req.tenantId}/${id}/${version}` }));
        result.declarations.push({ declarationId: id, version, lrn: full.lrn, mrn: full.mrn, duplicate: false });
      }
      const accepted = toInsert.length + changes.length;
      result.status = accepted === 0 ? 'duplicate' : errors.length > 0 ? 'partially_accepted' : 'accepted';
    }
    await trx
      .insertInto('batches')
      .values({
        batch_id: batchId,
        tenant_id: req.tenantId,
        channel: req.channel,
        format: req.format,
        source_name: req.sourceName,
        content_sha256: fileSha,
        size_bytes: req.content.length,
        status: result.status,
        declarations_accepted: toInsert.length + changes.length,
        declarations_duplicate: result.declarations.filter((d) => d.duplicate).length,
        declarations_rejected: rejectedWhole ? 1 : 0,
        issue_count: req.parsed.issues.length,
        received_at: receivedAt,
        completed_at: new Date().toISOString(),
        raw_content: req.content,
      })
      .execute();
    // Every issue is kept; chunked to stay under Postgres' bind-parameter limit.
    for (let i = 0; i < req.parsed.issues.length; i += 5000) {
      await trx
        .insertInto('batch_issues')
        .values(req.parsed.issues.slice(i, i + 5000).map((x) => ({ batch_id: batchId, tenant_id: req.tenantId, severity: x.severity, source_name: x.sourceName, line: x.line ?? null, column_number: x.column ?? null, location: x.location, field: x.field, code: x.code, reason: x.reason })))
        .execute();
    }
    for (let i = 0; i < toInsert.length; i += 1000) await trx.insertInto('declarations').values(toInsert.slice(i, i + 1000)).execute();
    if (changes.length) {
      // Amendments name their declaration by MRN; originals submitted before acceptance carry
      // only an LRN, so the target stays open until the MRN is linked (recorded either way).
      const mrns = [...new Set(changes.map((c) => c.declaration.mrn).filter(Boolean))];
      const targets = mrns.length ? await trx.selectFrom('declarations').select(['declaration_id', 'mrn']).where('tenant_id', '=', req.tenantId).where('mrn', 'in', mrns).execute() : [];
      const byMrn = new Map(targets.map((t) => [t.mrn, t.declaration_id]));
      await trx
        .insertInto('declaration_changes')
        .values(changes.map((c) => ({ tenant_id: req.tenantId, batch_id: batchId, kind: c.kind, mrn: c.declaration.mrn, lrn: c.declaration.lrn, target_declaration_id: byMrn.get(c.declaration.mrn) ?? null, pointers: JSON.stringify(c.amendments), payload: Buffer.from(Declaration.encode(c.declaration).finish()), received_at: receivedAt })))
        .execute();
      result.changes = changes.map((c) => ({ kind: c.kind, mrn: c.declaration.mrn, lrn: c.declaration.lrn, targetDeclarationId: byMrn.get(c.declaration.mrn) ?? '', applied: false }));
    }
    await enqueueOutbox(trx, 'ingestion', events);
    return result;
  }
}
