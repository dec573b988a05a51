// Use cases of crisis readiness: open a case when an HMRC letter arrives, follow its playbook's
// checklist with the people assigned to each role, close it; every change is audited and
// published (reporting.case.changed.v1) with the case's open deadlines for alerting.
import { randomUUID } from 'node:crypto';
import { CaseChanged, Topics } from '@customs/contracts';
import { buildEvent, type EncodedEvent } from '@customs/kafka';
import { checklist, statutoryClocks, type CaseTrigger, type ChecklistItem, type Clock as CaseClock, type Playbook } from '../policies/cases';
import type { CaseRecord, CaseScope, CaseStore, Clock } from './ports';

export class CaseError extends Error {
  constructor(
    readonly code: 'not_found' | 'conflict' | 'invalid',
    message: string,
  ) {
    super(message);
  }
}

/** Which playbook a letter opens by default. */
const DEFAULT_PLAYBOOK: Record<CaseTrigger, string> = {
  audit_announcement: 'audit-response',
  pre_c18_right_to_be_heard: 'audit-response',
  c18_demand: 'audit-response',
  underpayment_found: 'voluntary-disclosure',
  broker_failure: 'broker-failure',
  tariff_change: 'tariff-change',
};

export interface CaseView {
  case: CaseRecord;
  clocks: CaseClock[];
  checklist: ChecklistItem[];
  asOf: string;
}

export class Cases {
  constructor(
    private readonly store: CaseStore,
    private readonly playbooks: ReadonlyMap<string, Playbook>,
    private readonly clock: Clock,
  ) {}

  listPlaybooks(): Playbook[] {
    return [...this.playbooks.values()];
  }

  view(c: CaseRecord, assignments: Record<string, string>): CaseView {
    const today = this.clock.now().toISOString().slice(0, 10);
    return {
      case: c,
      clocks: statutoryClocks(c.trigger, c.letterDate, today, { visitDate: c.visitDate ?? undefined, earliestEntry: c.scope.acceptedFrom }),
      checklist: checklist(c.playbook, c.trigger, c.letterDate, today, assignments, new Set(c.done.map((d) => d.stepId))),
      asOf: today,
    };
  }

  private event(tenant: string, v: CaseView, at: Date): EncodedEvent {
    const c = v.case;
    return buildEvent({
      topic: Topics.caseChanged,
      key: `${tenant}/${c.caseId}`,
      tenant,
      source: 'reporting',
      subject: c.caseId,
      id: `case/${tenant}/${c.caseId}/${at.toISOString()}/${randomUUID().slice(0, 8)}`,
      time: at,
      value: CaseChanged.fromPartial({
        tenantId: tenant,
        caseId: c.caseId,
        title: c.title,
        trigger: c.trigger,
        importerEori: c.scope.importer,
        owner: c.owner,
        state: c.state,
        playbookId: c.playbook.id,
        playbookVersion: c.playbook.version,
        changedAt: at.toISOString(),
        asOf: v.asOf,
        // A closed case has no open deadline: the empty set tells alerting to drop what it held.
        deadlines:
          c.state === 'closed'
            ? []
            : [
                ...v.clocks.map((k) => ({ kind: 'clock', name: k.name, due: k.due, escalateOn: '', state: k.daysLeft < 0 ? 'overdue' : 'open', role: '', person: c.owner })),
                ...v.checklist
                  .filter((i) => !i.done)
                  .map((i) => ({ kind: 'step', name: i.title, due: i.due, escalateOn: i.escalateOn, state: i.state, role: i.responsible.role, person: i.responsible.person ?? '' })),
              ],
      }),
    });
  }

  async open(
    tenant: string,
    actor: string,
    input: { trigger: CaseTrigger; title: string; letterDate: string; visitDate?: string; scope: CaseScope; owner: string; playbookId?: string },
  ): Promise<CaseView> {
    const playbook = this.playbooks.get(input.playbookId ?? DEFAULT_PLAYBOOK[input.trigger]);
    if (!playbook) throw new CaseError('invalid', `no playbook ${input.playbookId}; bundled: ${[...this.playbooks.keys()].join(', ')}`);
    if (!playbook.triggers.includes(input.trigger)) throw new CaseError('invalid', `playbook ${playbook.id} does not handle ${input.trigger} (it handles ${playbook.triggers.join(', ')})`);
    const now = this.clock.now();
    const at = now.toISOString();
    const record: CaseRecord = {
      caseId: `case-${at.slice(0, 10)}-${randomUUID().slice(0, 8)}`,
      trigger: input.trigger,
      title: input.title,
      letterDate: input.letterDate,
      visitDate: input.visitDate ?? null,
      scope: input.scope,
      owner: input.owner,
      playbook,
      state: 'open',
      createdBy: actor,
      createdAt: at,
      updatedAt: at,
      done: [],
    };
    const v = this.view(record, await this.store.assignments(tenant));
    await this.store.insertCase(tenant, record, this.event(tenant, v, now));
    return v;
  }

  async get(tenant: string, id: string) {
    const r = await this.store.getCase(tenant, id);
    if (!r) throw new CaseError('not_found', `no case ${id}`);
    return { ...this.view(r.record, await this.store.assignments(tenant)), history: r.history };
  }

  private async change(tenant: string, actor: string, id: string, ch: { action: string; detail: unknown; stepDone?: string; close?: boolean }): Promise<CaseView> {
    const now = this.clock.now();
    const assignments = await this.store.assignments(tenant);
    const c = await this.store.change(tenant, id, { actor, at: now.toISOString(), ...ch }, (rec) => this.event(tenant, this.view(rec, assignments), now));
    if (c) return this.view(c, assignments);
    const cur = await this.store.getCase(tenant, id);
    if (!cur) throw new CaseError('not_found', `no case ${id}`);
    throw new CaseError('conflict', `case ${id} is ${cur.record.state}`);
  }

  async completeStep(tenant: string, actor: string, id: string, stepId: string, note?: string): Promise<CaseView> {
    const cur = await this.store.getCase(tenant, id);
    if (!cur) throw new CaseError('not_found', `no case ${id}`);
    if (!cur.record.playbook.steps.some((s) => s.id === stepId)) throw new CaseError('invalid', `playbook ${cur.record.playbook.id} has no step ${stepId}`);
    return this.change(tenant, actor, id, { action: 'step_done', detail: { stepId, note: note ?? null }, stepDone: stepId });
  }

  close(tenant: string, actor: string, id: string, reason: string): Promise<CaseView> {
    return this.change(tenant, actor, id, { action: 'closed', detail: { reason }, close: true });
  }
}
