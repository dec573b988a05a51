// Operator CLI of the reference service.
//   node dist/cli.js load-ott <file> [<file> …]   load OTT files (API commodity JSON, or the
//                                                 declarable-duties report as CSV or .xlsx) into the database
//   node dist/cli.js load-fx <file> [<file> …]    load HMRC monthly exchange rates (XML or CSV)
// Each file becomes a new dataset version and emits reference.dataset.changed.v1 through the
// outbox (relayed by the running service, which also picks the measures up within
// REFERENCE_SYNC_INTERVAL_MS). Uses DATABASE_URL like the service.
import * as fs from 'node:fs';
import { createDb, migrateToLatest } from '@customs/db';
import { loadOttFile } from './app/ott-load';
import { ReferenceStore } from './app/store';
import { loadConfig } from './config';
import { migrations, type ReferenceDb } from './db/migrations';
import { persistOttLoad } from './db/ott-repo';
import { persistFxLoad } from './db/fx-repo';
import { loadFxFile } from './app/fx-load';
import { OttImportError } from './parse/ott';
import { WorkbookWorkerPool } from '@customs/spreadsheet';

const USAGE = 'usage: reference-cli load-ott|load-fx <file> [<file> …]';

export async function runCli(argv: string[], env: Record<string, string | undefined> = process.env, out: (line: string) => void = console.log): Promise<number> {
  const [command, ...files] = argv;
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
          out(`${file}: ${r.duplicate ? 'already loaded as' : 'loaded as'} ${r.info.version} (${r.format}, ${r.rows.length} rates ${r.effectiveFrom}..${r.effectiveTo}; previous ${r.previousVersion || 'none'})`);
          continue;
        }
        const r = await loadOttFile(new ReferenceStore(), ports, file, fs.readFileSync(file));
        out(`${file}: ${r.duplicate ? 'already loaded as' : 'loaded as'} ${r.info.version} (${r.format}, ${r.measures.length} measures, ${r.commodityCodes.length} commodity codes, ${r.groups.size} groups; previous ${r.previousVersion || 'none'})`);
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
