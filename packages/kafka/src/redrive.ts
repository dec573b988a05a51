import type { KafkaMessage } from 'kafkajs';
import { dlqTopicFor } from '@customs/contracts';
import type { KafkaHandle } from './client';
import { headersToStrings } from './events';

/** One dead letter the redrive looked at. */
export interface RedriveItem {
  dlqPartition: number;
  dlqOffset: string;
  ceId: string;
  /** Logical topic the message is (or would be) re-published to. */
  toTopic: string;
  error: string;
  /** Why it was skipped; undefined when (re-)published. */
  skipped?: string;
}

export interface RedriveResult {
  group: string;
  dlqTopic: string;
  dryRun: boolean;
  items: RedriveItem[];
  republished: number;
  skipped: number;
}

/** Headers the consumer adds when it dead-letters a message (consumer.ts sendDlq). */
const DLQ_HEADERS = ['dlq_error', 'dlq_original_topic', 'dlq_original_partition', 'dlq_original_offset', 'dlq_consumer_group', 'dlq_at'];

/** The consumer group whose committed offsets record how far a group's DLQ has been redriven. */
export function redriveGroupFor(group: string): string {
  return `${group}.redrive`;
}

/**
 * Re-publishes the dead letters of a consumer group to the topics they came from, with their key,
 * value and headers (the dlq_* headers dropped, `redriven_from` added), so the group sees them
 * again once the cause is fixed. Reads from where the last redrive stopped (offsets committed by
 * the consumer group `<group>.redrive`) to the DLQ's end as it is when the redrive starts; a dry
 * run reads the same messages, publishes nothing and commits nothing.
 *
 * Idempotent downstream: a message keeps its ce_id, and every consumer deduplicates by it (the
 * inbox), so the other groups reading the source topic ignore the copy and a message redriven
 * twice is applied once. A message without ce_id (a foreign producer's) would be a new event to
 * every group, so it is skipped, as is one without dlq_original_topic.
 */
export async function redriveDeadLetters(handle: KafkaHandle, opts: { group: string; dryRun: boolean; timeoutMs?: number }): Promise<RedriveResult> {
  const dlq = dlqTopicFor(opts.group);
  const physicalDlq = handle.physical(dlq);
  const admin = handle.admin();
  await admin.connect();
  let ends: { partition: number; high: string; low: string }[];
  let committed: { partition: number; offset: string }[];
  try {
    const topics = await admin.listTopics();
    if (!topics.includes(physicalDlq)) throw new Error(`dead-letter topic ${physicalDlq} of consumer group ${opts.group} does not exist (declared groups: infra/kafka/topics.json)`);
    ends = (await admin.fetchTopicOffsets(physicalDlq)).map((p) => ({ partition: p.partition, high: p.high, low: p.low }));
    const fetched = await admin.fetchOffsets({ groupId: handle.physical(redriveGroupFor(opts.group)), topics: [physicalDlq] });
    committed = fetched[0]?.partitions ?? [];
  } finally {
    await admin.disconnect();
  }
  const start = new Map(ends.map((e) => [e.partition, BigInt(committed.find((c) => c.partition === e.partition && c.offset !== '-1')?.offset ?? e.low)]));
  const pending = ends.filter((e) => BigInt(e.high) > start.get(e.partition)!);
  const result: RedriveResult = { group: opts.group, dlqTopic: dlq, dryRun: opts.dryRun, items: [], republished: 0, skipped: 0 };
  if (pending.length === 0) return result;

  const messages: { partition: number; message: KafkaMessage }[] = [];
  const consumer = handle.kafka.consumer({ groupId: handle.physical(redriveGroupFor(opts.group)), sessionTimeout: 30000 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: physicalDlq, fromBeginning: true });
    const done = new Set<number>();
    const finished = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redrive of ${dlq}: did not read to the end within ${opts.timeoutMs ?? 60000} ms`)), opts.timeoutMs ?? 60000);
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            const end = BigInt(ends.find((e) => e.partition === partition)!.high);
            if (BigInt(message.offset) < end && BigInt(message.offset) >= start.get(partition)!) messages.push({ partition, message });
            if (BigInt(message.offset) + 1n >= end) done.add(partition);
            if (pending.every((p) => done.has(p.partition))) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
    // Start each partition where the last redrive left off (the group's own offsets are ignored
    // by seek, which is what makes a dry run repeatable).
    for (const p of pending) consumer.seek({ topic: physicalDlq, partition: p.partition, offset: String(start.get(p.partition)) });
    await finished;
    consumer.pause([{ topic: physicalDlq }]);

    const toSend = new Map<string, { key: Buffer | null; value: Buffer | null; headers: Record<string, string> }[]>();
    for (const { partition, message } of messages) {
      const h = headersToStrings(message.headers as Record<string, unknown>);
      const item: RedriveItem = { dlqPartition: partition, dlqOffset: message.offset, ceId: h.ce_id ?? '', toTopic: h.dlq_original_topic ?? '', error: h.dlq_error ?? '' };
      if (!h.dlq_original_topic) item.skipped = 'no dlq_original_topic header: not a dead letter of this platform';
      else if (!h.ce_id) item.skipped = 'no ce_id: every group would take a copy as a new event, so it is not re-published (re-send it from its producer)';
      result.items.push(item);
      if (item.skipped) {
        result.skipped++;
        continue;
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(h)) if (!DLQ_HEADERS.includes(k)) headers[k] = v;
      headers.redriven_from = `${dlq}/${partition}/${message.offset}`;
      const list = toSend.get(item.toTopic) ?? [];
      list.push({ key: message.key, value: message.value, headers });
      toSend.set(item.toTopic, list);
    }
    if (!opts.dryRun) {
      const producer = handle.producer();
      await producer.connect();
      try {
        // One batch per source topic, acks from all in-sync replicas, before any offset moves.
        await producer.sendBatch({ acks: -1, topicMessages: [...toSend].map(([topic, msgs]) => ({ topic: handle.physical(topic), messages: msgs })) });
      } finally {
        await producer.disconnect();
      }
      result.republished = [...toSend.values()].reduce((n, l) => n + l.length, 0);
      await consumer.commitOffsets(pending.map((p) => ({ topic: physicalDlq, partition: p.partition, offset: p.high })));
    }
  } finally {
    await consumer.disconnect();
  }
  return result;
}
