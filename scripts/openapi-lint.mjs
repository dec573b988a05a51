#!/usr/bin/env node
// Lints the OpenAPI documents the running services serve (GET /openapi.json), with the ruleset in
// redocly.yaml (@redocly/openapi-core, the engine of `redocly lint`). The documents come from the
// real apps: packages/testing/e2e/api-input.e2e.test.ts starts the five services and
// packages/testing/e2e/list-pages.e2e.test.ts reporting, and each writes its documents to
// .run/openapi/<service>.json; make test runs this after jest, and a missing service's document is
// an error (a lint that silently skips one passes nothing). With URLs as arguments it lints those instead (e.g. a `make up` stack:
// node scripts/openapi-lint.mjs http://127.0.0.1:8081/openapi.json …).
// Exit 0: no errors (warnings are printed); 1: errors, or no document to lint.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { lint, loadConfig } from '@redocly/openapi-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const config = await loadConfig({ configPath: path.join(root, 'redocly.yaml') });

let refs = process.argv.slice(2);
if (refs.length === 0) {
  const dir = path.join(root, '.run/openapi');
  refs = fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .map((f) => path.join(dir, f))
    : [];
  if (refs.length === 0) {
    console.error('openapi-lint: no documents in .run/openapi (written by packages/testing/e2e/api-input.e2e.test.ts); run it first');
    process.exit(1);
  }
  const missing = ['ingestion', 'reference', 'validation', 'scoring', 'alerting', 'reporting'].filter((s) => !refs.some((r) => path.basename(r) === `${s}.json`));
  if (missing.length) {
    console.error(`openapi-lint: no document for ${missing.join(', ')} in .run/openapi (api-input and list-pages e2e write them); run them first`);
    process.exit(1);
  }
}

let errors = 0;
let warnings = 0;
for (const ref of refs) {
  let target = ref;
  if (/^https?:\/\//.test(ref)) {
    const res = await fetch(ref);
    if (!res.ok) {
      console.error(`${ref}: HTTP ${res.status}`);
      errors++;
      continue;
    }
    target = path.join(fs.mkdtempSync(path.join(root, '.run/openapi-')), 'openapi.json');
    fs.writeFileSync(target, await res.text());
  }
  const problems = await lint({ ref: target, config });
  const name = path.relative(root, ref) || ref;
  for (const p of problems) {
    const where = p.location?.[0]?.pointer ?? '';
    console.log(`${name}: ${p.severity} ${p.ruleId}: ${p.message}${where ? ` at ${where}` : ''}`);
    if (p.severity === 'error') errors++;
    else warnings++;
  }
  console.log(`${name}: ${problems.filter((p) => p.severity === 'error').length} errors, ${problems.filter((p) => p.severity !== 'error').length} warnings`);
}
console.log(`openapi-lint: ${refs.length} documents, ${errors} errors, ${warnings} warnings`);
process.exit(errors ? 1 : 0);
