// Dataset versions: every version of every reference dataset ever loaded, and their announcement.
import { DatasetChanged, Topics } from '@customs/contracts';
import { enqueueOutbox, withAllTenants, type Kysely } from '@customs/db';
import { buildEvent } from '@customs/kafka';
import type { ReferenceDb } from './migrations';

export interface BundledDataset {
  dataset: string;
  version: string;
  source: string;
  rows: number;
}

/** Records the versions not seen before and announces them (with the version each replaces). */
export function recordDatasetVersions(db: Kysely<ReferenceDb>, datasets: readonly BundledDataset[], now: string): Promise<void> {
  return withAllTenants(db, async (trx) => {
    const known = await trx.selectFrom('dataset_versions').select(['dataset', 'version', 'loaded_at']).orderBy('loaded_at').execute();
    const fresh = datasets.filter((d) => !known.some((k) => k.dataset === d.dataset && k.version === d.version));
    if (fresh.length === 0) return;
    await trx
      .insertInto('dataset_versions')
      .values(fresh.map((d) => ({ dataset: d.dataset, version: d.version, source: d.source, row_count: d.rows, loaded_at: now })))
      .execute();
    await enqueueOutbox(
      trx,
      'reference',
      fresh.map((d) =>
        buildEvent({
          topic: Topics.datasetChanged,
          key: d.dataset,
          value: DatasetChanged.fromPartial({ dataset: d.dataset, version: d.version, previousVersion: known.filter((k) => k.dataset === d.dataset).at(-1)?.version ?? '', loadedAt: now }),
          tenant: 'platform',
          source: 'reference',
          subject: d.dataset,
          id: `dataset/${d.dataset}/${d.version}`,
        }),
      ),
    );
  });
}

/** Every version ever loaded (this process's, other replicas' and the CLI's), by dataset then load time. */
export function listDatasetVersions(db: Kysely<ReferenceDb>) {
  return db.selectFrom('dataset_versions').selectAll().orderBy('dataset').orderBy('loaded_at').execute();
}
