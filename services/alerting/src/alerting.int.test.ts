// The alerting service as it runs (real Kafka, Postgres, gRPC, HTTP), fed the events validation,
// ingestion and scoring publish: correlation by every rule type, REST sort/filter/pages, the
// lifecycle with auto-resolve, deadlines moving with an injected clock, exceptions, tenant
// settings, gRPC streams with filters and resume, findings feed, OpenAPI, and tenant isolation.
import { credentials } from '@grpc/grpc-js';
import {
  AlertingServiceClient,
  DeclarationChecked,
  DeclarationReceived,
  Declaration,
  FindingRaised,
  GoodsItem,
  ScoreUpdated,
  Topics,
  type Finding,
  type StreamAlertsRequest,
  type StreamAlertsResponse,
  type StreamFindingsResponse,
} from '@customs/contracts';
import { callMetadata } from '@customs/grpc';
import { buildEvent, type KafkaHandle } from '@customs/kafka';
import type { RunningService } from '@customs/service';
import { createTestDatabase, createTestTopics, deleteTestTopics, testEnv, testTokens, uniquePrefix, waitFor, type TestDatabase } from '@customs/testing';
import { loadConfig } from './config';
import { finding } from './policies/__fixtures__/memory';
import { startAlertingService } from './service';

const A = 'tenant-al-a';
const B = 'tenant-al-b';
const BROKER = 'GB200000000002';

describe('alerting service: correlation, APIs and guarantees (real Kafka, Postgres, gRPC)', () => {
  let kafka: KafkaHandle;
  let db: TestDatabase;
  let service: RunningService;
  let nowMs = Date.parse('2026-12-01T00:00:00Z');
  const tokens = { a: testTokens(A), b: testTokens(B) };
  const producer = () => kafka.producer();
  let prod: ReturnType<typeof producer>;

  const http = async (method: string, path: string, body?: unknown, token = tokens.a.analyst) => {
    const res = await fetch(`${service.httpUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const send = async (topic: (typeof Topics)[keyof typeof Topics], events: ReturnType<typeof buildEvent>[]) => {
    await prod.send({ topic: kafka.physical(topic.name), messages: events.map((e) => ({ key: e.key, value: Buffer.from(e.payload), headers: e.headers })) });
  };
  const checked = (tenant: string, declarationId: string, version: number, findings: Finding[], superseded: string[] = []) =>
    buildEvent({
      topic: Topics.declarationChecked,
      key: `${tenant}/${declarationId}`,
      tenant,
      source: 'test',
      id: `checked/${tenant}/${declarationId}/${version}`,
      value: DeclarationChecked.fromPartial({
        tenantId: tenant,
        declarationId,
        declarationVersion: version,
        findings: findings.map((f) => ({ ...f, tenantId: tenant, declarationId })),
        supersededFindingIds: superseded,
      }),
    });
  const alerts = async (qs = '', token = tokens.a.analyst) => (await http('GET', `/v1/alerts${qs}`, undefined, token)).body.alerts as any[];

  beforeAll(async () => {
    const prefix = uniquePrefix('alerting');
    kafka = await createTestTopics(prefix);
    db = await createTestDatabase('alerting');
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
        DEADLINE_TICK_MS: '200',
      }),
      { clock: { now: () => new Date(nowMs) } },
    );
    prod = producer();
    await prod.connect();
  });
  afterAll(async () => {
    await prod?.disconnect();
    await service?.stop();
    await db?.drop();
    await deleteTestTopics(kafka);
  });

  it('raises threshold, deadline, expired finding_match and risk alerts, with money split and days left', async () => {
    // Five C09 findings by one broker on five days (AR-003), one £1,500 reclaim 90 days from its
    // deadline (AR-007), one time-barred £10,500 exposure (AR-001 → expired).
    const series = [0, 1, 2, 3, 4].map((i) => checked(A, `d${i}`, 1, [finding({ findingId: `f${i}`, acceptanceDate: `2024-01-0${i + 5}`, exposureDutyPence: 1000 * (i + 1), exposureVatPence: 200 })]));
    await send(Topics.declarationChecked, [
      ...series,
      checked(A, 'r1', 1, [
        finding({ findingId: 'reclaim-1', ruleId: 'C21', family: 'origin-preference', severity: 2, acceptanceDate: '2024-03-01', reclaimDutyPence: 150000, declarantId: 'GB300000000003' }),
      ]),
      checked(A, 'old', 1, [finding({ findingId: 'old-1', ruleId: 'C08', severity: 5, acceptanceDate: '2023-06-01', exposureDutyPence: 1050000, declarantId: 'GB400000000004' })]),
    ]);
    const all = await waitFor('alerts of every kind', async () => {
      const list = await alerts('?limit=1000');
      // Every checked event processed: the last alert of each kind is there (they come over six partitions).
      const ids = new Set(list.map((a) => a.alertRuleId));
      const fm = list.filter((a) => a.alertRuleId === 'AR-001').length;
      return ['AR-003', 'AR-004', 'AR-007', 'AR-008'].every((t) => ids.has(t)) && fm === 7 ? list : undefined;
    });
    const ar3 = all.find((a) => a.alertRuleId === 'AR-003');
    expect(ar3).toMatchObject({ entityType: 'broker', entityId: BROKER, declarantId: BROKER, alertRuleType: 'threshold', reclaimPence: 0, reclaimVatPence: 0 });
    expect(ar3.findings).toHaveLength(5);
    expect(ar3.exposurePence).toBe(ar3.exposureDutyPence + ar3.exposureVatPence);
    const reclaim = all.find((a) => a.alertRuleId === 'AR-007');
    expect(reclaim).toMatchObject({ deadline: '2027-03-01', daysLeft: 90, deadlineBand: 90, severity: 'SEVERITY_HIGH', reclaimDutyPence: 150000, exposurePence: 0 });
    const barred = all.find((a) => a.alertRuleId === 'AR-001' && a.declarationId === 'old');
    expect(barred).toMatchObject({ statusName: 'expired', status: 'ALERT_STATUS_EXPIRED', daysLeft: -183, exposurePence: 1050000 });
    const detail = await http('GET', `/v1/alerts/${barred.alertId}`);
    expect(detail.body.history.map((h: any) => `${h.kind}:${h.from}->${h.to}`)).toEqual(['raised:unspecified->new', 'expired:new->expired']);
    expect(detail.body.history[1].reason).toMatch(/statutory deadline 2026-06-01 passed .*time-barred/);
  });

  it('sorts by money and by days left, filters, and pages with a cursor without gaps or repeats', async () => {
    const byMoney = await alerts('?sort=money&limit=1000');
    const money = byMoney.map((a) => a.moneyAtStakePence);
    expect(money).toEqual([...money].sort((x, y) => y - x));
    const byDays = await alerts('?sort=days_left&state=new&limit=1000');
    const days = byDays.filter((a) => a.daysLeft !== null).map((a) => a.daysLeft);
    expect(days).toEqual([...days].sort((x, y) => x - y));
    expect(byDays.every((a) => a.statusName === 'new')).toBe(true);
    expect((await alerts(`?broker=${BROKER}&rule_type=threshold`)).every((a) => a.declarantId === BROKER && a.alertRuleType === 'threshold')).toBe(true);
    // Expired: the time-barred finding's own alert, the broker-money alert it alone made, and the
    // time-barred exposure recorded by the deadline rule.
    const expired = await alerts('?state=expired');
    expect(expired.map((a) => a.alertRuleId).sort()).toEqual(['AR-001', 'AR-004', 'AR-008']);
    expect(expired.every((a) => a.latestDeadline < '2026-12-01' && a.findings.every((f: any) => f.findingId === 'old-1'))).toBe(true);
    expect((await alerts('?min_pence=1000000')).every((a) => a.moneyAtStakePence >= 1000000)).toBe(true);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { alerts: { alertId: string }[]; nextCursor: string | null } } = await http('GET', `/v1/alerts?sort=money&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.body.alerts.map((a) => a.alertId));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(byMoney.map((a) => a.alertId));
    // By broker (alphabetical, pages too).
    const byBroker: string[] = [];
    cursor = null;
    do {
      const page: { status: number; body: { alerts: { declarantId: string }[]; nextCursor: string | null } } = await http('GET', `/v1/alerts?sort=broker&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      byBroker.push(...page.body.alerts.map((a) => a.declarantId));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(byBroker).toEqual([...byBroker].sort());
    expect(byBroker).toHaveLength(byMoney.length);
  });

  it('refuses bad input with a 400 naming the problem, never a 500', async () => {
    expect((await http('GET', '/v1/alerts?state=sleeping')).body).toMatchObject({ error: 'invalid_state', message: expect.stringContaining('"sleeping"') });
    expect((await http('GET', '/v1/alerts?sort=colour')).status).toBe(400);
    expect((await http('GET', '/v1/alerts?cursor=not-a-cursor')).body.error).toBe('invalid_cursor');
    const id = (await alerts())[0].alertId;
    const long = await http('POST', `/v1/alerts/${id}/transition`, { to: 'acknowledged', reason: 'x'.repeat(2001) });
    expect(long).toMatchObject({ status: 400, body: { error: 'invalid_request', message: expect.stringContaining('reason') } });
    expect((await http('POST', `/v1/alerts/${id}/transition`, { to: 'resolved', reason: 'r', disposition: 'shrug' })).status).toBe(400);
    expect((await http('POST', `/v1/alerts/${id}/transition`, '{"to":')).status).toBe(400);
    expect((await http('PUT', '/v1/alert-rules/AR-003/settings', { enabled: true, params: { at_least: -1 } }, tokens.a.admin)).body).toMatchObject({ error: 'invalid_setting' });
    expect((await http('PUT', '/v1/alert-rules/AR-003/settings', { enabled: true }, tokens.a.analyst)).status).toBe(403);
  });

  it('auto-resolves when an amendment withdraws every finding, with a history entry saying why', async () => {
    const before = (await alerts('?limit=1000')).find((a) => a.alertRuleId === 'AR-001' && a.declarationId === 'r1');
    await send(Topics.declarationChecked, [checked(A, 'r1', 2, [], ['reclaim-1'])]);
    const after = await waitFor('auto-resolved', async () => {
      const r = await http('GET', `/v1/alerts/${before.alertId}`);
      return r.body.alert.statusName === 'resolved' ? r.body : undefined;
    });
    expect(after.alert).toMatchObject({ disposition: 'findings_withdrawn', reclaimPence: 0 });
    expect(after.alert.findings[0]).toMatchObject({ findingId: 'reclaim-1', withdrawn: true });
    expect(after.history.at(-1)).toMatchObject({ kind: 'auto_resolved', actor: 'system', from: 'new', to: 'resolved', reason: expect.stringContaining('superseded by version 2 of declaration r1') });
  });

  it('triages with acknowledge, assign, notes and bulk changes, recording the person', async () => {
    const ar3 = (await alerts('?rule=AR-003'))[0];
    expect((await http('POST', `/v1/alerts/${ar3.alertId}/transition`, { to: 'acknowledged', reason: 'looking' })).body.alert.statusName).toBe('acknowledged');
    expect((await http('POST', `/v1/alerts/${ar3.alertId}/assign`, { assignee: 'sam@example.com', reason: 'broker owner' })).body.alert.assignee).toBe('sam@example.com');
    await http('POST', `/v1/alerts/${ar3.alertId}/notes`, { text: 'called the broker; keying error in their template' });
    const ids = (await alerts('?state=new&limit=1000')).filter((a) => a.alertRuleType === 'finding_match').map((a) => a.alertId);
    const bulk = await http('POST', '/v1/alerts/bulk-transition', { alertIds: ids, to: 'in_progress', reason: 'batch review' });
    expect(bulk.body.changed).toBe(ids.length);
    // All or nothing: one alert that cannot be archived refuses the request, naming it.
    const refused = await http('POST', '/v1/alerts/bulk-transition', { alertIds: [...ids, ar3.alertId], to: 'archived', reason: 'x' });
    expect(refused).toMatchObject({ status: 409, body: { error: 'transition_refused' } });
    expect((await alerts('?state=in_progress&limit=1000')).length).toBe(ids.length);
    const h = (await http('GET', `/v1/alerts/${ar3.alertId}/history`)).body.history;
    expect(h.slice(-3).map((x: any) => [x.kind, x.actor])).toEqual([
      ['transition', `analyst@${A}`],
      ['assigned', `analyst@${A}`],
      ['note', `analyst@${A}`],
    ]);
    expect(h.at(-1).note).toMatch(/keying error/);
  });

  it('escalates and expires deadline alerts as the (injected) clock moves', async () => {
    // A fresh £2,000 reclaim 90 days from its deadline (the first one was withdrawn above).
    await send(Topics.declarationChecked, [
      checked(A, 'r2', 1, [
        finding({ findingId: 'reclaim-2', ruleId: 'C22', family: 'origin-preference', severity: 2, acceptanceDate: '2024-03-01', reclaimDutyPence: 200000, declarantId: 'GB300000000003' }),
      ]),
    ]);
    await waitFor('reclaim alert', async () => (await alerts('?rule=AR-007&state=new&limit=10')).find((a) => a.declarationId === 'r2'));
    nowMs = Date.parse('2027-02-10T00:00:00Z');
    try {
      const escalated = await waitFor('escalated to 30 days', async () => (await alerts('?rule=AR-007&limit=10')).find((a) => a.declarationId === 'r2' && a.deadlineBand === 30));
      expect(escalated).toMatchObject({ severity: 'SEVERITY_CRITICAL', daysLeft: 19 });
      nowMs = Date.parse('2027-03-02T00:00:00Z');
      const expired = await waitFor('expired', async () => (await alerts('?rule=AR-007&limit=10')).find((a) => a.declarationId === 'r2' && a.statusName === 'expired'));
      expect(expired.daysLeft).toBe(-1);
      const h = (await http('GET', `/v1/alerts/${expired.alertId}/history`)).body.history.map((x: any) => x.kind);
      expect(h).toEqual(['raised', 'escalated', 'expired']);
    } finally {
      nowMs = Date.parse('2026-12-01T00:00:00Z');
    }
  });

  it('applies exceptions (suppressed, named) and tenant rule settings (audited), and serves OpenAPI', async () => {
    const ex = await http(
      'POST',
      '/v1/alert-exceptions',
      { scope: { broker: 'GB500000000005' }, owner: 'jo@example.com', reason: 'broker on a remediation plan', expiresAt: '2027-06-01T00:00:00Z' },
      tokens.a.admin,
    );
    expect(ex.status).toBe(201);
    const off = await http('PUT', '/v1/alert-rules/AR-002/settings', { enabled: false }, tokens.a.admin);
    expect(off.body).toMatchObject({ actor: `admin@${A}`, before: null, after: { enabled: false, params: {} } });
    await send(Topics.declarationChecked, [
      checked(A, 'x1', 1, [finding({ findingId: 'x1-f', declarantId: 'GB500000000005', exposureDutyPence: 700 })]),
      checked(A, 'x2', 1, [finding({ findingId: 'x2-f', ruleId: 'C01', family: 'data-integrity', severity: 2 })]),
    ]);
    const suppressed = await waitFor('suppressed by exception', async () => (await alerts('?state=suppressed')).find((a) => a.declarationId === 'x1'));
    expect(suppressed.exceptionId).toBe(ex.body.exception.id);
    await waitFor('x2 processed', async () => (await http('GET', '/v1/findings-feed?limit=1000')).body.findings.some((f: any) => f.finding.findingId === 'x2-f'));
    expect((await alerts('?limit=1000')).filter((a) => a.alertRuleId === 'AR-002' && a.declarationId === 'x2')).toHaveLength(0);
    const audit = (await http('GET', '/v1/alert-settings/audit', undefined, tokens.a.admin)).body.entries;
    expect(audit.map((e: any) => [e.subjectType, e.actor])).toEqual([
      ['rule', `admin@${A}`],
      ['exception', `admin@${A}`],
    ]);
    const rules = (await http('GET', '/v1/alert-rules')).body.rules;
    expect(rules.find((r: any) => r.id === 'AR-002')).toMatchObject({ enabled: false });
    expect(new Set(rules.map((r: any) => r.type)).size).toBe(7);
    const doc = (await http('GET', '/v1/openapi.json')).body;
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/alerts', '/v1/alerts/{id}/transition', '/v1/alert-exceptions', '/v1/findings-feed']));
  });

  it('correlates scoring’s history findings too (family "history")', async () => {
    const f = finding({ findingId: 'hist-1', tenantId: A, declarationId: 'h1', ruleId: 'C10', family: 'history', severity: 4, exposureDutyPence: 4200 });
    await send(Topics.scoringFindingRaised, [
      buildEvent({ topic: Topics.scoringFindingRaised, key: `${A}/h1`, tenant: A, source: 'test', id: `history-finding/${A}/hist-1`, value: FindingRaised.fromPartial({ finding: f }) }),
    ]);
    const a = await waitFor('history alert', async () => (await alerts('?limit=1000')).find((x) => x.declarationId === 'h1' && x.alertRuleId === 'AR-001'));
    expect(a).toMatchObject({ ruleIds: ['C10'], families: ['history'], exposurePence: 4200 });
  });

  it('raises new_terms and score_change alerts from declarations and scores', async () => {
    const decl = (i: number, declarant: string, date: string) =>
      buildEvent({
        topic: Topics.declarationReceived,
        key: `${A}/n${i}`,
        tenant: A,
        source: 'test',
        id: `decl/${A}/n${i}`,
        value: DeclarationReceived.fromPartial({
          declaration: Declaration.fromPartial({
            tenantId: A,
            declarationId: `n${i}`,
            version: 1,
            lrn: `L${i}`,
            acceptanceDate: date,
            importerEori: 'GB100000000001',
            parties: [{ role: 'declarant', id: declarant }],
            items: [GoodsItem.fromPartial({ itemNumber: 1, commodityCode: '6109100010', originCountry: 'CN', procedureCode: '4000' })],
          }),
        }),
      });
    const history = Array.from({ length: 12 }, (_, i) => decl(i, BROKER, new Date(Date.parse('2024-01-01') + i * 7 * 86_400_000).toISOString().slice(0, 10)));
    await send(Topics.declarationReceived, [...history, decl(99, 'GB999999999999', '2024-04-15')]);
    const score = (s: number, prev: number, i: number) =>
      buildEvent({
        topic: Topics.scoreUpdated,
        key: `${A}/broker/${BROKER}`,
        tenant: A,
        source: 'test',
        id: `score/${i}`,
        value: ScoreUpdated.fromPartial({ score: { tenantId: A, entityType: 'broker', entityId: BROKER, score: s }, previousScore: prev }),
      });
    await send(Topics.scoreUpdated, [score(90, 100, 1), score(84, 90, 2), score(78, 84, 3)]);
    const list = await waitFor('new_terms and score_change', async () => {
      const l = await alerts('?rule_type=new_terms,score_change&limit=100');
      return l.some((a) => a.alertRuleId === 'AR-005') && l.some((a) => a.alertRuleId === 'AR-013') ? l : undefined;
    });
    expect(list.find((a) => a.alertRuleId === 'AR-005')).toMatchObject({ termField: 'declarant', termValue: 'GB999999999999', importerEori: 'GB100000000001' });
    expect(list.find((a) => a.alertRuleId === 'AR-013')).toMatchObject({ scoreBefore: 90, scoreAfter: 78, entityId: BROKER });
  });

  it('streams alert changes over gRPC with filters, resumes from a cursor with no gap or repeat, and pages ListAlerts', async () => {
    const client = new AlertingServiceClient(service.grpcAddress, credentials.createInsecure());
    const collect = (req: Partial<StreamAlertsRequest>, until: (got: StreamAlertsResponse[]) => boolean, token = tokens.a.analyst) =>
      new Promise<StreamAlertsResponse[]>((resolve, reject) => {
        const got: StreamAlertsResponse[] = [];
        const call = client.streamAlerts({ afterCursor: 0, minSeverity: 0, states: [], alertRuleIds: [], broker: '', minPence: 0, notifyOnly: false, ...req }, callMetadata(token));
        call.on('data', (m: StreamAlertsResponse) => {
          got.push(m);
          if (until(got)) {
            call.cancel();
            resolve(got);
          }
        });
        call.on('error', (e: { code?: number }) => (e.code === 1 ? undefined : reject(e)));
      });
    const { Client } = await import('pg');
    const admin = new Client({ connectionString: db.adminUrl });
    await admin.connect();
    const total = Number((await admin.query(`select count(*)::int as n from alerting.alert_history where tenant_id = $1`, [A])).rows[0].n);
    await admin.end();
    const everything = await collect({}, (g) => g.length >= total);
    const cursors = everything.map((m) => m.change!.alert!.cursor);
    expect(new Set(cursors).size).toBe(cursors.length);
    expect(cursors).toEqual([...cursors].sort((x, y) => x - y));
    expect(everything.every((m) => m.change!.alert!.tenantId === A)).toBe(true);
    const k = Math.floor(total / 2);
    const resumed = await collect({ afterCursor: cursors[k - 1]! }, (g) => g.length >= total - k);
    expect(resumed.map((m) => m.change!.alert!.cursor)).toEqual(cursors.slice(k));
    const filtered = await collect({ alertRuleIds: ['AR-003'], broker: BROKER }, (g) => g.length >= everything.filter((m) => m.change!.alert!.alertRuleId === 'AR-003').length);
    expect(filtered.every((m) => m.change!.alert!.alertRuleId === 'AR-003' && m.change!.alert!.declarantId === BROKER)).toBe(true);
    const rich = await collect({ minPence: 1000000 }, (g) => g.length >= 1);
    expect(rich[0]!.change!.alert!.exposurePence + rich[0]!.change!.alert!.reclaimPence).toBeGreaterThanOrEqual(1000000);
    // ListAlerts honours its cursor: pages of 3 cover every alert once.
    const listed: string[] = [];
    let after = 0;
    for (;;) {
      const page = await new Promise<{ alerts: { alertId: string }[]; nextCursor: number }>((resolve, reject) =>
        client.listAlerts({ limit: 3, afterCursor: after }, callMetadata(tokens.a.analyst), (e, r) => (e ? reject(e) : resolve(r!))),
      );
      if (page.alerts.length === 0) break;
      listed.push(...page.alerts.map((a) => a.alertId));
      after = page.nextCursor;
    }
    expect(listed.sort()).toEqual((await alerts('?limit=1000')).map((a) => a.alertId).sort());
    client.close();
  });

  it('never shows a subscriber another tenant’s alerts or findings (REST and gRPC)', async () => {
    await send(Topics.declarationChecked, [checked(B, 'b1', 1, [finding({ findingId: 'b-f1', exposureDutyPence: 999 })])]);
    const bAlerts = await waitFor('tenant B alert', async () => {
      const l = await alerts('?limit=1000', tokens.b.analyst);
      return l.length > 0 ? l : undefined;
    });
    expect(bAlerts.every((a) => a.tenantId === B)).toBe(true);
    const aIds = (await alerts('?limit=1000')).map((a) => a.alertId);
    expect(aIds.some((id) => bAlerts.some((b) => b.alertId === id))).toBe(false);
    expect((await http('GET', `/v1/alerts/${aIds[0]}`, undefined, tokens.b.analyst)).status).toBe(404);
    expect((await http('POST', `/v1/alerts/${aIds[0]}/transition`, { to: 'acknowledged', reason: 'x' }, tokens.b.analyst)).status).toBe(404);
    const bFeed = (await http('GET', '/v1/findings-feed?limit=1000', undefined, tokens.b.analyst)).body.findings;
    expect(bFeed.map((f: any) => f.finding.tenantId)).toEqual([B]);
    // Zero amounts are shown, not dropped.
    expect(bFeed[0].finding).toMatchObject({ exposureDutyPence: 999, reclaimDutyPence: 0, reclaimVatPence: 0 });
    const client = new AlertingServiceClient(service.grpcAddress, credentials.createInsecure());
    const streamed = await new Promise<StreamAlertsResponse[]>((resolve, reject) => {
      const got: StreamAlertsResponse[] = [];
      const call = client.streamAlerts({ afterCursor: 0, minSeverity: 0, states: [], alertRuleIds: [], broker: '', minPence: 0, notifyOnly: false }, callMetadata(tokens.b.analyst));
      call.on('data', (m: StreamAlertsResponse) => got.push(m));
      call.on('error', (e: { code?: number }) => (e.code === 1 ? undefined : reject(e)));
      // B has one history entry; after it, a change for A must not arrive on B's stream.
      setTimeout(() => void send(Topics.declarationChecked, [checked(A, 'late', 1, [finding({ findingId: 'late-f', exposureDutyPence: 5 })])]), 200);
      void waitFor('A’s late alert', async () => (await alerts('?limit=1000')).find((a) => a.declarationId === 'late')).then(() =>
        setTimeout(() => {
          call.cancel();
          resolve(got);
        }, 500),
      );
    });
    expect(streamed.length).toBeGreaterThan(0);
    expect(streamed.every((m) => m.change!.alert!.tenantId === B)).toBe(true);
    const feed = await new Promise<StreamFindingsResponse[]>((resolve, reject) => {
      const got: StreamFindingsResponse[] = [];
      const call = client.streamFindings({ afterCursor: 0 }, callMetadata(tokens.b.analyst));
      call.on('data', (m: StreamFindingsResponse) => {
        got.push(m);
        call.cancel();
        resolve(got);
      });
      call.on('error', (e: { code?: number }) => (e.code === 1 ? undefined : reject(e)));
    });
    expect(feed[0]!.finding!).toMatchObject({ tenantId: B, findingId: 'b-f1' });
    client.close();
  });
});
