import { ServiceMetrics } from './metrics';

describe('scrape-time samples', () => {
  it('report per-partition lag and the outbox age when scraped', async () => {
    const m = new ServiceMetrics('test', { defaultMetrics: false });
    m.sampleConsumerLagFrom(async () => [
      { group: 'g', topic: 't', partition: 0, lag: 5 },
      { group: 'g', topic: 't', partition: 1, lag: 0 },
    ]);
    m.sampleOutboxAgeFrom(async () => 12.5);
    const text = await m.registry.metrics();
    expect(text).toContain('customs_kafka_consumer_lag{group="g",topic="t",partition="0",service="test"} 5');
    expect(text).toContain('customs_kafka_consumer_lag{group="g",topic="t",partition="1",service="test"} 0');
    expect(text).toContain('customs_outbox_oldest_age_seconds{service="test"} 12.5');
  });

  it('a failing sample keeps the last values, is counted, and /metrics still answers', async () => {
    const m = new ServiceMetrics('test', { defaultMetrics: false });
    let down = false;
    m.sampleConsumerLagFrom(async () => {
      if (down) throw new Error('broker unreachable');
      return [{ group: 'g', topic: 't', partition: 0, lag: 7 }];
    });
    m.sampleOutboxAgeFrom(async () => {
      if (down) throw new Error('database unreachable');
      return 3;
    });
    await m.registry.metrics();
    down = true;
    await m.registry.metrics();
    // Metrics are collected concurrently, so a failure is counted by the next scrape.
    const text = await m.registry.metrics();
    expect(text).toContain('customs_kafka_consumer_lag{group="g",topic="t",partition="0",service="test"} 7');
    expect(text).toContain('customs_outbox_oldest_age_seconds{service="test"} 3');
    expect(text).toMatch(/customs_metric_sample_failures_total\{sample="consumer_lag",service="test"\} [12]\n/);
    expect(text).toMatch(/customs_metric_sample_failures_total\{sample="outbox_age",service="test"\} [12]\n/);
  });
});
