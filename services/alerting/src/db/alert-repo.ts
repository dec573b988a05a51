// Every SQL statement of the alerting core: alerts, their append-only history, the findings
// alerting keeps for windows and the feed, new-terms memory, score marks, exceptions, tenant
// rule settings and their audit. The use cases in src/app see only the ports.
import { Alert, AlertChange, AlertChanged, Finding, Topics } from '@customs/contracts';
import { chunksFor, claimInbox, enqueueOutbox, sql, withAllTenants, withTenant, type Kysely, type Transaction } from '@customs/db';
import { buildEvent, type EncodedEvent } from '@customs/kafka';
import type { AlertException } from '../policies/exceptions';
import type { Decision, KeyedAlert, Needs, PendingTerm, State } from '../policies/model';
import { slicesToLoad } from '../policies/decide';
import type { GroupField, RuleSetting, TermField } from '../policies/rules';
import type { AlertQuery, AlertStore, CorrelationTx, DeadlineScan, HistoryRecord } from '../app/ports';
import type { AlertingDb } from './migrations';

export const CHANGES_CHANNEL = 'alerting_changes';
type Trx = Transaction<AlertingDb>;

/** Column of the findings table that holds a group-by field (undefined: not a stored column). */
const COLUMN: Partial<Record<GroupField, string>> = {
  declaration_id: 'declaration_id',
  rule_id: 'rule_id',
  importer: 'importer',
  broker: 'broker',
  declarant: 'broker',
  supplier: 'supplier',
  commodity_code: 'commodity_code',
  origin_country: 'origin_country',
  cpc: 'cpc',
  family: 'family',
};

const nullDate = (d: string) => (d === '' ? null : d);

function rowToKeyed(r: { alert_key: string; payload: Buffer }): KeyedAlert {
  return { key: r.alert_key, alert: Alert.decode(r.payload) };
}

/** A stored exception as the API shows it. */
export function exceptionOf(r: AlertingDb['alert_exceptions']): AlertException {
  return {
    id: r.exception_id,
    tenantId: r.tenant_id,
    scope: r.scope as AlertException['scope'],
    owner: r.owner,
    reason: r.reason,
    expiresAt: new Date(r.expires_at).toISOString(),
    revokedAt: r.revoked_at ? new Date(r.revoked_at).toISOString() : undefined,
    createdBy: r.created_by,
    createdAt: new Date(r.created_at).toISOString(),
  };
}

export function historyRecord(h: AlertingDb['alert_history'] & { cursor: number }): HistoryRecord {
  return {
    cursor: h.cursor,
    actor: h.actor,
    from: h.from_status,
    to: h.to_status,
    kind: h.kind,
    reason: h.reason,
    notify: h.notify,
    disposition: h.disposition,
    note: h.note,
    at: new Date(h.at).toISOString(),
    snapshot: Alert.decode(h.snapshot),
  };
}

class Tx implements CorrelationTx {
  constructor(private readonly trx: Trx) {}

  claim(group: string, events: { eventId: string; topic: string }[]) {
    return claimInbox(this.trx, group, events);
  }

  async settings(tenantIds: readonly string[]) {
    const out = new Map<string, Map<string, RuleSetting>>();
    if (tenantIds.length === 0) return out;
    const rows = await this.trx
      .selectFrom('rule_settings')
      .selectAll()
      .where('tenant_id', 'in', [...tenantIds])
      .execute();
    for (const r of rows) {
      const m = out.get(r.tenant_id) ?? new Map<string, RuleSetting>();
      m.set(r.rule_id, { enabled: r.enabled, params: r.params as Record<string, number> });
      out.set(r.tenant_id, m);
    }
    return out;
  }

  async storeFindings(findings: readonly Finding[], at: string) {
    const fresh = new Set<string>();
    const again = new Set<string>();
    if (findings.length === 0) return { fresh, again };
    const unique = [...new Map(findings.map((f) => [`${f.tenantId}|${f.findingId}`, f])).values()];
    for (const chunk of chunksFor(unique, 18)) {
      const inserted = await this.trx
        .insertInto('findings')
        .values(
          chunk.map((f) => ({
            tenant_id: f.tenantId,
            finding_id: f.findingId,
            declaration_id: f.declarationId,
            rule_id: f.ruleId,
            family: f.family,
            severity: f.severity,
            importer: f.importerEori,
            broker: f.declarantId,
            supplier: f.supplier,
            commodity_code: f.commodityCode,
            origin_country: f.originCountry,
            cpc: f.cpc,
            acceptance_date: nullDate(f.acceptanceDate),
            deadline: nullDate(f.deadline),
            exposure_pence: f.exposureDutyPence + f.exposureVatPence,
            reclaim_pence: f.reclaimDutyPence + f.reclaimVatPence,
            withdrawn_at: null,
            payload: Buffer.from(Finding.encode(f).finish()),
          })),
        )
        // A finding withdrawn before and raised again (scoring's C20 judging a history again) is live again.
        .onConflict((oc) => oc.columns(['tenant_id', 'finding_id']).doUpdateSet({ withdrawn_at: null }).where('findings.withdrawn_at', 'is not', null))
        // xmax is set on a row the upsert updated (not on one it inserted): those are raised again.
        .returning(['tenant_id', 'finding_id', sql<boolean>`xmax <> 0`.as('updated')])
        .execute();
      if (inserted.length)
        await this.trx
          .insertInto('finding_feed')
          .values(inserted.map((r) => ({ tenant_id: r.tenant_id, finding_id: r.finding_id, change: 'raised', at })))
          .execute();
      for (const r of inserted) {
        fresh.add(`${r.tenant_id}|${r.finding_id}`);
        if (r.updated) again.add(`${r.tenant_id}|${r.finding_id}`);
      }
    }
    // Wakes findings streams (and alert streams, which re-read and find nothing new: cheap).
    await sql`select pg_notify(${CHANGES_CHANNEL}, '')`.execute(this.trx);
    return { fresh, again };
  }

  async withdrawFindings(ids: readonly { tenantId: string; findingId: string }[], at: string) {
    for (const chunk of chunksFor(ids, 2)) {
      if (chunk.length === 0) continue;
      const keys = chunk.map((i) => sql`(${i.tenantId}, ${i.findingId})`);
      const rows = await sql<{ tenant_id: string; finding_id: string }>`
        update findings set withdrawn_at = ${at}::timestamptz
        where (tenant_id, finding_id) in (${sql.join(keys)}) and withdrawn_at is null
        returning tenant_id, finding_id`.execute(this.trx);
      if (rows.rows.length)
        await this.trx
          .insertInto('finding_feed')
          .values(rows.rows.map((r) => ({ tenant_id: r.tenant_id, finding_id: r.finding_id, change: 'withdrawn', at })))
          .execute();
    }
  }

  private async alertsByKeys(keys: readonly { tenantId: string; key: string }[]): Promise<KeyedAlert[]> {
    const out: KeyedAlert[] = [];
    for (const chunk of chunksFor(keys, 2)) {
      if (chunk.length === 0) continue;
      // Per key: the open alert if there is one, else the latest (to reopen, or to know a
      // deadline rule already raised for it).
      const rows = await sql<{ alert_key: string; payload: Buffer }>`
        select distinct on (tenant_id, alert_key) alert_key, payload from alerts
        where (tenant_id, alert_key) in (${sql.join(chunk.map((k) => sql`(${k.tenantId}, ${k.key})`))})
        order by tenant_id, alert_key, (status in (1, 2, 3, 6)) desc, created_at desc`.execute(this.trx);
      out.push(...rows.rows.map(rowToKeyed));
    }
    return out;
  }

  async load(needs: Needs, tenantIds: readonly string[], now: Date): Promise<State> {
    const alerts = await this.alertsByKeys(needs.keys);
    const have = new Set(alerts.map((a) => a.alert.alertId));
    for (const chunk of chunksFor(needs.findingIds, 2)) {
      if (chunk.length === 0) continue;
      const rows = await sql<{ alert_key: string; payload: Buffer }>`
        select a.alert_key, a.payload from alerts a join alert_findings af on af.alert_id = a.alert_id
        where (af.tenant_id, af.finding_id) in (${sql.join(chunk.map((k) => sql`(${k.tenantId}, ${k.findingId})`))})`.execute(this.trx);
      for (const r of rows.rows) {
        const ka = rowToKeyed(r);
        if (!have.has(ka.alert.alertId)) {
          have.add(ka.alert.alertId);
          alerts.push(ka);
        }
      }
    }
    const findings = new Map<string, Finding>();
    const byColumn = new Map<string, Needs['slices']>();
    for (const s of slicesToLoad(needs.slices, alerts)) {
      const col = COLUMN[s.field];
      if (col) byColumn.set(col, [...(byColumn.get(col) ?? []), s]);
    }
    for (const [col, slices] of byColumn) {
      for (const chunk of chunksFor(slices, 4)) {
        const values = chunk.map((s) => sql`(${s.tenantId}, ${s.value}, ${nullDate(s.from)}::date, ${nullDate(s.to)}::date)`);
        const rows = await sql<{ payload: Buffer }>`
          select f.payload from findings f join (values ${sql.join(values)}) as v(t, val, d_from, d_to)
            on f.tenant_id = v.t and ${sql.ref(`f.${col}`)} = v.val
           and (v.d_from is null or f.acceptance_date >= v.d_from) and (v.d_to is null or f.acceptance_date <= v.d_to)
          where f.withdrawn_at is null`.execute(this.trx);
        for (const r of rows.rows) {
          const f = Finding.decode(r.payload);
          findings.set(`${f.tenantId}|${f.findingId}`, f);
        }
      }
    }
    const terms = new Map<string, { firstDate: string; declarationId: string }>();
    for (const chunk of chunksFor(needs.terms, 4)) {
      if (chunk.length === 0) continue;
      const rows = await sql<AlertingDb['seen_terms']>`
        select * from seen_terms where (tenant_id, importer, field, value) in (${sql.join(chunk.map((t) => sql`(${t.tenantId}, ${t.importer}, ${t.field}, ${t.value})`))})`.execute(this.trx);
      for (const r of rows.rows) terms.set(`${r.tenant_id}|${r.importer}|${r.field}|${r.value}`, { firstDate: r.first_date, declarationId: r.declaration_id });
    }
    const importers = new Map<string, { firstDate: string; count: number }>();
    for (const chunk of chunksFor(needs.importers, 2)) {
      if (chunk.length === 0) continue;
      const rows = await sql<{ tenant_id: string; importer: string; first: string; n: number }>`
        select tenant_id, importer, min(acceptance_date)::text as first, count(*)::int as n from importer_declarations
        where (tenant_id, importer) in (${sql.join(chunk.map((t) => sql`(${t.tenantId}, ${t.importer})`))}) group by tenant_id, importer`.execute(this.trx);
      for (const r of rows.rows) importers.set(`${r.tenant_id}|${r.importer}`, { firstDate: r.first, count: r.n });
    }
    const scoreMarks = new Map<string, number>();
    for (const chunk of chunksFor(needs.scoreMarks, 2)) {
      if (chunk.length === 0) continue;
      const rows = await sql<AlertingDb['score_marks']>`
        select * from score_marks where (tenant_id, mark_key) in (${sql.join(chunk.map((t) => sql`(${t.tenantId}, ${t.key})`))})`.execute(this.trx);
      for (const r of rows.rows) scoreMarks.set(`${r.tenant_id}|${r.mark_key}`, r.high_water);
    }
    return { alerts, findings: [...findings.values()], terms, importers, scoreMarks, exceptions: await this.exceptions(tenantIds, now) };
  }

  private async exceptions(tenantIds: readonly string[], now: Date): Promise<AlertException[]> {
    if (tenantIds.length === 0) return [];
    const rows = await this.trx
      .selectFrom('alert_exceptions')
      .selectAll()
      .where('tenant_id', 'in', [...tenantIds])
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now.toISOString())
      .execute();
    return rows.map(exceptionOf);
  }

  async loadTick(today: string, deadlineRules: readonly DeadlineScan[], newTermsRuleIds: readonly string[], limit: number, now: Date) {
    // Open alerts whose every deadline has passed (to expire), and open deadline-rule alerts (to escalate).
    const rows = await sql<{ alert_key: string; payload: Buffer }>`
      select alert_key, payload from alerts
      where status in (1, 2, 3, 6) and (latest_deadline < ${today}::date or (alert_rule_type = 'deadline' and deadline is not null))
      order by latest_deadline limit ${limit}`.execute(this.trx);
    const alerts = rows.rows.map(rowToKeyed);
    let candidates: Finding[] = [];
    const decls = new Map<string, { tenant_id: string; declaration_id: string }>();
    for (const r of deadlineRules) {
      // Declarations with at least the rule's minimum at stake due in its window and no alert of
      // that rule yet (one that never qualifies is not scanned again and again).
      const col = sql.ref(r.measure === 'reclaim' ? 'f.reclaim_pence' : 'f.exposure_pence');
      const found = await sql<{ tenant_id: string; declaration_id: string }>`
        select f.tenant_id, f.declaration_id from findings f
        where f.withdrawn_at is null and f.deadline between ${r.from}::date and ${r.to}::date and ${col} > 0
          and not exists (select 1 from alerts a where a.tenant_id = f.tenant_id and a.alert_key = ${`${r.id}|`}::text || f.declaration_id)
        group by f.tenant_id, f.declaration_id having sum(${col}) >= ${r.minPence}
        limit ${limit}`.execute(this.trx);
      for (const d of found.rows) decls.set(`${d.tenant_id}|${d.declaration_id}`, d);
    }
    for (const chunk of chunksFor([...decls.values()], 2)) {
      if (chunk.length === 0) continue;
      const fr = await sql<{ payload: Buffer }>`
        select payload from findings where withdrawn_at is null and (tenant_id, declaration_id) in (${sql.join(chunk.map((d) => sql`(${d.tenant_id}, ${d.declaration_id})`))})`.execute(this.trx);
      candidates = candidates.concat(fr.rows.map((r) => Finding.decode(r.payload)));
    }
    {
      const keys = [...decls.values()].flatMap((d) => deadlineRules.map((r) => ({ tenantId: d.tenant_id, key: `${r.id}|${d.declaration_id}` })));
      const seen = new Set(alerts.map((a) => a.alert.alertId));
      for (const ka of await this.alertsByKeys(keys)) if (!seen.has(ka.alert.alertId)) alerts.push(ka);
    }
    let pendingTerms: PendingTerm[] = [];
    if (newTermsRuleIds.length) {
      const rows = await sql<{ tenant_id: string; importer: string; field: string; value: string; first_date: string; declaration_id: string; n: number; first: string | null }>`
        select t.tenant_id, t.importer, t.field, t.value, t.first_date::text as first_date, t.declaration_id, h.n, h.first::text as first
        from seen_terms t
        cross join lateral (
          select count(*)::int as n, min(d.acceptance_date) as first from importer_declarations d
          where d.tenant_id = t.tenant_id and d.importer = t.importer and d.acceptance_date < t.first_date) h
        where t.pending order by t.rechecked_at nulls first limit ${limit}`.execute(this.trx);
      pendingTerms = rows.rows.map((r) => ({
        tenantId: r.tenant_id,
        importer: r.importer,
        field: r.field as TermField,
        value: r.value,
        firstDate: r.first_date,
        declarationId: r.declaration_id,
        historyCount: r.n,
        historyFirst: r.first ?? '',
      }));
      const seen = new Set(alerts.map((a) => a.alert.alertId));
      const keys = pendingTerms.flatMap((p) => newTermsRuleIds.map((id) => ({ tenantId: p.tenantId, key: `${id}|${p.importer}|${p.field}|${p.value}` })));
      for (const ka of await this.alertsByKeys(keys)) if (!seen.has(ka.alert.alertId)) alerts.push(ka);
    }
    const tenants = [...new Set([...alerts.map((a) => a.alert.tenantId), ...candidates.map((f) => f.tenantId), ...pendingTerms.map((p) => p.tenantId)])];
    return { alerts, candidates, pendingTerms, exceptions: await this.exceptions(tenants, now) };
  }

  async alertForUpdate(tenantId: string, alertId: string) {
    const r = await this.trx.selectFrom('alerts').select(['alert_key', 'payload']).where('tenant_id', '=', tenantId).where('alert_id', '=', alertId).forUpdate().executeTakeFirst();
    return r ? rowToKeyed(r) : undefined;
  }

  async apply(d: Decision): Promise<AlertChanged[]> {
    const trx = this.trx;
    const published: AlertChanged[] = [];
    const withEntries = d.alerts.filter((e) => e.entries.length > 0);
    if (withEntries.length) {
      const flat = withEntries.flatMap((e) => e.entries.map((h) => ({ e, h })));
      const cursors: number[] = [];
      for (const chunk of chunksFor(flat, 13)) {
        const rows = await trx
          .insertInto('alert_history')
          .values(
            chunk.map(({ e, h }) => ({
              tenant_id: e.alert.tenantId,
              alert_id: e.alert.alertId,
              actor: h.actor,
              from_status: h.from,
              to_status: h.to,
              reason: h.reason,
              at: h.at,
              snapshot: Buffer.from(Alert.encode(h.snapshot).finish()),
              kind: h.kind,
              notify: h.notify,
              disposition: h.disposition ?? '',
              note: h.note ?? '',
            })),
          )
          .returning('cursor')
          .execute();
        cursors.push(...rows.map((r) => r.cursor));
      }
      const lastCursor = new Map<string, number>();
      const events: EncodedEvent[] = [];
      flat.forEach(({ e, h }, i) => {
        const cursor = cursors[i]!;
        lastCursor.set(e.alert.alertId, cursor);
        const value = AlertChanged.fromPartial({
          alert: { ...h.snapshot, cursor },
          change: AlertChange.fromPartial({
            actor: h.actor,
            fromStatus: h.from,
            toStatus: h.to,
            reason: h.reason,
            at: h.at,
            kind: h.kind,
            notify: h.notify,
            disposition: h.disposition ?? '',
            note: h.note ?? '',
          }),
        });
        published.push(value);
        events.push(
          buildEvent({
            topic: Topics.alertChanged,
            key: `${e.alert.tenantId}/${e.alert.alertId}`,
            value,
            tenant: e.alert.tenantId,
            source: 'alerting',
            subject: e.alert.alertId,
            id: `alert-change/${e.alert.tenantId}/${cursor}`,
          }),
        );
      });
      const columns = (a: Alert) => ({
        status: a.status,
        severity: a.severity,
        payload: Buffer.from(Alert.encode(a).finish()),
        updated_at: a.updatedAt,
        alert_rule_type: a.alertRuleType,
        importer: a.importerEori,
        broker: a.declarantId,
        exposure_pence: a.exposurePence,
        reclaim_pence: a.reclaimPence,
        money_pence: a.exposurePence + a.reclaimPence,
        deadline: nullDate(a.deadline),
        latest_deadline: nullDate(a.latestDeadline),
        disposition: a.disposition,
        assignee: a.assignee,
        last_cursor: lastCursor.get(a.alertId) ?? 0,
      });
      // Updates first: an alert leaving the open states frees its key for a new one raised in
      // the same batch (the open-key unique index is checked per statement).
      const updates = withEntries.filter((x) => !x.isNew);
      for (const chunk of chunksFor(updates, 16)) {
        if (chunk.length === 0) continue;
        const values = chunk.map((e) => {
          const c = columns(e.alert);
          return sql`(${e.alert.alertId}, ${c.status}::int, ${c.severity}::int, ${c.payload}::bytea, ${c.updated_at}::timestamptz, ${c.alert_rule_type}, ${c.importer}, ${c.broker}, ${c.exposure_pence}::bigint, ${c.reclaim_pence}::bigint, ${c.money_pence}::bigint, ${c.deadline}::date, ${c.latest_deadline}::date, ${c.disposition}, ${c.assignee}, ${c.last_cursor}::bigint)`;
        });
        await sql`update alerts a set status = v.status, severity = v.severity, payload = v.payload, updated_at = v.updated_at, alert_rule_type = v.alert_rule_type,
            importer = v.importer, broker = v.broker, exposure_pence = v.exposure_pence, reclaim_pence = v.reclaim_pence, money_pence = v.money_pence,
            deadline = v.deadline, latest_deadline = v.latest_deadline, disposition = v.disposition, assignee = v.assignee, last_cursor = v.last_cursor
          from (values ${sql.join(values)}) as v(alert_id, status, severity, payload, updated_at, alert_rule_type, importer, broker, exposure_pence, reclaim_pence, money_pence, deadline, latest_deadline, disposition, assignee, last_cursor)
          where a.alert_id = v.alert_id`.execute(trx);
      }
      const fresh = withEntries.filter((x) => x.isNew);
      for (const chunk of chunksFor(fresh, 22)) {
        await trx
          .insertInto('alerts')
          .values(
            chunk.map((e) => ({
              alert_id: e.alert.alertId,
              tenant_id: e.alert.tenantId,
              alert_key: e.key,
              alert_rule_id: e.alert.alertRuleId,
              alert_rule_hash: e.alert.alertRuleHash,
              created_at: e.alert.createdAt,
              ...columns(e.alert),
            })),
          )
          .execute();
      }
      const members = withEntries.flatMap((e) => e.alert.findings.map((f) => ({ tenant_id: e.alert.tenantId, alert_id: e.alert.alertId, finding_id: f.findingId })));
      for (const chunk of chunksFor(members, 3))
        await trx
          .insertInto('alert_findings')
          .values(chunk)
          .onConflict((oc) => oc.columns(['alert_id', 'finding_id']).doNothing())
          .execute();
      await enqueueOutbox(trx, 'alerting', events);
      await sql`select pg_notify(${CHANGES_CHANNEL}, '')`.execute(trx);
    }
    for (const chunk of chunksFor(d.terms, 6)) {
      await trx
        .insertInto('seen_terms')
        .values(
          chunk.map((t) => ({
            tenant_id: t.tenantId,
            importer: t.importer,
            field: t.field,
            value: t.value,
            first_date: t.firstDate,
            declaration_id: t.declarationId,
            pending: t.pending,
            rechecked_at: null,
          })),
        )
        .onConflict((oc) =>
          oc.columns(['tenant_id', 'importer', 'field', 'value']).doUpdateSet({
            first_date: sql`least(seen_terms.first_date, excluded.first_date)`,
            declaration_id: sql`case when excluded.first_date < seen_terms.first_date then excluded.declaration_id else seen_terms.declaration_id end`,
            pending: sql`case when excluded.first_date < seen_terms.first_date then excluded.pending else seen_terms.pending end`,
          }),
        )
        .execute();
    }
    for (const chunk of chunksFor(d.termChecks, 5)) {
      if (chunk.length === 0) continue;
      const values = chunk.map((t) => sql`(${t.tenantId}, ${t.importer}, ${t.field}, ${t.value}, ${t.pending}::boolean)`);
      await sql`update seen_terms s set pending = v.pending, rechecked_at = now()
        from (values ${sql.join(values)}) as v(tenant_id, importer, field, value, pending)
        where s.tenant_id = v.tenant_id and s.importer = v.importer and s.field = v.field and s.value = v.value`.execute(trx);
    }
    for (const chunk of chunksFor(d.importerDeclarations, 4)) {
      await trx
        .insertInto('importer_declarations')
        .values(chunk.map((t) => ({ tenant_id: t.tenantId, importer: t.importer, declaration_id: t.declarationId, acceptance_date: t.acceptanceDate })))
        .onConflict((oc) => oc.columns(['tenant_id', 'importer', 'declaration_id']).doNothing())
        .execute();
    }
    for (const chunk of chunksFor(d.scoreMarks, 3)) {
      await trx
        .insertInto('score_marks')
        .values(chunk.map((m) => ({ tenant_id: m.tenantId, mark_key: m.key, high_water: m.highWater })))
        .onConflict((oc) => oc.columns(['tenant_id', 'mark_key']).doUpdateSet({ high_water: sql`excluded.high_water` }))
        .execute();
    }
    return published;
  }
}

/** The global advisory key (bigint form): hashtext('alerting.alerts'), the lock every writer once took alone. */
const GLOBAL_LOCK = sql`hashtext('alerting.alerts')::bigint`;

/**
 * Shared global key, then one (namespace, hashtext(tenant)) key per tenant in ascending order.
 * Two tenants whose names hash alike share a key: they only wait on each other, never corrupt.
 */
async function lockTenants(trx: Trx, tenantIds: readonly string[]): Promise<void> {
  await sql`select pg_advisory_xact_lock_shared(${GLOBAL_LOCK})`.execute(trx);
  if (tenantIds.length === 0) return;
  await sql`select pg_advisory_xact_lock(hashtext('alerting.alerts'), h)
    from (select distinct hashtext(t) as h from unnest(${[...tenantIds]}::text[]) as t order by 1) as keys`.execute(trx);
}

/** Read side and settings: tenant-scoped queries for the APIs. */
export class AlertRepo implements AlertStore {
  constructor(readonly db: Kysely<AlertingDb>) {}

  // Writers of alerts lock first, so a read-decide-write never interleaves with another on the
  // same tenant (an absorb overwriting an analyst's "in progress", two batches each counting a
  // window without the other's finding) and a tenant's stream cursors (bigserial) commit in
  // order, so a stream reading "after cursor c" never passes one still in flight. The lock is per
  // tenant (ADR 0015): consumers and instances working on different tenants correlate at once.
  // Two levels, always taken in this order so no two writers wait on each other in a cycle:
  // the global key, shared by tenant-scoped writers and exclusive for the scheduled pass (which
  // reads across tenants before it knows which it will write), then each tenant's key in
  // ascending order. Readers never lock.
  correlation<T>(tenantIds: readonly string[], fn: (tx: CorrelationTx) => Promise<T>): Promise<T> {
    return withAllTenants(this.db, async (trx) => {
      await lockTenants(trx, tenantIds);
      return fn(new Tx(trx));
    });
  }

  everyTenant<T>(fn: (tx: CorrelationTx) => Promise<T>): Promise<T> {
    return withAllTenants(this.db, async (trx) => {
      await sql`select pg_advisory_xact_lock(${GLOBAL_LOCK})`.execute(trx);
      return fn(new Tx(trx));
    });
  }

  tenant<T>(tenantId: string, fn: (tx: CorrelationTx) => Promise<T>): Promise<T> {
    return withTenant(this.db, tenantId, async (trx) => {
      await lockTenants(trx, [tenantId]);
      return fn(new Tx(trx));
    });
  }

  async list(q: AlertQuery): Promise<{ alerts: Alert[]; sortValues: (string | number)[] }> {
    return withTenant(this.db, q.tenantId, async (trx) => {
      const desc = q.order === 'desc';
      const expr = {
        money: sql`a.money_pence`,
        exposure: sql`a.exposure_pence`,
        reclaim: sql`a.reclaim_pence`,
        // Alerts without a known deadline sort after every dated one, either way.
        deadline: desc ? sql`coalesce(a.deadline, '0001-01-01'::date)` : sql`coalesce(a.deadline, '9999-12-31'::date)`,
        days_left: desc ? sql`coalesce(a.deadline, '0001-01-01'::date)` : sql`coalesce(a.deadline, '9999-12-31'::date)`,
        severity: sql`a.severity`,
        updated: sql`a.last_cursor`,
        created: sql`a.created_at`,
        broker: sql`a.broker`,
        importer: sql`a.importer`,
        state: sql`a.status`,
        rule: sql`a.alert_rule_id`,
      }[q.sort];
      const where = [sql`a.tenant_id = ${q.tenantId}`];
      if (q.states?.length) where.push(sql`a.status in (${sql.join(q.states)})`);
      if (q.minSeverity) where.push(sql`a.severity >= ${q.minSeverity}`);
      if (q.alertRuleIds?.length) where.push(sql`a.alert_rule_id in (${sql.join(q.alertRuleIds)})`);
      if (q.ruleTypes?.length) where.push(sql`a.alert_rule_type in (${sql.join(q.ruleTypes)})`);
      if (q.broker) where.push(sql`a.broker = ${q.broker}`);
      if (q.importer) where.push(sql`a.importer = ${q.importer}`);
      if (q.importers) where.push(sql`a.importer in (${sql.join(q.importers)})`);
      if (q.minPence !== undefined) where.push(sql`a.money_pence >= ${q.minPence}`);
      if (q.deadlineBefore) where.push(sql`a.deadline <= ${q.deadlineBefore}::date`);
      if (q.search) where.push(sql`(a.alert_key ilike ${`%${q.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`} or a.alert_id = ${q.search})`);
      if (q.after) {
        const v =
          q.sort === 'created'
            ? sql`${q.after.v}::timestamptz`
            : q.sort === 'deadline' || q.sort === 'days_left'
              ? sql`${q.after.v}::date`
              : q.sort === 'broker' || q.sort === 'importer' || q.sort === 'rule'
                ? sql`${q.after.v}::text`
                : sql`${q.after.v}::bigint`;
        where.push(desc ? sql`(${expr}, a.alert_id) < (${v}, ${q.after.id})` : sql`(${expr}, a.alert_id) > (${v}, ${q.after.id})`);
      }
      const dir = sql.raw(desc ? 'desc' : 'asc');
      const rows = await sql<{ payload: Buffer; sort_value: string | number }>`
        select a.payload, (${expr})::text as sort_value from alerts a where ${sql.join(where, sql` and `)}
        order by ${expr} ${dir}, a.alert_id ${dir} limit ${q.limit}`.execute(trx);
      return { alerts: rows.rows.map((r) => Alert.decode(r.payload)), sortValues: rows.rows.map((r) => r.sort_value) };
    });
  }

  /** Alerts whose latest change is after a history cursor, oldest change first (gRPC ListAlerts). */
  changedAfter(tenantId: string, afterCursor: number, limit: number): Promise<{ alert: Alert; cursor: number }[]> {
    return withTenant(this.db, tenantId, async (trx) => {
      const rows = await trx
        .selectFrom('alerts')
        .select(['payload', 'last_cursor'])
        .where('tenant_id', '=', tenantId)
        .where('last_cursor', '>', afterCursor)
        .orderBy('last_cursor')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ alert: { ...Alert.decode(r.payload), cursor: r.last_cursor }, cursor: r.last_cursor }));
    });
  }

  get(tenantId: string, alertId: string): Promise<{ alert: Alert; history: HistoryRecord[] } | undefined> {
    return withTenant(this.db, tenantId, async (trx) => {
      const a = await trx.selectFrom('alerts').select('payload').where('tenant_id', '=', tenantId).where('alert_id', '=', alertId).executeTakeFirst();
      if (!a) return undefined;
      const h = await trx.selectFrom('alert_history').selectAll().where('tenant_id', '=', tenantId).where('alert_id', '=', alertId).orderBy('cursor').execute();
      return { alert: Alert.decode(a.payload), history: h.map((x) => historyRecord(x as never)) };
    });
  }

  historyAfter(tenantId: string, cursor: number, limit: number): Promise<HistoryRecord[]> {
    return withTenant(this.db, tenantId, async (trx) => {
      const rows = await trx.selectFrom('alert_history').selectAll().where('tenant_id', '=', tenantId).where('cursor', '>', cursor).orderBy('cursor').limit(limit).execute();
      return rows.map((x) => historyRecord(x as never));
    });
  }

  findingsAfter(tenantId: string, cursor: number, limit: number): Promise<{ cursor: number; change: string; at: string; finding: Finding }[]> {
    return withTenant(this.db, tenantId, async (trx) => {
      const rows = await trx
        .selectFrom('finding_feed as ff')
        .innerJoin('findings as f', (j) => j.onRef('f.tenant_id', '=', 'ff.tenant_id').onRef('f.finding_id', '=', 'ff.finding_id'))
        .select(['ff.cursor', 'ff.change', 'ff.at', 'f.payload'])
        .where('ff.tenant_id', '=', tenantId)
        .where('ff.cursor', '>', cursor)
        .orderBy('ff.cursor')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ cursor: r.cursor, change: r.change, at: new Date(r.at).toISOString(), finding: Finding.decode(r.payload) }));
    });
  }

  // ---- tenant rule settings and exceptions (audited) ----

  ruleSettings(tenantId: string): Promise<Map<string, RuleSetting & { updatedBy: string; updatedAt: string }>> {
    return withTenant(this.db, tenantId, async (trx) => {
      const rows = await trx.selectFrom('rule_settings').selectAll().where('tenant_id', '=', tenantId).execute();
      return new Map(rows.map((r) => [r.rule_id, { enabled: r.enabled, params: r.params as Record<string, number>, updatedBy: r.updated_by, updatedAt: new Date(r.updated_at).toISOString() }]));
    });
  }

  putRuleSetting(tenantId: string, ruleId: string, s: RuleSetting, actor: string, at: string): Promise<{ before: RuleSetting | null; after: RuleSetting }> {
    return withTenant(this.db, tenantId, async (trx) => {
      const prev = await trx.selectFrom('rule_settings').selectAll().where('tenant_id', '=', tenantId).where('rule_id', '=', ruleId).forUpdate().executeTakeFirst();
      const before = prev ? { enabled: prev.enabled, params: prev.params as Record<string, number> } : null;
      await trx
        .insertInto('rule_settings')
        .values({ tenant_id: tenantId, rule_id: ruleId, enabled: s.enabled, params: JSON.stringify(s.params), updated_by: actor, updated_at: at })
        .onConflict((oc) => oc.columns(['tenant_id', 'rule_id']).doUpdateSet({ enabled: s.enabled, params: JSON.stringify(s.params), updated_by: actor, updated_at: at }))
        .execute();
      await trx
        .insertInto('settings_audit')
        .values({ tenant_id: tenantId, subject_type: 'rule', subject_id: ruleId, actor, at, before: before ? JSON.stringify(before) : null, after: JSON.stringify(s) })
        .execute();
      return { before, after: s };
    });
  }

  audit(tenantId: string, limit: number): Promise<{ id: number; subjectType: string; subjectId: string; actor: string; at: string; before: unknown; after: unknown }[]> {
    return withTenant(this.db, tenantId, async (trx) => {
      const rows = await trx.selectFrom('settings_audit').selectAll().where('tenant_id', '=', tenantId).orderBy('id', 'desc').limit(limit).execute();
      return rows.map((r) => ({ id: r.id, subjectType: r.subject_type, subjectId: r.subject_id, actor: r.actor, at: new Date(r.at).toISOString(), before: r.before, after: r.after }));
    });
  }

  listExceptions(tenantId: string): Promise<AlertException[]> {
    return withTenant(this.db, tenantId, async (trx) =>
      (await trx.selectFrom('alert_exceptions').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at', 'desc').execute()).map(exceptionOf),
    );
  }

  createException(e: AlertException): Promise<void> {
    return withTenant(this.db, e.tenantId, async (trx) => {
      await trx
        .insertInto('alert_exceptions')
        .values({
          exception_id: e.id,
          tenant_id: e.tenantId,
          scope: JSON.stringify(e.scope),
          owner: e.owner,
          reason: e.reason,
          expires_at: e.expiresAt,
          created_by: e.createdBy,
          created_at: e.createdAt,
          revoked_at: null,
          revoked_by: null,
        })
        .execute();
      await trx
        .insertInto('settings_audit')
        .values({ tenant_id: e.tenantId, subject_type: 'exception', subject_id: e.id, actor: e.createdBy, at: e.createdAt, before: null, after: JSON.stringify(e) })
        .execute();
    });
  }

  revokeException(tenantId: string, id: string, actor: string, at: string): Promise<AlertException | undefined> {
    return withTenant(this.db, tenantId, async (trx) => {
      const prev = await trx.selectFrom('alert_exceptions').selectAll().where('tenant_id', '=', tenantId).where('exception_id', '=', id).forUpdate().executeTakeFirst();
      if (!prev) return undefined;
      if (prev.revoked_at) return exceptionOf(prev);
      await trx.updateTable('alert_exceptions').set({ revoked_at: at, revoked_by: actor }).where('exception_id', '=', id).execute();
      const after = { ...exceptionOf(prev), revokedAt: at };
      await trx
        .insertInto('settings_audit')
        .values({ tenant_id: tenantId, subject_type: 'exception', subject_id: id, actor, at, before: JSON.stringify(exceptionOf(prev)), after: JSON.stringify(after) })
        .execute();
      return after;
    });
  }
}
