import { createHash, randomUUID } from 'node:crypto';
import type { Context } from '@opentelemetry/api';
import { sql, withTenant, type Kysely, type Transaction } from '@customs/db';
import type { RawBuilder } from 'kysely';
import type { IngestionDb } from '../db/migrations';
import { CdsReportAssembler, readCdsReport, type CdsIssue, type CdsRow } from '../parse/cds/cds-report';
import { cdsIssue } from './formats';
import {
  MAX_STORED_ISSUES,
  addOverflow,
  applyPendingChanges,
  insertIssues,
  overflowIssue,
  statusOf,
  type IssueOverflow,
  storeDeclarations,
  type BatchContext,
  type BatchStatus,
  type IngestIssue,
  type IngestedDeclaration,
} from './ingest';
import { escapeControlCharacters } from '@customs/contracts';
import { isUnstorableContent } from './refusal';
import { safeSourceName, storable } from './safe-text';

/**
 * Streaming ingestion of HMRC CDS data reports of any size (a 1 GB item report): the bytes are
 * parsed as they arrive and committed in chunks of about `chunkRows` rows, each chunk one
 * transaction holding its declarations, their outbox events, its issues, its raw bytes and the
 * batch's progress counters. Memory is bounded by one chunk, whatever the file size.
 *
 * Joining constraints (documented in services/ingestion/README.md):
 * - An item report, or a combined file whose rows carry header fields too, streams as it is.
 *   Rows of one entry must be contiguous (HMRC's reports are ordered by entry); a later,
 *   separate part of an already committed entry is refused with SPLIT_ENTRY, never stored as a
 *   partial second version.
 * - Header (and tax-line) reports are indexed in memory when they come BEFORE the item report
 *   (one row per entry: small), then joined to each entry as it streams past.
 * - A header or tax-line report after the item report cannot be joined any more: its rows are
 *   reported (UNJOINED_ROW), nothing is dropped silently.
 * - If the upload breaks off, committed chunks stay, the batch is marked "incomplete" with the
 *   last committed row; re-sending the same file resumes: committed entries are recognised by
 *   content hash (duplicates) and only the rest is stored.
 */

const YIELD_EVERY_ROWS = 256;

/**
 * Runs a chunk transaction again when it lost a race: a unique violation (23505: the same
 * declaration version or content committed meanwhile by another chunk or upload) or a deadlock
 * (40P01). The retry reads the committed state afresh, so a split entry becomes SPLIT_ENTRY and
 * content stored meanwhile a duplicate.
 */
async function retryOnConflict<T>(run: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (attempt >= attempts || (code !== '23505' && code !== '40P01')) throw e;
    }
  }
}

export interface StreamFile {
  sourceName: string;
  chunks: AsyncIterable<Buffer>;
  /** Set by the caller when its transport cut the file at a size limit. */
  truncated?: () => boolean;
}

export interface StreamIngestOptions {
  db: Kysely<IngestionDb>;
  tenantId: string;
  channel: string;
  sourceName: string;
  receivedAt: Date;
  parent?: Context;
  /** Rows per committed chunk (a chunk ends at the next entry boundary). */
  chunkRows: number;
  /** How many declarations/issues the response lists (the batch keeps all of them). */
  listLimit?: number;
  /** Chunk transactions running at once (default 2; 1 = one at a time, under the tenant lock). */
  chunksInFlight?: number;
}

export interface StreamIngestResult {
  batchId: string;
  status: BatchStatus;
  rows: number;
  chunks: number;
  bytes: number;
  declarationsStored: number;
  declarationsDuplicate: number;
  issueCount: number;
  /** The first `listLimit` declarations and issues (all are in the batch: GET /v1/batches/:id). */
  declarations: IngestedDeclaration[];
  issues: IngestIssue[];
  changes: never[];
}

/** Reads an async iterator without ever closing it, so a consumer that stops early leaves the source drainable. */
function borrow(it: AsyncIterator<Buffer>, onChunk: (b: Buffer) => void): AsyncIterable<Buffer> {
  return {
    [Symbol.asyncIterator]: () => ({
      async next() {
        const r = await it.next();
        if (!r.done) onChunk(r.value);
        return r;
      },
      async return() {
        return { done: true, value: undefined };
      },
    }),
  };
}

export async function ingestCdsStream(opts: StreamIngestOptions, files: AsyncIterable<StreamFile> | Iterable<StreamFile>): Promise<StreamIngestResult> {
  const { db, tenantId } = opts;
  // Names are labels: one with a control character is stored escaped (each file's with a warning).
  const sourceName = escapeControlCharacters(opts.sourceName);
  const listLimit = opts.listLimit ?? 1000;
  const batchId = randomUUID();
  const ctx: BatchContext = { tenantId, batchId, receivedAt: opts.receivedAt.toISOString(), parent: opts.parent };
  const res: StreamIngestResult = {
    batchId,
    status: 'in_progress',
    rows: 0,
    chunks: 0,
    bytes: 0,
    declarationsStored: 0,
    declarationsDuplicate: 0,
    issueCount: 0,
    declarations: [],
    issues: [],
    changes: [],
  };
  await withTenant(db, tenantId, (trx) =>
    trx
      .insertInto('batches')
      .values({
        batch_id: batchId,
        tenant_id: tenantId,
        channel: storable(opts.channel),
        format: 'cds-report',
        source_name: sourceName,
        content_sha256: '',
        size_bytes: 0,
        status: 'in_progress',
        declarations_accepted: 0,
        declarations_duplicate: 0,
        declarations_rejected: 0,
        issue_count: 0,
        received_at: ctx.receivedAt,
        completed_at: null,
        raw_content: Buffer.alloc(0),
      })
      .execute(),
  );

  const hash = createHash('sha256');
  const cdsIssues: CdsIssue[] = [];
  const extraIssues: IngestIssue[] = [];
  let raw: { file: number; sourceName: string; bytes: Buffer[] }[] = [];
  let rawSeq = 0;
  let errors = 0;
  const headerIndex = new Map<string, CdsRow>();
  const taxIndex = new Map<string, CdsRow[]>();
  const assembler = new CdsReportAssembler(sourceName, cdsIssues);
  let rowsInChunk = 0;
  // Chunk transactions not yet committed (in file order), and the last chunk's bookkeeping.
  const pendingChunks: Promise<void>[] = [];
  let lastApplied: Promise<void> = Promise.resolve();
  let itemsStarted = false;
  // Issues of the file being read (the reader's), and whether it broke off mid-way.
  let fileIssues: CdsIssue[] = [];
  let fileBroke = false;
  const breaksFile = (i: CdsIssue) => i.severity === 'error' && (i.code === 'INVALID_ENCODING' || i.code === 'CSV_MALFORMED');

  // Issues past MAX_STORED_ISSUES (counted by code, for the one MORE_ISSUES issue at the end).
  const overflow: IssueOverflow = new Map();
  /**
   * Adds a part's issues to the batch's issue_count (with the part's other counters) and returns
   * the count before it, which says how many are already stored (min(count, cap)): the row lock
   * this update takes orders the parts' transactions on it, so parts in flight at once never
   * both take the last room, and a retried part's count rolls back with it.
   */
  const countIssues = async (trx: Transaction<IngestionDb>, n: number, counters: RawBuilder<unknown>): Promise<number> => {
    const r = await sql<{
      before: number;
    }>`update batches set ${counters}, issue_count = issue_count + ${n}, updated_at = now() where batch_id = ${batchId} returning issue_count - ${n} as before`.execute(trx);
    return Number(r.rows[0]!.before);
  };

  const commit = async (): Promise<void> => {
    for (const id of assembler.entryIds()) {
      const h = headerIndex.get(id);
      if (h) {
        assembler.add(h);
        headerIndex.delete(id);
      }
      for (const t of taxIndex.get(id) ?? []) assembler.add(t);
      taxIndex.delete(id);
    }
    const decls = assembler.finish();
    const fromFile = fileIssues.splice(0);
    if (fromFile.some(breaksFile)) fileBroke = true;
    const issues = [...fromFile.map(cdsIssue), ...cdsIssues.splice(0).map(cdsIssue), ...extraIssues.splice(0)];
    const rawNow = raw;
    raw = [];
    const rowsNow = res.rows;
    const bytesNow = res.bytes;
    // Raw chunks are numbered now, in file order, whichever transaction commits first.
    const rawRows = rawNow.map((r) => ({ seq: rawSeq++, sourceName: r.sourceName, content: Buffer.concat(r.bytes) })).filter((r) => r.content.length > 0);
    // Up to `chunksInFlight` chunk transactions run at once while the next chunk is parsed: a
    // chunk's Postgres work then overlaps the next one's instead of the parser waiting on it.
    const inFlight = opts.chunksInFlight ?? 2;
    while (pendingChunks.length >= inFlight) await pendingChunks.shift();
    const store = () =>
      withTenant(db, tenantId, async (trx) => {
        // A chunk's statements carry megabytes in single parameters (payload blobs, the outbox
        // pack, JSON row sets). Planned as custom plans those become constants that the planner
        // copies several times over; a generic plan keeps them parameters. Measured: a 3,334-row
        // insert from a 2.7 MB blob took half the time (docs/adr/0003).
        await sql`set local plan_cache_mode = force_generic_plan`.execute(trx);
        // No tenant-wide lock with chunks in flight: their entries are disjoint (rows of an entry
        // are contiguous), and anything that is not (a split entry, the same declaration in another
        // upload at the same time) collides on the version or content key and is retried below.
        const stored = await storeDeclarations(trx, ctx, decls, sourceName, { lock: inFlight === 1 });
        // Amendments that arrived before these declarations are applied now (same transaction).
        const pending = await applyPendingChanges(
          trx,
          ctx,
          stored.declarations.filter((d) => !d.duplicate),
          sourceName,
        );
        const dups = stored.declarations.length - stored.inserted;
        const inserted = stored.inserted + pending.inserted;
        const all = [...issues, ...stored.issues, ...pending.issues];
        for (const r of rawRows)
          await trx
            .insertInto('batch_raw_chunks')
            .values({ batch_id: batchId, seq: r.seq, tenant_id: tenantId, source_name: storable(r.sourceName), content: r.content })
            .execute();
        const before = await countIssues(
          trx,
          all.length,
          sql`declarations_accepted = declarations_accepted + ${inserted}, declarations_duplicate = declarations_duplicate + ${dups}, declarations_rejected = declarations_rejected + ${stored.issues.length}, rows_committed = greatest(rows_committed, ${rowsNow}), chunks_committed = chunks_committed + 1, size_bytes = greatest(size_bytes, ${bytesNow})`,
        );
        const { stored: kept, over } = await insertIssues(trx, ctx, all, { room: MAX_STORED_ISSUES - before, summarise: false });
        return { stored, inserted, dups, all, kept, over };
      });
    // A chunk Postgres refuses on its content (parsers refuse what they know it cannot hold; this
    // is for what nobody foresaw) is not the end of the upload: its raw bytes and issues are
    // kept with one naming the entries not stored, and the file goes on.
    const refuseChunk = (e: unknown) =>
      withTenant(db, tenantId, async (trx) => {
        const entries = decls.map((d) => d.mrn || d.lrn).slice(0, 20);
        const refused: IngestIssue = {
          severity: 'error',
          sourceName,
          location: `rows up to ${rowsNow}`,
          field: '(content)',
          code: 'UNSTORABLE_VALUE',
          reason: `${decls.length} entries of this part of the file were not stored: the database refused one of their values (SQLSTATE ${(e as { code?: string }).code}: ${(e as Error).message}); entries ${entries.join(', ')}${decls.length > entries.length ? ', …' : ''}; the raw bytes are kept with the batch`,
        };
        // The refusal itself goes first: it is stored even when the chunk's other issues are past the cap.
        const all = [refused, ...issues];
        for (const r of rawRows)
          await trx
            .insertInto('batch_raw_chunks')
            .values({ batch_id: batchId, seq: r.seq, tenant_id: tenantId, source_name: storable(r.sourceName), content: r.content })
            .execute();
        const before = await countIssues(
          trx,
          all.length,
          sql`declarations_rejected = declarations_rejected + ${decls.length}, rows_committed = greatest(rows_committed, ${rowsNow}), chunks_committed = chunks_committed + 1, size_bytes = greatest(size_bytes, ${bytesNow})`,
        );
        const { stored: kept, over } = await insertIssues(trx, ctx, all, { room: Math.max(1, MAX_STORED_ISSUES - before), summarise: false });
        return { stored: { declarations: [], inserted: 0, issues: [] }, inserted: 0, dups: 0, all, kept, over };
      });
    const committed = retryOnConflict(store).catch((e: unknown) => (isUnstorableContent(e) ? refuseChunk(e) : Promise.reject(e)));
    // The response's counters and lists follow the file's order, whichever chunk commits first.
    const previous = lastApplied;
    const applied = Promise.all([committed, previous]).then(([{ stored, inserted, dups, all, kept, over }]) => {
      res.chunks++;
      res.declarationsStored += inserted;
      res.declarationsDuplicate += dups;
      res.issueCount += all.length;
      errors += all.filter((i) => i.severity === 'error').length;
      for (const d of stored.declarations) if (res.declarations.length < listLimit) res.declarations.push(d);
      // Counted only once the chunk committed: a retried or failed one counts nothing twice.
      addOverflow(overflow, over);
      for (const i of kept) if (res.issues.length < listLimit) res.issues.push(i);
    });
    // Handled here so a failed chunk never becomes an unhandled rejection; the awaits rethrow it.
    applied.catch(() => undefined);
    lastApplied = applied;
    pendingChunks.push(applied);
    rowsInChunk = 0;
  };

  try {
    let fileNo = 0;
    for await (const f of files) {
      const { sourceName: fileName, issue: nameIssue } = safeSourceName(f.sourceName);
      if (nameIssue) extraIssues.push(nameIssue);
      const it = f.chunks[Symbol.asyncIterator]();
      const file = fileNo++;
      // Raw bytes go with the chunk that read them, one holder per file per chunk.
      const keepRaw = (b: Buffer) => {
        hash.update(b);
        res.bytes += b.length;
        let last = raw[raw.length - 1];
        if (!last || last.file !== file) {
          last = { file, sourceName: fileName, bytes: [] };
          raw.push(last);
        }
        last.bytes.push(b);
      };
      fileIssues = [];
      fileBroke = false;
      let lastEntry = '';
      let kind: CdsRow['kind'] | undefined;
      for await (const row of readCdsReport(borrow(it, keepRaw), fileName, fileIssues)) {
        kind = row.kind;
        res.rows++;
        // Rows already buffered are read as a chain of microtasks, which never lets the event
        // loop deliver socket events: the chunk in flight would wait for its next statement until
        // parsing ran dry. Yielding every few hundred rows keeps its transaction moving meanwhile.
        if (res.rows % YIELD_EVERY_ROWS === 0) await new Promise<void>((r) => setImmediate(r));
        if (row.kind === 'header' || (row.kind === 'taxline' && !itemsStarted)) {
          // Indexed, joined when the entry's items stream past (header files come first).
          if (row.kind === 'header') headerIndex.set(row.entryId, row);
          else taxIndex.set(row.entryId, [...(taxIndex.get(row.entryId) ?? []), row]);
          continue;
        }
        if (row.kind === 'taxline') {
          extraIssues.push({
            severity: 'warning',
            sourceName: fileName,
            line: row.row,
            location: `row ${row.row}`,
            field: 'entry',
            code: 'UNJOINED_ROW',
            reason: `tax-line row of entry ${row.entryId} came after the item report in a streamed upload and cannot be joined; send the tax-line report before the item report`,
          });
          continue;
        }
        itemsStarted = true;
        if (row.entryId !== lastEntry && rowsInChunk >= opts.chunkRows) await commit();
        lastEntry = row.entryId;
        assembler.add(row);
        rowsInChunk++;
      }
      // Keep the rest of a file the reader stopped early (nothing lost), and know its full hash.
      for (let r = await it.next(); !r.done; r = await it.next()) keepRaw(r.value);
      // A file that broke off mid-way (bad encoding, malformed CSV) may have cut its last entry
      // short: that entry is dropped with an error rather than stored half.
      const broke = !!f.truncated?.() || fileBroke || fileIssues.some(breaksFile);
      cdsIssues.push(...fileIssues.splice(0));
      if (broke && lastEntry && assembler.drop(lastEntry)) {
        extraIssues.push({
          severity: 'error',
          sourceName: fileName,
          location: '(file)',
          field: 'entry',
          code: 'INCOMPLETE_ENTRY',
          reason: `entry ${lastEntry} was not stored: the file broke off while its rows were being read`,
        });
      }
      if (f.truncated?.())
        extraIssues.push({
          severity: 'error',
          sourceName: fileName,
          location: '(file)',
          field: '(size)',
          code: 'TOO_LARGE',
          reason: `the file was cut at the streaming size limit after ${res.bytes} bytes; its last entry and everything after it were not stored`,
        });
      if (kind === 'header' && itemsStarted) {
        for (const [id, h] of headerIndex)
          extraIssues.push({
            severity: 'warning',
            sourceName: fileName,
            line: h.row,
            location: `row ${h.row}`,
            field: 'entry',
            code: 'UNJOINED_ROW',
            reason: `header of entry ${id} came after the item report in a streamed upload and cannot be joined; send the header report first`,
          });
        headerIndex.clear();
      }
    }
    await commit();
    for (const p of pendingChunks.splice(0)) await p;
    // Headers with no items anywhere in the upload.
    for (const [id, h] of headerIndex)
      extraIssues.push({
        severity: 'warning',
        sourceName,
        line: h.row,
        location: `row ${h.row}`,
        field: 'entry',
        code: 'UNJOINED_ROW',
        reason: `entry ${id} has no item rows in this upload (send the item report with the header report)`,
      });
    for (const [id, t] of taxIndex)
      extraIssues.push({
        severity: 'warning',
        sourceName,
        line: t[0]!.row,
        location: `row ${t[0]!.row}`,
        field: 'entry',
        code: 'UNJOINED_ROW',
        reason: `tax lines of entry ${id} have no item rows in this upload`,
      });
    // A body with no data rows (empty, or a header row only) is a rejected batch, not "nothing new".
    if (res.rows === 0 && errors === 0 && !cdsIssues.some((i) => i.severity === 'error') && !extraIssues.some((i) => i.severity === 'error'))
      extraIssues.push({ severity: 'error', sourceName, location: '(file)', field: '(file)', code: 'EMPTY_FILE', reason: res.bytes === 0 ? 'the upload is empty' : 'the report has no data rows' });
    const tail = [...cdsIssues.splice(0).map(cdsIssue), ...extraIssues.splice(0)];
    errors += tail.filter((i) => i.severity === 'error').length;
    res.issueCount += tail.length;
    res.status = statusOf(res.declarationsStored, res.declarationsDuplicate, errors, res.declarationsStored + res.declarationsDuplicate === 0 && errors > 0);
    const kept = await withTenant(db, tenantId, async (trx) => {
      const before = await countIssues(
        trx,
        tail.length,
        sql`status = ${res.status}, content_sha256 = ${hash.digest('hex')}, size_bytes = ${res.bytes}, rows_committed = ${res.rows}, completed_at = now()`,
      );
      const last = await insertIssues(trx, ctx, tail, { room: MAX_STORED_ISSUES - before, summarise: false });
      addOverflow(overflow, last.over);
      const summary = overflowIssue(sourceName, overflow);
      if (summary) await insertIssues(trx, ctx, [summary], { room: 1, summarise: false });
      return summary ? [...last.stored, summary] : last.stored;
    });
    for (const i of kept) if (res.issues.length < listLimit) res.issues.push(i);
    return res;
  } catch (e) {
    for (const p of pendingChunks.splice(0)) await p.catch(() => undefined);
    res.status = 'incomplete';
    const reason = `the upload broke off after ${res.rows} rows (${res.chunks} chunks committed, ${res.declarationsStored} declarations stored): ${(e as Error).message}; re-send the file to resume (stored entries are recognised as duplicates)`;
    const issue: IngestIssue = { severity: 'error', sourceName, location: '(file)', field: '(upload)', code: 'INCOMPLETE', reason };
    res.issues.push(issue);
    // The bytes read since the last chunk are kept too, so what did arrive is there for review.
    const rest = raw.map((r) => ({ sourceName: r.sourceName, content: Buffer.concat(r.bytes) })).filter((r) => r.content.length > 0);
    await withTenant(db, tenantId, async (trx) => {
      // Stored whatever the cap (it says why the upload ended), with the count of those not stored.
      const summary = overflowIssue(sourceName, overflow);
      await insertIssues(trx, ctx, summary ? [issue, summary] : [issue], { room: 2, summarise: false });
      for (const r of rest)
        await trx
          .insertInto('batch_raw_chunks')
          .values({ batch_id: batchId, seq: rawSeq++, tenant_id: tenantId, source_name: storable(r.sourceName), content: r.content })
          .execute();
      await sql`update batches set status = 'incomplete', size_bytes = ${res.bytes}, issue_count = issue_count + 1, completed_at = now(), updated_at = now() where batch_id = ${batchId}`.execute(trx);
    }).catch(() => undefined);
    return res;
  }
}
