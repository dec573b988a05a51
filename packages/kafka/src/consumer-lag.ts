import type { Admin } from 'kafkajs';
import type { ConsumerLag } from '@customs/telemetry';
import type { KafkaHandle } from './client';

/** A consumer group and the logical topic it reads. */
export interface LagSubject {
  groupId: string;
  topic: string;
}

/**
 * Per-partition lag of a service's consumer groups: the topic's end offset (high watermark)
 * minus the group's committed offset, from the admin API (fetchTopicOffsets, fetchOffsets). It
 * is sampled, not counted per message: a sample is reused for `minIntervalMs`, so however often
 * /metrics is scraped the broker sees at most one round of offset requests per interval. A group
 * with no committed offset yet (-1) lags by everything retained (end minus start offset), which
 * is what it will read, since the platform's consumers start from the beginning.
 */
export class ConsumerLagSampler {
  private admin: Admin | undefined;
  private last: { at: number; lags: ConsumerLag[] } | undefined;
  private inFlight: Promise<ConsumerLag[]> | undefined;

  constructor(
    private readonly handle: KafkaHandle,
    private readonly subjects: readonly LagSubject[],
    private readonly opts: { minIntervalMs?: number; now?: () => number } = {},
  ) {}

  /** The latest sample, refreshed when older than minIntervalMs (default 10 s). */
  async sample(): Promise<ConsumerLag[]> {
    const now = this.opts.now ?? Date.now;
    if (this.last && now() - this.last.at < (this.opts.minIntervalMs ?? 10_000)) return this.last.lags;
    this.inFlight ??= this.fetch()
      .then((lags) => {
        this.last = { at: now(), lags };
        return lags;
      })
      .finally(() => {
        this.inFlight = undefined;
      });
    return this.inFlight;
  }

  private async fetch(): Promise<ConsumerLag[]> {
    if (this.subjects.length === 0) return [];
    if (!this.admin) {
      const admin = this.handle.admin();
      await admin.connect();
      this.admin = admin;
    }
    const admin = this.admin;
    const ends = new Map<string, Map<number, { low: bigint; high: bigint }>>();
    for (const topic of new Set(this.subjects.map((s) => s.topic))) {
      const offsets = await retryingRetriable(() => admin.fetchTopicOffsets(this.handle.physical(topic)));
      ends.set(topic, new Map(offsets.map((o) => [o.partition, { low: BigInt(o.low), high: BigInt(o.high) }])));
    }
    const lags: ConsumerLag[] = [];
    for (const s of this.subjects) {
      const [committed] = await admin.fetchOffsets({ groupId: this.handle.physical(s.groupId), topics: [this.handle.physical(s.topic)] });
      const byPartition = new Map((committed?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
      for (const [partition, end] of [...(ends.get(s.topic) ?? [])].sort(([a], [b]) => a - b)) {
        const at = byPartition.get(partition) ?? -1n;
        const lag = at < 0n ? end.high - end.low : end.high - at;
        lags.push({ group: s.groupId, topic: s.topic, partition, lag: Number(lag > 0n ? lag : 0n) });
      }
    }
    return lags;
  }

  async stop(): Promise<void> {
    await this.admin?.disconnect();
    this.admin = undefined;
  }
}

/**
 * kafkajs' admin does not retry a ListOffsets answered "not the leader for that topic-partition"
 * (a partition whose leadership is moving: a new topic, a broker restarting); the error is
 * retriable, so the sample is asked again a few times (backing off) before it fails.
 */
async function retryingRetriable<T>(f: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await f();
    } catch (e) {
      if (i >= attempts || !(e as { retriable?: boolean }).retriable) throw e;
      await new Promise((r) => setTimeout(r, 200 * i));
    }
  }
}
