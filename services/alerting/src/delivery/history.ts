import { EventEmitter } from 'node:events';
import { Alert, AlertChanged } from '@customs/contracts';
import type { HistoryRow } from '../db/delivery-repo';

/** An alert_history row as the AlertChanged every channel maps (the snapshot is Alert.encode). */
export function toAlertChanged(h: HistoryRow): AlertChanged {
  return AlertChanged.fromPartial({
    alert: { ...Alert.decode(h.snapshot), cursor: h.cursor },
    change: { actor: h.actor, fromStatus: h.from_status, toStatus: h.to_status, reason: h.reason, at: new Date(h.at).toISOString(), kind: h.kind ?? '', notify: h.notify ?? true, disposition: h.disposition ?? '', note: h.note ?? '' },
  });
}

/** Paging channels (webhooks, syslog) skip changes the core throttled (notify = false). */
export function shouldNotify(c: AlertChanged): boolean {
  return c.change?.notify !== false;
}

/**
 * Wakes the channels' loops when alert history grows (NOTIFY) and when subscriptions change.
 * `wait` resolves on the next wake-up or after `ms`, whichever comes first.
 */
export class Wakeup {
  private readonly ee = new EventEmitter();
  constructor() {
    this.ee.setMaxListeners(0);
  }
  wake(): void {
    this.ee.emit('wake');
  }
  wait(ms: number, signal?: AbortSignal): Promise<void> {
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
