#!/usr/bin/env node
// customs-submit: sends a declaration file, or every file of a folder, to the ingestion REST API
// with a progress bar, and prints what was accepted, duplicated or rejected (with the reasons).
// Exit codes in USAGE: 0 all accepted, 2 some rejected, 64 a bad command line.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';

import { EXIT_USAGE, readArgs, runCommandLine, UsageError } from '@customs/config';

/** Exit codes (documented in USAGE and the service README). */
export const EXIT = {
  /** Every file accepted or already ingested. */
  ok: 0,
  /** The run could not proceed (a folder that cannot be read …). */
  error: 1,
  /** Some files were rejected, partially accepted or failed to send: see the listed reasons. */
  someRejected: 2,
  /** Bad command line (sysexits EX_USAGE). */
  usage: EXIT_USAGE,
} as const;

// The service's package version (services/ingestion/package.json, beside src/ and dist/).
const VERSION = (require('../package.json') as { version: string }).version;

// The service's DOCUMENT_FORMATS (app/formats.ts; cli.unit.test.ts keeps them equal), not imported so
// the CLI does not load the parsers.
export const FORMATS = ['dms-xml', 'cds-report', 'chief-mss', 'erp-json', 'erp-csv', 'ddes-csv'] as const;

interface Options {
  url: string;
  token: string;
  format: string;
  concurrency: number;
  quiet: boolean;
  exclude?: RegExp;
}

export const USAGE = `usage: customs-submit <file-or-folder> [options]
Sends a declaration file, or every file of a folder, to the ingestion REST API and prints what
was accepted, already ingested or rejected (with the reasons).

options:
  --url URL          ingestion base URL (default $CUSTOMS_INGESTION_URL or http://127.0.0.1:8081)
  --token TOKEN      API token with the integrator role (default $CUSTOMS_TOKEN)
  --format FORMAT    ${FORMATS.join(' | ')} (default dms-xml)
  --concurrency N    files sent at once, 1-64 (default 4)
  --exclude REGEX    paths to skip in a folder (e.g. 'Notifications|DIS_Report')
  --quiet            no progress bar
  -h, --help         this text
  --version          the version

exit codes:
  0   every file accepted or already ingested
  1   the run could not proceed (unreadable path, …)
  2   some files rejected, partially accepted or not sent (each listed with its reason)
  64  bad command line`;

function parseCommandLine(argv: string[], env: Record<string, string | undefined>): 'help' | 'version' | { target: string; opts: Options } {
  const { values, positionals } = readArgs(argv, OPTIONS);
  if (values.help) return 'help';
  if (values.version) return 'version';
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'a file or folder to send is required' : `one file or folder, got ${positionals.length}`);
  const format = values.format ?? 'dms-xml';
  if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got "${format}"`);
  const concurrency = values.concurrency === undefined ? 4 : Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new UsageError(`--concurrency must be a whole number from 1 to 64, got "${values.concurrency}"`);
  let exclude: RegExp | undefined;
  try {
    exclude = values.exclude === undefined ? undefined : new RegExp(values.exclude);
  } catch (e) {
    throw new UsageError(`--exclude is not a regular expression: ${(e as Error).message}`);
  }
  const url = values.url ?? env.CUSTOMS_INGESTION_URL ?? 'http://127.0.0.1:8081';
  try {
    if (!/^https?:$/.test(new URL(url).protocol)) throw new Error('not http(s)');
  } catch {
    throw new UsageError(`--url must be an http(s) URL, got "${url}"`);
  }
  const token = values.token ?? env.CUSTOMS_TOKEN ?? '';
  if (!token) throw new UsageError('no API token: pass --token or set CUSTOMS_TOKEN');
  return { target: positionals[0]!, opts: { url, token, format, concurrency, quiet: values.quiet ?? false, exclude } };
}

const OPTIONS = {
  url: { type: 'string' },
  token: { type: 'string' },
  format: { type: 'string' },
  concurrency: { type: 'string' },
  exclude: { type: 'string' },
  quiet: { type: 'boolean' },
} as const;

function listFiles(target: string, format: string, exclude?: RegExp): string[] {
  const st = fs.statSync(target);
  if (st.isFile()) return [target];
  const ext = format === 'dms-xml' ? /\.xml$/i : /\.(csv|json)$/i;
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (ext.test(e.name) && !exclude?.test(p)) out.push(p);
    }
  };
  walk(target);
  return out;
}

function progress(done: number, total: number, quiet: boolean): void {
  if (quiet || !process.stderr.isTTY) return;
  const width = 30;
  const filled = Math.round((done / Math.max(total, 1)) * width);
  process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
}

/** The CLI: returns its exit code (EXIT); `out` gets the report, `err` usage and errors. */
export async function runCli(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
  out: (line: string) => void = console.log,
  err: (line: string) => void = console.error,
): Promise<number> {
  return runCommandLine({ name: 'customs-submit', version: VERSION, usage: USAGE, out, err, parse: () => parseCommandLine(argv, env), run: (command) => submit(command, out, err) });
}

async function submit({ target, opts }: { target: string; opts: Options }, out: (line: string) => void, err: (line: string) => void): Promise<number> {
  let files: string[];
  try {
    files = listFiles(target, opts.format, opts.exclude);
  } catch (e) {
    err(`customs-submit: ${(e as Error).message}`);
    return EXIT.error;
  }
  const counts = { accepted: 0, partially_accepted: 0, duplicate: 0, rejected: 0, failed: 0 };
  const rejected: string[] = [];
  let done = 0;
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const file = files[next++]!;
      const rel = path.relative(process.cwd(), file);
      try {
        // CDS reports are streamed from disk (the service commits them in chunks, any size);
        // other formats are small and sent whole.
        const streamed = opts.format === 'cds-report';
        const res = await fetch(`${opts.url.replace(/\/$/, '')}/v1/documents?format=${encodeURIComponent(opts.format)}&filename=${encodeURIComponent(rel)}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${opts.token}`, 'content-type': opts.format === 'dms-xml' ? 'application/xml' : streamed ? 'text/csv' : 'application/octet-stream' },
          body: streamed ? (Readable.toWeb(fs.createReadStream(file)) as ReadableStream) : fs.readFileSync(file),
          duplex: 'half',
        } as RequestInit);
        const body = (await res.json()) as { status?: keyof typeof counts; issues?: { location: string; field: string; reason: string; line?: number }[]; message?: string };
        if (body.status && body.status in counts) counts[body.status]++;
        else counts.failed++;
        if (body.status === 'rejected' || !res.ok) {
          const first = body.issues?.[0];
          rejected.push(`${rel}: ${first ? `${first.location}${first.line ? ` (line ${first.line})` : ''} ${first.field}: ${first.reason}` : `HTTP ${res.status} ${body.message ?? ''}`}`);
        }
      } catch (e) {
        counts.failed++;
        rejected.push(`${rel}: ${(e as Error).message}`);
      }
      progress(++done, files.length, opts.quiet);
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency, files.length) }, worker));
  if (!opts.quiet && process.stderr.isTTY) process.stderr.write('\n');
  out(
    `${files.length} file(s): ${counts.accepted} accepted, ${counts.partially_accepted} partially accepted, ${counts.duplicate} already ingested, ${counts.rejected} rejected, ${counts.failed} failed`,
  );
  for (const r of rejected) out(`  rejected ${r}`);
  return counts.rejected + counts.partially_accepted + counts.failed > 0 ? EXIT.someRejected : EXIT.ok;
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      console.error(`customs-submit: ${(e as Error).message}`);
      process.exit(EXIT.error);
    },
  );
}
