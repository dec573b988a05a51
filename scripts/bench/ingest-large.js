// Streaming CDS report ingestion end to end, at file sizes that do not fit a request buffer:
// starts its own ingestion service process (services/ingestion/dist, built by `npx tsc -b`) on a
// throw-away database and topic prefix, streams a CSV file to POST /v1/documents?format=cds-report
// from disk, and waits until every declaration is on ingestion.declaration.received.v1 (through
// the outbox; counted by the topic's offsets). Reports throughput and the SERVICE's peak RSS (VmHWM of its process).
// Needs Postgres and Kafka (scripts/postgres.sh ensure, scripts/kafka.sh start).
//
// usage: node scripts/gen-large-cds.js /tmp/big.csv 1g && node scripts/bench/ingest-large.js /tmp/big.csv [chunkRows]
const fs = require('node:fs');
const path = require('node:path');
const { Readable } = require('node:stream');
const { startIsolatedIngestion, describeUsage } = require('./isolated-ingestion');

const file = process.argv[2];
// Rows per chunk: the service's default (STREAM_CHUNK_ROWS, 3,000) unless given.
const chunkRows = process.argv[3];
if (!file) {
  console.error('usage: node scripts/bench/ingest-large.js <report.csv> [chunkRows]');
  process.exit(2);
}

async function countLines(f) {
  let n = 0;
  for await (const chunk of fs.createReadStream(f, { highWaterMark: 1 << 20 })) for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) n++;
  return n - 1; // header row
}

async function main() {
  const size = fs.statSync(file).size;
  const rows = await countLines(file);
  const entries = Math.ceil(rows / 3);
  const service = await startIsolatedIngestion(chunkRows ? { STREAM_CHUNK_ROWS: chunkRows } : {});
  try {
    const meter = service.meter();
    const t0 = Date.now();
    const res = await fetch(`${service.base}/v1/documents?format=cds-report&filename=${encodeURIComponent(path.basename(file))}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${service.token}`, 'content-type': 'text/csv' },
      body: Readable.toWeb(fs.createReadStream(file, { highWaterMark: 256 * 1024 })),
      duplex: 'half',
    });
    const body = await res.json();
    const stored = (Date.now() - t0) / 1000;
    if (res.status !== 201) throw new Error(`HTTP ${res.status}: ${JSON.stringify(body).slice(0, 400)}`);
    const onTopic = await service.waitOnTopic(entries);
    const total = (Date.now() - t0) / 1000;
    const usage = meter.done();
    console.log(
      `streamed CDS item report REST → Postgres → topic: ${rows} item lines, ${(size / 1048576).toFixed(0)} MiB, ${entries} declarations, chunks of ${chunkRows ?? 'the default'} rows (${body.chunks} chunks)`,
    );
    console.log(`  stored (HTTP response) after ${stored.toFixed(1)} s; all ${onTopic} on the topic after ${total.toFixed(1)} s`);
    console.log(`  → ${Math.round(rows / total)} item lines/s end to end (${(size / 1048576 / total).toFixed(1)} MiB/s); ${Math.round(rows / stored)} lines/s stored`);
    console.log(describeUsage(usage, total));
  } finally {
    await service.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
