// Creates every topic declared in infra/kafka/topics.json that does not exist yet, in one admin
// call (idempotent; DESIGN.md §3: topics are created up front because kafkajs on KRaft errors
// when subscribing to a topic that does not exist yet).
//   KAFKA_BROKERS       comma list, default 127.0.0.1:9092
//   KAFKA_TOPIC_PREFIX  prepended to every name (isolates test runs or environments on one broker)
//   KAFKA_REPLICATION_FACTOR  default 1 (single-node development broker)
// Plain CommonJS so it runs without a build; kafkajs comes from the root node_modules.

const fs = require('node:fs');
const path = require('node:path');
const { Kafka, logLevel } = require('kafkajs');

// kafkajs (unmaintained) arms a timer with a negative delay on Node >= 23, which prints a
// TimeoutNegativeWarning on every run; the timer is clamped to 1 ms and harmless.
const emitWarning = process.emitWarning;
process.emitWarning = (warning, ...rest) => {
  const type = typeof rest[0] === 'string' ? rest[0] : rest[0]?.type;
  if (type === 'TimeoutNegativeWarning' || warning?.name === 'TimeoutNegativeWarning') return;
  return emitWarning.call(process, warning, ...rest);
};

const spec = JSON.parse(fs.readFileSync(path.join(__dirname, '../infra/kafka/topics.json'), 'utf8'));
const prefix = process.env.KAFKA_TOPIC_PREFIX ?? '';
const replicationFactor = Number(process.env.KAFKA_REPLICATION_FACTOR ?? 1);
const brokers = (process.env.KAFKA_BROKERS || '127.0.0.1:9092')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const kafka = new Kafka({
  clientId: 'create-topics',
  brokers,
  logLevel: logLevel.NOTHING,
  connectionTimeout: 3000,
  retry: { retries: 5, initialRetryTime: 200 },
});

async function main() {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const declared = spec.topics.map((t) => ({ ...t, physical: prefix + t.name }));
    const missing = declared.filter((t) => !existing.has(t.physical));
    if (missing.length > 0) {
      // A concurrent creator can win the race for some names; kafkajs then reports
      // TOPIC_ALREADY_EXISTS, which is the state we want.
      try {
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((t) => ({ topic: t.physical, numPartitions: t.partitions, replicationFactor })),
        });
      } catch (e) {
        if (e.type !== 'TOPIC_ALREADY_EXISTS') throw e;
      }
    }
    // Partition counts are part of the contract (key → partition → ordering): warn on drift
    // instead of silently adding partitions, which would reshuffle keys.
    const present = declared.filter((t) => existing.has(t.physical));
    if (present.length > 0) {
      const { topics } = await admin.fetchTopicMetadata({ topics: present.map((t) => t.physical) });
      for (const m of topics) {
        const want = present.find((t) => t.physical === m.name).partitions;
        if (m.partitions.length !== want) {
          console.warn(`  kafka: warning: ${m.name} has ${m.partitions.length} partitions, topics.json declares ${want}`);
        }
      }
    }
    const where = prefix ? ` with prefix "${prefix}"` : '';
    console.log(`  kafka: ${declared.length} topics declared${where}, ${missing.length} created, ${declared.length - missing.length} already present (${brokers.join(',')})`);
  } finally {
    await admin.disconnect();
  }
}

main().catch((e) => {
  console.error(`kafka: error: creating topics on ${brokers.join(',')} failed: ${e.message}`);
  process.exit(1);
});
