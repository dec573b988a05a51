import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadFacts, worldFor } from '@customs/datagen';
import { generatedTariffFiles } from '@customs/datagen/dist/ott-dataset';
import type { RunningService } from '@customs/service';
import { REPO_ROOT, waitFor } from '../src';
import { startPlatform, type Platform } from './harness';
import { loadConfig as reportingConfig } from '../../../services/reporting/src/config';
import { startReportingService } from '../../../services/reporting/src/service';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const lq = require('../../../scripts/live-quality') as {
  regenerate(summary: { seed: number; declarations: number }): { declaration: { declarationId: string; lrn: string } }[];
  cdsReports(generated: unknown[]): { header: string; items: string; taxes: string };
};

/**
 * Issue 17 item 1 (cursor pages with a `next` link on every list, CSV of every list an auditor
 * wants), through the real services (HTTP, Postgres, Kafka) and reporting: a generated history
 * goes in, alerts, scores and findings come out, and the test adds exceptions, rule settings,
 * alert history, cases, drafts and board reports. Then, for every list route: walking it with
 * limit=2 along `next` until null gives exactly the one-page answer, in order, without a repeat;
 * its CSV has a header row and the same rows in the same order; a forged cursor is a 400 problem
 * naming `cursor`. Reporting's OpenAPI document is written for the lint (scripts/openapi-lint.mjs).
 */
const SEED = 20261203;

/** RFC 4180 records (quoted fields with "" escapes and line breaks, CRLF or LF). */
function parse(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length) rows.push([...row, field]);
  return rows;
}

describe('every list: cursor pages, next links, CSV, forged cursors', () => {
  let p: Platform;
  let reporting: RunningService;
  type Svc = keyof Platform['services'] | 'reporting';
  const base = (s: Svc) => (s === 'reporting' ? reporting.httpUrl : p.services[s].httpUrl);
  const call = async (s: Svc, method: string, url: string, opts: { body?: unknown; accept?: string } = {}) => {
    const res = await fetch(`${base(s)}${url}`, {
      method,
      headers: {
        authorization: `Bearer ${p.tokens.admin}`,
        ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(opts.accept ? { accept: opts.accept } : {}),
      },
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    let body: any;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    return { status: res.status, headers: res.headers, body, text };
  };
  let alertId = '';
  let importer = '';

  beforeAll(async () => {
    p = await startPlatform('listpages');
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
        INGESTION_URL: p.services.ingestion.httpUrl,
        ALERTING_URL: p.services.alerting.httpUrl,
        SCORING_URL: p.services.scoring.httpUrl,
      }),
    );
    const facts = loadFacts();
    const tariff = generatedTariffFiles(worldFor(SEED, undefined, facts), facts);
    for (const [name, body] of [
      ['ott-generated-geographical-areas.json', tariff.geographicalAreas],
      ['ott-generated-tariff.csv', tariff.report],
    ] as const) {
      const r = await fetch(`${p.services.reference.httpUrl}/v1/admin/ott-loads?source=${name}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${p.tokens.service}`, 'content-type': 'application/octet-stream' },
        body,
      });
      expect([r.status, name]).toEqual([201, name]);
    }
    const cds = lq.cdsReports(lq.regenerate({ seed: SEED, declarations: 60 }));
    const form = new FormData();
    form.append('format', 'cds-report');
    form.append('files', new Blob([cds.header]), 'import-header.csv');
    form.append('files', new Blob([cds.taxes]), 'import-taxline.csv');
    form.append('files', new Blob([cds.items]), 'import-item.csv');
    const up = await fetch(`${p.services.ingestion.httpUrl}/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${p.tokens.integrator}` }, body: form });
    expect(up.status).toBeLessThan(300);
    const ids = ((await up.json()) as { files: { declarations: { declarationId: string }[] }[] }).files.flatMap((f) => f.declarations.map((d) => d.declarationId));
    // Every declaration scored, and alerting has raised its alerts, before the lists are read.
    await waitFor(`scores of ${ids.length} declarations`, async () => ((await call('scoring', 'GET', '/v1/scores/declaration?limit=500')).body?.scores?.length >= ids.length ? true : undefined), {
      timeoutMs: 180_000,
      intervalMs: 1000,
    });
    await waitFor('at least 5 alerts', async () => ((await call('alerting', 'GET', '/v1/alerts?limit=1000')).body?.alerts?.length >= 5 ? true : undefined), { timeoutMs: 120_000, intervalMs: 1000 });
    const alerts = (await call('alerting', 'GET', '/v1/alerts?limit=1000')).body.alerts as { alertId: string; importerEori: string }[];
    alertId = alerts[0]!.alertId;
    importer = alerts.find((a) => a.importerEori)?.importerEori ?? '';
    expect(importer).not.toBe('');

    // The writes behind the other lists (and each service's audit trail): refused documents are
    // batches too; approved agents are scoring's audited write.
    for (const f of ['two', 'three', 'four']) expect((await p.http('ingestion', 'POST', `/v1/documents?filename=${f}&format=pdf`, 'x', { token: p.tokens.integrator })).status).toBe(400);
    for (const agents of [['GBAGENT0001'], ['GBAGENT0001', 'GBAGENT0002'], []])
      expect((await call('scoring', 'PUT', `/v1/importers/${importer}/approved-agents`, { body: { agents } })).status).toBe(200);
    for (const text of ['first look', 'asked the broker', 'broker answered', 'closing note'])
      expect((await call('alerting', 'POST', `/v1/alerts/${alertId}/notes`, { body: { text } })).status).toBe(200);
    const expiresAt = new Date(Date.now() + 30 * 86_400_000).toISOString();
    for (const owner of ['ann', 'bob', 'cyd', 'dee', 'eve'])
      expect(
        (await call('alerting', 'POST', '/v1/alert-exceptions', { body: { scope: { importer: `GB${owner.toUpperCase()}0001` }, owner, reason: `known supplier of ${owner}`, expiresAt } })).status,
      ).toBe(201);
    const rule = (await call('alerting', 'GET', '/v1/alert-rules')).body.rules[0] as { id: string };
    for (const enabled of [false, true, false, true]) expect((await call('alerting', 'PUT', `/v1/alert-rules/${rule.id}/settings`, { body: { enabled } })).status).toBe(200);
    expect((await call('reporting', 'PUT', '/v1/settings', { body: { vatRegistered: false } })).status).toBe(200);
    for (const kind of ['c285', 'c2001', 'c285', 'c2001', 'c285']) expect((await call('reporting', 'POST', '/v1/drafts', { body: { kind } })).status).toBe(201);
    for (let i = 0; i < 5; i++) expect((await call('reporting', 'POST', '/v1/reports', { body: { importer } })).status).toBe(201);
    for (const title of ['letter one', 'letter two', 'letter three', 'letter four', 'letter five'])
      expect(
        (await call('reporting', 'POST', '/v1/cases', { body: { trigger: 'pre_c18_right_to_be_heard', title, letterDate: '2024-09-20', owner: 'sam@importer', scope: { importer } } })).status,
      ).toBe(201);
  }, 420_000);
  afterAll(async () => {
    await reporting?.stop();
    await p?.stop();
  });

  it('reporting serves its OpenAPI document (linted by scripts/openapi-lint.mjs)', async () => {
    const doc = await fetch(`${reporting.httpUrl}/openapi.json`);
    expect(doc.status).toBe(200);
    const body = (await doc.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(body.openapi).toBe('3.1.0');
    expect(Object.keys(body.paths)).toEqual(expect.arrayContaining(['/v1/drafts', '/v1/cases', '/v1/reports']));
    fs.mkdirSync(path.join(REPO_ROOT, '.run/openapi'), { recursive: true });
    fs.writeFileSync(path.join(REPO_ROOT, '.run/openapi/reporting.json'), JSON.stringify(body, null, 2));
  });

  // [service, list path (with its filters), the page's key, a row's identity, max limit, CSV: the
  // identity's column or '' when the list has no CSV]
  type Row = Record<string, any>;
  const lists: [Svc, string, string, (r: Row) => string, number, string][] = [
    ['scoring', '/v1/scores/declaration', 'scores', (r) => r.entityId, 500, 'entity_id'],
    ['scoring', '/v1/scores/importer', 'scores', (r) => r.entityId, 500, 'entity_id'],
    ['scoring', '/v1/scores/broker', 'scores', (r) => r.entityId, 500, 'entity_id'],
    ['scoring', '/v1/history-findings', 'findings', (r) => r.findingId, 1000, 'finding_id'],
    ['scoring', '/v1/scorecards/brokers', 'scorecards', (r) => r.agentId, 1000, 'agent_id'],
    ['scoring', '/v1/admin/audit', 'entries', (r) => String(r.id), 1000, 'id'],
    ['alerting', '/v1/alerts', 'alerts', (r) => r.alertId, 1000, 'alert_id'],
    ['alerting', '/v1/alerts?sort=money', 'alerts', (r) => r.alertId, 1000, 'alert_id'],
    ['alerting', '/v1/alerts?sort=deadline', 'alerts', (r) => r.alertId, 1000, 'alert_id'],
    ['alerting', 'ALERT_HISTORY', 'history', (r) => String(r.cursor), 1000, 'cursor'],
    ['alerting', '/v1/alert-settings/audit', 'entries', (r) => String(r.id), 1000, 'id'],
    ['alerting', '/v1/alert-exceptions', 'exceptions', (r) => r.id, 1000, 'id'],
    ['alerting', '/v1/admin/audit', 'entries', (r) => String(r.id), 1000, 'id'],
    ['ingestion', '/v1/batches', 'batches', (r) => r.batch_id, 500, 'batch_id'],
    ['ingestion', '/v1/admin/audit', 'entries', (r) => String(r.id), 1000, 'id'],
    ['reporting', '/v1/drafts', 'drafts', (r) => r.draftId, 500, ''],
    ['reporting', '/v1/reports', 'reports', (r) => r.reportId, 500, ''],
    ['reporting', '/v1/cases', 'cases', (r) => r.case.caseId, 200, 'case_id'],
    ['reporting', '/v1/admin/audit', 'entries', (r) => String(r.id), 1000, 'id'],
  ];
  // The history rules raise nothing on a 60-declaration generated history: the history findings
  // list is walked by the history-quality e2e (offset and cursor), its refusal of forged cursors here.
  const walked = lists.filter((l) => l[1] !== '/v1/history-findings');
  const pathOf = (p0: string) => (p0 === 'ALERT_HISTORY' ? `/v1/alerts/${alertId}/history` : p0);
  const withQuery = (p0: string, q: string) => `${p0}${p0.includes('?') ? '&' : '?'}${q}`;

  it.each(walked)('%s %s: limit=2 pages along `next` give the whole list once, in order', async (service, p0, key, idOf, max) => {
    const url = pathOf(p0);
    const all = await call(service, 'GET', withQuery(url, `limit=${max}`));
    expect(all.status).toBe(200);
    expect(all.body.next).toBeNull();
    const full = (all.body[key] as Row[]).map(idOf);
    // Enough rows for several pages: pages of 2, or of 1 where the generated history makes only
    // two (a month's broker scorecards).
    expect(full.length).toBeGreaterThanOrEqual(2);
    const size = full.length >= 3 ? 2 : 1;
    const seen: string[] = [];
    let next: string | null = withQuery(url, `limit=${size}`);
    let pages = 0;
    while (next) {
      const r = await call(service, 'GET', next);
      expect(r.status).toBe(200);
      expect(r.body[key].length).toBeLessThanOrEqual(size);
      seen.push(...(r.body[key] as Row[]).map(idOf));
      if (r.body.next) expect(r.headers.get('link')).toBe(`<${r.body.next}>; rel="next"`);
      next = r.body.next;
      pages++;
      expect(pages).toBeLessThanOrEqual(full.length); // no endless walk
    }
    expect(seen).toEqual(full);
    expect(new Set(seen).size).toBe(seen.length);
    expect(pages).toBe(Math.ceil(full.length / size)); // each page looks one row ahead: no empty last page
  });

  it.each(walked.filter((l) => l[5] !== ''))('%s %s: Accept: text/csv has a header row and the same rows', async (service, p0, key, idOf, max, column) => {
    const url = withQuery(pathOf(p0), `limit=${max}`);
    const json = await call(service, 'GET', url);
    const csv = await call(service, 'GET', url, { accept: 'text/csv' });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-disposition')).toMatch(/^attachment; filename="[^"]+\.csv"$/);
    const rows = parse(csv.text);
    const header = rows[0]!;
    expect(header).toContain(column);
    expect(rows.slice(1).map((r) => r[header.indexOf(column)])).toEqual((json.body[key] as Row[]).map(idOf));
    // A page of one downloads one row and names the next page in a Link header.
    expect(rows.length).toBeGreaterThanOrEqual(3);
    const one = await call(service, 'GET', withQuery(pathOf(p0), 'limit=1'), { accept: 'text/csv' });
    expect(parse(one.text)).toEqual(rows.slice(0, 2));
    expect(one.headers.get('link')).toMatch(/^<\/v1\/[^>]+cursor=[^>]+>; rel="next"$/);
  });

  it.each(lists)('%s %s: a forged cursor is a 400 problem naming cursor', async (service, p0) => {
    // base64url of ["forged"]: well-formed, but no key this list made.
    for (const forged of ['WyJmb3JnZWQiXQ', 'not-a-cursor', '1x']) {
      const r = await call(service, 'GET', withQuery(pathOf(p0), `cursor=${forged}`));
      expect(r.status).toBe(400);
      expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const named = r.body.details?.parameter === 'cursor' || (r.body.errors ?? []).some((e: { name: string }) => e.name === 'cursor');
      expect({ code: r.body.error, named, detail: r.body.detail }).toEqual({ code: expect.stringMatching(/^invalid_(cursor|request)$/), named: true, detail: expect.stringContaining('cursor') });
    }
  });

  it('the findings feed pages along `next` while a page is full and keeps nextCursor as the poll position', async () => {
    const all = await call('alerting', 'GET', '/v1/findings-feed?limit=1000');
    const full = (all.body.findings as { cursor: number }[]).map((f) => f.cursor);
    expect(full.length).toBeGreaterThanOrEqual(3);
    expect(all.body.next).toBeNull();
    expect(all.body.nextCursor).toBe(full.at(-1));
    const seen: number[] = [];
    let next: string | null = '/v1/findings-feed?limit=2';
    while (next) {
      const r = await call('alerting', 'GET', next);
      seen.push(...(r.body.findings as { cursor: number }[]).map((f) => f.cursor));
      next = r.body.next;
    }
    expect(seen).toEqual(full);
    const csv = await call('alerting', 'GET', '/v1/findings-feed?limit=1000', { accept: 'text/csv' });
    const rows = parse(csv.text);
    expect(rows[0]).toEqual(expect.arrayContaining(['cursor', 'finding_id', 'rule_id']));
    expect(rows.slice(1).map((r) => Number(r[0]))).toEqual(full);
  });
});
