import { DatasetChanged, Topics } from '@customs/contracts';
import { chunksFor, enqueueOutbox, sql, withAllTenants, type Kysely } from '@customs/db';
import { buildEvent } from '@customs/kafka';
import type { FxRow } from '../parse/fx';
import type { DatasetInfo } from '../app/store';
import type { ReferenceDb } from './migrations';

export const FX_DATASET = 'fx';

/** Persists HMRC rates, the dataset version and DatasetChanged in one transaction (see persistOttLoad). */
export async function persistFxLoad(db: Kysely<ReferenceDb>, source: string, version: string, rows: FxRow[], now = new Date()) {
  const info: DatasetInfo = { dataset: FX_DATASET, version, source, rows: rows.length };
  const effectiveFrom = rows.reduce((min, r) => (!min || r.start < min ? r.start : min), '');
  const effectiveTo = rows.reduce((max, r) => (r.end > max ? r.end : max), '');
  return withAllTenants(db, async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext('reference.fx-load'))`.execute(trx);
    const previous = await trx.selectFrom('dataset_versions').select('version').where('dataset', '=', FX_DATASET).orderBy('loaded_at', 'desc').limit(1).executeTakeFirst();
    const seen = await trx.selectFrom('dataset_versions').select('version').where('dataset', '=', FX_DATASET).where('version', '=', version).executeTakeFirst();
    const base = { info, previousVersion: previous?.version ?? '', effectiveFrom, effectiveTo, rows: rows.map((r) => ({ ...r, version })) };
    if (seen) return { ...base, duplicate: true };
    for (const chunk of chunksFor(rows, 5)) {
      await trx
        .insertInto('fx_rates')
        .values(chunk.map((r) => ({ currency: r.currency, period_start: r.start, period_end: r.end, rate: r.rate, dataset_version: version })))
        .onConflict((oc) => oc.columns(['currency', 'period_start', 'period_end']).doUpdateSet((eb) => ({ rate: eb.ref('excluded.rate'), dataset_version: eb.ref('excluded.dataset_version') })))
        .execute();
    }
    const loadedAt = now.toISOString();
    await trx
      .insertInto('dataset_versions')
      .values({ dataset: FX_DATASET, version, source, row_count: rows.length, loaded_at: loadedAt, effective_from: effectiveFrom, effective_to: effectiveTo })
      .execute();
    await enqueueOutbox(trx, 'reference', [
      buildEvent({
        topic: Topics.datasetChanged,
        key: FX_DATASET,
        value: DatasetChanged.fromPartial({ dataset: FX_DATASET, version, previousVersion: previous?.version ?? '', loadedAt, effectiveFrom, effectiveTo }),
        tenant: 'platform',
        source: 'reference',
        subject: FX_DATASET,
        id: `dataset/${FX_DATASET}/${version}`,
      }),
    ]);
    return { ...base, duplicate: false };
  });
}

/** FX load versions that wrote rows, in load order. */
export async function fxVersions(db: Kysely<ReferenceDb>): Promise<DatasetInfo[]> {
  const rows = await db
    .selectFrom('dataset_versions')
    .select(['dataset', 'version', 'source', 'row_count'])
    .where('dataset', '=', FX_DATASET)
    .where((eb) => eb.exists(eb.selectFrom('fx_rates').select('currency').whereRef('fx_rates.dataset_version', '=', 'dataset_versions.version')))
    .orderBy('loaded_at')
    .execute();
  return rows.map((r) => ({ dataset: r.dataset, version: r.version, source: r.source, rows: r.row_count }));
}

export async function readFxRows(db: Kysely<ReferenceDb>, versions: string[]): Promise<(FxRow & { version: string })[]> {
  if (versions.length === 0) return [];
  const rows = await db.selectFrom('fx_rates').selectAll().where('dataset_version', 'in', versions).execute();
  return rows.map((r) => ({ currency: r.currency, start: r.period_start, end: r.period_end, rate: r.rate, version: r.dataset_version }));
}
