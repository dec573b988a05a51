import type { StreamIngestResult } from './stream-cds';

/**
 * Messages between the ingestion service's main thread and its stream-ingest worker thread
 * (stream-thread.ts ↔ stream-worker.ts). Each upload is a stream id; its bytes travel as
 * transferred ArrayBuffers, acknowledged as the parser consumes them so the main thread never
 * holds more than a bounded window of an upload.
 */
export type ToStreamWorker =
  | {
      type: 'start';
      id: number;
      tenantId: string;
      channel: string;
      sourceName: string;
      receivedAt: string;
      chunkRows: number;
      chunksInFlight?: number;
      listLimit?: number;
      trace: Record<string, string>;
    }
  | { type: 'file'; id: number; sourceName: string }
  | { type: 'chunk'; id: number; data: ArrayBuffer }
  | { type: 'fileEnd'; id: number; truncated: boolean }
  | { type: 'end'; id: number }
  /** The upload broke off on the main thread's side (client gone, bad multipart). */
  | { type: 'abort'; id: number; message: string };

export type FromStreamWorker = { type: 'consumed'; id: number; bytes: number } | { type: 'done'; id: number; result: StreamIngestResult } | { type: 'failed'; id: number; message: string };

export interface StreamWorkerData {
  databaseUrl: string;
  /** Connections of the worker's own pool. */
  poolSize: number;
}
