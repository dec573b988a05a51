import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { limitsForMemory, SheetLimitError, type SheetLimits } from './limits';
import type { WorkbookKind } from './workbook';
import type { WorkbookWorkerData, WorkbookWorkerReply } from './workbook-worker';

/**
 * Reading untrusted workbooks off the main thread, bounded in time and memory. The caps of
 * limits.ts stop what can be seen coming (a cell reference past the last column, a repeat count,
 * an entry's size), but a workbook within every cap can still cost a core for many seconds (a
 * 1 MB .xlsx inflates to hundreds of MB of XML) or more heap than the service can spare: on the
 * main thread that froze every request of the service, and an out-of-memory killed it. So each
 * workbook is read by a worker thread of its own, started with V8 resource limits
 * (maxOldGenerationSizeMb) and a wall-clock deadline: a worker that runs out of heap is ended by
 * V8, one past its deadline is terminated, and either is a WorkbookWorkerError for that document
 * while the service goes on. A fresh worker per workbook means nothing one hostile file did
 * (a heap grown to its limit) is left for the next. At most `concurrency` read at once (each
 * may take maxMemoryMb); the others wait their turn.
 *
 * The readers' caps are sized to the heap (limitsForMemory, for each cap not given): a heap limit
 * is a backstop, not a wall, since running out of it inside native code is fatal to the whole
 * process. Within those caps a workbook is refused by name before its worker comes near the
 * limit, and what the worker hands back (the CSV) is made in small external buffers rather than
 * one string the size of the sheet.
 */

export const WORKBOOK_WORKER_DEFAULTS = {
  /** Longest a workbook may take to read, start-up of its worker included. */
  timeoutMs: 30_000,
  /** The worker's V8 old-generation heap (MB): what the rows, the XML text and the parse may hold. */
  maxMemoryMb: 1024,
  /** Workbooks read at once; the others queue. */
  concurrency: 2,
} as const;

export interface WorkbookWorkerOptions {
  timeoutMs?: number;
  maxMemoryMb?: number;
  concurrency?: number;
  /** Caps for the readers; those not given are limitsForMemory(maxMemoryMb). */
  limits?: Partial<SheetLimits>;
}

/** Why a worker gave no answer: past its deadline, out of heap, or it died otherwise. */
export type WorkbookWorkerFailure = 'timeout' | 'memory' | 'crashed' | 'closed';

/** A workbook whose reading was stopped (not one the reader refused: that is the reader's own error). */
export class WorkbookWorkerError extends Error {
  constructor(
    readonly source: string,
    readonly reason: WorkbookWorkerFailure,
    message: string,
  ) {
    super(message);
    this.name = 'WorkbookWorkerError';
  }
}

/**
 * The compiled worker entry. Under jest this file runs from its TypeScript source, which a
 * worker thread cannot load, so it takes the build output (`make test` builds before testing),
 * as the ingestion service's stream worker does.
 */
function workerFile(): string {
  const here = resolve(__dirname, 'workbook-worker.js');
  if (existsSync(here)) return here;
  const built = resolve(__dirname, '../dist/workbook-worker.js');
  if (existsSync(built)) return built;
  throw new Error(`workbook worker not found at ${here} or ${built}: build the package first (npx tsc -b)`);
}

export class WorkbookWorkerPool {
  private readonly timeoutMs: number;
  private readonly maxMemoryMb: number;
  private readonly concurrency: number;
  /** The caps the readers apply. */
  readonly limits: SheetLimits;
  private running = 0;
  private readonly queue: { start(): void; cancel(): void }[] = [];
  private readonly workers = new Set<Worker>();
  private closed = false;

  constructor(opts: WorkbookWorkerOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? WORKBOOK_WORKER_DEFAULTS.timeoutMs;
    this.maxMemoryMb = opts.maxMemoryMb ?? WORKBOOK_WORKER_DEFAULTS.maxMemoryMb;
    this.concurrency = Math.max(1, opts.concurrency ?? WORKBOOK_WORKER_DEFAULTS.concurrency);
    this.limits = { ...limitsForMemory(this.maxMemoryMb), ...opts.limits };
  }

  /** The first sheet as rows of cell texts. */
  async readRows(content: Buffer, source: string): Promise<{ kind: WorkbookKind; rows: string[][] }> {
    const r = await this.run(content, source, 'rows');
    return { kind: r.kind, rows: r.rows! };
  }

  /** The first sheet as RFC 4180 CSV bytes (rowsToCsv), made in the worker: cheaper to hand back than rows. */
  async readCsv(content: Buffer, source: string): Promise<{ kind: WorkbookKind; csv: Buffer }> {
    const r = await this.run(content, source, 'csv');
    return { kind: r.kind, csv: r.csv! };
  }

  /** Stops the workers reading now and refuses those waiting (at service shutdown). */
  async close(): Promise<void> {
    this.closed = true;
    for (const q of this.queue.splice(0)) q.cancel();
    await Promise.all([...this.workers].map((w) => w.terminate()));
  }

  private async run(content: Buffer, source: string, output: 'rows' | 'csv'): Promise<{ kind: WorkbookKind; rows?: string[][]; csv?: Buffer }> {
    if (this.closed) throw new WorkbookWorkerError(source, 'closed', `${source}: the workbook reader was closed (the service is stopping)`);
    // A finished read hands its slot straight to the next in the queue, so that a read arriving
    // meanwhile cannot take it too and exceed the concurrency.
    if (this.running >= this.concurrency)
      await new Promise<void>((start, cancel) =>
        this.queue.push({ start, cancel: () => cancel(new WorkbookWorkerError(source, 'closed', `${source}: the workbook reader was closed (the service is stopping)`)) }),
      );
    else this.running++;
    try {
      return await this.once(content, source, output);
    } finally {
      const next = this.queue.shift();
      if (next) next.start();
      else this.running--;
    }
  }

  private once(content: Buffer, source: string, output: 'rows' | 'csv'): Promise<{ kind: WorkbookKind; rows?: string[][]; csv?: Buffer }> {
    return new Promise((resolvePromise, reject) => {
      // The bytes are copied to the worker (not transferred): the caller keeps them, e.g. to
      // store a rejected document with its raw content.
      const data: WorkbookWorkerData = { workbookWorker: true, content, source, output, limits: this.limits };
      const worker = new Worker(workerFile(), { workerData: data, resourceLimits: { maxOldGenerationSizeMb: this.maxMemoryMb } });
      this.workers.add(worker);
      let settled = false;
      const settle = (f: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        f();
      };
      const fail = (reason: WorkbookWorkerFailure, message: string) => settle(() => reject(new WorkbookWorkerError(source, reason, message)));
      const timer = setTimeout(() => {
        fail('timeout', `${source}: reading the workbook took longer than ${this.timeoutMs} ms and was stopped; split the report, or send it as CSV (which streams)`);
        void worker.terminate();
      }, this.timeoutMs);
      worker.on('message', (m: WorkbookWorkerReply) => {
        if (m.ok) settle(() => resolvePromise({ kind: m.kind, rows: m.rows, csv: m.csv ? Buffer.concat(m.csv) : undefined }));
        else settle(() => reject(m.limit ? new SheetLimitError(m.limit) : new Error(m.message)));
      });
      worker.on('error', (e: Error & { code?: string }) => {
        if (e.code === 'ERR_WORKER_OUT_OF_MEMORY')
          fail('memory', `${source}: reading the workbook needed more than ${this.maxMemoryMb} MB of memory and was stopped; split the report, or send it as CSV (which streams)`);
        else fail('crashed', `${source}: the workbook reader failed: ${e.message}`);
      });
      worker.on('exit', (code) => {
        this.workers.delete(worker);
        fail(
          this.closed ? 'closed' : 'crashed',
          this.closed ? `${source}: the workbook reader was closed (the service is stopping)` : `${source}: the workbook reader stopped (exit code ${code}) without an answer`,
        );
      });
    });
  }
}
