import { Kafka, logLevel, Partitioners, type Producer, type Admin } from 'kafkajs';
import type { Logger } from '@customs/telemetry';
import type { KafkaSecurityOptions } from './connection';

/**
 * The one place kafkajs is constructed. kafkajs is unmaintained upstream (docs/kafka.md), so
 * services only see this package's API and the client can be swapped here.
 */
export interface KafkaHandle {
  readonly kafka: Kafka;
  producer(): Producer;
  admin(): Admin;
  /** Physical topic name of a logical one (adds the deployment's topic prefix). */
  physical(topic: string): string;
  /** Logical topic name of a physical one. */
  logical(topic: string): string;
  /** Replication factor ensureTopics declares topics with (KAFKA_REPLICATION_FACTOR). */
  readonly replicationFactor: number;
}

/**
 * @param opts.topicPrefix optional prefix of every physical topic (KAFKA_TOPIC_PREFIX), so test
 * runs or environments can share a broker without seeing each other's events. Services and the
 * outbox use logical names; only this package sees the prefix.
 * @param opts.security TLS and SASL (kafkaSecurityOptions from the KAFKA_SSL_* / KAFKA_SASL_*
 * variables); none = PLAINTEXT, the local broker.
 * @param opts.replicationFactor of the topics ensureTopics creates (default 1, one local broker).
 */
export function createKafka(opts: { brokers: string[]; clientId: string; logger?: Logger; topicPrefix?: string; security?: KafkaSecurityOptions; replicationFactor?: number }): KafkaHandle {
  const prefix = opts.topicPrefix ?? '';
  const log = opts.logger;
  const kafka = new Kafka({
    clientId: opts.clientId,
    brokers: opts.brokers,
    ...opts.security,
    connectionTimeout: 5000,
    retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 5000 },
    logLevel: logLevel.WARN,
    logCreator: () => (entry) => {
      if (!log) return;
      const { message, ...rest } = entry.log;
      const fields = { kafka: { namespace: entry.namespace, ...rest } };
      if (entry.level <= logLevel.ERROR) log.error(fields, message);
      else log.warn(fields, message);
    },
  });
  return {
    kafka,
    producer: () => kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false }),
    admin: () => kafka.admin(),
    physical: (t) => prefix + t,
    logical: (t) => (prefix && t.startsWith(prefix) ? t.slice(prefix.length) : t),
    replicationFactor: opts.replicationFactor ?? 1,
  };
}

/** Topic declaration as in infra/kafka/topics.json. */
export interface TopicSpec {
  name: string;
  partitions: number;
}

/** Creates the topics that do not exist yet (idempotent); returns the names created. */
export async function ensureTopics(handle: KafkaHandle, topics: TopicSpec[]): Promise<string[]> {
  const admin = handle.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(handle.physical(t.name)));
    if (missing.length > 0) {
      await admin.createTopics({ waitForLeaders: true, topics: missing.map((t) => ({ topic: handle.physical(t.name), numPartitions: t.partitions, replicationFactor: handle.replicationFactor })) });
    }
    return missing.map((t) => handle.physical(t.name));
  } finally {
    await admin.disconnect();
  }
}
