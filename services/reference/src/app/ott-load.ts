import { parseOttFileWith, type parseOttFile, type SheetReader } from '../parse/ott';
import { datasetVersion, type DatasetInfo, type ReferenceStore, type StoredMeasure } from './store';

/** Ports the OTT load use case needs (implemented over Postgres in db/ott-repo.ts). */
export interface OttLoadPorts {
  persist(source: string, version: string, imp: ReturnType<typeof parseOttFile>): Promise<{ info: DatasetInfo; previousVersion: string; duplicate: boolean; measures: StoredMeasure[]; groups: Map<string, string[]>; effectiveFrom: string; effectiveTo: string }>;
  /** Reads an .xlsx report's first sheet: a bounded worker thread (WorkbookWorkerPool.readRows). */
  readSheet: SheetReader;
}

/** A file name made safe to appear in a version string ("ott-0702000007@…"). */
export function sourceName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? name;
  return base.replace(/\.[A-Za-z0-9]+$/, '').replace(/[^A-Za-z0-9_.-]+/g, '-').slice(0, 80) || 'ott';
}

/**
 * Loads one OTT file: parse (refusing it whole on any problem), persist with its version and
 * the DatasetChanged event, then serve it. The version is the content hash, so loading the same
 * file twice is a no-op that reports the existing version.
 */
export async function loadOttFile(store: ReferenceStore, ports: OttLoadPorts, fileName: string, content: Buffer) {
  const source = sourceName(fileName);
  const imp = await parseOttFileWith(source, content, ports.readSheet);
  const version = datasetVersion(source, content);
  const out = await ports.persist(source, version, imp);
  if (!out.duplicate) store.applyOttLoad(out.info, out.measures, out.groups);
  return { ...out, format: imp.format, commodityCodes: imp.commodityCodes };
}
