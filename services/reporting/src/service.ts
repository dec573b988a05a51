import { startPlatformService, type RunningService } from '@customs/service';
import { BoardReports } from './app/board';
import { Cases } from './app/cases';
import { runBoardSchedule, type ScheduleTenant } from './app/schedule';
import { Drafts } from './app/drafts';
import type { Clock } from './app/ports';
import { AlertingFindingsFeed } from './clients/findings-feed';
import { PlatformApi } from './clients/platform-api';
import { CaseRepo } from './db/case-repo';
import { DraftRepo } from './db/draft-repo';
import { ReportRepo } from './db/report-repo';
import { migrations, type ReportingDb } from './db/migrations';
import { registerCaseRoutes } from './http/case-routes';
import { registerReportRoutes } from './http/report-routes';
import { loadPlaybooks } from './playbook-files';
import { registerRoutes } from './http/routes';
import { ChromiumPdf, type PdfRenderer } from './render/pdf';
import type { ReportingConfig } from './config';
import * as fs from 'node:fs';

/**
 * Starts the reporting service (wiring only): drafted C285/C2001 corrections and board reports
 * from what the platform publishes, read through alerting's and scoring's public APIs. `clock` is injectable so
 * tests can fix the day the time limits are measured from.
 */
export async function startReportingService(config: ReportingConfig, opts: { clock?: Clock; pdf?: PdfRenderer } = {}): Promise<RunningService> {
  const clock: Clock = opts.clock ?? { now: () => new Date() };
  const pdf = opts.pdf ?? new ChromiumPdf(config.CHROMIUM_PATH);
  const playbooks = loadPlaybooks(config.PLAYBOOKS_DIR);
  return startPlatformService<ReportingDb>({
    name: 'reporting',
    config,
    migrations,
    async setup(kit) {
      const store = new DraftRepo(kit.db.db);
      const findings = new AlertingFindingsFeed(config.ALERTING_URL);
      const drafts = new Drafts(store, findings, clock);
      registerRoutes(kit.http, { store, drafts, clock });
      const reports = new ReportRepo(kit.db.db);
      const platform = new PlatformApi({ alerting: config.ALERTING_URL, scoring: config.SCORING_URL, ingestion: config.INGESTION_URL });
      const board = new BoardReports({ reports, drafts: store, findings, platform, pdf, clock });
      registerReportRoutes(kit.http, { reports, board, findings, platform });
      const caseStore = new CaseRepo(kit.db.db);
      registerCaseRoutes(kit.http, { cases: new Cases(caseStore, playbooks, clock), store: caseStore, clock, findings, drafts: store, platform });

      if (config.SCHEDULE_TOKENS_FILE) {
        const tenants: ScheduleTenant[] = fs
          .readFileSync(config.SCHEDULE_TOKENS_FILE, 'utf8')
          .split('\n')
          .map((l) => l.trim())
          .filter((l) => l && !l.startsWith('#'))
          .map((token, i) => {
            const p = kit.auth.authenticate(`Bearer ${token}`);
            if (!p) throw new Error(`SCHEDULE_TOKENS_FILE line ${i + 1}: not a token this service accepts`);
            return { tenantId: p.tenantId, subject: p.subject, token };
          });
        let running = false;
        const tick = async () => {
          if (running) return; // a slow tick is not overlapped by the next
          running = true;
          try {
            const n = await runBoardSchedule({ tenants, findings, reports, board, clock, dayOfMonth: config.BOARD_REPORT_DAY, log: (msg, err) => kit.logger.warn({ err }, msg) });
            if (n) kit.logger.info({ reports: n }, 'scheduled board reports generated');
          } finally {
            running = false;
          }
        };
        const timer = setInterval(() => void tick(), config.SCHEDULE_TICK_MS);
        kit.lifecycle.add('board-schedule', async () => clearInterval(timer));
      }
    },
  });
}
