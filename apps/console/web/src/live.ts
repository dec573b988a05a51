// One EventSource per page, on the console server's relay of alerting's SSE stream. The session
// cookie authenticates it (same origin), and the browser resumes with Last-Event-ID by itself.
export interface AlertChange {
  cursor: string;
  alertId: string;
  kind: string;
}
type Listener = (c: AlertChange) => void;
const listeners = new Set<Listener>();
const statusListeners = new Set<(connected: boolean) => void>();
let source: EventSource | undefined;

export function startLive(): void {
  if (source) return;
  source = new EventSource('/api/stream');
  source.onopen = () => statusListeners.forEach((l) => l(true));
  source.onerror = () => statusListeners.forEach((l) => l(false));
  source.addEventListener('alert.changed', (ev) => {
    const e = ev as MessageEvent<string>;
    try {
      const ce = JSON.parse(e.data) as { subject?: string; data?: { customs?: { change?: { kind?: string } } } };
      if (!ce.subject) return;
      const change = { cursor: e.lastEventId, alertId: ce.subject, kind: ce.data?.customs?.change?.kind ?? '' };
      listeners.forEach((l) => l(change));
    } catch {
      // A malformed event is skipped; the next one is independent of it.
    }
  });
}
export function stopLive(): void {
  source?.close();
  source = undefined;
}
export function onAlertChange(l: Listener): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}
export function onLiveStatus(l: (connected: boolean) => void): () => void {
  statusListeners.add(l);
  return () => statusListeners.delete(l);
}
