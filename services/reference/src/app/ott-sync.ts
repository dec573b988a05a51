import type { DatasetInfo, ReferenceStore, StoredMeasure } from './store';

/** Reads OTT loads persisted by anyone (this process, another replica, the CLI). */
export interface OttSyncPorts {
  versions(): Promise<DatasetInfo[]>;
  read(versions: string[]): Promise<{ measures: StoredMeasure[]; groups: Map<string, string[]>; coverage?: Map<string, string> }>;
}

/**
 * Brings the in-memory store up to the loads in the database: reads only the rows written by
 * versions this process has not applied (a later load's rows carry its version), so a sync is
 * cheap when nothing changed. Returns the versions newly applied.
 */
export async function syncOttLoads(store: ReferenceStore, ports: OttSyncPorts, applied: Set<string>): Promise<string[]> {
  const all = await ports.versions();
  const fresh = all.filter((v) => !applied.has(v.version));
  if (fresh.length === 0) return [];
  const { measures, groups, coverage } = await ports.read(fresh.map((v) => v.version));
  store.applyOttLoad(fresh[fresh.length - 1]!, measures, groups, coverage);
  for (const v of fresh) applied.add(v.version);
  return fresh.map((v) => v.version);
}
