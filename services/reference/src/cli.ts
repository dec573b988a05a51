// Operator CLI of the reference service.
//   node dist/cli.js load-ott <file> [<file> …]   load OTT files (API commodity JSON, or the
//                                                 declarable-duties report as CSV or .xlsx) into the database
//   node dist/cli.js load-fx <file> [<file> …]    load HMRC monthly exchange rates (XML or CSV)
//   node dist/cli.js sync-ott [--full] [--commodities C1,C2] [--until YYYY-MM-DD] [--restart]
//                                                 sync from the Online Trade Tariff API (OTT_API_* settings):
//                                                 incremental from the last completed sync, resuming a broken one
// Each file becomes a new dataset version and emits reference.dataset.changed.v1 through the
// outbox (relayed by the running service, which also picks the measures up within
// REFERENCE_SYNC_INTERVAL_MS). Uses DATABASE_URL like the service.
import * as fs from 'node:fs';
import { createDb, migrateToLatest } from '@customs/db';
import { loadOttFile } from './app/ott-load';
import { ReferenceStore } from './app/store';
import { loadConfig } from './config';
import { migrations, type ReferenceDb } from './db/migrations';
import { loadFxFile } from './app/fx-load';
import { OttImportError } from './parse/ott';
import { loadBundledStore } from './app/load-bundled';
import { syncFxLoads } from './app/fx-sync';
import { syncOttLoads } from './app/ott-sync';
import { fxVersions, persistFxLoad, readFxRows } from './db/fx-repo';
import { ottVersions, persistOttLoad, readOttData } from './db/ott-repo';
import { syncOnce } from './ott-api/wiring';
import { WorkbookWorkerPool } from '@customs/spreadsheet';

const USAGE = 'usage: reference-cli load-ott|load-fx <file> [<file> …] | sync-ott [--full] [--commodities C1,C2] [--until YYYY-MM-DD] [--restart]';

/** `sync-ott`: the store knows what is held (bundled + loaded FX, loaded groups) so the sync fetches only what is new. */
async function syncCommand(args: string[], env: Record<string, string | undefined>, out: (line: string) => void): Promise<number> {
  const opt = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const known = new Set(['--full', '--restart', '--commodities', '--until']);
  for (let i = 0; i < args.length; i++) {
    if (!known.has(args[i]!)) {
      out(`sync-ott: unknown argument ${args[i]}\n${USAGE}`);
      return 2;
    }
    if (args[i] === '--commodities' || args[i] === '--until') i++;
  }
  const config = loadConfig(env);
  const db = createDb<ReferenceDb>({ url: config.DATABASE_URL, schema: 'reference', applicationName: 'reference-cli' });
  try {
    await migrateToLatest(db.db as never, 'reference', migrations);
    const store = loadBundledStore(config.REFERENCE_DATA_DIR);
    await syncFxLoads(store, { versions: () => fxVersions(db.db), read: (v) => readFxRows(db.db, v) }, new Set());
    await syncOttLoads(store, { versions: () => ottVersions(db.db), read: (v) => readOttData(db.db, v) }, new Set());
    const r = await syncOnce(config, db.db, store, {
      kind: args.includes('--full') ? 'full' : undefined,
      commodities: opt('--commodities')?.split(',').filter(Boolean),
      until: opt('--until') ?? new Date().toISOString().slice(0, 10),
      restart: args.includes('--restart'),
    });
    out(
      `${r.kind} sync run ${r.runId}${r.resumed ? ' (resumed)' : ''} ${r.sinceDate || '-'}..${r.untilDate}: ${r.commodityCodes.length} commodity code(s), dataset version ${r.datasetVersion || 'none (nothing changed)'}, ${r.tariffChanges} measure change(s), FX ${r.fxVersions.join(', ') || 'none new'}, ${r.stopPress.length} stop-press notice(s); ${r.stats.requests} requests, ${r.stats.retries} retries (${r.stats.rateLimited} rate-limited)`,
    );
    return 0;
  } catch (e) {
    out(`sync-ott: ${(e as Error).message}`);
    return 1;
  } finally {
    await db.close();
  }
}

export async function runCli(argv: string[], env: Record<string, string | undefined> = process.env, out: (line: string) => void = console.log): Promise<number> {
  const [command, ...files] = argv;
  if (command === 'sync-ott') return syncCommand(files, env, out);
  if ((command !== 'load-ott' && command !== 'load-fx') || files.length === 0) {
    out(USAGE);
    return 2;
  }
  const config = loadConfig(env);
  const db = createDb<ReferenceDb>({ url: config.DATABASE_URL, schema: 'reference', applicationName: 'reference-cli' });
  // .xlsx reports are read on a bounded worker thread, with the service's limits.
  const workbooks = new WorkbookWorkerPool({ timeoutMs: config.WORKBOOK_TIMEOUT_MS, maxMemoryMb: config.WORKBOOK_MAX_MEMORY_MB, concurrency: config.WORKBOOK_CONCURRENCY });
  let failed = 0;
  try {
    await migrateToLatest(db.db as never, 'reference', migrations);
    const ports = {
      persist: (source: string, version: string, imp: Parameters<typeof persistOttLoad>[3]) => persistOttLoad(db.db, source, version, imp),
      readSheet: async (source: string, content: Buffer) => (await workbooks.readRows(content, source)).rows,
    };
    const fxPorts = { persist: (source: string, version: string, rows: Parameters<typeof persistFxLoad>[3]) => persistFxLoad(db.db, source, version, rows) };
    for (const file of files) {
      try {
        if (command === 'load-fx') {
          const r = await loadFxFile(new ReferenceStore(), fxPorts, file, fs.readFileSync(file));
          out(
            `${file}: ${r.duplicate ? 'already loaded as' : 'loaded as'} ${r.info.version} (${r.format}, ${r.rows.length} rates ${r.effectiveFrom}..${r.effectiveTo}; previous ${r.previousVersion || 'none'})`,
          );
          continue;
        }
        const r = await loadOttFile(new ReferenceStore(), ports, file, fs.readFileSync(file));
        out(
          `${file}: ${r.duplicate ? 'already loaded as' : 'loaded as'} ${r.info.version} (${r.format}, ${r.measures.length} measures, ${r.commodityCodes.length} commodity codes, ${r.groups.size} groups; previous ${r.previousVersion || 'none'})`,
        );
      } catch (e) {
        failed++;
        if (e instanceof OttImportError) for (const issue of e.issues) out(`${file}: ${issue}`);
        else out(`${file}: ${(e as Error).message}`);
      }
    }
  } finally {
    await workbooks.close();
    await db.close();
  }
  return failed ? 1 : 0;
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      console.error((e as Error).message);
      process.exit(1);
    },
  );
}
