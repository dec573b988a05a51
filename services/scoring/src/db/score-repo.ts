import { chunksFor, sql, type Transaction } from '@customs/db';
import type { Metrics } from '../scoring/contribution';
import type { FindingLite } from '../scoring/model';
import type { ScoringDb } from './migrations';

// All SQL of scores, contributions, aggregates and snapshots.

type Trx = Transaction<ScoringDb>;

/**
 * Serialises the scoring service's writers per tenant (the history and the check consumers both
 * move a declaration's contribution; without it two batches could apply new − old from the same
 * old row). Transaction-scoped, taken in a fixed order, so two batches never deadlock on it.
 */
export async function lockTenants(trx: Trx, tenants: readonly string[]): Promise<void> {
  for (const t of [...new Set(tenants)].sort()) await sql`select pg_advisory_xact_lock(hashtextextended(${`scoring:${t}`}, 0))`.execute(trx);
}

export interface StoredDeclScore {
  declaration_id: string;
  declaration_version: number;
  score: number;
  checked: boolean;
  validation_findings: FindingLite[];
  mrn: string;
  lrn: string;
  importer_id: string;
  declarant_id: string;
  acceptance_date: string;
}

export async function loadDeclScores(trx: Trx, tenant: string, ids: readonly string[]): Promise<Map<string, StoredDeclScore>> {
  if (ids.length === 0) return new Map();
  const r = await sql<StoredDeclScore>`
    select declaration_id, declaration_version, score, checked, validation_findings, mrn, lrn, importer_id, declarant_id, acceptance_date
    from declaration_scores where tenant_id = ${tenant} and declaration_id = any(${[...ids]}::text[])`.execute(trx);
  return new Map(r.rows.map((x) => [x.declaration_id, x]));
}

export type DeclScoreRow = ScoringDb['declaration_scores'];

/** Upserts a batch's declaration scores in one statement (unnest: one array parameter per column). */
export async function upsertDeclScores(trx: Trx, rows: readonly DeclScoreRow[]): Promise<void> {
  if (rows.length === 0) return;
  const r = [...rows].sort((a, b) => a.tenant_id.localeCompare(b.tenant_id) || a.declaration_id.localeCompare(b.declaration_id));
  const col = <K extends keyof DeclScoreRow>(k: K) => r.map((x) => x[k]);
  await sql`
    insert into declaration_scores (tenant_id, declaration_id, declaration_version, mrn, lrn, importer_id, declarant_id, score, finding_count, exposure_pence, reclaim_pence, acceptance_date, model_version, updated_at, validation_findings, risk, as_of, checked)
    select * from unnest(
      ${col('tenant_id')}::text[], ${col('declaration_id')}::text[], ${col('declaration_version')}::int[], ${col('mrn')}::text[], ${col('lrn')}::text[], ${col('importer_id')}::text[], ${col('declarant_id')}::text[],
      ${col('score')}::int[], ${col('finding_count')}::int[], ${r.map((x) => String(x.exposure_pence))}::bigint[], ${r.map((x) => String(x.reclaim_pence))}::bigint[], ${col('acceptance_date')}::text[], ${col('model_version')}::text[],
      ${r.map((x) => (x.updated_at instanceof Date ? x.updated_at.toISOString() : x.updated_at))}::timestamptz[], ${r.map((x) => (typeof x.validation_findings === 'string' ? x.validation_findings : JSON.stringify(x.validation_findings)))}::json[],
      ${col('risk')}::int[], ${col('as_of')}::text[], ${col('checked')}::bool[])
    on conflict (tenant_id, declaration_id) do update set
      declaration_version = excluded.declaration_version, mrn = excluded.mrn, lrn = excluded.lrn, importer_id = excluded.importer_id, declarant_id = excluded.declarant_id,
      score = excluded.score, finding_count = excluded.finding_count, exposure_pence = excluded.exposure_pence, reclaim_pence = excluded.reclaim_pence,
      acceptance_date = excluded.acceptance_date, model_version = excluded.model_version, updated_at = excluded.updated_at, validation_findings = excluded.validation_findings,
      risk = excluded.risk, as_of = excluded.as_of, checked = excluded.checked`.execute(trx);
}

export interface StoredContribution {
  declaration_id: string;
  agent_id: string;
  importer_id: string;
  month: string;
  metrics: Metrics;
}

export async function loadContributions(trx: Trx, tenant: string, ids: readonly string[]): Promise<Map<string, StoredContribution>> {
  if (ids.length === 0) return new Map();
  const r =
    await sql<StoredContribution>`select declaration_id, agent_id, importer_id, month, metrics from contributions where tenant_id = ${tenant} and declaration_id = any(${[...ids]}::text[])`.execute(
      trx,
    );
  return new Map(r.rows.map((x) => [x.declaration_id, x]));
}

/** Upserts a batch's contributions in one statement (unnest). */
export async function upsertContributions(trx: Trx, tenant: string, rows: readonly StoredContribution[]): Promise<void> {
  if (rows.length === 0) return;
  const r = [...rows].sort((a, b) => a.declaration_id.localeCompare(b.declaration_id)).map((c) => ({ d: c.declaration_id, a: c.agent_id, i: c.importer_id, m: c.month, x: c.metrics }));
  await sql`
    insert into contributions (tenant_id, declaration_id, agent_id, importer_id, month, metrics)
    select ${tenant}, t.d, t.a, t.i, t.m, t.x from json_to_recordset(${JSON.stringify(r)}::json) as t(d text, a text, i text, m text, x json)
    on conflict (tenant_id, declaration_id) do update set agent_id = excluded.agent_id, importer_id = excluded.importer_id, month = excluded.month, metrics = excluded.metrics`.execute(trx);
}

export interface AggregateDelta {
  scope: 'agent' | 'importer' | 'tenant';
  entity: string;
  month: string;
  metric: string;
  value: number;
}

/** Adds deltas to the monthly aggregates in one statement per chunk (value = value + delta). */
export async function applyAggregateDeltas(trx: Trx, tenant: string, deltas: readonly AggregateDelta[]): Promise<void> {
  const merged = new Map<string, AggregateDelta>();
  for (const d of deltas) {
    const k = `${d.scope}|${d.entity}|${d.month}|${d.metric}`;
    const m = merged.get(k);
    if (m) m.value += d.value;
    else merged.set(k, { ...d });
  }
  const rows = [...merged.values()]
    .filter((d) => d.value !== 0)
    .sort((a, b) => a.scope.localeCompare(b.scope) || a.entity.localeCompare(b.entity) || a.month.localeCompare(b.month) || a.metric.localeCompare(b.metric));
  for (const chunk of chunksFor(rows, 6)) {
    await sql`
      insert into aggregates (tenant_id, scope, entity_id, month, metric, value)
      select ${tenant}, * from unnest(${chunk.map((d) => d.scope)}::text[], ${chunk.map((d) => d.entity)}::text[], ${chunk.map((d) => d.month)}::text[], ${chunk.map((d) => d.metric)}::text[], ${chunk.map((d) => String(d.value))}::bigint[])
      on conflict (tenant_id, scope, entity_id, month, metric) do update set value = aggregates.value + excluded.value`.execute(trx);
  }
}

/** Monthly metrics of entities of a scope, optionally limited to ids and a month range. */
export async function readAggregates(
  trx: Trx,
  tenant: string,
  scope: string,
  opts: { entities?: readonly string[]; from?: string; to?: string; month?: string; months?: readonly string[] },
): Promise<Map<string, Map<string, Metrics>>> {
  const r = await sql<{ entity_id: string; month: string; metric: string; value: string }>`
    select entity_id, month, metric, value from aggregates
    where tenant_id = ${tenant} and scope = ${scope}
      ${opts.entities ? sql`and entity_id = any(${[...opts.entities]}::text[])` : sql``}
      ${opts.month ? sql`and month = ${opts.month}` : sql``}
      ${opts.months ? sql`and month = any(${[...opts.months]}::text[])` : sql``}
      ${opts.from ? sql`and month >= ${opts.from}` : sql``}
      ${opts.to ? sql`and month <= ${opts.to}` : sql``}`.execute(trx);
  const out = new Map<string, Map<string, Metrics>>();
  for (const row of r.rows) {
    const byMonth = out.get(row.entity_id) ?? new Map<string, Metrics>();
    const m = byMonth.get(row.month) ?? {};
    m[row.metric] = Number(row.value);
    byMonth.set(row.month, m);
    out.set(row.entity_id, byMonth);
  }
  return out;
}

export async function latestMonth(trx: Trx, tenant: string, scope: string, entity?: string): Promise<string | undefined> {
  const r = await sql<{
    month: string | null;
  }>`select max(month) as month from aggregates where tenant_id = ${tenant} and scope = ${scope} and metric = 'entries' and value > 0 ${entity ? sql`and entity_id = ${entity}` : sql``}`.execute(trx);
  return r.rows[0]?.month ?? undefined;
}

export type EntityScoreRow = ScoringDb['entity_scores'];

export async function loadEntityScores(trx: Trx, tenant: string, type: string, ids: readonly string[]): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const r = await trx
    .selectFrom('entity_scores')
    .select(['entity_id', 'score'])
    .where('tenant_id', '=', tenant)
    .where('entity_type', '=', type)
    .where('entity_id', 'in', [...ids])
    .execute();
  return new Map(r.map((x) => [x.entity_id, x.score]));
}

export async function upsertEntityScores(trx: Trx, rows: readonly EntityScoreRow[]): Promise<void> {
  for (const chunk of chunksFor(rows, 12)) {
    await trx
      .insertInto('entity_scores')
      .values(chunk as EntityScoreRow[])
      .onConflict((oc) =>
        oc.columns(['tenant_id', 'entity_type', 'entity_id']).doUpdateSet((eb) => ({
          score: eb.ref('excluded.score'),
          finding_count: eb.ref('excluded.finding_count'),
          exposure_pence: eb.ref('excluded.exposure_pence'),
          reclaim_pence: eb.ref('excluded.reclaim_pence'),
          declaration_count: eb.ref('excluded.declaration_count'),
          components: eb.ref('excluded.components'),
          model_version: eb.ref('excluded.model_version'),
          updated_at: eb.ref('excluded.updated_at'),
          explanation: eb.ref('excluded.explanation'),
        })),
      )
      .execute();
  }
}

export async function getEntityScore(trx: Trx, tenant: string, type: string, id: string): Promise<EntityScoreRow | undefined> {
  return trx.selectFrom('entity_scores').selectAll().where('tenant_id', '=', tenant).where('entity_type', '=', type).where('entity_id', '=', id).executeTakeFirst();
}

/**
 * Lowest score first (then most exposure, then id); `after` is the previous page's last
 * (score, exposure_pence, entity_id): a keyset on the same order, so a page never repeats a row.
 */
export async function listEntityScores(trx: Trx, tenant: string, type: string, limit: number, after?: { score: number; exposurePence: number; entityId: string }): Promise<EntityScoreRow[]> {
  let q = trx.selectFrom('entity_scores').selectAll().where('tenant_id', '=', tenant).where('entity_type', '=', type);
  if (after) q = q.where(sql<boolean>`(score, -exposure_pence, entity_id) > (${after.score}, ${-after.exposurePence}::bigint, ${after.entityId})`);
  return q.orderBy('score', 'asc').orderBy('exposure_pence', 'desc').orderBy('entity_id').limit(limit).execute();
}

export async function getDeclScoreRow(trx: Trx, tenant: string, id: string): Promise<DeclScoreRow | undefined> {
  return trx.selectFrom('declaration_scores').selectAll().where('tenant_id', '=', tenant).where('declaration_id', '=', id).executeTakeFirst();
}

export interface SnapshotRow {
  entity_type: string;
  entity_id: string;
  month: string;
  score: number;
  payload: unknown;
}

export async function upsertSnapshots(trx: Trx, tenant: string, modelVersion: string, rows: readonly SnapshotRow[], now: string): Promise<void> {
  const sorted = [...rows].sort((a, b) => a.entity_type.localeCompare(b.entity_type) || a.entity_id.localeCompare(b.entity_id) || a.month.localeCompare(b.month));
  for (const chunk of chunksFor(sorted, 8)) {
    await trx
      .insertInto('trend_snapshots')
      .values(
        chunk.map((r) => ({
          tenant_id: tenant,
          entity_type: r.entity_type,
          entity_id: r.entity_id,
          month: r.month,
          model_version: modelVersion,
          score: r.score,
          payload: JSON.stringify(r.payload),
          recorded_at: now,
        })),
      )
      .onConflict((oc) =>
        oc
          .columns(['tenant_id', 'entity_type', 'entity_id', 'month', 'model_version'])
          .doUpdateSet((eb) => ({ score: eb.ref('excluded.score'), payload: eb.ref('excluded.payload'), recorded_at: eb.ref('excluded.recorded_at') })),
      )
      .execute();
  }
}

export async function readSnapshots(trx: Trx, tenant: string, type: string, id: string): Promise<{ month: string; score: number; payload: unknown; model_version: string; recorded_at: string }[]> {
  const r = await trx
    .selectFrom('trend_snapshots')
    .select(['month', 'score', 'payload', 'model_version', 'recorded_at'])
    .where('tenant_id', '=', tenant)
    .where('entity_type', '=', type)
    .where('entity_id', '=', id)
    .orderBy('month')
    .orderBy('model_version')
    .execute();
  return r.map((x) => ({ ...x, recorded_at: new Date(x.recorded_at).toISOString() }));
}

/** A page of a tenant's scored declaration ids, in id order (for re-scoring everything). */
export async function declarationIdsAfter(trx: Trx, tenant: string, after: string, limit: number): Promise<string[]> {
  const r = await trx.selectFrom('declaration_scores').select('declaration_id').where('tenant_id', '=', tenant).where('declaration_id', '>', after).orderBy('declaration_id').limit(limit).execute();
  return r.map((x) => x.declaration_id);
}

/** The riskiest declarations of a tenant (highest risk, then most money at stake). */
/**
 * Riskiest first (then most money at stake, then id); `after` is the previous page's last
 * (risk, exposure + reclaim, declaration_id), a keyset on the same order.
 */
export async function listRiskiestDeclarations(trx: Trx, tenant: string, limit: number, after?: { risk: number; moneyPence: number; declarationId: string }): Promise<DeclScoreRow[]> {
  let q = trx.selectFrom('declaration_scores').selectAll().where('tenant_id', '=', tenant);
  if (after) q = q.where(sql<boolean>`(-risk, -(exposure_pence + reclaim_pence), declaration_id) > (${-after.risk}, ${-after.moneyPence}::bigint, ${after.declarationId})`);
  return q.orderBy('risk', 'desc').orderBy(sql`exposure_pence + reclaim_pence`, 'desc').orderBy('declaration_id').limit(limit).execute();
}
