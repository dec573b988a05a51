/**
 * Server-Sent Events for browsers: GET /v1/alerts/stream sends the tenant's alert changes as they
 * happen, each event `id` being its alert_history cursor, so an EventSource that reconnects with
 * `Last-Event-ID` resumes exactly after the last change it saw (no gap, no repeat). The framing,
 * heartbeat comments, backpressure and Last-Event-ID header come from @fastify/sse (fastify's own
 * plugin); the cursor logic is ours. Each event's data is the same CloudEvent (structured JSON,
 * OCSF body) a webhook receives.
 *
 * A stream first catches up from its position with its own queries, then takes live changes from
 * the process's one HistoryTail, which reads every tenant's new changes once per wake-up and hands
 * them to the streams of their tenant: a console with many open browsers costs one query per
 * wake-up, not one per browser.
 *
 * Browsers' EventSource cannot send an Authorization header: use a fetch-based EventSource (e.g.
 * @microsoft/fetch-event-source) with the bearer token, or a same-origin proxy (apps/console).
 */
import type { FastifyReply } from '@customs/http';
import type { Logger } from '@customs/telemetry';
import { matchesFilter, toStructuredJson, type DeliveryFilter } from '../policies/mapping';
import type { DeliveryRepo, HistoryRow } from '../db/delivery-repo';
import type { ChangeCache, Wakeup } from './history';

const BATCH = 500;
const TAIL_BATCH = 1000;
// A stream whose client reads slower than changes arrive stops buffering past this and catches up
// with its own queries again (memory stays bounded).
const MAX_BUFFERED = 5000;

interface TailSubscriber {
  rows: HistoryRow[];
  overflow: boolean;
  notify: () => void;
}

/** One reader of every tenant's new changes for all SSE streams of this process. */
export class HistoryTail {
  private readonly byTenant = new Map<string, Set<TailSubscriber>>();
  private count = 0;
  private position: number | undefined;
  private starting: Promise<void> | undefined;
  private loop: Promise<void> | undefined;
  private ac = new AbortController();

  constructor(
    private readonly repo: DeliveryRepo,
    private readonly wakeup: Wakeup,
    private readonly pollMs: number,
    private readonly logger: Logger,
  ) {}

  /**
   * Subscribes to a tenant's changes; resolves once the tail's position is set, so a catch-up
   * query made afterwards overlaps what the tail will hand over (no gap; repeats are skipped by
   * cursor).
   */
  async subscribe(tenantId: string, sub: TailSubscriber): Promise<() => void> {
    let set = this.byTenant.get(tenantId);
    if (!set) this.byTenant.set(tenantId, (set = new Set()));
    set.add(sub);
    this.count++;
    if (this.position === undefined) {
      this.starting ??= (async () => {
        this.position = await this.repo.latestCursorAll();
        this.ac = new AbortController();
        this.loop = this.run(this.ac.signal);
      })().finally(() => (this.starting = undefined));
    }
    const unsubscribe = () => {
      if (!set.delete(sub)) return;
      this.count--;
      if (set.size === 0) this.byTenant.delete(tenantId);
      if (this.count === 0) this.stopLoop();
    };
    try {
      await this.starting;
    } catch (e) {
      // The database did not answer: this stream fails (and is not left subscribed).
      unsubscribe();
      throw e;
    }
    return unsubscribe;
  }

  private stopLoop(): void {
    // The next subscriber starts from the latest position again.
    this.ac.abort();
    this.position = undefined;
  }

  private async run(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      try {
        const seen = this.wakeup.seq;
        const rows = await this.repo.historyAfterAll(this.position!, TAIL_BATCH);
        if (signal.aborted) return;
        for (const r of rows) {
          for (const sub of this.byTenant.get(r.tenant_id) ?? []) {
            if (sub.overflow) continue;
            if (sub.rows.length >= MAX_BUFFERED) {
              sub.overflow = true;
              sub.rows = [];
            } else sub.rows.push(r);
          }
        }
        if (rows.length) {
          this.position = rows[rows.length - 1]!.cursor;
          for (const set of this.byTenant.values()) for (const sub of set) sub.notify();
        }
        failures = 0;
        if (rows.length < TAIL_BATCH) await this.wakeup.wait(this.pollMs, signal, seen);
      } catch (e) {
        failures++;
        this.logger.warn({ err: e }, 'SSE history tail failed to read; retrying');
        await this.wakeup.wait(Math.min(30_000, 250 * 2 ** failures), signal);
      }
    }
  }

  async stop(): Promise<void> {
    this.ac.abort();
    await this.loop;
  }
}

export interface SseDeps {
  repo: DeliveryRepo;
  tail: HistoryTail;
  cache: ChangeCache;
  /** Aborted when the service stops, so open streams end and HTTP can close. */
  closing: AbortSignal;
}

/** Streams a tenant's changes after `afterCursor` until the client goes or the service stops. */
export async function streamAlertChanges(reply: FastifyReply, deps: SseDeps, opts: { tenantId: string; afterCursor: number; filter: DeliveryFilter }): Promise<void> {
  const sse = reply.sse;
  const ac = new AbortController();
  sse.onClose(() => ac.abort());
  const stop = () => ac.abort();
  deps.closing.addEventListener('abort', stop, { once: true });
  let wake: (() => void) | undefined;
  const sub: TailSubscriber = { rows: [], overflow: false, notify: () => wake?.() };
  const unsubscribe = await deps.tail.subscribe(opts.tenantId, sub);
  let cursor = opts.afterCursor;
  const send = async (r: HistoryRow) => {
    if (r.cursor <= cursor) return;
    const change = deps.cache.change(r);
    if (matchesFilter(opts.filter, change.alert!))
      await sse.send({ id: String(r.cursor), event: 'alert.changed', data: deps.cache.body(change, new Date(), (c, now) => toStructuredJson(c, now).body) });
    cursor = r.cursor;
  };
  const live = () => !ac.signal.aborted && sse.isConnected;
  try {
    // Headers and a reconnect hint right away, so the client knows it is connected before the
    // first change.
    await sse.send({ retry: 2000, data: undefined });
    let catchUp = true;
    while (live()) {
      if (catchUp) {
        // From the stream's own position up to what the database has now.
        sub.overflow = false;
        for (;;) {
          const rows = await deps.repo.historyAfter(opts.tenantId, cursor, BATCH);
          for (const r of rows) {
            if (!live()) return;
            await send(r);
          }
          if (rows.length < BATCH) break;
        }
        catchUp = false;
      }
      const rows = sub.rows;
      sub.rows = [];
      for (const r of rows) {
        if (!live()) return;
        await send(r);
      }
      if (sub.overflow) {
        catchUp = true;
        continue;
      }
      if (sub.rows.length === 0 && live()) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          ac.signal.addEventListener('abort', () => resolve(), { once: true });
        });
        wake = undefined;
      }
    }
  } catch (e) {
    // A client that went away mid-write is the normal end of a stream.
    if (sse.isConnected) throw e;
  } finally {
    unsubscribe();
    deps.closing.removeEventListener('abort', stop);
  }
}
