import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { DatasetChanged, Topics, dlqTopicFor } from '@customs/contracts';
import { BatchConsumer, buildEvent, createKafka, ensureTopics, type KafkaHandle } from '@customs/kafka';
import { createLogger } from '@customs/telemetry';
import { testEnv, uniquePrefix, waitFor } from '@customs/testing';

const run = promisify(execFile);
const SCRIPT = path.join(__dirname, 'kafka-redrive.js');

// The redrive command as an operator runs it (a child process, the built packages, real Kafka):
// a poison message is dead-lettered by a real consumer group, listed by --dry-run, re-published
// to its source topic once the cause is fixed, applied by the group, and not re-published again.
describe('node scripts/kafka-redrive.js (real Kafka)', () => {
  const logger = createLogger('test', 'silent');
  const prefix = uniquePrefix('redrive');
  let kafka: KafkaHandle;
  let consumer: BatchConsumer<DatasetChanged> | undefined;
  const env = { ...process.env, KAFKA_BROKERS: testEnv().brokers.join(','), KAFKA_TOPIC_PREFIX: prefix };
  const redrive = async (...args: string[]) => (await run(process.execPath, [SCRIPT, ...args], { env })).stdout;

  beforeAll(async () => {
    kafka = createKafka({ brokers: testEnv().brokers, clientId: 'test', topicPrefix: prefix });
    await ensureTopics(kafka, [
      { name: Topics.datasetChanged.name, partitions: 1 },
      { name: dlqTopicFor('validation'), partitions: 1 },
    ]);
  });
  afterAll(async () => {
    await consumer?.stop();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [kafka.physical(Topics.datasetChanged.name), kafka.physical(dlqTopicFor('validation'))] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('--help exits 0; no --group is a usage error (exit 2); a bad connection setting is a named config error (exit 78)', async () => {
    expect(await redrive('--help')).toContain('usage: node scripts/kafka-redrive.js --group <consumer group> [--dry-run]');
    await expect(run(process.execPath, [SCRIPT], { env })).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('--group is required') });
    await expect(run(process.execPath, [SCRIPT, '--group', 'validation'], { env: { ...env, KAFKA_SASL_MECHANISM: 'plain' } })).rejects.toMatchObject({
      code: 78,
      stderr: expect.stringContaining('KAFKA_SASL_USERNAME is required with KAFKA_SASL_MECHANISM=plain'),
    });
  });

  it('dry run lists, redrive re-publishes to the source topic, the group applies it, a second redrive finds nothing new', async () => {
    let broken = true;
    const applied: string[] = [];
    consumer = new BatchConsumer(kafka, {
      groupId: 'validation',
      topic: Topics.datasetChanged,
      logger,
      maxAttempts: 1,
      handle: async (batch) => {
        for (const e of batch) if (broken && e.value.dataset === 'poison') throw new Error('reference data for poison not loaded yet');
        applied.push(...batch.map((e) => e.value.dataset));
      },
    });
    await consumer.start();
    const producer = kafka.producer();
    await producer.connect();
    const event = (dataset: string) =>
      buildEvent({ topic: Topics.datasetChanged, key: dataset, value: DatasetChanged.fromPartial({ dataset, version: '1' }), tenant: 'platform', source: 'test', id: `ds-${dataset}` });
    for (const ds of ['ok-1', 'poison', 'ok-2']) {
      const e = event(ds);
      await producer.send({ topic: kafka.physical(e.topic), messages: [{ key: e.key, value: Buffer.from(e.payload), headers: e.headers }] });
    }
    // A dead letter without ce_id (a foreign producer's message): not safe to re-publish.
    await producer.send({
      topic: kafka.physical(dlqTopicFor('validation')),
      messages: [{ key: 'x', value: Buffer.from('?'), headers: { dlq_original_topic: Topics.datasetChanged.name, dlq_error: 'cannot decode', ce_tenant: 'platform' } }],
    });
    await producer.disconnect();
    await waitFor('ok-1 and ok-2 applied, poison dead-lettered', async () => applied.includes('ok-2'), { timeoutMs: 60000 });
    expect(applied).toEqual(['ok-1', 'ok-2']);

    const dlq = kafka.physical(dlqTopicFor('validation'));
    const dry = await redrive('--group', 'validation', '--dry-run');
    // Offsets in the DLQ depend on which of the two dead letters arrived first.
    expect(dry).toMatch(/^would validation\.dlq\/0\/[01] ds-poison → reference\.dataset\.changed\.v1 \(was: reference data for poison not loaded yet\)$/m);
    expect(dry).toContain('no ce_id: every group would take a copy as a new event');
    expect(dry).toContain('validation: would re-publish 1 dead letter(s) of validation.dlq, skipped 1');
    // A dry run moves nothing: the same again.
    expect(await redrive('--group', 'validation', '--dry-run')).toBe(dry);
    expect(dlq).toContain(prefix);

    broken = false;
    expect(await redrive('--group', 'validation')).toContain('validation: re-published 1 dead letter(s) of validation.dlq, skipped 1');
    await waitFor('the redriven poison applied', async () => applied.includes('poison'), { timeoutMs: 60000 });
    expect(applied).toEqual(['ok-1', 'ok-2', 'poison']);
    expect(await redrive('--group', 'validation')).toContain('validation: re-published 0 dead letter(s) of validation.dlq, skipped 0 (nothing new since the last redrive)');
    const json = JSON.parse(await redrive('--group', 'validation', '--dry-run', '--json'));
    expect(json).toMatchObject({ group: 'validation', dlqTopic: 'validation.dlq', dryRun: true, items: [], republished: 0, skipped: 0 });
  });
});
