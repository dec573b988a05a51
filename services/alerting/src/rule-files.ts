// Reads the rule folder (the one file-system adapter of the service); parsing is pure (policies/rules).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkRuleSet, parseAlertRule, type AlertRule } from './policies/rules';

/** Loads every *.yaml rule of a folder; a bad file stops start-up with its name and field. */
export function loadAlertRules(dir: string): AlertRule[] {
  const files = fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  const rules = files.map((f) => parseAlertRule(f, fs.readFileSync(path.join(dir, f), 'utf8')));
  checkRuleSet(rules);
  return rules;
}
