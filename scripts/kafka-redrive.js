#!/usr/bin/env node
// Re-publishes a consumer group's dead letters (<group>.dlq) to the topics they came from, once
// the cause is fixed (docs/kafka.md "Dead letters and redrive"). Uses the services' own Kafka
// client and settings (KAFKA_BROKERS, KAFKA_TOPIC_PREFIX, KAFKA_SSL_*, KAFKA_SASL_*), so it runs
// against any environment a service runs against. Needs the build (make build).

const path = require('node:path');
const { parseArgs } = require('node:util');

const USAGE = `usage: node scripts/kafka-redrive.js --group <consumer group> [--dry-run] [--json]

Re-publishes the dead letters of <group> (topic <group>.dlq) to their source topics, with their
key, value and headers (dlq_* headers dropped, redriven_from added). Continues from where the
last redrive of the group stopped (consumer group <group>.redrive) up to the end of the DLQ as it
is now. Consumers deduplicate by ce_id, so redriving is safe to repeat; a message without ce_id
is skipped and listed.

  --group <name>  consumer group, e.g. validation, scoring-history (infra/kafka/topics.json)
  --dry-run       list what would be re-published; publish nothing, move no offset
  --json          print the result as JSON
  -h, --help      this text

Environment: KAFKA_BROKERS (default 127.0.0.1:9092), KAFKA_TOPIC_PREFIX, and the KAFKA_SSL_* /
KAFKA_SASL_* connection variables of docs/kafka.md.
Exit codes: 0 done (or nothing to do), 1 failed, 2 bad usage, 78 bad configuration.`;

async function main() {
  let args;
  try {
    args = parseArgs({ options: { group: { type: 'string' }, 'dry-run': { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } }).values;
  } catch (e) {
    process.stderr.write(`${e.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (!args.group) {
    process.stderr.write(`--group is required\n\n${USAGE}\n`);
    return 2;
  }
  let kafkaPkg;
  let configPkg;
  try {
    kafkaPkg = require(path.join(__dirname, '../packages/kafka/dist/index.js'));
    configPkg = require(path.join(__dirname, '../packages/config/dist/index.js'));
  } catch {
    process.stderr.write('kafka-redrive: the packages are not built; run make build first\n');
    return 1;
  }
  const { ConfigError, EXIT_CONFIG, kafkaConnectionSpecs, list, parseEnv, str } = configPkg;
  let config;
  let security;
  try {
    config = parseEnv({ KAFKA_BROKERS: list({ default: ['127.0.0.1:9092'] }), KAFKA_TOPIC_PREFIX: str({ default: '' }), ...kafkaConnectionSpecs() });
    security = kafkaPkg.kafkaSecurityOptions(config);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`kafka-redrive: ${e.message}\n`);
    return EXIT_CONFIG;
  }
  const handle = kafkaPkg.createKafka({ brokers: [...config.KAFKA_BROKERS], clientId: 'kafka-redrive', topicPrefix: config.KAFKA_TOPIC_PREFIX, security });
  const result = await kafkaPkg.redriveDeadLetters(handle, { group: args.group, dryRun: Boolean(args['dry-run']) });
  if (args.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  }
  const verb = result.dryRun ? 'would re-publish' : 're-published';
  for (const i of result.items) {
    const where = `${result.dlqTopic}/${i.dlqPartition}/${i.dlqOffset}`;
    process.stdout.write(
      i.skipped ? `skip  ${where} ${i.ceId || '(no ce_id)'}: ${i.skipped}\n` : `${result.dryRun ? 'would' : 'sent '} ${where} ${i.ceId} → ${i.toTopic} (was: ${i.error.slice(0, 120)})\n`,
    );
  }
  const count = result.dryRun ? result.items.length - result.skipped : result.republished;
  process.stdout.write(
    `${result.group}: ${verb} ${count} dead letter(s) of ${result.dlqTopic}, skipped ${result.skipped}${result.items.length === 0 ? ' (nothing new since the last redrive)' : ''}\n`,
  );
  return 0;
}

// kafkajs (unmaintained) arms a timer with a negative delay on Node >= 23; harmless, silenced.
const emitWarning = process.emitWarning;
process.emitWarning = (warning, ...rest) => {
  const type = typeof rest[0] === 'string' ? rest[0] : rest[0]?.type;
  if (type === 'TimeoutNegativeWarning' || warning?.name === 'TimeoutNegativeWarning') return;
  return emitWarning.call(process, warning, ...rest);
};

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`kafka-redrive: ${e.message}\n`);
    process.exit(1);
  },
);
