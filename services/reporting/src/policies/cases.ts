// Pure core of cases (docs/reporting.md §Cases): a letter from HMRC opens a case whose statutory
// clocks and checklist follow from the letter kind, its date and a playbook (data file). No I/O,
// no clock; dates are UTC calendar days, and their arithmetic and the 3-year clock are the
// platform's legal clock (@customs/legal-clock).
import { addDays, daysBetween, statutoryDeadline } from '@customs/legal-clock';

export type CaseTrigger = 'audit_announcement' | 'pre_c18_right_to_be_heard' | 'c18_demand' | 'underpayment_found' | 'broker_failure' | 'tariff_change';
export const CASE_TRIGGERS: readonly CaseTrigger[] = ['audit_announcement', 'pre_c18_right_to_be_heard', 'c18_demand', 'underpayment_found', 'broker_failure', 'tariff_change'];

export interface PlaybookStep {
  id: string;
  title: string;
  responsible: string;
  accountable: string;
  consulted: string[];
  informed: string[];
  dueDays: number;
  escalateAfterDays: number;
  escalateTo: string;
  onlyFor?: CaseTrigger[];
}

export interface Playbook {
  id: string;
  version: string;
  title: string;
  triggers: CaseTrigger[];
  roles: string[];
  steps: PlaybookStep[];
}

export interface Clock {
  name: string;
  due: string;
  daysLeft: number;
  basis: string;
}

export interface ChecklistItem {
  stepId: string;
  title: string;
  responsible: { role: string; person: string | null };
  accountable: { role: string; person: string | null };
  consulted: string[];
  informed: string[];
  due: string;
  escalateOn: string;
  escalateTo: { role: string; person: string | null };
  done: boolean;
  state: 'done' | 'open' | 'due_soon' | 'overdue' | 'escalated';
}

/** Validates a playbook file's content; returns the problems (empty = usable). */
export function playbookProblems(p: Playbook): string[] {
  const out: string[] = [];
  if (!/^[a-z0-9-]+$/.test(p.id ?? '')) out.push('id must be lower-case letters, digits and -');
  if (!/^\d+\.\d+\.\d+$/.test(p.version ?? '')) out.push('version must be semantic (1.0.0)');
  if (!Array.isArray(p.steps) || p.steps.length === 0) out.push('steps must be a non-empty list');
  for (const t of p.triggers ?? []) if (!CASE_TRIGGERS.includes(t)) out.push(`unknown trigger ${t}`);
  const ids = new Set<string>();
  for (const s of p.steps ?? []) {
    if (ids.has(s.id)) out.push(`step ${s.id} appears twice`);
    ids.add(s.id);
    for (const r of [s.responsible, s.accountable, s.escalateTo, ...(s.consulted ?? []), ...(s.informed ?? [])]) if (!p.roles.includes(r)) out.push(`step ${s.id}: role ${r} is not in roles`);
    if (!Number.isInteger(s.dueDays) || s.dueDays < 0 || !Number.isInteger(s.escalateAfterDays) || s.escalateAfterDays < 0)
      out.push(`step ${s.id}: dueDays and escalateAfterDays must be whole days ≥ 0`);
  }
  return out;
}

/**
 * Statutory clocks of a letter. Pre-C18 "right to be heard": 30 days to reply from the letter;
 * C18 demand: payment normally within 10 days (a secondary source — check the demand itself);
 * HMRC's own limit to notify a debt: 3 years from the earliest entry in scope (extendable, e.g.
 * for deliberate errors). An audit announcement carries the visit date the user enters.
 */
export function statutoryClocks(trigger: CaseTrigger, letterDate: string, today: string, extra: { visitDate?: string; earliestEntry?: string }): Clock[] {
  const c: Clock[] = [];
  const clock = (name: string, due: string, basis: string) => c.push({ name, due, daysLeft: daysBetween(today, due), basis });
  if (trigger === 'pre_c18_right_to_be_heard') clock('reply to HMRC', addDays(letterDate, 30), '"right to be heard" pre-C18 letter: 30 days to reply');
  if (trigger === 'c18_demand') clock('pay or secure the C18 demand', addDays(letterDate, 10), 'C18 post-clearance demand: payment normally within 10 days (check the demand)');
  if (trigger === 'audit_announcement' && extra.visitDate) clock('HMRC visit', extra.visitDate, 'date given in the audit announcement');
  const debtLimit = extra.earliestEntry ? statutoryDeadline(extra.earliestEntry, 'hmrc_demand') : '';
  if (debtLimit) clock("HMRC's normal limit to notify a debt on the earliest entry in scope", debtLimit, '3 years from the entry (extendable, e.g. for deliberate errors)');
  return c.sort((a, b) => a.due.localeCompare(b.due));
}

/** The checklist of a case: each step's owners (roles → the people the tenant assigned), due and escalation dates, and state on `today`. */
export function checklist(p: Playbook, trigger: CaseTrigger, letterDate: string, today: string, assignments: Readonly<Record<string, string>>, done: ReadonlySet<string>): ChecklistItem[] {
  const who = (role: string) => ({ role, person: assignments[role] ?? null });
  return p.steps
    .filter((s) => !s.onlyFor || s.onlyFor.includes(trigger))
    .map((s) => {
      const due = addDays(letterDate, s.dueDays);
      const escalateOn = addDays(letterDate, s.escalateAfterDays);
      const isDone = done.has(s.id);
      // Escalation fires on its own date (it may come before the due date, as a warning).
      const state: ChecklistItem['state'] = isDone ? 'done' : today >= escalateOn ? 'escalated' : today > due ? 'overdue' : daysBetween(today, due) <= 3 ? 'due_soon' : 'open';
      return {
        stepId: s.id,
        title: s.title,
        responsible: who(s.responsible),
        accountable: who(s.accountable),
        consulted: s.consulted,
        informed: s.informed,
        due,
        escalateOn,
        escalateTo: who(s.escalateTo),
        done: isDone,
        state,
      };
    })
    .sort((a, b) => a.due.localeCompare(b.due) || a.stepId.localeCompare(b.stepId));
}
