// A LOCAL STAND-IN for the public Online Trade Tariff API (api.trade-tariff.service.gov.uk),
// which cannot be reached from the test and benchmark machines: a node:http server that answers
// the sync's requests with recorded API responses (services/reference/test/fixtures/ott-api-2025,
// see its SOURCES.md), issues OAuth client-credentials tokens like the API's token endpoint, and
// injects faults on request (429 with Retry-After, 5xx, a connection reset mid-transfer, a
// truncated body) so tests can show how the client copes. Not used by the running service.
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

export type Fault = '429' | '500' | 'reset' | 'malformed';

export interface StandInOptions {
  fixturesDir: string;
  clientId: string;
  clientSecret: string;
  /** Bodies for codes without a recorded response (e.g. made per request by a benchmark). */
  commodity?: (code: string) => string | undefined;
  /** Changes bodies by API day ("2025-7-14"), in place of the fixture files. */
  changes?: Map<string, string>;
}

/** A TEAM-WRITTEN body served for an API path ("commodities/0101210000", "news/items") in place of the recorded one. */
export type Overrides = Map<string, string>;

export class OttApiStandIn {
  /** Requests seen, by path without the query ("/uk/api/commodities/0101210000"). */
  readonly requests = new Map<string, number>();
  tokensIssued = 0;
  private readonly faults = new Map<string, Fault[]>();
  private readonly tokens = new Set<string>();
  /** Bodies served instead of the recorded ones (a later state of the tariff, written by a test). */
  readonly overrides: Overrides = new Map();
  private server?: http.Server;

  constructor(private readonly opts: StandInOptions) {}

  /** The next requests to `apiPath` (e.g. "commodities/2924297099") fail this way, one fault per request. */
  fail(apiPath: string, ...faults: Fault[]): void {
    this.faults.set(apiPath, [...(this.faults.get(apiPath) ?? []), ...faults]);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  count(apiPath: string): number {
    return this.requests.get(`/uk/api/${apiPath}`) ?? 0;
  }

  /** Forget issued tokens (as if they expired): the next API call answers 401. */
  expireTokens(): void {
    this.tokens.clear();
  }

  async start(): Promise<{ baseUrl: string; tokenUrl: string }> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    const { port } = this.server.address() as AddressInfo;
    return { baseUrl: `http://127.0.0.1:${port}/uk/api`, tokenUrl: `http://127.0.0.1:${port}/oauth2/token` };
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private file(name: string): string | undefined {
    const p = path.join(this.opts.fixturesDir, name);
    return fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const json = (status: number, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(body);
    };
    if (req.method === 'POST' && url.pathname === '/oauth2/token') {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const form = new URLSearchParams(body);
        if (form.get('grant_type') !== 'client_credentials' || form.get('client_id') !== this.opts.clientId || form.get('client_secret') !== this.opts.clientSecret)
          return json(401, '{"error":"invalid_client"}');
        const token = `stand-in-token-${++this.tokensIssued}`;
        this.tokens.add(token);
        json(200, JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: 86400 }));
      });
      return;
    }
    this.requests.set(url.pathname, (this.requests.get(url.pathname) ?? 0) + 1);
    if (req.headers.accept !== 'application/vnd.hmrc.2.0+json') return json(406, '{"error":"send Accept: application/vnd.hmrc.2.0+json"}');
    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    if (!auth || !this.tokens.has(auth[1]!)) return json(401, '{"error":"invalid_token"}');
    const apiPath = url.pathname.replace(/^\/uk\/api\//, '');
    const fault = this.faults.get(apiPath)?.shift();
    if (fault === '429') return json(429, '{"error":"Too Many Requests"}', { 'retry-after': '1' });
    if (fault === '500') return json(500, '{"error":"Internal Server Error"}');
    const body = this.body(apiPath, url);
    if (body === undefined) return json(404, '{"error":"not found"}');
    if (fault === 'reset') {
      // Headers and half the body, then the connection drops: a broken transfer.
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
      res.write(body.slice(0, Math.floor(body.length / 2)));
      setImmediate(() => res.socket?.destroy());
      return;
    }
    if (fault === 'malformed') return json(200, body.slice(0, Math.floor(body.length / 2)));
    json(200, body);
  }

  /** /quotas/search answers the definitions of the order number asked for (the recorded response lists four). */
  private quotas(body: string | undefined, orderNumber: string | null): string | undefined {
    if (body === undefined || !orderNumber) return body;
    const doc = JSON.parse(body) as { data: { attributes: { quota_order_number_id: string } }[] };
    return JSON.stringify({ ...doc, data: doc.data.filter((d) => d.attributes.quota_order_number_id === orderNumber) });
  }

  private body(apiPath: string, url: URL): string | undefined {
    if (apiPath === 'quotas/search') return this.quotas(this.overrides.get(apiPath) ?? this.file('uk__quotas__search.json'), url.searchParams.get('order_number'));
    const override = this.overrides.get(apiPath);
    if (override !== undefined) return override;
    let m = /^commodities\/(\d{10})$/.exec(apiPath);
    if (m) return this.file(`uk__commodities__${m[1]}_asof2025-07-14.json`) ?? this.opts.commodity?.(m[1]!);
    m = /^changes\/(\d{4}-\d{1,2}-\d{1,2})$/.exec(apiPath);
    if (m) return this.opts.changes?.get(m[1]!) ?? this.file(`changes_${m[1]}.json`) ?? '{"data":[]}';
    m = /^geographical_areas\/(\w+)$/.exec(apiPath);
    if (m) return this.file(`uk__geographical_areas__${m[1]}.json`);
    m = /^exchange_rates\/(\d{4}-\d{1,2})$/.exec(apiPath);
    if (m && url.searchParams.get('filter[type]') === 'monthly') return this.file(`uk__exchange_rates__${m[1]}_type-monthly.json`);
    if (apiPath === 'news/items') return this.file('uk__news__items_target-updates.json');
    return undefined;
  }
}
