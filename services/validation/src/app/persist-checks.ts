import { Declaration, type Finding, FindingRaised, Topics, declarationKey, type DeclarationChecked } from '@customs/contracts';
import { enqueueOutbox, withAllTenants, type Kysely, type Transaction } from '@customs/db';
import { buildEvent, type EncodedEvent } from '@customs/kafka';
import type { Context } from '@opentelemetry/api';

import {
  activeFindingsOf,
  insertCheckedDeclarations,
  insertChecks,
  insertFindings,
  latestStoredDeclarations,
  storedFindingIds,
  supersedeEarlierVersions,
  supersedeFindings,
  updateChecks,
  type VersionKey,
} from '../db/check-writes-repo';
import type { ValidationDb } from '../db/migrations';
import type { Rule } from '../rules';
import { checkBatch, type CheckResult } from './check-batch';
import { diffFindings } from './finding-diff';
import { recordNotChecked, type NotCheckedEntry } from '../db/not-checked-repo';
import { undecidedEntries } from './not-checked';
import type { ReferencePort } from './reference-port';

type Trx = Transaction<ValidationDb>;

const versionOf = (d: Declaration): VersionKey => ({ tenantId: d.tenantId, declarationId: d.declarationId, version: d.version });

function checkEvents(
  results: { summary: DeclarationChecked; findings: readonly Finding[]; declaration: Declaration }[],
  parent: (i: number) => Context | undefined,
  evaluationId: string,
): EncodedEvent[] {
  return results.flatMap((r, i) => {
    // Keyed by declaration id, as ingestion keys the declaration events: an MRN linked by a later
    // version must not move the declaration's checks to another partition (order across versions).
    const key = declarationKey(r.declaration.tenantId, r.declaration.declarationId);
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
  await insertCheckedDeclarations(
    trx,
    todo.map(({ r }) => r.declaration),
  );
  await insertChecks(
    trx,
    todo.map(({ r }) => ({ summary: r.summary, findingCount: r.findings.length })),
  );
  const allFindings = todo.flatMap(({ r }) => r.findings);
  await insertFindings(trx, allFindings);
  // Later versions supersede earlier versions' findings; history stays (status only). One
  // statement for the whole batch, after the inserts, so a version 1 and 2 in the same batch end
  // with version 1's findings superseded.
  const superseded = await supersedeEarlierVersions(
    trx,
    todo.map(({ r }) => versionOf(r.declaration)),
  );
  for (const { r } of todo) {
    r.summary.supersededFindingIds = superseded.filter((x) => x.tenant_id === r.declaration.tenantId && x.declaration_id === r.declaration.declarationId).map((x) => x.finding_id);
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
    const page = await withAllTenants(db, (trx) => latestStoredDeclarations(trx, { after, from: scope.from, to: scope.to, codes8, pageSize }));
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
      const activeByDecl = new Map<string, Finding[]>();
      for (const f of await activeFindingsOf(
        trx,
        results.map((r) => versionOf(r.declaration)),
      )) {
        const k = `${f.tenantId}|${f.declarationId}`;
        activeByDecl.set(k, [...(activeByDecl.get(k) ?? []), f]);
      }
      const taken = await storedFindingIds(
        trx,
        results.flatMap((r) => r.findings.map((f) => f.findingId)),
      );
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
      await supersedeFindings(trx, toSupersede);
      await insertFindings(trx, toRaise);
      // One statement for the page's changed checks, not one round trip per declaration.
      await updateChecks(
        trx,
        changed.map((c) => c.summary),
      );
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
