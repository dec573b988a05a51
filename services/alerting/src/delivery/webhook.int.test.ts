import { createHmac } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HTTP, type CloudEvent } from 'cloudevents';
import { AlertStatus, Severity } from '@customs/contracts';
import { createDb } from '@customs/db';
import { waitFor } from '@customs/testing';
import { DeliveryRepo, type DeliveryKysely } from '../db/delivery-repo';
import { startDeliveryHost, type DeliveryHost } from './__fixtures__/harness';

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A real HTTP receiver on loopback: records every request; answers per path. */
function startReceiver() {
  const received: Received[] = [];
  const failing = new Set<string>();
  const gone = new Set<string>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(gone.has(path) ? 410 : failing.has(path) ? 500 : 204).end();
    });
  });
  return {
    received,
    failing,
    gone,
    at: (path: string) => received.filter((r) => r.path === path),
    listen: () => new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`))),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** What a receiver does to check a delivery (the README shows the same few lines). */
function verify(secret: string, r: Received, toleranceSec = 300): boolean {
  const id = String(r.headers['webhook-id']);
  const ts = Number(r.headers['webhook-timestamp']);
  if (Math.abs(Date.now() / 1000 - ts) > toleranceSec) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${ts}.${r.body}`).digest('base64');
  return String(r.headers['webhook-signature'])
    .split(' ')
    .some((s) => s === `v1,${expected}`);
}

const eventOf = (r: Received) => HTTP.toEvent({ headers: r.headers as Record<string, string>, body: r.body }) as CloudEvent<any>;

describe('webhooks', () => {
  let host: DeliveryHost;
  const receiver = startReceiver();
  let base: string;

  beforeAll(async () => {
    base = await receiver.listen();
    host = await startDeliveryHost('webhooks', { WEBHOOK_MAX_ATTEMPTS: '3', WEBHOOK_RETRY_BASE_MS: '50', WEBHOOK_RETRY_MAX_MS: '200' });
  });
  afterAll(async () => {
    await host?.close();
    await receiver.close();
  });

  const subscribe = async (path: string, extra: Record<string, unknown> = {}, token?: string) => {
    const r = await host.http('POST', '/v1/webhooks', { url: `${base}${path}`, ...extra }, token);
    expect(r.status).toBe(201);
    return r.body as { subscription: { id: string; cursor: number }; secret: string };
  };
  const settled = (id: string, cursor: number, token = host.tokens.a.admin) =>
    waitFor(`subscription ${id} settled past ${cursor}`, async () => {
      const r = await host.http('GET', `/v1/webhooks/${id}`, undefined, token);
      return r.body.subscription.cursor >= cursor;
    });

  it('refuses bad subscriptions with a 400 naming the field, and non-admins with 403', async () => {
    const cases: [unknown, string][] = [
      [{ url: 'ftp://example.com/hook' }, 'url'],
      [{ url: 'file:///etc/passwd' }, 'url'],
      [{ url: 'http://10.0.0.1/hook' }, 'url'],
      [{ url: 'https://user:pw@example.com/hook' }, 'url'],
      [{}, 'url'],
      [{ url: `${base}/x`, filters: { minSeverity: 'urgent' } }, 'filters.minSeverity'],
      [{ url: `${base}/x`, filters: { minPounds: 'lots' } }, 'filters.minPounds'],
      [{ url: `${base}/x`, secret: 'mine' }, 'secret'],
      [{ url: `${base}/x`, startAfterCursor: -1 }, 'startAfterCursor'],
    ];
    for (const [body, field] of cases) {
      const r = await host.http('POST', '/v1/webhooks', body);
      expect({ body, status: r.status, field: r.body.details?.field }).toEqual({ body, status: 400, field });
      expect(r.body.message).toContain(field);
    }
    expect((await host.http('POST', '/v1/webhooks', { url: `${base}/x` }, host.tokens.a.analyst)).status).toBe(403);
    expect((await host.http('GET', '/v1/webhooks/nope')).status).toBe(404);
  });

  it('delivers each change as a signed CloudEvent with the OCSF body, never another tenant’s, and never shows the secret again', async () => {
    const { subscription, secret } = await subscribe('/signed');
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const b = await host.change(host.tenants.b, { alertId: 'alert-of-b' });
    // Tenant B's own subscriber, to show it gets B's changes while A's never does.
    const bSub = await subscribe('/signed-b', { startAfterCursor: b - 1 }, host.tokens.b.admin);
    const a = await host.change(host.tenants.a, { alertId: 'alert-of-a' });
    await settled(subscription.id, a);
    await settled(bSub.subscription.id, b, host.tokens.b.admin);

    const got = receiver.at('/signed');
    expect(got).toHaveLength(1);
    const r = got[0]!;
    expect(r.headers['content-type']).toMatch(/^application\/cloudevents\+json/);
    expect(r.headers['webhook-id']).toBe(`alert-change/${host.tenants.a}/${a}`);
    expect(verify(secret, r)).toBe(true);
    expect(verify(secret, { ...r, body: r.body.replace('alert-of-a', 'alert-of-x') })).toBe(false);
    expect(verify(secret, r, -1)).toBe(false);
    const ce = eventOf(r);
    expect(ce).toMatchObject({ specversion: '1.0', type: 'customs.alerting.alert.changed.v1', source: '/customs/alerting', subject: 'alert-of-a', tenantid: host.tenants.a });
    expect(ce.data).toMatchObject({
      class_uid: 2004,
      activity_id: 1,
      severity_id: 4,
      customs: { tenant_id: host.tenants.a, exposure: { pence: 1_050_075, gbp: '10500.75' }, importer: 'GB123456789000', broker: 'GB987654321000', deadline: '2027-06-30' },
    });
    expect(receiver.received.every((x) => !x.body.includes('alert-of-b') || x.path === '/signed-b')).toBe(true);
    expect(receiver.at('/signed-b').map((x) => eventOf(x).subject)).toEqual(['alert-of-b']);

    const listed = await host.http('GET', '/v1/webhooks', undefined, host.tokens.a.analyst);
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    expect(listed.body.subscriptions.map((s: { id: string }) => s.id)).toContain(subscription.id);
    expect(listed.body.subscriptions.map((s: { id: string }) => s.id)).not.toContain(bSub.subscription.id);
    expect((await host.http('GET', `/v1/webhooks/${bSub.subscription.id}`)).status).toBe(404);
  });

  it('sends a signed test event on request and answers with what the receiver said', async () => {
    const { subscription, secret } = await subscribe('/test-me');
    expect((await host.http('POST', `/v1/webhooks/${subscription.id}/test`, undefined, host.tokens.a.analyst)).status).toBe(403);
    expect((await host.http('POST', '/v1/webhooks/no-such/test')).status).toBe(404);
    const r = await host.http('POST', `/v1/webhooks/${subscription.id}/test`);
    expect(r).toMatchObject({ status: 200, body: { delivered: true, statusCode: 204, error: null } });
    const got = receiver.at('/test-me');
    expect(got).toHaveLength(1);
    expect(verify(secret, got[0]!)).toBe(true);
    expect(eventOf(got[0]!)).toMatchObject({ type: 'customs.alerting.webhook.test.v1', subject: subscription.id, tenantid: host.tenants.a });
    receiver.failing.add('/test-me');
    expect((await host.http('POST', `/v1/webhooks/${subscription.id}/test`)).body).toMatchObject({ delivered: false, statusCode: 500, error: 'HTTP 500' });
    receiver.failing.delete('/test-me');
    // A test is not an alert change: nothing in the attempt log.
    expect((await host.http('GET', `/v1/webhooks/${subscription.id}/attempts`)).body.attempts).toEqual([]);
  });

  it('sends only what the filters let through', async () => {
    const { subscription } = await subscribe('/filtered', { filters: { minSeverity: 'critical', minPounds: 1000 } });
    expect(subscription).toMatchObject({ filters: { minSeverity: 'critical', minPounds: 1000 } });
    await host.change(host.tenants.a, { alertId: 'high-rich', severity: Severity.SEVERITY_HIGH });
    await host.change(host.tenants.a, { alertId: 'critical-poor', severity: Severity.SEVERITY_CRITICAL, exposurePence: 99_999 });
    const last = await host.change(host.tenants.a, { alertId: 'critical-rich', severity: Severity.SEVERITY_CRITICAL, exposurePence: 100_000 });
    await settled(subscription.id, last);
    expect(receiver.at('/filtered').map((x) => eventOf(x).subject)).toEqual(['critical-rich']);
  });

  it('retries with backoff, dead-letters after the last attempt, logs every attempt, and redelivers on request', async () => {
    receiver.failing.add('/down');
    const { subscription, secret } = await subscribe('/down');
    const cursor = await host.change(host.tenants.a, { alertId: 'alert-down' });
    const dead = await waitFor('dead letter', async () => {
      const r = await host.http('GET', `/v1/webhooks/${subscription.id}/dead-letters`, undefined, host.tokens.a.analyst);
      return r.body.deadLetters.length ? r.body.deadLetters : undefined;
    });
    expect(dead).toEqual([expect.objectContaining({ cursor, attempts: 3, lastStatus: 500, lastError: 'HTTP 500' })]);
    const log = (await host.http('GET', `/v1/webhooks/${subscription.id}/attempts`, undefined, host.tokens.a.analyst)).body.attempts;
    expect(log.map((a: any) => [a.attempt, a.statusCode, a.outcome])).toEqual([
      [3, 500, 'dead_lettered'],
      [2, 500, 'retry_scheduled'],
      [1, 500, 'retry_scheduled'],
    ]);
    for (const a of log) expect(a).toMatchObject({ eventId: `alert-change/${host.tenants.a}/${cursor}`, cursor, error: 'HTTP 500', latencyMs: expect.any(Number) });
    // The log in cursor pages of one along `next` (Link header too): the same three, in order; a forged cursor is a 400.
    const walked: unknown[] = [];
    for (let next: string | null = `/v1/webhooks/${subscription.id}/attempts?limit=1`; next; ) {
      const r = await host.http('GET', next, undefined, host.tokens.a.analyst);
      walked.push(...r.body.attempts);
      next = r.body.next;
    }
    expect(walked).toEqual(log);
    expect((await host.http('GET', `/v1/webhooks/${subscription.id}/attempts?cursor=WyJ4Il0`, undefined, host.tokens.a.analyst)).body).toMatchObject({
      error: 'invalid_cursor',
      details: { parameter: 'cursor' },
    });
    // Backoff: each attempt waits longer than none at all (base 50 ms, jittered to ≥ half).
    const times = log.map((a: any) => Date.parse(a.at)).reverse();
    expect(times[1] - times[0]).toBeGreaterThanOrEqual(25);
    expect(times[2] - times[1]).toBeGreaterThanOrEqual(50);
    const attempts = receiver.at('/down');
    expect(attempts).toHaveLength(3);
    expect(new Set(attempts.map((x) => x.headers['webhook-id'])).size).toBe(1);
    expect(attempts.every((x) => verify(secret, x))).toBe(true);

    expect((await host.http('POST', `/v1/webhooks/${subscription.id}/dead-letters/${cursor}/redeliver`, undefined, host.tokens.a.analyst)).status).toBe(403);
    expect((await host.http('POST', `/v1/webhooks/${subscription.id}/dead-letters/999999999/redeliver`)).status).toBe(404);
    receiver.failing.delete('/down');
    expect((await host.http('POST', `/v1/webhooks/${subscription.id}/dead-letters/${cursor}/redeliver`)).status).toBe(202);
    await waitFor('redelivered', async () => (await host.http('GET', `/v1/webhooks/${subscription.id}/attempts?limit=1`)).body.attempts[0]?.outcome === 'delivered');
    expect((await host.http('GET', `/v1/webhooks/${subscription.id}/dead-letters`)).body.deadLetters).toEqual([]);
    expect(receiver.at('/down')).toHaveLength(4);
  });

  it('disables a subscription whose receiver answers 410 Gone, dead-lettering the change without retries', async () => {
    receiver.gone.add('/gone');
    const { subscription } = await subscribe('/gone');
    const c = await host.change(host.tenants.a, { alertId: 'gone-1' });
    await waitFor('subscription disabled', async () => (await host.http('GET', `/v1/webhooks/${subscription.id}`)).body.subscription.enabled === false);
    expect((await host.http('GET', `/v1/webhooks/${subscription.id}/dead-letters`)).body.deadLetters).toEqual([expect.objectContaining({ cursor: c, attempts: 1, lastStatus: 410 })]);
    await host.change(host.tenants.a, { alertId: 'gone-2' });
    const after = await host.change(host.tenants.a, { alertId: 'gone-3' });
    // Another subscription settling past them shows the dispatcher moved on; the disabled one got nothing more.
    const { subscription: other } = await subscribe('/after-gone', { startAfterCursor: c });
    await settled(other.id, after);
    expect(receiver.at('/gone')).toHaveLength(1);
  });

  it('resumes after a restart from its stored cursor: nothing lost, nothing acknowledged sent again', async () => {
    const { subscription } = await subscribe('/durable');
    const first = await host.change(host.tenants.a, { alertId: 'durable-1' });
    await settled(subscription.id, first);
    await host.stopService();
    // Changes while the service is down (the core wrote them before it went, say).
    await host.change(host.tenants.a, { alertId: 'durable-2' });
    const last = await host.change(host.tenants.a, { alertId: 'durable-3', status: AlertStatus.ALERT_STATUS_IN_PROGRESS }, { from: AlertStatus.ALERT_STATUS_NEW, reason: 'taken' });
    await host.restart();
    await settled(subscription.id, last);
    expect(receiver.at('/durable').map((x) => eventOf(x).subject)).toEqual(['durable-1', 'durable-2', 'durable-3']);
    expect(eventOf(receiver.at('/durable')[2]!).data).toMatchObject({ activity_id: 2, status: 'In Progress', comment: 'taken' });
  });

  it('refuses at connect time a host that resolves to a private address once it is no longer allowed', async () => {
    const { subscription } = await subscribe('/ssrf');
    // The same receiver by name: allowed when created, then the allow-list no longer has it.
    const byName = await host.http('POST', '/v1/webhooks', { url: `${base.replace('127.0.0.1', 'localhost')}/by-name` });
    expect(byName.status).toBe(201);
    await host.stopService();
    await host.restart({ DELIVERY_ALLOWED_PRIVATE_HOSTS: '127.0.0.1' });
    const c = await host.change(host.tenants.a, { alertId: 'ssrf-probe' });
    const attempt = await waitFor('refused attempt', async () => (await host.http('GET', `/v1/webhooks/${byName.body.subscription.id}/attempts`)).body.attempts[0]);
    expect(attempt).toMatchObject({ cursor: c, statusCode: null, error: expect.stringContaining('non-public') });
    expect(receiver.at('/by-name')).toEqual([]);
    // The literal, still allowed, gets it.
    await settled(subscription.id, c);
    expect(receiver.at('/ssrf').map((x) => eventOf(x).subject)).toEqual(['ssrf-probe']);
    for (const id of [subscription.id, byName.body.subscription.id]) await host.http('DELETE', `/v1/webhooks/${id}`);
  });

  it('prunes the attempt log past its retention', async () => {
    const { subscription } = await subscribe('/pruned');
    const c = await host.change(host.tenants.a, { alertId: 'pruned-1' });
    await settled(subscription.id, c);
    const db = createDb<unknown>({ url: host.db.urlFor('alerting'), schema: 'alerting' });
    try {
      const repo = new DeliveryRepo(db.db as DeliveryKysely);
      expect(await repo.pruneAttempts(new Date(Date.now() - 86_400_000))).toBe(0);
      expect((await host.http('GET', `/v1/webhooks/${subscription.id}/attempts`)).body.attempts).toHaveLength(1);
      expect(await repo.pruneAttempts(new Date(Date.now() + 60_000))).toBeGreaterThanOrEqual(1);
      expect((await host.http('GET', `/v1/webhooks/${subscription.id}/attempts`)).body.attempts).toEqual([]);
    } finally {
      await db.close();
    }
  });

  it('updates and deletes subscriptions', async () => {
    const { subscription } = await subscribe('/patch');
    const p = await host.http('PATCH', `/v1/webhooks/${subscription.id}`, { enabled: false, filters: { states: 'new,acknowledged' } });
    expect(p.status).toBe(200);
    expect(p.body.subscription).toMatchObject({ enabled: false, filters: { states: ['new', 'acknowledged'] } });
    expect((await host.http('PATCH', `/v1/webhooks/${subscription.id}`, { url: 'gopher://x' })).body).toMatchObject({ error: 'invalid_field', details: { field: 'url' } });
    expect((await host.http('DELETE', `/v1/webhooks/${subscription.id}`)).status).toBe(204);
    expect((await host.http('GET', `/v1/webhooks/${subscription.id}`)).status).toBe(404);
  });

  it('lists subscriptions in cursor pages along `next`: the whole list once, oldest first; a forged cursor is a 400 naming cursor', async () => {
    for (const path of ['/page-1', '/page-2', '/page-3']) await subscribe(path);
    const all = await host.http('GET', '/v1/webhooks?limit=1000', undefined, host.tokens.a.analyst);
    expect([all.status, all.body.next]).toEqual([200, null]);
    const full = all.body.subscriptions.map((s: { id: string }) => s.id);
    expect(full.length).toBeGreaterThanOrEqual(3);
    const seen: string[] = [];
    let next: string | null = '/v1/webhooks?limit=2';
    let pages = 0;
    while (next) {
      const r = await host.http('GET', next, undefined, host.tokens.a.analyst);
      expect(r.status).toBe(200);
      expect(r.body.subscriptions.length).toBeLessThanOrEqual(2);
      seen.push(...r.body.subscriptions.map((s: { id: string }) => s.id));
      next = r.body.next;
      expect(++pages).toBeLessThanOrEqual(full.length);
    }
    expect(seen).toEqual(full);
    expect(pages).toBe(Math.ceil(full.length / 2));
    // Tenant b's pages hold none of a's.
    expect((await host.http('GET', '/v1/webhooks?limit=1000', undefined, host.tokens.b.analyst)).body.subscriptions.filter((s: { id: string }) => full.includes(s.id))).toEqual([]);
    for (const forged of ['WyJmb3JnZWQiXQ', 'not-a-cursor', Buffer.from(JSON.stringify(['not a time', 'x'])).toString('base64url')]) {
      const r = await host.http('GET', `/v1/webhooks?cursor=${forged}`);
      expect([r.status, r.body.details?.parameter]).toEqual([400, 'cursor']);
    }
    expect((await host.http('GET', '/v1/webhooks?limit=0')).body).toMatchObject({ details: { field: 'limit' } });
  });
});
