import { bool, commonServiceSpecs, int, parseEnv, str } from '@customs/config';
import { WORKBOOK_WORKER_DEFAULTS } from '@customs/spreadsheet';

export function loadConfig(env: Record<string, string | undefined> = process.env) {
  return parseEnv(
    {
      ...commonServiceSpecs('ingestion', { httpPort: 8081, grpcPort: 9081 }),
      // Largest single document accepted (bytes); bigger uploads are refused before parsing.
      // CDS report CSVs are exempt: they stream (below).
      MAX_DOCUMENT_BYTES: int({ default: 10 * 1024 * 1024, min: 1024 }),
      // Largest streamed CDS report (bytes): parsed as it arrives and committed in chunks, so
      // this bounds disk use, not memory.
      MAX_STREAM_BYTES: int({ default: 8 * 1024 * 1024 * 1024, min: 1024 }),
      // Rows per committed chunk of a streamed report (one transaction each). The stream worker's
      // heap is sized to it (app/stream-thread.ts streamHeapLimits): 3,000 rows kept a 1 GiB
      // upload's peak RSS far below what 10,000 did, for a little more Postgres work (ADR 0020).
      STREAM_CHUNK_ROWS: int({ default: 3000, min: 1 }),
      // Streamed reports are parsed, encoded and committed on a worker thread with its own pool
      // of this many connections (app/stream-thread.ts), so the main thread keeps serving the API
      // and relaying the outbox on the other core; 0 runs them on the main thread instead.
      STREAM_WORKER_DB_CONNECTIONS: int({ default: 4, min: 0, max: 50 }),
      // Streamed uploads running on that worker at once (more wait for a place, their bodies
      // unread); its heap is sized for this many.
      STREAM_WORKER_UPLOADS: int({ default: 2, min: 1, max: 16 }),
      // The stream worker's old-generation limit in MiB; 0 sizes it to STREAM_CHUNK_ROWS and
      // STREAM_WORKER_UPLOADS. A worker that outgrows it stops: its uploads fail (their batches are
      // swept to "incomplete", a re-send resumes), the next upload starts a new worker, and the
      // main thread is unaffected.
      STREAM_WORKER_HEAP_MB: int({ default: 0, min: 0, max: 16_384 }),
      // Group commit of documents sent one per request (app/group-commit.ts): documents that
      // arrive while a tenant's transaction commits are stored together in the next one, up to
      // this many documents and bytes of raw content per transaction.
      GROUP_COMMIT_MAX_DOCUMENTS: int({ default: 200, min: 1, max: 5000 }),
      GROUP_COMMIT_MAX_BYTES: int({ default: 32 * 1024 * 1024, min: 1024 }),
      // A streamed batch with no committed chunk for this long is marked incomplete (its process died).
      STALE_BATCH_SECONDS: int({ default: 600, min: 10 }),
      // Check DMS declaration XML against HMRC's XSDs (schemas/dms): schema errors of an accepted
      // declaration become XSD_INVALID warnings, rejections quote libxml2. Costs ~0.3-0.5 ms per
      // typical document (scripts/bench/dms-xsd.js); off skips it entirely.
      DMS_XSD_CHECK: bool({ default: true }),
      // Longest wait for one document's schema check; past it the check is abandoned (XSD_UNCHECKED
      // warning) and its worker replaced. The document's request waits meanwhile (others do not).
      DMS_XSD_TIMEOUT_MS: int({ default: 10000, min: 100 }),
      // .xlsx / .ods / .fods reports are read on a worker thread of their own (app/formats.ts), so
      // that a hostile or huge workbook cannot freeze or crash the service: one that takes longer
      // than this, or more heap than this (MB), is stopped and rejected (WORKBOOK_LIMIT); at most
      // WORKBOOK_CONCURRENCY are read at once (each may use WORKBOOK_MAX_MEMORY_MB), others wait.
      WORKBOOK_TIMEOUT_MS: int({ default: WORKBOOK_WORKER_DEFAULTS.timeoutMs, min: 100, max: 600_000 }),
      WORKBOOK_MAX_MEMORY_MB: int({ default: WORKBOOK_WORKER_DEFAULTS.maxMemoryMb, min: 64, max: 16_384 }),
      WORKBOOK_CONCURRENCY: int({ default: WORKBOOK_WORKER_DEFAULTS.concurrency, min: 1, max: 16 }),
      // Keys Kafka submissions are signed with (app/submission-signature.ts, ADR 0011):
      // "keyId=tenant:secret" entries inline and/or in a file (one a line, kept 0600). A
      // submission that is unsigned or not signed by a key of its tenant is refused and kept in
      // refused_submissions (GET /v1/admin/refused-submissions); with no keys, every one is.
      SUBMISSION_KEYS: str({ default: '' }),
      SUBMISSION_KEYS_FILE: str({ default: '' }),
    },
    env,
  );
}
export type IngestionConfig = ReturnType<typeof loadConfig>;
