// End-to-end ingestion throughput: DMS XML documents posted over REST to a running ingestion
// service until their declarations are on ingestion.declaration.received.v1 (through the outbox).
// Needs `make up` (services running, tokens in .run/api-tokens). Each run posts fresh content
// (a unique LRN per document) so idempotency does not short-circuit it.
// usage: node scripts/bench/ingest-pipeline.js [documents] [concurrency]
const fs = require('node:fs');
const path = require('node:path');
const { Kafka, logLevel } = require('kafkajs');
const { latencySummary, peakRss } = require('./lib');

const N = Number(process.argv[2] ?? 2000);
const C = Number(process.argv[3] ?? 16);
const root = path.resolve(__dirname, '../..');
const token = fs
  .readFileSync(path.join(root, '.run/api-tokens'), 'utf8')
  .split('\n')
  .find((l) => l.endsWith(':integrator'))
  .split('=')[0];
const template = fs.readFileSync(path.join(root, 'packages/testing/fixtures/hmrc/hmrc-customs-declarations/annotated_XML_samples/TT_IM017a/Step1_TT_IM017a.xml'), 'utf8');
const run = Date.now().toString(36);

(async () => {
  const kafka = new Kafka({ clientId: 'bench', brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), logLevel: logLevel.ERROR });
  const consumer = kafka.consumer({ groupId: `bench-${run}` });
  await consumer.connect();
  await consumer.subscribe({ topic: `${process.env.KAFKA_TOPIC_PREFIX ?? ''}ingestion.declaration.received.v1`, fromBeginning: false });
  let onTopic = 0;
  let done;
  const allOnTopic = new Promise((r) => (done = r));
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) if (m.key.toString().includes(`BENCH${run}`)) onTopic++;
      if (onTopic >= N) done();
    },
  });
  await new Promise((r) => setTimeout(r, 3000)); // let the group join before producing
  const rss = peakRss();
  const lat = [];
  let next = 0,
    items = 0;
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: C }, async () => {
      while (next < N) {
        const i = next++;
        const body = template.replace(/<FunctionalReferenceID>[^<]*<\/FunctionalReferenceID>/, `<FunctionalReferenceID>BENCH${run}-${i}</FunctionalReferenceID>`);
        const s = performance.now();
        const res = await fetch('http://127.0.0.1:8081/v1/documents?filename=bench.xml', { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/xml' }, body });
        const j = await res.json();
        lat.push(performance.now() - s);
        if (res.status !== 201) throw new Error(`HTTP ${res.status}: ${JSON.stringify(j).slice(0, 300)}`);
        items += 3;
      }
    }),
  );
  const posted = (Date.now() - t0) / 1000;
  await allOnTopic;
  const total = (Date.now() - t0) / 1000;
  await consumer.disconnect();
  console.log(`Ingestion REST → topic: ${N} documents (${items} item lines), concurrency ${C}`);
  console.log(`  accepted in ${posted.toFixed(2)} s; all on the topic after ${total.toFixed(2)} s → ${Math.round(N / total)} documents/s, ${Math.round(items / total)} item lines/s`);
  console.log(`  HTTP latency ${latencySummary(lat)}; bench client peak RSS ${rss()}`);
})().catch((e) => {
  console.error(e.message);
  process.exit(1);
});
