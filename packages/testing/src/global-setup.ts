import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Jest global setup: decides where the integration tests find Kafka and Postgres.
 * 1. KAFKA_BROKERS and TEST_DATABASE_ADMIN_URL given → used as they are.
 * 2. A container runtime reachable (DOCKER_HOST or /var/run/docker.sock) → testcontainers starts
 *    Kafka 3.9 (KRaft) and Postgres 15 for this run and stops them in global teardown.
 * 3. Otherwise the local services that scripts/test.sh started (127.0.0.1:9092 / :5432).
 * The project's own machines have no container runtime, so path 3 is the one CI exercises.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.KAFKA_BROKERS && process.env.TEST_DATABASE_ADMIN_URL) return;
  const hasRuntime = !!process.env.DOCKER_HOST || fs.existsSync('/var/run/docker.sock');
  if (!hasRuntime || process.env.TESTCONTAINERS_DISABLED === 'true') return;
  const { GenericContainer, Wait } = await import('testcontainers');
  const started: { stop(): Promise<unknown> }[] = [];
  if (!process.env.TEST_DATABASE_ADMIN_URL) {
    const pg = await new GenericContainer('postgres:15')
      .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust' })
      .withExposedPorts(5432)
      .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
      .start();
    started.push(pg);
    process.env.TEST_DATABASE_ADMIN_URL = `postgres://postgres@${pg.getHost()}:${pg.getMappedPort(5432)}/postgres`;
  }
  if (!process.env.KAFKA_BROKERS) {
    // Fixed host port so the advertised listener matches what clients dial.
    const port = 19092 + Math.floor(Math.random() * 500);
    const kafka = await new GenericContainer('apache/kafka:3.9.1')
      .withExposedPorts({ container: port, host: port })
      .withEnvironment({
        KAFKA_NODE_ID: '1',
        KAFKA_PROCESS_ROLES: 'broker,controller',
        KAFKA_LISTENERS: `PLAINTEXT://0.0.0.0:${port},CONTROLLER://0.0.0.0:9093`,
        KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${port}`,
        KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
        KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
        KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
        KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS: '1',
        KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
        KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
      })
      .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
      .start();
    started.push(kafka);
    process.env.KAFKA_BROKERS = `127.0.0.1:${port}`;
  }
  (globalThis as { __customsContainers?: typeof started }).__customsContainers = started;
  fs.mkdirSync(path.resolve(__dirname, '../../../.run'), { recursive: true });
}
