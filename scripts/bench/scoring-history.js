// Scoring's history path on real Postgres: a labelled 3-year history for ONE importer (datagen
// generateHistoryDataset) folded through the scoring use case exactly as the Kafka consumer does
// it — batches of declarations, per batch one query per kind of history key, the history checks,
// new findings stored, every declaration re-scored and its agent/importer/tenant monthly aggregates
// moved by new − old, snapshots, outbox-shaped events — then a second pass of validation checks
// (rescoring each declaration). Prints item lines/s of history scored (processing time only; the
// generator's time is shown apart), the process's peak RSS and the database size by table.
// Kafka is not in the loop (the consumer adds its fetch/commit; see validation-pipeline.js for
// a through-Kafka figure). Needs Postgres (scripts/postgres.sh ensure) and `npx tsc -b`.
// usage: node scripts/bench/scoring-history.js [item lines, default 1000000] [batch declarations, default 500]
const fs = require('node:fs');
const path = require('node:path');
const { randomBytes } = require('node:crypto');
const { Client } = require('pg');
const { peakRss } = require('./lib');

const root = path.resolve(__dirname, '../..');
const { generateHistoryDataset } = require(path.join(root, 'packages/datagen/dist'));
const { createDb, migrateToLatest, withAllTenants } = require(path.join(root, 'packages/db/dist'));
const { DeclarationChecked } = require(path.join(root, 'packages/contracts/dist'));
const { migrations } = require(path.join(root, 'services/scoring/dist/db/migrations'));
const { bindStore } = require(path.join(root, 'services/scoring/dist/app/ports'));
const { onDeclarationsReceived } = require(path.join(root, 'services/scoring/dist/app/history-batch'));
const { onDeclarationsChecked } = require(path.join(root, 'services/scoring/dist/app/checked-batch'));

const LINES = Number(process.argv[2] ?? 1_000_000);
const BATCH = Number(process.argv[3] ?? 500);
const NOW = '2024-01-15T12:00:00.000Z';
const VACUUM_EVERY = Number(process.env.BENCH_VACUUM_EVERY ?? 0);

// CPU seconds of this process and of the Postgres backends serving the bench database (their
// process title names it): the machine is shared, so wall-clock throughput follows other load,
// while lines per CPU-second of the sequential pipeline (node, then Postgres) does not.
const TICK = 100;
function pgTicks(dbName) {
  let t = 0;
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (!fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dbName)) continue;
      const st = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
      t += Number(f[11]) + Number(f[12]);
    } catch {
      // exited meanwhile
    }
  }
  return t;
}
const nodeCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

(async () => {
  const adminUrl = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const dbName = `customs_bench_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  await admin.query(`grant connect on database ${dbName} to scoring`);
  const u = new URL(adminUrl);
  u.pathname = `/${dbName}`;
  const dbAdmin = new Client({ connectionString: u.toString() });
  await dbAdmin.connect();
  await dbAdmin.query('create schema scoring authorization scoring');
  const svcUrl = `postgres://scoring:${process.env.SCORING_DB_PASSWORD ?? 'scoring'}@${u.hostname}:${u.port || 5432}/${dbName}`;
  const db = createDb({ url: svcUrl, schema: 'scoring', applicationName: 'bench-scoring' });
  const rss = peakRss();
  try {
    await migrateToLatest(db.db, 'scoring', migrations);
    // ≈ 5 item lines per declaration on average; generate until the line budget is reached.
    const declarations = Math.ceil(LINES / 4.9);
    let lines = 0;
    let decls = 0;
    let findings = 0;
    let events = 0;
    let busyMs = 0;
    let batch = [];
    const ids = [];
    const t0 = Date.now();
    let nodeCpuS = 0;
    let pgCpuS = 0;
    let batches = 0;
    let vacuumS = 0;
    // Wall time per Store call (the repositories' SQL), to see which query a profile should look
    // at; with BENCH_PG_PROFILE=1 also the Postgres CPU each call costs (reads /proc around every
    // call: a profiling run, not a figure to quote).
    const storeMs = new Map();
    const pgProfile = process.env.BENCH_PG_PROFILE === '1';
    const timed = (store) => {
      for (const [name, fn] of Object.entries(store))
        store[name] = async (...a) => {
          const s0 = performance.now();
          const p0 = pgProfile ? pgTicks(dbName) : 0;
          try {
            return await fn(...a);
          } finally {
            const t = storeMs.get(name) ?? { ms: 0, calls: 0, pg: 0 };
            t.ms += performance.now() - s0;
            t.calls++;
            if (pgProfile) t.pg += (pgTicks(dbName) - p0) / TICK;
            storeMs.set(name, t);
          }
        };
      return store;
    };
    const flush = async () => {
      const s = performance.now();
      const c0 = nodeCpu();
      const p0 = pgTicks(dbName);
      const out = await withAllTenants(db.db, (trx) => onDeclarationsReceived(timed(bindStore(trx)), batch, NOW));
      busyMs += performance.now() - s;
      nodeCpuS += nodeCpu() - c0;
      pgCpuS += (pgTicks(dbName) - p0) / TICK;
      events += out.length;
      findings += out.filter((o) => o.kind === 'finding').length;
      batch = [];
      batches++;
      // Autovacuum is off on this machine's Postgres (CI configuration): BENCH_VACUUM_EVERY=n runs
      // what it would do — VACUUM (ANALYZE) of the scoring tables — every n batches, its wall time
      // and Postgres CPU counted in the figures like the batches' own.
      if (VACUUM_EVERY > 0 && batches % VACUUM_EVERY === 0) {
        const v0 = performance.now();
        const q0 = pgTicks(dbName);
        await dbAdmin.query('vacuum (analyze) scoring.history_groups, scoring.contributions, scoring.declaration_scores, scoring.aggregates, scoring.history_decls, scoring.history_findings');
        busyMs += performance.now() - v0;
        pgCpuS += (pgTicks(dbName) - q0) / TICK;
        vacuumS += (performance.now() - v0) / 1000;
      }
    };
    for (const g of generateHistoryDataset({ seed: 42, declarations, importers: 1, tenantId: 'bench' })) {
      if (lines >= LINES) break;
      batch.push({ eventId: `e-${g.declaration.declarationId}`, declaration: g.declaration });
      ids.push({
        id: g.declaration.declarationId,
        v: g.declaration.version,
        mrn: g.declaration.mrn,
        importer: g.declaration.importerEori,
        declarant: g.declaration.parties.find((p) => p.role === 'declarant')?.id ?? '',
        date: g.declaration.acceptanceDate,
        items: g.declaration.items.length,
      });
      lines += g.declaration.items.length;
      decls++;
      if (batch.length === BATCH) await flush();
    }
    if (batch.length) await flush();
    const wall = (Date.now() - t0) / 1000;
    console.log(`history: ${decls} declarations, ${lines} item lines of one importer, accepted 2021-01..2023-08 (the FX range datagen prices in), batches of ${BATCH}`);
    console.log(
      `  processing ${(busyMs / 1000).toFixed(1)} s → ${Math.round(lines / (busyMs / 1000))} item lines/s, ${Math.round(decls / (busyMs / 1000))} declarations/s (wall ${wall.toFixed(1)} s incl. generating the dataset)`,
    );
    console.log(`  ${findings} history findings raised, ${events} events to publish`);
    if (VACUUM_EVERY > 0) console.log(`  VACUUM (ANALYZE) every ${VACUUM_EVERY} batches (autovacuum stand-in): ${vacuumS.toFixed(1)} s, included above`);
    console.log(
      `  CPU: scoring core ${nodeCpuS.toFixed(1)} s + Postgres ${pgCpuS.toFixed(1)} s → ${Math.round(lines / (nodeCpuS + pgCpuS))} item lines per CPU-second (the rate of this sequential pipeline on an idle core pair); load average ${require('node:os').loadavg()[0].toFixed(1)} at the end`,
    );
    console.log(
      `  time in the store (SQL round trips): ${[...storeMs.entries()]
        .sort((a, b) => b[1].ms - a[1].ms)
        .map(([k, v]) => `${k} ${(v.ms / 1000).toFixed(1)} s/${v.calls}${pgProfile ? ` (Postgres CPU ${v.pg.toFixed(1)} s)` : ''}`)
        .join(', ')}`,
    );
    // Second pass: validation's checks of every declaration (no findings), each re-scoring it.
    let checkMs = 0;
    for (let i = 0; i < ids.length; i += BATCH) {
      const evs = ids.slice(i, i + BATCH).map((x) => ({
        eventId: `c-${x.id}`,
        checked: DeclarationChecked.fromPartial({
          tenantId: 'bench',
          declarationId: x.id,
          declarationVersion: x.v,
          mrn: x.mrn,
          importerEori: x.importer,
          declarantId: x.declarant,
          acceptanceDate: x.date,
          itemCount: x.items,
        }),
      }));
      const s = performance.now();
      await withAllTenants(db.db, (trx) => onDeclarationsChecked(bindStore(trx), evs, NOW));
      checkMs += performance.now() - s;
    }
    console.log(
      `checks: ${ids.length} validation checks re-scored in ${(checkMs / 1000).toFixed(1)} s → ${Math.round(lines / (checkMs / 1000))} item lines/s, ${Math.round(ids.length / (checkMs / 1000))} declarations/s`,
    );
    console.log(`memory: peak RSS ${rss()} (this process: generator + scoring core + pg client)`);
    const size = await dbAdmin.query(`select pg_size_pretty(pg_database_size($1)) as db`, [dbName]);
    const tables = await dbAdmin.query(
      `select c.relname as t, pg_size_pretty(pg_total_relation_size(c.oid)) as s, c.reltuples::bigint as rows from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'scoring' and c.relkind = 'r' order by pg_total_relation_size(c.oid) desc limit 8`,
    );
    console.log(`database: ${size.rows[0].db} — ${tables.rows.map((r) => `${r.t} ${r.s}`).join(', ')}`);
  } finally {
    await db.close();
    await dbAdmin.end();
    if (process.env.KEEP_BENCH_DB) console.log(`kept database ${dbName}`);
    else await admin.query(`drop database ${dbName} with (force)`);
    await admin.end();
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
