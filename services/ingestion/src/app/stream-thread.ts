import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { context, defaultTextMapSetter } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { Logger } from '@customs/telemetry';
import type { StreamFile, StreamIngestOptions, StreamIngestResult } from './stream-cds';
import type { FromStreamWorker, StreamWorkerData, ToStreamWorker } from './stream-protocol';

/** Bytes of one upload sent to the worker but not yet read by its parser. */
const WINDOW_BYTES = 8 * 1024 * 1024;

/** V8 heap limits of the stream worker (Worker resourceLimits), in MiB. */
export interface StreamHeapLimits {
  oldMb: number;
  youngMb: number;
  /** Uploads the heap is sized for: at most this many run on the worker at once. */
  uploads: number;
}

/**
 * The stream worker's heap, sized to the chunk. An upload holds about three chunks at a time
 * (two committing, one being parsed: ingestCdsStream's chunksInFlight + 1), measured at about
 * 2 KiB of heap per row held (parsed rows, the assembled declarations, their encodings and the
 * statements' parameters; ADR 0020). The old generation gets the worker's own ≈ 40 MiB (code,
 * modules, its pool) plus twice what the uploads hold, so that a major GC frees at least as much
 * as it keeps: with less room V8 collects again and again and the worker's CPU per row rises
 * (measured: +50 % at 64 MiB for 3,000-row chunks). The young generation is 16 MiB: rows live
 * for a chunk, so a larger nursery only delays their promotion, and each MiB of it is resident.
 * `heapMb` (STREAM_WORKER_HEAP_MB) overrides the old generation's size.
 */
export function streamHeapLimits(opts: { chunkRows: number; uploads: number; heapMb?: number }): StreamHeapLimits {
  const uploads = Math.max(1, opts.uploads);
  const heldMb = (opts.chunkRows * 3 * 2) / 1024;
  const oldMb = opts.heapMb && opts.heapMb > 0 ? opts.heapMb : Math.ceil(40 + 2 * uploads * heldMb);
  return { oldMb, youngMb: 16, uploads };
}

/** What ingestCdsStream takes, less the database: the worker has its own pool. */
export type ThreadIngestOptions = Omit<StreamIngestOptions, 'db'>;

interface Pending {
  resolve(r: StreamIngestResult): void;
  reject(e: Error): void;
  consumed(bytes: number): void;
}

/**
 * The compiled worker entry. Under jest the service runs from TypeScript sources, which a worker
 * thread cannot load, so it takes the build output (`make test` builds before testing).
 */
function workerFile(): string {
  const here = resolve(__dirname, 'stream-worker.js');
  if (existsSync(here)) return here;
  const built = resolve(__dirname, '../../dist/app/stream-worker.js');
  if (existsSync(built)) return built;
  throw new Error(`stream-ingest worker not found at ${here} or ${built}: build the service first (npx tsc -b)`);
}

/**
 * Runs streamed CDS report ingestion (ingestCdsStream) on a worker thread. A 1 GB report is
 * CPU-bound in parsing and encoding; on the main thread that work competed with receiving the
 * upload and with the outbox relay's Kafka encoding, and a 2-core host left a core idle. The
 * main thread now only forwards the upload's bytes, in a bounded window, and awaits the result.
 * One long-lived worker serves all uploads of the process (its event loop interleaves them); if
 * it dies, the uploads in flight fail (their batches are swept to "incomplete") and the next
 * upload starts a new one.
 */
export class StreamIngestThread {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private readonly limits: StreamHeapLimits;
  /** Uploads running on the worker, and those waiting for a place (first come, first served). */
  private running = 0;
  private readonly queue: (() => void)[] = [];

  constructor(private readonly opts: { databaseUrl: string; poolSize?: number; logger: Logger; chunkRows?: number; uploads?: number; heapMb?: number }) {
    this.limits = streamHeapLimits({ chunkRows: opts.chunkRows ?? 3000, uploads: opts.uploads ?? 2, heapMb: opts.heapMb });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const data: StreamWorkerData = { databaseUrl: this.opts.databaseUrl, poolSize: this.opts.poolSize ?? 4 };
    // The worker's heap is sized to what it holds (streamHeapLimits), not V8's default, which on
    // Node 24 lets each isolate grow a 128 MiB young generation and an old one to about twice its
    // live data: two such heaps were most of the 915-931 MiB peak of a 1 GiB upload (ADR 0020).
    const w = new Worker(workerFile(), { workerData: data, resourceLimits: { maxOldGenerationSizeMb: this.limits.oldMb, maxYoungGenerationSizeMb: this.limits.youngMb } });
    w.on('message', (m: FromStreamWorker) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      if (m.type === 'consumed') p.consumed(m.bytes);
      else if (m.type === 'done') p.resolve(m.result);
      else p.reject(new Error(m.message));
    });
    const gone = (why: Error) => {
      if (this.worker !== w) return;
      this.worker = undefined;
      this.opts.logger.error({ err: why }, 'stream-ingest worker stopped; uploads in flight failed');
      for (const p of this.pending.values()) p.reject(why);
      this.pending.clear();
    };
    w.on('error', gone);
    w.on('exit', (code) => gone(new Error(`stream-ingest worker exited with code ${code}`)));
    this.worker = w;
    return w;
  }

  /** Starts the worker now, so the first upload does not wait for it to load. */
  start(): void {
    this.ensureWorker();
  }

  /**
   * At most `uploads` streamed uploads run on the worker at once, so its heap, sized for that
   * many, is never outgrown by a burst of uploads; a later one waits (its body unread, so TCP
   * holds the client back) until one finishes.
   */
  async ingest(opts: ThreadIngestOptions, files: AsyncIterable<StreamFile> | Iterable<StreamFile>): Promise<StreamIngestResult> {
    if (this.running >= this.limits.uploads) await new Promise<void>((r) => this.queue.push(r));
    else this.running++;
    try {
      return await this.run(opts, files);
    } finally {
      // The place passes to the next upload waiting, if any (running stays counted for it).
      const next = this.queue.shift();
      if (next) next();
      else this.running--;
    }
  }

  private async run(opts: ThreadIngestOptions, files: AsyncIterable<StreamFile> | Iterable<StreamFile>): Promise<StreamIngestResult> {
    const worker = this.ensureWorker();
    const id = this.nextId++;
    let outstanding = 0;
    let drained: (() => void) | undefined;
    // Set when the worker fails mid-upload: stop sending (the result rejects).
    let failed = false;
    const result = new Promise<StreamIngestResult>((res, rej) => {
      this.pending.set(id, {
        resolve: (r) => {
          this.pending.delete(id);
          res(r);
        },
        reject: (e) => {
          this.pending.delete(id);
          failed = true;
          drained?.();
          rej(e);
        },
        consumed: (bytes) => {
          outstanding -= bytes;
          if (outstanding <= WINDOW_BYTES) drained?.();
        },
      });
    });
    // Rejected early when the worker fails mid-upload: handled here, rethrown by `return result`.
    result.catch(() => undefined);
    const send = (m: ToStreamWorker, transfer?: ArrayBuffer[]) => worker.postMessage(m, transfer);
    // W3C trace context explicitly (not the global propagator, which a host may not have set up).
    const trace: Record<string, string> = {};
    new W3CTraceContextPropagator().inject(opts.parent ?? context.active(), trace, defaultTextMapSetter);
    send({
      type: 'start',
      id,
      tenantId: opts.tenantId,
      channel: opts.channel,
      sourceName: opts.sourceName,
      receivedAt: opts.receivedAt.toISOString(),
      chunkRows: opts.chunkRows,
      chunksInFlight: opts.chunksInFlight,
      listLimit: opts.listLimit,
      trace,
    });
    try {
      for await (const f of files) {
        send({ type: 'file', id, sourceName: f.sourceName });
        for await (const b of f.chunks) {
          if (failed) return result;
          // Copied into a buffer of its own: an incoming chunk is often a slice of a shared
          // pool, which must not be transferred (detached) away from this thread.
          const copy = new Uint8Array(b.byteLength);
          copy.set(b);
          outstanding += copy.byteLength;
          send({ type: 'chunk', id, data: copy.buffer }, [copy.buffer]);
          if (outstanding > WINDOW_BYTES) await new Promise<void>((r) => (drained = r));
          drained = undefined;
        }
        send({ type: 'fileEnd', id, truncated: !!f.truncated?.() });
      }
      send({ type: 'end', id });
    } catch (e) {
      send({ type: 'abort', id, message: (e as Error).message });
    }
    return result;
  }

  /** Stops the worker (after the HTTP server has closed, so no upload is in flight). */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }
}
