import { TokenAuthenticator } from '@customs/config';
import { ServiceMetrics, createLogger } from '@customs/telemetry';
import { checkRequestIdentifiers, createHttpServer, type FastifyInstance } from './index';

describe('the HTTP edge refuses control characters in what a request names', () => {
  let app: FastifyInstance;
  let base = '';
  // Through a real socket (light-my-request's inject does not load under jest's CommonJS).
  const call = async (method: string, url: string, opts: { headers?: Record<string, string>; payload?: string } = {}) => {
    const r = await fetch(`${base}${url}`, { method, headers: opts.headers, body: opts.payload });
    const text = await r.text();
    return { statusCode: r.status, json: () => JSON.parse(text) };
  };
  const token = 'integrator-token-0123456789';
  const auth = { authorization: `Bearer ${token}` };
  beforeAll(async () => {
    app = createHttpServer({
      service: 'test',
      logger: createLogger('test', 'silent'),
      metrics: new ServiceMetrics('test', { defaultMetrics: false }),
      auth: new TokenAuthenticator([{ token, tenantId: 't1', role: 'integrator' }]),
      ready: async () => true,
    });
    app.get<{ Params: { id: string } }>('/things/:id', async (req) => ({ id: req.params.id }));
    app.get<{ Params: { list: string; '*': string } }>('/lists/:list/*', async (req) => ({ rest: req.params['*'] }));
    app.post<{ Querystring: { filename?: string } }>('/documents', { config: { textQuery: ['filename'], documentBody: true } }, async (req) => ({ filename: req.query.filename, body: req.body }));
    app.post('/notes', async (req) => ({ body: req.body }));
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => app.close());

  it.each([
    ['/things/a%00b', 'path', 'id', 'U+0000 (NUL)', 2],
    ['/things/a%7Fb', 'path', 'id', 'U+007F (DEL)', 2],
    ['/things/a%0Ab', 'path', 'id', 'U+000A (LF)', 2],
    ['/things/ok?version=1%00', 'query', 'version', 'U+0000 (NUL)', 2],
    ['/things/ok?tag=a&tag=b%01', 'query', 'tag', 'U+0001 (SOH)', 2],
    ['/things/ok?a%00=1', 'query', 'a\\u0000', 'U+0000 (NUL)', 2],
    // The router decodes "*" to "42%00x", which reference's code-list route decodes once more.
    ['/lists/cpc/42%2500x', 'path', '*', 'U+0000 (NUL)', 3],
  ])('GET %s → 400 naming the %s parameter %s', async (url, where, parameter, character, position) => {
    const r = await call('GET', url, { headers: auth });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({
      error: 'invalid_characters',
      message: expect.stringContaining(`"${parameter}" contains ${character} at character ${position}`),
      details: { in: where, parameter, character, position },
    });
  });

  it("refuses an id header with a control character (defence in depth: node's own HTTP parser refuses them on the wire)", () => {
    const req = { params: {}, query: {}, headers: { tracestate: 'vendor=a\u0001' }, routeOptions: { config: {} } } as never;
    expect(checkRequestIdentifiers(req)?.details).toEqual({ in: 'header', parameter: 'tracestate', character: 'U+0001 (SOH)', position: 9 });
  });

  it('refuses a JSON body string with a NUL but keeps line breaks as text', async () => {
    const bad = await call('POST', '/notes', { headers: { ...auth, 'content-type': 'application/json' }, payload: '{"to":"resolved","reason":"fixed\\u0000"}' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details).toEqual({ in: 'body', parameter: 'reason', character: 'U+0000 (NUL)', position: 6 });
    const ok = await call('POST', '/notes', { headers: { ...auth, 'content-type': 'application/json' }, payload: JSON.stringify({ reason: 'line 1\nline 2\ttab' }) });
    expect(ok.statusCode).toBe(200);
  });

  it('leaves a route its declared free-text query parameters and document bodies', async () => {
    const r = await call('POST', '/documents?filename=a%00b', { headers: { ...auth, 'content-type': 'application/json' }, payload: '["\\u0000"]' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ filename: 'a\u0000b', body: ['\u0000'] });
    const other = await call('POST', '/documents?format=a%00b', { headers: { ...auth, 'content-type': 'application/json' }, payload: '[]' });
    expect(other.statusCode).toBe(400);
  });

  it('still authenticates first, and answers the next request', async () => {
    expect((await call('GET', '/things/a%00b')).statusCode).toBe(401);
    const r = await call('GET', '/things/plain', { headers: auth });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ id: 'plain' });
  });
});
