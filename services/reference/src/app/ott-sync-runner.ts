// Online Trade Tariff API sync, one at a time in this process: on demand (admin) and daily at
// OTT_SYNC_DAILY_AT (UTC). Each completed sync is a new dataset version (see ott-api/sync.ts).
import type { Kysely } from '@customs/db';
import type { Logger } from '@customs/telemetry';
import type { ReferenceConfig } from '../config';
import type { ReferenceDb } from '../db/migrations';
import { OttSyncRefused, type SyncKind } from '../ott-api/sync';
import { syncOnce } from '../ott-api/wiring';
import type { ReferenceStore } from './store';

export interface OttSyncRequest {
  kind?: SyncKind;
  commodities?: string[];
  until?: string;
  restart?: boolean;
}

/** A sync was asked for while one is running in this process. */
export class OttSyncRunning extends Error {
  constructor() {
    super('an OTT sync is already running in this process');
  }
}

export class OttSyncRunner {
  private syncing: Promise<unknown> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: {
      config: ReferenceConfig;
      db: Kysely<ReferenceDb>;
      store: ReferenceStore;
      logger: Logger;
      /** customs_reference_ott_syncs_total, by outcome. */
      outcomes: { inc(labels: { outcome: string }): void };
      today: () => string;
    },
  ) {}

  async run(req: OttSyncRequest) {
    if (this.syncing) throw new OttSyncRunning();
    const { config, db, store, logger, outcomes } = this.deps;
    const run = syncOnce(config, db, store, { ...req, until: req.until ?? this.deps.today() });
    this.syncing = run.catch(() => undefined).finally(() => (this.syncing = undefined));
    try {
      const out = await run;
      outcomes.inc({ outcome: 'completed' });
      logger.info(
        {
          runId: out.runId,
          kind: out.kind,
          resumed: out.resumed,
          version: out.datasetVersion,
          codes: out.commodityCodes.length,
          fx: out.fxVersions,
          stopPress: out.stopPress.length,
          ...out.stats,
        },
        'OTT API sync completed',
      );
      return out;
    } catch (e) {
      outcomes.inc({ outcome: e instanceof OttSyncRefused ? 'refused' : 'failed' });
      logger.warn({ err: e }, 'OTT API sync did not complete');
      throw e;
    }
  }

  /** Once a day at dailyAt (HH:MM UTC), whatever the outcome: a failed run is resumed by the next day's (or an operator's) sync. */
  scheduleDaily(dailyAt: string): void {
    let attemptedOn = '';
    this.timer = setInterval(() => {
      const now = new Date();
      const day = now.toISOString().slice(0, 10);
      if (this.syncing || attemptedOn === day || now.toISOString().slice(11, 16) < dailyAt) return;
      attemptedOn = day;
      this.run({}).catch(() => undefined);
    }, 60_000);
    this.timer.unref();
  }

  /** Stops the schedule and waits for a sync in flight. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.syncing;
  }
}
