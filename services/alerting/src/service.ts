import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  Alert,
  AlertChange,
  AlertChanged,
  AlertStatus,
  AlertingServiceService,
  Topics,
  type FindingRaised,
  type ListAlertsRequest,
  type ListAlertsResponse,
  type StreamAlertsRequest,
  type StreamAlertsResponse,
} from '@customs/contracts';
import { chunksFor, claimInbox, enqueueOutbox, sql, withAllTenants, withTenant, type Kysely, type Transaction } from '@customs/db';
import { buildEvent, type ConsumedEvent, type EncodedEvent } from '@customs/kafka';
import type { CallContext } from '@customs/grpc';
import { HttpError, principalOf, requireRole } from '@customs/http';
import { startPlatformService, type PlatformKit, type RunningService } from '@customs/service';
import { registerDelivery } from './delivery';
import { alertKey, alertSeverity, parseAlertRule, ruleMatches, type AlertRule } from './policies/alert-rules';
import { STATUS_NAMES, checkTransition, isOpen, statusName } from './policies/lifecycle';
import { migrations, type AlertingDb } from './db/migrations';
import type { AlertingConfig } from './config';

const GROUP = 'alerting';
const CHANGES_CHANNEL = 'alerting_changes';

/** Loads every *.yaml rule of a folder; a bad file stops start-up with its name and field. */
export function loadAlertRules(dir: string): AlertRule[] {
  const files = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
  const rules = files.map((f) => parseAlertRule(f, fs.readFileSync(path.join(dir, f), 'utf8')));
  const ids = new Set<string>();
  for (const r of rules) {
    if (ids.has(r.id)) throw new Error(`${r.source}: duplicate alert rule id ${r.id}`);
    ids.add(r.id);
  }
  return rules;
}

function alertIdFor(tenantId: string, key: string, firstFindingId: string): string {
  const h = createHash('sha256').update(`${tenantId}|${key}|${firstFindingId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function earliest(a: string, b: string): string {
  if (!a) return b;
  if (!b) return a;
  return a < b ? a : b;
}

interface Pending {
  key: string;
  alert: Alert;
  isNew: boolean;
  fromStatus: AlertStatus;
  reasons: string[];
  ev: ConsumedEvent<FindingRaised>;
}

/** Appends history rows and outbox events for changed alerts; returns nothing (effects only). */
async function recordChanges(trx: Transaction<AlertingDb>, changes: { alert: Alert; from: AlertStatus; actor: string; reason: string; parent?: ConsumedEvent<FindingRaised>['context'] }[]): Promise<AlertChanged[]> {
  if (changes.length === 0) return [];
  const now = new Date().toISOString();
  const rows = await trx
    .insertInto('alert_history')
    .values(changes.map((c) => ({ tenant_id: c.alert.tenantId, alert_id: c.alert.alertId, actor: c.actor, from_status: c.from, to_status: c.alert.status, reason: c.reason, at: now, snapshot: Buffer.from(Alert.encode(c.alert).finish()) })))
    .returning('cursor')
    .execute();
  const events: EncodedEvent[] = [];
  const out: AlertChanged[] = [];
  changes.forEach((c, i) => {
    const alert = { ...c.alert, cursor: rows[i]!.cursor };
    const value = AlertChanged.fromPartial({ alert, change: AlertChange.fromPartial({ actor: c.actor, fromStatus: c.from, toStatus: c.alert.status, reason: c.reason, at: now }) });
    out.push(value);
    events.push(buildEvent({ topic: Topics.alertChanged, key: `${alert.tenantId}/${alert.alertId}`, value, tenant: alert.tenantId, source: 'alerting', subject: alert.alertId, parent: c.parent, id: `alert-change/${alert.tenantId}/${rows[i]!.cursor}` }));
  });
  await enqueueOutbox(trx, 'alerting', events);
  await sql`select pg_notify(${CHANGES_CHANNEL}, '')`.execute(trx);
  return out;
}

/** Raises or updates alerts for a batch of findings (one query for open alerts, one history insert). */
async function applyFindings(trx: Transaction<AlertingDb>, rules: AlertRule[], events: ConsumedEvent<FindingRaised>[]): Promise<void> {
  const matches: { rule: AlertRule; key: string; ev: ConsumedEvent<FindingRaised> }[] = [];
  for (const ev of events) {
    const f = ev.value.finding;
    if (!f || f.tenantId !== ev.tenant) continue;
    for (const rule of rules) if (ruleMatches(rule, f)) matches.push({ rule, key: alertKey(rule, f), ev });
  }
  if (matches.length === 0) return;
  const tenants = [...new Set(matches.map((m) => m.ev.tenant))];
  const keys = [...new Set(matches.map((m) => m.key))];
  const open = await trx.selectFrom('alerts').select(['alert_id', 'tenant_id', 'alert_key', 'payload']).where('tenant_id', 'in', tenants).where('alert_key', 'in', keys).where('status', 'in', [1, 2, 3]).execute();
  const pending = new Map<string, Pending>();
  for (const o of open) {
    const alert = Alert.decode(o.payload);
    pending.set(`${o.tenant_id}|${o.alert_key}`, { key: o.alert_key, alert, isNew: false, fromStatus: alert.status, reasons: [], ev: undefined as never });
  }
  const now = new Date().toISOString();
  for (const { rule, key, ev } of matches) {
    const f = ev.value.finding!;
    const k = `${ev.tenant}|${key}`;
    let p = pending.get(k);
    if (p && p.alert.findingIds.includes(f.findingId)) continue;
    if (!p || !isOpen(p.alert.status)) {
      p = {
        key,
        isNew: true,
        fromStatus: AlertStatus.ALERT_STATUS_UNSPECIFIED,
        reasons: [`raised by ${rule.id} on finding ${f.ruleId} ${f.findingId}`],
        ev,
        alert: Alert.fromPartial({
          alertId: alertIdFor(ev.tenant, key, f.findingId),
          tenantId: ev.tenant,
          alertRuleId: rule.id,
          alertRuleHash: rule.hash,
          title: `${rule.name}: ${f.ruleId} ${f.title}`,
          severity: alertSeverity(rule, f),
          status: AlertStatus.ALERT_STATUS_NEW,
          entityType: 'declaration',
          entityId: f.declarationId,
          findingIds: [f.findingId],
          exposurePence: f.exposureDutyPence + f.exposureVatPence,
          reclaimPence: f.reclaimDutyPence + f.reclaimVatPence,
          deadline: f.deadline,
          createdAt: now,
          updatedAt: now,
          suppressedCount: 0,
          firstSeen: f.raisedAt || now,
          lastSeen: f.raisedAt || now,
          mrn: f.mrn,
          declarationId: f.declarationId,
          ruleIds: [f.ruleId],
        }),
      };
      pending.set(k, p);
      continue;
    }
    // Keyed suppression: the open alert absorbs the repeat; counted, not re-raised.
    const a = p.alert;
    a.findingIds.push(f.findingId);
    a.suppressedCount += 1;
    a.lastSeen = f.raisedAt || now;
    a.updatedAt = now;
    a.exposurePence += f.exposureDutyPence + f.exposureVatPence;
    a.reclaimPence += f.reclaimDutyPence + f.reclaimVatPence;
    a.deadline = earliest(a.deadline, f.deadline);
    if (!a.ruleIds.includes(f.ruleId)) a.ruleIds.push(f.ruleId);
    a.severity = Math.max(a.severity, alertSeverity(rule, f));
    p.reasons.push(`repeat suppressed: finding ${f.ruleId} ${f.findingId}`);
    p.ev ??= ev;
  }
  const changed = [...pending.values()].filter((p) => p.reasons.length > 0);
  const fresh = changed.filter((p) => p.isNew);
  if (fresh.length) {
    for (const chunk of chunksFor(fresh, 10)) await trx
      .insertInto('alerts')
      .values(chunk.map((p) => ({ alert_id: p.alert.alertId, tenant_id: p.alert.tenantId, alert_key: p.key, alert_rule_id: p.alert.alertRuleId, alert_rule_hash: p.alert.alertRuleHash, status: p.alert.status, severity: p.alert.severity, payload: Buffer.from(Alert.encode(p.alert).finish()), created_at: p.alert.createdAt, updated_at: p.alert.updatedAt })))
      .execute();
  }
  const updated = changed.filter((c) => !c.isNew);
  for (const chunk of chunksFor(updated, 4)) {
    const values = chunk.map((p) => sql`(${p.alert.alertId}, ${Buffer.from(Alert.encode(p.alert).finish())}::bytea, ${p.alert.severity}::int, ${p.alert.updatedAt}::timestamptz)`);
    await sql`update alerts a set payload = v.payload, severity = v.severity, updated_at = v.updated_at
              from (values ${sql.join(values)}) as v(alert_id, payload, severity, updated_at) where a.alert_id = v.alert_id`.execute(trx);
  }
  await recordChanges(
    trx,
    changed.map((p) => ({ alert: p.alert, from: p.fromStatus, actor: 'system', reason: p.reasons.join('; '), parent: p.ev?.context })),
  );
}

/** Starts the alerting service. */
export async function startAlertingService(config: AlertingConfig): Promise<RunningService> {
  const rules = loadAlertRules(config.ALERT_RULES_DIR);
  return startPlatformService<AlertingDb>({
    name: 'alerting',
    config,
    migrations,
    async setup(kit) {
      const { db } = kit.db;
      kit.logger.info({ rules: rules.map((r) => `${r.id}@${r.hash.slice(0, 12)}`) }, 'alert rules loaded');

      // One LISTEN connection wakes every open stream when alert history grows.
      const changes = new EventEmitter();
      changes.setMaxListeners(0);
      const listener = await kit.db.pool.connect();
      listener.on('notification', () => changes.emit('change'));
      listener.on('error', (e) => kit.logger.warn({ err: e }, 'alert LISTEN connection failed; streams fall back to polling'));
      await listener.query(`listen ${CHANGES_CHANNEL}`);
      kit.lifecycle.add('alert-listener', async () => {
        changes.emit('close');
        listener.release();
      });

      kit.consume<FindingRaised>({
        groupId: GROUP,
        topic: Topics.validationFindingRaised,
        handle: async (events) => {
          await withAllTenants(db, async (trx) => {
            const fresh = await claimInbox(trx, GROUP, events.map((e) => ({ eventId: e.eventId, topic: e.topic })));
            await applyFindings(trx, rules, events.filter((e) => fresh.has(e.eventId)));
          });
        },
      });

      const listAlerts = async (tenantId: string, opts: { limit: number; afterCursor?: number; status?: AlertStatus }) =>
        withTenant(db, tenantId, async (trx) => {
          let q = trx.selectFrom('alerts').select(['payload', 'status']).where('tenant_id', '=', tenantId);
          if (opts.status !== undefined) q = q.where('status', '=', opts.status);
          const rows = await q.orderBy('updated_at', 'desc').limit(opts.limit).execute();
          return rows.map((r) => Alert.decode(r.payload));
        });

      const historyAfter = (trx: Kysely<AlertingDb> | Transaction<AlertingDb>, tenantId: string, cursor: number, limit: number) =>
        trx.selectFrom('alert_history').selectAll().where('tenant_id', '=', tenantId).where('cursor', '>', cursor).orderBy('cursor').limit(limit).execute();

      const toChanged = (h: Awaited<ReturnType<typeof historyAfter>>[number]): AlertChanged =>
        AlertChanged.fromPartial({ alert: { ...Alert.decode(h.snapshot), cursor: h.cursor }, change: { actor: h.actor, fromStatus: h.from_status, toStatus: h.to_status, reason: h.reason, at: new Date(h.at).toISOString() } });

      kit.grpc.addService(AlertingServiceService as never, {
        listAlerts: async (req: ListAlertsRequest, call: CallContext): Promise<ListAlertsResponse> => ({ alerts: await listAlerts(call.principal.tenantId, { limit: Math.min(Math.max(req.limit || 100, 1), 1000) }), nextCursor: 0 }),
        streamAlerts: async (req: StreamAlertsRequest, call: CallContext, send: (m: StreamAlertsResponse) => Promise<void>) => {
          let cursor = req.afterCursor || 0;
          let closed = false;
          changes.once('close', () => (closed = true));
          while (!call.cancelled() && !closed) {
            const rows = await withTenant(db, call.principal.tenantId, (trx) => historyAfter(trx, call.principal.tenantId, cursor, 500));
            for (const h of rows) {
              await send({ change: toChanged(h) });
              cursor = h.cursor;
            }
            if (rows.length === 500) continue;
            await new Promise<void>((resolve) => {
              const t = setTimeout(done, 1000);
              function done() {
                clearTimeout(t);
                changes.off('change', done);
                changes.off('close', done);
                resolve();
              }
              changes.once('change', done);
              changes.once('close', done);
            });
          }
        },
      });

      kit.http.get<{ Querystring: { status?: string; limit?: string } }>('/v1/alerts', async (req) => {
        const p = principalOf(req);
        const status = req.query.status === undefined ? undefined : STATUS_NAMES[req.query.status];
        if (req.query.status !== undefined && status === undefined) throw new HttpError(400, 'invalid_status', `status must be one of ${Object.keys(STATUS_NAMES).join(', ')}`);
        const limit = Math.min(Math.max(Number(req.query.limit ?? 100) || 100, 1), 1000);
        const alerts = await listAlerts(p.tenantId, { limit, status });
        return { alerts: alerts.map((a) => ({ ...(Alert.toJSON(a) as object), statusName: statusName(a.status) })) };
      });
      kit.http.get<{ Params: { id: string } }>('/v1/alerts/:id', async (req) => {
        const p = principalOf(req);
        const r = await withTenant(db, p.tenantId, async (trx) => {
          const a = await trx.selectFrom('alerts').select('payload').where('tenant_id', '=', p.tenantId).where('alert_id', '=', req.params.id).executeTakeFirst();
          const h = await trx.selectFrom('alert_history').selectAll().where('tenant_id', '=', p.tenantId).where('alert_id', '=', req.params.id).orderBy('cursor').execute();
          return { a, h };
        });
        if (!r.a) throw new HttpError(404, 'not_found', `no alert ${req.params.id}`);
        const alert = Alert.decode(r.a.payload);
        return { alert: { ...(Alert.toJSON(alert) as object), statusName: statusName(alert.status) }, history: r.h.map((h) => ({ cursor: h.cursor, actor: h.actor, from: statusName(h.from_status), to: statusName(h.to_status), reason: h.reason, at: new Date(h.at).toISOString() })) };
      });
      kit.http.post<{ Params: { id: string }; Body: { to?: string; reason?: string; disposition?: string } }>('/v1/alerts/:id/transition', async (req) => {
        const p = requireRole(req, 'analyst');
        const to = STATUS_NAMES[req.body?.to ?? ''];
        if (to === undefined) throw new HttpError(400, 'invalid_status', `"to" must be one of ${Object.keys(STATUS_NAMES).join(', ')}`);
        return withTenant(db, p.tenantId, async (trx) => {
          const row = await trx.selectFrom('alerts').select('payload').where('tenant_id', '=', p.tenantId).where('alert_id', '=', req.params.id).forUpdate().executeTakeFirst();
          if (!row) throw new HttpError(404, 'not_found', `no alert ${req.params.id}`);
          const alert = Alert.decode(row.payload);
          const refused = checkTransition(alert.status, to, req.body.disposition, req.body.reason);
          if (refused) throw new HttpError(409, 'transition_refused', refused);
          const from = alert.status;
          alert.status = to;
          alert.updatedAt = new Date().toISOString();
          if (req.body.disposition) alert.disposition = req.body.disposition;
          await trx.updateTable('alerts').set({ status: to, payload: Buffer.from(Alert.encode(alert).finish()), updated_at: alert.updatedAt }).where('alert_id', '=', alert.alertId).execute();
          const [changed] = await recordChanges(trx, [{ alert, from, actor: `token:${p.tokenId}`, reason: req.body.reason! }]);
          return { alert: { ...(Alert.toJSON(changed!.alert!) as object), statusName: statusName(to) } };
        });
      });
      // Webhooks, SSE and syslog CEF (src/delivery), reading alert_history after their cursors.
      await registerDelivery(kit as PlatformKit<unknown>, { config });
      kit.http.get('/v1/alert-rules', async () => ({ rules: rules.map((r) => ({ id: r.id, name: r.name, status: r.status, level: r.level, hash: r.hash, tags: r.tags, source: r.source })) }));
    },
  });
}
