/**
 * Syslog delivery to a tenant's own SIEM: every matching alert change as an RFC 5424 message
 * carrying a CEF:0 line, over TCP (optionally TLS) with octet-counting framing (RFC 6587). One
 * worker and one connection per destination; it reads the tenant's alert_history after the
 * destination's stored cursor, writes the batch, and stores the new cursor once the socket has
 * taken the bytes. On any connection error it reconnects with backoff and re-sends from the stored
 * cursor, so delivery is at least once: plain TCP syslog has no acknowledgement, so bytes a
 * receiver took into its socket buffer but never processed (it crashed) are not detectable.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { Logger, ServiceMetrics } from '@customs/telemetry';
import { matchesFilter, parseDeliveryFilter, toSyslogFrame, type DeliveryFilter } from '../policies/mapping';
import type { DeliveryRepo, SyslogDestinationRow } from '../db/delivery-repo';
import type { DeliveryConfig } from './config';
import { backoffMs, shouldNotify, type ChangeCache, type Wakeup } from './history';
import { checkHost, guardedLookup } from './targets';

const BATCH = 500;
const CONNECT_TIMEOUT_MS = 10_000;

function filterOf(d: SyslogDestinationRow): DeliveryFilter {
  const parsed = parseDeliveryFilter(typeof d.filters === 'string' ? JSON.parse(d.filters) : d.filters);
  // Validated on the way in; a stored filter that no longer parses sends nothing, not everything.
  return 'filter' in parsed ? parsed.filter : { minPence: Number.MAX_SAFE_INTEGER };
}

class DestinationWorker {
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private socket: net.Socket | undefined;
  cursor: number;
  private filter: DeliveryFilter;

  constructor(
    public dest: SyslogDestinationRow,
    private readonly d: SyslogDispatcher,
  ) {
    this.cursor = dest.cursor;
    this.filter = filterOf(dest);
  }

  update(dest: SyslogDestinationRow): void {
    const moved = dest.host !== this.dest.host || dest.port !== this.dest.port || dest.tls !== this.dest.tls || dest.ca_pem !== this.dest.ca_pem || dest.server_name !== this.dest.server_name;
    this.dest = dest;
    this.filter = filterOf(dest);
    this.cursor = Math.max(this.cursor, dest.cursor);
    if (moved) this.disconnect();
  }

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    this.disconnect();
  }

  private disconnect(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.abort.signal.aborted) {
      try {
        const seen = this.d.wakeup.seq;
        const more = await this.round();
        if (failures > 0) await this.d.repo.advanceSyslogCursor(this.dest.tenant_id, this.dest.destination_id, this.cursor, null);
        failures = 0;
        if (!more) await this.d.wakeup.wait(this.d.config.DELIVERY_POLL_MS, this.abort.signal, seen);
      } catch (e) {
        failures++;
        this.disconnect();
        const message = (e as Error).message.slice(0, 500);
        this.d.failures?.inc();
        this.d.logger.warn({ err: e, destination: this.dest.destination_id, host: this.dest.host, port: this.dest.port }, 'syslog delivery failed; reconnecting with backoff');
        await this.d.repo.advanceSyslogCursor(this.dest.tenant_id, this.dest.destination_id, this.cursor, message).catch(() => undefined);
        await this.d.wakeup.wait(backoffMs(failures, 500, 60_000), this.abort.signal);
      }
    }
  }

  private async round(): Promise<boolean> {
    const dest = this.dest;
    const rows = await this.d.repo.historyAfter(dest.tenant_id, this.cursor, BATCH);
    if (rows.length === 0) return false;
    const now = new Date();
    const frames: Buffer[] = [];
    for (const r of rows) {
      const change = this.d.cache.change(r);
      if (shouldNotify(change) && matchesFilter(this.filter, change.alert!)) frames.push(toSyslogFrame(change, { facility: dest.facility, hostname: this.d.config.SYSLOG_HOSTNAME, now }));
    }
    if (frames.length) {
      const socket = await this.connected();
      await new Promise<void>((resolve, reject) => socket.write(Buffer.concat(frames), (e) => (e ? reject(e) : resolve())));
    }
    const cursor = rows[rows.length - 1]!.cursor;
    await this.d.repo.advanceSyslogCursor(dest.tenant_id, dest.destination_id, cursor, null);
    this.cursor = cursor;
    if (frames.length) this.d.sent?.inc(frames.length);
    return rows.length === BATCH;
  }

  private async connected(): Promise<net.Socket> {
    if (this.socket && !this.socket.destroyed && this.socket.writable) return this.socket;
    const dest = this.dest;
    const problem = net.isIP(dest.host) ? checkHost(dest.host, this.d.config.DELIVERY_ALLOWED_PRIVATE_HOSTS) : undefined;
    if (problem) throw new Error(problem.message);
    const lookup = guardedLookup(this.d.config.DELIVERY_ALLOWED_PRIVATE_HOSTS);
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = dest.tls
        ? tls.connect({
            host: dest.host,
            port: dest.port,
            lookup,
            servername: net.isIP(dest.host) ? undefined : dest.server_name || dest.host,
            ...(dest.server_name && net.isIP(dest.host) ? { checkServerIdentity: (_h: string, cert: tls.PeerCertificate) => tls.checkServerIdentity(dest.server_name, cert) } : {}),
            ...(dest.ca_pem ? { ca: dest.ca_pem } : {}),
          })
        : net.connect({ host: dest.host, port: dest.port, lookup });
      const timer = setTimeout(() => s.destroy(new Error(`no connection to ${dest.host}:${dest.port} within ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS);
      s.once(dest.tls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        resolve(s);
      });
      s.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
    socket.setKeepAlive(true, 30_000);
    socket.setNoDelay(true);
    // The receiver never talks back on a syslog connection; anything it sends is ignored, and its
    // closing the connection makes the next batch reconnect.
    socket.on('data', () => undefined);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (this.socket === socket) this.socket = undefined;
    });
    this.socket = socket;
    return socket;
  }
}

/** One worker per enabled destination while this replica holds the delivery lead. */
export class SyslogDispatcher {
  private readonly workers = new Map<string, DestinationWorker>();
  private running = false;
  private refreshing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  readonly sent: ReturnType<ServiceMetrics['counter']> | undefined;
  readonly failures: ReturnType<ServiceMetrics['counter']> | undefined;

  constructor(
    readonly repo: DeliveryRepo,
    readonly config: DeliveryConfig,
    readonly logger: Logger,
    readonly wakeup: Wakeup,
    readonly cache: ChangeCache,
    metrics?: ServiceMetrics,
  ) {
    this.sent = metrics?.counter('customs_syslog_messages_total', 'Alert changes written to syslog destinations');
    this.failures = metrics?.counter('customs_syslog_connection_failures_total', 'Syslog connection or write failures (the destination reconnects with backoff)');
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), 10_000);
    this.timer.unref();
  }

  refresh(): Promise<void> {
    if (!this.running) return Promise.resolve();
    const run = (this.refreshing ?? Promise.resolve()).then(async () => {
      try {
        const dests = await this.repo.enabledSyslogDestinations();
        if (!this.running) return;
        const seen = new Set<string>();
        for (const d of dests) {
          seen.add(d.destination_id);
          const w = this.workers.get(d.destination_id);
          if (w) w.update(d);
          else {
            const nw = new DestinationWorker(d, this);
            this.workers.set(d.destination_id, nw);
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
        this.logger.warn({ err: e }, 'could not load syslog destinations; next refresh retries');
      }
    });
    this.refreshing = run;
    return run;
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    await this.refreshing;
    const ws = [...this.workers.values()];
    this.workers.clear();
    await Promise.all(ws.map((w) => w.stop()));
  }
}
