import * as fs from 'node:fs';
import * as path from 'node:path';
import { checklist, playbookProblems, statutoryClocks, type Playbook } from './cases';

const DIR = path.join(__dirname, '../../playbooks');
const load = (id: string) => JSON.parse(fs.readFileSync(path.join(DIR, `${id}.json`), 'utf8')) as Playbook;

describe('playbooks and case clocks', () => {
  it('every bundled playbook file is usable (roles declared, whole-day deadlines, known triggers)', () => {
    const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.json'));
    expect(files.sort()).toEqual(['audit-response.json', 'broker-failure.json', 'tariff-change.json', 'voluntary-disclosure.json']);
    for (const f of files) expect([f, playbookProblems(load(f.replace('.json', '')))]).toEqual([f, []]);
    expect(playbookProblems({ ...load('tariff-change'), steps: [{ ...load('tariff-change').steps[0]!, responsible: 'nobody' }] })).toEqual(['step impact: role nobody is not in roles']);
  });

  it('a right-to-be-heard letter gives 30 days to reply; a C18 demand 10 days to pay; the 3-year notification limit of the earliest entry', () => {
    expect(statutoryClocks('pre_c18_right_to_be_heard', '2026-11-20', '2026-12-02', { earliestEntry: '2024-02-29' })).toEqual([
      { name: 'reply to HMRC', due: '2026-12-20', daysLeft: 18, basis: expect.stringContaining('30 days') },
      { name: "HMRC's normal limit to notify a debt on the earliest entry in scope", due: '2027-02-28', daysLeft: 88, basis: expect.any(String) },
    ]);
    expect(statutoryClocks('c18_demand', '2026-11-30', '2026-12-02', {})).toEqual([
      { name: 'pay or secure the C18 demand', due: '2026-12-10', daysLeft: 8, basis: expect.stringContaining('10 days') },
    ]);
    expect(statutoryClocks('audit_announcement', '2026-11-30', '2026-12-02', { visitDate: '2027-01-12' })[0]).toMatchObject({ name: 'HMRC visit', due: '2027-01-12', daysLeft: 41 });
    // An impossible earliest entry gives no 3-year clock (it used to be copied on as "2027-02-30").
    expect(statutoryClocks('c18_demand', '2026-11-30', '2026-12-02', { earliestEntry: '2024-02-30' })).toHaveLength(1);
  });

  it('the checklist names the people assigned to each role, dates each step from the letter and escalates', () => {
    const items = checklist(load('audit-response'), 'pre_c18_right_to_be_heard', '2026-11-20', '2026-12-02', { 'customs-lead': 'sam@imp', 'finance-director': 'cfo@imp' }, new Set(['log-letter']));
    expect(items.map((i) => i.stepId)).not.toContain('payment'); // only for a C18 demand
    expect(items.find((i) => i.stepId === 'log-letter')).toMatchObject({ done: true, state: 'done', responsible: { role: 'customs-lead', person: 'sam@imp' } });
    expect(items.find((i) => i.stepId === 'pack')).toMatchObject({ due: '2026-11-27', escalateOn: '2026-11-30', state: 'escalated', escalateTo: { role: 'finance-director', person: 'cfo@imp' } });
    expect(items.find((i) => i.stepId === 'disclose')).toMatchObject({ due: '2026-12-04', state: 'due_soon', responsible: { role: 'tax-adviser', person: null } });
    expect(items.find((i) => i.stepId === 'reply')).toMatchObject({ due: '2026-12-15', state: 'open' });
    expect(checklist(load('audit-response'), 'c18_demand', '2026-11-20', '2026-12-02', {}, new Set()).map((i) => i.stepId)).toContain('payment');
  });
});
