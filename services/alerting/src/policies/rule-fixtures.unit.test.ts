// One test runs every rule's fixtures (rules/fixtures/<id>.yaml: must fire / must stay silent)
// and the shared clean corpus (no rule may fire on it), and prints the rule coverage.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadAlertRules } from '../rule-files';
import { parseFixtures, type FixtureCase } from './__fixtures__/fixtures';
import { MemoryStore } from './__fixtures__/memory';
import type { AlertRule } from './rules';
import { alertJson } from './view';

// Fields compared as REST shows them (zeros included).
const shown = (a: Parameters<typeof alertJson>[0]) => alertJson(a, '2026-12-01');

const rulesDir = path.resolve(__dirname, '../../rules');
const rules = loadAlertRules(rulesDir);

function run(c: FixtureCase, active: readonly AlertRule[]): MemoryStore {
  const store = new MemoryStore(() => active);
  for (const s of c.steps) {
    if (s.inputs.length) store.batch(s.inputs, s.now);
    if (s.tick) store.tick(active, s.now);
  }
  return store;
}

describe('alert rule fixtures', () => {
  it('every rule fires on its fixtures, stays silent on its clean cases and on the clean corpus', () => {
    const coverage: string[] = [];
    const failures: string[] = [];
    const corpus = parseFixtures(fs.readFileSync(path.join(rulesDir, 'fixtures/clean-corpus.yaml'), 'utf8'));
    for (const rule of rules) {
      const file = path.join(rulesDir, 'fixtures', `${rule.id}.yaml`);
      if (!fs.existsSync(file)) {
        failures.push(`${rule.id}: no fixtures (rules/fixtures/${rule.id}.yaml)`);
        continue;
      }
      // tariff_change rules read reference dataset changes, not declarations and findings: their
      // fixtures (same file name, that type's format) run in tariff-change.unit.test.ts.
      if (rule.type === 'tariff_change') {
        coverage.push(`${rule.id.padEnd(7)} ${rule.type.padEnd(18)} fixtures run by tariff-change.unit.test.ts  ${rule.name}`);
        continue;
      }
      const fx = parseFixtures(fs.readFileSync(file, 'utf8'));
      if (fx.rule !== rule.id) failures.push(`${file}: names rule ${fx.rule}, not ${rule.id}`);
      if (fx.fire.length === 0 || fx.silent.length === 0) failures.push(`${rule.id}: needs at least one must-fire and one must-stay-silent case`);
      let fired = 0;
      let silent = 0;
      for (const c of fx.fire) {
        const raised = run(c, [rule]).openOf(rule.id);
        const ok = c.alerts !== undefined ? raised.length === c.alerts : raised.length >= 1;
        const mismatch = ok && c.expect ? Object.entries(c.expect).find(([k, v]) => JSON.stringify(shown(raised[0]!)[k] ?? null) !== JSON.stringify(v)) : undefined;
        if (!ok) failures.push(`${rule.id} must fire: "${c.name}" raised ${raised.length} alert(s)${c.alerts !== undefined ? `, expected ${c.alerts}` : ''}`);
        else if (mismatch) failures.push(`${rule.id} must fire: "${c.name}": ${mismatch[0]} is ${JSON.stringify(shown(raised[0]!)[mismatch[0]] ?? null)}, expected ${JSON.stringify(mismatch[1])}`);
        else fired++;
      }
      for (const c of [...fx.silent, ...corpus.silent]) {
        const raised = run(c, [rule]).openOf(rule.id);
        if (raised.length !== 0) failures.push(`${rule.id} must stay silent: "${c.name}" raised ${raised.length}: ${raised.map((a) => a.title).join(' | ')}`);
        else silent++;
      }
      coverage.push(`${rule.id.padEnd(7)} ${rule.type.padEnd(18)} fire ${fired}/${fx.fire.length}  silent ${silent}/${fx.silent.length + corpus.silent.length}  ${rule.name}`);
    }
    // The whole pack together on the clean corpus: nothing at all.
    for (const c of corpus.silent) {
      const all = run(c, rules).alerts;
      if (all.length) failures.push(`clean corpus "${c.name}": the pack raised ${all.map((a) => `${a.alert.alertRuleId} ${a.alert.title}`).join(' | ')}`);
    }
    const types = new Set(rules.map((r) => r.type));
    console.log(`alert rule coverage: ${rules.length} rules, ${types.size} types (${[...types].join(', ')})\n${coverage.join('\n')}`);
    expect(failures).toEqual([]);
    expect(types.size).toBe(7);
  });
});
