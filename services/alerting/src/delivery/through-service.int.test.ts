// The delivery channels on the real alerting service: a checked declaration on Kafka is correlated
// by the default rule pack (AR-001 for a high-severity finding with money at stake) and the alert
// reaches a webhook receiver and an SSE stream of its own tenant only.
import { createHmac } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DeclarationChecked, Severity, Topics, type Finding } from '@customs/contracts';
import { buildEvent, type KafkaHandle } from '@customs/kafka';
import type { RunningService } from '@customs/service';
import { createTestDatabase, createTestTopics, deleteTestTopics, testEnv, testTokens, uniquePrefix, waitFor, type TestDatabase } from '@customs/testing';
import { loadConfig } from '../config';
import { startAlertingService } from '../service';

const A = 'tenant-dl-a';
const B = 'tenant-dl-b';

function finding(tenant: string, declarationId: string): Partial<Finding> {
  return {
    findingId: `${declarationId}-f1`,
    tenantId: tenant,
    declarationId,
    declarationVersion: 1,
    mrn: `26GB${declarationId.toUpperCase().padStart(14, '0')}`.slice(0, 18),
    itemNumber: 1,
    ruleId: 'C09',
    ruleVersion: '1.0.0',
    title: 'Duty charged differs from the tariff rate',
    family: 'classification',
    severity: Severity.SEVERITY_HIGH,
    exposureDutyPence: 875_062,
    exposureVatPence: 175_013,
    acceptanceDate: '2026-06-01',
    deadline: '2029-06-01',
    source: 'validation',
    raisedAt: '2026-12-01T10:00:00Z',
    importerEori: 'GB123456789000',
    declarantId: 'GB987654321000',
  };
}

describe('delivery through the running alerting service', () => {
  let kafka: KafkaHandle;
  let db: TestDatabase;
  let service: RunningService;
  const tokens = { a: testTokens(A), b: testTokens(B) };
  const received: { path: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
  const receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(204).end();
    });
  });
  let base = '';
  const sseAbort = new AbortController();

  beforeAll(async () => {
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    const prefix = uniquePrefix('delivery');
    kafka = await createTestTopics(prefix);
    db = await createTestDatabase('delivery');
    service = await startAlertingService(
      loadConfig({
        DATABASE_URL: db.urlFor('alerting'),
        KAFKA_BROKERS: testEnv().brokers.join(','),
        KAFKA_TOPIC_PREFIX: prefix,
        HTTP_PORT: '0',
        GRPC_PORT: '0',
        API_TOKENS: `${tokens.a.spec},${tokens.b.spec}`,
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
        SHUTDOWN_TIMEOUT_MS: '5000',
        DELIVERY_ALLOWED_PRIVATE_HOSTS: '127.0.0.1',
        DELIVERY_POLL_MS: '500',
      }),
      { clock: { now: () => new Date('2026-12-02T12:00:00Z') } },
    );
  });
  afterAll(async () => {
    sseAbort.abort();
    await service?.stop();
    await db?.drop();
    await deleteTestTopics(kafka);
    receiver.closeAllConnections();
    await new Promise<void>((r) => receiver.close(() => r()));
  });

  it('delivers a correlated alert, signed, to its tenant’s webhook and SSE stream and to no other tenant', async () => {
    const subscribe = async (token: string, path: string) => {
      const r = await fetch(`${service.httpUrl}/v1/webhooks`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ url: `${base}${path}`, filters: { ruleIds: ['AR-001'] } }),
      });
      expect(r.status).toBe(201);
      return ((await r.json()) as { secret: string }).secret;
    };
    const secretA = await subscribe(tokens.a.admin, '/a');
    await subscribe(tokens.b.admin, '/b');

    const sse = await fetch(`${service.httpUrl}/v1/alerts/stream?ruleIds=AR-001`, { headers: { authorization: `Bearer ${tokens.a.analyst}`, accept: 'text/event-stream' }, signal: sseAbort.signal });
    expect(sse.status).toBe(200);
    let sseText = '';
    void (async () => {
      try {
        for await (const chunk of sse.body as unknown as AsyncIterable<Uint8Array>) sseText += Buffer.from(chunk).toString('utf8');
      } catch {
        // aborted at the end
      }
    })();
    await waitFor('SSE open', async () => sseText.includes('retry:'));

    const prod = kafka.producer();
    await prod.connect();
    try {
      const checked = (tenant: string, declarationId: string) =>
        buildEvent({
          topic: Topics.declarationChecked,
          key: `${tenant}/${declarationId}`,
          tenant,
          source: 'test',
          id: `checked/${tenant}/${declarationId}/1`,
          value: DeclarationChecked.fromPartial({ tenantId: tenant, declarationId, declarationVersion: 1, findings: [finding(tenant, declarationId)] }),
        });
      const events = [checked(B, 'decl-of-b'), checked(A, 'decl-of-a')];
      await prod.send({ topic: kafka.physical(Topics.declarationChecked.name), messages: events.map((e) => ({ key: e.key, value: Buffer.from(e.payload), headers: e.headers })) });
    } finally {
      await prod.disconnect();
    }

    const hook = await waitFor('A’s webhook', async () => received.find((r) => r.path === '/a'), { timeoutMs: 60000 });
    await waitFor('B’s webhook', async () => received.find((r) => r.path === '/b'), { timeoutMs: 60000 });
    const key = Buffer.from(secretA.replace(/^whsec_/, ''), 'base64');
    const { 'webhook-id': id, 'webhook-timestamp': ts, 'webhook-signature': sig } = hook.headers;
    expect(sig).toBe(`v1,${createHmac('sha256', key).update(`${id}.${ts}.${hook.body}`).digest('base64')}`);
    const ce = JSON.parse(hook.body);
    expect(ce).toMatchObject({ type: 'customs.alerting.alert.changed.v1', tenantid: A });
    expect(ce.data).toMatchObject({
      class_uid: 2004,
      severity_id: 4,
      finding_info: { analytic: { uid: 'AR-001' } },
      customs: {
        tenant_id: A,
        declaration_id: 'decl-of-a',
        exposure: { pence: 1_050_075, gbp: '10500.75', duty_pence: 875_062, vat_pence: 175_013 },
        deadline: '2029-06-01',
        importer: 'GB123456789000',
        broker: 'GB987654321000',
      },
    });
    expect(typeof ce.data.customs.days_left).toBe('number');
    await waitFor('A’s SSE event', async () => sseText.includes('decl-of-a'));
    expect(received.filter((r) => r.path === '/a').some((r) => r.body.includes('decl-of-b'))).toBe(false);
    expect(received.filter((r) => r.path === '/b').some((r) => r.body.includes('decl-of-a'))).toBe(false);
    expect(sseText).not.toContain('decl-of-b');
  });

  it('publishes the delivery routes in the OpenAPI document', async () => {
    const r = await fetch(`${service.httpUrl}/v1/openapi.json`, { headers: { authorization: `Bearer ${tokens.a.analyst}` } });
    expect(r.status).toBe(200);
    const doc = (await r.json()) as { paths: Record<string, Record<string, { summary?: string }>> };
    for (const path of ['/v1/webhooks', '/v1/webhooks/{id}', '/v1/webhooks/{id}/attempts', '/v1/webhooks/{id}/dead-letters/{cursor}/redeliver', '/v1/syslog-destinations', '/v1/alerts/stream'])
      expect(Object.keys(doc.paths)).toContain(path);
    expect(doc.paths['/v1/webhooks']!.post!.summary).toMatch(/secret/);
  });
});
