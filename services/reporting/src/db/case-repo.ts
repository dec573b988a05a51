// All of reporting's SQL for cases and role assignments; each change writes its history row and
// its reporting.case.changed.v1 event in the same transaction.
import { enqueueOutbox, sql, withTenant, type Kysely, type Transaction } from '@customs/db';
import type { EncodedEvent } from '@customs/kafka';
import type { ReportingDb } from './migrations';
import type { CaseRecord, CaseStore, HistoryEntry } from '../app/ports';

const iso = (v: unknown): string => (v instanceof Date ? v.toISOString() : String(v));

async function load(trx: Transaction<ReportingDb>, tenant: string, id: string): Promise<CaseRecord | null> {
  const r = await trx.selectFrom('cases').selectAll().where('tenant_id', '=', tenant).where('case_id', '=', id).executeTakeFirst();
  if (!r) return null;
  const steps = await trx.selectFrom('case_steps').selectAll().where('tenant_id', '=', tenant).where('case_id', '=', id).orderBy('done_at').execute();
  return {
    caseId: r.case_id,
    trigger: r.trigger as CaseRecord['trigger'],
    title: r.title,
    letterDate: r.letter_date,
    visitDate: r.visit_date,
    scope: r.scope as CaseRecord['scope'],
    owner: r.owner,
    playbook: r.playbook as CaseRecord['playbook'],
    state: r.state as CaseRecord['state'],
    createdBy: r.created_by,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
    done: steps.map((s) => ({ stepId: s.step_id, doneBy: s.done_by, doneAt: iso(s.done_at) })),
  };
}

export class CaseRepo implements CaseStore {
  constructor(private readonly db: Kysely<ReportingDb>) {}

  assignments(tenant: string): Promise<Record<string, string>> {
    return withTenant(this.db, tenant, async (trx) =>
      Object.fromEntries((await trx.selectFrom('role_assignments').select(['role', 'person']).where('tenant_id', '=', tenant).execute()).map((r) => [r.role, r.person])),
    );
  }

  async assign(tenant: string, role: string, person: string | null, actor: string, at: string): Promise<void> {
    await withTenant(this.db, tenant, async (trx) => {
      if (person === null) await trx.deleteFrom('role_assignments').where('tenant_id', '=', tenant).where('role', '=', role).execute();
      else
        await trx
          .insertInto('role_assignments')
          .values({ tenant_id: tenant, role, person, updated_by: actor, updated_at: at })
          .onConflict((oc) => oc.columns(['tenant_id', 'role']).doUpdateSet({ person, updated_by: actor, updated_at: at }))
          .execute();
    });
  }

  async insertCase(tenant: string, c: CaseRecord, event: EncodedEvent): Promise<void> {
    await withTenant(this.db, tenant, async (trx) => {
      await trx
        .insertInto('cases')
        .values({
          tenant_id: tenant,
          case_id: c.caseId,
          trigger: c.trigger,
          title: c.title,
          letter_date: c.letterDate,
          visit_date: c.visitDate,
          importer: c.scope.importer,
          scope: JSON.stringify(c.scope),
          owner: c.owner,
          playbook: JSON.stringify(c.playbook),
          state: c.state,
          created_by: c.createdBy,
          created_at: c.createdAt,
          updated_at: c.updatedAt,
        })
        .execute();
      await trx
        .insertInto('case_history')
        .values({
          tenant_id: tenant,
          case_id: c.caseId,
          at: c.createdAt,
          actor: c.createdBy,
          action: 'opened',
          detail: JSON.stringify({ playbook: `${c.playbook.id}@${c.playbook.version}`, scope: c.scope }),
        })
        .execute();
      await enqueueOutbox(trx, 'reporting', [event]);
    });
  }

  getCase(tenant: string, id: string): Promise<{ record: CaseRecord; history: HistoryEntry[] } | null> {
    return withTenant(this.db, tenant, async (trx) => {
      const record = await load(trx, tenant, id);
      if (!record) return null;
      const h = await trx.selectFrom('case_history').selectAll().where('tenant_id', '=', tenant).where('case_id', '=', id).orderBy('seq').execute();
      return { record, history: h.map((x) => ({ at: iso(x.at), actor: x.actor, action: x.action, detail: x.detail })) };
    });
  }

  /** Newest first (created_at, case_id descending); `after` is the previous page's last (keyset). */
  listCases(tenant: string, limit: number, after?: { createdAt: string; id: string }): Promise<CaseRecord[]> {
    return withTenant(this.db, tenant, async (trx) => {
      let q = trx.selectFrom('cases').select('case_id').where('tenant_id', '=', tenant);
      if (after) q = q.where(sql<boolean>`(created_at, case_id) < (${after.createdAt}::timestamptz, ${after.id})`);
      const ids = await q.orderBy('created_at', 'desc').orderBy('case_id', 'desc').limit(limit).execute();
      const out: CaseRecord[] = [];
      for (const { case_id } of ids) out.push((await load(trx, tenant, case_id))!);
      return out;
    });
  }

  change(
    tenant: string,
    id: string,
    ch: { actor: string; at: string; action: string; detail: unknown; stepDone?: string; close?: boolean },
    event: (c: CaseRecord) => EncodedEvent,
  ): Promise<CaseRecord | null> {
    return withTenant(this.db, tenant, async (trx) => {
      const locked = await trx.selectFrom('cases').select('state').where('tenant_id', '=', tenant).where('case_id', '=', id).forUpdate().executeTakeFirst();
      if (!locked || locked.state !== 'open') return null;
      if (ch.stepDone)
        await trx
          .insertInto('case_steps')
          .values({ tenant_id: tenant, case_id: id, step_id: ch.stepDone, done_by: ch.actor, done_at: ch.at })
          .onConflict((oc) => oc.doNothing())
          .execute();
      await trx
        .updateTable('cases')
        .set({ updated_at: ch.at, ...(ch.close ? { state: 'closed' } : {}) })
        .where('tenant_id', '=', tenant)
        .where('case_id', '=', id)
        .execute();
      await trx
        .insertInto('case_history')
        .values({ tenant_id: tenant, case_id: id, at: ch.at, actor: ch.actor, action: ch.action, detail: JSON.stringify(ch.detail) })
        .execute();
      const c = (await load(trx, tenant, id))!;
      await enqueueOutbox(trx, 'reporting', [event(c)]);
      return c;
    });
  }
}
