import { TokenAuthenticator } from '@customs/config';
import { ServiceMetrics, createLogger } from '@customs/telemetry';
import { createHttpServer, isoDate, noBody, query, type FastifyInstance } from './index';

// Hostile-corpus defects fixed at the shared edge (packages/testing/hostile): impossible dates,
// unknown body fields on a body-less write, and what the router refuses before any route runs.
describe('the HTTP edge answers hostile requests with problems', () => {
  let app: FastifyInstance;
  let base = '';
  const token = 'admin-token-0123456789abcdef';
  const auth = { authorization: `Bearer ${token}` };
  const call = async (method: string, url: string, body?: string) => {
    const r = await fetch(`${base}${url}`, { method, headers: { ...auth, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, body });
    return { status: r.status, type: r.headers.get('content-type'), json: JSON.parse(await r.text()) };
  };
  beforeAll(async () => {
    app = createHttpServer({
      service: 'test',
      logger: createLogger('test', 'silent'),
      metrics: new ServiceMetrics('test', { defaultMetrics: false }),
      auth: new TokenAuthenticator([{ token, tenantId: 't1', role: 'admin' }]),
      ready: async () => true,
    });
    app.get<{ Querystring: { date?: string } }>('/on', { schema: { querystring: query({ date: isoDate }) } }, async (req) => ({ date: req.query.date }));
    app.get<{ Params: { id: string } }>('/things/:id', async (req) => ({ id: req.params.id }));
    app.post('/rescore', { schema: { body: noBody } }, async () => ({ ok: true }));
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => app.close());

  it.each(['2023-02-30', '0000-00-00', '2023-13-01', '2023-02-29'])('?date=%s is a 400 problem naming date', async (d) => {
    const r = await call('GET', `/on?date=${d}`);
    expect(r.status).toBe(400);
    expect(r.type).toMatch(/^application\/problem\+json/);
    expect(r.json).toMatchObject({ error: 'invalid_request', errors: [{ in: 'query', name: 'date' }] });
  });

  it('takes a real calendar date (a leap day too)', async () => {
    expect((await call('GET', '/on?date=2024-02-29')).json).toEqual({ date: '2024-02-29' });
  });

  it('a body-less write takes no body or {}, and refuses any field by name', async () => {
    const none = await call('POST', '/rescore');
    expect(none.json).toEqual({ ok: true });
    expect((await call('POST', '/rescore', '{}')).status).toBe(200);
    const r = await call('POST', '/rescore', JSON.stringify({ tenant: '*' }));
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ error: 'invalid_request', errors: [{ in: 'body', name: 'tenant' }] });
  });

  it('a path that is not valid percent-encoding is a 400 invalid_url problem', async () => {
    const r = await call('GET', '/things/%E0%A4%A');
    expect(r.status).toBe(400);
    expect(r.type).toMatch(/^application\/problem\+json/);
    expect(r.json).toMatchObject({ error: 'invalid_url', type: expect.stringMatching(/:invalid_url$/) });
  });

  it('a path parameter over 100 characters is a 414 uri_too_long problem', async () => {
    const r = await call('GET', `/things/${'x'.repeat(300)}`);
    expect(r.status).toBe(414);
    expect(r.type).toMatch(/^application\/problem\+json/);
    expect(r.json).toMatchObject({ error: 'uri_too_long', status: 414 });
    expect((await call('GET', `/things/${'x'.repeat(100)}`)).status).toBe(200);
  });
});
