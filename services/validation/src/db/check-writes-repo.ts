// What a check writes and what re-evaluation reads back: the stored declaration versions, their
// checks and findings. The use cases (app/persist-checks.ts) decide; these statements only store,
// each batched over a page or a consumed batch (one round trip per chunk, never per declaration).
import { Declaration, Finding, type DeclarationChecked } from '@customs/contracts';
import { chunksFor, sql, type Insertable, type Transaction } from '@customs/db';
import { commodityCodes8, type ValidationDb } from './migrations';

type Trx = Transaction<ValidationDb>;

/** A declaration version as (tenant, declaration id, version): the key of checks and findings. */
export interface VersionKey {
  tenantId: string;
  declarationId: string;
  version: number;
}

function findingRow(f: Finding): Insertable<ValidationDb['findings']> {
  return {
    finding_id: f.findingId,
    tenant_id: f.tenantId,
    declaration_id: f.declarationId,
    declaration_version: f.declarationVersion,
    item_number: f.itemNumber,
    rule_id: f.ruleId,
    rule_version: f.ruleVersion,
    severity: f.severity,
    exposure_pence: f.exposureDutyPence + f.exposureVatPence,
    reclaim_pence: f.reclaimDutyPence + f.reclaimVatPence,
    deadline: f.deadline || null,
    raised_at: f.raisedAt,
    payload: Buffer.from(Finding.encode(f).finish()),
  };
}

/** Stores findings (a finding id already stored is left as it is: a redelivered batch). */
export async function insertFindings(trx: Trx, findings: readonly Finding[]): Promise<void> {
  for (const chunk of chunksFor(findings, 13)) {
    await trx
      .insertInto('findings')
      .values(chunk.map(findingRow))
      .onConflict((oc) => oc.column('finding_id').doNothing())
      .execute();
  }
}

/** Keeps each checked declaration version, so it can be re-evaluated when reference data or rules change. */
export async function insertCheckedDeclarations(trx: Trx, declarations: readonly Declaration[]): Promise<void> {
  for (const chunk of chunksFor(declarations, 6)) {
    await trx
      .insertInto('checked_declarations')
      .values(
        chunk.map((d) => ({
          tenant_id: d.tenantId,
          declaration_id: d.declarationId,
          declaration_version: d.version,
          acceptance_date: d.acceptanceDate || null,
          payload: Buffer.from(Declaration.encode(d).finish()),
          commodity_codes8: commodityCodes8(d),
        })),
      )
      .onConflict((oc) => oc.columns(['tenant_id', 'declaration_id', 'declaration_version']).doNothing())
      .execute();
  }
}

/** The first check of each version (a version already checked keeps its row). */
export async function insertChecks(trx: Trx, checks: readonly { summary: DeclarationChecked; findingCount: number }[]): Promise<void> {
  for (const chunk of chunksFor(checks, 10)) {
    await trx
      .insertInto('checks')
      .values(
        chunk.map(({ summary, findingCount }) => ({
          tenant_id: summary.tenantId,
          declaration_id: summary.declarationId,
          declaration_version: summary.declarationVersion,
          mrn: summary.mrn,
          lrn: summary.lrn,
          checked_at: summary.checkedAt,
          finding_count: findingCount,
          exposure_pence: summary.exposurePence,
          reclaim_pence: summary.reclaimPence,
          rules_evaluated: summary.rulesEvaluated,
        })),
      )
      .onConflict((oc) => oc.columns(['tenant_id', 'declaration_id', 'declaration_version']).doNothing())
      .execute();
  }
}

/**
 * Supersedes the active findings of versions earlier than the given ones (history stays: status
 * only), in one statement; returns the superseded findings' ids with their declarations.
 */
export async function supersedeEarlierVersions(trx: Trx, versions: readonly VersionKey[]): Promise<{ finding_id: string; tenant_id: string; declaration_id: string }[]> {
  if (versions.length === 0) return [];
  const rows = versions.map((v) => sql`(${v.tenantId}, ${v.declarationId}, ${v.version}::int)`);
  const superseded = await sql<{ finding_id: string; tenant_id: string; declaration_id: string }>`
    update findings f set status = 'superseded', superseded_at = now()
    from (values ${sql.join(rows)}) as v(tenant_id, declaration_id, version)
    where f.tenant_id = v.tenant_id and f.declaration_id = v.declaration_id and f.declaration_version < v.version and f.status = 'active'
    returning f.finding_id, f.tenant_id, f.declaration_id`.execute(trx);
  return superseded.rows;
}

export interface StoredDeclarationsPage {
  /** Keyset position: the last (tenant, declaration) of the previous page. */
  after?: { tenant: string; id: string };
  /** Acceptance-date window ("" or absent = open). */
  from?: string;
  to?: string;
  /** 8-digit commodity codes: only declarations with an item under one of them (empty = all). */
  codes8: readonly string[];
  pageSize: number;
}

/** One page of the latest stored version of each declaration in scope, in (tenant, declaration) order. */
export async function latestStoredDeclarations(trx: Trx, page: StoredDeclarationsPage): Promise<{ tenant_id: string; declaration_id: string; payload: Buffer }[]> {
  const { after, from, to, codes8, pageSize } = page;
  const rows = await sql<{ tenant_id: string; declaration_id: string; payload: Buffer }>`
    select distinct on (tenant_id, declaration_id) tenant_id, declaration_id, payload
    from checked_declarations
    where (${after ? sql`(tenant_id, declaration_id) > (${after.tenant}, ${after.id})` : sql`true`})
      and (${from ? sql`acceptance_date >= ${from}::date` : sql`true`})
      and (${to ? sql`acceptance_date <= ${to}::date` : sql`true`})
      and (${codes8.length ? sql`(commodity_codes8 is null or commodity_codes8 && ${codes8 as string[]}::text[])` : sql`true`})
    order by tenant_id, declaration_id, declaration_version desc
    limit ${pageSize}`.execute(trx);
  return rows.rows;
}

/** The active findings of the given versions. */
export async function activeFindingsOf(trx: Trx, versions: readonly VersionKey[]): Promise<Finding[]> {
  if (versions.length === 0) return [];
  const keys = versions.map((v) => sql`(${v.tenantId}, ${v.declarationId}, ${v.version}::int)`);
  const rows = await sql<{ payload: Buffer }>`
    select f.payload from findings f join (values ${sql.join(keys)}) as v(tenant_id, declaration_id, version)
      on f.tenant_id = v.tenant_id and f.declaration_id = v.declaration_id and f.declaration_version = v.version
    where f.status = 'active'`.execute(trx);
  return rows.rows.map((r) => Finding.decode(r.payload));
}

/** Which of these finding ids are already stored (whatever their status). */
export async function storedFindingIds(trx: Trx, ids: readonly string[]): Promise<Set<string>> {
  const taken = new Set<string>();
  for (const chunk of chunksFor(ids, 1)) {
    if (chunk.length === 0) continue;
    const rows = await trx.selectFrom('findings').select('finding_id').where('finding_id', 'in', chunk).execute();
    for (const r of rows) taken.add(r.finding_id);
  }
  return taken;
}

/** Marks active findings superseded (history kept). */
export async function supersedeFindings(trx: Trx, ids: readonly string[]): Promise<void> {
  for (const chunk of chunksFor(ids, 1)) {
    await trx
      .updateTable('findings')
      .set({ status: 'superseded', superseded_at: sql`now()` } as never)
      .where('finding_id', 'in', chunk)
      .where('status', '=', 'active')
      .execute();
  }
}

/** Rewrites the stored check of each re-evaluated version that changed, in one statement per chunk. */
export async function updateChecks(trx: Trx, checks: readonly DeclarationChecked[]): Promise<void> {
  for (const chunk of chunksFor(checks, 8)) {
    const rows = chunk.map(
      (c) =>
        sql`(${c.tenantId}, ${c.declarationId}, ${c.declarationVersion}::int, ${c.checkedAt}::timestamptz, ${c.findings.length}::int, ${c.exposurePence}::bigint, ${c.reclaimPence}::bigint, ${c.rulesEvaluated}::text[])`,
    );
    await sql`
      update checks k set checked_at = v.checked_at, finding_count = v.finding_count, exposure_pence = v.exposure_pence, reclaim_pence = v.reclaim_pence, rules_evaluated = v.rules_evaluated
      from (values ${sql.join(rows)}) as v(tenant_id, declaration_id, version, checked_at, finding_count, exposure_pence, reclaim_pence, rules_evaluated)
      where k.tenant_id = v.tenant_id and k.declaration_id = v.declaration_id and k.declaration_version = v.version`.execute(trx);
  }
}
