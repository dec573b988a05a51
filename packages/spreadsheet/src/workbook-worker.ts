import { parentPort, workerData } from 'node:worker_threads';
import { SheetLimitError, type SheetLimitDetails, type SheetLimits } from './limits';
import { csvChunks } from './csv';
import { readFirstSheetOfWorkbook, type WorkbookKind } from './workbook';

/**
 * Worker thread that reads one workbook and answers once (started by worker-pool.ts with a heap
 * limit and a deadline, and ended after its answer). A reader's refusal is an answer, with the
 * cap's details when it was one, so the caller gets the same SheetLimitError it would on its
 * own thread.
 */

export interface WorkbookWorkerData {
  /** Marks the data as this worker's (the module may be loaded elsewhere for its types). */
  workbookWorker: true;
  content: Uint8Array;
  source: string;
  output: 'rows' | 'csv';
  limits: Partial<SheetLimits>;
}

export type WorkbookWorkerReply = { ok: true; kind: WorkbookKind; rows?: string[][]; csv?: Uint8Array[] } | { ok: false; message: string; limit?: SheetLimitDetails };

// Only run as the workbook worker (the types above are imported by worker-pool.ts, on the main thread).
if (parentPort && (workerData as Partial<WorkbookWorkerData> | null)?.workbookWorker === true) {
  const port = parentPort;
  const data = workerData as WorkbookWorkerData;
  let reply: WorkbookWorkerReply;
  let transfer: ArrayBuffer[] = [];
  try {
    const content = Buffer.from(data.content.buffer, data.content.byteOffset, data.content.byteLength);
    const { kind, rows } = readFirstSheetOfWorkbook(content, data.source, data.limits);
    if (data.output === 'csv') {
      // Buffers of their own, moved (not copied) to the caller.
      const csv = csvChunks(rows);
      reply = { ok: true, kind, csv };
      transfer = csv.map((c) => c.buffer as ArrayBuffer);
    } else reply = { ok: true, kind, rows };
  } catch (e) {
    reply = { ok: false, message: (e as Error).message, limit: e instanceof SheetLimitError ? e.details : undefined };
  }
  port.postMessage(reply, transfer);
}
