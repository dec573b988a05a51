// All of reporting's SQL for drafts and tenant settings. Every call runs inside withTenant, so
// row-level security backs the explicit tenant_id filters.
import { enqueueOutbox, sql, withTenant, type Kysely, type Transaction } from '@customs/db';
import type { EncodedEvent } from '@customs/kafka';
import type { ReportingDb } from './migrations';
import type { DraftRecord, DraftStore, HistoryEntry, TenantSettings } from '../app/ports';

const iso = (v: unknown): string => (v instanceof Date ? v.toISOString() : String(v));

function toRecord(r: Record<string, unknown>): DraftRecord {
  return {
    draftId: String(r.draft_id),
    kind: r.kind as DraftRecord['kind'],
    state: r.state as DraftRecord['state'],
    scope: r.scope as DraftRecord['scope'],
    source: r.source as DraftRecord['source'],
    content: r.content as DraftRecord['content'],
    createdBy: String(r.created_by),
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
    hmrcReference: (r.hmrc_reference as string | null) ?? null,
  };
}

export class DraftRepo implements DraftStore {
  constructor(private readonly db: Kysely<ReportingDb>) {}

  private tx<T>(tenant: string, fn: (trx: Transaction<ReportingDb>) => Promise<T>): Promise<T> {
    return withTenant(this.db, tenant, fn);
  }

  async settings(tenant: string): Promise<TenantSettings | null> {
    return this.tx(tenant, async (trx) => {
      const r = await trx.selectFrom('tenant_settings').selectAll().where('tenant_id', '=', tenant).executeTakeFirst();
      return r ? { vatRegistered: r.vat_registered, repaymentMethod: r.repayment_method as TenantSettings['repaymentMethod'], updatedBy: r.updated_by, updatedAt: iso(r.updated_at) } : null;
    });
  }

  async putSettings(tenant: string, s: Omit<TenantSettings, 'updatedAt'>, at: string): Promise<TenantSettings> {
    return this.tx(tenant, async (trx) => {
      await trx
        .insertInto('tenant_settings')
        .values({ tenant_id: tenant, vat_registered: s.vatRegistered, repayment_method: s.repaymentMethod, updated_by: s.updatedBy, updated_at: at })
        .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ vat_registered: s.vatRegistered, repayment_method: s.repaymentMethod, updated_by: s.updatedBy, updated_at: at }))
        .execute();
      return { ...s, updatedAt: at };
    });
  }

  async insertDraft(tenant: string, d: DraftRecord, event: EncodedEvent): Promise<void> {
    await this.tx(tenant, async (trx) => {
      await trx
        .insertInto('drafts')
        .values({
          tenant_id: tenant,
          draft_id: d.draftId,
          kind: d.kind,
          state: d.state,
          scope: JSON.stringify(d.scope),
          source: JSON.stringify(d.source),
          content: JSON.stringify(d.content),
          created_by: d.createdBy,
          created_at: d.createdAt,
          hmrc_reference: null,
          updated_at: d.updatedAt,
        })
        .execute();
      await trx
        .insertInto('draft_history')
        .values({ tenant_id: tenant, draft_id: d.draftId, at: d.createdAt, actor: d.createdBy, action: 'created', detail: JSON.stringify({ source: d.source }) })
        .execute();
      await enqueueOutbox(trx, 'reporting', [event]);
    });
  }

  /** Newest first (created_at, draft_id descending); `after` is the previous page's last (keyset, index drafts_created). */
  async listDrafts(tenant: string, opts: { kind?: string; limit: number; after?: { createdAt: string; id: string } }): Promise<DraftRecord[]> {
    return this.tx(tenant, async (trx) => {
      let q = trx.selectFrom('drafts').selectAll().where('tenant_id', '=', tenant);
      if (opts.kind) q = q.where('kind', '=', opts.kind);
      if (opts.after) q = q.where(sql<boolean>`(created_at, draft_id) < (${opts.after.createdAt}::timestamptz, ${opts.after.id})`);
      const rows = await q.orderBy('created_at', 'desc').orderBy('draft_id', 'desc').limit(opts.limit).execute();
      return rows.map((r) => toRecord(r as never));
    });
  }

  async getDraft(tenant: string, id: string): Promise<{ draft: DraftRecord; history: HistoryEntry[] } | null> {
    return this.tx(tenant, async (trx) => {
      const r = await trx.selectFrom('drafts').selectAll().where('tenant_id', '=', tenant).where('draft_id', '=', id).executeTakeFirst();
      if (!r) return null;
      const h = await trx.selectFrom('draft_history').selectAll().where('tenant_id', '=', tenant).where('draft_id', '=', id).orderBy('seq').execute();
      return { draft: toRecord(r as never), history: h.map((x) => ({ at: iso(x.at), actor: x.actor, action: x.action, detail: x.detail })) };
    });
  }

  /** Compare-and-set state change with its history row; null when the draft was not in `from`. */
  async changeState(
    tenant: string,
    id: string,
    from: readonly string[],
    to: string,
    change: { actor: string; at: string; hmrcReference?: string; detail: unknown },
    event: (d: DraftRecord) => EncodedEvent,
  ): Promise<DraftRecord | null> {
    return this.tx(tenant, async (trx) => {
      const r = await trx
        .updateTable('drafts')
        .set({ state: to, updated_at: change.at, ...(change.hmrcReference ? { hmrc_reference: change.hmrcReference } : {}) })
        .where('tenant_id', '=', tenant)
        .where('draft_id', '=', id)
        .where('state', 'in', [...from])
        .returningAll()
        .executeTakeFirst();
      if (!r) return null;
      await trx
        .insertInto('draft_history')
        .values({ tenant_id: tenant, draft_id: id, at: change.at, actor: change.actor, action: to, detail: JSON.stringify(change.detail) })
        .execute();
      const rec = toRecord(r as never);
      await enqueueOutbox(trx, 'reporting', [event(rec)]);
      return rec;
    });
  }
}
