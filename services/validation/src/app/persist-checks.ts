import { Declaration, Finding, FindingRaised, Topics, declarationKey, type DeclarationChecked } from '@customs/contracts';
import { chunksFor, enqueueOutbox, sql, withAllTenants, type Insertable, type Kysely, type Transaction } from '@customs/db';
import { buildEvent, type EncodedEvent } from '@customs/kafka';
import type { Context } from '@opentelemetry/api';

import { commodityCodes8, type ValidationDb } from '../db/migrations';
import type { Rule } from '../rules';
import { checkBatch, type CheckResult } from './check-batch';
import { diffFindings } from './finding-diff';
import { recordNotChecked, type NotCheckedEntry } from '../db/not-checked-repo';
import { undecidedEntries } from './not-checked';
import type { ReferencePort } from './reference-port';

type Trx = Transaction<ValidationDb>;

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

async function insertFindings(trx: Trx, findings: readonly Finding[]): Promise<void> {
  for (const chunk of chunksFor(findings, 13)) {
    await trx
      .insertInto('findings')
      .values(chunk.map(findingRow))
      .onConflict((oc) => oc.column('finding_id').doNothing())
      .execute();
  }
}

function checkEvents(
  results: { summary: DeclarationChecked; findings: readonly Finding[]; declaration: Declaration }[],
  parent: (i: number) => Context | undefined,
  evaluationId: string,
): EncodedEvent[] {
  return results.flatMap((r, i) => {
    const key = declarationKey(r.declaration.tenantId, r.declaration.mrn || r.declaration.lrn);
    const common = { tenant: r.declaration.tenantId, source: 'validation', subject: r.declaration.declarationId, parent: parent(i) };
    const suffix = evaluationId ? `/${evaluationId}` : '';
    return [
      ...r.findings.map((f) => buildEvent({ ...common, topic: Topics.validationFindingRaised, key, value: FindingRaised.fromPartial({ finding: f }), id: `finding/${f.findingId}` })),
      buildEvent({ ...common, topic: Topics.declarationChecked, key, value: r.summary, id: `checked/${r.declaration.tenantId}/${r.declaration.declarationId}/${r.declaration.version}${suffix}` }),
    ];
  });
}

/**
 * Stores the first check of newly received declaration versions: the declaration itself (kept so
 * it can be re-evaluated when reference data or rules change), the check, its findings, the
 * supersession of earlier versions' findings, and the events — all in the caller's transaction.
 */
export async function persistFirstChecks(trx: Trx, todo: { r: CheckResult; parent: Context | undefined }[]): Promise<Finding[]> {
  if (todo.length === 0) return [];
  for (const chunk of chunksFor(todo, 6)) {
    await trx
      .insertInto('checked_declarations')
      .values(
        chunk.map(({ r }) => ({
          tenant_id: r.declaration.tenantId,
          declaration_id: r.declaration.declarationId,
          declaration_version: r.declaration.version,
          acceptance_date: r.declaration.acceptanceDate || null,
          payload: Buffer.from(Declaration.encode(r.declaration).finish()),
          commodity_codes8: commodityCodes8(r.declaration),
        })),
      )
      .onConflict((oc) => oc.columns(['tenant_id', 'declaration_id', 'declaration_version']).doNothing())
      .execute();
  }
  for (const chunk of chunksFor(todo, 10)) {
    await trx
      .insertInto('checks')
      .values(
        chunk.map(({ r }) => ({
          tenant_id: r.summary.tenantId,
          declaration_id: r.summary.declarationId,
          declaration_version: r.summary.declarationVersion,
          mrn: r.summary.mrn,
          lrn: r.summary.lrn,
          checked_at: r.summary.checkedAt,
          finding_count: r.findings.length,
          exposure_pence: r.summary.exposurePence,
          reclaim_pence: r.summary.reclaimPence,
          rules_evaluated: r.summary.rulesEvaluated,
        })),
      )
      .onConflict((oc) => oc.columns(['tenant_id', 'declaration_id', 'declaration_version']).doNothing())
      .execute();
  }
  const allFindings = todo.flatMap(({ r }) => r.findings);
  await insertFindings(trx, allFindings);
  // Later versions supersede earlier versions' findings; history stays (status only). One
  // statement for the whole batch, after the inserts, so a version 1 and 2 in the same batch end
  // with version 1's findings superseded.
  const versions = todo.map(({ r }) => sql`(${r.declaration.tenantId}, ${r.declaration.declarationId}, ${r.declaration.version}::int)`);
  const superseded = await sql<{ finding_id: string; tenant_id: string; declaration_id: string }>`
    update findings f set status = 'superseded', superseded_at = now()
    from (values ${sql.join(versions)}) as v(tenant_id, declaration_id, version)
    where f.tenant_id = v.tenant_id and f.declaration_id = v.declaration_id and f.declaration_version < v.version and f.status = 'active'
    returning f.finding_id, f.tenant_id, f.declaration_id`.execute(trx);
  for (const { r } of todo) {
    r.summary.supersededFindingIds = superseded.rows.filter((x) => x.tenant_id === r.declaration.tenantId && x.declaration_id === r.declaration.declarationId).map((x) => x.finding_id);
  }
  await enqueueOutbox(
    trx,
    'validation',
    checkEvents(
      todo.map(({ r }) => r),
      (i) => todo[i]!.parent,
      '',
    ),
  );
  return allFindings;
}

export interface ReevaluationScope {
  /** Why: recorded on the events, e.g. "reference:fx@2026-11" or "rules:ab12cd34". */
  evaluationId: string;
  /** Acceptance-date window the change affects ("" = open). */
  from?: string;
  to?: string;
  /**
   * Commodity codes the change touched (DatasetChanged.commodity_codes): only declarations with
   * an item under one of them are re-evaluated. Empty or absent = every code (not narrowed).
   */
  commodityCodes?: readonly string[];
  pageSize?: number;
  /** Called after each page's commit with the not-checked entries it recorded (metrics, logs). */
  onNotChecked?: (recorded: NotCheckedEntry[]) => void;
}

export interface ReevaluationReport {
  /** Declarations re-checked (latest versions in scope). */
  declarations: number;
  changed: number;
  raised: number;
  superseded: number;
  /** Rule evaluations that could not decide (recorded in not_checked; earlier findings kept). */
  notChecked: number;
}

/**
 * Re-runs the rules on the latest version of every stored declaration in scope, one page per
 * transaction. Only differences are written and published: unchanged findings keep their ids,
 * changed or vanished ones are superseded (history kept) and new ones raised. Running it twice
 * changes nothing the second time, so it is safe to repeat after a crash.
 */
export async function reevaluateStored(db: Kysely<ValidationDb>, rules: readonly Rule[], reference: ReferencePort, scope: ReevaluationScope, now: () => Date): Promise<ReevaluationReport> {
  const report: ReevaluationReport = { declarations: 0, changed: 0, raised: 0, superseded: 0, notChecked: 0 };
  const pageSize = scope.pageSize ?? 500;
  // Matched at CN level (8 digits): a declared 8-digit code falls under any 10-digit code changed.
  const codes8 = [...new Set((scope.commodityCodes ?? []).map((c) => c.slice(0, 8)).filter((c) => c !== ''))];
  let after: { tenant: string; id: string } | undefined;
  for (;;) {
    const page = await withAllTenants(db, async (trx) => {
      const rows = await sql<{ tenant_id: string; declaration_id: string; payload: Buffer }>`
        select distinct on (tenant_id, declaration_id) tenant_id, declaration_id, payload
        from checked_declarations
        where (${after ? sql`(tenant_id, declaration_id) > (${after.tenant}, ${after.id})` : sql`true`})
          and (${scope.from ? sql`acceptance_date >= ${scope.from}::date` : sql`true`})
          and (${scope.to ? sql`acceptance_date <= ${scope.to}::date` : sql`true`})
          and (${codes8.length ? sql`(commodity_codes8 is null or commodity_codes8 && ${codes8}::text[])` : sql`true`})
        order by tenant_id, declaration_id, declaration_version desc
        limit ${pageSize}`.execute(trx);
      return rows.rows;
    });
    if (page.length === 0) break;
    after = { tenant: page.at(-1)!.tenant_id, id: page.at(-1)!.declaration_id };
    const declarations = page.map((p) => Declaration.decode(p.payload));
    // Evaluate first (reference lookups over gRPC), then write in one short transaction.
    const results = await checkBatch(rules, reference, declarations, now());
    const recorded = await withAllTenants(db, async (trx) => {
      // A rule that could not decide this time is recorded as not checked, and its active
      // findings are kept as they are: they must not be superseded as if the rule had cleared them.
      const notChecked = await recordNotChecked(
        trx,
        results.flatMap((r) => undecidedEntries(r, { evaluationId: scope.evaluationId })),
      );
      report.notChecked += notChecked.length;
      const keys = results.map((r) => sql`(${r.declaration.tenantId}, ${r.declaration.declarationId}, ${r.declaration.version}::int)`);
      const activeRows = await sql<{ payload: Buffer }>`
        select f.payload from findings f join (values ${sql.join(keys)}) as v(tenant_id, declaration_id, version)
          on f.tenant_id = v.tenant_id and f.declaration_id = v.declaration_id and f.declaration_version = v.version
        where f.status = 'active'`.execute(trx);
      const activeByDecl = new Map<string, Finding[]>();
      for (const row of activeRows.rows) {
        const f = Finding.decode(row.payload);
        const k = `${f.tenantId}|${f.declarationId}`;
        activeByDecl.set(k, [...(activeByDecl.get(k) ?? []), f]);
      }
      const freshIds = results.flatMap((r) => r.findings.map((f) => f.findingId));
      const taken = new Set<string>();
      for (const chunk of chunksFor(freshIds, 1)) {
        if (chunk.length === 0) continue;
        const rows = await trx.selectFrom('findings').select('finding_id').where('finding_id', 'in', chunk).execute();
        for (const r of rows) taken.add(r.finding_id);
      }
      const changed: CheckResult[] = [];
      const toRaise: Finding[] = [];
      const toSupersede: string[] = [];
      for (const r of results) {
        const active = activeByDecl.get(`${r.declaration.tenantId}|${r.declaration.declarationId}`) ?? [];
        // A failed rule keeps its earlier findings; one that only could not decide on an item ran.
        const undecided = new Set(r.undecided.filter((u) => u.cause === 'failed').map((u) => u.ruleId));
        const fresh = undecided.size ? [...r.findings, ...active.filter((f) => undecided.has(f.ruleId))] : r.findings;
        const diff = diffFindings(active, fresh, taken, scope.evaluationId);
        if (diff.raised.length === 0 && diff.superseded.length === 0) continue;
        const current = [...active.filter((f) => diff.unchanged.includes(f.findingId)), ...diff.raised];
        r.summary.findings = current;
        r.summary.findingIds = current.map((f) => f.findingId);
        r.summary.supersededFindingIds = diff.superseded;
        r.summary.evaluationId = scope.evaluationId;
        r.summary.exposurePence = current.reduce((s, f) => s + f.exposureDutyPence + f.exposureVatPence, 0);
        r.summary.reclaimPence = current.reduce((s, f) => s + f.reclaimDutyPence + f.reclaimVatPence, 0);
        changed.push({ ...r, findings: diff.raised });
        toRaise.push(...diff.raised);
        toSupersede.push(...diff.superseded);
      }
      report.declarations += results.length;
      if (changed.length === 0) return notChecked;
      for (const chunk of chunksFor(toSupersede, 1)) {
        await trx
          .updateTable('findings')
          .set({ status: 'superseded', superseded_at: sql`now()` } as never)
          .where('finding_id', 'in', chunk)
          .where('status', '=', 'active')
          .execute();
      }
      await insertFindings(trx, toRaise);
      // One statement for the page's changed checks, not one round trip per declaration.
      for (const chunk of chunksFor(changed, 8)) {
        const rows = chunk.map(
          ({ summary: c }) =>
            sql`(${c.tenantId}, ${c.declarationId}, ${c.declarationVersion}::int, ${c.checkedAt}::timestamptz, ${c.findings.length}::int, ${c.exposurePence}::bigint, ${c.reclaimPence}::bigint, ${c.rulesEvaluated}::text[])`,
        );
        await sql`
          update checks k set checked_at = v.checked_at, finding_count = v.finding_count, exposure_pence = v.exposure_pence, reclaim_pence = v.reclaim_pence, rules_evaluated = v.rules_evaluated
          from (values ${sql.join(rows)}) as v(tenant_id, declaration_id, version, checked_at, finding_count, exposure_pence, reclaim_pence, rules_evaluated)
          where k.tenant_id = v.tenant_id and k.declaration_id = v.declaration_id and k.declaration_version = v.version`.execute(trx);
      }
      await enqueueOutbox(
        trx,
        'validation',
        checkEvents(changed, () => undefined, scope.evaluationId),
      );
      report.changed += changed.length;
      report.raised += toRaise.length;
      report.superseded += toSupersede.length;
      return notChecked;
    });
    if (recorded.length) scope.onNotChecked?.(recorded);
  }
  return report;
}
