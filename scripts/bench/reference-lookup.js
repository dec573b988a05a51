// Batched gRPC lookup latency and throughput of the reference service, and the hit rate of the
// caching client (packages/reference-client) on a simulated validation stream.
// Starts the reference service in this process (from dist: run `make build` first) on a
// throw-away database and topic prefix, so it needs only Postgres and Kafka (`make infra`).
// usage: node scripts/bench/reference-lookup.js [rounds per batch size] [stream batches]
const fs = require('node:fs');
const path = require('node:path');
const { credentials } = require('@grpc/grpc-js');
const { ReferenceServiceClient } = require('../../packages/contracts/dist');
const { callUnary } = require('../../packages/grpc/dist');
const { createTestDatabase, createTestTopics, deleteTestTopics, testEnv, testTokens, uniquePrefix } = require('../../packages/testing/dist');
const { loadConfig } = require('../../services/reference/dist/config');
const { startReferenceService } = require('../../services/reference/dist/service');
const { CachingReferenceClient } = require('../../packages/reference-client/dist');
const { latencySummary, peakRss } = require('./lib');

const ROUNDS = Number(process.argv[2] ?? 200);
const STREAM_BATCHES = Number(process.argv[3] ?? 300);
const root = path.resolve(__dirname, '../..');
const data = path.join(root, 'services/reference/data');

// Deterministic pseudo-random numbers so runs are comparable.
let seed = 42;
const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const pick = (a) => a[Math.floor(rnd() * a.length)];

// Declarable codes from the bundled nomenclature whose UKGT line exists (the common path).
const ukgt = new Set(
  fs
    .readFileSync(path.join(data, 'tariff/ukgt_2021-01-01_global-uk-tariff.csv'), 'utf8')
    .split('\n')
    .map((l) => l.slice(0, 8)),
);
const codes = [
  ...new Set(
    fs
      .readFileSync(path.join(data, 'tariff/uk-tariff-2021-01-01--v4.0.1205--commodities-report.csv'), 'utf8')
      .split('\n')
      .map((l) => /^\d+,\d+,"(\d{10})","80"/.exec(l)?.[1])
      .filter((c) => c && ukgt.has(c.slice(0, 8))),
  ),
];
if (codes.length < 1000) throw new Error(`only ${codes.length} candidate codes read from the nomenclature`);
const ORIGINS = ['CN', 'US', 'FR', 'DE', 'JP', 'IN', 'VN', 'TR', 'BD', 'CH', 'MA', 'SG'];
const day = (i) => new Date(Date.UTC(2022, 0, 1) + i * 86400000).toISOString().slice(0, 10);
const randomQuery = () => ({ commodityCode: rnd() < 0.05 ? '0702000007' : pick(codes), origin: pick(ORIGINS), date: day(Math.floor(rnd() * 730)) });

(async () => {
  const tokens = testTokens('bench');
  const prefix = uniquePrefix('refbench');
  const kafka = await createTestTopics(prefix);
  const db = await createTestDatabase('refbench');
  const rss = peakRss();
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
    }),
  );
  try {
    for (const f of ['samples/ott_api_commodity_0702000007_cherry_tomatoes.json', 'samples/ott_declarable_commodities_with_duty_measures_fixture.csv']) {
      const res = await fetch(`${svc.httpUrl}/v1/admin/ott-loads?source=${path.basename(f)}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.service}` },
        body: fs.readFileSync(path.join(data, f)),
      });
      if (res.status !== 201) throw new Error(`OTT load ${f}: HTTP ${res.status} ${await res.text()}`);
    }
    const grpc = new ReferenceServiceClient(svc.grpcAddress, credentials.createInsecure());
    const call = (queries) => callUnary(grpc, 'lookupRates', { queries }, { token: tokens.analyst, deadlineMs: 30000 });
    for (let i = 0; i < 20; i++) await call(Array.from({ length: 100 }, randomQuery)); // warm-up (JIT, channel)

    // The in-memory store alone (what one query costs inside the server, without gRPC).
    const { loadBundledStore } = require('../../services/reference/dist/app/load-bundled');
    const local = loadBundledStore(data);
    const qs = Array.from({ length: 100_000 }, randomQuery);
    const s0 = performance.now();
    for (const q of qs) local.rates(q.commodityCode, q.origin, q.date);
    const storeMs = performance.now() - s0;
    console.log(`Store.rates in memory: ${qs.length} lookups in ${storeMs.toFixed(0)} ms → ${((storeMs * 1000) / qs.length).toFixed(1)} µs per lookup`);

    console.log(`Reference LookupRates over gRPC (server in-process, ${codes.length} candidate codes, ${ORIGINS.length} origins, dates 2022–2023, 5 % OTT-loaded code)`);
    for (const size of [100, 1000]) {
      const lat = [];
      const t0 = performance.now();
      for (let r = 0; r < ROUNDS; r++) {
        const q = Array.from({ length: size }, randomQuery);
        const s = performance.now();
        const res = await call(q);
        lat.push(performance.now() - s);
        if (res.results.length !== size) throw new Error('short answer');
      }
      const secs = (performance.now() - t0) / 1000;
      console.log(`  batch ${size}: ${ROUNDS} calls, ${latencySummary(lat)}; ${Math.round((ROUNDS * size) / secs)} queries/s (sequential calls)`);
    }

    // A validation-like stream: 50 importers, each with a catalogue of 200 (code, origin) pairs
    // and Zipf-like repetition (a few SKUs dominate), declarations accepted on working days of
    // one quarter; 100 items per consumed batch.
    const importers = Array.from({ length: 50 }, () => Array.from({ length: 200 }, () => ({ commodityCode: pick(codes), origin: pick(ORIGINS) })));
    const zipf = (n) => Math.min(n - 1, Math.floor(n * rnd() ** 3));
    const client = new CachingReferenceClient({ address: svc.grpcAddress, token: tokens.analyst });
    const lat = [];
    const t0 = performance.now();
    for (let b = 0; b < STREAM_BATCHES; b++) {
      const date = day(365 + Math.floor((b / STREAM_BATCHES) * 91));
      const items = Array.from({ length: 100 }, () => {
        const sku = pick(importers)[zipf(200)];
        return { code: sku.commodityCode, origin: sku.origin, date };
      });
      const s = performance.now();
      await client.lookupRates(items);
      lat.push(performance.now() - s);
    }
    const secs = (performance.now() - t0) / 1000;
    const st = client.stats();
    console.log(`  caching client, validation-like stream: ${STREAM_BATCHES} batches × 100 items (50 importers × 200 SKUs, Zipf-like, one acceptance date per batch over a quarter)`);
    console.log(
      `    hit rate ${(st.hitRate * 100).toFixed(1)} % (${st.hits} hits, ${st.misses} misses, ${st.entries} entries); per-batch ${latencySummary(lat)}; ${Math.round((STREAM_BATCHES * 100) / secs)} items/s`,
    );
    console.log(`    peak RSS (service + bench) ${rss()}`);
    client.close();
    grpc.close();
  } finally {
    await svc.stop();
    await db.drop();
    await deleteTestTopics(kafka);
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
