import { Counter, Histogram, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/** One partition's consumer lag, as the lag sampler reports it. */
export interface ConsumerLag {
  group: string;
  topic: string;
  partition: number;
  lag: number;
}

/** Request latency buckets (seconds): 2.5 ms to 30 s, covering a lookup up to a large upload. */
const LATENCY_BUCKETS = [0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * A service's Prometheus registry with the platform's standard pipeline metrics. Each service
 * gets its own registry so several services can run in one test process.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly messagesConsumed: Counter<'topic' | 'outcome'>;
  readonly messagesProduced: Counter<'topic'>;
  readonly batchDuration: Histogram<'consumer'>;
  readonly outboxBacklog: Gauge;
  readonly outboxDeadLettered: Counter<'topic'>;
  readonly httpRequests: Counter<'route' | 'method' | 'status'>;
  readonly httpDuration: Histogram<'route' | 'method' | 'status'>;
  readonly grpcDuration: Histogram<'method' | 'code'>;
  readonly consumerLag: Gauge<'group' | 'topic' | 'partition'>;
  readonly outboxOldestAge: Gauge;
  readonly sampleFailures: Counter<'sample'>;
  private lagSource: (() => Promise<ConsumerLag[]>) | undefined;
  private outboxAgeSource: (() => Promise<number>) | undefined;

  constructor(
    readonly service: string,
    opts: { defaultMetrics?: boolean } = {},
  ) {
    this.registry.setDefaultLabels({ service });
    if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    this.messagesConsumed = new Counter({
      name: 'customs_messages_consumed_total',
      help: 'Kafka messages consumed, by outcome (processed, duplicate, dead_lettered)',
      labelNames: ['topic', 'outcome'],
      registers: [this.registry],
    });
    this.messagesProduced = new Counter({ name: 'customs_messages_produced_total', help: 'Kafka messages published from the outbox', labelNames: ['topic'], registers: [this.registry] });
    this.batchDuration = new Histogram({
      name: 'customs_consumer_batch_seconds',
      help: 'Time to process one consumed batch including its database transaction',
      labelNames: ['consumer'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    this.outboxBacklog = new Gauge({ name: 'customs_outbox_backlog', help: 'Outbox rows not yet published to Kafka', registers: [this.registry] });
    this.outboxDeadLettered = new Counter({
      name: 'customs_outbox_dead_lettered_total',
      help: 'Outbox messages the broker refused for good, moved to outbox_dead_letters (alert on any increase)',
      labelNames: ['topic'],
      registers: [this.registry],
    });
    this.httpRequests = new Counter({ name: 'customs_http_requests_total', help: 'HTTP requests', labelNames: ['route', 'method', 'status'], registers: [this.registry] });
    // Route is the route's pattern (/v1/declarations/:id), never the raw URL: bounded cardinality.
    this.httpDuration = new Histogram({
      name: 'customs_http_request_duration_seconds',
      help: 'HTTP request latency from arrival to the response sent, by route pattern, method and status',
      labelNames: ['route', 'method', 'status'],
      buckets: LATENCY_BUCKETS,
      registers: [this.registry],
    });
    this.grpcDuration = new Histogram({
      name: 'customs_grpc_server_duration_seconds',
      help: 'gRPC server call latency (a server stream: until its last message), by method and status code',
      labelNames: ['method', 'code'],
      buckets: LATENCY_BUCKETS,
      registers: [this.registry],
    });
    const metrics = this;
    // A sample that fails (the broker or the database unreachable) keeps the gauge's last values
    // and counts here: /metrics must still answer, with everything else, when a dependency is down.
    this.sampleFailures = new Counter({
      name: 'customs_metric_sample_failures_total',
      help: 'Scrape-time samples that failed (consumer_lag: the broker; outbox_age: the database); the gauge keeps its last value. Collected concurrently, so a failure shows from the next scrape',
      labelNames: ['sample'],
      registers: [this.registry],
    });
    this.consumerLag = new Gauge({
      name: 'customs_kafka_consumer_lag',
      help: "Messages a consumer group has still to read, per partition (the topic's end offset minus the group's committed offset), sampled when scraped",
      labelNames: ['group', 'topic', 'partition'],
      registers: [this.registry],
      async collect() {
        if (!metrics.lagSource) return;
        let lags: ConsumerLag[];
        try {
          lags = await metrics.lagSource();
        } catch {
          metrics.sampleFailures.inc({ sample: 'consumer_lag' });
          return;
        }
        this.reset();
        for (const l of lags) this.set({ group: l.group, topic: l.topic, partition: String(l.partition) }, l.lag);
      },
    });
    this.outboxOldestAge = new Gauge({
      name: 'customs_outbox_oldest_age_seconds',
      help: 'Age of the oldest outbox row not yet published to Kafka (0 when the outbox is empty), sampled when scraped',
      registers: [this.registry],
      async collect() {
        if (!metrics.outboxAgeSource) return;
        try {
          this.set(await metrics.outboxAgeSource());
        } catch {
          metrics.sampleFailures.inc({ sample: 'outbox_age' });
        }
      },
    });
  }

  /**
   * Where the consumer-lag gauge reads from when scraped (the platform's sampler, which asks the
   * broker for the groups' committed and end offsets at most once per interval, never per message).
   */
  sampleConsumerLagFrom(source: () => Promise<ConsumerLag[]>): void {
    this.lagSource = source;
  }

  /** Where the outbox-age gauge reads from when scraped (one indexed query). */
  sampleOutboxAgeFrom(source: () => Promise<number>): void {
    this.outboxAgeSource = source;
  }

  counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  histogram<L extends string>(name: string, help: string, labelNames: readonly L[] = [], buckets?: number[]): Histogram<L> {
    return new Histogram({ name, help, labelNames, buckets, registers: [this.registry] });
  }

  /** A gauge read when /metrics is scraped (a queue length, a pool's size). */
  gaugeOf(name: string, help: string, read: () => number): Gauge {
    return new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }
}
