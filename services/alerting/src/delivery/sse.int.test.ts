import { Severity } from '@customs/contracts';
import { waitFor } from '@customs/testing';
import { startDeliveryHost, type DeliveryHost } from './__fixtures__/harness';

interface SseEvent {
  id?: string;
  event?: string;
  data: string;
}

/** A minimal EventSource over fetch (which can send the bearer token), parsing the wire format. */
class SseClient {
  readonly events: SseEvent[] = [];
  raw = '';
  status = 0;
  contentType = '';
  private readonly ac = new AbortController();
  private done: Promise<void> | undefined;

  constructor(
    private readonly url: string,
    private readonly headers: Record<string, string>,
  ) {}

  async open(): Promise<this> {
    const res = await fetch(this.url, { headers: { accept: 'text/event-stream', ...this.headers }, signal: this.ac.signal });
    this.status = res.status;
    this.contentType = res.headers.get('content-type') ?? '';
    if (!res.ok) {
      this.raw = await res.text();
      return this;
    }
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buf = '';
    this.done = (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          const text = decoder.decode(value, { stream: true });
          this.raw += text;
          buf += text;
          let i: number;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            const ev: SseEvent = { data: '' };
            const data: string[] = [];
            for (const line of block.split('\n')) {
              if (line.startsWith('id: ')) ev.id = line.slice(4);
              else if (line.startsWith('event: ')) ev.event = line.slice(7);
              else if (line.startsWith('data: ')) data.push(line.slice(6));
            }
            ev.data = data.join('\n');
            if (ev.event) this.events.push(ev);
          }
        }
      } catch {
        // Aborted by close().
      }
    })();
    return this;
  }

  subjects(): string[] {
    return this.events.map((e) => JSON.parse(e.data).subject);
  }

  async close(): Promise<void> {
    this.ac.abort();
    await this.done;
  }
}

describe('SSE /v1/alerts/stream', () => {
  let host: DeliveryHost;
  const clients: SseClient[] = [];
  const connect = async (query = '', headers: Record<string, string> = {}, token?: string) => {
    const c = new SseClient(`${host.service.httpUrl}/v1/alerts/stream${query}`, { authorization: `Bearer ${token ?? host.tokens.a.analyst}`, ...headers });
    clients.push(c);
    return c.open();
  };

  beforeAll(async () => {
    host = await startDeliveryHost('sse', { SSE_HEARTBEAT_MS: '200' });
  });
  afterAll(async () => {
    for (const c of clients) await c.close();
    await host?.close();
  });

  it('streams the tenant’s changes as they happen (id = cursor, data = the CloudEvent), never another tenant’s', async () => {
    const sse = await connect();
    expect(sse.status).toBe(200);
    expect(sse.contentType).toMatch(/^text\/event-stream/);
    await waitFor('stream open', async () => sse.raw.includes('retry: 2000'));
    const b = await host.change(host.tenants.b, { alertId: 'sse-b-1' });
    const a = await host.change(host.tenants.a, { alertId: 'sse-a-1' });
    await waitFor('A’s change', async () => sse.events.length >= 1);
    expect(sse.events).toHaveLength(1);
    const ev = sse.events[0]!;
    expect(ev).toMatchObject({ id: String(a), event: 'alert.changed' });
    expect(JSON.parse(ev.data)).toMatchObject({ specversion: '1.0', subject: 'sse-a-1', tenantid: host.tenants.a, data: { class_uid: 2004, customs: { tenant_id: host.tenants.a } } });
    expect(sse.raw).not.toContain('sse-b-1');
    expect(b).toBeLessThan(a);

    // Tenant B's stream sees B's change when replaying from the start, and nothing of A's.
    const bs = await connect('?lastEventId=0', {}, host.tokens.b.analyst);
    await waitFor('B’s replay', async () => bs.events.length >= 1);
    expect(bs.subjects()).toEqual(['sse-b-1']);
  });

  it('resumes after Last-Event-ID with no gap and no repeat', async () => {
    const first = await connect();
    await waitFor('stream open', async () => first.raw.includes('retry: 2000'));
    const c1 = await host.change(host.tenants.a, { alertId: 'resume-1' });
    await waitFor('first event', async () => first.events.some((e) => e.id === String(c1)));
    await first.close();
    // Missed while disconnected.
    await host.change(host.tenants.a, { alertId: 'resume-2' });
    await host.change(host.tenants.a, { alertId: 'resume-3' });
    const again = await connect('', { 'last-event-id': String(c1) });
    await waitFor('missed events', async () => again.events.length >= 2);
    const c4 = await host.change(host.tenants.a, { alertId: 'resume-4' });
    await waitFor('live event', async () => again.events.some((e) => e.id === String(c4)));
    expect(again.subjects()).toEqual(['resume-2', 'resume-3', 'resume-4']);
    const ids = again.events.map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
  });

  it('fans one reader out to many streams: each gets exactly its tenant’s changes, in order, once', async () => {
    const a1 = await connect();
    const a2 = await connect();
    const b1 = await connect('', {}, host.tokens.b.analyst);
    for (const c of [a1, a2, b1]) await waitFor('stream open', async () => c.raw.includes('retry: 2000'));
    const sent = { a: [] as number[], b: [] as number[] };
    for (let i = 0; i < 30; i++) {
      const tenant = i % 3 === 0 ? 'b' : 'a';
      sent[tenant].push(await host.change(host.tenants[tenant], { alertId: `fan-${tenant}-${i}` }));
    }
    await waitFor('all delivered', async () => a1.events.length >= sent.a.length && a2.events.length >= sent.a.length && b1.events.length >= sent.b.length);
    for (const c of [a1, a2]) expect(c.events.map((e) => Number(e.id))).toEqual(sent.a);
    expect(b1.events.map((e) => Number(e.id))).toEqual(sent.b);
    expect(a1.raw).not.toContain('fan-b-');
    expect(b1.raw).not.toContain('fan-a-');
  });

  it('applies the filters, sends heartbeat comments, and refuses bad input with a 400 naming the field', async () => {
    const sse = await connect('?minSeverity=critical&ruleIds=AR-001');
    await waitFor('stream open', async () => sse.raw.includes('retry: 2000'));
    await host.change(host.tenants.a, { alertId: 'filter-high', severity: Severity.SEVERITY_HIGH });
    const crit = await host.change(host.tenants.a, { alertId: 'filter-critical', severity: Severity.SEVERITY_CRITICAL });
    await waitFor('critical event', async () => sse.events.some((e) => e.id === String(crit)));
    expect(sse.subjects()).toEqual(['filter-critical']);
    await waitFor('heartbeat', async () => sse.raw.includes(': heartbeat'));

    const bad = await connect('?minSeverity=urgent');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.raw)).toMatchObject({ error: 'invalid_field', details: { field: 'query.minSeverity' } });
    const badId = await connect('', { 'last-event-id': 'abc' });
    expect(badId.status).toBe(400);
    expect(JSON.parse(badId.raw)).toMatchObject({ details: { field: 'Last-Event-ID' } });
    const anon = await fetch(`${host.service.httpUrl}/v1/alerts/stream`, { headers: { accept: 'text/event-stream' } });
    expect(anon.status).toBe(401);
    const integrator = await connect('', {}, host.tokens.a.integrator);
    expect(integrator.status).toBe(403);
  });
});
