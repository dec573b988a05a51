#!/usr/bin/env node
// Chaos check (`make chaos`; issue 11 "Fault tolerance, proven", issue 18): real processes, a
// Kafka broker and a PostgreSQL cluster of its own (same binaries, other ports and data dirs
// under .run/chaos/, so restarting them disturbs nobody: the machine's Postgres on 5432 and broker
// on 9092 are shared). The private cluster gets the project's database, roles and scram-sha-256
// rules from scripts/postgres.sh itself. During a generated CDS backfill each service is killed
// with SIGKILL in turn and restarted, the broker is stopped and started again, and Postgres is
// restarted in immediate mode (a crash: every connection cut, recovery from the WAL). An SSE
// subscriber (GET /v1/alerts/stream) and a gRPC StreamAlerts subscriber stay connected all along,
// reconnecting with their resume cursor (Last-Event-ID, after_cursor) whenever alerting or
// Postgres goes away. Afterwards every expected finding, check, score and alert must be there
// exactly once, against counts taken from the generated data (the same reports evaluated in
// process), one alert.changed event per history entry must reach the topic, and each subscriber
// must have received every history entry exactly once, in cursor order. Exits 1 naming what
// differs; cleans up (platform, broker, cluster, folders) also when it fails or is interrupted.
// usage: node scripts/chaos.js [declarations=8000]   (CHAOS_PG_PORT, default 19432)
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { startPlatform } = require('./bench/platform');
const { generate, cdsReports, expectedFindings } = require('./bench/expectation');
const { privatePostgres } = require('./lib/private-postgres');
const { sseSubscriber, grpcSubscriber } = require('./lib/alert-subscribers');

const root = path.resolve(__dirname, '..');
const SEED = 20261127;
const N = Number(process.argv[2] ?? 8000);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const say = (s) => console.log(`  ${new Date().toISOString().slice(11, 19)} ${s}`);
const ruleIds = (dir) =>
  fs
    .readdirSync(path.join(root, dir))
    .map((f) => /^c(\d\d)-/.exec(f)?.[1])
    .filter(Boolean)
    .map((n) => `C${n}`);

/** Does something listen on 127.0.0.1:port? */
function portInUse(port) {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

async function waitFor(what, fn, timeoutMs = 180000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

(async () => {
  // scripts/kafka.sh start creates topics through scripts/lib-node.sh, which runs `npm ci` when
  // package-lock.json is newer than node_modules: never from here, in a tree others work in.
  const lock = fs.statSync(path.join(root, 'package-lock.json')).mtimeMs;
  const installed = fs.existsSync(path.join(root, 'node_modules/.package-lock.json')) ? fs.statSync(path.join(root, 'node_modules/.package-lock.json')).mtimeMs : 0;
  if (lock > installed) {
    console.error('chaos: package-lock.json is newer than node_modules; install first (npm ci), then run again');
    process.exit(2);
  }
  // The private broker's and cluster's ports must be free (another chaos run, or one killed
  // before it could clean up, holds them); once they are, what is left of earlier runs goes.
  const pgPort = Number(process.env.CHAOS_PG_PORT ?? 19432);
  for (const port of [19392, 19393, pgPort])
    if (await portInUse(port)) {
      console.error(`chaos: port ${port} is in use (another chaos run? a stale one's processes: see .run/chaos/run-*); free it and run again`);
      process.exit(2);
    }
  fs.mkdirSync(path.join(root, '.run/chaos'), { recursive: true });
  for (const d of fs.readdirSync(path.join(root, '.run/chaos'))) if (d.startsWith('run-')) fs.rmSync(path.join(root, '.run/chaos', d), { recursive: true, force: true });
  const run = fs.mkdtempSync(path.join(root, '.run/chaos/run-'));
  const pg = privatePostgres({ dir: path.join(run, 'postgres'), port: pgPort, say });
  const brokerEnv = { ...process.env, KAFKA_PORT: '19392', KAFKA_CONTROLLER_PORT: '19393', KAFKA_RUN_DIR: path.join(run, 'kafka'), KAFKA_HEAP: '384m' };
  const kafkaSh = (cmd) => execFileSync('bash', [path.join(root, 'scripts/kafka.sh'), cmd], { env: brokerEnv, stdio: ['ignore', 'inherit', 'inherit'] });
  // The alert rule with a countable outcome, as in the scale-out test: one alert per
  // (declaration, rule) for validation's rules that scoring's history checks share no id with.
  const scoring = new Set(ruleIds('services/scoring/src/rules'));
  const alerted = ruleIds('services/validation/src/rules').filter((id) => !scoring.has(id));
  const rulesDir = path.join(run, 'rules');
  fs.mkdirSync(rulesDir);
  const ar001 = fs.readFileSync(path.join(root, 'services/alerting/rules/AR-001-material-finding.yaml'), 'utf8');
  fs.writeFileSync(
    path.join(rulesDir, 'AR-001-material-finding.yaml'),
    ar001.replace(/match:\n {2}min_severity: medium\n {2}or_money_at_stake: true\n/, `match:\n  rule_ids: [${alerted.join(', ')}]\n`),
  );

  let p;
  const subscribers = [];
  const problems = [];
  const cleanUp = async () => {
    for (const s of subscribers) s.close();
    await p?.stop().catch(() => undefined);
    try {
      kafkaSh('stop');
    } catch {
      // not running
    }
    pg.stop();
    fs.rmSync(run, { recursive: true, force: true });
  };
  // Interrupted, it still stops what it started: the platform, the broker, the cluster, the folder.
  for (const sig of ['SIGINT', 'SIGTERM'])
    process.once(sig, async () => {
      await cleanUp();
      process.exit(130);
    });
  // So does a bug of its own (an uncaught error would otherwise leave the broker and cluster running).
  process.once('uncaughtException', async (e) => {
    console.error(e);
    await cleanUp();
    console.error('chaos: FAILED (uncaught error above)');
    process.exit(1);
  });
  try {
    say('private Kafka broker on 127.0.0.1:19392');
    kafkaSh('start');
    pg.start();
    // The platform's throw-away database, roles and schemas go into the private cluster.
    process.env.TEST_DATABASE_ADMIN_URL = pg.adminUrl;
    p = await startPlatform({ label: 'chaos', brokers: ['127.0.0.1:19392'], alertRulesDir: rulesDir });
    // Both subscribers replay the tenant's history from the start and follow it live.
    const alertingHttp = () => p.first('alerting').http;
    const alertingGrpc = p.procs.get('alerting')[0].grpc;
    subscribers.push(sseSubscriber({ url: () => `${alertingHttp()}/v1/alerts/stream`, token: p.tokens.analyst }));
    subscribers.push(grpcSubscriber({ address: alertingGrpc, token: p.tokens.analyst }));
    await p.loadGeneratedTariff(SEED);
    const generated = generate(SEED, N);
    const expected = await expectedFindings(generated, SEED, new Date().toISOString().slice(0, 10));
    const want = expected.findings.map((f) => `${f.lrn}|${f.itemNumber}|${f.ruleId}`).sort();
    const wantAlerts = new Set(expected.findings.filter((f) => alerted.includes(f.ruleId)).map((f) => `${f.lrn}|${f.ruleId}`)).size;
    say(`${N} declarations: ${want.length} findings and ${wantAlerts} alerts expected`);
    const count = async (q) => Number((await p.db.query(q)).rows[0].n);
    const checks = () => count('select count(*)::int as n from validation.checks');

    const cds = cdsReports(generated);
    const form = new FormData();
    form.append('format', 'cds-report');
    form.append('files', new Blob([cds.header]), 'import-header.csv');
    form.append('files', new Blob([cds.taxes]), 'import-taxline.csv');
    form.append('files', new Blob([cds.items]), 'import-item.csv');
    const up = await fetch(`${p.first('ingestion').http}/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${p.tokens.integrator}` }, body: form });
    if (up.status >= 300) throw new Error(`upload refused: ${up.status} ${(await up.text()).slice(0, 300)}`);
    say(`uploaded ${cds.items.split('\n').length - 2} item lines; each service SIGKILLed part-way through its own work and restarted, the broker and Postgres restarted`);
    const progress = {
      validation: checks,
      scoring: () => count('select count(*)::int as n from scoring.declaration_scores'),
      alerting: () => count('select count(*)::int as n from alerting.alerts'),
    };
    const totals = { validation: N, scoring: N, alerting: wantAlerts };
    const killRestart = async (s) => {
      const at = await checks();
      await p.kill(s, 0, 'SIGKILL');
      say(`  ${s} killed (${at}/${N} checked); restarting`);
      // A service refuses to start while the broker or Postgres is away (it exits 1 naming it);
      // like a supervisor (Kubernetes, systemd) the check starts it again until it is ready.
      for (let attempt = 1; ; attempt++) {
        try {
          await p.spawn(s, 0);
          break;
        } catch (e) {
          if (attempt >= 20) throw e;
          say(`  ${s} did not start (${/failed to start: ([^"]*)/.exec(e.message)?.[1] ?? e.message.split('\n')[0]}); starting it again`);
          await sleep(2000);
        }
      }
      say(`  ${s} ready again`);
    };
    const restartPostgres = async () => {
      const at = { checks: await checks(), alerts: await progress.alerting() };
      if (at.checks >= N && at.alerts >= wantAlerts) problems.push('postgres restart came after the backfill had finished: it proved nothing');
      say(`  postgres restarting in immediate mode (${at.checks}/${N} checked, ${at.alerts}/${wantAlerts} alerts)`);
      pg.restart();
      say('  postgres up again');
    };
    const partWay = (s) => waitFor(`${s} part-way`, async () => ((n) => n >= totals[s] * 0.1 && n < totals[s] * 0.6)(await progress[s]()), 180000);
    await Promise.all([
      // The outbox relay part-way through publishing the upload.
      killRestart('ingestion'),
      // Reference and validation while validation is part-way (its lookups fail, then retry).
      partWay('validation')
        .then(() => Promise.all([killRestart('reference'), killRestart('validation')]))
        // Postgres once those are back, while the backfill is still going (every service's pool,
        // LISTEN connections and consumers in the middle of a batch lose their connection).
        .then(() => waitFor('validation further on', async () => (await checks()) >= N * 0.5 || (await progress.alerting()) >= wantAlerts * 0.3, 300000).catch(() => undefined))
        .then(restartPostgres),
      partWay('scoring').then(() => killRestart('scoring')),
      // Alerting part-way, and the broker stopped and started while it restarts.
      partWay('alerting').then(() =>
        Promise.all([
          killRestart('alerting'),
          (async () => {
            say('  broker stopping');
            kafkaSh('stop');
            await sleep(2000);
            kafkaSh('start');
          })(),
        ]),
      ),
    ]);
    await waitFor('every declaration checked and scored', async () => (await checks()) >= N && (await count('select count(*)::int as n from scoring.declaration_scores')) >= N, 300000);
    await waitFor('every alert', async () => (await count('select count(*)::int as n from alerting.alerts')) >= wantAlerts, 300000);
    await waitFor(
      'outboxes drained',
      async () =>
        (await count(
          'select (select count(*) from ingestion.outbox) + (select count(*) from validation.outbox) + (select count(*) from scoring.outbox) + (select count(*) from alerting.outbox) as n',
        )) === 0,
      120000,
    );
    await sleep(3000); // a duplicate would arrive after the last expected row

    const live = await p.db.query(`select c.lrn, f.item_number, f.rule_id from validation.findings f
      join validation.checks c on c.tenant_id = f.tenant_id and c.declaration_id = f.declaration_id and c.declaration_version = f.declaration_version`);
    const got = live.rows.map((r) => `${r.lrn}|${r.item_number}|${r.rule_id}`).sort();
    if (got.length !== want.length || got.some((k, i) => k !== want[i])) problems.push(`findings: ${got.length} live vs ${want.length} expected, or not the same set`);
    const r = (
      await p.db.query(`select (select count(*)::int from ingestion.declarations) as declarations, (select count(*)::int from validation.checks) as checks,
        (select count(*)::int from scoring.declaration_scores) as scores, (select count(*)::int from alerting.alerts) as alerts,
        (select count(distinct alert_key)::int from alerting.alerts) as alert_keys, (select count(*)::int from alerting.alert_history where kind = 'raised') as raised,
        (select count(*)::int from alerting.alert_history) as history`)
    ).rows[0];
    const want2 = { declarations: N, checks: N, scores: N, alerts: wantAlerts, alert_keys: wantAlerts, raised: wantAlerts };
    for (const [k, v] of Object.entries(want2)) if (r[k] !== v) problems.push(`${k}: ${r[k]} live vs ${v} expected`);

    // One alert.changed event per history entry, by CloudEvents id.
    const ids = new Set();
    const reader = p.kafka.consumer({ groupId: `${p.prefix}chaos-reader` });
    await reader.connect();
    await reader.subscribe({ topic: p.topic('alerting.alert.changed.v1'), fromBeginning: true });
    await reader.run({ eachMessage: async ({ message }) => void ids.add(message.headers.ce_id.toString()) });
    await waitFor('every alert.changed event', async () => ids.size >= r.history, 60000).catch(() => undefined);
    await reader.disconnect();
    if (ids.size !== r.history) problems.push(`alert.changed events: ${ids.size} distinct vs ${r.history} history entries`);

    // Each subscriber: every history entry of the tenant exactly once, in cursor order.
    const history = (await p.db.query('select cursor::int as c from alerting.alert_history where tenant_id = $1 order by cursor', [p.tenant])).rows.map((x) => x.c);
    const last = history.at(-1);
    for (const sub of subscribers) {
      await waitFor(`${sub.name} subscriber caught up`, async () => sub.seen.at(-1) >= last, 120000).catch(() => undefined);
      const seen = sub.seen;
      const distinct = [...new Set(seen)];
      const repeats = seen.length - distinct.length;
      const inOrder = seen.every((c, i) => i === 0 || c > seen[i - 1]);
      const missing = history.filter((c) => !distinct.includes(c)).length;
      const extra = distinct.filter((c) => !history.includes(c)).length;
      if (repeats || !inOrder || missing || extra)
        problems.push(
          `${sub.name} subscriber: ${seen.length} received, ${repeats} repeated, ${missing} missing, ${extra} unknown, ${inOrder ? 'in order' : 'out of order'} (of ${history.length} history entries)`,
        );
      say(`${sub.name} subscriber: ${distinct.length}/${history.length} history entries, ${repeats} repeated, ${sub.connections} connections`);
    }
    say(`declarations ${r.declarations}, checks ${r.checks}, findings ${got.length}, scores ${r.scores}, alerts ${r.alerts}, history ${r.history}, events ${ids.size}`);
  } catch (e) {
    problems.push(e.message);
  } finally {
    await cleanUp();
  }
  if (problems.length) {
    console.error(`chaos: FAILED\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  console.log(
    'chaos: every finding, check, score, alert and alert event exactly once, and both subscriber streams without a gap or a repeat, across SIGKILLs of every service, a broker restart and a Postgres restart',
  );
  process.exit(0);
})();
