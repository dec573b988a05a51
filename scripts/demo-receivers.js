// The receivers `make up` delivers alerts to, so the webhook and syslog channels are seen working
// on loopback: a webhook receiver (node:http) that verifies each delivery's Standard Webhooks
// signature with the subscription secret, and a private rsyslogd (its own config, imtcp on a
// loopback port, omfile to a file; no system logging, no privileged port).
//
//   node scripts/demo-receivers.js start    starts both in the background (pids in the demo dir)
//   node scripts/demo-receivers.js subscribe  subscribes both to alerting (demo tenant admin)
//   node scripts/demo-receivers.js stop     stops what start started (by those pids)
//   node scripts/demo-receivers.js status   one line per receiver
//   node scripts/demo-receivers.js serve-webhook   the receiver itself (start runs it)
//
// DEMO_DIR (.run/demo), DEMO_WEBHOOK_PORT (8095), DEMO_SYSLOG_PORT (8514), RSYSLOGD
// (/usr/sbin/rsyslogd), ALERTING_URL (http://127.0.0.1:8085), DEMO_TOKENS_FILE (.run/api-tokens),
// DEMO_TENANT (demo). subscribe writes the secret alerting returned to DEMO_DIR/webhook-secret;
// the receiver reads it per request, so it can start first.
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { createHash, createHmac, timingSafeEqual } = require('node:crypto');

const root = path.resolve(__dirname, '..');
const settings = (env = process.env) => {
  const dir = path.resolve(env.DEMO_DIR || path.join(root, '.run/demo'));
  return {
    dir,
    webhookPort: Number(env.DEMO_WEBHOOK_PORT || 8095),
    syslogPort: Number(env.DEMO_SYSLOG_PORT || 8514),
    rsyslogd: env.RSYSLOGD || '/usr/sbin/rsyslogd',
    secretFile: path.join(dir, 'webhook-secret'),
    webhookLog: path.join(dir, 'webhook.log'),
    syslogLog: path.join(dir, 'syslog-cef.log'),
    webhookPid: path.join(dir, 'webhook-receiver.pid'),
    rsyslogPid: path.join(dir, 'rsyslogd.pid'),
    rsyslogConf: path.join(dir, 'rsyslog.conf'),
    tokensFile: path.resolve(env.DEMO_TOKENS_FILE || path.join(root, '.run/api-tokens')),
    tenant: env.DEMO_TENANT || 'demo',
    alertingUrl: env.ALERTING_URL || 'http://127.0.0.1:8085',
  };
};

/** Standard Webhooks check (services/alerting/README.md shows the same lines): HMAC-SHA256 over id.timestamp.body. */
function verify(secret, headers, rawBody, toleranceSec = 300) {
  const id = headers['webhook-id'];
  const ts = Number(headers['webhook-timestamp']);
  if (!secret || !id || !(Math.abs(Date.now() / 1000 - ts) <= toleranceSec)) return false; // stale: a replay
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const want = Buffer.from(`v1,${createHmac('sha256', key).update(`${id}.${ts}.${rawBody}`).digest('base64')}`);
  return String(headers['webhook-signature'] ?? '')
    .split(' ')
    .some((s) => s.length === want.length && timingSafeEqual(Buffer.from(s), want));
}

/** A secret is never printed; this names it. */
const fingerprint = (secret) => `sha256:${createHash('sha256').update(secret).digest('hex').slice(0, 12)}`;

/** One log line per delivery: verified, event id, alert, severity, £ at stake, change. */
function deliveryLine(ok, headers, rawBody) {
  let ev = {};
  try {
    ev = JSON.parse(rawBody);
  } catch {
    // Not JSON: still logged (unverified deliveries are what the log is for too).
  }
  const d = ev.data ?? {};
  const c = d.customs ?? {};
  const money = c.money_at_stake?.gbp;
  return [
    new Date().toISOString(),
    `verified=${ok ? 'yes' : 'no'}`,
    `id=${headers['webhook-id'] ?? '-'}`,
    `type=${ev.type ?? '-'}`,
    `alert=${ev.subject ?? '-'}`,
    `severity=${d.severity ?? '-'}`,
    `money=${money === undefined ? '-' : `£${money}`}`,
    `change=${c.change ? `${c.change.from ?? ''}->${c.change.to ?? ''}` : '-'}`,
  ].join(' ');
}

function serveWebhook(s = settings()) {
  fs.mkdirSync(s.dir, { recursive: true });
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (b) => chunks.push(b));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      // Read per request: up.sh writes it after the subscription exists (and rewrites it when it
      // has to create a new one); an absent secret verifies nothing.
      const secret = fs.existsSync(s.secretFile) ? fs.readFileSync(s.secretFile, 'utf8').trim() : '';
      const ok = req.method === 'POST' && verify(secret, req.headers, raw);
      fs.appendFileSync(s.webhookLog, `${deliveryLine(ok, req.headers, raw)}\n`);
      // A receiver refuses what it cannot verify; alerting then retries and dead-letters it.
      res.writeHead(ok ? 204 : 401).end();
    });
  });
  server.listen(s.webhookPort, '127.0.0.1');
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return server;
}

/** rsyslogd's own config: only our TCP input on loopback, only our file; nothing of the system's. */
function rsyslogConfig(s) {
  return `# Written by scripts/demo-receivers.js: a private rsyslogd for make up's syslog CEF demo.
global(workDirectory="${s.dir}")
module(load="imtcp")
ruleset(name="customs-demo") {
  action(type="omfile" file="${s.syslogLog}" template="RSYSLOG_SyslogProtocol23Format" flushOnTXEnd="on" asyncWriting="off")
}
input(type="imtcp" address="127.0.0.1" port="${s.syslogPort}" ruleset="customs-demo")
`;
}

const alive = (pidFile) => {
  try {
    const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
    process.kill(pid, 0);
    return pid;
  } catch {
    return 0;
  }
};
const portOpen = (port) =>
  new Promise((resolve) => {
    const c = net.connect({ host: '127.0.0.1', port }, () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
async function waitPort(port, what, child, logFile) {
  for (let i = 0; i < 150; i++) {
    if (await portOpen(port)) return;
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').slice(-2000) : '';
  throw new Error(`${what} is not listening on 127.0.0.1:${port}${log ? `; its output:\n${log}` : ''}`);
}

async function start(s = settings()) {
  fs.mkdirSync(s.dir, { recursive: true });
  for (const [what, port] of [
    ['webhook receiver', s.webhookPort],
    ['rsyslogd', s.syslogPort],
  ]) {
    const pidFile = what === 'rsyslogd' ? s.rsyslogPid : s.webhookPid;
    if (!alive(pidFile) && (await portOpen(port))) throw new Error(`127.0.0.1:${port} (${what}) is taken by another process; set ${what === 'rsyslogd' ? 'DEMO_SYSLOG_PORT' : 'DEMO_WEBHOOK_PORT'}`);
  }
  if (alive(s.webhookPid)) console.log(`  webhook receiver already running (pid ${alive(s.webhookPid)})`);
  else {
    const out = fs.openSync(path.join(s.dir, 'webhook-receiver.out'), 'a');
    const child = spawn(process.execPath, [__filename, 'serve-webhook'], {
      detached: true,
      stdio: ['ignore', out, out],
      env: { ...process.env, DEMO_DIR: s.dir, DEMO_WEBHOOK_PORT: String(s.webhookPort) },
    });
    child.unref();
    fs.writeFileSync(s.webhookPid, `${child.pid}\n`);
    await waitPort(s.webhookPort, 'webhook receiver', child, path.join(s.dir, 'webhook-receiver.out'));
    console.log(`  webhook receiver on http://127.0.0.1:${s.webhookPort}/ (pid ${child.pid}), log ${path.relative(process.cwd(), s.webhookLog)}`);
  }
  if (alive(s.rsyslogPid)) console.log(`  rsyslogd already running (pid ${alive(s.rsyslogPid)})`);
  else {
    if (!fs.existsSync(s.rsyslogd)) throw new Error(`${s.rsyslogd} is missing (scripts/lib.sh ensure_rsyslog installs it)`);
    fs.writeFileSync(s.rsyslogConf, rsyslogConfig(s));
    fs.rmSync(s.rsyslogPid, { force: true });
    const outFile = path.join(s.dir, 'rsyslogd.out');
    const out = fs.openSync(outFile, 'a');
    // -n: in the foreground of its own detached process (no fork), -i: its own pid file, never
    // the system's; it writes the pid file itself once it runs.
    const child = spawn(s.rsyslogd, ['-n', '-f', s.rsyslogConf, '-i', s.rsyslogPid], { detached: true, stdio: ['ignore', out, out] });
    child.unref();
    await waitPort(s.syslogPort, 'rsyslogd', child, outFile);
    console.log(`  rsyslogd on tcp 127.0.0.1:${s.syslogPort} (pid ${child.pid}, config ${path.relative(process.cwd(), s.rsyslogConf)}), log ${path.relative(process.cwd(), s.syslogLog)}`);
  }
}

async function stop(s = settings()) {
  for (const [what, pidFile] of [
    ['webhook receiver', s.webhookPid],
    ['rsyslogd', s.rsyslogPid],
  ]) {
    const pid = alive(pidFile);
    if (pid) {
      process.kill(pid, 'SIGTERM');
      for (let i = 0; i < 100 && alive(pidFile); i++) await new Promise((r) => setTimeout(r, 100));
      if (alive(pidFile)) process.kill(pid, 'SIGKILL');
      console.log(`  stopped ${what}`);
    }
    fs.rmSync(pidFile, { force: true });
  }
}

/** The demo tenant's admin token from the tokens file (up.sh adds a `demo-admin` one). */
function adminToken(s) {
  const line = fs
    .readFileSync(s.tokensFile, 'utf8')
    .split('\n')
    .find((l) => l && !l.startsWith('#') && l.slice(l.indexOf('=') + 1).startsWith(`${s.tenant}:admin`));
  if (!line) throw new Error(`no ${s.tenant}:admin token in ${s.tokensFile}`);
  return line.slice(0, line.indexOf('='));
}

/**
 * Through alerting's REST API, as the demo tenant's admin: a webhook subscription to the receiver
 * (its secret saved for the receiver, never printed: a fingerprint is) and a syslog destination
 * to the private rsyslogd. Idempotent: an existing subscription whose secret is on file and an
 * existing destination are kept; a subscription whose secret was lost is replaced.
 */
async function subscribe(s = settings()) {
  const token = adminToken(s);
  const call = async (method, p, body) => {
    const r = await fetch(`${s.alertingUrl}${p}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await r.text();
    const json = text ? JSON.parse(text) : {};
    if (!r.ok) {
      const hint =
        r.status === 400 && /host|url/.test(json.details?.field ?? '')
          ? ' (alerting refuses loopback unless started with DELIVERY_ALLOWED_PRIVATE_HOSTS=127.0.0.1, as scripts/services.sh does: make down && make up)'
          : r.status === 401
            ? ' (alerting was started before this token existed: make down && make up)'
            : '';
      throw new Error(`${method} ${p}: ${r.status} ${json.message ?? text}${hint}`);
    }
    return json;
  };
  const url = `http://127.0.0.1:${s.webhookPort}/alerts`;
  const subs = (await call('GET', '/v1/webhooks')).subscriptions.filter((x) => x.url === url);
  const hasSecret = fs.existsSync(s.secretFile) && fs.readFileSync(s.secretFile, 'utf8').trim();
  if (subs.length && hasSecret) console.log(`  webhook subscription ${subs[0].id} → ${url} (already there; secret ${fingerprint(hasSecret)})`);
  else {
    for (const x of subs) await call('DELETE', `/v1/webhooks/${x.id}`);
    const created = await call('POST', '/v1/webhooks', { url, description: 'make up demo receiver (scripts/demo-receivers.js)' });
    fs.writeFileSync(s.secretFile, `${created.secret}\n`, { mode: 0o600 });
    console.log(`  webhook subscription ${created.subscription.id} → ${url} (secret ${fingerprint(created.secret)} in ${path.relative(process.cwd(), s.secretFile)})`);
  }
  const dests = (await call('GET', '/v1/syslog-destinations')).destinations.filter((d) => d.host === '127.0.0.1' && d.port === s.syslogPort);
  if (dests.length) console.log(`  syslog destination ${dests[0].id} → tcp 127.0.0.1:${s.syslogPort} (already there)`);
  else {
    const d = (await call('POST', '/v1/syslog-destinations', { host: '127.0.0.1', port: s.syslogPort })).destination;
    console.log(`  syslog destination ${d.id} → tcp 127.0.0.1:${s.syslogPort} (CEF over RFC 5424, facility ${d.facility})`);
  }
}

/** What the receivers got, for summary.js and the test. */
function readDemoLogs(s = settings()) {
  const lines = (f) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8').split('\n').filter(Boolean) : []);
  const webhook = lines(s.webhookLog);
  const verified = webhook.filter((l) => l.includes(' verified=yes '));
  const cef = lines(s.syslogLog).filter((l) => l.includes('CEF:0|'));
  return {
    webhook: {
      verified: verified.length,
      unverified: webhook.length - verified.length,
      example: verified.find((l) => l.includes(' alert=') && !l.includes(' alert=- ')) ?? verified[0],
      log: s.webhookLog,
    },
    syslog: { cef: cef.length, example: cef[0], log: s.syslogLog },
  };
}

module.exports = { settings, verify, fingerprint, rsyslogConfig, readDemoLogs, start, stop, subscribe };

if (require.main === module) {
  const cmd = process.argv[2];
  const s = settings();
  const run = {
    'serve-webhook': async () => serveWebhook(s),
    start: () => start(s),
    stop: () => stop(s),
    subscribe: () => subscribe(s),
    status: async () => {
      for (const [what, pidFile] of [
        ['webhook-rx', s.webhookPid],
        ['rsyslogd', s.rsyslogPid],
      ])
        console.log(alive(pidFile) ? `  ${what.padEnd(11)} pid ${alive(pidFile)}` : `  ${what.padEnd(11)} stopped`);
    },
  }[cmd];
  if (!run) {
    console.error('usage: node scripts/demo-receivers.js start|subscribe|stop|status|serve-webhook');
    process.exit(2);
  }
  run().catch((e) => {
    console.error(`demo receivers: ${e.message}`);
    process.exit(1);
  });
}
