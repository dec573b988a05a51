import { hash, randomUUID } from 'node:crypto';
import type { Context } from '@opentelemetry/api';
import { BinaryWriter } from '@bufbuild/protobuf/wire';
import { Declaration, Topics, declarationKey, type DeclarationReceived, type TopicDef } from '@customs/contracts';
import { enqueueOutbox, sql, type Transaction } from '@customs/db';
import { buildEvent, type EncodedEvent } from '@customs/kafka';
import type { Insertable } from 'kysely';
import type { IngestionDb } from '../db/migrations';
import type { DmsAmendment } from '../parse/dms';
import { applyChange, isMrnCorrection, mergeDuplicate, mergePartialResend } from './amend';
import { invoiceKey } from '../parse/erp/erp';
import { storable } from './safe-text';
import { MAX_ITEMS_PER_DECLARATION } from '../parse/limits';

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
  amendments: DmsAmendment[];
}

/** What a parser made of a document. */
export interface ParsedDocument {
  declarations: Declaration[];
  /** Amendments and invalidations: applied to their target as a new version when it is known. */
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

export type BatchStatus = 'accepted' | 'partially_accepted' | 'rejected' | 'duplicate' | 'in_progress' | 'incomplete';

export interface IngestedDeclaration {
  declarationId: string;
  version: number;
  lrn: string;
  mrn: string;
  duplicate: boolean;
}

export interface IngestedChange {
  kind: string;
  mrn: string;
  lrn: string;
  targetDeclarationId: string;
  applied: boolean;
  /** The version the change produced (0 when not applied). */
  version: number;
  duplicate: boolean;
  /** Recorded but refused (its declaration was invalidated). */
  refused?: boolean;
}

export interface IngestResult {
  batchId: string;
  status: BatchStatus;
  declarations: IngestedDeclaration[];
  /** Amendments/invalidations; `applied` once merged into a new version of their target. */
  changes: IngestedChange[];
  issues: IngestIssue[];
}

/** Stable declaration id from tenant + natural key (MRN, else LRN), so versions group together. */
export function declarationIdFor(tenantId: string, naturalKey: string): string {
  const h = hash('sha256', `${tenantId}|${naturalKey}`, 'hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function naturalKeyOf(d: Declaration): string {
  return d.mrn ? `mrn:${d.mrn.toUpperCase()}` : d.lrn ? `lrn:${d.lrn}` : `sha:${d.contentSha256}`;
}

/** Who and when: what every row of one batch shares. */
export interface BatchContext {
  tenantId: string;
  batchId: string;
  receivedAt: string;
  parent?: Context;
}

// The declaration is encoded once: its bytes are the stored payload and, wrapped by hand as
// DeclarationReceived field 1 (+ field 2 supersedes_version), the event payload. Encoding the
// declaration a second time inside DeclarationReceived.encode was a third of the CPU per row.
const PREENCODED_RECEIVED: TopicDef<Uint8Array> = { name: Topics.declarationReceived.name, codec: { typeName: Topics.declarationReceived.codec.typeName, encode: (b) => b, decode: (b) => b } };
function receivedPayload(declaration: Uint8Array, supersedesVersion: number): Uint8Array {
  const w = new BinaryWriter();
  w.uint32(10).bytes(declaration);
  if (supersedesVersion !== 0) w.uint32(16).int32(supersedesVersion);
  return w.finish();
}
/** Same bytes as DeclarationReceived.encode (kept for tests that compare). */
export function encodeReceived(r: DeclarationReceived): Uint8Array {
  return receivedPayload(Declaration.encode(r.declaration!).finish(), r.supersedesVersion);
}

export { MAX_ITEMS_PER_DECLARATION };
/**
 * The largest encoded declaration stored and published (its DeclarationReceived event is these
 * bytes and a few more). 999 items of HMRC's sample shape encode to well under 1 MiB; 4 MiB
 * leaves room for long texts while keeping every event far below the broker's limit
 * (KAFKA_MAX_MESSAGE_BYTES, 16 MiB), so an event is bounded by design, not by luck.
 */
export const MAX_DECLARATION_BYTES = 4 * 1024 * 1024;

interface NewVersion {
  full: Declaration;
  /** The declaration encoded (stored payload and event body). */
  bytes: Uint8Array;
  naturalKey: string;
  previous: number;
  /** The batch the version came with (a group commit stores several batches at once). */
  ctx: BatchContext;
}

/**
 * Byte strings for one statement: concatenated into a single binary parameter and cut apart by
 * offset in SQL. node-pg sends a Buffer parameter in binary; an array of bytea would travel as
 * hex text (twice the bytes, hex-encoded here and decoded by Postgres, per row).
 */
class Blob {
  private readonly parts: Buffer[] = [];
  readonly offsets: number[] = [];
  readonly lengths: number[] = [];
  private size = 0;
  add(b: Uint8Array): void {
    this.parts.push(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
    this.offsets.push(this.size + 1); // substring() is 1-based
    this.lengths.push(b.byteLength);
    this.size += b.byteLength;
  }
  bytes(): Buffer {
    return Buffer.concat(this.parts, this.size);
  }
}

/**
 * CloudEvents headers for many events of one batch: built (and the trace context injected) once,
 * then copied with each event's own id and subject. Per-event injection was a measurable share
 * of a streamed report's CPU.
 */
function eventHeaders(ctx: BatchContext): (id: string, subject: string) => Record<string, string> {
  const template = buildEvent({ topic: PREENCODED_RECEIVED, key: '', value: new Uint8Array(0), tenant: ctx.tenantId, source: 'ingestion', parent: ctx.parent, id: 'template' }).headers;
  return (id, subject) => ({ ...template, ce_id: id, ce_subject: subject });
}

/**
 * Inserts declaration versions and their outbox events with one statement each, whatever the
 * number of rows: scalar columns travel as one JSON document expanded by json_to_recordset
 * (Postgres parses it natively; node-pg's per-element array escaping was slower), payloads as
 * one binary parameter cut by offset. Rows may come from several batches of one tenant.
 */
async function insertVersions(trx: Transaction<IngestionDb>, tenantId: string, rows: NewVersion[]): Promise<void> {
  if (rows.length === 0) return;
  const meta: unknown[] = [];
  const payloads = new Blob();
  const events: EncodedEvent[] = [];
  const headersByBatch = new Map<BatchContext, ReturnType<typeof eventHeaders>>();
  for (const { full, bytes, naturalKey, previous, ctx } of rows) {
    let headers = headersByBatch.get(ctx);
    if (!headers) headersByBatch.set(ctx, (headers = eventHeaders(ctx)));
    payloads.add(bytes);
    const n = payloads.offsets.length - 1;
    meta.push({
      id: full.declarationId,
      version: full.version,
      nk: naturalKey,
      lrn: full.lrn,
      mrn: full.mrn,
      fc: full.functionCode,
      tc: full.typeCode,
      ad: full.acceptanceDate,
      items: full.items.length,
      sha: full.contentSha256,
      status: full.status,
      kind: full.changeKind,
      off: payloads.offsets[n],
      len: payloads.lengths[n],
      batch: ctx.batchId,
      at: ctx.receivedAt,
    });
    events.push({
      topic: PREENCODED_RECEIVED.name,
      // Keyed by the declaration's identity, not its MRN: a version that first gains an MRN (a COR
      // linking the MRN to an entry sent without one) must land on the same partition as the
      // versions before it, so every consumer reads a declaration's versions in order.
      key: declarationKey(tenantId, full.declarationId),
      payload: receivedPayload(bytes, previous),
      headers: headers(`declaration/${tenantId}/${full.declarationId}/${full.version}`, full.declarationId),
    });
  }
  await sql`
    insert into declarations (tenant_id, declaration_id, version, natural_key, lrn, mrn, function_code, type_code, acceptance_date, item_count, content_sha256, status, change_kind, payload, batch_id, received_at)
    select ${tenantId}, t.id, t.version, t.nk, t.lrn, t.mrn, t.fc, t.tc, t.ad, t.items, t.sha, t.status, t.kind, substring(${payloads.bytes()}::bytea from t.off for t.len), t.batch, t.at::timestamptz
    from json_to_recordset(${JSON.stringify(meta)}::json) as t(id text, version int, nk text, lrn text, mrn text, fc text, tc text, ad text, items int, sha text, status text, kind text, off int, len int, batch text, at text)`.execute(
    trx,
  );
  await replaceInvoiceRefs(
    trx,
    tenantId,
    rows.map((r) => r.full),
  );
  // @customs/db's outbox: a handful of events as rows, a streamed chunk's thousands as packs.
  await enqueueOutbox(trx, 'ingestion', events);
}

/** Invoice-number keys of an N935 reference: the whole reference, and the number of HMRC's "number/dd.mm.yyyy" form. */
export function invoiceKeysOf(reference: string): string[] {
  const full = invoiceKey(reference);
  if (!full) return [];
  const m = /^(.+)\/\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$/.exec(reference.trim());
  const number = m ? invoiceKey(m[1]!) : '';
  return number && number !== full ? [full, number] : [full];
}

/** Keeps declaration_invoice_refs = the N935 references of each declaration's latest version. */
async function replaceInvoiceRefs(trx: Transaction<IngestionDb>, tenantId: string, versions: Declaration[]): Promise<void> {
  const latest = new Map<string, Declaration>();
  for (const d of versions) if ((latest.get(d.declarationId)?.version ?? 0) < d.version) latest.set(d.declarationId, d);
  const ids: string[] = [];
  const vers: number[] = [];
  const refs: string[] = [];
  const keys: string[] = [];
  let replacing = false;
  for (const d of latest.values()) {
    if (d.version > 1) replacing = true;
    if (d.status === 'invalidated') continue; // an invalidated declaration expects no goods
    const seen = new Set<string>();
    for (const doc of [...d.documents, ...d.items.flatMap((i) => i.documents)]) {
      if (doc.code !== 'N935' || !doc.reference) continue;
      for (const k of invoiceKeysOf(doc.reference)) {
        if (seen.has(k)) continue;
        seen.add(k);
        ids.push(d.declarationId);
        vers.push(d.version);
        refs.push(doc.reference);
        keys.push(k);
      }
    }
  }
  // Only a later version can have refs to replace (first versions are new ids).
  if (replacing) await sql`delete from declaration_invoice_refs where tenant_id = ${tenantId} and declaration_id = any(${[...latest.keys()]}::text[])`.execute(trx);
  if (ids.length === 0) return;
  const meta = ids.map((id, i) => ({ id, v: vers[i], r: refs[i], k: keys[i] }));
  await sql`
    insert into declaration_invoice_refs (tenant_id, declaration_id, version, reference, invoice_key)
    select ${tenantId}, t.id, t.v, t.r, t.k from json_to_recordset(${JSON.stringify(meta)}::json) as t(id text, v int, r text, k text)
    on conflict do nothing`.execute(trx);
}

/**
 * Versions are numbered per declaration: concurrent uploads of the same declaration take turns;
 * sorted lock order rules out deadlocks. A large set takes one tenant-wide lock instead:
 * thousands of advisory locks in one transaction would exhaust Postgres' lock table.
 */
async function lockDeclarations(trx: Transaction<IngestionDb>, tenantId: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  if (ids.length > 200) await sql`select pg_advisory_xact_lock(hashtext(${`${tenantId}|*`}))`.execute(trx);
  // One round trip: the locks are taken as the sorted subquery yields its rows, in key order.
  else await sql`select pg_advisory_xact_lock(hashtext(k)) from (select k from unnest(${ids.map((id) => `${tenantId}|${id}`)}::text[]) as k order by k collate "C") as sorted`.execute(trx);
}

export interface StoreOutcome {
  declarations: IngestedDeclaration[];
  inserted: number;
  issues: IngestIssue[];
}

/** Declarations of one batch, to be stored with those of other batches of the same tenant. */
export interface DeclarationSet {
  ctx: BatchContext;
  decls: Declaration[];
  sourceName: string;
}

/**
 * Stores full declarations as new versions (or recognises them as already ingested by content
 * hash). A declaration whose MRN is already known joins that declaration's versions even when it
 * was first ingested under its LRN (an original linked to its MRN by an amendment). A declaration
 * that already got a version from this same batch is refused: in a streamed report that means the
 * entry's rows were not contiguous, and a second, partial version would be wrong.
 */
export async function storeDeclarations(trx: Transaction<IngestionDb>, ctx: BatchContext, decls: Declaration[], sourceName: string, opts: { lock?: boolean } = {}): Promise<StoreOutcome> {
  return (await storeDeclarationSets(trx, ctx.tenantId, [{ ctx, decls, sourceName }], opts))[0]!;
}

/**
 * storeDeclarations for several batches of one tenant at once (a group commit), with the same
 * round trips as for one: the sets are taken in order, so a later set sees an earlier one's
 * versions and content exactly as if they had been stored one after the other.
 */
export async function storeDeclarationSets(trx: Transaction<IngestionDb>, tenantId: string, sets: DeclarationSet[], opts: { lock?: boolean } = {}): Promise<StoreOutcome[]> {
  const outs: StoreOutcome[] = sets.map(() => ({ declarations: [], inserted: 0, issues: [] }));
  const all = sets.flatMap((s) => s.decls);
  if (all.length === 0) return outs;
  const mrns = [...new Set(all.map((d) => d.mrn.toUpperCase()).filter(Boolean))];
  const linked = mrns.length
    ? await sql<{
        mrn: string;
        declaration_id: string;
      }>`select distinct on (mrn) mrn, declaration_id from declarations d where tenant_id = ${tenantId} and mrn = any(array(select json_array_elements_text(${JSON.stringify(mrns)}::json))) and not exists (select 1 from declarations m where m.tenant_id = d.tenant_id and m.declaration_id = d.declaration_id and m.change_kind = 'merged') order by mrn, version desc`.execute(
        trx,
      )
    : { rows: [] };
  const byMrn = new Map(linked.rows.map((r) => [r.mrn, r.declaration_id]));
  // MRN corrections: an entry under a new MRN that is one stored declaration re-sent with its MRN
  // corrected (same LRN, importer, date and goods; amend.ts isMrnCorrection) joins it instead of
  // becoming a second declaration whose money would count twice. One round trip, by LRN.
  const corrections = new Map<Declaration, { id: string; mrn: string }>();
  const unknownMrn = all.filter((d) => d.mrn && !byMrn.has(d.mrn.toUpperCase()) && d.lrn && d.lrn !== d.mrn);
  if (unknownMrn.length) {
    const sameLrn = await sql<{ declaration_id: string; payload: Buffer }>`
      select distinct on (declaration_id) declaration_id, payload from declarations d
      where tenant_id = ${tenantId} and lrn = any(${[...new Set(unknownMrn.map((d) => d.lrn))]}::text[]) and mrn <> ''
        and not exists (select 1 from declarations m where m.tenant_id = d.tenant_id and m.declaration_id = d.declaration_id and m.change_kind = 'merged')
      order by declaration_id, version desc`.execute(trx);
    const stored = sameLrn.rows.map((r) => Declaration.decode(r.payload));
    for (const d of unknownMrn) {
      const matches = stored.filter((p) => p.status !== 'invalidated' && isMrnCorrection(p, d));
      if (matches.length === 1) corrections.set(d, { id: matches[0]!.declarationId, mrn: matches[0]!.mrn });
    }
  }
  const keyed = sets.map((set) =>
    set.decls.map((d) => {
      const naturalKey = naturalKeyOf(d);
      return { d, naturalKey, id: byMrn.get(d.mrn.toUpperCase()) ?? corrections.get(d)?.id ?? declarationIdFor(tenantId, naturalKey) };
    }),
  );
  const ids = [...new Set(keyed.flatMap((k) => k.map((w) => w.id)))];
  // Without the lock (a streamed report's chunks in flight together) a concurrent version of the
  // same declaration fails on the primary key instead, and the caller retries.
  if (opts.lock ?? true) await lockDeclarations(trx, tenantId, ids);
  // One round trip for versions and one for duplicates, whatever the number of rows and batches.
  const batchIds = sets.map((s) => s.ctx.batchId);
  const versions = await sql<{
    declaration_id: string;
    max_version: number;
    batches: string[] | null;
  }>`select declaration_id, max(version) as max_version, array_agg(distinct batch_id) filter (where batch_id = any(${batchIds}::text[])) as batches from declarations where tenant_id = ${tenantId} and declaration_id = any(array(select json_array_elements_text(${JSON.stringify(ids)}::json))) group by declaration_id`.execute(
    trx,
  );
  const hashes = all.map((d) => d.contentSha256);
  const seen = await sql<{
    content_sha256: string;
    declaration_id: string;
    version: number;
    lrn: string;
    mrn: string;
  }>`select content_sha256, declaration_id, version, lrn, mrn from declarations where tenant_id = ${tenantId} and content_sha256 = any(array(select json_array_elements_text(${JSON.stringify(hashes)}::json)))`.execute(
    trx,
  );
  const maxVersion = new Map(versions.rows.map((v) => [v.declaration_id, Number(v.max_version)]));
  // A re-send that may be partial (no acceptance date, importer or tax lines: an item report sent
  // alone) is judged against the version it would replace, read in one round trip.
  const maybePartial = [
    ...new Set(
      keyed
        .flat()
        .filter(({ d, id }) => maxVersion.has(id) && (!d.acceptanceDate || !d.importerEori || !d.items.some((i) => i.taxLines.length > 0)))
        .map(({ id }) => id),
    ),
  ];
  const latest = new Map<string, Declaration>();
  if (maybePartial.length) {
    const prevRows = await sql<{ declaration_id: string; payload: Buffer }>`
      select distinct on (declaration_id) declaration_id, payload from declarations
      where tenant_id = ${tenantId} and declaration_id = any(${maybePartial}::text[]) order by declaration_id, version desc`.execute(trx);
    for (const r of prevRows.rows) latest.set(r.declaration_id, Declaration.decode(r.payload));
  }
  const storedIn = new Map(versions.rows.filter((v) => v.batches).map((v) => [v.declaration_id, new Set(v.batches)]));
  const seenByHash = new Map(seen.rows.map((s) => [s.content_sha256, s]));
  const rows: NewVersion[] = [];
  // One writer for the whole set: its buffer grows once instead of from 1 KiB per declaration.
  const writer = new BinaryWriter();
  sets.forEach(({ ctx, sourceName }, n) => {
    const out = outs[n]!;
    for (const { d: sent, naturalKey, id } of keyed[n]!) {
      let d = sent;
      const entry = d.mrn || d.lrn || d.contentSha256.slice(0, 12);
      if (d.items.length > MAX_ITEMS_PER_DECLARATION) {
        out.issues.push({
          severity: 'error',
          sourceName,
          location: `entry ${entry}`,
          field: 'items (DE 1/9 total number of items)',
          code: 'TOO_MANY_ITEMS',
          reason: `entry ${entry} has ${d.items.length} goods items; a CDS declaration holds at most ${MAX_ITEMS_PER_DECLARATION}, so it was not stored (split it as CDS would, or check the report for merged entries)`,
        });
        continue;
      }
      const dup = seenByHash.get(d.contentSha256);
      if (dup) {
        out.declarations.push({ declarationId: dup.declaration_id, version: dup.version, lrn: dup.lrn, mrn: dup.mrn, duplicate: true });
        continue;
      }
      if (storedIn.get(id)?.has(ctx.batchId)) {
        out.issues.push({
          severity: 'error',
          sourceName,
          location: `entry ${d.mrn || d.lrn}`,
          field: 'entry',
          code: 'SPLIT_ENTRY',
          reason: `rows of entry ${d.mrn || d.lrn} are not contiguous in the file: part of it was already stored from this upload, so this later part was not stored (sort the report by entry and re-send it; stored entries are recognised as duplicates)`,
        });
        continue;
      }
      const corrected = corrections.get(sent);
      if (corrected)
        out.issues.push({
          severity: 'warning',
          sourceName,
          location: `entry ${entry}`,
          field: 'MRN',
          code: 'MRN_CORRECTED',
          reason: `entry ${entry} has the LRN, importer, acceptance date and goods of declaration ${corrected.id} stored under MRN ${corrected.mrn}: taken as that declaration with its MRN corrected (its next version), not a second declaration`,
        });
      const previous = maxVersion.get(id) ?? 0;
      // Never let a partial re-send replace a complete version: merged into it, with a warning.
      const prior = previous > 0 ? latest.get(id) : undefined;
      const merged = prior && prior.version === previous ? mergePartialResend(prior, d) : undefined;
      if (merged && sameRecord(prior!, merged.declaration)) {
        // Nothing new in it: the re-send of part of what is stored.
        out.declarations.push({ declarationId: id, version: previous, lrn: prior!.lrn, mrn: prior!.mrn, duplicate: true });
        continue;
      }
      if (merged) {
        d = merged.declaration;
        out.issues.push({
          severity: 'warning',
          sourceName,
          location: `entry ${entry}`,
          field: 'entry',
          code: 'PARTIAL_RESEND_MERGED',
          reason: `entry ${entry} was re-sent without parts of the stored version: ${merged.notes.join('; ')}`,
        });
        latest.set(id, { ...d, version: previous + 1 });
      }
      const version = previous + 1;
      maxVersion.set(id, version);
      const full: Declaration = {
        ...d,
        tenantId,
        declarationId: id,
        version,
        batchId: ctx.batchId,
        receivedAt: ctx.receivedAt,
        acceptanceDate: d.acceptanceDate || ctx.receivedAt.slice(0, 10),
        acceptanceDateSource: d.acceptanceDate ? d.acceptanceDateSource : 'received',
        importerEori: d.importerEori || d.parties.find((p) => p.role === 'importer')?.id || '',
        changeKind: previous === 0 ? 'original' : 'resubmission',
      };
      const bytes = Declaration.encode(full, writer).finish();
      if (bytes.length > MAX_DECLARATION_BYTES) {
        if (previous === 0) maxVersion.delete(id);
        else maxVersion.set(id, previous);
        out.issues.push({
          severity: 'error',
          sourceName,
          location: `entry ${entry}`,
          field: 'entry',
          code: 'DECLARATION_TOO_LARGE',
          reason: `entry ${entry} encodes to ${bytes.length} bytes, above the ${MAX_DECLARATION_BYTES} bytes one declaration may hold, so it was not stored (look for oversized texts or repeated documents in its rows)`,
        });
        continue;
      }
      seenByHash.set(d.contentSha256, { content_sha256: d.contentSha256, declaration_id: id, version, lrn: d.lrn, mrn: d.mrn });
      rows.push({ full, bytes, naturalKey, previous, ctx });
      out.declarations.push({ declarationId: id, version, lrn: full.lrn, mrn: full.mrn, duplicate: false });
      out.inserted++;
    }
  });
  await insertVersions(trx, tenantId, rows);
  return outs;
}

/** The same declaration data, whatever version, batch or file it came in. */
function sameRecord(a: Declaration, b: Declaration): boolean {
  const neutral = (d: Declaration) =>
    Declaration.encode({ ...d, tenantId: '', declarationId: '', version: 0, batchId: '', receivedAt: '', sourceName: '', contentSha256: '', changeKind: '', appliedChanges: [] }).finish();
  return Buffer.from(neutral(a)).equals(Buffer.from(neutral(b)));
}

/**
 * Applies amendments and invalidations: each becomes the next version of the declaration it
 * names (by MRN; else by its LRN when exactly one declaration has it, since originals are
 * submitted before CDS assigns the MRN), published once like any version so downstream checks
 * re-run and supersede the previous version's findings. A change whose target is not ingested
 * yet is recorded (applied = false) and reported as a warning. The same change file twice is
 * recognised by its content hash and not applied again.
 */
export async function applyChanges(
  trx: Transaction<IngestionDb>,
  ctx: BatchContext,
  changes: DeclarationChange[],
  sourceName: string,
  recorded?: number[],
): Promise<{ changes: IngestedChange[]; inserted: number; issues: IngestIssue[] }> {
  const res = { changes: [] as IngestedChange[], inserted: 0, issues: [] as IngestIssue[] };
  if (changes.length === 0) return res;
  // `recorded`: ids of declaration_changes rows these changes already are (pending ones being
  // applied now that their target arrived): updated in place, never recorded twice.
  const appliedRecorded: { id: number; target: string; version: number }[] = [];
  const hashes = changes.map((c) => c.declaration.contentSha256);
  const applied = await sql<{
    content_sha256: string;
    declaration_id: string;
    version: number;
  }>`select content_sha256, declaration_id, version from declarations where tenant_id = ${ctx.tenantId} and content_sha256 = any(${hashes}::text[])`.execute(trx);
  const pending = await sql<{
    content_sha256: string;
  }>`select content_sha256 from declaration_changes where tenant_id = ${ctx.tenantId} and content_sha256 = any(${hashes}::text[]) and applied_version is null`.execute(trx);
  const appliedByHash = new Map(applied.rows.map((r) => [r.content_sha256, r]));
  const pendingHashes = new Set(pending.rows.map((r) => r.content_sha256));
  const mrns = [...new Set(changes.map((c) => c.declaration.mrn.toUpperCase()).filter(Boolean))];
  const lrns = [...new Set(changes.map((c) => c.declaration.lrn).filter(Boolean))];
  const byMrnRows = mrns.length
    ? (
        await sql<{
          mrn: string;
          declaration_id: string;
        }>`select distinct mrn, declaration_id from declarations where tenant_id = ${ctx.tenantId} and mrn = any(array(select json_array_elements_text(${JSON.stringify(mrns)}::json)))`.execute(trx)
      ).rows
    : [];
  const byLrnRows = lrns.length
    ? (await sql<{ lrn: string; declaration_id: string }>`select distinct lrn, declaration_id from declarations where tenant_id = ${ctx.tenantId} and lrn = any(${lrns}::text[])`.execute(trx)).rows
    : [];
  const byMrn = new Map(byMrnRows.map((r) => [r.mrn, r.declaration_id]));
  const lrnIds = new Map<string, Set<string>>();
  for (const r of byLrnRows) lrnIds.set(r.lrn, (lrnIds.get(r.lrn) ?? new Set()).add(r.declaration_id));
  const targetOf = (c: DeclarationChange): string | undefined => {
    const m = byMrn.get(c.declaration.mrn.toUpperCase());
    if (m) return m;
    const l = lrnIds.get(c.declaration.lrn);
    return l && l.size === 1 ? [...l][0] : undefined;
  };
  const targets = [...new Set(changes.map(targetOf).filter((t): t is string => !!t))];
  await lockDeclarations(trx, ctx.tenantId, targets);
  const latestRows = targets.length
    ? (
        await sql<{
          declaration_id: string;
          version: number;
          natural_key: string;
          payload: Buffer;
        }>`select distinct on (declaration_id) declaration_id, version, natural_key, payload from declarations where tenant_id = ${ctx.tenantId} and declaration_id = any(${targets}::text[]) order by declaration_id, version desc`.execute(
          trx,
        )
      ).rows
    : [];
  const latest = new Map(latestRows.map((r) => [r.declaration_id, { naturalKey: r.natural_key, declaration: Declaration.decode(r.payload) }]));
  const records: Insertable<IngestionDb['declaration_changes']>[] = [];
  const rows: NewVersion[] = [];
  for (const c of changes) {
    const d = c.declaration;
    const sha = d.contentSha256;
    const done = appliedByHash.get(sha);
    if (done || (!recorded && pendingHashes.has(sha))) {
      res.changes.push({ kind: c.kind, mrn: d.mrn, lrn: d.lrn, targetDeclarationId: done?.declaration_id ?? '', applied: !!done, version: done?.version ?? 0, duplicate: true });
      continue;
    }
    const target = targetOf(c);
    const prev = target ? latest.get(target) : undefined;
    if ((!target || !prev) && recorded) continue; // still pending
    if (!target || !prev) {
      const l = lrnIds.get(d.lrn);
      const why =
        l && l.size > 1 ? `LRN ${d.lrn} names ${l.size} declarations, so the target is ambiguous` : `no declaration with MRN ${d.mrn || '(none)'} or LRN ${d.lrn || '(none)'} has been ingested yet`;
      res.issues.push({
        severity: 'warning',
        sourceName,
        location: 'Declaration/ID',
        field: 'mrn (Declaration/ID)',
        code: 'TARGET_NOT_FOUND',
        reason: `${c.kind} recorded but not applied: ${why}; send the original declaration first, then re-send this ${c.kind}`,
      });
      records.push({
        tenant_id: ctx.tenantId,
        batch_id: ctx.batchId,
        kind: c.kind,
        mrn: d.mrn,
        lrn: d.lrn,
        target_declaration_id: null,
        pointers: JSON.stringify(c.amendments),
        payload: Buffer.from(Declaration.encode(d).finish()),
        received_at: ctx.receivedAt,
        content_sha256: sha,
        applied_version: null,
      });
      res.changes.push({ kind: c.kind, mrn: d.mrn, lrn: d.lrn, targetDeclarationId: '', applied: false, version: 0, duplicate: false });
      pendingHashes.add(sha);
      continue;
    }
    if (prev.declaration.status === 'invalidated') {
      // CDS accepts no change to an invalidated declaration: kept for review, not applied.
      res.issues.push({
        severity: 'error',
        sourceName,
        location: 'Declaration/ID',
        field: 'mrn (Declaration/ID)',
        code: 'TARGET_INVALIDATED',
        reason: `declaration ${d.mrn || d.lrn} was invalidated (version ${prev.declaration.version}); this ${c.kind} was recorded but not applied`,
      });
      if (!recorded)
        records.push({
          tenant_id: ctx.tenantId,
          batch_id: ctx.batchId,
          kind: c.kind,
          mrn: d.mrn,
          lrn: d.lrn,
          target_declaration_id: target,
          pointers: JSON.stringify(c.amendments),
          payload: Buffer.from(Declaration.encode(d).finish()),
          received_at: ctx.receivedAt,
          content_sha256: sha,
          applied_version: null,
        });
      res.changes.push({ kind: c.kind, mrn: d.mrn, lrn: d.lrn, targetDeclarationId: target, applied: false, version: 0, duplicate: false, refused: true });
      continue;
    }
    const merged = applyChange(prev.declaration, c);
    for (const n of merged.notes) res.issues.push({ severity: 'warning', sourceName, location: 'Declaration/Amendment', field: 'amendment', code: 'AMENDMENT_NOT_APPLIED', reason: n });
    const previous = prev.declaration.version;
    const full: Declaration = {
      ...merged.declaration,
      tenantId: ctx.tenantId,
      declarationId: target,
      version: previous + 1,
      batchId: ctx.batchId,
      receivedAt: ctx.receivedAt,
      contentSha256: sha,
      sourceFormat: d.sourceFormat,
      sourceName: d.sourceName,
    };
    const bytes = Declaration.encode(full).finish();
    if (full.items.length > MAX_ITEMS_PER_DECLARATION || bytes.length > MAX_DECLARATION_BYTES) {
      // The same bounds as an original (storeDeclarationSets): kept for review, not applied.
      const why =
        full.items.length > MAX_ITEMS_PER_DECLARATION ? `${full.items.length} goods items (at most ${MAX_ITEMS_PER_DECLARATION})` : `${bytes.length} bytes (at most ${MAX_DECLARATION_BYTES})`;
      res.issues.push({
        severity: 'error',
        sourceName,
        location: 'Declaration/Amendment',
        field: 'items (DE 1/9 total number of items)',
        code: full.items.length > MAX_ITEMS_PER_DECLARATION ? 'TOO_MANY_ITEMS' : 'DECLARATION_TOO_LARGE',
        reason: `this ${c.kind} of ${d.mrn || d.lrn} would give the declaration ${why}; it was recorded but not applied`,
      });
      if (!recorded)
        records.push({
          tenant_id: ctx.tenantId,
          batch_id: ctx.batchId,
          kind: c.kind,
          mrn: d.mrn,
          lrn: d.lrn,
          target_declaration_id: target,
          pointers: JSON.stringify(c.amendments),
          payload: Buffer.from(Declaration.encode(d).finish()),
          received_at: ctx.receivedAt,
          content_sha256: sha,
          applied_version: null,
        });
      res.changes.push({ kind: c.kind, mrn: d.mrn, lrn: d.lrn, targetDeclarationId: target, applied: false, version: 0, duplicate: false, refused: true });
      continue;
    }
    latest.set(target, { naturalKey: prev.naturalKey, declaration: full });
    rows.push({ full, bytes, naturalKey: prev.naturalKey, previous, ctx });
    appliedByHash.set(sha, { content_sha256: sha, declaration_id: target, version: full.version });
    if (recorded) appliedRecorded.push({ id: recorded[changes.indexOf(c)]!, target, version: full.version });
    else
      records.push({
        tenant_id: ctx.tenantId,
        batch_id: ctx.batchId,
        kind: c.kind,
        mrn: d.mrn,
        lrn: d.lrn,
        target_declaration_id: target,
        pointers: JSON.stringify(c.amendments),
        payload: Buffer.from(Declaration.encode(d).finish()),
        received_at: ctx.receivedAt,
        content_sha256: sha,
        applied_version: full.version,
      });
    res.changes.push({ kind: c.kind, mrn: full.mrn, lrn: d.lrn, targetDeclarationId: target, applied: true, version: full.version, duplicate: false });
  }
  await insertVersions(trx, ctx.tenantId, rows);
  if (records.length) await trx.insertInto('declaration_changes').values(records).execute();
  for (const r of appliedRecorded) await trx.updateTable('declaration_changes').set({ target_declaration_id: r.target, applied_version: r.version }).where('id', '=', r.id).execute();
  res.inserted = rows.length;
  return res;
}

/**
 * Amendments that arrived before their declaration (recorded, not applied) are applied once a
 * declaration with their MRN (or LRN) is stored, in the order they were received: e.g. a COR
 * sent before HMRC's report of the declaration it amends. One lookup per call.
 */
export async function applyPendingChanges(
  trx: Transaction<IngestionDb>,
  ctx: BatchContext,
  stored: { mrn: string; lrn: string }[],
  sourceName: string,
): Promise<{ changes: IngestedChange[]; inserted: number; issues: IngestIssue[] }> {
  const mrns = [...new Set(stored.map((d) => d.mrn.toUpperCase()).filter(Boolean))];
  const lrns = [...new Set(stored.map((d) => d.lrn).filter(Boolean))];
  if (mrns.length === 0 && lrns.length === 0) return { changes: [], inserted: 0, issues: [] };
  const rows = (
    await sql<{ id: number; kind: 'amendment' | 'invalidation'; pointers: DmsAmendment[]; payload: Buffer }>`
    select id, kind, pointers, payload from declaration_changes
    where tenant_id = ${ctx.tenantId} and applied_version is null and target_declaration_id is null
      and (mrn = any(array(select json_array_elements_text(${JSON.stringify(mrns)}::json))) or lrn = any(array(select json_array_elements_text(${JSON.stringify(lrns)}::json))))
    order by id`.execute(trx)
  ).rows;
  if (rows.length === 0) return { changes: [], inserted: 0, issues: [] };
  const changes: DeclarationChange[] = rows.map((r) => ({ kind: r.kind, amendments: r.pointers, declaration: Declaration.decode(r.payload) }));
  return applyChanges(
    trx,
    ctx,
    changes,
    sourceName,
    rows.map((r) => Number(r.id)),
  );
}

/**
 * Most issue rows stored for one document. One file can carry any number of problems (a header
 * of 100,000 unknown columns, a bad value on every one of a million rows); storing each would let
 * one upload write without bound to a table every tenant shares. The first MAX_STORED_ISSUES are
 * kept as they are, then one MORE_ISSUES issue counts the rest by code: enough to fix the file,
 * since the rest repeat the same problems. The batch's issue_count is still the number found.
 */
export const MAX_STORED_ISSUES = 1000;

/** Issues of a document not stored past the cap, by code and severity (`error:INVALID_VALUE`). */
export type IssueOverflow = Map<string, number>;

/** Adds one overflow tally into another (a streamed document's chunks, in commit order). */
export function addOverflow(into: IssueOverflow, from: IssueOverflow): void {
  for (const [k, n] of from) into.set(k, (into.get(k) ?? 0) + n);
}

/** The one issue standing for the issues past the cap. */
export function overflowIssue(sourceName: string, over: IssueOverflow, stored: number = MAX_STORED_ISSUES): IngestIssue | undefined {
  if (over.size === 0) return undefined;
  const total = [...over.values()].reduce((a, b) => a + b, 0);
  const byCode = [...over].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k.slice(k.indexOf(':') + 1)} (${k.slice(0, k.indexOf(':'))}) ${n}`);
  const anyError = [...over.keys()].some((k) => k.startsWith('error:'));
  return {
    severity: anyError ? 'error' : 'warning',
    sourceName,
    location: '(file)',
    field: '(issues)',
    code: 'MORE_ISSUES',
    reason: `${total} more issues were found in this document and not stored (at most ${stored} are kept per document): ${byCode.join(', ')}; they repeat the kinds listed, so fix those and re-send`,
  };
}

/** The first `room` issues, and the rest counted by severity and code (nothing past room is copied). */
export function capIssues(issues: IngestIssue[], room: number): { kept: IngestIssue[]; over: IssueOverflow } {
  const over: IssueOverflow = new Map();
  const n = Math.max(0, Math.min(room, issues.length));
  for (let i = n; i < issues.length; i++) {
    const k = `${issues[i]!.severity}:${issues[i]!.code}`;
    over.set(k, (over.get(k) ?? 0) + 1);
  }
  return { kept: n === issues.length ? issues : issues.slice(0, n), over };
}

/**
 * Stores a whole document's issues, capped (MAX_STORED_ISSUES and one MORE_ISSUES summary);
 * returns the issues as stored. Chunked to stay under Postgres' bind-parameter limit. A document
 * stored in parts (a streamed report) passes `room` (what its earlier parts left) and
 * `summarise: false`, and adds the summary with its last part.
 */
export async function insertIssues(
  trx: Transaction<IngestionDb>,
  ctx: BatchContext,
  issues: IngestIssue[],
  opts: { room?: number; summarise?: boolean } = {},
): Promise<{ stored: IngestIssue[]; over: IssueOverflow }> {
  const capped = capIssues(issues, opts.room ?? MAX_STORED_ISSUES);
  const summary = opts.summarise === false ? undefined : overflowIssue(issues[0]?.sourceName ?? '', capped.over);
  const stored = summary ? [...capped.kept, summary] : capped.kept;
  await insertIssueRows(trx, [{ ctx, issues: stored }]);
  return { stored, over: capped.over };
}

/** Issue rows of several batches (each set already capped) in one statement per 5,000 issues. */
async function insertIssueRows(trx: Transaction<IngestionDb>, sets: { ctx: BatchContext; issues: IngestIssue[] }[]): Promise<void> {
  // Issues quote what was sent (a cell, a name): escaped, so recording a refusal cannot fail on it.
  const rows = sets.flatMap(({ ctx, issues }) =>
    issues.map((x) => ({
      batch_id: ctx.batchId,
      tenant_id: ctx.tenantId,
      severity: x.severity,
      source_name: storable(x.sourceName),
      line: x.line ?? null,
      column_number: x.column ?? null,
      location: storable(x.location),
      field: storable(x.field),
      code: storable(x.code),
      reason: storable(x.reason),
    })),
  );
  for (let i = 0; i < rows.length; i += 5000)
    await trx
      .insertInto('batch_issues')
      .values(rows.slice(i, i + 5000))
      .execute();
}

export function statusOf(stored: number, duplicates: number, errors: number, nothingParsed: boolean): BatchStatus {
  if (nothingParsed) return 'rejected';
  if (stored === 0) return duplicates > 0 ? 'duplicate' : errors > 0 ? 'rejected' : 'duplicate';
  return errors > 0 ? 'partially_accepted' : 'accepted';
}

/**
 * Stores a parsed document as one batch in the caller's transaction: the raw bytes, every issue,
 * each new declaration version (originals, re-sends, applied amendments/invalidations) and its
 * outbox event, so they commit together or not at all. Rejected documents are stored with their
 * issues and publish nothing; content already ingested is recognised by hash and not published again.
 */
export async function ingestDocument(trx: Transaction<IngestionDb>, req: IngestRequest): Promise<IngestResult> {
  return (await ingestDocuments(trx, [req]))[0]!;
}

/**
 * ingestDocument for several documents of one tenant in one transaction (a group commit, or a
 * Kafka batch of submissions): each is still its own batch with its own result, and the outcome
 * is the one storing them one after the other in this order would give, but the statements are
 * shared: about a dozen round trips for the group instead of a dozen per document.
 */
export async function ingestDocuments(trx: Transaction<IngestionDb>, reqs: IngestRequest[]): Promise<IngestResult[]> {
  if (reqs.length === 0) return [];
  const tenantId = reqs[0]!.tenantId;
  if (reqs.some((r) => r.tenantId !== tenantId)) throw new Error('ingestDocuments: one tenant per call');
  const ctxs: BatchContext[] = reqs.map((r) => ({ tenantId, batchId: randomUUID(), receivedAt: r.receivedAt.toISOString(), parent: r.parent }));
  // The batch rows first (versions reference them); their outcome is filled in below.
  await trx
    .insertInto('batches')
    .values(
      reqs.map((req, n) => ({
        batch_id: ctxs[n]!.batchId,
        tenant_id: tenantId,
        channel: storable(req.channel),
        format: storable(req.format),
        source_name: storable(req.sourceName),
        content_sha256: hash('sha256', req.content, 'hex'),
        size_bytes: req.content.length,
        status: 'in_progress' as const,
        declarations_accepted: 0,
        declarations_duplicate: 0,
        declarations_rejected: 0,
        issue_count: 0,
        received_at: ctxs[n]!.receivedAt,
        completed_at: null,
        raw_content: req.content,
      })),
    )
    .execute();
  const stored = await storeDeclarationSets(
    trx,
    tenantId,
    reqs.map((req, n) => ({ ctx: ctxs[n]!, decls: req.parsed.declarations, sourceName: req.sourceName })),
  );
  const applied: Awaited<ReturnType<typeof applyChanges>>[] = [];
  for (let n = 0; n < reqs.length; n++) applied.push(await applyChanges(trx, ctxs[n]!, reqs[n]!.parsed.changes ?? [], reqs[n]!.sourceName));
  // Amendments waiting for a declaration stored now: one lookup for the group, and only the
  // batches whose declarations one of them names apply theirs (in document order).
  const fresh = stored.map((s) => s.declarations.filter((d) => !d.duplicate));
  const waiting = await pendingChangeKeys(trx, tenantId, fresh.flat());
  for (let n = 0; n < reqs.length; n++) {
    if (!fresh[n]!.some((d) => waiting.has(`mrn:${d.mrn.toUpperCase()}`) || waiting.has(`lrn:${d.lrn}`))) continue;
    const pending = await applyPendingChanges(trx, ctxs[n]!, fresh[n]!, reqs[n]!.sourceName);
    applied[n]!.changes.push(...pending.changes);
    applied[n]!.issues.push(...pending.issues);
  }
  const results: IngestResult[] = [];
  const outcomes: unknown[] = [];
  const issueSets: { ctx: BatchContext; issues: IngestIssue[] }[] = [];
  const completedAt = new Date().toISOString();
  reqs.forEach((req, n) => {
    const s = stored[n]!;
    const a = applied[n]!;
    const nothingParsed = req.parsed.declarations.length === 0 && (req.parsed.changes ?? []).length === 0;
    const issues = [...req.parsed.issues, ...s.issues, ...a.issues];
    const errors = issues.filter((i) => i.severity === 'error').length;
    const duplicates = s.declarations.filter((d) => d.duplicate).length + a.changes.filter((c) => c.duplicate).length;
    const accepted = s.inserted + a.changes.filter((c) => !c.duplicate && !c.refused).length;
    const status = statusOf(accepted, duplicates, errors, nothingParsed);
    // Stored and answered capped (MAX_STORED_ISSUES); issue_count is the number found.
    const capped = capIssues(issues, MAX_STORED_ISSUES);
    const summary = overflowIssue(req.sourceName, capped.over);
    const kept = summary ? [...capped.kept, summary] : capped.kept;
    issueSets.push({ ctx: ctxs[n]!, issues: kept });
    outcomes.push({ id: ctxs[n]!.batchId, status, accepted, duplicates, rejected: nothingParsed ? 1 : s.issues.length, issues: issues.length });
    results.push({ batchId: ctxs[n]!.batchId, status, declarations: s.declarations, changes: a.changes, issues: kept });
  });
  await insertIssueRows(trx, issueSets);
  await sql`
    update batches b set status = t.status, declarations_accepted = t.accepted, declarations_duplicate = t.duplicates, declarations_rejected = t.rejected, issue_count = t.issues, completed_at = ${completedAt}::timestamptz
    from json_to_recordset(${JSON.stringify(outcomes)}::json) as t(id text, status text, accepted int, duplicates int, rejected int, issues int)
    where b.batch_id = t.id`.execute(trx);
  return results;
}

/** `mrn:`/`lrn:` keys of recorded, unapplied changes that name one of these declarations. */
async function pendingChangeKeys(trx: Transaction<IngestionDb>, tenantId: string, stored: { mrn: string; lrn: string }[]): Promise<Set<string>> {
  const mrns = [...new Set(stored.map((d) => d.mrn.toUpperCase()).filter(Boolean))];
  const lrns = [...new Set(stored.map((d) => d.lrn).filter(Boolean))];
  if (mrns.length === 0 && lrns.length === 0) return new Set();
  const rows = (
    await sql<{ mrn: string; lrn: string }>`
    select mrn, lrn from declaration_changes
    where tenant_id = ${tenantId} and applied_version is null and target_declaration_id is null
      and (mrn = any(array(select json_array_elements_text(${JSON.stringify(mrns)}::json))) or lrn = any(array(select json_array_elements_text(${JSON.stringify(lrns)}::json))))`.execute(trx)
  ).rows;
  return new Set(rows.flatMap((r) => [`mrn:${(r.mrn ?? '').toUpperCase()}`, `lrn:${r.lrn ?? ''}`]));
}

/** The outcome of a user's merge (mergeDuplicates). */
export type MergeOutcome =
  | { ok: true; batchId: string; survivor: { declarationId: string; version: number; mrn: string }; mergedAway: { declarationId: string; version: number }; note: string }
  | { ok: false; status: 404 | 409; code: string; reason: string };

/**
 * Merges two declarations a user says are one (a declaration first sent under a mistyped MRN and
 * then under the corrected one): both get a new version in one transaction — the survivor the
 * correction's content, the other an invalidation naming the survivor — published like any
 * version, recorded as a batch of format "merge" with the request as its content.
 */
export async function mergeDuplicates(
  trx: Transaction<IngestionDb>,
  req: { tenantId: string; survivorId: string; duplicateId: string; reason: string; subject: string; receivedAt: Date; parent?: Context },
): Promise<MergeOutcome> {
  await lockDeclarations(trx, req.tenantId, [req.survivorId, req.duplicateId]);
  const rows = await sql<{ declaration_id: string; natural_key: string; payload: Buffer }>`
    select distinct on (declaration_id) declaration_id, natural_key, payload from declarations
    where tenant_id = ${req.tenantId} and declaration_id = any(${[req.survivorId, req.duplicateId]}::text[]) order by declaration_id, version desc`.execute(trx);
  const latest = new Map(rows.rows.map((r) => [r.declaration_id, { naturalKey: r.natural_key, d: Declaration.decode(r.payload) }]));
  for (const id of [req.survivorId, req.duplicateId]) if (!latest.has(id)) return { ok: false, status: 404, code: 'not_found', reason: `no declaration ${id}` };
  const survivor = latest.get(req.survivorId)!;
  const duplicate = latest.get(req.duplicateId)!;
  const decision = mergeDuplicate(survivor.d, duplicate.d, req.reason, req.subject);
  if (!decision.ok) return { ok: false, status: 409, code: decision.code, reason: decision.reason };
  const content = Buffer.from(JSON.stringify({ merge: { survivor: req.survivorId, duplicate: req.duplicateId, reason: req.reason, by: req.subject } }));
  const ctx: BatchContext = { tenantId: req.tenantId, batchId: randomUUID(), receivedAt: req.receivedAt.toISOString(), parent: req.parent };
  await trx
    .insertInto('batches')
    .values({
      batch_id: ctx.batchId,
      tenant_id: req.tenantId,
      channel: 'api',
      format: 'merge',
      source_name: storable(`merge:${req.duplicateId}->${req.survivorId}`),
      content_sha256: hash('sha256', content, 'hex'),
      size_bytes: content.length,
      status: 'accepted',
      declarations_accepted: 2,
      declarations_duplicate: 0,
      declarations_rejected: 0,
      issue_count: 0,
      received_at: ctx.receivedAt,
      completed_at: ctx.receivedAt,
      raw_content: content,
    })
    .execute();
  const versionRows: NewVersion[] = [];
  for (const [full0, prev, key] of [
    [decision.survivor, survivor.d.version, survivor.naturalKey],
    [decision.mergedAway, duplicate.d.version, duplicate.naturalKey],
  ] as const) {
    // Content hashes are unique per tenant: a merge's versions are hashed as what they are.
    const full: Declaration = {
      ...full0,
      tenantId: req.tenantId,
      version: prev + 1,
      batchId: ctx.batchId,
      receivedAt: ctx.receivedAt,
      sourceName: storable(`merge:${req.duplicateId}->${req.survivorId}`),
      contentSha256: hash('sha256', `${full0.changeKind}:${full0.declarationId}:v${prev + 1}:${full0.contentSha256}:${ctx.batchId}`, 'hex'),
    };
    versionRows.push({ full, bytes: Declaration.encode(full).finish(), naturalKey: key, previous: prev, ctx });
  }
  await insertVersions(trx, req.tenantId, versionRows);
  return {
    ok: true,
    batchId: ctx.batchId,
    note: decision.note,
    survivor: { declarationId: req.survivorId, version: versionRows[0]!.full.version, mrn: versionRows[0]!.full.mrn },
    mergedAway: { declarationId: req.duplicateId, version: versionRows[1]!.full.version },
  };
}
