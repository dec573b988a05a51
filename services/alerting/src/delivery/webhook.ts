/**
 * Webhook delivery: each enabled subscription has a worker that reads its tenant's alert_history
 * after the subscription's stored cursor (batched, woken by NOTIFY), posts every matching change
 * as a signed CloudEvent, and settles the whole batch in one transaction — attempt log, retry
 * queue, cursor. A restart resumes after the last settled cursor, so nothing acknowledged is sent
 * again and nothing unsettled is lost (a crash between a receiver's 2xx and the settle re-sends
 * that batch with the same `webhook-id`, which receivers use to drop the repeat).
 *
 * Signatures follow the Standard Webhooks spec (standardwebhooks.com): headers `webhook-id`,
 * `webhook-timestamp` (Unix seconds) and `webhook-signature: v1,<base64 HMAC-SHA256>` over
 * `id.timestamp.body` with the secret's bytes (`whsec_<base64>`), so a receiver can verify with
 * any Standard Webhooks library and reject stale timestamps (replays).
 */
import { createHmac, randomBytes } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import { isIP } from 'node:net';
import type { Logger, ServiceMetrics } from '@customs/telemetry';
import type { AlertChanged } from '@customs/contracts';
import { changeEventId, matchesFilter, parseDeliveryFilter, toStructuredJson, toTestEventJson, type DeliveryFilter } from '../policies/mapping';
import type { DeliveryRepo, WebhookAttemptRow, WebhookRetryRow, WebhookSubscriptionRow } from '../db/delivery-repo';
import type { DeliveryConfig } from './config';
import { backoffMs, shouldNotify, type ChangeCache, type Wakeup } from './history';
import { checkHost, guardedLookup } from './targets';

const BATCH = 200;
// What the cloudevents SDK's HTTP.structured() sets for a structured-mode event.
const STRUCTURED_CONTENT_TYPE = 'application/cloudevents+json; charset=utf-8';
const RETRY_BATCH = 50;
const CONCURRENCY = 8;

/** A new subscription secret in the Standard Webhooks format. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

function secretKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
}

/** The `webhook-signature` value of a message (Standard Webhooks v1). */
export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  return `v1,${createHmac('sha256', secretKey(secret)).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

export interface PostResult {
  status?: number;
  error?: string;
  latencyMs: number;
}

/** One POST, no redirects followed (a 3xx is a failure: it could point anywhere), bounded in time. */
export function postWebhook(
  target: string,
  body: string,
  headers: Record<string, string>,
  opts: { timeoutMs: number; allowedPrivate: readonly string[]; agents: { http: http.Agent; https: https.Agent } },
): Promise<PostResult> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const finish = (r: Omit<PostResult, 'latencyMs'>) => {
      if (settled) return;
      settled = true;
      resolve({ ...r, latencyMs: Math.round(performance.now() - t0) });
    };
    let u: URL;
    try {
      u = new URL(target);
    } catch {
      return finish({ error: 'invalid URL' });
    }
    // A literal IP never goes through DNS: check it here (the allow-list may have changed since).
    const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
    if (isIP(host)) {
      const p = checkHost(host, opts.allowedPrivate);
      if (p) return finish({ error: p.message });
    }
    const mod = u.protocol === 'https:' ? https : http;
    const req = mod.request(u, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      agent: u.protocol === 'https:' ? opts.agents.https : opts.agents.http,
      lookup: guardedLookup(opts.allowedPrivate),
      timeout: opts.timeoutMs,
    });
    req.on('response', (res) => {
      // The receiver's body is not kept (it is theirs, and could be large): drain and close.
      res.resume();
      res.on('end', () => finish({ status: res.statusCode, error: res.statusCode && res.statusCode >= 200 && res.statusCode < 300 ? undefined : `HTTP ${res.statusCode}` }));
      res.on('error', (e) => finish({ status: res.statusCode, error: e.message }));
    });
    req.on('timeout', () => {
      req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`));
    });
    req.on('error', (e) => finish({ error: e.message.slice(0, 500) }));
    req.end(body);
  });
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

interface Job {
  change: AlertChanged;
  attempt: number;
  /** A queued retry (its row is removed when it succeeds). */
  retry: boolean;
}

class SubscriptionWorker {
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  cursor: number;
  private filter: DeliveryFilter;
  private retriesPending = true;

  constructor(
    public sub: WebhookSubscriptionRow,
    private readonly d: WebhookDispatcher,
  ) {
    this.cursor = sub.cursor;
    this.filter = filterOf(sub);
  }

  update(sub: WebhookSubscriptionRow): void {
    this.sub = sub;
    this.filter = filterOf(sub);
    this.cursor = Math.max(this.cursor, sub.cursor);
    this.retriesPending = true;
  }

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.abort.signal.aborted) {
      try {
        const seen = this.d.wakeup.seq;
        const more = await this.round();
        failures = 0;
        if (!more) await this.d.wakeup.wait(await this.idleMs(), this.abort.signal, seen);
      } catch (e) {
        failures++;
        this.d.logger.warn({ err: e, subscription: this.sub.subscription_id }, 'webhook round failed; retrying');
        await this.d.wakeup.wait(backoffMs(failures, 500, 30_000), this.abort.signal);
      }
    }
  }

  private async idleMs(): Promise<number> {
    if (!this.retriesPending) return this.d.config.DELIVERY_POLL_MS;
    const next = await this.d.repo.nextRetryAt(this.sub.tenant_id, this.sub.subscription_id);
    if (!next) {
      this.retriesPending = false;
      return this.d.config.DELIVERY_POLL_MS;
    }
    return Math.min(this.d.config.DELIVERY_POLL_MS, Math.max(0, next.getTime() - Date.now()));
  }

  /** One batch: fresh history after the cursor plus due retries; true when more is waiting. */
  private async round(): Promise<boolean> {
    const { repo, config } = this.d;
    const sub = this.sub;
    const rows = await repo.historyAfter(sub.tenant_id, this.cursor, BATCH);
    const due = this.retriesPending ? await repo.dueRetries(sub.tenant_id, sub.subscription_id, RETRY_BATCH) : [];
    if (rows.length === 0 && due.length === 0) return false;
    const jobs: Job[] = [];
    for (const r of rows) {
      const change = this.d.cache.change(r);
      if (shouldNotify(change) && matchesFilter(this.filter, change.alert!)) jobs.push({ change, attempt: 1, retry: false });
    }
    const retryRows = await repo.historyAt(
      sub.tenant_id,
      due.map((d) => d.history_cursor),
    );
    for (const d of due) {
      const h = retryRows.get(d.history_cursor);
      if (h) jobs.push({ change: this.d.cache.change(h), attempt: d.attempts + 1, retry: true });
    }
    const results = await mapLimit(jobs, CONCURRENCY, (j) => this.d.deliver(sub, j.change));
    const now = new Date();
    const attempts: Omit<WebhookAttemptRow, 'id'>[] = [];
    const retry: Omit<WebhookRetryRow, 'tenant_id' | 'subscription_id'>[] = [];
    const delivered: number[] = [];
    jobs.forEach((j, i) => {
      const r = results[i]!;
      const cursor = j.change.alert!.cursor;
      const ok = r.error === undefined;
      // 410 Gone: the receiver says the endpoint is gone for good (Standard Webhooks): no retries,
      // and the subscription is disabled below.
      const gone = r.status === 410;
      const dead = !ok && (gone || j.attempt >= config.WEBHOOK_MAX_ATTEMPTS);
      const outcome = ok ? 'delivered' : dead ? 'dead_lettered' : 'retry_scheduled';
      this.d.counter?.inc({ outcome });
      attempts.push({
        subscription_id: sub.subscription_id,
        tenant_id: sub.tenant_id,
        history_cursor: cursor,
        event_id: changeEventId(sub.tenant_id, cursor),
        attempt: j.attempt,
        at: now,
        status_code: r.status ?? null,
        latency_ms: r.latencyMs,
        error: r.error ?? null,
        outcome,
      });
      if (ok) {
        if (j.retry) delivered.push(cursor);
      } else {
        retry.push({
          history_cursor: cursor,
          attempts: j.attempt,
          next_attempt_at: new Date(now.getTime() + backoffMs(j.attempt, config.WEBHOOK_RETRY_BASE_MS, config.WEBHOOK_RETRY_MAX_MS)),
          last_status: r.status ?? null,
          last_error: r.error ?? null,
          dead_at: dead ? now : null,
        });
      }
    });
    const cursor = rows.length ? rows[rows.length - 1]!.cursor : this.cursor;
    await repo.settleWebhookBatch({ tenantId: sub.tenant_id, subscriptionId: sub.subscription_id, cursor, attempts, retry, delivered });
    if (results.some((r) => r.status === 410)) {
      await repo.updateSubscription(sub.tenant_id, sub.subscription_id, { enabled: false });
      this.d.logger.warn({ subscription: sub.subscription_id, tenant: sub.tenant_id }, 'webhook receiver answered 410 Gone: subscription disabled (PATCH enabled=true to resume)');
      // This worker stops now (not at the next refresh), so nothing more goes to a gone endpoint.
      this.abort.abort();
      void this.d.refresh();
      return false;
    }
    this.cursor = cursor;
    if (retry.some((r) => !r.dead_at)) this.retriesPending = true;
    return rows.length === BATCH || due.length === RETRY_BATCH;
  }
}

function filterOf(sub: WebhookSubscriptionRow): DeliveryFilter {
  const parsed = parseDeliveryFilter(typeof sub.filters === 'string' ? JSON.parse(sub.filters) : sub.filters);
  // Stored filters were validated on the way in; one that no longer parses sends nothing rather
  // than everything.
  return 'filter' in parsed ? parsed.filter : { minPence: Number.MAX_SAFE_INTEGER };
}

/** Runs one worker per enabled subscription while this replica holds the delivery lead. */
export class WebhookDispatcher {
  private readonly workers = new Map<string, SubscriptionWorker>();
  private readonly agents = { http: new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY }), https: new https.Agent({ keepAlive: true, maxSockets: CONCURRENCY }) };
  private running = false;
  private refreshing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  readonly counter: ReturnType<ServiceMetrics['counter']> | undefined;

  constructor(
    readonly repo: DeliveryRepo,
    readonly config: DeliveryConfig,
    readonly logger: Logger,
    readonly wakeup: Wakeup,
    readonly cache: ChangeCache,
    metrics?: ServiceMetrics,
  ) {
    this.counter = metrics?.counter('customs_webhook_attempts_total', 'Webhook delivery attempts by outcome (delivered, retry_scheduled, dead_lettered)', ['outcome']);
  }

  deliver(sub: WebhookSubscriptionRow, change: AlertChanged): Promise<PostResult> {
    const body = this.cache.body(change, new Date(), (c, now) => toStructuredJson(c, now).body);
    return this.post(sub, changeEventId(sub.tenant_id, change.alert!.cursor), body);
  }

  /** A signed test event, sent now (not queued, not logged): checks URL, network path and secret. */
  sendTest(sub: WebhookSubscriptionRow): Promise<PostResult> {
    const { id, body } = toTestEventJson(sub.tenant_id, sub.subscription_id, new Date());
    return this.post(sub, id, body);
  }

  private post(sub: WebhookSubscriptionRow, id: string, body: string): Promise<PostResult> {
    const ts = Math.floor(Date.now() / 1000);
    return postWebhook(
      sub.url,
      body,
      {
        'content-type': STRUCTURED_CONTENT_TYPE,
        'user-agent': 'customs-monitor-webhooks/1.0',
        'webhook-id': id,
        'webhook-timestamp': String(ts),
        'webhook-signature': signWebhook(sub.secret, id, ts, body),
      },
      { timeoutMs: this.config.WEBHOOK_TIMEOUT_MS, allowedPrivate: this.config.DELIVERY_ALLOWED_PRIVATE_HOSTS, agents: this.agents },
    );
  }

  /** Starts dispatching (when this replica becomes the leader). */
  start(): void {
    if (this.running) return;
    this.running = true;
    void this.refresh();
    // Picks up subscriptions changed through another replica.
    this.timer = setInterval(() => {
      void this.refresh();
      void this.prune();
    }, 10_000);
    this.timer.unref();
  }

  private lastPrune = 0;
  /** Drops attempt-log rows past WEBHOOK_ATTEMPT_RETENTION_DAYS, at most once an hour. */
  private async prune(): Promise<void> {
    if (Date.now() - this.lastPrune < 3_600_000) return;
    this.lastPrune = Date.now();
    try {
      const removed = await this.repo.pruneAttempts(new Date(Date.now() - this.config.WEBHOOK_ATTEMPT_RETENTION_DAYS * 86_400_000));
      if (removed) this.logger.info({ removed }, 'webhook attempt log pruned');
    } catch (e) {
      this.logger.warn({ err: e }, 'could not prune the webhook attempt log; next hour retries');
    }
  }

  /** Re-reads the enabled subscriptions: starts, updates and stops workers to match. */
  refresh(): Promise<void> {
    if (!this.running) return Promise.resolve();
    const run = (this.refreshing ?? Promise.resolve()).then(async () => {
      try {
        const subs = await this.repo.enabledSubscriptions();
        if (!this.running) return;
        const seen = new Set<string>();
        for (const s of subs) {
          seen.add(s.subscription_id);
          const w = this.workers.get(s.subscription_id);
          if (w) w.update(s);
          else {
            const nw = new SubscriptionWorker(s, this);
            this.workers.set(s.subscription_id, nw);
            nw.start();
          }
        }
        for (const [id, w] of this.workers) {
          if (seen.has(id)) continue;
          this.workers.delete(id);
          await w.stop();
        }
        this.wakeup.wake();
      } catch (e) {
        this.logger.warn({ err: e }, 'could not load webhook subscriptions; next refresh retries');
      }
    });
    this.refreshing = run;
    return run;
  }

  /** Stops every worker after its current batch is settled. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    await this.refreshing;
    const ws = [...this.workers.values()];
    this.workers.clear();
    await Promise.all(ws.map((w) => w.stop()));
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}
