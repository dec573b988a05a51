import fs from 'node:fs';
import path from 'node:path';
import { Topics, dlqTopicFor } from '@customs/contracts';

// The topic list (infra/kafka/topics.json, the one declaration every environment is created from)
// against the code: every event topic of the registry, and a dead-letter topic for every consumer
// group the services run (auto-create is off, so an undeclared DLQ means a poison message cannot
// be dead-lettered and wedges its partition). The groups are derived from the code: every call
// that registers a consumer lives in a service's src/kafka/ (checked here), and each such module
// exports its group names as *GROUP / *GROUPS constants.
const ROOT = path.resolve(__dirname, '..');
const declared = (JSON.parse(fs.readFileSync(path.join(ROOT, 'infra/kafka/topics.json'), 'utf8')) as { topics: { name: string; partitions: number; message: string }[] }).topics;

function sources(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'dist' || e.name === 'node_modules' || e.name === '__fixtures__' ? [] : sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}

const SERVICES = fs.readdirSync(path.join(ROOT, 'services')).filter((s) => fs.existsSync(path.join(ROOT, 'services', s, 'src')));
/** Registering a consumer: the platform kit's consume() (or a BatchConsumer built directly). */
const REGISTERS_CONSUMER = /\b(?:kit|deps|platform)\.consume\s*(?:<[^>]*>)?\s*\(|\bnew BatchConsumer\s*\(|\.consume<[^>]*>\s*\(\{/;

function groupsExportedBy(file: string): string[] {
  // eslint-style dynamic require: the module is the service's own kafka adapter.
  const mod = require(file) as Record<string, unknown>;
  return Object.entries(mod)
    .filter(([name]) => /GROUPS?$/.test(name))
    .flatMap(([, v]) => (typeof v === 'string' ? [v] : v && typeof v === 'object' ? Object.values(v).filter((x): x is string => typeof x === 'string') : []));
}

const consumerModules = SERVICES.flatMap((s) => sources(path.join(ROOT, 'services', s, 'src')).filter((f) => REGISTERS_CONSUMER.test(fs.readFileSync(f, 'utf8'))));
const groups = [...new Set(consumerModules.flatMap(groupsExportedBy))].sort();

describe('infra/kafka/topics.json against the code', () => {
  it('finds the consumer modules, all in a service src/kafka/ directory, each exporting its group names', () => {
    expect(consumerModules.length).toBeGreaterThanOrEqual(5);
    for (const f of consumerModules) {
      expect(path.relative(ROOT, f)).toMatch(/^services\/[^/]+\/src\/kafka\//);
      expect({ module: path.relative(ROOT, f), groups: groupsExportedBy(f).length > 0 }).toEqual({ module: path.relative(ROOT, f), groups: true });
    }
    // The groups the services run today, so a rename shows up here as well as on the broker.
    expect(groups).toEqual(expect.arrayContaining(['alerting', 'ingestion', 'scoring', 'scoring-history', 'validation', 'validation-reevaluation']));
  });

  it('declares a dead-letter topic for every consumer group, and none for a group that does not exist', () => {
    const dlqs = declared.filter((t) => t.name.endsWith('.dlq')).map((t) => t.name);
    expect({ missing: groups.map(dlqTopicFor).filter((d) => !dlqs.includes(d)) }).toEqual({ missing: [] });
    expect({ stale: dlqs.filter((d) => !groups.map(dlqTopicFor).includes(d)) }).toEqual({ stale: [] });
    for (const t of declared.filter((x) => x.name.endsWith('.dlq'))) expect(t.message).toBe('dead-letter');
  });

  it('declares every event topic of the registry with its message type, and nothing else', () => {
    const events = declared.filter((t) => !t.name.endsWith('.dlq'));
    expect(events.map((t) => [t.name, t.message]).sort()).toEqual(
      Object.values(Topics)
        .map((t) => [t.name, t.codec.typeName])
        .sort(),
    );
    for (const t of declared) expect(Number.isInteger(t.partitions) && t.partitions > 0).toBe(true);
  });
});
