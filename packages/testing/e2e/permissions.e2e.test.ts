import { randomBytes } from 'node:crypto';
import { Client, credentials, type ServiceDefinition, status } from '@grpc/grpc-js';
import { AlertingServiceService, IngestionServiceService, ReferenceServiceService, ScoringServiceService, ValidationServiceService } from '@customs/contracts';
import { GRPC_METHODS, HTTP_ROUTES, ROLES, type Role, httpRule, refusal } from '@customs/config';
import { callMetadata } from '@customs/grpc';
import type { RunningService } from '@customs/service';
import { waitFor } from '../src';
import { sample, startPlatform, type Platform } from './harness';
import { loadConfig as reportingConfig } from '../../../services/reporting/src/config';
import { startReportingService } from '../../../services/reporting/src/service';

// Issue 11, defect 5: the permission matrix (packages/config/src/permissions.ts) as a table over
// the real running services. Every route each service actually serves is called with a token of
// every role; the answer must be the matrix's: 403 "forbidden" where the role lacks the
// permission, anything but 401/403 where it has it. Routes come from the services themselves
// (RunningService.routes), so a new route is in this table the moment it exists, and a service
// with a route missing from the matrix does not start at all.

const IMPORTER_A = 'GB021111238000'; // TT_FI005b's importer
const IMPORTER_B = 'GB021111239000'; // the same declaration re-keyed to another importer
const IMPORTER_C = 'GB000000000099'; // an importer with no data

const secret = (role: string) => `${role}-${randomBytes(12).toString('hex')}`;

describe('permission matrix: every route and RPC × every role, on the real services', () => {
  let p: Platform;
  let reporting: RunningService;
  const tokens: Record<Role, string> = { analyst: '', integrator: '', admin: '', auditor: secret('auditor'), broker: secret('broker') };
  // Brokers acting for several importers (importers joined by "+" in the token entry).
  const brokerAB = secret('broker-ab');
  const brokerAC = secret('broker-ac');

  beforeAll(async () => {
    p = await startPlatform('permissions', {
      extraTokens: `${tokens.auditor}=tenant-permissions:auditor:auditor@example.test,${tokens.broker}=tenant-permissions:broker:agent@example.test:${IMPORTER_A},${brokerAB}=tenant-permissions:broker:agent-ab@example.test:${IMPORTER_A}+${IMPORTER_B},${brokerAC}=tenant-permissions:broker:agent-ac@example.test:${IMPORTER_A}+${IMPORTER_C}`,
      // The OTT API is not reachable from a test (reference's sync would call it): a closed port.
      reference: { OTT_API_BASE_URL: 'http://127.0.0.1:9/uk/api', OTT_API_MAX_ATTEMPTS: '1' },
    });
    tokens.analyst = p.tokens.analyst;
    tokens.integrator = p.tokens.integrator;
    tokens.admin = p.tokens.admin;
    reporting = await startReportingService(
      reportingConfig({
        DATABASE_URL: p.db.urlFor('reporting'),
        KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
        KAFKA_TOPIC_PREFIX: p.kafka.physical(''),
        HTTP_PORT: '0',
        GRPC_PORT: '0',
        API_TOKENS: `${p.tokens.spec},${tokens.auditor}=tenant-permissions:auditor,${tokens.broker}=tenant-permissions:broker:agent:${IMPORTER_A}`,
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
        SHUTDOWN_TIMEOUT_MS: '5000',
        INGESTION_URL: p.services.ingestion.httpUrl,
        ALERTING_URL: p.services.alerting.httpUrl,
        SCORING_URL: p.services.scoring.httpUrl,
      }),
    );
  });
  afterAll(async () => {
    await reporting?.stop();
    await p?.stop();
  });

  const running = (): Record<string, RunningService> => ({ ...p.services, reporting });

  it('has an entry for every route served, and serves every entry', () => {
    const served = new Set<string>();
    for (const [name, s] of Object.entries(running())) {
      for (const r of s.routes) {
        expect({ service: name, route: `${r.method} ${r.url}`, entry: httpRule(name, r.method, r.url) !== undefined }).toEqual({ service: name, route: `${r.method} ${r.url}`, entry: true });
        served.add(`${name} ${r.method} ${r.url}`);
      }
    }
    const stale = Object.entries(HTTP_ROUTES).flatMap(([name, routes]) =>
      Object.keys(routes)
        .filter((k) => !served.has(`${name} ${k}`))
        .map((k) => `${name} ${k}`),
    );
    expect(stale).toEqual([]);
    // The platform's own routes are on every service (the API description's are packages/http's).
    for (const k of ['GET /healthz', 'GET /readyz', 'GET /metrics', 'GET /v1/admin/outbox-dead-letters', 'GET /v1/admin/audit'])
      for (const name of Object.keys(running())) expect(served.has(`${name} ${k}`) ? k : `${name} lacks ${k}`).toBe(k);
  });

  // Path parameters get a harmless value: the question is only whether the role gets past the
  // door. Writes carry an empty JSON object, which every write refuses or handles harmlessly.
  const concrete = (url: string) => url.replace(/:[A-Za-z]+/g, 'PERMPROBE1').replace(/\*$/, 'PERMPROBE1');

  it('answers every route × role as the matrix says', async () => {
    const mismatches: string[] = [];
    let calls = 0;
    for (const [name, s] of Object.entries(running())) {
      for (const r of s.routes) {
        const entry = httpRule(name, r.method, r.url)!;
        for (const role of ROLES) {
          const ac = new AbortController();
          const write = r.method !== 'GET';
          const res = await fetch(`${s.httpUrl}${concrete(r.url)}`, {
            method: r.method,
            headers: { authorization: `Bearer ${tokens[role]}`, ...(write ? { 'content-type': 'application/json' } : {}) },
            body: write ? '{}' : undefined,
            signal: ac.signal,
          });
          // Streams (SSE) answer headers first: the status is all this needs.
          const body = res.headers.get('content-type')?.startsWith('text/event-stream') ? '' : await res.text();
          ac.abort();
          calls++;
          const refused = refusal(role, entry);
          const got = res.status;
          const ok = refused ? got === 403 && JSON.parse(body).error === 'forbidden' : got !== 401 && got !== 403;
          if (!ok) mismatches.push(`${name} ${r.method} ${r.url} as ${role}: expected ${refused ? '403' : 'not 401/403'}, got ${got} ${body.slice(0, 160)}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
    // Six services, each with its platform routes: the table is not empty by accident.
    expect(calls).toBeGreaterThan(ROLES.length * 90);
  });

  it('answers every RPC × role as the matrix says', async () => {
    const defs: [RunningService, ServiceDefinition][] = [
      [p.services.ingestion, IngestionServiceService as never],
      [p.services.reference, ReferenceServiceService as never],
      [p.services.validation, ValidationServiceService as never],
      [p.services.scoring, ScoringServiceService as never],
      [p.services.alerting, AlertingServiceService as never],
    ];
    const mismatches: string[] = [];
    const covered = new Set<string>();
    for (const [svc, def] of defs) {
      const client = new Client(svc.grpcAddress, credentials.createInsecure());
      try {
        for (const method of Object.values(def)) {
          covered.add(method.path);
          const entry = GRPC_METHODS[method.path]!;
          for (const role of ROLES) {
            const md = callMetadata(tokens[role]);
            const code = await new Promise<number>((resolve) => {
              // A stream that is let in waits for alerts: its deadline (DEADLINE_EXCEEDED) settles it.
              const deadline = Date.now() + (method.responseStream ? 1000 : 5000);
              const req = method.requestDeserialize(Buffer.alloc(0));
              if (method.responseStream) {
                const call = client.makeServerStreamRequest(method.path, method.requestSerialize, method.responseDeserialize, req, md, { deadline });
                // A stream that starts is allowed: its first status or message settles it.
                call.on('data', () => {
                  resolve(status.OK);
                  call.cancel();
                });
                call.on('status', (st) => resolve(st.code));
                call.on('error', () => undefined);
                call.on('metadata', () => {
                  resolve(status.OK);
                  call.cancel();
                });
              } else {
                client.makeUnaryRequest(method.path, method.requestSerialize, method.responseDeserialize, req, md, { deadline }, (err) => resolve(err?.code ?? status.OK));
              }
            });
            const refused = refusal(role, entry);
            const ok = refused ? code === status.PERMISSION_DENIED : code !== status.PERMISSION_DENIED && code !== status.UNAUTHENTICATED;
            if (!ok) mismatches.push(`${method.path} as ${role}: expected ${refused ? 'PERMISSION_DENIED' : 'allowed'}, got ${status[code]}`);
          }
        }
      } finally {
        client.close();
      }
    }
    expect(mismatches).toEqual([]);
    expect([...covered].sort()).toEqual(Object.keys(GRPC_METHODS).sort());
  });

  it('shows a broker only its importers’ declarations, findings, scores and alerts', async () => {
    const xml = sample('TT_FI005b/TT_FI005b.xml').toString('utf8');
    const other = xml.replaceAll('GB021111238000', IMPORTER_B).replaceAll('TT_FI005b_2111.2', 'TT_FI005b_BROKER_B').replaceAll('20GB34F7Y1O2CX8PT4', '20GB34F7Y1O2CX8PT9');
    const ids: Record<string, string> = {};
    for (const [importer, doc] of [
      [IMPORTER_A, xml],
      [IMPORTER_B, other],
    ] as const) {
      const up = await p.http('ingestion', 'POST', `/v1/documents?filename=${importer}.xml`, doc, { token: tokens.integrator });
      expect(up.status).toBe(201);
      ids[importer] = up.body.declarations[0].declarationId;
    }
    const a = ids[IMPORTER_A]!;
    const b = ids[IMPORTER_B]!;
    // Both flow through to alerts (as the analyst sees them).
    await waitFor('both alerts', async () => {
      const r = await p.http('alerting', 'GET', '/v1/alerts');
      const mine = (r.body?.alerts ?? []).filter((x: any) => x.declarationId === a || x.declarationId === b);
      return mine.length >= 2 ? mine : undefined;
    });
    await waitFor('both scores checked', async () => {
      const ra = await p.http('scoring', 'GET', `/v1/scores/declaration/${a}`);
      const rb = await p.http('scoring', 'GET', `/v1/scores/declaration/${b}`);
      return ra.body?.validationChecked && rb.body?.validationChecked;
    });
    const asBroker = (svc: keyof Platform['services'], path: string) => p.http(svc, 'GET', path, undefined, { token: tokens.broker });

    // Its importer's data: as an analyst sees it.
    expect((await asBroker('ingestion', `/v1/declarations/${a}`)).status).toBe(200);
    expect((await asBroker('ingestion', `/v1/declarations/${a}/versions`)).status).toBe(200);
    const findings = await asBroker('validation', `/v1/declarations/${a}/findings`);
    expect(findings.status).toBe(200);
    expect(findings.body.findings.map((f: any) => f.ruleId)).toContain('C08');
    expect((await asBroker('scoring', `/v1/scores/declaration/${a}`)).status).toBe(200);
    expect((await asBroker('scoring', `/v1/scores/importer/${IMPORTER_A}`)).status).toBe(200);
    expect((await asBroker('scoring', `/v1/declarations/${a}/scored-lines`)).status).toBe(200);
    const alerts = await asBroker('alerting', '/v1/alerts');
    expect(alerts.status).toBe(200);
    expect(alerts.body.alerts.length).toBeGreaterThan(0);
    expect(new Set(alerts.body.alerts.map((x: any) => x.importerEori))).toEqual(new Set([IMPORTER_A]));
    const alertA = alerts.body.alerts.find((x: any) => x.declarationId === a);
    expect((await asBroker('alerting', `/v1/alerts/${alertA.alertId}`)).status).toBe(200);

    // The other importer's: as if it did not exist (404, the same answer as an unknown id).
    expect((await asBroker('ingestion', `/v1/declarations/${b}`)).status).toBe(404);
    expect((await asBroker('ingestion', `/v1/declarations/${b}/versions`)).status).toBe(404);
    expect((await asBroker('validation', `/v1/declarations/${b}/findings`)).status).toBe(404);
    expect((await asBroker('scoring', `/v1/scores/declaration/${b}`)).status).toBe(404);
    expect((await asBroker('scoring', `/v1/scores/importer/${IMPORTER_B}`)).status).toBe(404);
    expect((await asBroker('scoring', `/v1/declarations/${b}/scored-lines`)).status).toBe(404);
    expect((await asBroker('scoring', `/v1/importers/${IMPORTER_B}/readiness`)).status).toBe(404);
    const filtered = await asBroker('alerting', `/v1/alerts?importer=${IMPORTER_B}`);
    expect(filtered.status).toBe(403);
    const all = (await p.http('alerting', 'GET', '/v1/alerts')).body.alerts;
    const alertB = all.find((x: any) => x.declarationId === b);
    expect(alertB.importerEori).toBe(IMPORTER_B);
    expect((await asBroker('alerting', `/v1/alerts/${alertB.alertId}`)).status).toBe(404);
    expect((await asBroker('alerting', `/v1/alerts/${alertB.alertId}/history`)).status).toBe(404);

    // Tenant-wide lists are not scoped to importers: refused to a broker.
    expect((await asBroker('scoring', '/v1/scores/declaration')).status).toBe(403);
    expect((await asBroker('validation', '/v1/not-checked')).status).toBe(403);
    expect((await asBroker('ingestion', '/v1/batches')).status).toBe(403);

    // Brokers acting for several importers: a list answers the union of their importers' data
    // (or the one named), records are visible by their importer (issue 11, item 5).
    const importersOf = (r: { body: any }) => [...new Set<string>(r.body.alerts.map((x: any) => x.importerEori))].sort();
    const table: { token: string; path: string; status: number; importers?: string[] }[] = [
      { token: brokerAB, path: '/v1/alerts', status: 200, importers: [IMPORTER_A, IMPORTER_B] },
      { token: brokerAB, path: `/v1/alerts?importer=${IMPORTER_A}`, status: 200, importers: [IMPORTER_A] },
      { token: brokerAB, path: `/v1/alerts?importer=${IMPORTER_B}`, status: 200, importers: [IMPORTER_B] },
      { token: brokerAB, path: '/v1/alerts?importer=GB000000000001', status: 403 },
      { token: brokerAB, path: '/v1/alerts?limit=1', status: 200 },
      { token: brokerAC, path: '/v1/alerts', status: 200, importers: [IMPORTER_A] },
      { token: brokerAC, path: `/v1/alerts?importer=${IMPORTER_C}`, status: 200, importers: [] },
      { token: brokerAC, path: `/v1/alerts?importer=${IMPORTER_B}`, status: 403 },
      { token: tokens.broker, path: '/v1/alerts', status: 200, importers: [IMPORTER_A] },
    ];
    const got = [];
    for (const row of table) {
      const r = await p.http('alerting', 'GET', row.path, undefined, { token: row.token });
      got.push({ ...row, status: r.status, ...(row.importers ? { importers: r.status === 200 ? importersOf(r) : undefined } : {}) });
    }
    expect(got).toEqual(table);
    // Pages of a multi-importer broker's list walk the same union.
    const walked: string[] = [];
    for (let path: string | null = '/v1/alerts?limit=1'; path; ) {
      const r = await p.http('alerting', 'GET', path, undefined, { token: brokerAB });
      expect(r.status).toBe(200);
      walked.push(...r.body.alerts.map((x: any) => x.importerEori));
      path = r.body.nextCursor ? `/v1/alerts?limit=1&cursor=${encodeURIComponent(r.body.nextCursor)}` : null;
    }
    expect([...new Set(walked)].sort()).toEqual([IMPORTER_A, IMPORTER_B]);
    for (const [token, id, visible] of [
      [brokerAB, b, true],
      [brokerAC, b, false],
      [brokerAC, a, true],
    ] as const) {
      const want = visible ? 200 : 404;
      expect({ token, id, declaration: (await p.http('ingestion', 'GET', `/v1/declarations/${id}`, undefined, { token })).status }).toEqual({ token, id, declaration: want });
      expect({ token, id, findings: (await p.http('validation', 'GET', `/v1/declarations/${id}/findings`, undefined, { token })).status }).toEqual({ token, id, findings: want });
      expect({ token, id, score: (await p.http('scoring', 'GET', `/v1/scores/declaration/${id}`, undefined, { token })).status }).toEqual({ token, id, score: want });
      const alertId = (id === a ? alertA : alertB).alertId;
      expect({ token, id, alert: (await p.http('alerting', 'GET', `/v1/alerts/${alertId}`, undefined, { token })).status }).toEqual({ token, id, alert: want });
    }
  });
});
