// Use cases of drafted corrections: compute a draft from the tenant's current findings (pure
// core in policies/drafts.ts), keep it immutable, move it through review and submission with an
// audited history.
import { randomUUID } from 'node:crypto';
import { DraftChanged, Topics } from '@customs/contracts';
import { buildEvent, type EncodedEvent } from '@customs/kafka';
import { decideC2001, decideC285, findingIdsOf, type C2001Draft, type C285Draft, type DraftFinding } from '../policies/drafts';
import type { Clock, DraftRecord, DraftScope, DraftState, DraftStore, FindingsSource } from './ports';

export class DraftError extends Error {
  constructor(
    readonly code: 'not_found' | 'conflict',
    message: string,
  ) {
    super(message);
  }
}

export function inScope(f: DraftFinding, s: DraftScope): boolean {
  if (s.importer && f.importerEori !== s.importer) return false;
  if (s.acceptedFrom && f.acceptanceDate < s.acceptedFrom) return false;
  if (s.acceptedTo && f.acceptanceDate > s.acceptedTo) return false;
  return true;
}

/** Which state a draft may move to from which (a submitted draft is final; so is a withdrawn one). */
const MOVES: Record<'reviewed' | 'submitted' | 'withdrawn', readonly DraftState[]> = {
  reviewed: ['draft'],
  submitted: ['draft', 'reviewed'],
  withdrawn: ['draft', 'reviewed'],
};

/** reporting.draft.changed.v1: alerting can set dispositions and scoring count reclaims claimed from it. */
export function draftEvent(tenant: string, d: DraftRecord, actor: string, at: string): EncodedEvent {
  const c = d.content;
  const duty = c.kind === 'c285' ? (c as C285Draft).totals.dutyPence : (c as C2001Draft).totals.dutyOwedPence;
  const vat = c.kind === 'c285' ? (c as C285Draft).totals.vatPence : (c as C2001Draft).totals.vatOwedPence;
  return buildEvent({
    topic: Topics.draftChanged,
    key: `${tenant}/${d.draftId}`,
    tenant,
    source: 'reporting',
    subject: d.draftId,
    id: `draft/${tenant}/${d.draftId}/${d.state}`,
    time: new Date(at),
    value: DraftChanged.fromPartial({
      tenantId: tenant,
      draftId: d.draftId,
      kind: d.kind,
      state: d.state,
      hmrcReference: d.hmrcReference ?? '',
      actor,
      changedAt: at,
      findingIds: findingIdsOf(c),
      dutyPence: duty,
      vatPence: vat,
    }),
  });
}

export class Drafts {
  constructor(
    private readonly store: DraftStore,
    private readonly findings: FindingsSource,
    private readonly clock: Clock,
  ) {}

  async create(tenant: string, actor: string, bearer: string, kind: 'c285' | 'c2001', scope: DraftScope): Promise<DraftRecord> {
    const now = this.clock.now();
    const settings = await this.store.settings(tenant);
    const { findings, cursor } = await this.findings.currentFindings(bearer);
    const scoped = findings.filter((f) => inScope(f, scope));
    const s = { vatRegistered: settings?.vatRegistered ?? null, repaymentMethod: settings?.repaymentMethod ?? ('bank_transfer' as const) };
    const content = kind === 'c285' ? decideC285(scoped, s, now) : decideC2001(scoped, now);
    const at = now.toISOString();
    const record: DraftRecord = {
      draftId: `${kind}-${at.slice(0, 10)}-${randomUUID().slice(0, 8)}`,
      kind,
      state: 'draft',
      scope,
      source: { findingsFeedCursor: cursor, findingsConsidered: scoped.length, settings: { ...s, updatedAt: settings?.updatedAt ?? null }, computedAt: at },
      content,
      createdBy: actor,
      createdAt: at,
      updatedAt: at,
      hmrcReference: null,
    };
    await this.store.insertDraft(tenant, record, draftEvent(tenant, record, actor, at));
    return record;
  }

  async move(tenant: string, actor: string, id: string, to: 'reviewed' | 'submitted' | 'withdrawn', detail: { hmrcReference?: string; reason?: string }): Promise<DraftRecord> {
    const at = this.clock.now().toISOString();
    const r = await this.store.changeState(tenant, id, MOVES[to], to, { actor, at, hmrcReference: detail.hmrcReference, detail }, (d) => draftEvent(tenant, d, actor, at));
    if (r) return r;
    const cur = await this.store.getDraft(tenant, id);
    if (!cur) throw new DraftError('not_found', `no draft ${id}`);
    throw new DraftError('conflict', `draft ${id} is ${cur.draft.state}; it can become ${to} only from ${MOVES[to].join(' or ')}`);
  }
}
