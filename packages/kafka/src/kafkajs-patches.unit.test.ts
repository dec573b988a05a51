// kafkajs 2.2.4 zero-fills a fresh buffer for every record and every header it encodes
// (Buffer.alloc), which was two thirds of the outbox relay's CPU on a streamed report.
// patches/kafkajs+2.2.4.patch (applied by `npm ci` through patch-package) switches its Encoder
// to Buffer.allocUnsafe: small encoders share Node's pool and nothing is zeroed, which is safe
// because the Encoder only ever exposes the bytes it wrote (buf.slice(0, offset)). It also writes
// varints in place instead of through a Buffer.from(array) each.
// The same patch stops kafkajs's request queue from re-arming a 1 ms timer forever on every
// connection once nothing is pending (kafkajs#1704/#1751): idle CPU in every service, and a
// TimeoutNegativeWarning on Node 24.
/* eslint-disable @typescript-eslint/no-require-imports */
const Encoder = require('kafkajs/src/protocol/encoder');
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0');
const RecordBatchDecoder = require('kafkajs/src/protocol/recordBatch/v0/decoder');
const Decoder = require('kafkajs/src/protocol/decoder');
const Record = require('kafkajs/src/protocol/recordBatch/record/v0');
const RequestQueue = require('kafkajs/src/network/requestQueue');

describe('kafkajs encoder patch', () => {
  it('is applied: small encoders come from the shared pool instead of a zeroed buffer each', () => {
    expect(new Encoder(100).buf.buffer.byteLength).toBe(Buffer.poolSize);
  });

  it('encodes records that decode to exactly what was written, whatever the pool held before', async () => {
    // Dirty the pool so stale bytes would show if an encoder exposed unwritten memory.
    for (let i = 0; i < 64; i++) Buffer.allocUnsafe(128).fill(0xaa);
    const records = Array.from({ length: 50 }, (_, i) =>
      // offsetDelta and the value length cross the 1-, 2- and 3-byte varint boundaries.
      Record({ offsetDelta: i * 3000, key: Buffer.from(`key-${i}`), value: Buffer.from('v'.repeat(i * 37)), headers: { ce_id: `id-${i}`, tenant: Buffer.from('tenant-ä') } }),
    );
    const encoded = await RecordBatch({ records, firstOffset: '0', firstTimestamp: 1_700_000_000_000, maxTimestamp: 1_700_000_000_000, lastOffsetDelta: 49 });
    const batch = await RecordBatchDecoder(new Decoder(encoded.buffer));
    expect(batch.records).toHaveLength(50);
    batch.records.forEach((r: { key: Buffer; value: Buffer; headers: Record<string, Buffer> }, i: number) => {
      expect(r.key.toString()).toBe(`key-${i}`);
      expect(r.value.toString()).toBe('v'.repeat(i * 37));
      expect(r.headers.ce_id!.toString()).toBe(`id-${i}`);
      expect(r.headers.tenant!.toString()).toBe('tenant-ä');
    });
  });
});

describe('kafkajs request-queue patch', () => {
  const silent = { debug() {}, info() {}, warn() {}, error() {} };
  const queueOf = () => new RequestQueue({ maxInFlightRequests: 1, requestTimeout: 30_000, enforceRequestTimeout: false, clientId: 'test', broker: 'b:9092', logger: silent });

  it('arms no timer when nothing is pending and nothing is throttled', () => {
    const queue = queueOf();
    queue.checkPendingRequests();
    expect(queue.throttleCheckTimeoutId).toBeNull();
    queue.destroy();
  });

  it('still schedules a check while throttled, for when the throttle ends', () => {
    const queue = queueOf();
    queue.throttledUntil = Date.now() + 60_000;
    queue.checkPendingRequests();
    expect(queue.throttleCheckTimeoutId).not.toBeNull();
    queue.destroy();
    expect(queue.throttleCheckTimeoutId).toBeNull();
  });

  it('still schedules a check when a request waits in the queue', () => {
    const queue = queueOf();
    queue.pending.push({ correlationId: 1 });
    queue.throttledUntil = Date.now() + 60_000; // so the check cannot send it now
    queue.checkPendingRequests();
    expect(queue.pending).toHaveLength(1);
    expect(queue.throttleCheckTimeoutId).not.toBeNull();
    queue.destroy();
  });
});
