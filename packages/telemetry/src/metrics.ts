import { Counter, Histogram, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

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
