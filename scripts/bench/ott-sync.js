// Online Trade Tariff API sync: a full sync of N commodities and an incremental one (the changes
// endpoint listing a tenth of them), time and memory, against the LOCAL STAND-IN for the public
// API (services/reference/src/ott-api/stand-in-server.ts; the real API cannot be reached here).
// The stand-in serves the recorded 0101210000 response (62 measures) re-stamped with each
// benchmark code: synthetic bodies for load only, never loaded into a product database.
// Runs the reference service in this process (from dist: `make build` first) on a throw-away
// database and topic prefix, so it needs Postgres and Kafka (`make infra`).
// usage: node scripts/bench/ott-sync.js [commodities=2000]
const fs = require('node:fs');
const path = require('node:path');
const { createTestDatabase, createTestTopics, deleteTestTopics, testEnv, testTokens, uniquePrefix } = require('../../packages/testing/dist');
const { loadConfig } = require('../../services/reference/dist/config');
const { startReferenceService } = require('../../services/reference/dist/service');
const { OttApiStandIn } = require('../../services/reference/dist/ott-api/stand-in-server');
const { peakRss } = require('./lib');

const N = Number(process.argv[2] ?? 2000);
const root = path.resolve(__dirname, '../..');
const fixtures = path.join(root, 'services/reference/test/fixtures/ott-api-2025');

(async () => {
  const template = fs.readFileSync(path.join(fixtures, 'uk__commodities__0101210000_asof2025-07-14.json'), 'utf8');
  const codes = Array.from({ length: N }, (_, i) => `99${String(i).padStart(8, '0')}`);
  const known = new Set(codes);
  const commodity = (c) => (known.has(c) ? template.replaceAll('"0101210000"', `"${c}"`) : undefined);
  const changed = codes.filter((_, i) => i % 10 === 0);
  const changes = new Map([
    [
      '2025-7-14',
      JSON.stringify({
        data: changed.map((c, i) => ({ id: String(i), type: 'change', attributes: { goods_nomenclature_item_id: c, end_line: true, change_type: 'measure', change_date: '2025-07-14' } })),
      }),
    ],
  ]);
  const api = new OttApiStandIn({ fixturesDir: fixtures, clientId: 'bench', clientSecret: 'bench', commodity, changes });
  const { baseUrl, tokenUrl } = await api.start();
  const tokens = testTokens('bench');
  const prefix = uniquePrefix('ottbench');
  const kafka = await createTestTopics(prefix);
  const db = await createTestDatabase('ottbench');
  const svc = await startReferenceService(
    loadConfig({
      DATABASE_URL: db.urlFor('reference'),
      KAFKA_BROKERS: testEnv().brokers.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      HTTP_PORT: '0',
      GRPC_PORT: '0',
      API_TOKENS: tokens.spec,
      LOG_LEVEL: 'silent',
      REFERENCE_SYNC_INTERVAL_MS: '0',
      OTT_API_BASE_URL: baseUrl,
      OTT_API_TOKEN_URL: tokenUrl,
      OTT_API_CLIENT_ID: 'bench',
      OTT_API_CLIENT_SECRET: 'bench',
    }),
  );
  const sync = async (body) => {
    const rss = peakRss();
    const heap0 = process.memoryUsage().heapUsed;
    const t0 = process.hrtime.bigint();
    const r = await fetch(`${svc.httpUrl}/v1/admin/ott-syncs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.service}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const out = await r.json();
    if (r.status !== 201) throw new Error(`sync: HTTP ${r.status} ${JSON.stringify(out)}`);
    return { ms, out, peak: rss(), heapDeltaMiB: Math.round((process.memoryUsage().heapUsed - heap0) / 1048576) };
  };
  try {
    const full = await sync({ kind: 'full', commodities: codes, until: '2025-07-13' });
    console.log(
      `full sync: ${N} commodities (${full.out.tariffChanges} measures), ${full.out.stats.requests} requests in ${(full.ms / 1000).toFixed(2)} s (${Math.round(N / (full.ms / 1000))} commodities/s), peak RSS ${full.peak}, heap +${full.heapDeltaMiB} MiB`,
    );
    const inc = await sync({ until: '2025-07-14' });
    console.log(
      `incremental sync: ${inc.out.commodityCodes.length} changed commodities of ${N} (${inc.out.tariffChanges} measure changes), ${inc.out.stats.requests} requests in ${(inc.ms / 1000).toFixed(2)} s, peak RSS ${inc.peak}, heap +${inc.heapDeltaMiB} MiB`,
    );
  } finally {
    await svc.stop();
    await db.drop();
    await deleteTestTopics(kafka);
    await api.stop();
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
