import * as path from 'node:path';
import { ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { createDb, migrateToLatest, withAllTenants, type ServiceDb } from '@customs/db';
import { createLogger } from '@customs/telemetry';
import { REPO_ROOT, createTestDatabase, type TestDatabase } from '@customs/testing';
import { migrations, type IngestionDb } from '../db/migrations';
import { ingestCdsStream } from './stream-cds';
import { StreamIngestThread, streamHeapLimits } from './stream-thread';
import { unpackOutboxMessages } from '@customs/db';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const gen = require(path.join(REPO_ROOT, 'scripts/gen-large-cds.js')) as { row(i: number, prefix: string): string; HEADER: string };
const report = (rows: number, prefix: string) => {
  let s = gen.HEADER;
  for (let i = 0; i < rows; i++) s += gen.row(i, prefix);
  return Buffer.from(s);
};
async function* pieces(buf: Buffer, size: number, failAt?: number): AsyncGenerator<Buffer> {
  for (let o = 0; o < buf.length; o += size) {
    if (failAt !== undefined && o >= failAt) throw new Error('client went away');
    yield buf.subarray(o, o + size);
  }
}

// The worker thread that runs streamed CDS ingestion for the service (stream-thread.ts), against
// a real Postgres: same outcome as on the main thread, the request's trace carried into the
// events, a broken-off upload kept as an incomplete batch, and a dead worker replaced.
describe('stream-ingest worker thread (real Postgres)', () => {
  let tdb: TestDatabase;
  let svc: ServiceDb<IngestionDb>;
  let thread: StreamIngestThread;
  const logger = createLogger('test', 'silent');

  beforeAll(async () => {
    tdb = await createTestDatabase('streamthread');
    svc = createDb<IngestionDb>({ url: tdb.urlFor('ingestion'), schema: 'ingestion' });
    await migrateToLatest(svc.db as never, 'ingestion', migrations);
    thread = new StreamIngestThread({ databaseUrl: tdb.urlFor('ingestion'), logger });
  });
  afterAll(async () => {
    await thread?.close();
    await svc?.close();
    await tdb?.drop();
  });

  const base = { channel: 'rest', receivedAt: new Date('2026-11-27T10:00:00Z'), chunkRows: 1000 };

  it('stores what the main thread stores, and its events carry the request trace', async () => {
    const csv = report(3000, 'THRD01');
    const onMain = await ingestCdsStream({ ...base, db: svc.db, tenantId: 'tenant-main', sourceName: 'a.csv' }, [{ sourceName: 'a.csv', chunks: pieces(csv, 7000) }]);
    const parent = trace.setSpanContext(ROOT_CONTEXT, { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED });
    const onWorker = await thread.ingest({ ...base, tenantId: 'tenant-thread', sourceName: 'a.csv', parent }, [{ sourceName: 'a.csv', chunks: pieces(csv, 7000) }]);
    const shape = (r: typeof onMain) => ({
      status: r.status,
      rows: r.rows,
      chunks: r.chunks,
      bytes: r.bytes,
      stored: r.declarationsStored,
      issues: r.issueCount,
      mrns: r.declarations.map((d) => [d.mrn, d.version]),
    });
    expect(shape(onWorker)).toEqual(shape(onMain));
    expect(onWorker).toMatchObject({ status: 'accepted', rows: 3000, declarationsStored: 1000 });
    const stored = await withAllTenants(svc.db, (trx) => trx.selectFrom('declarations').select(['tenant_id', 'content_sha256']).execute());
    const byTenant = (t: string) =>
      stored
        .filter((s) => s.tenant_id === t)
        .map((s) => s.content_sha256)
        .sort();
    expect(byTenant('tenant-thread')).toEqual(byTenant('tenant-main'));
    const packs = await svc.pool.query<{ payload: Buffer }>('select payload from outbox where packed_count > 0 order by id');
    const events = packs.rows.flatMap((r) => unpackOutboxMessages(r.payload)).filter((m) => m.headers.ce_tenant!.toString() === 'tenant-thread');
    expect(events).toHaveLength(1000);
    expect(new Set(events.map((e) => e.headers.traceparent!.toString().split('-')[1]))).toEqual(new Set(['4bf92f3577b34da6a3ce929d0e0e4736']));
  });

  it('keeps the committed chunks of an upload that breaks off, as an incomplete batch', async () => {
    const csv = report(3000, 'THRD02');
    const r = await thread.ingest({ ...base, tenantId: 'tenant-thread', sourceName: 'cut.csv' }, [{ sourceName: 'cut.csv', chunks: pieces(csv, 4096, Math.floor(csv.length * 0.8)) }]);
    expect(r.status).toBe('incomplete');
    expect(r.chunks).toBeGreaterThanOrEqual(1);
    expect(r.issues.at(-1)).toMatchObject({ code: 'INCOMPLETE', reason: expect.stringMatching(/client went away/) });
    const [batch] = await withAllTenants(svc.db, (trx) => trx.selectFrom('batches').selectAll().where('batch_id', '=', r.batchId).execute());
    expect(batch).toMatchObject({ status: 'incomplete', declarations_accepted: r.declarationsStored });
    expect(r.declarationsStored).toBeGreaterThan(0);
  });

  it('fails the uploads in flight when the worker dies, and starts a new worker for the next one', async () => {
    const csv = report(3000, 'THRD03');
    async function* slow(): AsyncGenerator<Buffer> {
      yield* pieces(csv.subarray(0, 50_000), 10_000);
      // The worker dies while this upload is still sending.
      await (thread as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
      yield* pieces(csv.subarray(50_000), 10_000);
    }
    await expect(thread.ingest({ ...base, tenantId: 'tenant-thread', sourceName: 'dies.csv' }, [{ sourceName: 'dies.csv', chunks: slow() }])).rejects.toThrow(/stream-ingest worker exited/);
    const again = await thread.ingest({ ...base, tenantId: 'tenant-thread', sourceName: 'dies.csv' }, [{ sourceName: 'dies.csv', chunks: pieces(csv, 64 * 1024) }]);
    expect(again).toMatchObject({ status: 'accepted', declarationsStored: 1000 });
  });

  it('runs at most `uploads` uploads on the worker at once: a later one starts when one finishes', async () => {
    const one = new StreamIngestThread({ databaseUrl: tdb.urlFor('ingestion'), logger, uploads: 1 });
    try {
      const order: string[] = [];
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const csvA = report(600, 'THRD06');
      async function* held(): AsyncGenerator<Buffer> {
        yield* pieces(csvA.subarray(0, 20_000), 10_000);
        order.push('A waiting');
        await gate;
        yield* pieces(csvA.subarray(20_000), 10_000);
      }
      async function* second(): AsyncGenerator<Buffer> {
        order.push('B read');
        yield* pieces(report(300, 'THRD07'), 10_000);
      }
      const a = one.ingest({ ...base, tenantId: 'tenant-queue', sourceName: 'a.csv' }, [{ sourceName: 'a.csv', chunks: held() }]).then((r) => {
        order.push('A done');
        return r;
      });
      const b = one.ingest({ ...base, tenantId: 'tenant-queue', sourceName: 'b.csv' }, [{ sourceName: 'b.csv', chunks: second() }]);
      // Unqueued, B's body would be read at once, while A still waits for its gate.
      while (!order.includes('A waiting')) await new Promise((r) => setImmediate(r));
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
      release();
      const [ra, rb] = await Promise.all([a, b]);
      expect(order).toEqual(['A waiting', 'A done', 'B read']);
      expect([ra.declarationsStored, rb.declarationsStored]).toEqual([200, 100]);
    } finally {
      await one.close();
    }
  });

  it('a worker that outgrows its heap fails its upload; the process goes on and the next upload gets a new worker', async () => {
    // 64 MiB: the worker's own ≈ 40 MiB (code, modules, its pool) and room for a small upload.
    // (With 24 MiB, below the worker's own, a new worker on a loaded CI machine could die on the
    // small upload too: V8 collecting concurrently falls behind when the cores are busy.)
    const small = new StreamIngestThread({ databaseUrl: tdb.urlFor('ingestion'), logger, heapMb: 64 });
    try {
      // One chunk of 60,000 rows: ≈ 117 MiB of parsed rows (2 KiB a row) and their declarations, far more than 64 MiB.
      const big = report(60_000, 'THRD08');
      await expect(small.ingest({ ...base, chunkRows: 100_000, tenantId: 'tenant-oom', sourceName: 'big.csv' }, [{ sourceName: 'big.csv', chunks: pieces(big, 64 * 1024) }])).rejects.toThrow(
        /memory limit|out of memory|exited/i,
      );
      const next = await small.ingest({ ...base, tenantId: 'tenant-oom', sourceName: 'small.csv' }, [{ sourceName: 'small.csv', chunks: pieces(report(300, 'THRD09'), 8192) }]);
      expect(next).toMatchObject({ status: 'accepted', declarationsStored: 100 });
    } finally {
      await small.close();
    }
  });

  // Chunk transactions run two at a time without the tenant-wide lock; what collides is retried.
  it('with chunks in flight together: an entry split across neighbouring chunks is refused once, never a second version', async () => {
    const rows = report(600, 'THRD04').toString().split('\n');
    const [headerRow, first, ...rest] = rows;
    // The first entry's first row, then 299 rows (100 entries' worth), then the same entry again:
    // chunks of 90 rows put its two parts in neighbouring chunks.
    const csv = Buffer.from([headerRow, first, ...rest.slice(2, 301), first!.replace(/^([^,]+),1,/, '$1,9,'), ...rest.slice(301)].join('\n'));
    const r = await ingestCdsStream({ ...base, chunkRows: 90, db: svc.db, tenantId: 'tenant-split', sourceName: 'split.csv' }, [{ sourceName: 'split.csv', chunks: pieces(csv, 4096) }]);
    const mrn = first!.split(',')[0]!;
    expect(r.issues.filter((i) => i.code === 'SPLIT_ENTRY')).toEqual([expect.objectContaining({ location: `entry ${mrn}` })]);
    const versions = await withAllTenants(svc.db, (trx) => trx.selectFrom('declarations').select(['version', 'item_count']).where('tenant_id', '=', 'tenant-split').where('mrn', '=', mrn).execute());
    expect(versions).toEqual([{ version: 1, item_count: 1 }]);
  });

  it('with chunks in flight together: the same report uploaded twice at once is stored once, the other upload sees duplicates', async () => {
    const csv = report(3000, 'THRD05');
    const upload = (name: string) => ingestCdsStream({ ...base, chunkRows: 300, db: svc.db, tenantId: 'tenant-twice', sourceName: name }, [{ sourceName: name, chunks: pieces(csv, 8192) }]);
    const [a, b] = await Promise.all([upload('a.csv'), upload('b.csv')]);
    expect(a.declarationsStored + b.declarationsStored).toBe(1000);
    expect(a.declarationsDuplicate + b.declarationsDuplicate).toBe(1000);
    const counts = await withAllTenants(svc.db, (trx) =>
      trx
        .selectFrom('declarations')
        .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('version').as('v')])
        .where('tenant_id', '=', 'tenant-twice')
        .executeTakeFirstOrThrow(),
    );
    expect(Number(counts.n)).toBe(1000);
    expect(Number(counts.v)).toBe(1);
  });
});

describe('streamHeapLimits (the stream worker heap, sized to the chunk)', () => {
  it('gives the worker its own room plus twice what its uploads hold, a 16 MiB young generation, and takes an override', () => {
    // 3,000-row chunks, three held per upload at ≈ 2 KiB a row: ≈ 17.6 MiB an upload.
    expect(streamHeapLimits({ chunkRows: 3000, uploads: 2 })).toEqual({ oldMb: 111, youngMb: 16, uploads: 2 });
    expect(streamHeapLimits({ chunkRows: 3000, uploads: 1 })).toEqual({ oldMb: 76, youngMb: 16, uploads: 1 });
    expect(streamHeapLimits({ chunkRows: 10000, uploads: 2 }).oldMb).toBe(275);
    expect(streamHeapLimits({ chunkRows: 3000, uploads: 2, heapMb: 200 }).oldMb).toBe(200);
    expect(streamHeapLimits({ chunkRows: 3000, uploads: 0 }).uploads).toBe(1);
  });
});
