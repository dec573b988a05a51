// Benchmark of the DMS parser over HMRC's sample corpus.
//
//   source scripts/lib-node.sh      (Node 24 on PATH)
//   node [--expose-gc] services/ingestion/src/parse/dms/bench-dms.ts [rounds=20]
//
// Node 24 runs this file with its built-in type stripping. The parser's own modules use extensionless
// imports and `@customs/*` paths that Node cannot resolve by itself, so a small require hook compiles
// them with the repo's TypeScript (transpile only) and maps `@customs/x` to packages/x/src. The file
// is a CommonJS script (no import/export) wrapped in a function so that its names stay local.
(function bench(): void {
  const path = require('node:path');
  const fs = require('node:fs');
  const Module = require('node:module');
  const ts = require('typescript');
  const repoRoot: string = path.resolve(__dirname, '../../../../..');

  const resolveFilename = Module._resolveFilename;
  Module._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
    const m = /^@customs\/([a-z0-9-]+)$/.exec(request);
    const target = m ? path.join(repoRoot, 'packages', m[1], 'src', 'index.ts') : request;
    return resolveFilename.call(this, target, ...rest);
  };
  Module._extensions['.ts'] = (module: { _compile(code: string, file: string): void }, filename: string): void => {
    const source: string = fs.readFileSync(filename, 'utf8');
    const out = ts.transpileModule(source, { fileName: filename, compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } });
    module._compile(out.outputText, filename);
  };

  const { parseDmsDeclaration } = require('./parse-dms');
  const corpus = require('./__fixtures__/corpus');
  const rounds = Number(process.argv[2] ?? 20);

  const all: { name: string; bytes: Buffer }[] = corpus.listSampleFiles().map((name: string) => ({ name, bytes: corpus.readSample(name) }));
  all.push({ name: 'stub/example_accepted_import.xml', bytes: fs.readFileSync(corpus.STUB_EXAMPLE) });
  // Declarations (originals, amendments, cancellations) are what the service ingests; notifications
  // and other rejected files are timed separately so the rates are not mixed.
  const declarations = all.filter((f) => parseDmsDeclaration(f.bytes, { sourceName: f.name }).ok);
  const rejected = all.filter((f) => !declarations.includes(f));
  const mb = (n: number): string => (n / 1024 / 1024).toFixed(1);
  const bytesOf = (fs: { bytes: Buffer }[]): number => fs.reduce((n, f) => n + f.bytes.length, 0);

  function time(set: { name: string; bytes: Buffer }[]): { seconds: number; items: number; latencies: number[] } {
    for (const f of set) parseDmsDeclaration(f.bytes, { sourceName: f.name }); // warm-up
    const latencies: number[] = [];
    let items = 0;
    const started = process.hrtime.bigint();
    for (let r = 0; r < rounds; r++) {
      for (const f of set) {
        const t0 = process.hrtime.bigint();
        const res = parseDmsDeclaration(f.bytes, { sourceName: f.name });
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        if (res.ok) items += res.declaration.items.length;
      }
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
    latencies.sort((a, b) => a - b);
    return { seconds: Number(process.hrtime.bigint() - started) / 1e9, items, latencies };
  }
  const pct = (l: number[], p: number): string => l[Math.min(l.length - 1, Math.floor((p / 100) * l.length))]!.toFixed(3);

  const rssBefore = process.memoryUsage().rss;
  let peakRss = rssBefore;
  const d = time(declarations);
  const x = time(rejected);
  const n = declarations.length * rounds;
  console.log(`${rounds} rounds; declarations: ${declarations.length} files (${mb(bytesOf(declarations))} MiB), rejected/notifications: ${rejected.length} files (${mb(bytesOf(rejected))} MiB)`);
  console.log(`declarations/s: ${(n / d.seconds).toFixed(0)}  items/s: ${(d.items / d.seconds).toFixed(0)}  MiB/s: ${((bytesOf(declarations) * rounds) / 1024 / 1024 / d.seconds).toFixed(1)}`);
  console.log(`declaration latency ms: p50 ${pct(d.latencies, 50)}  p99 ${pct(d.latencies, 99)}  max ${pct(d.latencies, 100)}`);
  console.log(`rejected documents/s: ${((rejected.length * rounds) / x.seconds).toFixed(0)}  latency ms: p50 ${pct(x.latencies, 50)}  p99 ${pct(x.latencies, 99)}`);
  console.log(`RSS: ${mb(rssBefore)} MiB before timing (includes the TypeScript compiler loaded by this script), peak ${mb(peakRss)} MiB`);
  // With --expose-gc: live heap after a full collection, to tell retained memory from uncollected garbage.
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    console.log(`heap used after full GC: ${mb(process.memoryUsage().heapUsed)} MiB`);
  }
})();
