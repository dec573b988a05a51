// Alert delivery end to end: checked declarations (validation.declaration.checked.v1, the event the
// alerting core correlates: a declaration version with its findings) produced at a steady rate →
// an alerting service of its own (the compiled services/alerting/dist, its own database and topic
// prefix) → the alert change at three subscribers at once: the gRPC StreamAlerts stream, the SSE
// stream (GET /v1/alerts/stream) and a webhook receiver (a node:http server in this process).
// Prints p50/p99 latency from "finding produced" to "alert change received" per channel, the
// throughput, and the service's peak RSS. One finding per declaration (a high-severity C09 with
// money at stake; 5 importers, 20 brokers), with the default rule pack loaded. Loopback
// only; bounded in count and time (gives up 60 s after the last finding); stops by itself.
// Needs Postgres and Kafka (make infra) and a build (npx tsc -b).
// With `direct`, the delivery channels alone: alert changes are appended to alert_history at the
// rate (insert + NOTIFY, as the core does) instead of declarations on Kafka, so the latency is
// from the committed change to its arrival.
// usage: node scripts/bench/alert-delivery.js [declarations=3000] [declarations/s=200] [direct]
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { Client } = require('pg');
const { Kafka, logLevel, CompressionTypes } = require('kafkajs');
const { credentials, Metadata } = require('@grpc/grpc-js');
const { latencySummary } = require('./lib');

const root = path.resolve(__dirname, '../..');
const { buildEvent } = require(path.join(root, 'packages/kafka/dist'));
const { Alert, Topics, Severity, DeclarationChecked, StreamAlertsRequest, AlertingServiceClient } = require(path.join(root, 'packages/contracts/dist'));

const N = Number(process.argv[2] ?? 3000);
const RATE = Number(process.argv[3] ?? 200);
const DIRECT = process.argv[4] === 'direct';
const TENANT = 'bench';

function statusOf(pid) {
  const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? 0);
  return { rss: kb('VmRSS') * 1024, hwm: kb('VmHWM') * 1024 };
}
const mib = (b) => `${Math.round(b / 1048576)} MiB`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function checked(run, i) {
  const day = String(1 + (i % 28)).padStart(2, '0');
  const f = {
    findingId: `bench-${run}-f${i}`,
    tenantId: TENANT,
    declarationId: `bench-${run}-d${i}`,
    declarationVersion: 1,
    mrn: `24GB${String(i).padStart(14, '0')}`,
    itemNumber: 1,
    ruleId: 'C09',
    ruleVersion: '1.0.0',
    title: 'Duty charged differs from the tariff rate',
    family: 'classification',
    severity: Severity.SEVERITY_HIGH,
    exposureDutyPence: 10_000 + (i % 500) * 100,
    exposureVatPence: 2_000 + (i % 500) * 20,
    reclaimDutyPence: 0,
    reclaimVatPence: 0,
    acceptanceDate: `2025-03-${day}`,
    deadline: `2028-03-${day}`,
    source: 'validation',
    raisedAt: new Date().toISOString(),
    importerEori: `GB${String(100000000000 + (i % 5))}`,
    declarantId: `GB${String(900000000000 + (i % 20))}`,
  };
  return DeclarationChecked.fromPartial({
    tenantId: TENANT,
    declarationId: f.declarationId,
    declarationVersion: 1,
    mrn: f.mrn,
    importerEori: f.importerEori,
    declarantId: f.declarantId,
    itemCount: 1,
    findingIds: [f.findingId],
    exposurePence: f.exposureDutyPence + f.exposureVatPence,
    acceptanceDate: f.acceptanceDate,
    checkedAt: f.raisedAt,
    rulesEvaluated: ['C09'],
    findings: [f],
  });
}

(async () => {
  const adminUrl = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  const run = randomBytes(4).toString('hex');
  const dbName = `customs_bench_${run}`;
  const prefix = `bench.${run}.`;
  const admin = `admin-${randomBytes(12).toString('hex')}`;
  const port = 18000 + Math.floor(Math.random() * 1000);
  const grpcPort = port + 1000;

  // --- isolated database, topics, webhook receiver ----------------------------------------
  const pg = new Client({ connectionString: adminUrl });
  await pg.connect();
  await pg.query(`create database ${dbName}`);
  await pg.query(`grant connect on database ${dbName} to alerting`);
  const u = new URL(adminUrl);
  u.pathname = `/${dbName}`;
  const dbAdmin = new Client({ connectionString: u.toString() });
  await dbAdmin.connect();
  await dbAdmin.query('create schema alerting authorization alerting');
  const kafka = new Kafka({ clientId: 'bench', brokers, logLevel: logLevel.ERROR });
  const kadmin = kafka.admin();
  await kadmin.connect();
  const topics = JSON.parse(fs.readFileSync(path.join(root, 'infra/kafka/topics.json'), 'utf8')).topics.map((t) => ({ topic: prefix + t.name, numPartitions: t.partitions, replicationFactor: 1 }));
  await kadmin.createTopics({ topics, waitForLeaders: true });

  const sentAt = new Map();
  const channels = { grpc: new Map(), sse: new Map(), webhook: new Map() };
  // The delivery leg alone: from the change's own timestamp (written by the alerting core when
  // it recorded the change) to its arrival; same machine, same clock.
  const leg = { grpc: [], sse: [], webhook: [] };
  const record = (channel, findingIds, changedAt) => {
    const now = performance.now();
    const seen = channels[channel];
    let fresh = false;
    for (const f of findingIds) {
      const t = sentAt.get(f);
      if (t !== undefined && !seen.has(f)) {
        seen.set(f, now - t);
        fresh = true;
      }
    }
    if (fresh && changedAt) leg[channel].push(Date.now() - Date.parse(changedAt));
  };
  const receiver = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      res.writeHead(204).end();
      try {
        const ce = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        record('webhook', ce.data.customs.finding_ids, ce.time);
      } catch {
        // not an alert change
      }
    });
  });
  await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
  const hookUrl = `http://127.0.0.1:${receiver.address().port}/hook`;

  // --- the service -------------------------------------------------------------------------
  const child = spawn(process.execPath, [path.join(root, 'services/alerting/dist/main.js')], {
    env: {
      ...process.env,
      DATABASE_URL: `postgres://alerting:${process.env.ALERTING_DB_PASSWORD ?? 'alerting'}@${u.hostname}:${u.port || 5432}/${dbName}`,
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      HTTP_PORT: String(port),
      GRPC_PORT: String(grpcPort),
      API_TOKENS: `${admin}=${TENANT}:admin`,
      DELIVERY_ALLOWED_PRIVATE_HOSTS: '127.0.0.1',
      LOG_LEVEL: 'warn',
      OTEL_EXPORTER_OTLP_ENDPOINT: '',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  const auth = { authorization: `Bearer ${admin}` };
  let sseAbort;
  let grpcCall;
  const stop = async () => {
    sseAbort?.abort();
    grpcCall?.cancel();
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
    receiver.close();
    await kadmin.deleteTopics({ topics: topics.map((t) => t.topic) }).catch(() => undefined);
    await kadmin.disconnect();
    await dbAdmin.end();
    await pg.query(`drop database if exists ${dbName} with (force)`);
    await pg.end();
  };
  try {
    for (let i = 0; ; i++) {
      if (
        await fetch(`${base}/readyz`)
          .then((r) => r.ok)
          .catch(() => false)
      )
        break;
      if (i > 300 || child.exitCode !== null) throw new Error('alerting service did not become ready');
      await sleep(200);
    }

    // --- subscribers ---------------------------------------------------------------------
    const sub = await fetch(`${base}/v1/webhooks`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ url: hookUrl }) });
    if (sub.status !== 201) throw new Error(`webhook subscription refused: ${sub.status} ${await sub.text()}`);

    sseAbort = new AbortController();
    const sse = await fetch(`${base}/v1/alerts/stream`, { headers: { ...auth, accept: 'text/event-stream' }, signal: sseAbort.signal });
    if (sse.status !== 200) throw new Error(`SSE refused: ${sse.status}`);
    void (async () => {
      const decoder = new TextDecoder();
      let buf = '';
      try {
        for await (const chunk of sse.body) {
          buf += decoder.decode(chunk, { stream: true });
          let i;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            const data = block
              .split('\n')
              .filter((l) => l.startsWith('data: '))
              .map((l) => l.slice(6))
              .join('\n');
            if (!data) continue;
            const ce = JSON.parse(data);
            record('sse', ce.data.customs.finding_ids, ce.time);
          }
        }
      } catch {
        // aborted at the end
      }
    })();

    const client = new AlertingServiceClient(`127.0.0.1:${grpcPort}`, credentials.createInsecure());
    const md = new Metadata();
    md.set('authorization', `Bearer ${admin}`);
    grpcCall = client.streamAlerts(StreamAlertsRequest.fromPartial({ afterCursor: 0 }), md);
    grpcCall.on('data', ({ change }) => record('grpc', change.alert.findingIds, change.change.at));
    grpcCall.on('error', (e) => {
      if (e.code !== 1) console.error(`gRPC stream ended: ${e.details || e.message}`);
    });
    // Let the SSE and gRPC streams and the webhook worker settle in before the clock starts.
    await sleep(1000);

    // --- steady load ---------------------------------------------------------------------
    const producer = kafka.producer();
    await producer.connect();
    const topic = `${prefix}${Topics.declarationChecked.name}`;
    const writer = new Client({
      connectionString: `postgres://alerting:${process.env.ALERTING_DB_PASSWORD ?? 'alerting'}@${u.hostname}:${u.port || 5432}/${dbName}`,
      options: '-c search_path=alerting',
    });
    if (DIRECT) await writer.connect();
    // What the core writes for a raised alert, one per declaration (direct mode).
    const appendHistory = async (decls) => {
      const now = new Date().toISOString();
      const values = [];
      const params = [];
      for (const d of decls) {
        const f = d.findings[0];
        const alert = Alert.fromPartial({
          alertId: `alert-${f.findingId}`,
          tenantId: TENANT,
          alertRuleId: 'AR-001',
          alertRuleHash: 'b'.repeat(64),
          alertRuleType: 'finding_match',
          title: f.title,
          severity: f.severity,
          status: 1,
          findingIds: [f.findingId],
          exposurePence: f.exposureDutyPence + f.exposureVatPence,
          exposureDutyPence: f.exposureDutyPence,
          exposureVatPence: f.exposureVatPence,
          deadline: f.deadline,
          createdAt: now,
          updatedAt: now,
          firstSeen: now,
          lastSeen: now,
          mrn: f.mrn,
          declarationId: f.declarationId,
          ruleIds: [f.ruleId],
          importerEori: f.importerEori,
          declarantId: f.declarantId,
        });
        const i = params.length;
        values.push(`($${i + 1}, $${i + 2}, 'system', 0, 1, 'raised', $${i + 3}, $${i + 4})`);
        params.push(TENANT, alert.alertId, now, Buffer.from(Alert.encode(alert).finish()));
      }
      await writer.query('begin');
      await writer.query(`select set_config('app.tenant_id', $1, true)`, [TENANT]);
      await writer.query(`insert into alert_history (tenant_id, alert_id, actor, from_status, to_status, reason, at, snapshot) values ${values.join(', ')}`, params);
      await writer.query(`select pg_notify('alerting_changes', '')`);
      await writer.query('commit');
    };
    const rss = { max: 0 };
    const sampler = setInterval(() => (rss.max = Math.max(rss.max, statusOf(child.pid).rss)), 100);
    const t0 = performance.now();
    // A batch every 50 ms of what is due by now keeps the rate steady without a call per finding.
    let sent = 0;
    while (sent < N) {
      const due = Math.min(N, Math.ceil(((performance.now() - t0) / 1000) * RATE));
      const messages = [];
      for (; sent < due; sent++) {
        const value = checked(run, sent);
        const ev = buildEvent({ topic: Topics.declarationChecked, key: `${TENANT}/${value.mrn}`, value, tenant: TENANT, source: 'validation', subject: value.declarationId });
        messages.push({ id: value.findingIds[0], value, message: { key: ev.key, value: Buffer.from(ev.payload), headers: ev.headers } });
      }
      if (messages.length) {
        const now = performance.now();
        for (const m of messages) sentAt.set(m.id, now);
        if (DIRECT) await appendHistory(messages.map((m) => m.value));
        else await producer.send({ topic, compression: CompressionTypes.None, messages: messages.map((m) => m.message) });
      }
      await sleep(50);
    }
    const produceSeconds = (performance.now() - t0) / 1000;
    await producer.disconnect();
    if (DIRECT) await writer.end();

    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && Object.values(channels).some((m) => m.size < N)) await sleep(100);
    const total = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    const after = statusOf(child.pid);

    const what = DIRECT ? `alert delivery, channels alone: ${N} alert changes appended to alert_history` : `alert delivery: ${N} checked declarations (1 finding each) produced`;
    console.log(`${what} at ${(N / produceSeconds).toFixed(0)}/s (target ${RATE}/s) over ${produceSeconds.toFixed(1)} s`);
    for (const [name, m] of Object.entries(channels)) {
      const lat = [...m.values()];
      console.log(`  ${name.padEnd(8)} ${lat.length}/${N} received${lat.length ? `, ${DIRECT ? 'change committed' : 'finding produced'} → alert change received: ${latencySummary(lat)}` : ''}`);
      if (leg[name].length && !DIRECT) console.log(`  ${''.padEnd(8)} of which change recorded → received: ${latencySummary(leg[name])}`);
    }
    const slowest = Math.max(...Object.values(channels).map((m) => Math.max(0, ...m.values())));
    console.log(
      `  throughput: ${(Math.min(...Object.values(channels).map((m) => m.size)) / total).toFixed(0)} alerts/s on every channel (all delivered within ${(slowest / 1000).toFixed(2)} s of their finding)`,
    );
    console.log(`  alerting service RSS: peak ${mib(Math.max(rss.max, after.hwm))} (VmHWM), ${mib(after.rss)} at the end`);
  } finally {
    await stop();
  }
  process.exit(0);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
