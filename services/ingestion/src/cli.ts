#!/usr/bin/env node
// customs-submit: sends a declaration file, or every file of a folder, to the ingestion REST API
// with a progress bar, and prints what was accepted, duplicated or rejected (with the reasons).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';

interface Options {
  url: string;
  token: string;
  format: string;
  concurrency: number;
  quiet: boolean;
  exclude?: RegExp;
}

const USAGE = `usage: customs-submit <file-or-folder> [--url URL] [--token TOKEN] [--format dms-xml|cds-report|chief-mss|erp-json|erp-csv] [--concurrency N] [--quiet]
  --url      ingestion base URL (default $CUSTOMS_INGESTION_URL or http://127.0.0.1:8081)
  --token    API token with the integrator role (default $CUSTOMS_TOKEN)
  --format   document format (default dms-xml)
  --exclude  regular expression of paths to skip in a folder (e.g. 'Notifications|DIS_Report')`;

function parseArgs(argv: string[]): { target: string; opts: Options } {
  const opts: Options = { url: process.env.CUSTOMS_INGESTION_URL ?? 'http://127.0.0.1:8081', token: process.env.CUSTOMS_TOKEN ?? '', format: 'dms-xml', concurrency: 4, quiet: false };
  let target = '';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value\n${USAGE}`);
      return v;
    };
    if (a === '--url') opts.url = next();
    else if (a === '--token') opts.token = next();
    else if (a === '--format') opts.format = next();
    else if (a === '--concurrency') opts.concurrency = Math.max(1, Number(next()) || 1);
    else if (a === '--quiet') opts.quiet = true;
    else if (a === '--exclude') opts.exclude = new RegExp(next());
    else if (a === '--help' || a === '-h') throw new Error(USAGE);
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}\n${USAGE}`);
    else target = a;
  }
  if (!target) throw new Error(USAGE);
  if (!opts.token) throw new Error('no API token: pass --token or set CUSTOMS_TOKEN');
  return { target, opts };
}

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

async function main(): Promise<number> {
  const { target, opts } = parseArgs(process.argv.slice(2));
  const files = listFiles(target, opts.format, opts.exclude);
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
  console.log(
    `${files.length} file(s): ${counts.accepted} accepted, ${counts.partially_accepted} partially accepted, ${counts.duplicate} already ingested, ${counts.rejected} rejected, ${counts.failed} failed`,
  );
  for (const r of rejected) console.log(`  rejected ${r}`);
  return counts.failed > 0 ? 2 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error((e as Error).message);
    process.exit(1);
  },
);
