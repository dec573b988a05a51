import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { DatasetChanged, Topics, dlqTopicFor } from '@customs/contracts';
import { kafkaConnectionSpecs, parseEnv } from '@customs/config';
import { createLogger } from '@customs/telemetry';
import { waitFor } from '@customs/testing';
import { BatchConsumer, buildEvent, createKafka, ensureTopics, kafkaSecurityOptions, type KafkaHandle } from './index';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../../..');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

// A second, throw-away broker of the same Kafka 3.9 jars (scripts/kafka.sh with KAFKA_SASL_USERS:
// a SASL_PLAINTEXT listener with PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512) on free ports, its own
// run directory and a 256 MiB heap; the development broker on 9092 is not touched. The services'
// client, configured only through the KAFKA_SASL_* variables, declares topics, publishes and
// consumes through it; a wrong password is refused by the broker.
describe('SASL PLAIN and SCRAM against a real broker (second local listener)', () => {
  const logger = createLogger('test', 'silent');
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kafka-sasl-'));
  let env: NodeJS.ProcessEnv;
  let brokers: string[];
  beforeAll(async () => {
    const [port, controller] = [await freePort(), await freePort()];
    env = {
      ...process.env,
      KAFKA_RUN_DIR: runDir,
      KAFKA_PORT: String(port),
      KAFKA_CONTROLLER_PORT: String(controller),
      KAFKA_HEAP: '256m',
      KAFKA_SASL_USERS: 'customs:customs-secret-1,analyst:analyst-secret-2',
    };
    await run('bash', [path.join(ROOT, 'scripts/kafka.sh'), 'start'], { env, timeout: 120000 });
    brokers = [`127.0.0.1:${port}`];
  });
  afterAll(async () => {
    if (env) await run('bash', [path.join(ROOT, 'scripts/kafka.sh'), 'stop'], { env, timeout: 60000 }).catch(() => undefined);
    fs.rmSync(runDir, { recursive: true, force: true });
  });

  const client = (vars: Record<string, string>, topicPrefix = ''): KafkaHandle =>
    createKafka({ brokers, clientId: 'sasl-test', logger, topicPrefix, security: kafkaSecurityOptions(parseEnv(kafkaConnectionSpecs(), vars)) });

  it.each([
    ['plain', 'customs', 'customs-secret-1'],
    ['scram-sha-256', 'analyst', 'analyst-secret-2'],
    ['scram-sha-512', 'customs', 'customs-secret-1'],
  ])('%s: declares topics, publishes and consumes a CloudEvent', async (mechanism, user, password) => {
    const scoped = client({ KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: user, KAFKA_SASL_PASSWORD: password }, `${mechanism}.`);
    await ensureTopics(scoped, [
      { name: Topics.datasetChanged.name, partitions: 1 },
      { name: dlqTopicFor('validation'), partitions: 1 },
    ]);
    const producer = scoped.producer();
    await producer.connect();
    const e = buildEvent({
      topic: Topics.datasetChanged,
      key: 'fx',
      value: DatasetChanged.fromPartial({ dataset: 'fx', version: mechanism }),
      tenant: 'platform',
      source: 'reference',
      id: `sasl-${mechanism}`,
    });
    await producer.send({ topic: scoped.physical(e.topic), messages: [{ key: e.key, value: Buffer.from(e.payload), headers: e.headers }] });
    await producer.disconnect();
    const seen: string[] = [];
    const consumer = new BatchConsumer(scoped, { groupId: 'validation', topic: Topics.datasetChanged, logger, handle: async (b) => void seen.push(...b.map((x) => `${x.tenant}:${x.value.version}`)) });
    await consumer.start();
    try {
      await waitFor('the event consumed over SASL', async () => seen.length > 0, { timeoutMs: 60000 });
    } finally {
      await consumer.stop();
    }
    expect(seen).toEqual([`platform:${mechanism}`]);
  });

  it('a wrong password is refused by the broker with a SASL authentication error', async () => {
    const admin = client({ KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'analyst', KAFKA_SASL_PASSWORD: 'not-the-password' }).admin();
    await expect(admin.connect()).rejects.toMatchObject({ name: 'KafkaJSSASLAuthenticationError', message: expect.stringContaining('invalid credentials with SASL mechanism SCRAM-SHA-256') });
  });
});
