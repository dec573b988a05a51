import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Severity } from '@customs/contracts';
import { waitFor } from '@customs/testing';
import { startDeliveryHost, type DeliveryHost } from '../services/alerting/src/delivery/__fixtures__/harness';

// scripts/demo-receivers.js as `make up` runs it (start in the background, stop by its pids),
// fed by a real alerting service: the receiver verifies real Standard Webhooks signatures with
// the secret alerting returned (and refuses a delivery signed with another secret), and the
// private rsyslogd writes the CEF lines alerting sends over TCP.
const script = path.join(__dirname, 'demo-receivers.js');
const demo = require('./demo-receivers.js') as {
  readDemoLogs(s: unknown): { webhook: { verified: number; unverified: number; example?: string }; syslog: { cef: number; example?: string } };
  settings(env: Record<string, string>): unknown;
};

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

describe('make up demo receivers (scripts/demo-receivers.js)', () => {
  let host: DeliveryHost;
  let env: Record<string, string>;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'customs-demo-'));
  const run = (cmd: string) => execFileSync(process.execPath, [script, cmd], { env: { ...process.env, ...env }, encoding: 'utf8' });
  // Asynchronous where the script calls the in-process alerting service (a sync child would block it).
  const runAsync = async (cmd: string) => (await promisify(execFile)(process.execPath, [script, cmd], { env: { ...process.env, ...env }, encoding: 'utf8' })).stdout;
  const logs = () => demo.readDemoLogs(demo.settings(env));

  beforeAll(async () => {
    env = { DEMO_DIR: dir, DEMO_WEBHOOK_PORT: String(await freePort()), DEMO_SYSLOG_PORT: String(await freePort()) };
    run('start');
    // One attempt each, so the delivery the receiver refuses is dead-lettered at once.
    host = await startDeliveryHost('demo-rx', { WEBHOOK_MAX_ATTEMPTS: '1', SYSLOG_HOSTNAME: 'customs-demo-host' });
  });
  afterAll(async () => {
    await host?.close();
    if (env) run('stop');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('starts a webhook receiver and rsyslogd on loopback, with pid files', () => {
    expect(run('status')).toMatch(/webhook-rx\s+pid \d+\n\s+rsyslogd\s+pid \d+/);
    expect(fs.readFileSync(path.join(dir, 'rsyslog.conf'), 'utf8')).toContain(`input(type="imtcp" address="127.0.0.1" port="${env.DEMO_SYSLOG_PORT}"`);
  });

  it('verifies signed deliveries from alerting with the subscription secret, refuses another secret, and rsyslog writes the CEF line', async () => {
    // As up.sh does: the demo tenant's admin token from the tokens file, subscribe through REST.
    fs.writeFileSync(path.join(dir, 'api-tokens'), `${host.tokens.a.analyst}=${host.tenants.a}:analyst\n${host.tokens.a.admin}=${host.tenants.a}:admin:demo-admin\n`, { mode: 0o600 });
    Object.assign(env, { DEMO_TOKENS_FILE: path.join(dir, 'api-tokens'), DEMO_TENANT: host.tenants.a, ALERTING_URL: host.service.httpUrl });
    const first = await runAsync('subscribe');
    const secret = fs.readFileSync(path.join(dir, 'webhook-secret'), 'utf8').trim();
    expect(secret).toMatch(/^whsec_/);
    expect(fs.statSync(path.join(dir, 'webhook-secret')).mode & 0o077).toBe(0);
    expect(first).toMatch(/webhook subscription .* \(secret sha256:[0-9a-f]{12} in /);
    expect(first).not.toContain(secret);
    // Again (make up run twice): kept, not duplicated.
    expect(await runAsync('subscribe')).toMatch(/already there[\s\S]*already there/);
    const url = `http://127.0.0.1:${env.DEMO_WEBHOOK_PORT}/alerts`;
    expect((await host.http('GET', '/v1/webhooks')).body.subscriptions.map((x: { url: string }) => x.url)).toEqual([url]);
    expect((await host.http('GET', '/v1/syslog-destinations')).body.destinations).toHaveLength(1);
    // A second subscription to the same receiver has its own secret, which the receiver does not hold.
    const other = await host.http('POST', '/v1/webhooks', { url: `${url}/other` });
    expect(other.status).toBe(201);

    const cursor = await host.change(host.tenants.a, { alertId: 'demo-rx-alert', severity: Severity.SEVERITY_HIGH });
    await waitFor('both webhook deliveries logged', async () => logs().webhook.verified + logs().webhook.unverified >= 2);
    await waitFor('CEF line written by rsyslogd', async () => logs().syslog.cef >= 1);

    const lines = fs.readFileSync(path.join(dir, 'webhook.log'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(2);
    const eventId = `id=alert-change/${host.tenants.a}/${cursor}`;
    const ok = lines.filter((l) => l.includes(' verified=yes '));
    expect(ok).toHaveLength(1);
    expect(ok[0]).toContain(eventId);
    expect(ok[0]).toContain(' alert=demo-rx-alert ');
    expect(ok[0]).toContain(' severity=High ');
    expect(ok[0]).toContain(' money=£10500.75 ');
    expect(lines.filter((l) => l.includes(' verified=no ') && l.includes(eventId))).toHaveLength(1);
    // The refused delivery is alerting's too: the receiver answered 401, so it was dead-lettered.
    await waitFor('refused delivery dead-lettered', async () => (await host.http('GET', `/v1/webhooks/${other.body.subscription.id}/dead-letters`)).body.deadLetters?.length === 1);
    const attempts = (await host.http('GET', `/v1/webhooks/${other.body.subscription.id}/attempts`)).body.attempts;
    expect(attempts.map((a: { statusCode: number; outcome: string }) => [a.statusCode, a.outcome])).toEqual([[401, 'dead_lettered']]);

    const s = logs();
    expect(s.webhook).toMatchObject({ verified: 1, unverified: 1 });
    expect(s.webhook.example).toBe(ok[0]);
    expect(s.syslog.cef).toBe(1);
    expect(s.syslog.example).toMatch(/^<131>1 \S+ customs-demo-host customs-alerting - alert - CEF:0\|Customs Monitor\|alerting\|1\.0\|AR-001\|/);
    expect(s.syslog.example).toContain('externalId=demo-rx-alert');
  });
});
