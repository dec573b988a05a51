import * as os from 'node:os';
import { isIP } from 'node:net';
import { int, list, str, type VarSpec } from '@customs/config';

const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** A comma list of host names or IP literals; each entry is checked and a bad one is named. */
function hostList(): VarSpec<string[]> {
  const inner = list({ default: [] });
  return {
    read(env, name, problems) {
      const hosts = inner.read(env, name, problems).map((h) => h.toLowerCase().replace(/^\[(.*)\]$/, '$1'));
      for (const h of hosts) if (!isIP(h) && !HOSTNAME.test(h)) problems.push(`${name}: "${h}" is not a host name or IP address`);
      return hosts;
    },
  };
}

/** Environment of the delivery channels (spread into the service's loadConfig). */
export function deliveryConfigSpecs() {
  return {
    // Webhook and syslog targets may not resolve to loopback, private, link-local or other
    // non-public addresses (a tenant must not reach into our network), except these hosts: e.g.
    // "127.0.0.1,localhost" for local receivers in development and tests.
    DELIVERY_ALLOWED_PRIVATE_HOSTS: hostList(),
    // Attempts per webhook delivery (the first included) before it goes to the dead-letter list.
    WEBHOOK_MAX_ATTEMPTS: int({ default: 8, min: 1, max: 50 }),
    // Backoff before attempt n+1: base × 2^(n-1), capped, with jitter (half fixed, half random).
    WEBHOOK_RETRY_BASE_MS: int({ default: 10_000, min: 1 }),
    WEBHOOK_RETRY_MAX_MS: int({ default: 3_600_000, min: 1 }),
    // Attempt-log rows (GET /v1/webhooks/:id/attempts) are kept this long.
    WEBHOOK_ATTEMPT_RETENTION_DAYS: int({ default: 30, min: 1 }),
    // A receiver that has not answered by then counts as a failed attempt.
    WEBHOOK_TIMEOUT_MS: int({ default: 10_000, min: 100, max: 120_000 }),
    // SSE heartbeat comment interval (keeps proxies from closing an idle stream).
    SSE_HEARTBEAT_MS: int({ default: 15_000, min: 100 }),
    // Channels are woken by NOTIFY alerting_changes; this poll only bounds the delay if one is missed.
    DELIVERY_POLL_MS: int({ default: 2_000, min: 50 }),
    // HOSTNAME field of the RFC 5424 messages sent to syslog destinations.
    SYSLOG_HOSTNAME: str({ default: os.hostname() }),
  };
}

export interface DeliveryConfig {
  DATABASE_URL: string;
  DELIVERY_ALLOWED_PRIVATE_HOSTS: readonly string[];
  WEBHOOK_MAX_ATTEMPTS: number;
  WEBHOOK_RETRY_BASE_MS: number;
  WEBHOOK_RETRY_MAX_MS: number;
  WEBHOOK_TIMEOUT_MS: number;
  WEBHOOK_ATTEMPT_RETENTION_DAYS: number;
  SSE_HEARTBEAT_MS: number;
  DELIVERY_POLL_MS: number;
  SYSLOG_HOSTNAME: string;
}
