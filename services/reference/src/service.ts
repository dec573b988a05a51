// Composition of the reference service: the in-memory store, its loads and the adapters around it.
import { WorkbookWorkerPool } from '@customs/spreadsheet';
import { startPlatformService, type RunningService } from '@customs/service';
import { fxStalenessWatch } from './app/fx-staleness-watch';
import { syncFxLoads } from './app/fx-sync';
import { loadBundledStore } from './app/load-bundled';
import { syncOttLoads } from './app/ott-sync';
import { OttSyncRunner } from './app/ott-sync-runner';
import { recordDatasetVersions } from './db/dataset-repo';
import { fxVersions, persistFxLoad, readFxRows } from './db/fx-repo';
import { migrations, type ReferenceDb } from './db/migrations';
import { ottVersions, persistOttLoad, readOttData } from './db/ott-repo';
import { quotaDefinitions } from './db/quota-repo';
import { registerGrpc } from './grpc/reference-grpc';
import { registerAdminRoutes } from './http/admin-routes';
import { registerLookupRoutes } from './http/lookup-routes';
import { ottSyncPorts } from './ott-api/wiring';
import type { ReferenceConfig } from './config';

export { rateFor } from './grpc/reference-grpc';

const today = () => new Date().toISOString().slice(0, 10);

/** Starts the reference service: bundled UK tariff, nomenclature, FX, code lists and schemes, plus OTT loads; point-in-time lookups. */
export async function startReferenceService(config: ReferenceConfig): Promise<RunningService> {
  const t0 = Date.now();
  const store = loadBundledStore(config.REFERENCE_DATA_DIR);
  const loadMs = Date.now() - t0;
  return startPlatformService<ReferenceDb>({
    name: 'reference',
    config,
    migrations,
    async setup(kit) {
      const { db } = kit.db;
      kit.logger.info({ datasets: store.datasets.length, loadMs }, 'bundled reference data loaded');
      // Record versions; announce the ones not seen before (with the version they replace).
      await recordDatasetVersions(db, store.datasets, new Date().toISOString());

      // OTT and FX loads persisted earlier (or by other replicas / the CLI) are served too.
      const applied = { ott: new Set<string>(), fx: new Set<string>() };
      const ottSync = { versions: () => ottVersions(db), read: (v: string[]) => readOttData(db, v) };
      const fxSync = { versions: () => fxVersions(db), read: (v: string[]) => readFxRows(db, v) };
      const sync = async () => [...(await syncOttLoads(store, ottSync, applied.ott)), ...(await syncFxLoads(store, fxSync, applied.fx))];
      const initial = await sync();
      kit.logger.info({ loads: initial.length, ottMeasures: store.ottMeasureCount }, 'OTT measures and FX loads read from the database');
      if (config.REFERENCE_SYNC_INTERVAL_MS > 0) {
        let running = false;
        const timer = setInterval(() => {
          if (running) return;
          running = true;
          sync()
            .then((v) => v.length && kit.logger.info({ versions: v }, 'loads picked up from the database'))
            .catch((e) => kit.logger.warn({ err: e }, 'reference sync failed; retrying on the next tick'))
            .finally(() => (running = false));
        }, config.REFERENCE_SYNC_INTERVAL_MS);
        timer.unref();
        kit.lifecycle.add('reference-sync', async () => clearInterval(timer));
      }
      const fxFreshness = fxStalenessWatch(store, kit.logger, today);
      fxFreshness();
      kit.metrics.gaugeOf(
        'customs_reference_fx_months_behind',
        'Months between the current month and the latest month of HMRC exchange rates loaded (0 = current month loaded; >0 = stale)',
        fxFreshness,
      );
      const fxTimer = setInterval(fxFreshness, 3_600_000);
      fxTimer.unref();
      kit.lifecycle.add('fx-freshness', async () => clearInterval(fxTimer));

      // .xlsx reports are read on bounded worker threads (a hostile workbook is a 422, not a crash).
      const workbooks = new WorkbookWorkerPool({ timeoutMs: config.WORKBOOK_TIMEOUT_MS, maxMemoryMb: config.WORKBOOK_MAX_MEMORY_MB, concurrency: config.WORKBOOK_CONCURRENCY });
      kit.lifecycle.add('workbook-workers', () => workbooks.close());
      const loadPorts = {
        persist: (source: string, version: string, imp: Parameters<typeof persistOttLoad>[3]) => persistOttLoad(db, source, version, imp),
        readSheet: async (source: string, content: Buffer) => (await workbooks.readRows(content, source)).rows,
      };
      const fxPorts = { persist: (source: string, version: string, rows: Parameters<typeof persistFxLoad>[3]) => persistFxLoad(db, source, version, rows) };

      const outcomes = kit.metrics.counter<'outcome'>('customs_reference_ott_syncs_total', 'Online Trade Tariff API syncs by outcome (completed, failed, refused)', ['outcome']);
      const syncs = new OttSyncRunner({ config, db, store, logger: kit.logger, outcomes, today });
      if (config.OTT_SYNC_DAILY_AT) syncs.scheduleDaily(config.OTT_SYNC_DAILY_AT);
      kit.lifecycle.add('ott-sync', () => syncs.stop());

      registerGrpc(kit.grpc, store, (orderNumbers) => quotaDefinitions(db, orderNumbers));
      registerLookupRoutes(kit.http, { store, db, today });
      await registerAdminRoutes(kit.http, { config, store, syncs, listSyncRuns: () => ottSyncPorts(db, store).list(), loadPorts, fxPorts });
    },
  });
}
