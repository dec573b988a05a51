import type { FxRow } from '../parse/fx';
import type { DatasetInfo, ReferenceStore } from './store';

export interface FxSyncPorts {
  versions(): Promise<DatasetInfo[]>;
  read(versions: string[]): Promise<(FxRow & { version: string })[]>;
}

/** Applies FX loads persisted by anyone that this process has not applied yet (see syncOttLoads). */
export async function syncFxLoads(store: ReferenceStore, ports: FxSyncPorts, applied: Set<string>): Promise<string[]> {
  const fresh = (await ports.versions()).filter((v) => !applied.has(v.version));
  if (fresh.length === 0) return [];
  const rows = await ports.read(fresh.map((v) => v.version));
  store.applyFxLoad(fresh[fresh.length - 1]!, rows);
  for (const v of fresh) applied.add(v.version);
  return fresh.map((v) => v.version);
}
