// Use case: generate a board report version for one importer — gather what the platform says
// (findings feed, alerts, scoring), decide the figures (policies/board.ts), render HTML and PDF,
// store the version immutably with the data versions it came from and publish it.
import { randomUUID } from 'node:crypto';
import { ReportPublished, Topics } from '@customs/contracts';
import { buildEvent } from '@customs/kafka';
import { decideBoard } from '../policies/board';
import type { C285Draft } from '../policies/drafts';
import { boardHtml } from '../render/board-html';
import type { PdfRenderer } from '../render/pdf';
import type { Clock, DraftStore, FindingsSource, PlatformReads, ReportRecord, ReportStore } from './ports';

export class BoardReports {
  constructor(private readonly deps: { reports: ReportStore; drafts: DraftStore; findings: FindingsSource; platform: PlatformReads; pdf: PdfRenderer; clock: Clock }) {}

  async generate(tenant: string, actor: string, bearer: string, importer: string, trigger: 'api' | 'schedule'): Promise<ReportRecord> {
    const { reports, drafts, findings, platform, pdf, clock } = this.deps;
    const now = clock.now();
    const [feed, alerts, readiness, trend, dum, scorecards, myDrafts, previous] = await Promise.all([
      findings.currentFindings(bearer),
      platform.openAlerts(bearer, importer),
      platform.readiness(bearer, importer),
      platform.trend(bearer, importer),
      platform.dum(bearer, importer),
      platform.scorecards(bearer),
      drafts.listDrafts(tenant, { limit: 500 }),
      reports.latest(tenant, importer),
    ]);
    // Reclaim "claimed": the importer's claims on C285 drafts marked submitted.
    const c285Submitted = myDrafts
      .filter((d) => d.kind === 'c285' && d.state === 'submitted')
      .map((d) => {
        const mine = (d.content as C285Draft).claims.filter((c) => c.importerEori === importer);
        return { draftId: d.draftId, dutyPence: mine.reduce((s, c) => s + c.totalDutyPence, 0), vatPence: mine.reduce((s, c) => s + c.totalVatPence, 0) };
      })
      .filter((x) => x.dutyPence + x.vatPence > 0);
    const openDrafts = myDrafts
      .filter((d) => d.state === 'draft' || d.state === 'reviewed')
      .map((d) => {
        const t = d.content.totals as Record<string, number>;
        return {
          draftId: d.draftId,
          kind: d.kind,
          state: d.state,
          createdBy: d.createdBy,
          totalPence: d.kind === 'c285' ? (t.dutyPence ?? 0) + (t.vatPence ?? 0) : (t.dutyOwedPence ?? 0) + (t.vatOwedPence ?? 0),
        };
      });
    const content = decideBoard(
      {
        importer,
        findings: feed.findings,
        alerts,
        readiness,
        trend,
        dum,
        scorecards,
        c285Submitted,
        openDrafts,
        previous: previous ? { reportId: previous.reportId, createdAt: previous.createdAt, headline: previous.content.headline } : null,
      },
      now,
    );
    const createdAt = now.toISOString();
    const reportId = `board-${importer}-${createdAt.slice(0, 10)}-${randomUUID().slice(0, 8)}`;
    const status = (m: { available: boolean; reason?: string }) => (m.available ? 'answered' : `not available: ${m.reason}`);
    const dataVersions = {
      findingsFeedCursor: feed.cursor,
      findingsOfImporter: content.headline.findingCount,
      alerting: alerts.available ? `${alerts.open.length} open alerts` : status(alerts),
      scoringReadiness: status(readiness),
      scoringTrend: status(trend),
      scoringDutyUnderManagement: status(dum),
      scoringScorecards: scorecards.available ? `month ${scorecards.month ?? 'latest'}` : status(scorecards),
      drafts: myDrafts.map((d) => `${d.draftId}@${d.state}`),
      previousReport: previous?.reportId ?? null,
    };
    // The next version after the latest read; a concurrent generation of the same version fails
    // on insert (unique key) rather than storing a document that names the wrong version.
    const version = (previous?.version ?? 0) + 1;
    const html = boardHtml({ reportId, version, createdAt, createdBy: actor, dataVersions }, content);
    const bytes = await pdf.render(html);
    const base = `/v1/reports/${reportId}/document`;
    return reports.insert(
      tenant,
      { reportId, kind: 'board', importer, version, asOf: content.asOf, trigger, content, dataVersions, createdBy: actor, createdAt },
      html,
      bytes,
      buildEvent({
        topic: Topics.reportPublished,
        key: `${tenant}/${importer}`,
        tenant,
        source: 'reporting',
        subject: reportId,
        id: `report/${tenant}/${reportId}`,
        time: now,
        value: ReportPublished.fromPartial({
          tenantId: tenant,
          reportId,
          kind: 'board',
          importerEori: importer,
          version,
          createdAt,
          asOf: content.asOf,
          trigger,
          htmlPath: `${base}?format=html`,
          pdfPath: `${base}?format=pdf`,
          exposurePence: content.headline.exposureDutyPence + content.headline.exposureVatPence,
          reclaimPence: content.headline.reclaimDutyPence + content.headline.reclaimVatPence,
          dueIn90DaysPence: content.headline.dueIn90DaysPence,
        }),
      }),
    );
  }
}
