// Validation service end to end: generated declarations produced onto
// ingestion.declaration.received.v1 → the running validation service (batched reference lookups
// over gRPC, 34 rules, findings and checks persisted, events through its outbox) → every
// declaration's validation.declaration.checked.v1 event on the topic. Prints item lines/s, the
// per-declaration latency from produce to checked, and the validation process's peak RSS.
// Needs `make up` (validation and reference running on the default ports and topics).
// usage: node scripts/bench/validation-pipeline.js [declarations]
const fs = require('node:fs');
const path = require('node:path');
const { Kafka, logLevel } = require('kafkajs');
const { latencySummary } = require('./lib');

const root = path.resolve(__dirname, '../..');
const { generateDataset } = require(path.join(root, 'packages/datagen/dist'));
const { buildEvent } = require(path.join(root, 'packages/kafka/dist'));
const { Topics, DeclarationReceived, DeclarationChecked, declarationKey } = require(path.join(root, 'packages/contracts/dist'));

const N = Number(process.argv[2] ?? 5000);
const run = Date.now().toString(36);
const tenant = 'demo';
const prefix = process.env.KAFKA_TOPIC_PREFIX ?? '';

function validationPeakRss() {
  try {
    const pid = fs.readFileSync(path.join(root, '.run/services/validation.pid'), 'utf8').trim();
    const hwm = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return hwm ? `${Math.round(Number(hwm[1]) / 1024)} MiB (VmHWM since the service started)` : 'unknown';
  } catch {
    return 'unknown (no .run/services/validation.pid)';
  }
}

(async () => {
  const kafka = new Kafka({ clientId: 'bench', brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), logLevel: logLevel.ERROR });
  const declarations = [];
  let items = 0;
  for (const { declaration } of generateDataset({ seed: 20261127, declarations: N })) {
    declaration.tenantId = tenant;
    declaration.declarationId = `bench-${run}-${declaration.declarationId}`;
    items += declaration.items.length;
    declarations.push(declaration);
  }
  const sentAt = new Map();
  const latencies = [];
  const consumer = kafka.consumer({ groupId: `bench-${run}` });
  await consumer.connect();
  await consumer.subscribe({ topic: `${prefix}${Topics.declarationChecked.name}`, fromBeginning: false });
  let checked = 0;
  let done;
  const allChecked = new Promise((r) => (done = r));
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) {
        const c = DeclarationChecked.decode(m.value);
        const t = sentAt.get(c.declarationId);
        if (t === undefined) continue;
        latencies.push(Date.now() - t);
        sentAt.delete(c.declarationId);
        if (++checked >= N) done();
      }
    },
  });
  await new Promise((r) => setTimeout(r, 3000)); // let the group join before producing
  const producer = kafka.producer();
  await producer.connect();
  const t0 = Date.now();
  for (let i = 0; i < declarations.length; i += 500) {
    const chunk = declarations.slice(i, i + 500);
    const now = Date.now();
    const messages = chunk.map((d) => {
      sentAt.set(d.declarationId, now);
      const e = buildEvent({
        topic: Topics.declarationReceived,
        key: declarationKey(tenant, d.mrn || d.lrn),
        value: DeclarationReceived.fromPartial({ declaration: d }),
        tenant,
        source: 'bench',
        subject: d.declarationId,
      });
      return { key: e.key, value: Buffer.from(e.payload), headers: e.headers };
    });
    await producer.send({ topic: `${prefix}${Topics.declarationReceived.name}`, messages });
  }
  const produced = (Date.now() - t0) / 1000;
  await allChecked;
  const total = (Date.now() - t0) / 1000;
  await producer.disconnect();
  await consumer.disconnect();
  console.log(`Validation service end to end: ${N} declarations (${items} item lines), topic → rules → Postgres → outbox → topic`);
  console.log(
    `  produced in ${produced.toFixed(2)} s; all checked events on the topic after ${total.toFixed(2)} s → ${Math.round(items / total)} item lines/s, ${Math.round(N / total)} declarations/s`,
  );
  console.log(`  produce → checked latency ${latencySummary(latencies)}`);
  console.log(
    `  validation service peak RSS ${validationPeakRss()}; load average ${require('node:os')
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );
})().catch((e) => {
  console.error(e.message);
  process.exit(1);
});
