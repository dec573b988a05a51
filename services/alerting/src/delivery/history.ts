import { EventEmitter } from 'node:events';
import { Alert, AlertChanged } from '@customs/contracts';
import type { HistoryRow } from '../db/delivery-repo';

/** An alert_history row as the AlertChanged every channel maps (the snapshot is Alert.encode). */
export function toAlertChanged(h: HistoryRow): AlertChanged {
  return AlertChanged.fromPartial({
    alert: { ...Alert.decode(h.snapshot), cursor: h.cursor },
    change: {
      actor: h.actor,
      fromStatus: h.from_status,
      toStatus: h.to_status,
      reason: h.reason,
      at: new Date(h.at).toISOString(),
      kind: h.kind ?? '',
      notify: h.notify ?? true,
      disposition: h.disposition ?? '',
      note: h.note ?? '',
    },
  });
}

/**
 * Decoded changes and their CloudEvent JSON by cursor, shared by every channel and SSE client of
 * this process: a change is decoded and mapped once, not once per subscriber. Bounded (oldest
 * dropped); the JSON is keyed by day too, as it carries days_left.
 */
export class ChangeCache {
  private readonly changes = new Map<number, AlertChanged>();
  private readonly bodies = new Map<string, string>();
  constructor(private readonly max = 2000) {}

  change(h: HistoryRow): AlertChanged {
    let c = this.changes.get(h.cursor);
    if (!c) {
      c = toAlertChanged(h);
      this.put(this.changes, h.cursor, c);
    }
    return c;
  }

  body(c: AlertChanged, now: Date, render: (c: AlertChanged, now: Date) => string): string {
    const key = `${c.alert!.tenantId}/${c.alert!.cursor}/${now.toISOString().slice(0, 10)}`;
    let b = this.bodies.get(key);
    if (b === undefined) {
      b = render(c, now);
      this.put(this.bodies, key, b);
    }
    return b;
  }

  private put<K, V>(m: Map<K, V>, k: K, v: V): void {
    m.set(k, v);
    if (m.size > this.max) m.delete(m.keys().next().value as K);
  }
}

/** Paging channels (webhooks, syslog) skip changes the core throttled (notify = false). */
export function shouldNotify(c: AlertChanged): boolean {
  return c.change?.notify !== false;
}

/**
 * Wakes the channels' loops when alert history grows (NOTIFY) and when subscriptions change.
 * `wait` resolves on the next wake-up or after `ms`, whichever comes first — or at once when a
 * wake-up came after `seen` (a loop takes `seq` before it reads, so a NOTIFY that arrives while
 * it is busy is not lost until the next poll).
 */
export class Wakeup {
  private readonly ee = new EventEmitter();
  seq = 0;
  constructor() {
    this.ee.setMaxListeners(0);
  }
  wake(): void {
    this.seq++;
    this.ee.emit('wake');
  }
  wait(ms: number, signal?: AbortSignal, seen?: number): Promise<void> {
    if (seen !== undefined && seen !== this.seq) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.ee.off('wake', done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const t = setTimeout(done, Math.max(0, ms));
      this.ee.once('wake', done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}

/** Backoff with jitter: base × 2^(n-1) capped at max, then half of it fixed and half random. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const d = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(d / 2 + (random() * d) / 2);
}
