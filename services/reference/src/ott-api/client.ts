// HTTP adapter for the Online Trade Tariff API v2: OAuth 2.0 client credentials (token endpoint,
// bearer token cached until shortly before it expires, renewed once on a 401), the version header
// the API negotiates on, and rate-limit aware retries: a 429 waits its Retry-After, a 5xx or a
// broken connection backs off exponentially with full jitter, every wait and the number of
// attempts bounded. No parsing here beyond the token response (see ./parse.ts).

/** A request failed for good (after retries, or with a status retrying cannot change). */
export class OttApiError extends Error {
  constructor(
    readonly request: string,
    readonly status: number,
    message: string,
  ) {
    super(`${request}: ${message}`);
    this.name = 'OttApiError';
  }
}

export interface OttApiClientOptions {
  /** Up to and including "/api", e.g. https://api.trade-tariff.service.gov.uk/uk/api. */
  baseUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope: string;
  maxAttempts: number;
  /** Longest single wait, Retry-After included. */
  maxBackoffMs: number;
  timeoutMs: number;
  /** First backoff step (doubles per attempt, full jitter). */
  baseBackoffMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

export interface OttApiStats {
  requests: number;
  retries: number;
  rateLimited: number;
  waitedMs: number;
  tokenRequests: number;
}

const ACCEPT = 'application/vnd.hmrc.2.0+json';

export class OttApiClient {
  readonly stats: OttApiStats = { requests: 0, retries: 0, rateLimited: 0, waitedMs: 0, tokenRequests: 0 };
  private token: { value: string; expiresAt: number } | undefined;
  /** The token request in flight: concurrent requests share it instead of each asking for one. */
  private tokenRequest: Promise<string> | undefined;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly now: () => number;

  constructor(private readonly opts: OttApiClientOptions) {
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.random = opts.random ?? Math.random;
    this.now = opts.now ?? Date.now;
  }

  get baseUrl(): string {
    return this.opts.baseUrl;
  }

  /**
   * GET `path` (relative to the base URL) as text. `allowNotFound`: a 404 answers undefined (a
   * month HMRC has not published yet), any other failure throws OttApiError naming the request.
   */
  async get(path: string, opts: { allowNotFound?: boolean } = {}): Promise<string | undefined> {
    const request = `GET ${path}`;
    const url = `${this.opts.baseUrl.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
    let renewed = false;
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      let text: string;
      try {
        const headers: Record<string, string> = { accept: ACCEPT };
        const token = await this.bearer();
        if (token) headers.authorization = `Bearer ${token}`;
        this.stats.requests++;
        res = await fetch(url, { headers, signal: AbortSignal.timeout(this.opts.timeoutMs) });
        // The body is part of the transfer: a connection that drops mid-body is retried like one that never answered.
        text = await res.text();
      } catch (e) {
        if (e instanceof OttApiError) throw e;
        const cause = (e as { cause?: { message?: string } }).cause?.message;
        if (attempt >= this.opts.maxAttempts) throw new OttApiError(request, 0, `no response after ${attempt} attempt(s): ${(e as Error).message}${cause ? ` (${cause})` : ''}`);
        await this.wait(this.backoff(attempt));
        continue;
      }
      if (res.status === 200) return text;
      const body = text.slice(0, 300);
      if (res.status === 404 && opts.allowNotFound) return undefined;
      if (res.status === 401 && this.opts.clientId && !renewed) {
        // The token expired or was revoked: renew once and retry (the API guide's advice).
        renewed = true;
        this.token = undefined;
        continue;
      }
      const retryable = res.status === 429 || res.status >= 500;
      if (!retryable || attempt >= this.opts.maxAttempts) {
        throw new OttApiError(request, res.status, `HTTP ${res.status}${retryable ? ` after ${attempt} attempt(s)` : ''}${body ? `: ${body}` : ''}`);
      }
      if (res.status === 429) this.stats.rateLimited++;
      const retryAfter = res.status === 429 ? retryAfterMs(res.headers.get('retry-after'), this.now()) : undefined;
      await this.wait(retryAfter !== undefined ? Math.min(retryAfter, this.opts.maxBackoffMs) : this.backoff(attempt));
    }
  }

  /** Exponential backoff with full jitter: uniform in [0, min(max, base·2^(attempt-1))]. */
  private backoff(attempt: number): number {
    const cap = Math.min(this.opts.maxBackoffMs, (this.opts.baseBackoffMs ?? 500) * 2 ** (attempt - 1));
    return Math.floor(this.random() * cap);
  }

  private async wait(ms: number): Promise<void> {
    this.stats.retries++;
    this.stats.waitedMs += ms;
    await this.sleep(ms);
  }

  /** The bearer token ("" without credentials: unauthenticated requests, lower rate limit). */
  private async bearer(): Promise<string> {
    if (!this.opts.clientId) return '';
    if (this.token && this.now() < this.token.expiresAt) return this.token.value;
    this.tokenRequest ??= this.requestToken().finally(() => (this.tokenRequest = undefined));
    return this.tokenRequest;
  }

  private async requestToken(): Promise<string> {
    this.stats.tokenRequests++;
    let res: Response;
    try {
      res = await fetch(this.opts.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: this.opts.clientId, client_secret: this.opts.clientSecret, scope: this.opts.scope }).toString(),
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
    } catch (e) {
      throw new OttApiError(`POST ${this.opts.tokenUrl}`, 0, `token request failed: ${(e as Error).message}`);
    }
    const text = await res.text();
    if (res.status !== 200)
      throw new OttApiError(
        `POST ${this.opts.tokenUrl}`,
        res.status,
        `token request refused (HTTP ${res.status}): check OTT_API_CLIENT_ID / OTT_API_CLIENT_SECRET${text ? `: ${text.slice(0, 200)}` : ''}`,
      );
    let body: { access_token?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(text);
    } catch {
      throw new OttApiError(`POST ${this.opts.tokenUrl}`, res.status, 'token response is not JSON');
    }
    if (typeof body.access_token !== 'string' || !body.access_token) throw new OttApiError(`POST ${this.opts.tokenUrl}`, res.status, 'token response has no access_token');
    // Renewed a minute early so a request never leaves with a token about to expire; the API
    // issues day-long tokens, 3600 s is assumed when expires_in is missing.
    const ttlS = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 3600;
    this.token = { value: body.access_token, expiresAt: this.now() + Math.max(0, ttlS - 60) * 1000 };
    return this.token.value;
  }
}

/** Retry-After as seconds or an HTTP date → milliseconds from now (undefined when absent or unreadable). */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
