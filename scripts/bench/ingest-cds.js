// End-to-end CDS report ingestion: one item-report CSV posted over REST to a running ingestion
// service until every declaration is on ingestion.declaration.received.v1 (through the outbox).
// Needs `make up`. usage: node scripts/bench/ingest-cds.js [rows] (default 45000, about 8 MB)
const fs = require('node:fs');
const path = require('node:path');
const { Kafka, logLevel } = require('kafkajs');
const { peakRss } = require('./lib');

const N = Number(process.argv[2] ?? 45000);
const root = path.resolve(__dirname, '../..');
const token = fs
  .readFileSync(path.join(root, '.run/api-tokens'), 'utf8')
  .split('\n')
  .find((l) => l.endsWith(':integrator'))
  .split('=')[0];
const run = Date.now().toString(36).toUpperCase().slice(-6);
let csv = 'MRN,Item Number,Commodity Code,CPC,Country of Origin,Preference,Item Price,Invoice Currency,Customs Value,Net Mass,Acceptance Date,All Item Document Codes,All Item Document References\n';
for (let i = 0; i < N; i++) {
  const entry = Math.floor(i / 3);
  csv += `26GB${run}${String(entry).padStart(7, '0')}1,${(i % 3) + 1},6109100010,4000000,CN,100,${(i % 900) + 100}.50,EUR,${(i % 800) + 90}.12,12.5,17/01/2023,"N935,NULL",INV-${entry}\n`;
}
const entries = Math.ceil(N / 3);

(async () => {
  const kafka = new Kafka({ clientId: 'bench', brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), logLevel: logLevel.ERROR });
  const consumer = kafka.consumer({ groupId: `bench-cds-${run}` });
  await consumer.connect();
  await consumer.subscribe({ topic: `${process.env.KAFKA_TOPIC_PREFIX ?? ''}ingestion.declaration.received.v1`, fromBeginning: false });
  let onTopic = 0;
  let done;
  const all = new Promise((r) => (done = r));
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) if (m.key.toString().includes(`26GB${run}`)) onTopic++;
      if (onTopic >= entries) done();
    },
  });
  await new Promise((r) => setTimeout(r, 3000));
  const rss = peakRss();
  const t0 = Date.now();
  const res = await fetch('http://127.0.0.1:8081/v1/documents?format=cds-report&filename=bench-items.csv', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
    body: csv,
  });
  const body = await res.json();
  const accepted = (Date.now() - t0) / 1000;
  if (res.status !== 201) throw new Error(`HTTP ${res.status}: ${JSON.stringify(body).slice(0, 300)}`);
  await all;
  const total = (Date.now() - t0) / 1000;
  await consumer.disconnect();
  console.log(`CDS item report REST → topic: ${N} item lines (${(csv.length / 1048576).toFixed(1)} MB, ${entries} declarations)`);
  console.log(`  stored in ${accepted.toFixed(2)} s; all on the topic after ${total.toFixed(2)} s → ${Math.round(N / total)} item lines/s end to end; bench client peak RSS ${rss()}`);
})().catch((e) => {
  console.error(e.message);
  process.exit(1);
});
