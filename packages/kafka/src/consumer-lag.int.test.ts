import { Topics } from '@customs/contracts';
import { createTestTopics, deleteTestTopics, uniquePrefix } from '@customs/testing';
import { ConsumerLagSampler, type KafkaHandle } from './index';

// Real Kafka: the sampler's lag is the end offset minus the group's committed offset per
// partition, everything retained for a group that has not committed yet, and a sample is reused
// within its interval instead of asking the broker again.
describe('consumer lag sampler (real Kafka)', () => {
  let kafka: KafkaHandle;
  const topic = Topics.declarationChecked.name;

  beforeAll(async () => {
    kafka = await createTestTopics(uniquePrefix('lag'));
    const producer = kafka.producer();
    await producer.connect();
    // Five messages on partition 0, two on partition 1; the others stay empty.
    await producer.send({ topic: kafka.physical(topic), messages: [0, 1, 2, 3, 4].map((i) => ({ partition: 0, value: `m${i}` })) });
    await producer.send({ topic: kafka.physical(topic), messages: [0, 1].map((i) => ({ partition: 1, value: `n${i}` })) });
    await producer.disconnect();
  });
  afterAll(async () => deleteTestTopics(kafka));

  it('reports end minus committed offset per partition, and everything for a group with no commit', async () => {
    let clock = 0;
    const sampler = new ConsumerLagSampler(kafka, [{ groupId: 'lag-group', topic }], { minIntervalMs: 10_000, now: () => clock });
    try {
      const before = await sampler.sample();
      expect(before.filter((l) => l.lag > 0).map((l) => [l.partition, l.lag])).toEqual([
        [0, 5],
        [1, 2],
      ]);
      expect(new Set(before.map((l) => l.group))).toEqual(new Set(['lag-group']));

      const admin = kafka.admin();
      await admin.connect();
      try {
        await admin.setOffsets({ groupId: kafka.physical('lag-group'), topic: kafka.physical(topic), partitions: [{ partition: 0, offset: '3' }] });
      } finally {
        await admin.disconnect();
      }
      // Within the interval the sample is reused: no new round of offset requests.
      expect(await sampler.sample()).toBe(before);
      clock += 10_000;
      const after = await sampler.sample();
      expect(after.find((l) => l.partition === 0)?.lag).toBe(2);
      expect(after.find((l) => l.partition === 1)?.lag).toBe(2);
    } finally {
      await sampler.stop();
    }
  });
});
