import * as fs from 'node:fs';
import * as path from 'node:path';

// The room plan every service follows (docs/adr/0005-alerting-layout-and-correlation.md, DESIGN
// §5), enforced on the source itself rather than by review:
//  1. Pure cores — rules/, scoring/, policies/, and the pure packages duty/ and legal-clock/ —
//     decide from their inputs and a clock they are given: no infrastructure (Kafka, Postgres,
//     gRPC, HTTP, the platform's adapters), no file, network, process or thread I/O, no reading
//     the clock or the environment.
//  2. Parsers (parse/) take bytes and return data: no infrastructure either.
//  3. A service never imports another service's source or build output; what two services share
//     lives in packages/ (contracts, duty engine, legal clock, reference client) or crosses Kafka/gRPC.
//  4. packages/ never import a service.
//  5. All SQL lives in a service's db/ repositories: no other file of a service builds a query
//     (kysely's insertInto/selectFrom/updateTable/deleteFrom, or the sql template tag).
// Tests may read fixtures (node:fs) and, for whole-pipeline quality measurements, other services'
// parsers: test files are checked only against rule 1's infrastructure list.

const ROOT = path.resolve(__dirname, '..');
const SERVICES = fs.readdirSync(path.join(ROOT, 'services')).filter((d) => fs.existsSync(path.join(ROOT, 'services', d, 'src')));
const PACKAGES = fs.readdirSync(path.join(ROOT, 'packages')).filter((d) => fs.existsSync(path.join(ROOT, 'packages', d, 'src')));

const INFRASTRUCTURE = [
  /^kafkajs$/,
  /^pg$/,
  /^pg-/,
  /^kysely/,
  /^@grpc\//,
  /^fastify/,
  /^@fastify\//,
  /^@opentelemetry\//,
  /^prom-client$/,
  /^pino/,
  /^@customs\/(db|kafka|grpc|http|service|telemetry|testing)$/,
];
const IO_MODULES = /^(node:)?(fs|fs\/promises|net|http|https|http2|tls|dgram|dns|child_process|worker_threads|cluster|os|process|readline|v8|vm)$/;
const PURE_CORES = ['rules', 'scoring', 'policies', 'duty'];
/** Packages that are pure cores themselves (shared business rules: the duty engine, the legal clock). */
const PURE_PACKAGES = ['duty', 'legal-clock'];
const AMBIENT = [
  { re: /\bDate\.now\(\)/, what: 'reads the clock (Date.now()); take `now` as a parameter' },
  { re: /\bnew Date\(\)/, what: 'reads the clock (new Date()); take `now` as a parameter' },
  { re: /\bprocess\.(env|argv|exit|cwd)\b/, what: 'reads the process environment; take it as configuration' },
  { re: /\bMath\.random\(\)/, what: 'is non-deterministic (Math.random()); take randomness as an input' },
];

function walk(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'dist' || e.name === 'generated') continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Module specifiers of static imports, re-exports, dynamic imports and require calls. */
function importsOf(source: string): string[] {
  const specs: string[] = [];
  const re = /(?:\bimport\s+(?:type\s+)?(?:[\w*{}\s,]+\s+from\s+)?|\bexport\s+(?:type\s+)?(?:\*|\{[^}]*\})\s+from\s+|\bimport\(\s*|\brequire\(\s*)['"]([^'"]+)['"]/g;
  for (let m = re.exec(source); m; m = re.exec(source)) specs.push(m[1]!);
  return specs;
}

/** Comments and string contents blanked, so a clock call in a comment or message does not count. */
function codeOnly(source: string): string {
  return source
    .replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '))
    .replace(/\/\/[^\n]*/g, '')
    .replace(/(['"`])(?:\\.|(?!\1)[^\\\n])*\1/g, (s) => s[0] + ' '.repeat(Math.max(0, s.length - 2)) + s[0]);
}

interface Located {
  file: string;
  layer: 'pure' | 'parse' | 'service' | 'package';
  /** "services" or "packages", and the folder under it. */
  home: 'services' | 'packages';
  owner: string;
  test: boolean;
}

function locate(file: string): Located | undefined {
  const rel = path.relative(ROOT, file).split(path.sep);
  const test = /\.test\.ts$/.test(file) || rel.includes('__fixtures__');
  if (rel[0] === 'services' && rel[2] === 'src') {
    const folder = rel[3]!;
    return { file: rel.join('/'), home: 'services', owner: rel[1]!, test, layer: PURE_CORES.includes(folder) && rel.length > 4 ? 'pure' : folder === 'parse' && rel.length > 4 ? 'parse' : 'service' };
  }
  if (rel[0] === 'packages' && rel[2] === 'src') return { file: rel.join('/'), home: 'packages', owner: rel[1]!, test, layer: PURE_PACKAGES.includes(rel[1]!) ? 'pure' : 'package' };
  return undefined;
}

function violationsOf(file: string): string[] {
  const loc = locate(file);
  if (!loc) return [];
  const source = fs.readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const spec of importsOf(source)) {
    if (loc.layer === 'pure' || loc.layer === 'parse') {
      // Tests of a core may use the test helpers; the core itself may not.
      if (INFRASTRUCTURE.some((r) => r.test(spec)) && !(loc.test && spec === '@customs/testing'))
        out.push(`${loc.file}: a ${loc.layer === 'pure' ? 'pure core' : 'parser'} imports infrastructure "${spec}"`);
      if (!loc.test && loc.layer === 'pure' && IO_MODULES.test(spec)) out.push(`${loc.file}: a pure core imports I/O module "${spec}"`);
    }
    if (loc.test) continue;
    const byName = /^@customs\/([^/]+)/.exec(spec)?.[1];
    if (byName && SERVICES.includes(byName) && byName !== loc.owner) {
      out.push(
        loc.home === 'packages'
          ? `${loc.file}: package ${loc.owner} imports service ${byName}; packages hold shared plumbing only`
          : `${loc.file}: imports service ${byName} ("${spec}"); share through packages/ or call it over gRPC/Kafka`,
      );
    }
    if (spec.startsWith('.')) {
      // A relative import stays inside its own service or package.
      const target = path.relative(ROOT, path.resolve(path.dirname(file), spec)).split(path.sep);
      if (target[0] !== loc.home || target[1] !== loc.owner) out.push(`${loc.file}: imports ${target.slice(0, 2).join('/')} by path ("${spec}"); use its @customs/ name, or Kafka/gRPC for a service`);
    }
  }
  if (loc.layer === 'pure' && !loc.test) {
    const code = codeOnly(source);
    for (const a of AMBIENT) if (a.re.test(code)) out.push(`${loc.file}: a pure core ${a.what}`);
  }
  return out;
}

describe('import boundaries (the room plan of every service)', () => {
  const files = [...SERVICES.flatMap((s) => walk(path.join(ROOT, 'services', s, 'src'))), ...PACKAGES.flatMap((p) => walk(path.join(ROOT, 'packages', p, 'src')))];

  it('finds the code it polices', () => {
    expect(SERVICES).toEqual(expect.arrayContaining(['ingestion', 'reference', 'validation', 'scoring', 'alerting']));
    expect(files.filter((f) => locate(f)?.layer === 'pure').length).toBeGreaterThan(50);
    expect(locate(path.join(ROOT, 'packages', 'legal-clock', 'src', 'index.ts'))?.layer).toBe('pure');
  });

  it('pure cores import no infrastructure and read no clock; no service imports another; packages import no service', () => {
    const violations = files.flatMap(violationsOf);
    expect(violations).toEqual([]);
  });

  it('catches what it is meant to catch', () => {
    expect(importsOf("import { x } from 'kafkajs';\nimport type { Y } from '@customs/db';\nconst z = require('pg');\nexport * from './a';\nawait import('node:fs');")).toEqual([
      'kafkajs',
      '@customs/db',
      'pg',
      './a',
      'node:fs',
    ]);
    expect(codeOnly("// Date.now() in a comment\nconst s = 'new Date()';")).not.toMatch(/Date/);
    expect(codeOnly('const t = Date.now();')).toMatch(/Date\.now\(\)/);
  });

  // Files that still build queries outside db/, each with why it has not moved yet. The list must
  // stay exact: a file that no longer does drops out (the test says so), a new one is refused.
  const SQL_OUTSIDE_DB: Record<string, string> = {
    'services/ingestion/src/app/ingest.ts':
      'the declaration store (versions, invoice references, pending changes, merges): its statements are interleaved with the versioning decisions and move with that split',
    'services/ingestion/src/app/stream-cds.ts': "the streamed report's per-chunk batch bookkeeping, on the stream worker's own connections",
  };

  it('keeps SQL in the db/ repositories', () => {
    const QUERY = /\.(insertInto|selectFrom|updateTable|deleteFrom)\(|\bsql(<[^>]*>)?`/;
    const serviceFiles = SERVICES.flatMap((svc) => walk(path.join(ROOT, 'services', svc, 'src')));
    const building = serviceFiles
      .map((f) => path.relative(ROOT, f).split(path.sep).join('/'))
      .filter((f) => !/\.test\.ts$/.test(f) && !f.includes('/__fixtures__/') && !/^services\/[^/]+\/src\/db\//.test(f))
      .filter((f) => QUERY.test(fs.readFileSync(path.join(ROOT, f), 'utf8')));
    expect(building.sort()).toEqual(Object.keys(SQL_OUTSIDE_DB).sort());
    expect(QUERY.test("await trx.selectFrom('alerts')")).toBe(true);
    expect(QUERY.test('sql<{ n: string }>`select 1`')).toBe(true);
    expect(QUERY.test("import { sql } from '@customs/db';")).toBe(false);
  });
});
