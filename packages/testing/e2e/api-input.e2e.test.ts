import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../src';
import { sample, startPlatform, type Platform } from './harness';

/**
 * Issue 11 defect 8 and issue 17 item 1, through the five real services (real HTTP, Postgres,
 * Kafka): hostile or careless input to the REST APIs is an exact 400/405/413/415 problem
 * (RFC 9457, application/problem+json, a stable type per code, the request id as instance and
 * in x-request-id) naming the element — never a 500, never applied. Then: cursor pages walk a
 * list to its end without a gap or a repeat, CSV downloads, and the OpenAPI documents.
 */
describe('REST input handling: schemas, problems, pages, CSV, OpenAPI', () => {
  let p: Platform;
  beforeAll(async () => {
    p = await startPlatform('apiinput');
  });
  afterAll(async () => {
    await p?.stop();
  });

  type Service = keyof Platform['services'];
  const call = async (service: Service, method: string, path: string, opts: { body?: string | Buffer; contentType?: string; token?: string | null; accept?: string } = {}) => {
    const headers: Record<string, string> = {};
    if (opts.token !== null) headers.authorization = `Bearer ${opts.token ?? p.tokens.admin}`;
    if (opts.contentType) headers['content-type'] = opts.contentType;
    if (opts.accept) headers.accept = opts.accept;
    // A request the service never answers fails its own case (20 s), not the whole run.
    const res = await fetch(`${p.services[service].httpUrl}${path}`, { method, headers, body: opts.body, signal: AbortSignal.timeout(20_000) });
    const text = await res.text();
    let body: any;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    return { status: res.status, headers: res.headers, body, text };
  };
  const json = (v: unknown) => ({ body: JSON.stringify(v), contentType: 'application/json' });
  const transition = '/v1/alerts/no-such-alert/transition';

  // [what, service, method, path, request, status, code, the element the problem names]
  // Every row has all eight entries: jest passes a done callback to a test function declaring more
  // parameters than its row has values.
  const hostile: [string, Service, string, string, Parameters<typeof call>[3], number, string, string][] = [
    ['a non-string reason', 'alerting', 'POST', transition, json({ to: 'acknowledged', reason: ['x'] }), 400, 'invalid_request', 'reason'],
    ['a number as reason', 'alerting', 'POST', transition, json({ to: 'acknowledged', reason: 5 }), 400, 'invalid_request', 'reason'],
    ['`to` as an array', 'alerting', 'POST', transition, json({ to: ['resolved'], reason: 'x' }), 400, 'invalid_request', 'to'],
    ['an object disposition', 'alerting', 'POST', transition, json({ to: 'resolved', reason: 'x', disposition: { a: 1 } }), 400, 'invalid_request', 'disposition'],
    ['a 1 MiB reason', 'alerting', 'POST', transition, json({ to: 'acknowledged', reason: 'x'.repeat(1 << 20) }), 400, 'invalid_request', 'reason'],
    ['an unknown body field', 'alerting', 'POST', transition, json({ to: 'acknowledged', reason: 'x', status: 'closed' }), 400, 'invalid_request', 'status'],
    ['a body that is not JSON', 'alerting', 'POST', transition, { body: '{"to":', contentType: 'application/json' }, 400, 'invalid_json', ''],
    ['an empty JSON body', 'alerting', 'POST', transition, { body: '', contentType: 'application/json' }, 400, 'empty_body', ''],
    ['a body of an unsupported type', 'alerting', 'POST', transition, { body: 'to=resolved', contentType: 'application/x-www-form-urlencoded' }, 415, 'unsupported_media_type', ''],
    ['status=constructor', 'alerting', 'GET', '/v1/alerts?status=constructor', {}, 400, 'invalid_request', 'status'],
    ['status=__proto__', 'alerting', 'GET', '/v1/alerts?status=__proto__', {}, 400, 'invalid_request', 'status'],
    ['limit=1.5 (alerts)', 'alerting', 'GET', '/v1/alerts?limit=1.5', {}, 400, 'invalid_request', 'limit'],
    ['an unknown query parameter', 'alerting', 'GET', '/v1/alerts?colour=red', {}, 400, 'invalid_request', 'colour'],
    ['limit=1.5 (batches)', 'ingestion', 'GET', '/v1/batches?limit=1.5', {}, 400, 'invalid_request', 'limit'],
    ['limit=0 (batches)', 'ingestion', 'GET', '/v1/batches?limit=0', {}, 400, 'invalid_request', 'limit'],
    ['limit=1e3 (receipts)', 'ingestion', 'GET', '/v1/erp-receipts?limit=1e999', {}, 400, 'invalid_request', 'limit'],
    ['a cursor this API never made', 'ingestion', 'GET', '/v1/batches?cursor=bm90LW91cnM', {}, 400, 'invalid_cursor', ''],
    ['an oversized version', 'ingestion', 'GET', '/v1/declarations/D1?version=99999999999999999999', {}, 400, 'invalid_request', 'version'],
    ['a fractional version', 'ingestion', 'GET', '/v1/declarations/D1?version=1.5', {}, 400, 'invalid_request', 'version'],
    ['limit=1.5 (reconciliation)', 'ingestion', 'GET', '/v1/reconciliation?limit=1.5', {}, 400, 'invalid_request', 'limit'],
    ['includeSuperseded=maybe', 'validation', 'GET', '/v1/declarations/D1/findings?includeSuperseded=maybe', {}, 400, 'invalid_request', 'includeSuperseded'],
    ['a date that is not YYYY-MM-DD', 'reference', 'GET', '/v1/commodities/0702000007?date=yesterday', {}, 400, 'invalid_request', 'date'],
    ['an OTT sync body with an unknown field', 'reference', 'POST', '/v1/admin/ott-syncs', json({ kind: 'full', to: ['x'] }), 400, 'invalid_request', 'to'],
    ['an OTT sync kind not in the enum', 'reference', 'POST', '/v1/admin/ott-syncs', json({ kind: 'constructor' }), 400, 'invalid_request', 'kind'],
    ['a multipart body with no boundary', 'ingestion', 'POST', '/v1/uploads', { body: 'garbage', contentType: 'multipart/form-data' }, 400, 'malformed_multipart', ''],
    [
      'a multipart body that ends mid-part',
      'ingestion',
      'POST',
      '/v1/uploads',
      { body: '--XX\r\nContent-Disposition: form-data; name="f"; filename="a.xml"\r\n\r\n<a', contentType: 'multipart/form-data; boundary=XX' },
      400,
      'malformed_multipart',
      '',
    ],
    ['a wrong method on an existing path', 'ingestion', 'DELETE', '/v1/batches', {}, 405, 'method_not_allowed', ''],
    ['PUT on a read-only alert', 'alerting', 'PUT', '/v1/alerts/a1', {}, 405, 'method_not_allowed', ''],
    ['an unknown route', 'validation', 'GET', '/v1/no-such-thing', {}, 404, 'not_found', ''],
    ['no token', 'scoring', 'GET', '/v1/declarations/D1/score', { token: null }, 401, 'unauthenticated', ''],
  ];

  it.each(hostile)('%s (%s %s %s)', async (_what, service, method, path, request, status, code, element) => {
    const r = await call(service, method, path, request);
    expect({ status: r.status, code: r.body?.error }).toEqual({ status, code });
    expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(r.body).toMatchObject({ type: `tag:customs-monitor,2026:problem:${code}`, status, title: expect.any(String), detail: expect.any(String) });
    expect(r.headers.get('x-request-id')).toBeTruthy();
    expect(r.body.instance).toBe(`urn:request:${r.headers.get('x-request-id')}`);
    expect(r.text).not.toMatch(/FST_/);
    if (element) expect(r.body.errors?.map((e: { name: string }) => e.name)).toContain(element);
    if (status === 405) expect(r.headers.get('allow')).toMatch(/GET/);
  });

  it('nothing hostile was applied: the service answers a good request as before', async () => {
    const r = await call('alerting', 'POST', transition, json({ to: 'acknowledged', reason: 'checked' }));
    expect({ status: r.status, code: r.body.error }).toEqual({ status: 404, code: 'not_found' });
    const ok = await call('alerting', 'GET', '/v1/alerts?status=new&limit=5');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-request-id')).toBeTruthy();
  });

  it('a caller’s x-request-id is kept (a plain token), and a hostile one replaced', async () => {
    const mine = await fetch(`${p.services.ingestion.httpUrl}/v1/batches`, { headers: { authorization: `Bearer ${p.tokens.admin}`, 'x-request-id': 'trace-me-42' } });
    expect(mine.headers.get('x-request-id')).toBe('trace-me-42');
    const bad = await fetch(`${p.services.ingestion.httpUrl}/v1/batches`, { headers: { authorization: `Bearer ${p.tokens.admin}`, 'x-request-id': 'a b'.repeat(100) } });
    expect(bad.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('cursor pages walk every batch once, newest first, following `next`', async () => {
    // Five batches: one accepted sample, then four refusals (every refusal is a batch too).
    const files = ['one', 'two', 'three', 'four', 'five'];
    expect((await p.http('ingestion', 'POST', '/v1/documents?filename=sample.xml', sample('TT_FI005b/TT_FI005b.xml'), { token: p.tokens.integrator })).status).toBe(201);
    for (const f of files.slice(1)) expect((await p.http('ingestion', 'POST', `/v1/documents?filename=${f}&format=pdf`, 'x', { token: p.tokens.integrator })).status).toBe(400);
    const all = await call('ingestion', 'GET', '/v1/batches?limit=500');
    expect(all.body.next).toBeNull();
    const seen: string[] = [];
    let next: string | null = '/v1/batches?limit=2';
    let pages = 0;
    while (next) {
      const r = await call('ingestion', 'GET', next);
      expect(r.status).toBe(200);
      expect(r.body.batches.length).toBeLessThanOrEqual(2);
      seen.push(...r.body.batches.map((b: { batch_id: string }) => b.batch_id));
      next = r.body.next;
      pages++;
    }
    expect(all.body.batches.length).toBeGreaterThanOrEqual(files.length);
    expect(seen).toEqual(all.body.batches.map((b: { batch_id: string }) => b.batch_id));
    expect(pages).toBe(Math.ceil(seen.length / 2)); // no empty trailing page: each page looks one row ahead
  });

  it('Accept: text/csv downloads the batch list, one row per batch with a header', async () => {
    const page = await call('ingestion', 'GET', '/v1/batches?limit=500');
    const csv = await call('ingestion', 'GET', '/v1/batches?limit=500', { accept: 'text/csv' });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-disposition')).toBe('attachment; filename="batches.csv"');
    const lines = csv.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe('batch_id,received_at,format,source_name,status,declarations_accepted,declarations_duplicate,issue_count');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(page.body.batches.map((b: { batch_id: string }) => b.batch_id));
  });

  it.each(['ingestion', 'reference', 'validation', 'scoring', 'alerting'] as Service[])('%s serves its OpenAPI 3.1 document and /docs without a token', async (service) => {
    const doc = await call(service, 'GET', '/openapi.json', { token: null });
    expect(doc.status).toBe(200);
    // Linted by scripts/openapi-lint.mjs (make test runs it after jest).
    fs.mkdirSync(path.join(REPO_ROOT, '.run/openapi'), { recursive: true });
    fs.writeFileSync(path.join(REPO_ROOT, `.run/openapi/${service}.json`), JSON.stringify(doc.body, null, 2));
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths).length).toBeGreaterThan(1);
    expect(doc.body.components.schemas.Problem).toBeDefined();
    const ui = await call(service, 'GET', '/docs/', { token: null });
    expect(ui.status).toBe(200);
    expect(ui.text).toMatch(/swagger/i);
  });
});
