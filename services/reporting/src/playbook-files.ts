// Adapter: the playbooks are versioned data files (services/reporting/playbooks/*.json), read
// and checked once at start; a bad file stops the service with its name and problems.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { playbookProblems, type Playbook } from './policies/cases';

export function loadPlaybooks(dir: string): Map<string, Playbook> {
  const out = new Map<string, Playbook>();
  for (const f of fs
    .readdirSync(dir)
    .filter((x) => x.endsWith('.json'))
    .sort()) {
    const p = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as Playbook;
    const problems = playbookProblems(p);
    if (problems.length) throw new Error(`playbook ${f}: ${problems.join('; ')}`);
    if (out.has(p.id)) throw new Error(`playbook ${f}: id ${p.id} is already used`);
    out.set(p.id, p);
  }
  return out;
}
