import { startPlatformService, type RunningService } from '@customs/service';
import { Drafts } from './app/drafts';
import type { Clock } from './app/ports';
import { AlertingFindingsFeed } from './clients/findings-feed';
import { DraftRepo } from './db/draft-repo';
import { migrations, type ReportingDb } from './db/migrations';
import { registerRoutes } from './http/routes';
import type { ReportingConfig } from './config';

/**
 * Starts the reporting service (wiring only): drafted C285/C2001 corrections from the findings
 * the platform publishes, read through alerting's public findings feed. `clock` is injectable so
 * tests can fix the day the time limits are measured from.
 */
export async function startReportingService(config: ReportingConfig, opts: { clock?: Clock } = {}): Promise<RunningService> {
  const clock: Clock = opts.clock ?? { now: () => new Date() };
  return startPlatformService<ReportingDb>({
    name: 'reporting',
    config,
    migrations,
    async setup(kit) {
      const store = new DraftRepo(kit.db.db);
      const drafts = new Drafts(store, new AlertingFindingsFeed(config.ALERTING_URL), clock);
      registerRoutes(kit.http, { store, drafts, clock });
    },
  });
}
