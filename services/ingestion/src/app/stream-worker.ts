import { parentPort, workerData } from 'node:worker_threads';
import { ROOT_CONTEXT, propagation } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { createDb } from '@customs/db';
import type { IngestionDb } from '../db/migrations';
import { ingestCdsStream, type StreamFile } from './stream-cds';
import type { FromStreamWorker, StreamWorkerData, ToStreamWorker } from './stream-protocol';

/**
 * Worker thread of the ingestion service that runs streamed CDS report ingestion (parse, join,
 * encode, and the chunk transactions) off the main thread, which keeps receiving the upload,
 * serving the API and relaying the outbox to Kafka on the other core. It has its own small
 * Postgres pool. Started by stream-thread.ts; the protocol is in stream-protocol.ts.
 */

const port = parentPort!;
const data = workerData as StreamWorkerData;
const db = createDb<IngestionDb>({ url: data.databaseUrl, schema: 'ingestion', max: data.poolSize, applicationName: 'ingestion-stream' });
// Events carry the request's trace (traceparent) across the thread boundary.
propagation.setGlobalPropagator(new W3CTraceContextPropagator());

const post = (m: FromStreamWorker) => port.postMessage(m);

/** An async queue of one upload's bytes, filled by messages, read by the CDS reader. */
class Feed {
  private readonly queue: (Buffer | { end: true; truncated: boolean } | { error: Error })[] = [];
  private waiting: (() => void) | undefined;
  private readonly files: StreamFile[] = [];
  private filesWaiting: (() => void) | undefined;
  private ended = false;
  private aborted: Error | undefined;

  constructor(private readonly id: number) {}

  private wake(): void {
    this.waiting?.();
    this.waiting = undefined;
  }

  openFile(sourceName: string): void {
    const state = { truncated: false, done: false };
    const self = this;
    const chunks: AsyncIterable<Buffer> = {
      [Symbol.asyncIterator]: () => ({
        async next(): Promise<IteratorResult<Buffer>> {
          // A finished file stays finished (the reader asks again when it drains the rest).
          if (state.done) return { done: true, value: undefined };
          for (;;) {
            const head = self.queue.shift();
            if (head === undefined) {
              await new Promise<void>((r) => (self.waiting = r));
              continue;
            }
            if (Buffer.isBuffer(head)) {
              post({ type: 'consumed', id: self.id, bytes: head.length });
              return { done: false, value: head };
            }
            if ('error' in head) throw head.error;
            state.truncated = head.truncated;
            state.done = true;
            return { done: true, value: undefined };
          }
        },
      }),
    };
    this.files.push({ sourceName, chunks, truncated: () => state.truncated });
    this.filesWaiting?.();
  }

  chunk(b: Buffer): void {
    this.queue.push(b);
    this.wake();
  }

  endFile(truncated: boolean): void {
    this.queue.push({ end: true, truncated });
    this.wake();
  }

  end(): void {
    this.ended = true;
    this.filesWaiting?.();
  }

  abort(message: string): void {
    this.aborted = new Error(message);
    this.queue.push({ error: this.aborted });
    this.ended = true;
    this.wake();
    this.filesWaiting?.();
  }

  /** The upload's files, each as soon as it starts arriving. */
  async *all(): AsyncGenerator<StreamFile> {
    let i = 0;
    for (;;) {
      if (i < this.files.length) {
        yield this.files[i++]!;
        continue;
      }
      // Broken off between files: the reader is not inside a file to see the error, so it is thrown here.
      if (this.aborted) throw this.aborted;
      if (this.ended) return;
      await new Promise<void>((r) => (this.filesWaiting = r));
      this.filesWaiting = undefined;
    }
  }
}

const feeds = new Map<number, Feed>();

port.on('message', (m: ToStreamWorker) => {
  if (m.type === 'start') {
    const feed = new Feed(m.id);
    feeds.set(m.id, feed);
    const parent = propagation.extract(ROOT_CONTEXT, m.trace);
    ingestCdsStream(
      {
        db: db.db,
        tenantId: m.tenantId,
        channel: m.channel,
        sourceName: m.sourceName,
        receivedAt: new Date(m.receivedAt),
        parent,
        chunkRows: m.chunkRows,
        chunksInFlight: m.chunksInFlight,
        listLimit: m.listLimit,
      },
      feed.all(),
    )
      .then((result) => post({ type: 'done', id: m.id, result }))
      .catch((e: Error) => post({ type: 'failed', id: m.id, message: e.message }))
      .finally(() => feeds.delete(m.id));
    return;
  }
  const feed = feeds.get(m.id);
  if (!feed) return;
  if (m.type === 'file') feed.openFile(m.sourceName);
  else if (m.type === 'chunk') feed.chunk(Buffer.from(m.data));
  else if (m.type === 'fileEnd') feed.endFile(m.truncated);
  else if (m.type === 'end') feed.end();
  else if (m.type === 'abort') feed.abort(m.message);
});

// The main thread closes the port to stop; in-flight streams have finished by then.
port.on('close', () => void db.close());
