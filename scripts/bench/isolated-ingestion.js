// An ingestion service of its own for a benchmark: a throw-away database and topic prefix, the
// compiled service (services/ingestion/dist, built by `npx tsc -b`) started as a child process,
// and the meters the ingestion benchmarks print: CPU-seconds by process kind and the service's
// peak RSS. Needs Postgres and Kafka (scripts/postgres.sh ensure, scripts/kafka.sh start).
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { Client } = require('pg');
const { Kafka, logLevel } = require('kafkajs');

const root = path.resolve(__dirname, '../..');

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

/**
 * Starts the service; `env` adds to (or overrides) its configuration. Returns its base URL, an
 * integrator token, `onTopic()` (declarations on ingestion.declaration.received.v1, read from the
 * topic's offsets rather than by consuming every record on the same two cores), `meter()` to start
 * sampling CPU and RSS, and `stop()` which removes everything it created.
 */
async function startIsolatedIngestion(env = {}) {
  const adminUrl = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  const run = randomBytes(4).toString('hex');
  const dbName = `customs_bench_${run}`;
  const prefix = `bench.${run}.`;
  const token = `integrator-${run}`;
  const port = 18000 + Math.floor(Math.random() * 1000);
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

  // The service's own V8 options (services/ingestion/node-options), as in its image.
  const nodeOptions = fs
    .readFileSync(path.join(root, 'services/ingestion/node-options'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'))
    .flatMap((l) => l.trim().split(/\s+/));
  const child = spawn(process.execPath, [...nodeOptions, path.join(root, 'services/ingestion/dist/main.js')], {
    env: {
      ...process.env,
      DATABASE_URL: `postgres://ingestion:ingestion@${u.hostname}:${u.port || 5432}/${dbName}`,
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      HTTP_PORT: String(port),
      GRPC_PORT: String(port + 1000),
      API_TOKENS: `${token}=bench:integrator`,
      LOG_LEVEL: 'warn',
      OTEL_EXPORTER_OTLP_ENDPOINT: '',
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const stop = async () => {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
    await kadmin.deleteTopics({ topics: topics.map((t) => t.topic) }).catch(() => undefined);
    await kadmin.disconnect();
    await dbAdmin.end();
    await admin.query(`drop database if exists ${dbName} with (force)`);
    await admin.end();
  };
  const base = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; ; i++) {
      if (
        await fetch(`${base}/readyz`)
          .then((r) => r.ok)
          .catch(() => false)
      )
        break;
      if (i > 300 || child.exitCode !== null) throw new Error('ingestion service did not become ready');
      await new Promise((r) => setTimeout(r, 200));
    }
  } catch (e) {
    await stop();
    throw e;
  }
  const topic = `${prefix}ingestion.declaration.received.v1`;
  const onTopic = async () => (await kadmin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0);
  const waitOnTopic = async (n) => {
    let seen;
    while ((seen = await onTopic()) < n) await new Promise((r) => setTimeout(r, 100));
    return seen;
  };
  /** Starts sampling; `done()` stops and returns CPU-seconds by process kind and RSS figures. */
  const meter = () => {
    let maxRss = 0;
    const cpu = new CpuMeter(child.pid);
    const before = statusOf(child.pid);
    const sampler = setInterval(() => {
      maxRss = Math.max(maxRss, statusOf(child.pid).rss);
      cpu.sample();
    }, 100);
    return {
      done() {
        clearInterval(sampler);
        cpu.sample();
        const after = statusOf(child.pid);
        return { cpu: cpu.seconds(), rssBefore: before.rss, rssPeak: Math.max(maxRss, after.hwm), rssAfter: after.rss };
      },
    };
  };
  return { base, token, topic, onTopic, waitOnTopic, meter, stop, pid: child.pid };
}

/** The two lines every ingestion benchmark prints about CPU and memory. */
function describeUsage(m, seconds) {
  return [
    `  CPU seconds: service ${m.cpu.service.toFixed(1)}, postgres ${m.cpu.postgres.toFixed(1)}, kafka broker ${m.cpu.kafka.toFixed(1)} (of ${(2 * seconds).toFixed(1)} available on 2 cores in ${seconds.toFixed(1)} s)`,
    `  service RSS: ${mib(m.rssBefore)} before, peak ${mib(m.rssPeak)} (VmHWM, whole process lifetime), ${mib(m.rssAfter)} after`,
  ].join('\n');
}

module.exports = { startIsolatedIngestion, describeUsage };
