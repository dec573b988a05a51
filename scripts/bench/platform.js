// An isolated platform of real processes for the end-to-end benchmark (scripts/bench/e2e.js) and
// the scale-out kill test (tests/scale-out.int.test.ts): a throw-away database with one schema per
// service owned by its role (as infra/postgres lays it out), every topic of infra/kafka/topics.json
// under a topic prefix of its own (the shared broker's other users never see its events, and its
// consumer groups are prefixed too: packages/kafka scopes groups by KAFKA_TOPIC_PREFIX), and the
// compiled services (services/*/dist/main.js, built by `npx tsc -b`) started as child processes,
// `instances` of each consuming service in the same consumer groups. `stop()` removes everything
// it created. Needs Postgres and Kafka (scripts/postgres.sh ensure, scripts/kafka.sh start).
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { Client, Pool } = require('pg');
const { Kafka, logLevel } = require('kafkajs');

const root = path.resolve(__dirname, '../..');
const SERVICES = ['reference', 'ingestion', 'validation', 'scoring', 'alerting', 'reporting'];
/** Services that consume Kafka topics in consumer groups: the ones scaled out. */
const CONSUMING = ['validation', 'scoring', 'alerting'];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A TCP port nothing listens on right now (the kernel's pick). */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** VmRSS and VmHWM (peak) of a live process, in bytes; undefined once it exited. */
function memoryOf(pid) {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? 0) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system) a live process has used so far. */
function cpuSecondsOf(pid) {
  try {
    const st = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return undefined;
  }
}

/** CPU seconds of every process whose command is `comm` (Postgres backends, the broker's JVM). */
function cpuSecondsByComm() {
  const out = { postgres: 0, java: 0 };
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const st = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const comm = st.slice(st.indexOf('(') + 1, st.lastIndexOf(')'));
      if (!(comm in out)) continue;
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
      out[comm] += (Number(f[11]) + Number(f[12])) / 100;
    } catch {
      // exited between readdir and read
    }
  }
  return out;
}

/**
 * Starts the platform. Options: `label` (names the database and prefix), `instances` (of each
 * consuming service, default 1), `alertRulesDir` (alerting's rule pack; default the shipped one),
 * `partitions` (at least this many partitions per event topic; default topics.json's),
 * `env` (extra settings per service name), `logDir` (service logs; default a temp folder),
 * `tenants` (how many tenants get tokens; default 1), `brokers` (default KAFKA_BROKERS), `mains` (another build's main.js per
 * service name, to measure a change against the code before it in one sitting).
 */
async function startPlatform(opts = {}) {
  const label = (opts.label ?? 'e2e').replace(/[^a-z0-9]/gi, '').toLowerCase();
  const run = randomBytes(4).toString('hex');
  const adminUrl = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const brokers = opts.brokers ?? (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  const dbName = `customs_${label}_${run}`;
  const prefix = `${label}.${run}.`;
  const tenant = `${label}-${run}`;
  const secret = randomBytes(12).toString('hex');
  const tokens = {
    analyst: `analyst-${secret}`,
    integrator: `integrator-${secret}`,
    admin: `admin-${secret}`,
    service: `service-${secret}`,
  };
  /** Every tenant with its tokens; the first is `tenant` with `tokens`. */
  const tenants = [{ tenant, ...tokens }];
  for (let i = 1; i < (opts.tenants ?? 1); i++) {
    const t = randomBytes(12).toString('hex');
    tenants.push({ tenant: `${tenant}-t${i}`, analyst: `analyst-${t}`, integrator: `integrator-${t}`, admin: `admin-${t}` });
  }
  const tokenSpec = [
    ...tenants.flatMap((t) => [`${t.analyst}=${t.tenant}:analyst:analyst@${t.tenant}`, `${t.integrator}=${t.tenant}:integrator`, `${t.admin}=${t.tenant}:admin:admin@${t.tenant}`]),
    `${tokens.service}=platform:admin`,
  ].join(',');
  const logDir = opts.logDir ?? fs.mkdtempSync(path.join(os.tmpdir(), `${label}-logs-`));
  fs.mkdirSync(logDir, { recursive: true });

  // --- database: one schema per service, owned by its role --------------------------------------
  const admin = new Client({ connectionString: adminUrl });
  // A server restart (scripts/chaos.js restarts its private cluster) cuts these connections:
  // without a listener the 'error' event would crash the caller; later queries just fail.
  admin.on('error', () => undefined);
  await admin.connect();
  for (const s of SERVICES) await admin.query(`do $$ begin if not exists (select from pg_roles where rolname = '${s}') then create role ${s} login password '${s}'; end if; end $$`);
  await admin.query(`create database ${dbName}`);
  await admin.query(`revoke all on database ${dbName} from public`);
  for (const s of SERVICES) await admin.query(`grant connect on database ${dbName} to ${s}`);
  const u = new URL(adminUrl);
  u.pathname = `/${dbName}`;
  const dbAdminUrl = u.toString();
  const db = new Pool({ connectionString: dbAdminUrl, max: 4 });
  db.on('error', () => undefined);
  await db.query('revoke create on schema public from public');
  for (const s of SERVICES) await db.query(`create schema ${s} authorization ${s}`);
  const urlFor = (s) => `postgres://${s}:${process.env[`${s.toUpperCase()}_DB_PASSWORD`] ?? s}@${u.hostname}:${u.port || 5432}/${dbName}`;

  // --- topics under the prefix --------------------------------------------------------------------
  const kafka = new Kafka({ clientId: `${label}-bench`, brokers, logLevel: logLevel.ERROR });
  const kadmin = kafka.admin();
  await kadmin.connect();
  const declared = JSON.parse(fs.readFileSync(path.join(root, 'infra/kafka/topics.json'), 'utf8')).topics;
  const topics = declared.map((t) => ({
    topic: prefix + t.name,
    numPartitions: t.name.endsWith('.dlq') ? t.partitions : Math.max(t.partitions, opts.partitions ?? 0),
    replicationFactor: 1,
  }));
  // A loaded broker sometimes answers the metadata call of waitForLeaders before the new
  // partitions are hosted ("does not host this topic-partition"); the missing ones are created again.
  for (let attempt = 1; ; attempt++) {
    try {
      const existing = new Set(await kadmin.listTopics());
      const missing = topics.filter((t) => !existing.has(t.topic));
      if (missing.length) await kadmin.createTopics({ topics: missing, waitForLeaders: true });
      break;
    } catch (e) {
      if (attempt < 5) {
        await sleep(1000 * attempt);
        continue;
      }
      await kadmin.deleteTopics({ topics: topics.map((t) => t.topic) }).catch(() => undefined);
      await kadmin.disconnect().catch(() => undefined);
      await db.end().catch(() => undefined);
      await admin.query(`drop database if exists ${dbName} with (force)`).catch(() => undefined);
      await admin.end().catch(() => undefined);
      throw e;
    }
  }

  // --- processes ----------------------------------------------------------------------------------
  /** name → [{ name, index, pid, child, http, grpc, exited, peakRss, cpuAtExit }] */
  const procs = new Map();
  const common = (s) => ({
    DATABASE_URL: urlFor(s),
    KAFKA_BROKERS: brokers.join(','),
    KAFKA_TOPIC_PREFIX: prefix,
    API_TOKENS: tokenSpec,
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    OTEL_EXPORTER_OTLP_ENDPOINT: '',
    SHUTDOWN_TIMEOUT_MS: '5000',
  });
  const spawnService = async (name, index, extra) => {
    const main = opts.mains?.[name] ?? path.join(root, `services/${name}/dist/main.js`);
    if (!fs.existsSync(main)) throw new Error(`${main} is missing: build first (npx tsc -b)`);
    // A restarted instance gets its old ports back, so its clients (validation → reference) find it.
    const before = procs.get(name)?.[index];
    const httpPort = before ? Number(new URL(before.http).port) : await freePort();
    const grpcPort = before ? Number(before.grpc.split(':')[1]) : await freePort();
    const log = fs.openSync(path.join(logDir, `${name}-${index}.log`), 'a');
    if (before && extra === undefined) extra = before.extra;
    const env = { ...process.env, ...common(name), HTTP_PORT: String(httpPort), GRPC_PORT: String(grpcPort), ...(opts.env?.[name] ?? {}), ...extra };
    for (const k of ['DATABASE_URL_ADMIN', 'TEST_DATABASE_ADMIN_URL']) delete env[k];
    const child = spawn(process.execPath, [main], { env, stdio: ['ignore', log, log] });
    fs.closeSync(log);
    const p = { name, index, pid: child.pid, child, extra, http: `http://127.0.0.1:${httpPort}`, grpc: `127.0.0.1:${grpcPort}`, exited: false, peakRss: 0, cpuSeconds: 0 };
    child.once('exit', () => (p.exited = true));
    const list = procs.get(name) ?? [];
    list[index] = p;
    procs.set(name, list);
    for (let i = 0; ; i++) {
      if (
        await fetch(`${p.http}/readyz`)
          .then((r) => r.ok)
          .catch(() => false)
      )
        return p;
      if (p.exited || i > 600) {
        const tail = fs
          .readFileSync(path.join(logDir, `${name}-${index}.log`), 'utf8')
          .split('\n')
          .slice(-15)
          .join('\n');
        throw new Error(`${name} #${index} ${p.exited ? `exited (code ${child.exitCode})` : 'not ready after 120 s'}; last log lines:\n${tail}`);
      }
      await sleep(200);
    }
  };

  // CPU of the Postgres backends serving this platform's database (their command line names
  // it), pid by pid: a backend that exits keeps the ticks last seen. The server is shared, so
  // summing every postgres process would count colleagues' work too.
  const backendCpu = new Map();
  const sampleBackends = () => {
    for (const pid of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        if (!fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(` ${dbName} `)) continue;
        const c = cpuSecondsOf(pid);
        if (c !== undefined) backendCpu.set(pid, Math.max(backendCpu.get(pid) ?? 0, c));
      } catch {
        // exited between readdir and read
      }
    }
  };
  const backendSampler = setInterval(sampleBackends, 500);
  backendSampler.unref();
  // RSS and CPU sampled every 200 ms, so a process's peak and CPU survive its exit (a SIGKILL).
  const sampler = setInterval(() => {
    for (const list of procs.values())
      for (const p of list) {
        if (!p || p.exited) continue;
        const m = memoryOf(p.pid);
        const c = cpuSecondsOf(p.pid);
        if (m) p.peakRss = Math.max(p.peakRss, m.hwm, m.rss);
        if (c !== undefined) p.cpuSeconds = c;
      }
  }, 200);
  sampler.unref();

  const stopped = async (p, signal) => {
    if (p.exited) return;
    const exited = new Promise((r) => p.child.once('exit', r));
    p.child.kill(signal);
    await exited;
  };
  let reportAlertRules;
  const stop = async () => {
    clearInterval(sampler);
    clearInterval(backendSampler);
    for (const name of [...SERVICES].reverse()) for (const p of procs.get(name) ?? []) if (p) await stopped(p, 'SIGTERM').catch(() => undefined);
    await kadmin.deleteTopics({ topics: topics.map((t) => t.topic), timeout: 10000 }).catch(() => undefined);
    await kadmin.disconnect().catch(() => undefined);
    await db.end().catch(() => undefined);
    await admin.query(`drop database if exists ${dbName} with (force)`).catch(() => undefined);
    await admin.end().catch(() => undefined);
    if (reportAlertRules) fs.rmSync(reportAlertRules, { recursive: true, force: true });
  };

  const instances = opts.instances ?? 1;
  try {
    const reference = await spawnService('reference', 0, {});
    await spawnService('ingestion', 0, {});
    const starts = [];
    for (const name of CONSUMING)
      for (let i = 0; i < instances; i++) {
        const extra =
          name === 'validation'
            ? { SERVICE_TOKEN: tokens.service, REFERENCE_GRPC_ADDRESS: reference.grpc }
            : name === 'alerting'
              ? { DELIVERY_ALLOWED_PRIVATE_HOSTS: '127.0.0.1', ...(opts.alertRulesDir ? { ALERT_RULES_DIR: opts.alertRulesDir } : {}) }
              : {};
        starts.push(spawnService(name, i, extra));
      }
    await Promise.all(starts);
  } catch (e) {
    await stop();
    throw e;
  }

  const first = (name) => procs.get(name).find((p) => p && !p.exited);
  const request = async (name, method, p, { body, token, contentType } = {}) => {
    const res = await fetch(`${first(name).http}${p}`, {
      method,
      headers: { authorization: `Bearer ${token ?? tokens.analyst}`, ...(body !== undefined && contentType ? { 'content-type': contentType } : {}) },
      body,
    });
    const text = await res.text();
    let json;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
    }
    return { status: res.status, body: json };
  };

  return {
    tenant,
    tokens,
    tenants,
    prefix,
    dbName,
    dbAdminUrl,
    logDir,
    kafka,
    brokers,
    /** A superuser connection to the platform's database (for counts only; the figures come from the APIs). */
    db,
    topic: (name) => prefix + name,
    procs,
    first,
    request,
    /** Sends a signal to one instance and waits for it to exit. */
    kill: (name, index, signal = 'SIGKILL') => stopped(procs.get(name)[index], signal),
    /** Starts another instance (or restarts a killed one at `index`). */
    spawn: (name, index, extra) => spawnService(name, index, extra),
    /** Loads the generated world's tariff (OTT files from packages/datagen) into reference. */
    async loadGeneratedTariff(seed, importers) {
      const datagen = require(path.join(root, 'packages/datagen/dist'));
      const { generatedTariffFiles } = require(path.join(root, 'packages/datagen/dist/ott-dataset'));
      const files = generatedTariffFiles(datagen.worldFor(seed, importers), datagen.loadFacts());
      for (const [source, content] of [
        ['ott-generated-geographical-areas.json', files.geographicalAreas],
        ['ott-generated-tariff.csv', files.report],
      ]) {
        const r = await request('reference', 'POST', `/v1/admin/ott-loads?source=${source}`, { body: content, token: tokens.service });
        if (r.status >= 300) throw new Error(`reference refused ${source}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
      }
    },
    /** CPU seconds used so far by the Postgres backends of this platform's database. */
    databaseCpuSeconds() {
      sampleBackends();
      let n = 0;
      for (const v of backendCpu.values()) n += v;
      return n;
    },
    /** Peak RSS (bytes) and CPU seconds per process, by "name#index". */
    usage() {
      const out = {};
      for (const [name, list] of procs)
        for (const p of list) {
          if (!p) continue;
          const m = p.exited ? undefined : memoryOf(p.pid);
          const c = p.exited ? undefined : cpuSecondsOf(p.pid);
          out[`${name}#${p.index}`] = { peakRss: Math.max(p.peakRss, m?.hwm ?? 0), cpuSeconds: c ?? p.cpuSeconds, exited: p.exited };
        }
      return out;
    },
    stop,
  };
}

module.exports = { startPlatform, cpuSecondsByComm, memoryOf, freePort, CONSUMING };
