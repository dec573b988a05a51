// End-to-end benchmark (issue 18, goals 1-6; `make bench-e2e`): an isolated platform of real
// processes (scripts/bench/platform.js: its own database and topic prefix on this machine's broker
// and Postgres, so colleagues' tests on the same broker never see its events) is given a generated
// importer history as HMRC CDS data reports (packages/datagen) through ingestion's REST API, and
// the whole pipeline (ingestion → validation → scoring → alerting) is timed to the last alert
// written. Reported per run: item lines/s (wall and per CPU-second of the platform's processes),
// recall of the injected errors through alerting's findings feed, the ratio to a bare kafkajs
// produce → consume of the same payload bytes on the same broker, p50/p99 submission (HTTP 201)
// → alert on the gRPC stream, on SSE and at a webhook receiver at a steady rate with the
// backfill's history stored, peak RSS of every process, and throughput with 1 and 2 instances of
// each consuming service. Everything it started is stopped, the database and topics dropped.
//
// usage: node scripts/bench/e2e.js [--lines 20000] [--instances 1,2] [--growth 250000,500000,1000000]
//          [--rate 200] [--latency-seconds 10] [--seed 20261127] [--slice 2000]
//   --lines       item lines of the main backfill (run once per --instances value)
//   --growth      further backfill sizes (1 instance each, fresh platform each), latency after each
//   --rate        steady submissions per second for the latency phase, a comma list (the goal's 200
//                 and one the machine can sustain, so latency is seen both saturated and not; 0 = none)
//   --cpu-prof DIR  V8 CPU profiles of every service process (node --cpu-prof), summarised at the end
//   --tenants     spread the backfill's slices over this many tenants (importers on one platform)
//   --alerting-main  another build of services/alerting/dist/main.js (a before/after comparison)
// Needs Postgres and Kafka (make infra) and a build (npx tsc -b).
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { randomBytes } = require('node:crypto');
const { Kafka, logLevel } = require('kafkajs');
const { credentials, Metadata } = require('@grpc/grpc-js');
const { percentile } = require('./lib');
const { startPlatform, cpuSecondsByComm } = require('./platform');
const { expectedFindings } = require('./expectation');

/** Up to this many declarations the run also evaluates its reports in process (memory: all parsed at once). */
const KEEP_FOR_EXPECTATION = 40000;

const root = path.resolve(__dirname, '../..');
const datagen = require(path.join(root, 'packages/datagen/dist'));
const { buildEvent } = require(path.join(root, 'packages/kafka/dist'));
const { Topics, DeclarationReceived, StreamAlertsRequest, AlertingServiceClient, declarationKey } = require(path.join(root, 'packages/contracts/dist'));

function args(argv) {
  const o = { lines: 20000, instances: [1, 2], growth: [], rates: [200, 20], latencySeconds: 10, seed: 20261127, slice: 2000, tenants: 1, alertingMain: undefined };
  for (let i = 2; i < argv.length; i += 2) {
    const [k, v] = [argv[i], argv[i + 1]];
    if (k === '--lines') o.lines = Number(v);
    else if (k === '--instances') o.instances = v.split(',').map(Number);
    else if (k === '--growth') o.growth = v ? v.split(',').map(Number) : [];
    else if (k === '--rate')
      o.rates = v
        .split(',')
        .map(Number)
        .filter((x) => x > 0);
    else if (k === '--cpu-prof') o.cpuProf = path.resolve(v);
    else if (k === '--latency-seconds') o.latencySeconds = Number(v);
    else if (k === '--seed') o.seed = Number(v);
    else if (k === '--slice') o.slice = Number(v);
    else if (k === '--tenants') o.tenants = Number(v);
    else if (k === '--alerting-main') o.alertingMain = path.resolve(v);
    else throw new Error(`unknown argument ${k} (see the usage at the top of scripts/bench/e2e.js)`);
  }
  return o;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const mib = (b) => `${Math.round(b / 1048576)}`;
const fmt = (n, d = 0) => (Number.isFinite(n) ? n.toLocaleString('en-GB', { minimumFractionDigits: d, maximumFractionDigits: d }) : 'n/a');
const log = (s) => console.error(`  · ${s}`);

/**
 * The history as CDS report slices on disk (header, tax-line, item CSV per slice of `slice`
 * declarations: an importer's monthly reports), its ground truth as a set of mrn|item|rule, and
 * the DeclarationReceived payloads (for the bare-Kafka baseline). Written before the clock starts.
 */
function prepareHistory(seed, lines, slice, dir) {
  fs.mkdirSync(dir, { recursive: true });
  const truth = new Set();
  const truthRule = new Map();
  const payloads = [];
  /** The generated declarations themselves, kept for the in-process expectation on small runs. */
  const kept = [];
  let items = 0;
  let declarations = 0;
  const slices = [];
  let cur;
  const flush = () => {
    if (!cur) return;
    const base = path.join(dir, `slice-${String(slices.length).padStart(4, '0')}`);
    fs.writeFileSync(`${base}-header.csv`, cur.header.join(''));
    fs.writeFileSync(`${base}-taxline.csv`, cur.taxes.join(''));
    fs.writeFileSync(`${base}-item.csv`, cur.items.join(''));
    slices.push({ base, declarations: cur.n });
    cur = undefined;
  };
  // An upper bound on declarations (at least one item each); the generator stops being read
  // once the lines are reached.
  for (const g of datagen.generateDataset({ seed, declarations: lines })) {
    if (items >= lines) break;
    if (!cur) cur = { header: [datagen.cdsHeaderLine()], items: [datagen.cdsItemLine()], taxes: [datagen.cdsTaxLine()], n: 0 };
    const r = datagen.toCdsRows(g.declaration);
    cur.header.push(r.header);
    cur.items.push(r.items);
    cur.taxes.push(r.taxLines);
    cur.n++;
    items += g.declaration.items.length;
    declarations++;
    for (const t of g.truth) {
      const k = `${t.mrn}|${t.itemNumber}|${t.ruleId}`;
      truth.add(k);
      truthRule.set(k, t.ruleId);
    }
    const e = buildEvent({
      topic: Topics.declarationReceived,
      key: declarationKey('bench', g.declaration.mrn || g.declaration.lrn),
      value: DeclarationReceived.fromPartial({ declaration: g.declaration }),
      tenant: 'bench',
      source: 'bench',
      subject: g.declaration.declarationId,
    });
    payloads.push({ key: e.key, value: Buffer.from(e.payload), headers: e.headers });
    if (declarations <= KEEP_FOR_EXPECTATION) kept.push(g);
    if (cur.n >= slice) flush();
  }
  flush();
  return { slices, truth, truthRule, items, declarations, payloads, kept: declarations <= KEEP_FOR_EXPECTATION ? kept : undefined };
}

/** Bare kafkajs produce → consume of the same payloads through the same broker (6 partitions, like declaration.received). */
async function bareKafka(brokers, payloads) {
  const kafka = new Kafka({ clientId: 'bench-bare', brokers, logLevel: logLevel.ERROR });
  const admin = kafka.admin();
  await admin.connect();
  const topic = `bench.bare.${randomBytes(4).toString('hex')}`;
  await admin.createTopics({ topics: [{ topic, numPartitions: 6, replicationFactor: 1 }], waitForLeaders: true });
  const consumer = kafka.consumer({ groupId: `${topic}.reader` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  let done;
  const all = new Promise((r) => (done = r));
  await consumer.run({
    eachBatch: async ({ batch }) => {
      seen += batch.messages.length;
      if (seen >= payloads.length) done();
    },
  });
  await sleep(3000); // the group joins before the clock starts
  const producer = kafka.producer();
  await producer.connect();
  const t0 = performance.now();
  for (let i = 0; i < payloads.length; i += 500) await producer.send({ topic, messages: payloads.slice(i, i + 500) });
  await all;
  const seconds = (performance.now() - t0) / 1000;
  await producer.disconnect();
  await consumer.disconnect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
  return { seconds, bytes: payloads.reduce((n, p) => n + p.value.length, 0) };
}

/** Consumer group → the topic it reads (for lag). */
const GROUP_TOPICS = {
  validation: Topics.declarationReceived.name,
  scoring: Topics.declarationChecked.name,
  'scoring-history': Topics.declarationReceived.name,
  alerting: Topics.declarationChecked.name,
  'alerting-history': Topics.scoringFindingRaised.name,
  'alerting-declarations': Topics.declarationReceived.name,
  'alerting-scores': Topics.scoreUpdated.name,
};

async function lagOf(p, admin) {
  let lag = 0;
  for (const [group, topic] of Object.entries(GROUP_TOPICS)) {
    const high = await admin.fetchTopicOffsets(p.topic(topic));
    const committed = await admin.fetchOffsets({ groupId: p.prefix + group, topics: [p.topic(topic)] });
    const byPartition = new Map(committed[0].partitions.map((x) => [x.partition, Number(x.offset)]));
    for (const h of high) lag += Number(h.high) - Math.max(0, byPartition.get(h.partition) ?? 0);
  }
  return lag;
}

/**
 * Postgres has no pg_stat_statements here (it needs a restart the shared server cannot have), so
 * the hot queries are found by sampling pg_stat_activity of the platform's database every 50 ms:
 * a query's share of samples is its share of the time some backend was busy with it.
 */
function sampleQueries(p) {
  const seen = new Map();
  let samples = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      // A sample that cannot be taken (the shared server out of connections) is skipped.
      const r = await p.db
        .query(`select usename, wait_event_type, wait_event, left(regexp_replace(query, '\\s+', ' ', 'g'), 160) as q
        from pg_stat_activity where datname = current_database() and state = 'active' and pid <> pg_backend_pid()`)
        .catch(() => ({ rows: [] }));
      samples++;
      for (const row of r.rows) {
        const k = `${row.usename}: ${row.q}`;
        const e = seen.get(k) ?? { n: 0, waits: new Map() };
        e.n++;
        const w = row.wait_event_type ? `${row.wait_event_type}/${row.wait_event}` : 'CPU';
        e.waits.set(w, (e.waits.get(w) ?? 0) + 1);
        seen.set(k, e);
      }
      await sleep(50);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return [...seen.entries()]
        .sort((a, b) => b[1].n - a[1].n)
        .slice(0, 12)
        .map(([q, e]) => ({
          q,
          share: e.n / Math.max(1, samples),
          waits: [...e.waits.entries()]
            .sort((a, b) => b[1] - a[1])
            .slice(0, 2)
            .map(([w, n]) => `${w} ${Math.round((100 * n) / e.n)}%`)
            .join(', '),
        }));
    },
  };
}

/**
 * EXPLAIN (ANALYZE, BUFFERS) of the hot path's read queries on the backfilled data, with values
 * taken from it: each must stay an index lookup whose cost follows the batch, not the history.
 */
async function explainHotQueries(p) {
  const one = async (q, params = []) => (await p.db.query(q, params)).rows[0];
  const a = await one('select tenant_id, alert_key from alerting.alerts order by created_at desc limit 1');
  const f = await one('select tenant_id, importer, acceptance_date::text as d, declaration_id from alerting.findings where acceptance_date is not null order by acceptance_date desc limit 1');
  const v = await one('select tenant_id, declaration_id from validation.checks order by checked_at desc limit 1');
  if (!a || !f || !v) return [];
  const queries = [
    [
      'alerting: open alert by suppression key (alertsByKeys)',
      `select distinct on (tenant_id, alert_key) alert_key, payload from alerting.alerts where (tenant_id, alert_key) in (($1, $2))
       order by tenant_id, alert_key, (status in (1, 2, 3, 6)) desc, created_at desc`,
      [a.tenant_id, a.alert_key],
    ],
    [
      "alerting: an importer's findings in a ±30-day window (threshold / risk slices)",
      `select f.payload from alerting.findings f join (values ($1, $2, ($3::date - 30), ($3::date + 30))) as v(t, val, d_from, d_to)
         on f.tenant_id = v.t and f.importer = v.val and f.acceptance_date >= v.d_from and f.acceptance_date <= v.d_to where f.withdrawn_at is null`,
      [f.tenant_id, f.importer, f.d],
    ],
    [
      "alerting: an importer's declaration history (new_terms needs its first date and count)",
      `select tenant_id, importer, min(acceptance_date)::text as first, count(*)::int as n from alerting.importer_declarations
       where (tenant_id, importer) in (($1, $2)) group by tenant_id, importer`,
      [f.tenant_id, f.importer],
    ],
    ['validation: a declaration’s active findings', `select payload from validation.findings where tenant_id = $1 and declaration_id = $2 and status = 'active'`, [v.tenant_id, v.declaration_id]],
  ];
  const out = [];
  for (const [what, q, params] of queries) {
    // An older build under --alerting-main may lack a table the current one reads (importer_summary).
    const plan = await p.db.query(`explain (analyze, buffers, costs off) ${q}`, params).then(
      (r) => r.rows.map((x) => x['QUERY PLAN']),
      (e) => [`not explained: ${e.message}`],
    );
    out.push({ what, plan });
  }
  return out;
}

/** The platform running now, stopped (database and topics dropped) if the run is interrupted. */
let active;
for (const ev of ['uncaughtException', 'unhandledRejection'])
  process.once(ev, async (e) => {
    console.error(`bench-e2e: ${e?.stack ?? e}; stopping the platform it started`);
    await active?.stop().catch(() => undefined);
    process.exit(1);
  });
for (const sig of ['SIGINT', 'SIGTERM'])
  process.once(sig, async () => {
    console.error(`bench-e2e: ${sig}, stopping the platform it started`);
    await active?.stop().catch(() => undefined);
    process.exit(130);
  });

const count = async (p, q) => Number((await p.db.query(q)).rows[0].n);

/** One backfill on a fresh platform; the latency phase after it when rate > 0. */
async function backfill(opts, history, instances, withLatency) {
  const profDir = opts.cpuProf ? path.join(opts.cpuProf, `${history.items}-${instances}`) : undefined;
  const env = {};
  if (profDir) for (const s of ['reference', 'ingestion', 'validation', 'scoring', 'alerting']) env[s] = { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${path.join(profDir, s)}` };
  const p = await startPlatform({ label: 'benche2e', instances, tenants: opts.tenants, env, mains: opts.alertingMain ? { alerting: opts.alertingMain } : undefined });
  active = p;
  try {
    await p.loadGeneratedTariff(opts.seed);
    const admin = p.kafka.admin();
    await admin.connect();
    for (const g of ['validation', 'scoring', 'alerting'])
      for (let i = 0; ; i++) {
        const d = await admin.describeGroups([p.prefix + g]);
        if (d.groups[0].members.length === instances) break;
        if (i > 120) throw new Error(`group ${g} has ${d.groups[0].members.length} members, not ${instances}`);
        await sleep(500);
      }
    const profile = sampleQueries(p);
    const cpu0 = p.usage();
    const shared0 = cpuSecondsByComm();
    const db0 = p.databaseCpuSeconds();
    const wall0 = Date.now();
    const t0 = performance.now();
    // Two uploads in flight: ingestion parses one while it stores the other.
    let next = 0;
    const uploadOne = async () => {
      while (next < history.slices.length) {
        const tenant = p.tenants[next % p.tenants.length];
        const s = history.slices[next++];
        const form = new FormData();
        form.append('format', 'cds-report');
        for (const part of ['header', 'taxline', 'item']) form.append('files', await fs.openAsBlob(`${s.base}-${part}.csv`), `${path.basename(s.base)}-${part}.csv`);
        const r = await fetch(`${p.first('ingestion').http}/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${tenant.integrator}` }, body: form });
        if (r.status >= 300) throw new Error(`upload of ${s.base} refused: ${r.status} ${(await r.text()).slice(0, 300)}`);
        await r.arrayBuffer();
      }
    };
    await Promise.all([uploadOne(), uploadOne()]);
    const uploaded = (performance.now() - t0) / 1000;
    log(`${instances} instance(s): ${history.items} lines uploaded in ${uploaded.toFixed(1)} s; waiting for every consumer to drain`);
    let drained;
    for (let last = 0; ; ) {
      const checks = await count(p, 'select count(*)::int as n from validation.checks');
      const scores = await count(p, 'select count(*)::int as n from scoring.declaration_scores');
      if (checks >= history.declarations && scores >= history.declarations) {
        const lag = await lagOf(p, admin);
        const outbox = await count(p, 'select (select count(*) from validation.outbox) + (select count(*) from scoring.outbox) + (select count(*) from alerting.outbox) as n');
        if (lag === 0 && outbox === 0) {
          drained = (performance.now() - t0) / 1000;
          break;
        }
      }
      if (Date.now() - last > 15000) {
        log(
          `  ${((performance.now() - t0) / 1000).toFixed(0)} s: ${checks}/${history.declarations} checked, ${scores} scored, ${await count(p, 'select count(*)::int as n from alerting.alerts')} alerts`,
        );
        last = Date.now();
      }
      if (performance.now() - t0 > 3_600_000) throw new Error('backfill not drained after an hour');
      await sleep(250);
    }
    const hotQueries = await profile.stop();
    // The last alert written: its history entry's time (same machine, same clock).
    const lastAlertMs = Number((await p.db.query('select extract(epoch from max(at)) * 1000 as n from alerting.alert_history')).rows[0].n);
    const toLastAlert = (lastAlertMs - wall0) / 1000;
    const cpu1 = p.usage();
    const shared1 = cpuSecondsByComm();
    const db1 = p.databaseCpuSeconds();
    const serviceCpu = Object.keys(cpu1).reduce((n, k) => n + cpu1[k].cpuSeconds - (cpu0[k]?.cpuSeconds ?? 0), 0);
    const cpuBy = {};
    for (const k of Object.keys(cpu1)) cpuBy[k.split('#')[0]] = (cpuBy[k.split('#')[0]] ?? 0) + cpu1[k].cpuSeconds - (cpu0[k]?.cpuSeconds ?? 0);
    const pgCpu = db1 - db0;
    const kafkaCpu = shared1.java - shared0.java;

    // Recall through alerting's findings feed (every finding alerting received, paged by cursor).
    const found = new Set();
    let findings = 0;
    for (const t of p.tenants)
      for (let cursor = 0; ; ) {
        const r = await p.request('alerting', 'GET', `/v1/findings-feed?after_cursor=${cursor}&limit=1000`, { token: t.analyst });
        if (r.status !== 200) throw new Error(`findings feed: ${r.status}`);
        for (const f of r.body.findings) {
          if (f.change !== 'raised' || f.finding.source !== 'validation') continue;
          findings++;
          found.add(`${f.finding.mrn}|${f.finding.itemNumber}|${f.finding.ruleId}`);
        }
        if (r.body.findings.length === 0) break;
        cursor = r.body.nextCursor;
      }
    const missedByRule = {};
    let hit = 0;
    for (const k of history.truth) {
      if (found.has(k)) hit++;
      else missedByRule[history.truthRule.get(k)] = (missedByRule[history.truthRule.get(k)] ?? 0) + 1;
    }
    const alerts = await count(p, 'select count(*)::int as n from alerting.alerts');
    const scores = await count(p, 'select count(*)::int as n from scoring.declaration_scores');
    const dbBytes = Number((await p.db.query('select pg_database_size(current_database()) as n')).rows[0].n);
    const result = {
      tenants: opts.tenants,
      alertingMain: opts.alertingMain,
      instances,
      lines: history.items,
      declarations: history.declarations,
      uploaded,
      drained,
      toLastAlert,
      serviceCpu,
      cpuBy,
      pgCpu,
      kafkaCpu,
      recall: history.truth.size ? hit / history.truth.size : 1,
      truth: history.truth.size,
      hit,
      missedByRule,
      findings,
      alerts,
      scores,
      dbBytes,
      hotQueries,
    };
    if (history.kept) {
      // Recall against what the CDS reports can carry: the same reports evaluated in process.
      const expected = await expectedFindings(history.kept, opts.seed, new Date().toISOString().slice(0, 10));
      const want = new Set(expected.findings.map((f) => `${f.lrn}|${f.itemNumber}|${f.ruleId}`));
      const live = await p.db.query(`select c.lrn, f.item_number, f.rule_id from validation.findings f
        join validation.checks c on c.tenant_id = f.tenant_id and c.declaration_id = f.declaration_id and c.declaration_version = f.declaration_version`);
      const got = new Set(live.rows.map((x) => `${x.lrn}|${x.item_number}|${x.rule_id}`));
      result.inProcess = { expected: want.size, found: [...want].filter((k) => got.has(k)).length, extra: [...got].filter((k) => !want.has(k)).length };
    }
    result.explain = await explainHotQueries(p);
    if (withLatency) {
      result.latency = [];
      for (const [i, rate] of opts.rates.entries()) result.latency.push(await latency(p, { ...opts, rate }, history.declarations, i));
    }
    result.usage = p.usage();
    await admin.disconnect();
    return result;
  } finally {
    await p.stop();
    active = undefined;
    if (profDir) printProfiles(profDir);
  }
}

/** Top self-time functions per service from the V8 CPU profiles a run wrote at exit. */
function printProfiles(dir) {
  for (const s of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    const self = new Map();
    let total = 0;
    for (const f of fs.readdirSync(path.join(dir, s)).filter((x) => x.endsWith('.cpuprofile'))) {
      const prof = JSON.parse(fs.readFileSync(path.join(dir, s, f), 'utf8'));
      const byId = new Map(prof.nodes.map((n) => [n.id, n]));
      const dt = new Map();
      prof.samples.forEach((id, i) => dt.set(id, (dt.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0)));
      for (const [id, us] of dt) {
        const cf = byId.get(id).callFrame;
        const where = cf.url ? `${cf.url.replace(`file://${root}/`, '').replace(/^.*node_modules\//, '')}:${cf.lineNumber + 1}` : '';
        const k = `${cf.functionName || '(anonymous)'} ${where}`;
        if (cf.functionName !== '(idle)' && cf.functionName !== '(program)') total += us;
        self.set(k, (self.get(k) ?? 0) + us);
      }
    }
    console.log(`\nCPU profile of ${s} (${(total / 1e6).toFixed(1)} s busy, self time):`);
    for (const [k, us] of [...self.entries()]
      .filter(([k]) => !k.startsWith('(idle)'))
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12))
      console.log(`  ${((100 * us) / Math.max(1, total)).toFixed(1).padStart(5)} %  ${k}`);
  }
}

/**
 * Steady submissions (one DMS XML declaration per POST /v1/documents, each with one injected
 * error) at opts.rate for opts.latencySeconds; per channel, the time from the 201 to the first
 * alert change of that declaration.
 */
async function latency(p, opts, historyDeclarations, round) {
  // From a drained platform: no backlog of the backfill (or an earlier round) in the figures.
  const admin = p.kafka.admin();
  await admin.connect();
  const drainStart = performance.now();
  while ((await lagOf(p, admin)) > 0 || (await count(p, 'select (select count(*) from validation.outbox) + (select count(*) from scoring.outbox) + (select count(*) from alerting.outbox) as n')) > 0) {
    if (performance.now() - drainStart > 600_000) throw new Error('platform not drained 10 min after the last round');
    await sleep(500);
  }
  await admin.disconnect();
  const n = Math.max(1, Math.round(opts.rate * opts.latencySeconds));
  // Another seed: other MRNs than the backfill's; every declaration carries an injected error
  // (the rates of the 34 injectors sum to 80 %, the generator's ceiling).
  const docs = [];
  for (const g of datagen.generateDataset({ seed: opts.seed + 7 + round, declarations: n, defaultRate: 0.8 / datagen.INJECTORS.length })) docs.push(datagen.toDmsXml(g.declaration));
  const at201 = new Map();
  const arrivals = { grpc: new Map(), sse: new Map(), webhook: new Map() };
  const record = (channel, declarationId) => {
    if (declarationId && !arrivals[channel].has(declarationId)) arrivals[channel].set(declarationId, performance.now());
  };
  const receiver = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      res.writeHead(204).end();
      try {
        record('webhook', JSON.parse(Buffer.concat(chunks).toString('utf8')).data.customs.declaration_id);
      } catch {
        // not an alert change (a test delivery)
      }
    });
  });
  await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
  const alerting = p.first('alerting');
  const auth = { authorization: `Bearer ${p.tokens.admin}` };
  const sub = await fetch(`${alerting.http}/v1/webhooks`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ url: `http://127.0.0.1:${receiver.address().port}/hook` }),
  });
  if (sub.status !== 201) throw new Error(`webhook subscription refused: ${sub.status} ${await sub.text()}`);
  const sseAbort = new AbortController();
  const sse = await fetch(`${alerting.http}/v1/alerts/stream`, { headers: { ...auth, accept: 'text/event-stream' }, signal: sseAbort.signal });
  if (sse.status !== 200) throw new Error(`SSE refused: ${sse.status}`);
  void (async () => {
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of sse.body) {
        buf += decoder.decode(chunk, { stream: true });
        for (let i; (i = buf.indexOf('\n\n')) >= 0; ) {
          const data = buf
            .slice(0, i)
            .split('\n')
            .filter((l) => l.startsWith('data: '))
            .map((l) => l.slice(6))
            .join('\n');
          buf = buf.slice(i + 2);
          if (data) record('sse', JSON.parse(data).data.customs.declaration_id);
        }
      }
    } catch {
      // aborted at the end
    }
  })();
  const latest = Number((await p.db.query(`select coalesce(max(cursor), 0) as n from alerting.alert_history where tenant_id = $1`, [p.tenant])).rows[0].n);
  const client = new AlertingServiceClient(alerting.grpc, credentials.createInsecure());
  const md = new Metadata();
  md.set('authorization', `Bearer ${p.tokens.admin}`);
  const call = client.streamAlerts(StreamAlertsRequest.fromPartial({ afterCursor: latest }), md);
  call.on('data', ({ change }) => record('grpc', change?.alert?.declarationId));
  call.on('error', (e) => {
    if (e.code !== 1) log(`gRPC stream ended: ${e.details || e.message}`);
  });
  await sleep(1500);

  const ingestion = p.first('ingestion').http;
  const submitMs = [];
  let refused = 0;
  let inFlight = 0;
  const t0 = performance.now();
  const pending = [];
  for (let sent = 0; sent < n; ) {
    const due = Math.min(n, Math.ceil(((performance.now() - t0) / 1000) * opts.rate));
    for (; sent < due && inFlight < 256; sent++) {
      const body = docs[sent];
      const start = performance.now();
      inFlight++;
      pending.push(
        fetch(`${ingestion}/v1/documents`, { method: 'POST', headers: { authorization: `Bearer ${p.tokens.integrator}`, 'content-type': 'application/xml' }, body })
          .then(async (r) => {
            const j = await r.json();
            const now = performance.now();
            if (r.status !== 201) return void refused++;
            submitMs.push(now - start);
            const id = j.declarationId ?? j.declarations?.[0]?.declarationId;
            if (id) at201.set(id, now);
          })
          .catch(() => void refused++)
          .finally(() => inFlight--),
      );
    }
    await sleep(20);
  }
  await Promise.all(pending);
  const seconds = (performance.now() - t0) / 1000;
  // Deliveries settle: stop 15 s after the last new arrival (or 60 s).
  for (let last = -1, since = performance.now(); performance.now() - since < 15000 && performance.now() - t0 < seconds * 1000 + 60000; ) {
    const total = Object.values(arrivals).reduce((s, m) => s + m.size, 0);
    if (total !== last) {
      last = total;
      since = performance.now();
    }
    await sleep(250);
  }
  sseAbort.abort();
  call.cancel();
  receiver.close();
  client.close();
  const out = { submitted: n, accepted: at201.size, refused, asked: opts.rate, rate: n / seconds, historyDeclarations, submit: summary(submitMs) };
  for (const [ch, m] of Object.entries(arrivals)) {
    const l = [];
    for (const [id, t] of m) if (at201.has(id)) l.push(Math.max(0, t - at201.get(id)));
    out[ch] = { ...summary(l), alerts: l.length };
  }
  return out;
}

function summary(ms) {
  const s = [...ms].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p99: percentile(s, 99), max: s.at(-1) ?? 0 };
}

function printBackfill(r, bare) {
  const rate = r.lines / r.toLastAlert;
  const cpu = r.serviceCpu + r.pgCpu + r.kafkaCpu;
  console.log(
    `\n## Backfill: ${fmt(r.lines)} item lines (${fmt(r.declarations)} declarations${r.tenants > 1 ? ` over ${r.tenants} tenants` : ''}), ${r.instances} instance(s) of validation, scoring, alerting${r.alertingMain ? ` (alerting from ${path.relative(root, r.alertingMain)})` : ''}`,
  );
  console.log('| figure | value | goal |');
  console.log('|---|---:|---|');
  console.log(`| uploaded (all 201) | ${r.uploaded.toFixed(1)} s | |`);
  console.log(`| to the last alert written | ${r.toLastAlert.toFixed(1)} s → **${fmt(rate)} lines/s** | ≥ 8,300 lines/s (1 M in 2 min) |`);
  console.log(`| every consumer drained (lag 0, outboxes empty) | ${r.drained.toFixed(1)} s | |`);
  console.log(
    `| CPU seconds: services ${r.serviceCpu.toFixed(1)} (${Object.entries(r.cpuBy)
      .map(([k, v]) => `${k} ${v.toFixed(1)}`)
      .join(
        ', ',
      )}), Postgres backends of its database ${r.pgCpu.toFixed(1)}, Kafka broker ${r.kafkaCpu.toFixed(1)} (shared with other users) | ${fmt(r.lines / cpu)} lines per CPU-second (${fmt(r.lines / r.serviceCpu)} per service CPU-second) | |`,
  );
  if (bare)
    console.log(
      `| bare kafkajs produce → consume, same ${fmt(bare.bytes / 1048576, 1)} MiB of payloads | ${bare.seconds.toFixed(2)} s → ${fmt(r.lines / bare.seconds)} lines/s; ratio **${(rate / (r.lines / bare.seconds)).toFixed(3)}** | ≥ 0.5 |`,
    );
  console.log(
    `| recall of injected errors (alerting's findings feed) | **${(r.recall * 100).toFixed(1)} %** (${fmt(r.hit)}/${fmt(r.truth)})${
      Object.keys(r.missedByRule).length
        ? `; missed by rule: ${Object.entries(r.missedByRule)
            .sort()
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}`
        : ''
    } | the quality table's recall |`,
  );
  if (r.inProcess)
    console.log(
      `| recall against the same CDS reports evaluated in process (what the reports can carry) | **${((100 * r.inProcess.found) / Math.max(1, r.inProcess.expected)).toFixed(1)} %** (${fmt(r.inProcess.found)}/${fmt(r.inProcess.expected)}), ${r.inProcess.extra} live findings not expected | 100 % |`,
    );
  console.log(`| findings / scores / alerts | ${fmt(r.findings)} / ${fmt(r.scores)} / ${fmt(r.alerts)} | |`);
  console.log(`| database size | ${mib(r.dbBytes)} MiB | |`);
  console.log(
    `| peak RSS (MiB) | ${Object.entries(r.usage)
      .map(([k, v]) => `${k} ${mib(v.peakRss)}`)
      .join(', ')} | |`,
  );
  console.log('\nHot queries (share of 50 ms pg_stat_activity samples with a backend on it; 100 % = one backend busy all the time):');
  for (const h of r.hotQueries) console.log(`  ${(h.share * 100).toFixed(1).padStart(5)} %  [${h.waits}]  ${h.q}`);
  for (const e of r.explain ?? []) {
    console.log(`\nEXPLAIN ANALYZE — ${e.what}:`);
    for (const line of e.plan) console.log(`    ${line}`);
  }
  for (const l of r.latency ?? []) {
    console.log(
      `\n### Latency, ${fmt(l.historyDeclarations)} declarations of history stored: ${l.submitted} DMS declarations sent at ${l.rate.toFixed(0)}/s (asked ${l.asked}/s), ${l.accepted} accepted (201), ${l.refused} not; ${l.grpc.n} of them raised an alert`,
    );
    console.log('| leg | n | p50 ms | p99 ms | max ms | goal |');
    console.log('|---|---:|---:|---:|---:|---|');
    console.log(`| POST /v1/documents → 201 | ${l.submit.n} | ${fmt(l.submit.p50)} | ${fmt(l.submit.p99)} | ${fmt(l.submit.max)} | |`);
    for (const ch of ['grpc', 'sse', 'webhook']) console.log(`| 201 → alert on ${ch} | ${l[ch].n} | ${fmt(l[ch].p50)} | ${fmt(l[ch].p99)} | ${fmt(l[ch].max)} | p99 ≤ 250 ms |`);
  }
}

(async () => {
  const opts = args(process.argv);
  const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-e2e-'));
  console.log(
    `# make bench-e2e — ${new Date().toISOString()}, ${os.cpus().length} CPUs, load average ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')} (shared machine: compare within one sitting)`,
  );
  try {
    const results = [];
    log(`generating ${opts.lines} item lines (seed ${opts.seed}) as CDS report slices of ${opts.slice} declarations`);
    const main = prepareHistory(opts.seed, opts.lines, opts.slice, path.join(work, 'main'));
    log('bare kafkajs baseline');
    const bare = await bareKafka(brokers, main.payloads);
    main.payloads.length = 0;
    for (const [i, k] of opts.instances.entries()) {
      log(`backfill with ${k} instance(s)`);
      const r = await backfill(opts, main, k, opts.rates.length > 0 && i === 0);
      printBackfill(r, bare);
      results.push(r);
    }
    for (const size of opts.growth) {
      log(`growth: generating ${size} item lines`);
      const h = prepareHistory(opts.seed, size, opts.slice, path.join(work, `g${size}`));
      const b = await bareKafka(brokers, h.payloads);
      h.payloads.length = 0;
      const r = await backfill(opts, h, 1, opts.rates.length > 0);
      printBackfill(r, b);
      results.push(r);
      fs.rmSync(path.join(work, `g${size}`), { recursive: true, force: true });
    }
    console.log('\n## Side by side (this sitting)');
    console.log('| lines | instances | to last alert s | lines/s | lines per CPU-s | recall | p99 gRPC / SSE / webhook ms | peak RSS max MiB |');
    console.log('|---:|---:|---:|---:|---:|---:|---|---:|');
    for (const r of results) {
      const cpu = r.serviceCpu + r.pgCpu + r.kafkaCpu;
      const lat = r.latency ? r.latency.map((l) => `${l.asked}/s: ${fmt(l.grpc.p99)} / ${fmt(l.sse.p99)} / ${fmt(l.webhook.p99)}`).join('; ') : '—';
      console.log(
        `| ${fmt(r.lines)} | ${r.instances} | ${r.toLastAlert.toFixed(1)} | ${fmt(r.lines / r.toLastAlert)} | ${fmt(r.lines / cpu)} | ${(r.recall * 100).toFixed(1)} % | ${lat} | ${mib(Math.max(...Object.values(r.usage).map((u) => u.peakRss)))} |`,
      );
    }
    console.log(
      `\nload average at the end ${os
        .loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
    );
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  process.exit(0);
})().catch((e) => {
  console.error(`bench-e2e: ${e.stack || e.message}`);
  process.exit(1);
});
