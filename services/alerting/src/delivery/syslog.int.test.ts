import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Severity } from '@customs/contracts';
import { waitFor } from '@customs/testing';
import { startDeliveryHost, type DeliveryHost } from './__fixtures__/harness';

const RSYSLOGD = '/usr/sbin/rsyslogd';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/**
 * Debian's rsyslog daemon, private to this test: its own config (imtcp on a loopback port, every
 * message written by omfile to a file in a temp dir), no system logging (no imuxsock/imklog),
 * in the foreground (-n) with its own pid file.
 */
class Rsyslog {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'customs-rsyslog-'));
  readonly out = path.join(this.dir, 'received.log');
  private proc: ChildProcess | undefined;
  stderr = '';
  constructor(
    readonly port: number,
    tls?: { ca: string; cert: string; key: string },
  ) {
    // With TLS: the openssl network stream driver (Debian's rsyslog-openssl), server
    // certificate only (clients are not asked for one).
    const global = tls
      ? `global(workDirectory="${this.dir}" defaultNetstreamDriver="ossl" defaultNetstreamDriverCAFile="${tls.ca}" defaultNetstreamDriverCertFile="${tls.cert}" defaultNetstreamDriverKeyFile="${tls.key}")
module(load="imtcp" streamDriver.name="ossl" streamDriver.mode="1" streamDriver.authMode="anon")`
      : `global(workDirectory="${this.dir}")
module(load="imtcp")`;
    fs.writeFileSync(
      path.join(this.dir, 'rsyslog.conf'),
      `${global}
# The fields the test checks, one line per message: RFC 5424 header fields and the CEF text.
template(name="fields" type="string" string="%hostname%|%app-name%|%msgid%|%syslogfacility%|%syslogseverity%|%msg%\\n")
ruleset(name="customs") {
  action(type="omfile" file="${this.out}" template="fields" flushOnTXEnd="on" asyncWriting="off")
}
input(type="imtcp" address="127.0.0.1" port="${this.port}" ruleset="customs")
`,
    );
  }
  async start(): Promise<void> {
    this.proc = spawn(RSYSLOGD, ['-n', '-f', path.join(this.dir, 'rsyslog.conf'), '-i', path.join(this.dir, 'rsyslogd.pid')], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.proc.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    await waitFor(`rsyslogd listening on ${this.port} (${this.stderr})`, () => portOpen(this.port), { timeoutMs: 15000, intervalMs: 100 });
  }
  async stop(): Promise<void> {
    const p = this.proc;
    this.proc = undefined;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGTERM');
    });
  }
  lines(): string[] {
    return fs.existsSync(this.out) ? fs.readFileSync(this.out, 'utf8').split('\n').filter(Boolean) : [];
  }
  cleanup(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** CEF extension as key → value (values unescaped). */
function cefFields(cef: string): Record<string, string> {
  // Header: 7 pipe-separated fields (a pipe inside one is escaped as \|).
  const parts = cef.match(/^((?:\\.|[^|\\])*\|){7}/);
  const ext = cef.slice(parts![0].length);
  const out: Record<string, string> = {};
  for (const m of ext.matchAll(/(\w+)=((?:\\.|[^\\=])*?)(?= \w+=|$)/g)) out[m[1]!] = m[2]!.replace(/\\([\\=])/g, '$1').replace(/\\n/g, '\n');
  return out;
}

/** A throw-away CA and a server certificate for 127.0.0.1, made with the openssl CLI. */
function makeCerts(dir: string) {
  const f = (n: string) => path.join(dir, n);
  const run = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '2', '-subj', '/CN=customs test CA');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=syslog.test');
  fs.writeFileSync(f('ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:syslog.test\n');
  run('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('server.pem'), '-days', '2', '-extfile', f('ext.cnf'));
  return { ca: f('ca.pem'), cert: f('server.pem'), key: f('server.key') };
}

describe('syslog CEF to a real rsyslog', () => {
  let host: DeliveryHost;
  let rsyslog: Rsyslog;

  beforeAll(async () => {
    if (!fs.existsSync(RSYSLOGD)) throw new Error(`${RSYSLOGD} is missing: scripts/test.sh installs it (apt-get install -y rsyslog rsyslog-openssl)`);
    rsyslog = new Rsyslog(await freePort());
    await rsyslog.start();
    host = await startDeliveryHost('syslog', { SYSLOG_HOSTNAME: 'customs-test-host' });
  });
  afterAll(async () => {
    await host?.close();
    await rsyslog?.stop();
    rsyslog?.cleanup();
  });

  it('refuses bad destinations with a 400 naming the field', async () => {
    const cases: [unknown, string][] = [
      [{ port: 514 }, 'host'],
      [{ host: '10.1.1.1', port: 514 }, 'host'],
      [{ host: '127.0.0.1' }, 'port'],
      [{ host: '127.0.0.1', port: 70000 }, 'port'],
      [{ host: '127.0.0.1', port: 514, facility: 24 }, 'facility'],
      [{ host: '127.0.0.1', port: 514, tls: 'yes' }, 'tls'],
      [{ host: '127.0.0.1', port: 514, caPem: 'not a pem' }, 'caPem'],
      [{ host: '127.0.0.1', port: 514, filters: { states: ['open'] } }, 'filters.states'],
      [{ host: '127.0.0.1', port: 514, protocol: 'udp' }, 'protocol'],
    ];
    for (const [body, field] of cases) {
      const r = await host.http('POST', '/v1/syslog-destinations', body);
      expect({ body, status: r.status, field: r.body.details?.field }).toEqual({ body, status: 400, field });
    }
    expect((await host.http('POST', '/v1/syslog-destinations', { host: '127.0.0.1', port: 514 }, host.tokens.a.analyst)).status).toBe(403);
  });

  it('sends each change as RFC 5424 + CEF over TCP, only the destination tenant’s, and resumes after the receiver restarts', async () => {
    const created = await host.http('POST', '/v1/syslog-destinations', { host: '127.0.0.1', port: rsyslog.port, facility: 16 });
    expect(created.status).toBe(201);
    const dest = created.body.destination;
    expect(dest).toMatchObject({ host: '127.0.0.1', port: rsyslog.port, tls: false, facility: 16 });

    await host.change(host.tenants.b, { alertId: 'syslog-alert-of-b', title: 'B only' });
    const a = await host.change(host.tenants.a, { alertId: 'syslog-alert-of-a', title: 'Duty | rate = wrong', severity: Severity.SEVERITY_CRITICAL });
    const line = await waitFor('CEF line at rsyslog', async () => rsyslog.lines().find((l) => l.includes('syslog-alert-of-a')));
    const [hostname, app, msgid, facility, severity, ...rest] = line.split('|');
    expect({ hostname, app, msgid, facility, severity }).toEqual({ hostname: 'customs-test-host', app: 'customs-alerting', msgid: 'alert', facility: '16', severity: '2' });
    const cef = rest.join('|').trim();
    expect(cef.startsWith('CEF:0|Customs Monitor|alerting|1.0|AR-001|Duty \\| rate = wrong|10|')).toBe(true);
    expect(cefFields(cef)).toMatchObject({
      eventId: String(a),
      externalId: 'syslog-alert-of-a',
      msg: 'Duty | rate = wrong',
      cs1: host.tenants.a,
      cs2Label: 'importer',
      cs2: 'GB123456789000',
      cs3Label: 'broker',
      cs3: 'GB987654321000',
      cn1Label: 'exposurePence',
      cn1: '1050075',
      cfp1: '10500.75',
      flexString1: '2027-06-30',
      cn3Label: 'daysLeft',
    });
    // B's change came first in the history; A's destination never carries it.
    await waitFor('cursor stored', async () => (await host.http('GET', `/v1/syslog-destinations/${dest.id}`)).body.destination.cursor >= a);
    expect(rsyslog.lines().filter((l) => l.includes('syslog-alert-of-b') || l.includes(host.tenants.b))).toEqual([]);
    expect(rsyslog.lines()).toHaveLength(1);

    // The receiver goes away and comes back: the channel reconnects with backoff and sends what
    // happened meanwhile.
    await rsyslog.stop();
    const b2 = await host.change(host.tenants.a, { alertId: 'syslog-while-down' });
    await waitFor('connection error recorded', async () => (await host.http('GET', `/v1/syslog-destinations/${dest.id}`)).body.destination.lastError);
    await rsyslog.start();
    await waitFor('change sent after reconnect', async () => rsyslog.lines().some((l) => l.includes('syslog-while-down')), { timeoutMs: 90000 });
    await waitFor('cursor stored', async () => (await host.http('GET', `/v1/syslog-destinations/${dest.id}`)).body.destination.cursor >= b2);
    expect((await host.http('GET', `/v1/syslog-destinations/${dest.id}`)).body.destination.lastError).toBeNull();
    expect(rsyslog.lines().filter((l) => l.includes(host.tenants.b))).toEqual([]);
    expect((await host.http('GET', '/v1/syslog-destinations', undefined, host.tokens.b.analyst)).body.destinations).toEqual([]);
    // Cursor pages along `next`: the whole list once, oldest first.
    for (const port of [1514, 1515, 1516]) expect((await host.http('POST', '/v1/syslog-destinations', { host: '127.0.0.1', port, facility: 16 })).status).toBe(201);
    const all = await host.http('GET', '/v1/syslog-destinations?limit=1000', undefined, host.tokens.a.analyst);
    const full = all.body.destinations.map((d: { id: string }) => d.id);
    expect([all.body.next, full.length >= 4]).toEqual([null, true]);
    const seen: string[] = [];
    for (let next: string | null = '/v1/syslog-destinations?limit=2'; next; ) {
      const r = await host.http('GET', next, undefined, host.tokens.a.analyst);
      expect(r.body.destinations.length).toBeLessThanOrEqual(2);
      seen.push(...r.body.destinations.map((d: { id: string }) => d.id));
      next = r.body.next;
      expect(seen.length).toBeLessThanOrEqual(full.length);
    }
    expect(seen).toEqual(full);
    expect((await host.http('GET', '/v1/syslog-destinations?cursor=not-a-cursor')).status).toBe(400);
    for (const id of full.slice(-3)) expect((await host.http('DELETE', `/v1/syslog-destinations/${id}`)).status).toBe(204);
  });

  it('sends over TLS to an rsyslog with a certificate from the destination’s CA, and refuses an unknown CA', async () => {
    const certDir = fs.mkdtempSync(path.join(os.tmpdir(), 'customs-syslog-tls-'));
    const certs = makeCerts(certDir);
    const tlsd = new Rsyslog(await freePort(), certs);
    await tlsd.start();
    try {
      const untrusted = await host.http('POST', '/v1/syslog-destinations', { host: '127.0.0.1', port: tlsd.port, tls: true });
      expect(untrusted.status).toBe(201);
      const trusted = await host.http('POST', '/v1/syslog-destinations', { host: '127.0.0.1', port: tlsd.port, tls: true, caPem: fs.readFileSync(certs.ca, 'utf8') });
      expect(trusted.status).toBe(201);
      expect(trusted.body.destination).toMatchObject({ tls: true, caPem: expect.stringContaining('BEGIN CERTIFICATE') });
      const c = await host.change(host.tenants.a, { alertId: 'syslog-over-tls' });
      const line = await waitFor('CEF line over TLS', async () => tlsd.lines().find((l) => l.includes('syslog-over-tls')));
      expect(cefFields(line.split('|').slice(5).join('|'))).toMatchObject({ eventId: String(c), externalId: 'syslog-over-tls', cs1: host.tenants.a });
      // The destination without the CA cannot verify the receiver: nothing sent, the error shown.
      const err = await waitFor('certificate error recorded', async () => (await host.http('GET', `/v1/syslog-destinations/${untrusted.body.destination.id}`)).body.destination.lastError);
      expect(err).toMatch(/certificate/i);
      expect(tlsd.lines().filter((l) => l.includes('syslog-over-tls'))).toHaveLength(1);
      for (const d of [untrusted, trusted]) expect((await host.http('DELETE', `/v1/syslog-destinations/${d.body.destination.id}`)).status).toBe(204);
    } finally {
      await tlsd.stop();
      tlsd.cleanup();
      fs.rmSync(certDir, { recursive: true, force: true });
    }
  });
});
