/**
 * Server-Sent Events for browsers: GET /v1/alerts/stream sends the tenant's alert changes as they
 * happen, each event `id` being its alert_history cursor, so an EventSource that reconnects with
 * `Last-Event-ID` resumes exactly after the last change it saw (no gap, no repeat). The framing,
 * heartbeat comments, backpressure and Last-Event-ID header come from @fastify/sse (fastify's own
 * plugin); the cursor loop is ours. Each event's data is the same CloudEvent (structured JSON,
 * OCSF body) a webhook receives.
 *
 * Browsers' EventSource cannot send an Authorization header: use a fetch-based EventSource (e.g.
 * @microsoft/fetch-event-source) with the bearer token, as every API of the platform needs it.
 */
import type { FastifyReply } from '@customs/http';
import { matchesFilter, toStructuredJson, type DeliveryFilter } from '../policies/mapping';
import type { DeliveryRepo } from '../db/delivery-repo';
import type { ChangeCache, Wakeup } from './history';

const BATCH = 500;

export interface SseDeps {
  repo: DeliveryRepo;
  wakeup: Wakeup;
  cache: ChangeCache;
  pollMs: number;
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
  try {
    // Headers and a reconnect hint right away, so the client knows it is connected before the
    // first change.
    await sse.send({ retry: 2000, data: undefined });
    let cursor = opts.afterCursor;
    while (!ac.signal.aborted && sse.isConnected) {
      const seen = deps.wakeup.seq;
      const rows = await deps.repo.historyAfter(opts.tenantId, cursor, BATCH);
      for (const r of rows) {
        if (ac.signal.aborted || !sse.isConnected) return;
        const change = deps.cache.change(r);
        if (matchesFilter(opts.filter, change.alert!)) await sse.send({ id: String(r.cursor), event: 'alert.changed', data: deps.cache.body(change, new Date(), (c, now) => toStructuredJson(c, now).body) });
        cursor = r.cursor;
      }
      if (rows.length < BATCH) await deps.wakeup.wait(deps.pollMs, ac.signal, seen);
    }
  } catch (e) {
    // A client that went away mid-write is the normal end of a stream.
    if (sse.isConnected) throw e;
  } finally {
    deps.closing.removeEventListener('abort', stop);
  }
}
