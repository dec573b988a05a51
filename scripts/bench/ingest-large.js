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
const { spawn } = require('node:child_process');
const { Readable } = require('node:stream');
const { randomBytes } = require('node:crypto');
const { Client } = require('pg');
const { Kafka, logLevel } = require('kafkajs');

const root = path.resolve(__dirname, '../..');
const file = process.argv[2];
const chunkRows = process.argv[3] ?? '10000';
if (!file) {
  console.error('usage: node scripts/bench/ingest-large.js <report.csv> [chunkRows]');
  process.exit(2);
}
const adminUrl = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const run = randomBytes(4).toString('hex');
const dbName = `customs_bench_${run}`;
const prefix = `bench.${run}.`;
const token = `integrator-${run}`;
const port = 18000 + Math.floor(Math.random() * 1000);

function statusOf(pid) {
  const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? 0);
  return { rss: kb('VmRSS') * 1024, hwm: kb('VmHWM') * 1024 };
}
const mib = (b) => `${Math.round(b / 1048576)} MiB`;

// CPU seconds by process kind (the service, Postgres backends, the Kafka broker), from
// /proc/<pid>/stat utime+stime, sampled so short-lived backends are counted before they exit:
// it shows which side a run waited on. Other load on the machine (a build, tests) adds noise.
const TICK = 100;
function cpuByPid() {
  const out = new Map();
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const st = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const close = st.lastIndexOf(')');
      const comm = st.slice(st.indexOf('(') + 1, close);
      const f = st.slice(close + 2).split(' ');
      out.set(pid, { comm, ticks: Number(f[11]) + Number(f[12]) });
    } catch {
      // the process exited between readdir and read
    }
  }
  return out;
}
class CpuMeter {
  constructor(servicePid) {
    this.servicePid = String(servicePid);
    this.start = cpuByPid();
    this.last = new Map(this.start);
  }
  sample() {
    for (const [pid, v] of cpuByPid()) this.last.set(pid, v);
  }
  seconds() {
    const by = { service: 0, postgres: 0, kafka: 0 };
    for (const [pid, v] of this.last) {
      const used = (v.ticks - (this.start.get(pid)?.comm === v.comm ? this.start.get(pid).ticks : 0)) / TICK;
      if (pid === this.servicePid) by.service += used;
      else if (v.comm === 'postgres') by.postgres += used;
      else if (v.comm === 'java') by.kafka += used;
    }
    return by;
  }
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
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  await admin.query(`grant connect on database ${dbName} to ingestion`);
  const u = new URL(adminUrl);
  u.pathname = `/${dbName}`;
  const dbAdmin = new Client({ connectionString: u.toString() });
  await dbAdmin.connect();
  await dbAdmin.query('create schema ingestion authorization ingestion');
  const kafka = new Kafka({ clientId: 'bench', brokers, logLevel: logLevel.ERROR });
  const kadmin = kafka.admin();
  await kadmin.connect();
  const topics = JSON.parse(fs.readFileSync(path.join(root, 'infra/kafka/topics.json'), 'utf8')).topics.map((t) => ({ topic: prefix + t.name, numPartitions: t.partitions, replicationFactor: 1 }));
  await kadmin.createTopics({ topics, waitForLeaders: true });

  const child = spawn(process.execPath, [path.join(root, 'services/ingestion/dist/main.js')], {
    env: { ...process.env, DATABASE_URL: `postgres://ingestion:ingestion@${u.hostname}:${u.port || 5432}/${dbName}`, KAFKA_BROKERS: brokers.join(','), KAFKA_TOPIC_PREFIX: prefix, HTTP_PORT: String(port), GRPC_PORT: String(port + 1000), API_TOKENS: `${token}=bench:integrator`, LOG_LEVEL: 'warn', STREAM_CHUNK_ROWS: chunkRows, OTEL_EXPORTER_OTLP_ENDPOINT: '' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const cleanup = async () => {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
    await kadmin.deleteTopics({ topics: topics.map((t) => t.topic) }).catch(() => undefined);
    await kadmin.disconnect();
    await dbAdmin.end();
    await admin.query(`drop database if exists ${dbName} with (force)`);
    await admin.end();
  };
  try {
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      if ((await fetch(`${base}/readyz`).then((r) => r.ok).catch(() => false))) break;
      if (i > 300 || child.exitCode !== null) throw new Error('ingestion service did not become ready');
      await new Promise((r) => setTimeout(r, 200));
    }
    // Arrival on the topic is read from its offsets (high watermarks), not by consuming every
    // message: a consumer decoding 1.8 M records in this process took CPU from the service under
    // test on the same two cores.
    const topic = `${prefix}ingestion.declaration.received.v1`;
    const onTopicNow = async () => (await kadmin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0);
    let onTopic = 0;
    const waitOnTopic = async () => {
      while ((onTopic = await onTopicNow()) < entries) await new Promise((r) => setTimeout(r, 100));
    };

    let maxRss = 0;
    const cpu = new CpuMeter(child.pid);
    const sampler = setInterval(() => {
      maxRss = Math.max(maxRss, statusOf(child.pid).rss);
      cpu.sample();
    }, 100);
    const before = statusOf(child.pid);
    const t0 = Date.now();
    const res = await fetch(`${base}/v1/documents?format=cds-report&filename=${encodeURIComponent(path.basename(file))}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' }, body: Readable.toWeb(fs.createReadStream(file, { highWaterMark: 256 * 1024 })), duplex: 'half' });
    const body = await res.json();
    const stored = (Date.now() - t0) / 1000;
    if (res.status !== 201) throw new Error(`HTTP ${res.status}: ${JSON.stringify(body).slice(0, 400)}`);
    await waitOnTopic();
    const total = (Date.now() - t0) / 1000;
    clearInterval(sampler);
    cpu.sample();
    const used = cpu.seconds();
    const after = statusOf(child.pid);
    console.log(`streamed CDS item report REST → Postgres → topic: ${rows} item lines, ${(size / 1048576).toFixed(0)} MiB, ${entries} declarations, chunks of ${chunkRows} rows (${body.chunks} chunks)`);
    console.log(`  stored (HTTP response) after ${stored.toFixed(1)} s; all ${onTopic} on the topic after ${total.toFixed(1)} s`);
    console.log(`  → ${Math.round(rows / total)} item lines/s end to end (${(size / 1048576 / total).toFixed(1)} MiB/s); ${Math.round(rows / stored)} lines/s stored`);
    console.log(`  CPU seconds: service ${used.service.toFixed(1)}, postgres ${used.postgres.toFixed(1)}, kafka broker ${used.kafka.toFixed(1)} (of ${(2 * total).toFixed(1)} available on 2 cores in ${total.toFixed(1)} s)`);
    console.log(`  service RSS: ${mib(before.rss)} before, peak ${mib(Math.max(maxRss, after.hwm))} (VmHWM, whole process lifetime), ${mib(after.rss)} after`);
  } finally {
    await cleanup();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
