#!/usr/bin/env node
// Chaos check (`make chaos`; issue 11 "Fault tolerance, proven", issue 18): real processes, a
// Kafka broker of its own (same jars, other ports and data dir, so restarting it disturbs nobody)
// and the machine's Postgres. During a generated CDS backfill each service is killed with SIGKILL
// in turn and restarted, then the broker is stopped and started again; afterwards every expected
// finding, check, score and alert must be there exactly once, against counts taken from the
// generated data (the same reports evaluated in process), and one alert.changed event per history
// entry must reach the topic. Exits 1 naming what differs. Restarting Postgres is not part of it:
// the server is shared by every session on this machine.
// usage: node scripts/chaos.js [declarations=3000]
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { startPlatform } = require('./bench/platform');
const { generate, cdsReports, expectedFindings } = require('./bench/expectation');

const root = path.resolve(__dirname, '..');
const SEED = 20261127;
const N = Number(process.argv[2] ?? 3000);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const say = (s) => console.log(`  ${new Date().toISOString().slice(11, 19)} ${s}`);
const ruleIds = (dir) =>
  fs
    .readdirSync(path.join(root, dir))
    .map((f) => /^c(\d\d)-/.exec(f)?.[1])
    .filter(Boolean)
    .map((n) => `C${n}`);

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
  const run = fs.mkdtempSync(path.join(os.tmpdir(), 'chaos-'));
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
  const problems = [];
  // Interrupted, it still stops what it started: the platform, the broker, the folder.
  for (const sig of ['SIGINT', 'SIGTERM'])
    process.once(sig, async () => {
      await p?.stop().catch(() => undefined);
      try {
        kafkaSh('stop');
      } catch {
        // not running
      }
      fs.rmSync(run, { recursive: true, force: true });
      process.exit(130);
    });
  try {
    say('private Kafka broker on 127.0.0.1:19392');
    kafkaSh('start');
    p = await startPlatform({ label: 'chaos', brokers: ['127.0.0.1:19392'], alertRulesDir: rulesDir });
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
    say('uploaded; each service SIGKILLed part-way through its own work and restarted, the broker restarted');
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
      await p.spawn(s, 0);
      say(`  ${s} ready again`);
    };
    const partWay = (s) => waitFor(`${s} part-way`, async () => ((n) => n >= totals[s] * 0.1 && n < totals[s] * 0.6)(await progress[s]()), 180000);
    await Promise.all([
      // The outbox relay part-way through publishing the upload.
      killRestart('ingestion'),
      // Reference and validation while validation is part-way (its lookups fail, then retry).
      partWay('validation').then(() => Promise.all([killRestart('reference'), killRestart('validation')])),
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
    say(`declarations ${r.declarations}, checks ${r.checks}, findings ${got.length}, scores ${r.scores}, alerts ${r.alerts}, history ${r.history}, events ${ids.size}`);
  } catch (e) {
    problems.push(e.message);
  } finally {
    await p?.stop().catch(() => undefined);
    try {
      kafkaSh('stop');
    } catch {
      // already stopped
    }
    fs.rmSync(run, { recursive: true, force: true });
  }
  if (problems.length) {
    console.error(`chaos: FAILED\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  console.log('chaos: every finding, check, score, alert and alert event exactly once across SIGKILLs of every service and a broker restart');
  process.exit(0);
})();
