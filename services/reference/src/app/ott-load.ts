import { parseOttFileWith, type OttImport, type parseOttFile, type SheetReader } from '../parse/ott';
import { datasetVersion, type DatasetInfo, type ReferenceStore, type StoredMeasure } from './store';

/** Ports the OTT load use case needs (implemented over Postgres in db/ott-repo.ts). */
export interface OttLoadPorts {
  persist(
    source: string,
    version: string,
    imp: ReturnType<typeof parseOttFile>,
  ): Promise<{ info: DatasetInfo; previousVersion: string; duplicate: boolean; measures: StoredMeasure[]; groups: Map<string, string[]>; effectiveFrom: string; effectiveTo: string }>;
  /** Reads an .xlsx report's first sheet: a bounded worker thread (WorkbookWorkerPool.readRows). */
  readSheet: SheetReader;
}

/** A file name made safe to appear in a version string ("ott-0702000007@…"). */
export function sourceName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? name;
  return (
    base
      .replace(/\.[A-Za-z0-9]+$/, '')
      .replace(/[^A-Za-z0-9_.-]+/g, '-')
      .slice(0, 80) || 'ott'
  );
}

/** A well-formed file that cannot be what its sender meant (refused unless an admin forces it). */
export class ImplausibleOttLoad extends Error {
  constructor(
    readonly source: string,
    readonly reason: string,
  ) {
    super(`${source}: ${reason}`);
  }
}

/**
 * Why a parsed file is not a plausible new dataset, or undefined. A file is authoritative for its
 * commodity codes (their measures are replaced by its own), so a commodity or duties file with no
 * measure at all would silently wipe what is known of them — every commodity has at least its
 * third-country duty (103), even when free — and a geographical-areas file with no group says
 * nothing. Such a file is a truncated export or the wrong file far more often than a real change.
 */
export function implausibility(imp: OttImport): string | undefined {
  if (imp.format === 'ott-geographical-areas') return imp.groups.size === 0 ? 'the geographical-areas file defines no group; loading it as a new dataset would serve no area membership' : undefined;
  if (imp.measures.length === 0)
    return `the file has 0 measures${imp.commodityCodes.length ? ` for ${imp.commodityCodes.length} commodity code(s) (${imp.commodityCodes.slice(0, 5).join(', ')}${imp.commodityCodes.length > 5 ? ', …' : ''})` : ''}; every commodity has at least its third-country duty, so loading it would replace their measures with nothing`;
  return undefined;
}

/**
 * Loads one OTT file: parse (refusing it whole on any problem), refuse an implausible one
 * (implausibility) unless `force` (an admin's override; the caller audits it), persist with its
 * version and the DatasetChanged event, then serve it. The version is the content hash, so
 * loading the same file twice is a no-op that reports the existing version.
 */
export async function loadOttFile(store: ReferenceStore, ports: OttLoadPorts, fileName: string, content: Buffer, opts: { force?: boolean } = {}) {
  const source = sourceName(fileName);
  const imp = await parseOttFileWith(source, content, ports.readSheet);
  const doubt = implausibility(imp);
  if (doubt && !opts.force) throw new ImplausibleOttLoad(source, doubt);
  const version = datasetVersion(source, content);
  const out = await ports.persist(source, version, imp);
  if (!out.duplicate) store.applyOttLoad(out.info, out.measures, out.groups);
  return { ...out, format: imp.format, commodityCodes: imp.commodityCodes, forced: doubt };
}
