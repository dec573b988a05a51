import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { postWebhook } from './webhook';

// One POST against a real loopback server: DNS guard, redirects, timeouts.
describe('postWebhook', () => {
  let port = 0;
  const server = http.createServer((req, res) => {
    if (req.url === '/redirect') return void res.writeHead(307, { location: 'http://169.254.169.254/latest/meta-data' }).end();
    if (req.url === '/slow') return void setTimeout(() => res.writeHead(204).end(), 1500);
    res.writeHead(204).end();
  });
  const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent() };
  // A pooled keep-alive socket was vetted when it connected; the allow-list is fixed for the
  // process's life, so a check with another list needs its own pool.
  const post = (path: string, allowedPrivate: string[], timeoutMs = 2000, pool = agents) =>
    postWebhook(`http://localhost:${port}${path}`, '{}', { 'content-type': 'application/json' }, { timeoutMs, allowedPrivate, agents: pool });

  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    agents.http.destroy();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('posts to an allowed name and refuses the same name when it is not allowed', async () => {
    expect(await post('/ok', ['localhost'])).toMatchObject({ status: 204, error: undefined });
    const fresh = { http: new http.Agent(), https: new https.Agent() };
    const refused = await post('/ok', [], 2000, fresh);
    expect(refused.status).toBeUndefined();
    expect(refused.error).toContain('non-public');
  });
  it('does not follow a redirect (it could point anywhere): a failed attempt', async () => {
    expect(await post('/redirect', ['localhost'])).toMatchObject({ status: 307, error: 'HTTP 307' });
  });
  it('gives up on a receiver that does not answer in time', async () => {
    const r = await post('/slow', ['localhost'], 200);
    expect(r.status).toBeUndefined();
    expect(r.error).toContain('no answer within 200 ms');
  });
});
