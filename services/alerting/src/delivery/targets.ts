import * as dns from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import type { FieldProblem } from '../policies/mapping';

// Addresses a tenant's webhook or syslog target may not reach unless its host is listed in
// DELIVERY_ALLOWED_PRIVATE_HOSTS: our own machine and network (SSRF).
const NON_PUBLIC = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  NON_PUBLIC.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  NON_PUBLIC.addSubnet(net, bits, 'ipv6');

export function isNonPublicAddress(ip: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return NON_PUBLIC.check(mapped[1]!, 'ipv4');
  const family = isIP(ip);
  if (family === 0) return true;
  return NON_PUBLIC.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

// "[::1]" → "::1", "LocalHost." → "localhost" (a trailing dot is the same DNS name).
function bareHost(h: string): string {
  return h
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
}

/** Checks a webhook URL: http(s), a host, no credentials, not a non-public IP literal. */
export function checkWebhookUrl(raw: unknown, allowedPrivate: readonly string[], field = 'url'): { url: string } | { problem: FieldProblem } {
  if (typeof raw !== 'string' || raw.length === 0) return { problem: { field, message: 'is required: an http:// or https:// URL' } };
  if (raw.length > 2048) return { problem: { field, message: 'must be at most 2048 characters' } };
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return { problem: { field, message: 'is not a valid URL' } };
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return { problem: { field, message: `must use http or https, not ${u.protocol.replace(/:$/, '')}` } };
  if (u.username || u.password) return { problem: { field, message: 'must not carry credentials; the payload is signed with the subscription secret instead' } };
  if (!u.hostname) return { problem: { field, message: 'must name a host' } };
  const hostProblem = checkHost(u.hostname, allowedPrivate, field);
  return hostProblem ? { problem: hostProblem } : { url: u.toString() };
}

/** Checks a syslog or webhook host given literally: a non-public IP needs the allow-list. */
export function checkHost(host: string, allowedPrivate: readonly string[], field = 'host'): FieldProblem | undefined {
  const h = bareHost(host);
  if (!h || h.length > 253) return { field, message: 'must be a host name or IP address' };
  if (allowedPrivate.includes(h)) return undefined;
  if (isIP(h) && isNonPublicAddress(h)) return { field, message: `${h} is not a public address (allowed private hosts are set by DELIVERY_ALLOWED_PRIVATE_HOSTS)` };
  if (h === 'localhost' || h.endsWith('.localhost')) return { field, message: `${h} is not a public host (allowed private hosts are set by DELIVERY_ALLOWED_PRIVATE_HOSTS)` };
  return undefined;
}

/**
 * A DNS lookup for outgoing connections that refuses names resolving to non-public addresses
 * (checked at connect time, so a name that later re-points inside our network is still refused),
 * unless the host is on the allow-list.
 */
export function guardedLookup(allowedPrivate: readonly string[]): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as dns.LookupAddress[];
      const allowed = allowedPrivate.includes(bareHost(hostname)) ? list : list.filter((a) => !isNonPublicAddress(a.address));
      if (allowed.length === 0) {
        const e = Object.assign(new Error(`${hostname} resolves only to non-public addresses; refused (DELIVERY_ALLOWED_PRIVATE_HOSTS)`), { code: 'EADDRNOTPUBLIC' });
        return callback(e, '', 0);
      }
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, allowed);
      callback(null, allowed[0]!.address, allowed[0]!.family);
    });
  };
}
