// Scoring's reconciliation path (C03, C42) on real Postgres: a labelled history for ONE importer
// (datagen generateHistoryDataset) and its books (generateBooks: ERP goods receipts, a duty
// deferment statement) folded through the reconciliation use case exactly as its three Kafka
// consumers do — declarations in batches, then the receipts and the statement in the ≤ 500-line
// parts ingestion publishes — then the books sent again (the re-judgement of everything they
// touch, with nothing new to raise). Prints lines/s per phase with batch latency percentiles,
// the findings raised, the process's peak RSS and the reconciliation tables' size. Kafka is not in
// the loop. Needs Postgres (scripts/postgres.sh ensure) and `npx tsc -b`.
// usage: node scripts/bench/scoring-reconciliation.js [declarations, default 50000] [batch, default 500]
const path = require('node:path');
const { randomBytes } = require('node:crypto');
const { Client } = require('pg');
const { latencySummary, peakRss } = require('./lib');

const root = path.resolve(__dirname, '../..');
const { generateBooks, generateHistoryDataset } = require(path.join(root, 'packages/datagen/dist'));
const { createDb, migrateToLatest, withAllTenants } = require(path.join(root, 'packages/db/dist'));
const { DefermentStatementReceived, ErpReceiptLine } = require(path.join(root, 'packages/contracts/dist'));
const { migrations } = require(path.join(root, 'services/scoring/dist/db/migrations'));
const { bindStore } = require(path.join(root, 'services/scoring/dist/app/ports'));
const { bindReconStore, onReconciliationEvents } = require(path.join(root, 'services/scoring/dist/app/reconciliation-batch'));

const DECLARATIONS = Number(process.argv[2] ?? 50_000);
const BATCH = Number(process.argv[3] ?? 500);
const PART = 500; // lines per books event (services/ingestion/src/app/books-events.ts)
const NOW = '2024-01-15T12:00:00.000Z';
const TENANT = 'bench';

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
  const db = createDb({ url: svcUrl, schema: 'scoring', applicationName: 'bench-reconciliation' });
  const rss = peakRss();
  try {
    await migrateToLatest(db.db, 'scoring', migrations);
    const g0 = Date.now();
    const decls = [...generateHistoryDataset({ seed: 42, declarations: DECLARATIONS, importers: 1, tenantId: TENANT })].map((g) => g.declaration);
    const books = generateBooks(decls, { seed: 42, ghostRate: 0.02, unmatchedRate: 0.01, mismatchRate: 0.03, unknownMrnRate: 0.005 });
    console.log(
      `dataset: ${decls.length} declarations, ${books.receiptLines} ERP receipt lines, ${books.statementLines} deferment statement lines, ${books.truth.length} injected C03/C42 cases (generated in ${((Date.now() - g0) / 1000).toFixed(1)} s)`,
    );
    let findings = 0;
    // Wall time per store call (the repositories' SQL), to see which query a profile should look at.
    const storeMs = new Map();
    const timed = (store) => {
      for (const [name, fn] of Object.entries(store))
        store[name] = async (...a) => {
          const s0 = performance.now();
          try {
            return await fn(...a);
          } finally {
            const t = storeMs.get(name) ?? { ms: 0, calls: 0 };
            t.ms += performance.now() - s0;
            t.calls++;
            storeMs.set(name, t);
          }
        };
      return store;
    };
    const phase = async (label, events, units) => {
      const ms = [];
      for (const batch of events) {
        const s = performance.now();
        const out = await withAllTenants(db.db, (trx) => onReconciliationEvents(timed(bindStore(trx)), timed(bindReconStore(trx)), batch, NOW));
        ms.push(performance.now() - s);
        findings += out.filter((o) => o.kind === 'finding').length;
      }
      const total = ms.reduce((a, b) => a + b, 0) / 1000;
      console.log(`  ${label}: ${units} in ${total.toFixed(1)} s → ${Math.round(units / total)}/s; per consumed batch ${latencySummary(ms)}`);
    };
    const declBatches = [];
    for (let i = 0; i < decls.length; i += BATCH) declBatches.push(decls.slice(i, i + BATCH).map((d) => ({ eventId: `d-${d.declarationId}`, kind: 'declaration', declaration: d })));
    const receiptParts = (tag) => {
      const out = [];
      for (let i = 0; i < books.receipts.length; i += PART)
        out.push([
          {
            eventId: `${tag}-r-${i}`,
            kind: 'receipts',
            tenant: TENANT,
            declarationsIngested: decls.length,
            lines: books.receipts
              .slice(i, i + PART)
              .map((r, k) => ErpReceiptLine.fromPartial({ ...r, tenantId: TENANT, receiptId: `erp-${i + k}`, lineValue: { value: r.value, currency: r.currency } })),
          },
        ]);
      return out;
    };
    const statementParts = (tag) => {
      const out = [];
      const parts = Math.ceil(books.charges.length / PART);
      for (let i = 0; i < books.charges.length; i += PART)
        out.push([
          {
            eventId: `${tag}-s-${i}`,
            kind: 'statement',
            statement: DefermentStatementReceived.fromPartial({
              tenantId: TENANT,
              statementId: 'ddes-bench',
              part: i / PART + 1,
              parts,
              totalLines: books.charges.length,
              firstLine: i,
              sourceName: 'ddes.csv',
              declarationsIngested: decls.length,
              lines: books.charges.slice(i, i + PART).map((c) => ({ ...c, declarantEori: '', traderReference: '' })),
            }),
          },
        ]);
      return out;
    };
    console.log(`reconciliation (batches of ${BATCH} declarations, books in parts of ${PART} lines):`);
    await phase('declarations', declBatches, decls.length);
    await phase('ERP receipt lines', receiptParts('a'), books.receiptLines);
    await phase('statement lines', statementParts('a'), books.statementLines);
    const raised = findings;
    await phase('ERP receipt lines again', receiptParts('b'), books.receiptLines);
    await phase('statement lines again', statementParts('b'), books.statementLines);
    console.log(`  ${raised} findings raised (truth: ${books.truth.length}); ${findings - raised} more on sending the books again`);
    const active = await dbAdmin.query(`select count(*)::int as n from scoring.history_findings where active`);
    const superseded = await dbAdmin.query(`select rule_id, count(*)::int as n from scoring.history_findings where not active group by 1 order by 1`);
    console.log(
      `  active findings at the end: ${active.rows[0].n} (truth: ${books.truth.length}); superseded on the way (a verdict reached before its counterpart's part arrived): ${superseded.rows.map((r) => `${r.rule_id} ${r.n}`).join(', ') || 'none'}`,
    );
    console.log(
      `  time in the store (SQL round trips): ${[...storeMs.entries()]
        .sort((a, b) => b[1].ms - a[1].ms)
        .slice(0, 8)
        .map(([k, v]) => `${k} ${(v.ms / 1000).toFixed(1)} s/${v.calls}`)
        .join(', ')}`,
    );
    console.log(`memory: peak RSS ${rss()} (this process: generator + dataset in memory + scoring core + pg client)`);
    const size = await dbAdmin.query(`select pg_size_pretty(pg_database_size($1)) as db`, [dbName]);
    const tables = await dbAdmin.query(
      `select c.relname as t, pg_size_pretty(pg_total_relation_size(c.oid)) as s from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'scoring' and c.relname in ('recon_decls', 'recon_receipts', 'deferment_lines', 'history_findings') order by pg_total_relation_size(c.oid) desc`,
    );
    console.log(`database: ${size.rows[0].db} — ${tables.rows.map((r) => `${r.t} ${r.s}`).join(', ')}; load average ${require('node:os').loadavg()[0].toFixed(1)}`);
  } finally {
    await db.close();
    await dbAdmin.end();
    await admin.query(`drop database ${dbName} with (force)`);
    await admin.end();
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
