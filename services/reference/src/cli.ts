// Operator CLI of the reference service (reference-cli --help lists commands, options and exit codes).
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
import { ConfigError, EXIT_CONFIG, EXIT_USAGE, readArgs, runCommandLine, UsageError } from '@customs/config';
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

/** Exit codes (in USAGE and the service README). */
export const EXIT = {
  /** Every file loaded (or already loaded); the sync completed. */
  ok: 0,
  /** The run could not proceed: the database or the OTT API unreachable, a sync failed. */
  error: 1,
  /** Some files were rejected (each listed with its reasons); the others were loaded. */
  someRejected: 2,
  /** Bad command line (sysexits EX_USAGE). */
  usage: EXIT_USAGE,
} as const;

// The service's package version (services/reference/package.json, beside src/ and dist/).
const VERSION = (require('../package.json') as { version: string }).version;

export const USAGE = `usage: reference-cli <command> [options]
Loads reference data into the reference service's database (DATABASE_URL and the OTT_API_*
settings, as the service reads them); each load becomes a new dataset version and emits
reference.dataset.changed.v1 through the outbox.

commands:
  load-ott <file> [<file> …]   OTT files: API commodity JSON, or the declarable-duties report as CSV or .xlsx
  load-fx <file> [<file> …]    HMRC monthly exchange rates (XML or CSV)
  sync-ott [options]           sync from the Online Trade Tariff API, incremental from the last
                               completed sync, resuming a broken one
    --full                     a full sync instead of an incremental one
    --commodities C1,C2        only these commodity codes
    --until YYYY-MM-DD         sync up to this day (default today)
    --restart                  start over instead of resuming a broken sync

options:
  -h, --help                   this text
  --version                    the version

exit codes:
  0   every file loaded or already loaded; the sync completed
  1   the run could not proceed (database or OTT API unreachable, sync failed)
  2   some files rejected (each listed with its reasons)
  64  bad command line
  78  bad configuration (an environment variable, named)`;

type Command = { kind: 'load-ott' | 'load-fx'; files: string[] } | { kind: 'sync-ott'; full: boolean; restart: boolean; commodities?: string[]; until?: string };

function parseCommandLine(argv: string[]): Command | 'help' | 'version' {
  const { values, positionals } = readArgs(argv, {
    full: { type: 'boolean' },
    restart: { type: 'boolean' },
    commodities: { type: 'string' },
    until: { type: 'string' },
  });
  if (values.help) return 'help';
  if (values.version) return 'version';
  const [command, ...rest] = positionals;
  if (command === undefined) throw new UsageError('a command is required');
  if (command === 'load-ott' || command === 'load-fx') {
    const stray = (['full', 'restart', 'commodities', 'until'] as const).find((k) => values[k] !== undefined);
    if (stray) throw new UsageError(`--${stray} is an option of sync-ott, not ${command}`);
    if (rest.length === 0) throw new UsageError(`${command} needs at least one file`);
    return { kind: command, files: rest };
  }
  if (command === 'sync-ott') {
    if (rest.length) throw new UsageError(`sync-ott takes no arguments, got "${rest[0]}"`);
    if (values.until !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(values.until)) throw new UsageError(`--until must be a day as YYYY-MM-DD, got "${values.until}"`);
    const commodities = values.commodities?.split(',').filter(Boolean);
    return { kind: 'sync-ott', full: values.full ?? false, restart: values.restart ?? false, commodities, until: values.until };
  }
  throw new UsageError(`unknown command "${command}"`);
}

/** `sync-ott`: the store knows what is held (bundled + loaded FX, loaded groups) so the sync fetches only what is new. */
async function syncCommand(command: Extract<Command, { kind: 'sync-ott' }>, env: Record<string, string | undefined>, out: (line: string) => void): Promise<number> {
  const config = loadConfig(env);
  const db = createDb<ReferenceDb>({ url: config.DATABASE_URL, schema: 'reference', applicationName: 'reference-cli' });
  try {
    await migrateToLatest(db.db as never, 'reference', migrations);
    const store = loadBundledStore(config.REFERENCE_DATA_DIR);
    await syncFxLoads(store, { versions: () => fxVersions(db.db), read: (v) => readFxRows(db.db, v) }, new Set());
    await syncOttLoads(store, { versions: () => ottVersions(db.db), read: (v) => readOttData(db.db, v) }, new Set());
    const r = await syncOnce(config, db.db, store, {
      kind: command.full ? 'full' : undefined,
      commodities: command.commodities,
      until: command.until ?? new Date().toISOString().slice(0, 10),
      restart: command.restart,
    });
    out(
      `${r.kind} sync run ${r.runId}${r.resumed ? ' (resumed)' : ''} ${r.sinceDate || '-'}..${r.untilDate}: ${r.commodityCodes.length} commodity code(s), dataset version ${r.datasetVersion || 'none (nothing changed)'}, ${r.tariffChanges} measure change(s), FX ${r.fxVersions.join(', ') || 'none new'}, ${r.stopPress.length} stop-press notice(s); ${r.stats.requests} requests, ${r.stats.retries} retries (${r.stats.rateLimited} rate-limited)`,
    );
    return 0;
  } catch (e) {
    out(`sync-ott: ${(e as Error).message}`);
    return EXIT.error;
  } finally {
    await db.close();
  }
}

/** The CLI: returns its exit code (EXIT); `out` gets the report, `err` usage errors. */
export async function runCli(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
  out: (line: string) => void = console.log,
  err: (line: string) => void = console.error,
): Promise<number> {
  return runCommandLine({ name: 'reference-cli', version: VERSION, usage: USAGE, out, err, parse: () => parseCommandLine(argv), run: (command) => runCommand(command, env, out) });
}

async function runCommand(parsed: Command, env: Record<string, string | undefined>, out: (line: string) => void): Promise<number> {
  if (parsed.kind === 'sync-ott') return syncCommand(parsed, env, out);
  const { kind: command, files } = parsed;
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
  return failed ? EXIT.someRejected : EXIT.ok;
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      console.error(`reference-cli: ${(e as Error).message}`);
      process.exit(e instanceof ConfigError ? EXIT_CONFIG : EXIT.error);
    },
  );
}
