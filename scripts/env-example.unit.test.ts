// .env.example lists every variable the services and the console read (their configuration schemas, read through
// each service's loadConfig) with a meaning, lists nothing that is not read, and its values are
// valid for every service.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SUPPORTED_OTEL_VARIABLES } from '@customs/config';
import { loadConfig as alerting } from '../services/alerting/src/config';
import { loadConfig as ingestion } from '../services/ingestion/src/config';
import { loadConfig as reference } from '../services/reference/src/config';
import { loadConfig as reporting } from '../services/reporting/src/config';
import { loadConfig as scoring } from '../services/scoring/src/config';
import { loadConfig as validation } from '../services/validation/src/config';
import { loadConsoleConfig as console } from '../apps/console/src/config';

const SERVICES = { ingestion, reference, validation, scoring, alerting, reporting, console } as Record<string, (env: Record<string, string | undefined>) => object>;
// Read by the CLIs, not by a service's schema (services/ingestion/src/cli.ts).
const CLI_VARIABLES = ['CUSTOMS_INGESTION_URL', 'CUSTOMS_TOKEN'];

interface Entry {
  name: string;
  value: string;
  meaning: string;
}

function readExample(): Entry[] {
  const lines = fs.readFileSync(path.join(__dirname, '..', '.env.example'), 'utf8').split('\n');
  const entries: Entry[] = [];
  let comments: string[] = [];
  let afterVariable = false;
  for (const line of lines) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (m) {
      // Consecutive variables share the comment above them (OTT_API_CLIENT_ID and _SECRET).
      entries.push({ name: m[1]!, value: m[2]!, meaning: comments.join(' ') });
      afterVariable = true;
    } else if (line.startsWith('#') && !line.startsWith('##')) {
      if (afterVariable) comments = [];
      comments.push(line.replace(/^#\s?/, ''));
      afterVariable = false;
    } else {
      comments = [];
      afterVariable = false;
    }
  }
  return entries;
}

describe('.env.example', () => {
  const entries = readExample();
  const env = Object.fromEntries(entries.map((e) => [e.name, e.value]));

  it('lists each variable once, each with its meaning', () => {
    const names = entries.map((e) => e.name);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
    expect(entries.filter((e) => e.meaning.trim().length < 10).map((e) => e.name)).toEqual([]);
  });

  it('lists every variable each service reads, and nothing that no service or CLI reads', () => {
    const read = new Set(CLI_VARIABLES);
    for (const [service, load] of Object.entries(SERVICES)) {
      const keys = Object.keys(load(env));
      expect({ service, missing: keys.filter((k) => !(k in env)) }).toEqual({ service, missing: [] });
      for (const k of keys) read.add(k);
    }
    expect(entries.map((e) => e.name).filter((n) => !read.has(n))).toEqual([]);
    for (const v of SUPPORTED_OTEL_VARIABLES) expect(read.has(v)).toBe(true);
  });

  it('holds values every service accepts (empty means the default)', () => {
    for (const load of Object.values(SERVICES)) expect(() => load(env)).not.toThrow();
  });
});
