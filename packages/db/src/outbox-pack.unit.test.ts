import { groupForPacks, packOutboxMessages, unpackOutboxMessages } from './outbox-pack';
import type { OutboxMessage } from './inbox-outbox';

const msg = (i: number, payloadBytes = 10): OutboxMessage => ({
  topic: i % 2 ? 'ingestion.declaration.received.v1' : 'validation.finding.raised.v1',
  key: `tenant-ä|26GB${i}`,
  payload: Uint8Array.from({ length: payloadBytes }, (_, b) => (b * 7 + i) & 0xff),
  headers: { ce_id: `declaration/t/${i}/1`, ce_type: 'x', tenant: 'tenant-ä', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
});

describe('outbox packs', () => {
  it('round-trips messages in order: topics, UTF-8 keys and headers, empty headers and payloads', () => {
    const messages = [...Array.from({ length: 100 }, (_, i) => msg(i)), { topic: 't', key: '', payload: new Uint8Array(0), headers: {} }];
    const back = unpackOutboxMessages(packOutboxMessages(messages));
    expect(back).toHaveLength(101);
    back.forEach((m, i) => {
      const want = messages[i]!;
      expect(m.topic).toBe(want.topic);
      expect(m.key.toString('utf8')).toBe(want.key);
      expect([...m.payload]).toEqual([...want.payload]);
      expect(Object.fromEntries(Object.entries(m.headers).map(([k, v]) => [k, v.toString('utf8')]))).toEqual(want.headers);
    });
  });

  it('cuts groups by size, keeps their order, and sends a single oversized message alone', () => {
    const messages = [msg(0, 400), msg(1, 400), msg(2, 5000), msg(3, 400), msg(4, 400), msg(5, 400)];
    const groups = groupForPacks(messages, 1200);
    expect(groups.flat()).toEqual(messages);
    expect(groups.map((g) => g.length)).toEqual([2, 1, 2, 1]);
    for (const g of groups.filter((x) => x.length > 1)) expect(packOutboxMessages(g).length).toBeLessThanOrEqual(1200);
  });

  it('refuses bytes that are not a whole pack, naming the offset', () => {
    const pack = packOutboxMessages([msg(1), msg(2)]);
    expect(() => unpackOutboxMessages(Buffer.from('{"topic":"x"}'))).toThrow(/not a pack \(bad magic\) at byte 0/);
    expect(() => unpackOutboxMessages(pack.subarray(0, pack.length - 3))).toThrow(/truncated .* at byte \d+ of \d+/);
    expect(() => unpackOutboxMessages(Buffer.concat([pack, Buffer.from([0])]))).toThrow(/1 trailing bytes at byte \d+/);
  });
});
