// Every workspace declares what it imports: each bare import in a workspace's source (imports,
// dynamic imports, requires; found by TypeScript's own pre-processor, so comments and strings do
// not count) resolves to a package in that workspace's package.json — dependencies for code that
// ships, dependencies or devDependencies for tests and fixtures. The root package.json declares
// what scripts/ imports, plus the repository's tooling. No service imports another service's
// dist/ (validation prices duty through packages/duty, docs/adr/0006).
import * as fs from 'node:fs';
import { builtinModules } from 'node:module';
import * as path from 'node:path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '..');
const SKIP_DIRS = new Set(['node_modules', 'dist', 'data', 'fixtures', 'screenshots']);
const TEST_FILE = /(\.test\.[cm]?[jt]sx?$)|(\/__fixtures__\/)|(\/e2e\/)|(\/test\/)|(\/hostile\/)|(\/bench-[^/]+$)/;

interface Workspace {
  dir: string;
  manifest: { name: string; dependencies?: Record<string, string>; devDependencies?: Record<string, string>; peerDependencies?: Record<string, string> };
  sourceDirs: string[];
}

function workspaces(): Workspace[] {
  const out: Workspace[] = [];
  for (const group of ['packages', 'services', 'apps']) {
    for (const name of fs.readdirSync(path.join(ROOT, group)).sort()) {
      const dir = path.join(group, name);
      const manifestPath = path.join(ROOT, dir, 'package.json');
      if (!fs.existsSync(manifestPath)) continue;
      const sourceDirs = fs
        .readdirSync(path.join(ROOT, dir), { withFileTypes: true })
        .filter((e) => e.isDirectory() && !SKIP_DIRS.has(e.name))
        .map((e) => path.join(dir, e.name));
      out.push({ dir, manifest: JSON.parse(fs.readFileSync(manifestPath, 'utf8')), sourceDirs });
    }
  }
  out.push({ dir: '.', manifest: JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')), sourceDirs: ['scripts'] });
  return out;
}

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name)) sourceFiles(rel, out);
    } else if (/\.(ts|tsx|js|mjs|cjs)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

/** The package a bare specifier names ('@scope/pkg/sub' → '@scope/pkg'), or undefined for a relative path or a Node built-in. */
function packageOf(spec: string): string | undefined {
  if (spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('node:')) return undefined;
  const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
  return builtinModules.includes(name) ? undefined : name;
}

function importsOf(file: string): string[] {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const info = ts.preProcessFile(text, true, true);
  // require.resolve of a package loads it too (ingestion hands libxml2-wasm's path to a worker).
  const resolved = [...text.matchAll(/\brequire\.resolve\(\s*['"]([^'"]+)['"]/g)].map((m) => m[1]!);
  return [...info.importedFiles.map((f) => f.fileName), ...resolved];
}

describe('workspace dependencies', () => {
  const all = workspaces();

  it('finds the workspaces and their sources', () => {
    expect(all.map((w) => w.dir)).toEqual(expect.arrayContaining(['packages/telemetry', 'services/ingestion', 'apps/console', '.']));
    for (const w of all) expect({ workspace: w.dir, files: w.sourceDirs.flatMap((d) => sourceFiles(d)).length > 0 }).toEqual({ workspace: w.dir, files: true });
  });

  it.each(all.map((w) => [w.dir, w] as const))('%s declares every package it imports', (_dir, w) => {
    const shipped = new Set([...Object.keys(w.manifest.dependencies ?? {}), ...Object.keys(w.manifest.peerDependencies ?? {})]);
    const dev = new Set(Object.keys(w.manifest.devDependencies ?? {}));
    const missing = new Set<string>();
    for (const file of w.sourceDirs.flatMap((d) => sourceFiles(d))) {
      const test = TEST_FILE.test(file) || w.dir === '.';
      for (const spec of importsOf(file)) {
        const pkg = packageOf(spec);
        if (!pkg || pkg === w.manifest.name) continue;
        if (shipped.has(pkg) || (test && dev.has(pkg))) continue;
        missing.add(`${pkg} (${file})`);
      }
    }
    expect([...missing].sort()).toEqual([]);
  });

  it('no service imports another service’s build output (dist/)', () => {
    const found: string[] = [];
    for (const w of all.filter((x) => x.dir !== '.'))
      for (const file of w.sourceDirs.flatMap((d) => sourceFiles(d)))
        for (const spec of importsOf(file)) {
          const target = /(?:^|\/)services\/([^/]+)\/dist(?:\/|$)/.exec(spec)?.[1] ?? /^@customs\/([^/]+)\/dist/.exec(spec)?.[1];
          if (target && fs.existsSync(path.join(ROOT, 'services', target)) && w.dir !== `services/${target}`) found.push(`${file}: ${spec}`);
        }
    expect(found).toEqual([]);
  });
});
