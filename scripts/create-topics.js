// Creates every topic declared in infra/kafka/topics.json that does not exist yet (idempotent).
const fs = require('node:fs');
const path = require('node:path');
const { Kafka, logLevel } = require('kafkajs');

const spec = JSON.parse(fs.readFileSync(path.join(__dirname, '../infra/kafka/topics.json'), 'utf8'));
const prefix = process.env.KAFKA_TOPIC_PREFIX ?? '';
const kafka = new Kafka({ clientId: 'create-topics', brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), logLevel: logLevel.ERROR });
(async () => {
  const admin = kafka.admin();
  await admin.connect();
  const existing = new Set(await admin.listTopics());
  const missing = spec.topics.filter((t) => !existing.has(prefix + t.name));
  if (missing.length) await admin.createTopics({ waitForLeaders: true, topics: missing.map((t) => ({ topic: prefix + t.name, numPartitions: t.partitions, replicationFactor: 1 })) });
  await admin.disconnect();
  console.log(`  kafka: ${spec.topics.length} topics declared, ${missing.length} created`);
})().catch((e) => {
  console.error(`kafka: creating topics failed: ${e.message}`);
  process.exit(1);
});
