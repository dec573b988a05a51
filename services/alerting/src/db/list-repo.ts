// The REST lists' keyset pages (issue 17): each reads limit rows after the previous page's last
// sort key, on an index that leads with the same key (alert_history_by_alert, settings_audit_by_tenant,
// alert_exceptions_by_tenant). Kept apart from alert-repo.ts, whose correlation queries change
// for performance on their own schedule.
import { Alert } from '@customs/contracts';
import { type Kysely, withTenant } from '@customs/db';
import type { HistoryRecord } from '../app/ports';
import type { AlertException } from '../policies/exceptions';
import { exceptionOf, historyRecord } from './alert-repo';
import type { AlertingDb } from './migrations';

export interface SettingsAuditEntry {
  id: number;
  subjectType: string;
  subjectId: string;
  actor: string;
  at: string;
  before: unknown;
  after: unknown;
}

export class ListRepo {
  constructor(readonly db: Kysely<AlertingDb>) {}

  /** One alert without its history (a page of the history is read apart). */
  alert(tenantId: string, alertId: string): Promise<Alert | undefined> {
    return withTenant(this.db, tenantId, async (trx) => {
      const a = await trx.selectFrom('alerts').select('payload').where('tenant_id', '=', tenantId).where('alert_id', '=', alertId).executeTakeFirst();
      return a ? Alert.decode(a.payload) : undefined;
    });
  }

  /** One alert's history, oldest first, after a history cursor. */
  alertHistory(tenantId: string, alertId: string, afterCursor: number, limit: number): Promise<HistoryRecord[]> {
    return withTenant(this.db, tenantId, async (trx) => {
      const rows = await trx
        .selectFrom('alert_history')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('alert_id', '=', alertId)
        .where('cursor', '>', afterCursor)
        .orderBy('cursor')
        .limit(limit)
        .execute();
      return rows.map((x) => historyRecord(x as never));
    });
  }

  /** The settings and exceptions audit, newest first, before an entry id. */
  settingsAudit(tenantId: string, limit: number, beforeId?: number): Promise<SettingsAuditEntry[]> {
    return withTenant(this.db, tenantId, async (trx) => {
      let q = trx.selectFrom('settings_audit').selectAll().where('tenant_id', '=', tenantId);
      if (beforeId !== undefined) q = q.where('id', '<', beforeId);
      const rows = await q.orderBy('id', 'desc').limit(limit).execute();
      return rows.map((r) => ({ id: Number(r.id), subjectType: r.subject_type, subjectId: r.subject_id, actor: r.actor, at: new Date(r.at).toISOString(), before: r.before, after: r.after }));
    });
  }

  /** Exceptions, newest first (created_at, then id, descending), after the previous page's last. */
  exceptions(tenantId: string, limit: number, after?: { createdAt: string; id: string }): Promise<AlertException[]> {
    return withTenant(this.db, tenantId, async (trx) => {
      let q = trx.selectFrom('alert_exceptions').selectAll().where('tenant_id', '=', tenantId);
      if (after) q = q.where((eb) => eb.or([eb('created_at', '<', after.createdAt as never), eb.and([eb('created_at', '=', after.createdAt as never), eb('exception_id', '<', after.id)])]));
      const rows = await q.orderBy('created_at', 'desc').orderBy('exception_id', 'desc').limit(limit).execute();
      return rows.map(exceptionOf);
    });
  }
}
