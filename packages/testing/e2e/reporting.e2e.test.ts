import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type ReportPublished, Topics } from '@customs/contracts';
import { loadFacts, worldFor } from '@customs/datagen';
import { generatedTariffFiles } from '@customs/datagen/dist/ott-dataset';
import { readFirstSheet } from '@customs/spreadsheet';
import type { RunningService } from '@customs/service';
import { waitFor } from '../src';
import { startPlatform, type Platform } from './harness';
import { loadConfig as reportingConfig } from '../../../services/reporting/src/config';
import { startReportingService } from '../../../services/reporting/src/service';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const lq = require('../../../scripts/live-quality') as {
  regenerate(summary: { seed: number; declarations: number }): { declaration: { declarationId: string; lrn: string } }[];
  cdsReports(generated: unknown[]): { header: string; items: string; taxes: string };
};

// Reporting through the real platform: a generated history goes in through ingestion, validation
// prices it against reference, alerting publishes the findings on its feed, and reporting drafts
// the C285 and the C2001 from that feed alone (its own schema and role, no other database).
// The totals are re-derived here from the same feed page range (up to the draft's recorded cursor).
const SEED = 20261127;
// The first 80 declarations of the history were accepted in 2021: on this day some are past their
// 3-year limit and some are not, so both sides of the time bar are exercised.
const NOW = new Date('2024-10-01T12:00:00Z');

const OTHER_TOKEN = `other-tenant-${randomBytes(12).toString('hex')}`;
const OTHER = `${OTHER_TOKEN}=tenant-other:analyst`;

interface FeedFinding {
  findingId: string;
  reclaimDutyPence?: number;
  reclaimVatPence?: number;
  exposureDutyPence?: number;
  exposureVatPence?: number;
  deadline?: string;
}

describe('reporting drafts from the running services', () => {
  let p: Platform;
  let reporting: RunningService;
  const rep = async (method: string, path: string, body?: unknown, token = p.tokens.analyst) => {
    const r = await fetch(`${reporting.httpUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, text, body: r.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined };
  };
  /** The live findings of the feed up to a cursor, as reporting folds it. */
  const feedUpTo = async (cursor: number) => {
    const live = new Map<string, FeedFinding>();
    let after = 0;
    for (;;) {
      const page = (await p.http('alerting', 'GET', `/v1/findings-feed?after_cursor=${after}&limit=1000`)).body as { findings: { cursor: number; change: string; finding: FeedFinding }[] };
      for (const e of page.findings) {
        if (Number(e.cursor) > cursor) return [...live.values()];
        if (e.change === 'withdrawn') live.delete(e.finding.findingId);
        else live.set(e.finding.findingId, e.finding);
      }
      if (page.findings.length < 1000) return [...live.values()];
      after = Number(page.findings.at(-1)!.cursor);
    }
  };

  beforeAll(async () => {
    p = await startPlatform('reporting', { extraTokens: OTHER });
    reporting = await startReportingService(
      reportingConfig({
        DATABASE_URL: p.db.urlFor('reporting'),
        KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
        KAFKA_TOPIC_PREFIX: p.kafka.physical(''),
        HTTP_PORT: '0',
        GRPC_PORT: '0',
        API_TOKENS: `${p.tokens.spec},${OTHER}`,
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
        SHUTDOWN_TIMEOUT_MS: '5000',
        INGESTION_URL: p.services.ingestion.httpUrl,
        ALERTING_URL: p.services.alerting.httpUrl,
        SCORING_URL: p.services.scoring.httpUrl,
      }),
      { clock: { now: () => NOW } },
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
    const generated = lq.regenerate({ seed: SEED, declarations: 80 });
    const cds = lq.cdsReports(generated);
    const form = new FormData();
    form.append('format', 'cds-report');
    form.append('files', new Blob([cds.header]), 'import-header.csv');
    form.append('files', new Blob([cds.taxes]), 'import-taxline.csv');
    form.append('files', new Blob([cds.items]), 'import-item.csv');
    const up = await fetch(`${p.services.ingestion.httpUrl}/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${p.tokens.integrator}` }, body: form });
    expect(up.status).toBeLessThan(300);
    const upload = (await up.json()) as { files: { declarations: { declarationId: string }[] }[] };
    const ids = upload.files.flatMap((f) => f.declarations.map((d) => d.declarationId));
    const validationIds = new Set<string>();
    for (const id of ids) {
      await waitFor(`checks of ${id}`, async () => ((await p.http('validation', 'GET', `/v1/declarations/${id}/checks`)).status === 200 ? true : undefined), { timeoutMs: 120_000 });
      for (const f of (await p.http('validation', 'GET', `/v1/declarations/${id}/findings`)).body.findings as { findingId: string }[]) validationIds.add(f.findingId);
    }
    // Alerting has published every finding validation holds before the drafts are taken.
    await waitFor(
      'alerting feed to carry every validation finding',
      async () => {
        const seen = new Set((await feedUpTo(Number.MAX_SAFE_INTEGER)).map((f) => f.findingId));
        return [...validationIds].every((id) => seen.has(id));
      },
      { timeoutMs: 120_000, intervalMs: 1000 },
    );
  }, 300_000);
  afterAll(async () => {
    await reporting?.stop();
    await p?.stop();
  });

  it('refuses an unauthenticated call and a non-admin settings change', async () => {
    expect((await fetch(`${reporting.httpUrl}/v1/drafts`)).status).toBe(401);
    expect((await rep('PUT', '/v1/settings', { vatRegistered: false })).status).toBe(403);
  });

  it('drafts a C285 whose totals are the feed’s in-time reclaims to the penny, VAT included for a non-registered importer', async () => {
    expect((await rep('PUT', '/v1/settings', { vatRegistered: false }, p.tokens.admin)).status).toBe(200);
    const r = await rep('POST', '/v1/drafts', { kind: 'c285' });
    expect(r.status).toBe(201);
    const d = r.body.draft;
    const live = await feedUpTo(d.source.findingsFeedCursor);
    const today = NOW.toISOString().slice(0, 10);
    const inTime = live.filter((f) => (f.reclaimDutyPence ?? 0) + (f.reclaimVatPence ?? 0) > 0 && (f.deadline ?? '') >= today);
    expect(inTime.length).toBeGreaterThan(0);
    expect(d.content.totals.dutyPence).toBe(inTime.reduce((s, f) => s + (f.reclaimDutyPence ?? 0), 0));
    expect(d.content.totals.vatPence).toBe(inTime.reduce((s, f) => s + (f.reclaimVatPence ?? 0), 0));
    const barred = live.filter((f) => (f.reclaimDutyPence ?? 0) + (f.reclaimVatPence ?? 0) > 0 && (f.deadline ?? '') < today);
    expect(barred.length).toBeGreaterThan(0);
    expect(d.content.timeBarred.map((l: { findingId: string }) => l.findingId).sort()).toEqual(barred.map((f) => f.findingId).sort());
    const traced = d.content.claims.flatMap((c: { mrns: { findingIds: string[] }[] }) => c.mrns.flatMap((m) => m.findingIds)).sort();
    expect(traced).toEqual(inTime.map((f) => f.findingId).sort());
    for (const c of d.content.claims) expect(c.claimType === 'scheduled' || c.mrns.length <= 20).toBe(true);

    const html = await rep('GET', `/v1/drafts/${d.draftId}/document?format=html`);
    expect(html.status).toBe(200);
    expect(html.text).toContain('C285 repayment claims (draft)');
    expect(html.text).toContain(d.content.claims[0].basisOfClaim);
    const csv = await rep('GET', `/v1/drafts/${d.draftId}/document?format=csv`);
    expect(csv.text.trim().split('\n')).toHaveLength(1 + inTime.length);

    const listed = await rep('GET', '/v1/drafts?kind=c285');
    expect(listed.body.drafts.map((x: { draftId: string }) => x.draftId)).toContain(d.draftId);
    const events: { draftId: string; state: string; hmrcReference: string; findingIds: string[]; dutyPence: number }[] = [];
    const consumer = p.kafka.kafka.consumer({ groupId: `reporting-draft-test-${randomBytes(4).toString('hex')}` });
    await consumer.connect();
    await consumer.subscribe({ topic: p.kafka.physical(Topics.draftChanged.name), fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void events.push(Topics.draftChanged.codec.decode(message.value!)) });
    const submitted = await rep('POST', `/v1/drafts/${d.draftId}/submit`, { hmrcReference: 'NDRC-2026-0001' });
    expect(submitted.body.draft).toMatchObject({ state: 'submitted', hmrcReference: 'NDRC-2026-0001' });
    // The submission reaches alerting and scoring as an event naming the findings it covers.
    const ev = await waitFor('draft submitted event', async () => events.find((e) => e.draftId === d.draftId && e.state === 'submitted'));
    await consumer.disconnect();
    expect(ev).toMatchObject({ hmrcReference: 'NDRC-2026-0001', dutyPence: d.content.totals.dutyPence });
    expect([...ev.findingIds].sort()).toEqual(traced);
    expect((await rep('POST', `/v1/drafts/${d.draftId}/withdraw`, { reason: 'too late' })).status).toBe(409);
    const got = await rep('GET', `/v1/drafts/${d.draftId}`);
    expect(got.body.history.map((h: { action: string; actor: string }) => [h.action, h.actor])).toEqual([
      ['created', `analyst@${p.tenant}`],
      ['submitted', `analyst@${p.tenant}`],
    ]);
  });

  it('drafts a C2001 of the feed’s in-time underpayments and keeps another tenant out', async () => {
    const r = await rep('POST', '/v1/drafts', { kind: 'c2001' });
    expect(r.status).toBe(201);
    const d = r.body.draft;
    const live = await feedUpTo(d.source.findingsFeedCursor);
    const today = NOW.toISOString().slice(0, 10);
    const inTime = live.filter((f) => (f.exposureDutyPence ?? 0) + (f.exposureVatPence ?? 0) > 0 && (f.deadline ?? '') >= today);
    expect(inTime.length).toBeGreaterThan(0);
    const t = d.content.totals;
    expect(t.dutyOwedPence).toBe(inTime.reduce((s, f) => s + (f.exposureDutyPence ?? 0), 0));
    expect(t.vatOwedPence + t.postponedVatPence).toBe(inTime.reduce((s, f) => s + (f.exposureVatPence ?? 0), 0));
    expect(t.lineCount).toBe(inTime.length);
    const html = await rep('GET', `/v1/drafts/${d.draftId}/document`);
    expect(html.text).toContain('C2001 voluntary disclosure of underpayments (draft)');
    // Another tenant neither sees the draft nor lists it.
    expect((await rep('GET', `/v1/drafts/${d.draftId}`, undefined, OTHER_TOKEN)).status).toBe(404);
    expect((await rep('GET', '/v1/drafts', undefined, OTHER_TOKEN)).body.drafts).toEqual([]);
  });

  it('publishes a board report for the importer: figures from the feed to the penny, HTML and a PDF that reads back, an event, immutable versions', async () => {
    const received: ReportPublished[] = [];
    const consumer = p.kafka.kafka.consumer({ groupId: `reporting-test-${randomBytes(4).toString('hex')}` });
    await consumer.connect();
    await consumer.subscribe({ topic: p.kafka.physical(Topics.reportPublished.name), fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void received.push(Topics.reportPublished.codec.decode(message.value!)) });
    try {
      const all = await feedUpTo(Number.MAX_SAFE_INTEGER);
      const byImporter = new Map<string, number>();
      for (const f of all as (FeedFinding & { importerEori: string })[]) byImporter.set(f.importerEori, (byImporter.get(f.importerEori) ?? 0) + 1);
      const importer = [...byImporter.entries()].sort((a, b) => b[1] - a[1])[0]![0];

      // Auditor exports of the same data: findings as XLSX (read back with the platform's reader) and alerts as CSV.
      const xlsx = await fetch(`${reporting.httpUrl}/v1/exports/findings?format=xlsx&importer=${importer}`, { headers: { authorization: `Bearer ${p.tokens.analyst}` } });
      const sheet = readFirstSheet('findings.xlsx', Buffer.from(await xlsx.arrayBuffer()));
      expect(sheet.length).toBe(1 + (byImporter.get(importer) ?? 0));
      const alertsCsv = await rep('GET', `/v1/exports/alerts?format=csv&importer=${importer}`);
      expect(alertsCsv.status).toBe(200);
      expect(alertsCsv.text.split(/\r?\n/)[0]).toContain('Alert');

      const r = await rep('POST', '/v1/reports', { importer });
      expect(r.status).toBe(201);
      const report = r.body.report;
      const mine = (await feedUpTo(report.dataVersions.findingsFeedCursor)).filter((f) => (f as { importerEori: string }).importerEori === importer);
      expect(report.content.headline.exposureDutyPence).toBe(mine.reduce((s, f) => s + (f.exposureDutyPence ?? 0), 0));
      expect(report.content.headline.reclaimDutyPence).toBe(mine.reduce((s, f) => s + (f.reclaimDutyPence ?? 0), 0));
      expect(report.content.headline.findingCount).toBe(mine.length);
      expect(report.version).toBe(1);
      // The C285 submitted in the test above counts as claimed, for this importer's claims on it.
      let claimed = 0;
      for (const d of (await rep('GET', '/v1/drafts?kind=c285')).body.drafts.filter((x: { state: string }) => x.state === 'submitted')) {
        const full = (await rep('GET', `/v1/drafts/${d.draftId}`)).body.draft;
        for (const c of full.content.claims.filter((x: { importerEori: string }) => x.importerEori === importer)) claimed += c.totalDutyPence + c.totalVatPence;
      }
      expect(report.content.reclaimClaimedPence).toBe(claimed);

      const html = await rep('GET', `/v1/reports/${report.reportId}/document?format=html`);
      expect(html.text).toContain(`Customs risk — board report for ${importer}`);
      expect(html.text).toContain('<svg');
      const pdfRes = await fetch(`${reporting.httpUrl}/v1/reports/${report.reportId}/document?format=pdf`, { headers: { authorization: `Bearer ${p.tokens.analyst}` } });
      expect(pdfRes.headers.get('content-type')).toBe('application/pdf');
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'board-'));
      const file = path.join(dir, 'board.pdf');
      fs.writeFileSync(file, Buffer.from(await pdfRes.arrayBuffer()));
      const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
      fs.rmSync(dir, { recursive: true, force: true });
      const gbp = (pence: number) => `£${Math.floor(pence / 100).toLocaleString('en-GB')}.${String(pence % 100).padStart(2, '0')}`;
      const h = report.content.headline;
      expect(text).toContain(`board report for ${importer}`);
      expect(text).toContain('Exposure found');
      expect(text).toContain(gbp(h.exposureDutyPence + h.exposureVatPence));
      expect(text).toContain(gbp(h.reclaimDutyPence + h.reclaimVatPence));
      expect(text).toContain('Top 10 risks');
      expect(text).toContain('Broker league table');

      await waitFor('report.published event', async () => received.find((e) => e.reportId === report.reportId));
      const ev = received.find((e) => e.reportId === report.reportId)!;
      expect(ev).toMatchObject({ tenantId: p.tenant, importerEori: importer, version: 1, kind: 'board', trigger: 'api', exposurePence: h.exposureDutyPence + h.exposureVatPence });

      // A second request is a new version compared with the first; the first stays as it was.
      const second = (await rep('POST', '/v1/reports', { importer })).body.report;
      expect(second.version).toBe(2);
      expect(second.content.changes.previousReportId).toBe(report.reportId);
      expect((await rep('GET', `/v1/reports/${report.reportId}`)).body.report.content).toEqual(report.content);
      expect((await rep('GET', `/v1/reports?importer=${importer}`)).body.reports.map((x: { version: number }) => x.version)).toEqual([2, 1]);
      expect((await rep('GET', `/v1/reports/${report.reportId}`, undefined, OTHER_TOKEN)).status).toBe(404);
    } finally {
      await consumer.disconnect();
    }
  });

  it('opens a case from a right-to-be-heard letter: 30-day clock, playbook checklist with assigned owners, events for alerting, and an audit-response pack', async () => {
    const received: { caseId: string; state: string; deadlines: { kind: string; name: string; due: string; person: string }[] }[] = [];
    const consumer = p.kafka.kafka.consumer({ groupId: `reporting-case-test-${randomBytes(4).toString('hex')}` });
    await consumer.connect();
    await consumer.subscribe({ topic: p.kafka.physical(Topics.caseChanged.name), fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void received.push(Topics.caseChanged.codec.decode(message.value!)) });
    try {
      expect((await rep('PUT', '/v1/role-assignments/customs-lead', { person: 'sam@importer' })).status).toBe(403);
      expect((await rep('PUT', '/v1/role-assignments/customs-lead', { person: 'sam@importer' }, p.tokens.admin)).status).toBe(200);
      expect((await rep('PUT', '/v1/role-assignments/finance-director', { person: 'cfo@importer' }, p.tokens.admin)).status).toBe(200);
      const all = (await feedUpTo(Number.MAX_SAFE_INTEGER)) as (FeedFinding & { importerEori: string; acceptanceDate: string; declarationId: string })[];
      const importer = all[0]!.importerEori;
      const opened = await rep('POST', '/v1/cases', {
        trigger: 'pre_c18_right_to_be_heard',
        title: 'HMRC pre-C18 letter on 2021 preference claims',
        letterDate: '2024-09-20',
        owner: 'sam@importer',
        scope: { importer, acceptedFrom: '2021-01-01', acceptedTo: '2021-12-31' },
      });
      expect(opened.status).toBe(201);
      const caseId = opened.body.case.caseId;
      expect(opened.body.clocks.find((c: { name: string }) => c.name === 'reply to HMRC')).toMatchObject({ due: '2024-10-20', daysLeft: 19 });
      // The earliest entry in scope (2021-01-01) is past HMRC's normal 3-year limit on this day.
      expect(opened.body.clocks.find((c: { name: string }) => c.name.startsWith("HMRC's normal limit"))).toMatchObject({ due: '2024-01-01', daysLeft: -274 });
      expect(opened.body.checklist.find((i: { stepId: string }) => i.stepId === 'log-letter')).toMatchObject({
        responsible: { role: 'customs-lead', person: 'sam@importer' },
        accountable: { role: 'finance-director', person: 'cfo@importer' },
      });

      const done = await rep('POST', `/v1/cases/${caseId}/steps/log-letter/done`, { note: 'logged' });
      expect(done.body.checklist.find((i: { stepId: string }) => i.stepId === 'log-letter').done).toBe(true);
      expect((await rep('POST', `/v1/cases/${caseId}/steps/no-such-step/done`, {})).status).toBe(400);

      await waitFor('two case events', async () => received.filter((e) => e.caseId === caseId).length >= 2);
      const last = received.filter((e) => e.caseId === caseId).at(-1)!;
      expect(last.deadlines.find((d) => d.name === 'reply to HMRC')).toMatchObject({ kind: 'clock', due: '2024-10-20', person: 'sam@importer' });
      expect(last.deadlines.map((d) => d.name)).not.toContain("Log the letter, its date and HMRC's contact; open this case");

      const res = await fetch(`${reporting.httpUrl}/v1/cases/${caseId}/pack`, { headers: { authorization: `Bearer ${p.tokens.analyst}` } });
      expect(res.headers.get('content-type')).toBe('application/zip');
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pack-'));
      const zip = path.join(dir, 'pack.zip');
      fs.writeFileSync(zip, Buffer.from(await res.arrayBuffer()));
      execFileSync('unzip', ['-q', zip, '-d', path.join(dir, 'x')]);
      const x = (f: string) => path.join(dir, 'x', f);
      const inScope = all.filter((f) => f.importerEori === importer && f.acceptanceDate >= '2021-01-01' && f.acceptanceDate <= '2021-12-31');
      expect(inScope.length).toBeGreaterThan(0);
      expect(fs.readFileSync(x('findings.csv'), 'utf8').trim().split('\n').length).toBeGreaterThanOrEqual(1 + inScope.length);
      expect(
        JSON.parse(fs.readFileSync(x('findings.json'), 'utf8'))
          .map((f: { findingId: string }) => f.findingId)
          .sort(),
      ).toEqual(inScope.map((f) => f.findingId).sort());
      for (const id of new Set(inScope.map((f) => f.declarationId))) expect(JSON.parse(fs.readFileSync(x(`declarations/${id}.json`), 'utf8')).declarationId).toBe(id);
      expect(fs.readFileSync(x('index.html'), 'utf8')).toContain('Audit-response pack');
      expect(JSON.parse(fs.readFileSync(x('case.json'), 'utf8')).case.caseId).toBe(caseId);
      fs.rmSync(dir, { recursive: true, force: true });

      const closed = await rep('POST', `/v1/cases/${caseId}/close`, { reason: 'replied' });
      expect(closed.body.case.state).toBe('closed');
      await waitFor('closing event', async () => received.find((e) => e.caseId === caseId && e.state === 'closed'));
      expect(received.find((e) => e.caseId === caseId && e.state === 'closed')!.deadlines).toEqual([]);
      expect((await rep('GET', `/v1/cases/${caseId}`, undefined, OTHER_TOKEN)).status).toBe(404);
    } finally {
      await consumer.disconnect();
    }
  });

  it('generates the monthly board reports on schedule (injected clock) once per importer and month, with a tenant token', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schedule-'));
    const file = path.join(dir, 'tokens');
    fs.writeFileSync(file, `# one tenant token per line\n${p.tokens.analyst}\n`);
    const scheduled = await startReportingService(
      reportingConfig({
        DATABASE_URL: p.db.urlFor('reporting'),
        KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
        KAFKA_TOPIC_PREFIX: p.kafka.physical(''),
        HTTP_PORT: '0',
        GRPC_PORT: '0',
        API_TOKENS: `${p.tokens.spec},${OTHER}`,
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
        SHUTDOWN_TIMEOUT_MS: '5000',
        INGESTION_URL: p.services.ingestion.httpUrl,
        ALERTING_URL: p.services.alerting.httpUrl,
        SCORING_URL: p.services.scoring.httpUrl,
        SCHEDULE_TOKENS_FILE: file,
        BOARD_REPORT_DAY: '1',
        SCHEDULE_TICK_MS: '200',
      }),
      { clock: { now: () => NOW } },
    );
    try {
      const importers = new Set((await feedUpTo(Number.MAX_SAFE_INTEGER)).map((f) => (f as { importerEori: string }).importerEori).filter(Boolean));
      const list = async () => ((await rep('GET', '/v1/reports?limit=500')).body.reports as { importer: string; trigger: string; createdBy: string }[]).filter((r) => r.trigger === 'schedule');
      await waitFor('a scheduled report for every importer', async () => (await list()).length >= importers.size, { timeoutMs: 240_000, intervalMs: 1000 });
      await scheduled.stop();
      const made = await list();
      expect(made.map((r) => r.importer).sort()).toEqual([...importers].sort());
      expect(made.every((r) => r.createdBy === `schedule:analyst@${p.tenant}`)).toBe(true);
    } finally {
      await scheduled.stop().catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
