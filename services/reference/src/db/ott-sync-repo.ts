import { sql, withAllTenants, type Kysely } from '@customs/db';
import type { StopPressNotice } from '@customs/contracts';
import type { StagedItem, SyncKind, SyncRun } from '../ott-api/sync';
import type { ReferenceDb } from './migrations';

/** Postgres side of the OTT API sync (ott_sync_runs, ott_sync_staged; see ott-api/sync.ts). */
export function ottSyncRepo(db: Kysely<ReferenceDb>) {
  const q = <T>(fn: (trx: Kysely<ReferenceDb>) => Promise<T>) => withAllTenants(db, fn);
  const toRun = (r: { id: number | string; kind: string; since_date: string; until_date: string; planned: unknown }): SyncRun => ({
    id: Number(r.id),
    kind: r.kind as SyncKind,
    sinceDate: r.since_date,
    untilDate: r.until_date,
    planned: r.planned as string[],
  });
  return {
    async lastCompletedUntil(): Promise<string | undefined> {
      const r = await q((trx) => trx.selectFrom('ott_sync_runs').select('until_date').where('status', '=', 'completed').orderBy('until_date', 'desc').limit(1).executeTakeFirst());
      return r?.until_date;
    },
    async unfinished(): Promise<SyncRun | undefined> {
      const r = await q((trx) => trx.selectFrom('ott_sync_runs').selectAll().where('status', 'in', ['running', 'failed']).orderBy('id', 'desc').limit(1).executeTakeFirst());
      return r ? toRun(r) : undefined;
    },
    async abandon(runId: number, reason: string): Promise<void> {
      await q(async (trx) => {
        await trx.deleteFrom('ott_sync_staged').where('run_id', '=', runId).execute();
        await trx.updateTable('ott_sync_runs').set({ status: 'abandoned', error: reason, finished_at: new Date() }).where('id', '=', runId).execute();
      });
    },
    async createRun(run: Omit<SyncRun, 'id'>, baseUrl: string): Promise<number> {
      const r = await q((trx) =>
        trx
          .insertInto('ott_sync_runs')
          .values({ kind: run.kind, status: 'running', base_url: baseUrl, since_date: run.sinceDate, until_date: run.untilDate, planned: JSON.stringify(run.planned), finished_at: null })
          .returning('id')
          .executeTakeFirstOrThrow(),
      );
      return Number(r.id);
    },
    async stagedItems(runId: number): Promise<Map<string, StagedItem>> {
      const rows = await q((trx) => trx.selectFrom('ott_sync_staged').select(['item', 'payload']).where('run_id', '=', runId).execute());
      return new Map(rows.map((r) => [r.item, r.payload as StagedItem]));
    },
    async stage(runId: number, key: string, item: StagedItem): Promise<void> {
      await q((trx) =>
        trx
          .insertInto('ott_sync_staged')
          .values({ run_id: runId, item: key, payload: JSON.stringify(item) })
          .onConflict((oc) => oc.columns(['run_id', 'item']).doUpdateSet({ payload: JSON.stringify(item) }))
          .execute(),
      );
    },
    async finish(runId: number, o: { status: 'completed' | 'failed'; error?: string; datasetVersion?: string; fxVersions?: string[]; stopPress?: StopPressNotice[]; stats: object }): Promise<void> {
      await q(async (trx) => {
        await trx
          .updateTable('ott_sync_runs')
          .set({
            status: o.status,
            error: o.error ?? '',
            dataset_version: o.datasetVersion ?? '',
            fx_versions: JSON.stringify(o.fxVersions ?? []),
            stop_press: JSON.stringify(o.stopPress ?? []),
            stats: JSON.stringify(o.stats),
            finished_at: new Date(),
          })
          .where('id', '=', runId)
          .execute();
        // Loaded: the staged responses have done their job (a failed run keeps them to resume).
        if (o.status === 'completed') await trx.deleteFrom('ott_sync_staged').where('run_id', '=', runId).execute();
      });
    },
    async trackedCodes(): Promise<string[]> {
      const rows = await q((trx) => trx.selectFrom('ott_measures').select('commodity_code').distinct().orderBy('commodity_code').execute());
      return rows.map((r) => r.commodity_code);
    },
    /** Runs, newest first, as the admin API lists them. */
    async list(limit = 50) {
      const rows = await q((trx) => trx.selectFrom('ott_sync_runs').selectAll().orderBy('id', 'desc').limit(limit).execute());
      const staged = await q((trx) =>
        trx
          .selectFrom('ott_sync_staged')
          .select(['run_id', sql<number>`count(*)::int`.as('n')])
          .groupBy('run_id')
          .execute(),
      );
      const n = new Map(staged.map((s) => [Number(s.run_id), s.n]));
      return rows.map((r) => ({
        id: Number(r.id),
        kind: r.kind,
        status: r.status,
        baseUrl: r.base_url,
        sinceDate: r.since_date,
        untilDate: r.until_date,
        planned: (r.planned as string[]).length,
        staged: n.get(Number(r.id)) ?? 0,
        error: r.error,
        datasetVersion: r.dataset_version,
        fxVersions: r.fx_versions,
        stopPress: r.stop_press,
        stats: r.stats,
        startedAt: new Date(r.started_at).toISOString(),
        finishedAt: r.finished_at ? new Date(r.finished_at).toISOString() : null,
      }));
    },
  };
}
