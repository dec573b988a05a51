import { Kafka as CloudEventsKafka } from 'cloudevents';
import { DatasetChanged, Topics } from '@customs/contracts';
import { buildEvent, tenantOf } from './index';

// No tracer provider is registered in this file (a bare script's situation): the event still
// carries a valid W3C traceparent, and the CloudEvents binding headers.
describe('buildEvent without any tracing set up', () => {
  it('writes the CloudEvents binding headers and a fresh sampled traceparent', () => {
    const ev = buildEvent({
      topic: Topics.datasetChanged,
      key: 'fx',
      value: DatasetChanged.fromPartial({ dataset: 'fx', version: '2026-12' }),
      tenant: 'platform',
      source: 'reference',
      time: new Date('2026-12-03T09:00:00Z'),
    });
    expect(ev.headers).toEqual({
      ce_specversion: '1.0',
      ce_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      ce_type: 'reference.dataset.changed.v1',
      ce_source: '/customs/reference',
      ce_time: '2026-12-03T09:00:00.000Z',
      'content-type': 'application/protobuf; messageType=customs.v1.DatasetChanged',
      ce_tenant: 'platform',
      traceparent: expect.stringMatching(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/),
    });
    const parsed = CloudEventsKafka.toEvent({ key: ev.key, value: Buffer.from(ev.payload), headers: ev.headers, timestamp: '0' });
    const e = Array.isArray(parsed) ? parsed[0]! : parsed;
    expect([e.datacontenttype, e.tenant, DatasetChanged.decode(e.data as Uint8Array).version]).toEqual(['application/protobuf; messageType=customs.v1.DatasetChanged', 'platform', '2026-12']);
  });

  it('tenantOf reads ce_tenant, else the older tenant header, else ""', () => {
    expect(tenantOf({ ce_tenant: 'a', tenant: 'b' })).toBe('a');
    expect(tenantOf({ tenant: 'b' })).toBe('b');
    expect(tenantOf({})).toBe('');
  });
});
