// The SOC console end to end: a real Chromium (Debian's, through playwright-core) on the console
// server, which calls the five real services (real Kafka, Postgres, gRPC) started in this process.
// Screenshots of every view go to apps/console/screenshots/ (git-ignored); axe-core checks every
// view for serious or critical accessibility violations.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { REPO_ROOT, waitFor } from '@customs/testing';
import { sample, startPlatform, type Platform } from '../../../packages/testing/e2e/harness';
import type { RunningService } from '@customs/service';
import { loadConfig as reportingConfig } from '../../../services/reporting/src/config';
import { startReportingService } from '../../../services/reporting/src/service';
import { COOKIE } from '../src/sessions';
import { launchChromium, startConsoleProcess, type ConsoleProcess } from './browser';

const WEB_ROOT = path.join(REPO_ROOT, 'apps/console/dist/web');
const SHOTS = path.join(REPO_ROOT, 'apps/console/screenshots');
const other = randomBytes(8).toString('hex');
const OTHER_TENANT = 'tenant-console-other';
const OTHER = { analyst: `other-analyst-${other}`, integrator: `other-integrator-${other}` };

describe('SOC console in Chromium on the real platform', () => {
  let p: Platform;
  let server: ConsoleProcess;
  let reporting: RunningService;
  let browser: Browser;
  let analyst: BrowserContext;
  let page: Page;
  const cspViolations: string[] = [];
  const declOf: Record<string, string> = {};
  let otherAlertId = '';
  let badBatch = '';

  const submit = async (rel: string, token = p.tokens.integrator) => {
    const r = await p.http('ingestion', 'POST', `/v1/documents?filename=${encodeURIComponent(path.basename(rel))}`, sample(rel), { token });
    expect([201, 200]).toContain(r.status);
    return r.body.declarations[0].declarationId as string;
  };
  const alertsOf = async (token: string) => (await p.http('alerting', 'GET', '/v1/alerts?limit=1000', undefined, { token })).body.alerts as any[];
  const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: false });
  const axe = async (view: string) => {
    const r = await new AxeBuilder({ page }).analyze();
    const bad = r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map(
        (v) =>
          `${view}: ${v.id} (${v.impact}) ${v.nodes
            .slice(0, 3)
            .map((n) => n.target.join(' '))
            .join(', ')}`,
      );
    expect(bad).toEqual([]);
  };
  const signIn = async (ctx: BrowserContext, token: string, lands = 'Alert queue') => {
    const pg = await ctx.newPage();
    pg.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });
    await pg.goto(server.url);
    await pg.getByLabel('API token').fill(token);
    await pg.getByRole('button', { name: 'Sign in' }).click();
    await pg.getByRole('heading', { name: lands }).waitFor();
    return pg;
  };

  beforeAll(async () => {
    if (!fs.existsSync(path.join(WEB_ROOT, 'index.html'))) throw new Error(`${WEB_ROOT}/index.html is missing: build the page first (source scripts/lib-node.sh && build_all)`);
    fs.mkdirSync(SHOTS, { recursive: true });
    p = await startPlatform('console', { extraTokens: `${OTHER.analyst}=${OTHER_TENANT}:analyst:analyst@other,${OTHER.integrator}=${OTHER_TENANT}:integrator` });
    // Three priced HMRC samples for our tenant, a malformed document, and one for another tenant.
    declOf.im117 = await submit('TT_IM117a/Step1_TT_IM117a.xml');
    declOf.im030 = await submit('TT_IM030a/Step1_TT_IM030a.xml');
    declOf.im154 = await submit('TT_IM154a/Step1_TT_IM154a.xml');
    const bad = await p.http('ingestion', 'POST', '/v1/documents?filename=broken.xml', Buffer.from('<Declaration><unclosed>'), { token: p.tokens.integrator });
    expect(bad.status).toBe(422);
    badBatch = bad.body.batchId;
    const otherDecl = await submit('TT_IM148a/Step1_TT_IM148a.xml', OTHER.integrator);
    await waitFor(
      'our three priced alerts',
      async () => {
        const a = await alertsOf(p.tokens.analyst);
        return [declOf.im117, declOf.im030, declOf.im154].every((d) => a.some((x) => x.declarationId === d && x.moneyAtStakePence > 0));
      },
      { timeoutMs: 90_000 },
    );
    otherAlertId = await waitFor('the other tenant’s alert', async () => (await alertsOf(OTHER.analyst)).find((a) => a.declarationId === otherDecl)?.alertId, { timeoutMs: 90_000 });
    // Reporting drafts C285/C2001 from alerting's findings feed with the caller's token.
    reporting = await startReportingService(
      reportingConfig({
        DATABASE_URL: p.db.urlFor('reporting'),
        KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
        KAFKA_TOPIC_PREFIX: p.kafka.physical(''),
        HTTP_PORT: '0',
        GRPC_PORT: '0',
        API_TOKENS: p.tokens.spec,
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
        SHUTDOWN_TIMEOUT_MS: '5000',
        ALERTING_URL: p.services.alerting.httpUrl,
        VALIDATION_URL: p.services.validation.httpUrl,
        SCORING_URL: p.services.scoring.httpUrl,
      }),
    );
    // The console runs as it does under `make up`: its own compiled process.
    server = await startConsoleProcess({
      CONSOLE_PORT: '0',
      API_TOKENS: `${p.tokens.spec},${OTHER.analyst}=${OTHER_TENANT}:analyst:analyst@other`,
      INGESTION_URL: p.services.ingestion.httpUrl,
      REFERENCE_URL: p.services.reference.httpUrl,
      VALIDATION_URL: p.services.validation.httpUrl,
      SCORING_URL: p.services.scoring.httpUrl,
      ALERTING_URL: p.services.alerting.httpUrl,
      REPORTING_URL: reporting.httpUrl,
      WEB_ROOT,
      LOG_LEVEL: 'warn',
    });
    browser = await launchChromium();
    analyst = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    page = await signIn(analyst, p.tokens.analyst);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await reporting?.stop();
    await p?.stop();
  });

  it('signs in with a token exchanged for an HttpOnly SameSite=Strict cookie; the token is nowhere in the page', async () => {
    const cookies = await analyst.cookies();
    const c = cookies.find((x) => x.name === COOKIE)!;
    expect(c).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(c.value).not.toContain(p.tokens.analyst);
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie + location.href + document.documentElement.outerHTML);
    expect(stored).not.toContain(p.tokens.analyst);
    await expect(page.getByTestId('whoami').textContent()).resolves.toBe('analyst@tenant-console');
    const res = await page.request.get(`${server.url}/`);
    expect(res.headers()['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    // The sign-in page itself is accessible.
    const anon = await browser.newContext();
    const signInPage = await anon.newPage();
    await signInPage.goto(server.url);
    await signInPage.getByLabel('API token').waitFor();
    const prev = page;
    page = signInPage;
    await shot('sign-in');
    await axe('sign-in');
    page = prev;
    await anon.close();
    const wrong = await page.request.post(`${server.url}/api/session`, { data: { token: 'not-a-token-of-this-platform' } });
    expect(wrong.status()).toBe(401);
  });

  it('shows the queue sorted by £ at stake, biggest first, with deadlines and days left', async () => {
    const rows = page.getByTestId('queue').locator('tbody tr');
    await rows.first().waitFor();
    await page.getByTestId('live-status').getByText('live').waitFor();
    const exposure = (await page.locator('td[data-col="exposure"]').allTextContents()).map((t) => Number(t.replace(/[£,]/g, '')));
    const reclaim = (await page.locator('td[data-col="reclaim"]').allTextContents()).map((t) => Number(t.replace(/[£,]/g, '')));
    const money = exposure.map((e, i) => Math.round((e + reclaim[i]!) * 100));
    expect(money.length).toBeGreaterThanOrEqual(3);
    expect([...money].sort((a, b) => b - a)).toEqual(money);
    const api = (await alertsOf(p.tokens.analyst)).filter((a) => ['ALERT_STATUS_NEW', 'ALERT_STATUS_ACKNOWLEDGED', 'ALERT_STATUS_IN_PROGRESS'].includes(a.status));
    expect(money[0]).toBe(Math.max(...api.map((a) => a.moneyAtStakePence)));
    expect(await rows.first().textContent()).toMatch(/days left/);
    // A click on a column sorts by it (alerting sorts; the page shows its order).
    await page.getByRole('button', { name: 'Importer', exact: true }).click();
    await page.locator('th[aria-sort="ascending"]', { hasText: 'Importer' }).waitFor();
    const byImporter = await page.evaluate(async () =>
      (await (await fetch('/api/alerts?sort=importer&limit=200&state=new,acknowledged,in_progress')).json()).alerts.map((a: any) => a.alertId as string),
    );
    const shown = () => rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-alert-id')));
    await waitFor('the queue in importer order', async () => JSON.stringify(await shown()) === JSON.stringify(byImporter));
    await page.getByTestId('sort').selectOption('money');
    await shot('alert-queue');
    await axe('alert queue');
  });

  it('opens the top alert, shows the duty engine’s explanation, evidence, rule hash; triage is recorded with the actor', async () => {
    const top = (await alertsOf(p.tokens.analyst)).find((a) => a.declarationId === declOf.im117)!;
    await page.locator(`tr[data-alert-id="${top.alertId}"] a`).first().click();
    await page.getByRole('heading', { name: 'Duty engine explanation' }).first().waitFor();
    const explanation = await page.getByTestId('explanation').first().textContent();
    expect(explanation).toContain('rounded down to the penny');
    expect(explanation).toContain('£1,000.00');
    expect(await page.getByTestId('rule-hash').textContent()).toBe(top.alertRuleHash);
    await expect(page.getByText('DE 4/17 preference').first().isVisible()).resolves.toBe(true);
    await shot('alert-detail');
    await axe('alert detail');

    await page.getByTestId('transition-to').selectOption('acknowledged');
    await page.getByTestId('transition-reason').fill('checked the preference claim (console e2e)');
    await page.getByRole('button', { name: 'Change state' }).click();
    const entry = page.getByTestId('history').locator('li', { hasText: 'checked the preference claim (console e2e)' });
    await entry.waitFor();
    expect(await entry.textContent()).toContain('analyst@tenant-console');
    expect(await entry.textContent()).toContain('new → acknowledged');
    await page.getByRole('button', { name: 'Assign to me' }).click();
    await page.getByTestId('assignee').getByText('analyst@tenant-console').waitFor();
    await page.getByRole('textbox', { name: 'Note' }).fill('importer asked for the supplier declaration');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.getByTestId('history').locator('li', { hasText: 'importer asked for the supplier declaration' }).waitFor();
    // The C17's correction route is a C2001: the reporting service drafts it from here.
    await page.getByRole('button', { name: `Draft a C2001 for ${top.importerEori}` }).click();
    const drafted = page.getByTestId('draft');
    await drafted.getByText(/to disclose/).waitFor();
    const draftId = /Draft (c2001-\S+)/.exec((await drafted.textContent())!)![1]!;
    const stored = await fetch(`${reporting.httpUrl}/v1/drafts/${draftId}`, { headers: { authorization: `Bearer ${p.tokens.analyst}` } });
    expect(stored.status).toBe(200);
    expect((await stored.json()).draft).toMatchObject({ kind: 'c2001', createdBy: 'analyst@tenant-console', scope: { importer: top.importerEori } });
    const doc = await page.request.get(`${server.url}/api/drafts/${draftId}/document?format=html`);
    expect(doc.status()).toBe(200);
    expect(doc.headers()['content-disposition']).toBe(`attachment; filename="${draftId}.html"`);
    // The service agrees: the change is in alerting's own history with the same actor.
    const h = (await p.http('alerting', 'GET', `/v1/alerts/${top.alertId}`)).body.history as any[];
    expect(h.find((x) => x.reason === 'checked the preference claim (console e2e)')).toMatchObject({ actor: 'analyst@tenant-console', to: 'acknowledged' });
  });

  it('saves a filter and applies it; bulk triage moves the selected alerts, recorded per alert', async () => {
    await page.goto(`${server.url}/#/alerts`);
    await page.getByTestId('queue').locator('tbody tr').first().waitFor();
    await page.getByLabel('Minimum severity').selectOption('high');
    await page.getByLabel('Save these filters as').fill('high and above');
    await page.getByRole('button', { name: 'Save filter' }).click();
    await page.getByLabel('Minimum severity').selectOption('');
    await page.getByRole('button', { name: 'high and above', exact: true }).click();
    await expect(page.getByLabel('Minimum severity').inputValue()).resolves.toBe('high');
    const rows = page.getByTestId('queue').locator('tbody tr');
    await page
      .getByTestId('queue-summary')
      .getByText(/^\d+ alerts/)
      .waitFor();
    // The summary line is there before the filtered page replaces the rows: wait for the rows.
    const severities = await waitFor('only high and critical rows', async () => {
      const shown = await rows.locator('td:nth-child(2)').allTextContents();
      return shown.length > 0 && shown.every((s) => s === 'high' || s === 'critical') ? shown : undefined;
    });
    expect(severities.every((s) => s === 'high' || s === 'critical')).toBe(true);

    const ids = (await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-alert-id')!))).filter((id) => id).slice(1, 3);
    for (const id of ids) await page.getByLabel(`Select alert ${id}`).check();
    const bulk = page.getByRole('form', { name: 'Bulk triage' });
    await bulk.getByLabel('Move to').selectOption('in_progress');
    await bulk.getByLabel('Reason').fill('bulk: same supplier, one review (console e2e)');
    await bulk.getByRole('button', { name: /Apply to 2/ }).click();
    await page.getByText('2 alert(s) moved to in progress').waitFor();
    for (const id of ids) {
      const h = (await p.http('alerting', 'GET', `/v1/alerts/${id}`)).body;
      expect(h.alert.statusName).toBe('in_progress');
      expect(h.history.find((x: any) => x.reason === 'bulk: same supplier, one review (console e2e)')).toMatchObject({ actor: 'analyst@tenant-console' });
    }
    await page.getByLabel('Minimum severity').selectOption('');
  });

  it('shows the declaration with versions, items, tax lines and findings', async () => {
    await page.goto(`${server.url}/#/declarations/${declOf.im117}`);
    await page.getByRole('heading', { name: 'Versions' }).waitFor();
    await page.getByRole('heading', { name: /All findings/ }).waitFor();
    expect(await page.locator('article').textContent()).toContain('C17');
    // The tariff the line is judged against, from reference on the acceptance date.
    expect(await page.getByTestId('tariff').first().textContent()).toMatch(/third-country duty \S+%/);
    await shot('declaration');
    await axe('declaration');
  });

  it('a freshly submitted declaration’s alert appears in the open queue without a reload', async () => {
    await page.goto(`${server.url}/#/alerts`);
    await page.getByTestId('queue').locator('tbody tr').first().waitFor();
    await page.getByTestId('live-status').getByText('live').waitFor();
    const marker = await page.evaluate(() => ((window as any).__noReload = Math.random()));
    const decl = await submit('TT_IM038a/Step1_TT_IM038a.xml');
    const alertId = await waitFor('the new alert over REST', async () => (await alertsOf(p.tokens.analyst)).find((a) => a.declarationId === decl)?.alertId, { timeoutMs: 90_000 });
    const row = page.locator(`tr[data-alert-id="${alertId}"]`);
    await row.waitFor({ timeout: 60_000 });
    expect(await row.textContent()).toContain('new');
    expect(await page.evaluate(() => (window as any).__noReload)).toBe(marker);
    await shot('alert-queue-live');
  });

  it('the relayed stream resumes exactly after Last-Event-ID (no gap, no repeat)', async () => {
    const { first, after } = await page.evaluate(async () => {
      const read = async (last: string) => {
        const ac = new AbortController();
        const r = await fetch('/api/stream', { headers: { 'last-event-id': last }, signal: ac.signal });
        const reader = r.body!.getReader();
        const dec = new TextDecoder();
        let text = '';
        while ((text.match(/^id: \d+$/gm) ?? []).length < 2) {
          const { value, done } = await reader.read();
          if (done) break;
          text += dec.decode(value);
        }
        ac.abort();
        return [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
      };
      const first = await read('0');
      return { first, after: await read(String(first[0])) };
    });
    expect(first.length).toBeGreaterThanOrEqual(2);
    expect(after[0]).toBe(first[1]);
  });

  it('never shows another tenant’s alert', async () => {
    expect(await page.locator(`tr[data-alert-id="${otherAlertId}"]`).count()).toBe(0);
    const listed = await page.evaluate(async () => (await (await fetch('/api/alerts?limit=1000&state=')).json()).alerts.map((a: any) => a.tenantId));
    expect(new Set(listed)).toEqual(new Set(['tenant-console']));
    await page.goto(`${server.url}/#/alerts/${otherAlertId}`);
    await page.getByRole('alert').getByText(`no alert ${otherAlertId}`).waitFor();
  });

  it('an analyst has no admin view and the admin and submit calls are refused; state changes need the CSRF header', async () => {
    await page.goto(`${server.url}/#/alerts`);
    await page.getByRole('heading', { name: 'Alert queue' }).waitFor();
    expect(await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Admin' }).count()).toBe(0);
    await page.goto(`${server.url}/#/admin`);
    await page.getByText('Admin actions need the admin role').waitFor();
    const statuses = await page.evaluate(async () => {
      const { csrf } = await (await fetch('/api/session')).json();
      const h = { 'content-type': 'application/json', 'x-csrf-token': csrf };
      const admin = await fetch('/api/admin/alert-rules/AR-001/settings', { method: 'PUT', headers: h, body: JSON.stringify({ enabled: false }) });
      const upload = await fetch('/api/documents?filename=x.xml', { method: 'POST', headers: { ...h, 'content-type': 'application/xml' }, body: '<x/>' });
      const noCsrf = await fetch('/api/alerts/bulk-transition', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ alertIds: ['a'], to: 'acknowledged', reason: 'x' }),
      });
      return [admin.status, upload.status, noCsrf.status];
    });
    expect(statuses).toEqual([403, 403, 403]);
    // With the right CSRF token but from another origin, state changes and sign-in are refused.
    const { csrf } = await (await page.request.get(`${server.url}/api/session`)).json();
    const foreign = await page.request.post(`${server.url}/api/alerts/bulk-transition`, {
      headers: { origin: 'https://evil.example', 'x-csrf-token': csrf },
      data: { alertIds: ['a'], to: 'acknowledged', reason: 'x' },
    });
    expect(foreign.status()).toBe(403);
    const foreignSignIn = await page.request.post(`${server.url}/api/session`, { headers: { origin: 'https://evil.example' }, data: { token: p.tokens.analyst } });
    expect(foreignSignIn.status()).toBe(403);
    // alerting itself still has the rule enabled
    const rule = (await p.http('alerting', 'GET', '/v1/alert-rules/AR-001')).body.rule;
    expect(rule.enabled).toBe(true);
  });

  it('an integrator lands on ingestion health and is offered no alert views', async () => {
    const ctx = await browser.newContext();
    const integrator = await signIn(ctx, p.tokens.integrator, 'Ingestion health');
    const nav = integrator.getByRole('navigation', { name: 'Views' });
    expect(await nav.getByRole('link', { name: 'Alert queue' }).count()).toBe(0);
    await integrator.getByLabel('Corrected file').waitFor();
    await integrator.goto(`${server.url}/#/alerts`);
    await integrator.getByRole('alert').getByText('Your role (integrator) cannot open this view.').waitFor();
    // Signing out ends the session on the server: the cookie it had opens nothing any more.
    const cookie = (await ctx.cookies()).find((c) => c.name === COOKIE)!.value;
    await integrator.getByRole('button', { name: 'Sign out' }).click();
    await integrator.getByLabel('API token').waitFor();
    const after = await fetch(`${server.url}/api/batches`, { headers: { cookie: `${COOKIE}=${cookie}` } });
    expect(after.status).toBe(401);
    await ctx.close();
  });

  it('renders deadlines, brokers, readiness and ingestion views (screenshots, axe)', async () => {
    await page.goto(`${server.url}/#/deadlines`);
    await page.getByTestId('bucket-180').waitFor();
    await shot('deadlines');
    await axe('deadlines');

    // The samples are self-represented (declarant = importer): scoring's "SELF" scorecard drills
    // down to the lines behind its errors, TT_IM030a's priced C18 among them.
    await waitFor('the SELF scorecard', async () => (await p.http('scoring', 'GET', '/v1/scorecards/brokers')).body.scorecards?.some((c: any) => c.agentId === 'SELF'));
    await page.goto(`${server.url}/#/brokers`);
    await page.getByRole('heading', { name: /Brokers/ }).waitFor();
    await page.getByRole('button', { name: 'SELF', exact: true }).click();
    await page.getByTestId('broker-lines').getByRole('cell', { name: 'C18', exact: true }).first().waitFor();
    await shot('brokers');
    await axe('brokers');
    // A broker's alerts open in the queue with its filter set (a link into the queue's filters).
    const broker = (await alertsOf(p.tokens.analyst)).find((a) => a.declarationId === declOf.im030)!.declarantId;
    await page.goto(`${server.url}/#/alerts?broker=${broker}&state=`);
    await expect(page.getByLabel('Broker EORI').inputValue()).resolves.toBe(broker);
    await page.locator(`tr[data-alert-id]`).first().waitFor();
    const brokers = await page.locator('tbody tr td:nth-child(9)').allTextContents();
    expect(new Set(brokers)).toEqual(new Set([broker]));

    await page.goto(`${server.url}/#/overview`);
    await page.getByRole('heading', { name: 'Top open risks in £' }).waitFor();
    await shot('overview');
    await axe('overview');

    await page.goto(`${server.url}/#/ingestion`);
    await page.getByTestId('batches').waitFor();
    await page.getByTestId('batches').getByRole('link', { name: 'broken.xml' }).click();
    // The rejection's precise issue, as ingestion recorded it, is on the page.
    const issue = (await p.http('ingestion', 'GET', `/v1/batches/${badBatch}`)).body.issues[0];
    const detail = page.getByTestId('batch-detail');
    await detail.getByRole('cell', { name: issue.code, exact: true }).waitFor();
    expect(await detail.textContent()).toContain(issue.reason);
    await shot('ingestion');
    await axe('ingestion');
  });

  it('an admin sees the admin view and re-uploads a document from the ingestion view; every page so far kept to the CSP', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const admin = await signIn(ctx, p.tokens.admin);
    await admin.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Admin' }).click();
    await admin.getByRole('button', { name: 'Disable AR-001' }).waitFor();
    const prev = page;
    page = admin;
    await shot('admin');
    await axe('admin');
    // Re-upload from the ingestion view (admin may submit): the file becomes a new batch.
    await admin.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Ingestion health' }).click();
    await admin.getByLabel('Corrected file').setInputFiles({ name: 'TT_FI005b.xml', mimeType: 'text/xml', buffer: sample('TT_FI005b/TT_FI005b.xml') });
    await admin.getByRole('button', { name: 'Re-upload' }).click();
    const result = admin.getByTestId('upload-result');
    await result.getByText(/TT_FI005b\.xml: accepted, batch /).waitFor();
    const batchId = /batch ([0-9a-f-]{36})/.exec((await result.textContent())!)![1];
    expect((await p.http('ingestion', 'GET', `/v1/batches/${batchId}`)).body.batch).toMatchObject({ status: 'accepted', source_name: 'TT_FI005b.xml' });
    page = prev;
    await ctx.close();
    expect(cspViolations).toEqual([]);
  });
});
