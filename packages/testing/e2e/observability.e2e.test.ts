// Observability of a real service process (alerting's dist/main.js, real Kafka and Postgres):
// its request log lines carry the caller's trace_id, span_id and the tenant with no exporter
// configured; /metrics has HTTP and gRPC latency histograms, per-partition consumer lag, the
// outbox's age and the process/Node defaults; and with an OTLP endpoint set each request is
// exactly one server span. The OTLP endpoint is a stand-in for the OpenTelemetry Collector (an
// HTTP server in this test that reads the OTLP/JSON the exporter posts), since none runs here.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { credentials } from '@grpc/grpc-js';
import { AlertingServiceClient, DeclarationChecked, Topics } from '@customs/contracts';
import { callUnary } from '@customs/grpc';
import { buildEvent, type KafkaHandle } from '@customs/kafka';
import { GROUPS } from '../../../services/alerting/src/kafka/consumers';
import { createTestDatabase, createTestTopics, declaredTopics, deleteTestTopics, REPO_ROOT, type TestDatabase, testEnv, testTokens, uniquePrefix, waitFor } from '../src';

const MAIN = path.join(REPO_ROOT, 'services/alerting/dist/main.js');
const TENANT = 'obs';

interface RunningProcess {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  httpUrl: string;
  grpcAddress: string;
}

describe('observability of a running service (real process, Kafka, Postgres)', () => {
  let kafka: KafkaHandle;
  let db: TestDatabase;
  const tokens = testTokens(TENANT);
  const prefix = uniquePrefix('obs');
  const running: ChildProcess[] = [];

  const start = async (extraEnv: Record<string, string> = {}): Promise<RunningProcess> => {
    if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: build first (make build; make test does it)`);
    const child = spawn(process.execPath, [MAIN], {
      env: {
        ...process.env,
        DATABASE_URL: db.urlFor('alerting'),
        KAFKA_BROKERS: testEnv().brokers.join(','),
        KAFKA_TOPIC_PREFIX: prefix,
        HTTP_PORT: '0',
        GRPC_PORT: '0',
        API_TOKENS: tokens.spec,
        LOG_LEVEL: 'info',
        OTEL_EXPORTER_OTLP_ENDPOINT: '',
        ...extraEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.push(child);
    const lines: Record<string, unknown>[] = [];
    let rest = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      const text = rest + chunk.toString('utf8');
      const parts = text.split('\n');
      rest = parts.pop() ?? '';
      for (const p of parts) if (p.startsWith('{')) lines.push(JSON.parse(p) as Record<string, unknown>);
    });
    child.stderr!.on('data', () => undefined);
    const started = await waitFor('alerting to log that it started', async () => lines.find((l) => l.msg === 'alerting started') as { http: string; grpc: string } | undefined, { timeoutMs: 60000 });
    return { child, lines, httpUrl: started.http, grpcAddress: started.grpc };
  };

  const stop = async (child: ChildProcess) => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };

  beforeAll(async () => {
    kafka = await createTestTopics(prefix);
    db = await createTestDatabase('obs');
  });

  afterAll(async () => {
    for (const c of running) await stop(c);
    await db?.drop();
    await deleteTestTopics(kafka);
  });

  it('logs trace_id, span_id and tenant on a request without an exporter, and /metrics has latency histograms, consumer lag, outbox age and process metrics', async () => {
    const svc = await start();
    try {
      const traceId = randomBytes(16).toString('hex');
      const res = await fetch(`${svc.httpUrl}/v1/alert-rules`, { headers: { authorization: `Bearer ${tokens.analyst}`, traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` } });
      expect(res.status).toBe(200);
      const requestLines = await waitFor('the request to be logged', async () => {
        const mine = svc.lines.filter((l) => l.trace_id === traceId);
        return mine.some((l) => l.msg === 'request completed') ? mine : undefined;
      });
      // Every line of the request: "incoming request" (before authentication, so no tenant yet)
      // and "request completed" (after it), with the one server span's id.
      expect(requestLines.map((l) => l.msg)).toEqual(expect.arrayContaining(['incoming request', 'request completed']));
      for (const l of requestLines) expect(l.span_id).toMatch(/^[0-9a-f]{16}$/);
      expect(new Set(requestLines.map((l) => l.span_id)).size).toBe(1);
      expect(requestLines.find((l) => l.msg === 'request completed')).toMatchObject({ tenant: TENANT });

      const client = new AlertingServiceClient(svc.grpcAddress, credentials.createInsecure());
      try {
        await callUnary(client, 'listAlerts', { limit: 10, afterCursor: 0 }, { token: tokens.analyst });
      } finally {
        client.close();
      }

      // Traffic for the consumers: three checked declarations with no findings.
      const producer = kafka.producer();
      await producer.connect();
      const messages = [1, 2, 3].map((i) => {
        const e = buildEvent({
          topic: Topics.declarationChecked,
          key: `${TENANT}/obs-${i}`,
          tenant: TENANT,
          source: 'test',
          value: DeclarationChecked.fromPartial({ tenantId: TENANT, declarationId: `obs-${i}`, declarationVersion: 1, findings: [] }),
        });
        return { key: e.key, value: Buffer.from(e.payload), headers: e.headers };
      });
      await producer.send({ topic: kafka.physical(Topics.declarationChecked.name), messages });
      await producer.disconnect();

      // Consumed and committed: the lag of the declarations group's partitions reads 0 again.
      const metrics = await waitFor(
        'consumer lag of the consumed topic on /metrics',
        async () => {
          const text = await (await fetch(`${svc.httpUrl}/metrics`)).text();
          const lag = [...text.matchAll(new RegExp(`^customs_kafka_consumer_lag\\{([^}]*topic="${Topics.declarationChecked.name.replace(/\./g, '\\.')}"[^}]*)\\} (\\d+)`, 'gm'))];
          const processed = /^customs_messages_consumed_total\{[^}]*outcome="processed"[^}]*\} (\d+)/m.exec(text);
          return lag.length > 0 && processed && Number(processed[1]) >= 3 && lag.every((m) => m[2] === '0') ? { text, lag } : undefined;
        },
        { timeoutMs: 60000, intervalMs: 1000 },
      );
      // One series per partition of the topic (6 in infra/kafka/topics.json), labelled by group.
      expect(new Set(metrics.lag.map((m) => /partition="(\d+)"/.exec(m[1]!)![1])).size).toBe(declaredTopics().find((t) => t.name === Topics.declarationChecked.name)!.partitions);
      for (const m of metrics.lag) expect(m[1]).toContain(`group="${GROUPS.checked}"`);
      expect(metrics.text).toMatch(/^customs_http_request_duration_seconds_bucket\{[^}]*route="\/v1\/alert-rules"[^}]*method="GET"[^}]*status="200"[^}]*\} 1$/m);
      expect(metrics.text).toMatch(/^customs_grpc_server_duration_seconds_count\{[^}]*method="\/customs\.v1\.AlertingService\/ListAlerts"[^}]*code="OK"[^}]*\} 1$/m);
      expect(metrics.text).toMatch(/^customs_outbox_oldest_age_seconds\{[^}]*\} [0-9.e+-]+$/m);
      expect(metrics.text).toMatch(/^process_resident_memory_bytes\{[^}]*\} \d+/m);
      expect(metrics.text).toMatch(/^nodejs_eventloop_lag_seconds\{[^}]*\} [0-9.e+-]+/m);
    } finally {
      await stop(svc.child);
    }
  });

  it('exports exactly one server span per HTTP request when an OTLP endpoint is set', async () => {
    const received: { traceId: string; kind: number; name: string }[] = [];
    const collector = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.url === '/v1/traces') {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { resourceSpans: { scopeSpans: { spans: { traceId: string; kind: number; name: string }[] }[] }[] };
          for (const rs of body.resourceSpans) for (const ss of rs.scopeSpans) for (const s of ss.spans) received.push({ traceId: s.traceId, kind: s.kind, name: s.name });
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
    try {
      const svc = await start({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(collector.address() as AddressInfo).port}` });
      try {
        const traceId = randomBytes(16).toString('hex');
        const res = await fetch(`${svc.httpUrl}/v1/alert-rules`, { headers: { authorization: `Bearer ${tokens.analyst}`, traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` } });
        expect(res.status).toBe(200);
        // The batch processor exports every 5 s.
        await waitFor('the request’s server span at the collector', async () => received.some((s) => s.traceId === traceId && s.kind === 2), { timeoutMs: 30000, intervalMs: 500 });
        // One more export period, so a second server span of the request would have arrived too.
        await new Promise((r) => setTimeout(r, 6000));
        const spans = received.filter((s) => s.traceId === traceId);
        // OTLP SpanKind: 2 = SERVER, 3 = CLIENT (pg).
        expect(spans.filter((s) => s.kind === 2).map((s) => s.name)).toEqual(['HTTP GET /v1/alert-rules']);
      } finally {
        await stop(svc.child);
      }
    } finally {
      await new Promise((r) => collector.close(r));
    }
  });
});
