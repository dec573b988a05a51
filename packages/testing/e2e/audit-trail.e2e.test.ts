import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { waitFor } from '../src';
import { sample, startPlatform, type Platform } from './harness';

// Issue 11, defect 13: every change made through a service's API is in that service's audit trail
// (subject, role, tenant, source IP, user agent, request id, action, target, time, outcome),
// append-only, and readable by admins and auditors at GET /v1/admin/audit — through the real
// services, their real HTTP and their real Postgres roles.
describe('audit trail: recorded, queryable, append-only (real services)', () => {
  let p: Platform;
  const auditor = `auditor-${randomBytes(12).toString('hex')}`;
  const call = async (service: keyof Platform['services'], method: string, path: string, token: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${p.services[service].httpUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'user-agent': 'audit-test/1.0', ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, requestId: res.headers.get('x-request-id') };
  };

  beforeAll(async () => {
    p = await startPlatform('audit', { extraTokens: `${auditor}=tenant-audit:auditor:auditor@example.test` });
  });
  afterAll(async () => {
    await p?.stop();
  });

  it('records uploads, rule and exception changes, approved agents, alert triage and refused attempts, with who, from where and when', async () => {
    const t0 = new Date(Date.now() - 1000).toISOString();
    const up = await fetch(`${p.services.ingestion.httpUrl}/v1/documents?filename=TT_FI005b.xml`, {
      method: 'POST',
      headers: { authorization: `Bearer ${p.tokens.integrator}`, 'content-type': 'application/xml', 'user-agent': 'erp-connector/2.3', 'x-request-id': 'upload-req-1' },
      body: sample('TT_FI005b/TT_FI005b.xml'),
    });
    expect(up.status).toBe(201);
    const { declarationId } = ((await up.json()) as any).declarations[0];

    const settings = await call('alerting', 'PUT', '/v1/alert-rules/AR-001/settings', p.tokens.admin, { enabled: true, params: {} }, { 'x-request-id': 'rule-change-7' });
    expect(settings.status).toBe(200);
    expect(settings.requestId).toBe('rule-change-7');
    const exception = await call('alerting', 'POST', '/v1/alert-exceptions', p.tokens.admin, {
      scope: { importer: 'GB999999999000' },
      owner: 'compliance@example.test',
      reason: 'known supplier, reviewed',
      expiresAt: new Date(Date.now() + 30 * 86400_000).toISOString(),
    });
    expect(exception.status).toBe(201);
    const agents = await call('scoring', 'PUT', '/v1/importers/GB021111238000/approved-agents', p.tokens.admin, { agents: ['GB021111238000'] });
    expect(agents.status).toBe(200);
    // A refused attempt is recorded too, with its 403.
    const refused = await call('alerting', 'PUT', '/v1/alert-rules/AR-001/settings', p.tokens.analyst, { enabled: false });
    expect(refused.status).toBe(403);

    const alert = await waitFor('alert', async () => {
      const r = await call('alerting', 'GET', '/v1/alerts', p.tokens.analyst);
      return r.body?.alerts?.find((a: any) => a.declarationId === declarationId);
    });
    const triage = await call('alerting', 'POST', `/v1/alerts/${alert.alertId}/transition`, p.tokens.analyst, { to: 'acknowledged', reason: 'looking at the commodity code' });
    expect(triage.status).toBe(200);

    // Ingestion's trail: the upload, by the integrator's subject, from loopback, with its agent and id.
    const ing = await call('ingestion', 'GET', '/v1/admin/audit', p.tokens.admin);
    expect(ing.status).toBe(200);
    expect(ing.body.entries).toEqual([
      expect.objectContaining({
        tenantId: p.tenant,
        role: 'integrator',
        subject: expect.stringMatching(/^token:[0-9a-f]{8}$/),
        action: 'POST /v1/documents',
        target: '/v1/documents',
        outcome: 201,
        sourceIp: expect.stringMatching(/127\.0\.0\.1/),
        userAgent: 'erp-connector/2.3',
        requestId: 'upload-req-1',
        details: { query: { filename: 'TT_FI005b.xml' } },
      }),
    ]);
    expect(Date.parse(ing.body.entries[0].at)).toBeGreaterThanOrEqual(Date.parse(t0));

    // Alerting's trail, newest first: the triage with its reason, the refused attempt, the exception, the rule change.
    const al = await call('alerting', 'GET', '/v1/admin/audit', auditor);
    expect(al.status).toBe(200);
    expect(al.body.entries.map((e: any) => [e.action, e.subject, e.role, e.outcome])).toEqual([
      ['POST /v1/alerts/:id/transition', `analyst@${p.tenant}`, 'analyst', 200],
      ['PUT /v1/alert-rules/:id/settings', `analyst@${p.tenant}`, 'analyst', 403],
      ['POST /v1/alert-exceptions', `admin@${p.tenant}`, 'admin', 201],
      ['PUT /v1/alert-rules/:id/settings', `admin@${p.tenant}`, 'admin', 200],
    ]);
    expect(al.body.entries[0]).toMatchObject({
      target: `/v1/alerts/${alert.alertId}/transition`,
      details: { params: { id: alert.alertId }, body: { to: 'acknowledged', reason: 'looking at the commodity code' } },
    });
    expect(al.body.entries[3]).toMatchObject({ requestId: 'rule-change-7', details: { body: { enabled: true, params: '(object)' } } });

    // Scoring's: the approved agents, by the admin's subject (not a token fingerprint).
    const sc = await call('scoring', 'GET', '/v1/admin/audit?action=PUT%20/v1/importers/:id/approved-agents', p.tokens.admin);
    expect(sc.body.entries).toEqual([
      expect.objectContaining({
        subject: `admin@${p.tenant}`,
        target: '/v1/importers/GB021111238000/approved-agents',
        details: { params: { id: 'GB021111238000' }, body: { agents: ['GB021111238000'] } },
      }),
    ]);
    const listed = await call('scoring', 'GET', '/v1/importers/GB021111238000/approved-agents', p.tokens.analyst);
    expect(listed.body.agents).toEqual([expect.objectContaining({ agentId: 'GB021111238000', addedBy: `admin@${p.tenant}` })]);

    // Filters and pages.
    const bySubject = await call('alerting', 'GET', `/v1/admin/audit?subject=${encodeURIComponent(`admin@${p.tenant}`)}`, p.tokens.admin);
    expect(bySubject.body.entries.map((e: any) => e.action)).toEqual(['POST /v1/alert-exceptions', 'PUT /v1/alert-rules/:id/settings']);
    const page1 = await call('alerting', 'GET', '/v1/admin/audit?limit=3', p.tokens.admin);
    expect(page1.body.entries).toHaveLength(3);
    const page2 = await call('alerting', 'GET', `/v1/admin/audit?limit=3&cursor=${page1.body.nextCursor}`, p.tokens.admin);
    expect(page2.body).toMatchObject({ nextCursor: null, entries: [expect.objectContaining({ requestId: 'rule-change-7' })] });
    const future = await call('alerting', 'GET', `/v1/admin/audit?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`, p.tokens.admin);
    expect(future.body.entries).toEqual([]);
    const bad = await call('alerting', 'GET', '/v1/admin/audit?from=yesterday', p.tokens.admin);
    expect(bad.status).toBe(400);
    // Only admins and auditors read it; an auditor cannot change anything.
    expect((await call('alerting', 'GET', '/v1/admin/audit', p.tokens.analyst)).status).toBe(403);
    expect((await call('alerting', 'GET', '/v1/admin/audit', p.tokens.integrator)).status).toBe(403);
    expect((await call('alerting', 'PUT', '/v1/alert-rules/AR-001/settings', auditor, { enabled: false })).status).toBe(403);
  });

  it('is append-only: the service role may not update, delete or truncate, and the trigger refuses even a superuser', async () => {
    const asService = new Client({ connectionString: p.db.urlFor('alerting') });
    const asSuperuser = new Client({ connectionString: p.db.adminUrl });
    await asService.connect();
    await asSuperuser.connect();
    try {
      await asService.query(`select set_config('app.tenant_id', $1, false)`, [p.tenant]);
      const n = Number((await asService.query('select count(*) from alerting.audit_trail')).rows[0].count);
      expect(n).toBeGreaterThan(0);
      await expect(asService.query(`update alerting.audit_trail set subject = 'someone-else'`)).rejects.toThrow(/permission denied/);
      await expect(asService.query('delete from alerting.audit_trail')).rejects.toThrow(/permission denied/);
      await expect(asService.query('truncate alerting.audit_trail')).rejects.toThrow(/permission denied/);
      await expect(asSuperuser.query(`update alerting.audit_trail set subject = 'someone-else'`)).rejects.toThrow(/append-only: UPDATE refused/);
      await expect(asSuperuser.query('delete from alerting.audit_trail')).rejects.toThrow(/append-only: DELETE refused/);
      await expect(asSuperuser.query('truncate alerting.audit_trail')).rejects.toThrow(/append-only: TRUNCATE refused/);
      expect(Number((await asService.query('select count(*) from alerting.audit_trail')).rows[0].count)).toBe(n);
      // Every service has its own trail.
      for (const s of ['ingestion', 'reference', 'validation', 'scoring', 'alerting']) {
        const t = await asSuperuser.query(`select count(*) from pg_trigger where tgrelid = '${s}.audit_trail'::regclass and tgname like 'audit_trail_%'`);
        expect([s, Number(t.rows[0].count)]).toEqual([s, 2]);
      }
    } finally {
      await asService.end();
      await asSuperuser.end();
    }
  });
});
