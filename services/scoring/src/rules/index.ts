import { createHash } from 'node:crypto';
import { Finding } from '@customs/contracts';
import { c02UnknownDeclarant } from './c02-unknown-declarant';
import { c03GhostUnmatchedImports } from './c03-ghost-unmatched-imports';
import { c10SameGoodsDifferentCodes } from './c10-same-goods-different-codes';
import { c11ClassificationDrift } from './c11-classification-drift';
import { c20ImportersKnowledgeConcentration } from './c20-importers-knowledge-concentration';
import { c23OriginSwitch } from './c23-origin-switch';
import { c30UnitValueOutliers } from './c30-unit-value-outliers';
import { c34ReliefVolumeAnomalies } from './c34-relief-volume-anomalies';
import { c37DuplicateDeclarations } from './c37-duplicate-declarations';
import { c42DefermentReconciliation } from './c42-deferment-reconciliation';
import type { ReconciliationRule } from './reconciliation-types';
import { statutoryDeadline } from '@customs/legal-clock';
import type { HistoryHit, HistoryInput, HistoryRule } from './types';

export type { DeclFact, HistoryHit, HistoryInput, HistoryRule, HistoryRuleMeta, HistoryState, LineFact } from './types';
export { applyBatch, emptyState, keysOf } from './state';
export { declFact } from './facts';

/** Checks that reconcile the declarations with the importer's books (ERP receipts, deferment statement): judged by app/reconciliation-batch.ts. */
export const RECONCILIATION_RULES: readonly ReconciliationRule[] = [c03GhostUnmatchedImports, c42DefermentReconciliation];

/** Every history check, in catalogue order (C03 and C42 decide nothing from a declaration batch alone: see RECONCILIATION_RULES). */
export const HISTORY_RULES: readonly HistoryRule[] = [
  c02UnknownDeclarant,
  c10SameGoodsDifferentCodes,
  c11ClassificationDrift,
  c20ImportersKnowledgeConcentration,
  c23OriginSwitch,
  c30UnitValueOutliers,
  c34ReliefVolumeAnomalies,
  c37DuplicateDeclarations,
  ...RECONCILIATION_RULES,
];

/** Fingerprint of the history rule set (ids and versions): findings record it as their data version. */
export const HISTORY_RULESET = HISTORY_RULES.map((r) => `${r.meta.id}@${r.meta.version}`).join(',');

/** Deterministic id: the same rule version on the same declaration version and item → the same id (so re-raising is a no-op). */
export function historyFindingId(tenant: string, declarationId: string, version: number, item: number, ruleId: string, ruleVersion: string, digest = ''): string {
  const h = createHash('sha256')
    .update(`scoring|${tenant}|${declarationId}|${version}|${item}|${ruleId}|${ruleVersion}${digest ? `|${digest}` : ''}`)
    .digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/**
 * Runs every history check over a folded batch and stamps the hits as findings of the same shape
 * as validation's. Pure: the caller passes the date to judge deadlines by and the time to record.
 */
export function decideHistory(input: HistoryInput, tenant: string, today: string, raisedAt: string, rules: readonly HistoryRule[] = HISTORY_RULES): Finding[] {
  const out = new Map<string, Finding>();
  for (const rule of rules) {
    for (const hit of rule.decide(input, today)) {
      const f = stamp(rule, hit, tenant, raisedAt, input);
      if (!out.has(f.findingId)) out.set(f.findingId, f);
    }
  }
  return [...out.values()];
}

export function stamp(rule: HistoryRule, hit: HistoryHit, tenant: string, raisedAt: string, input: Pick<HistoryInput, 'state'>): Finding {
  const t = hit.target;
  return Finding.fromPartial({
    findingId: historyFindingId(tenant, t.d, t.v, hit.item, rule.meta.id, rule.meta.version, hit.digest),
    tenantId: tenant,
    declarationId: t.d,
    declarationVersion: t.v,
    mrn: t.mrn,
    lrn: t.lrn,
    itemNumber: hit.item,
    ruleId: rule.meta.id,
    ruleVersion: rule.meta.version,
    title: rule.meta.title,
    family: rule.meta.family,
    severity: hit.severity,
    exposureDutyPence: hit.exposureDutyPence ?? 0,
    exposureVatPence: hit.exposureVatPence ?? 0,
    reclaimDutyPence: hit.reclaimDutyPence ?? 0,
    reclaimVatPence: hit.reclaimVatPence ?? 0,
    acceptanceDate: t.date,
    deadline: statutoryDeadline(t.date),
    evidence: hit.evidence,
    explanation: hit.explanation,
    remediation: hit.remediation,
    correctionRoute: rule.meta.correctionRoute,
    referenceVersions: { 'history-rules': HISTORY_RULESET, 'importer-history-declarations': String(input.state.importers.get(t.importer)?.declarations ?? 0) },
    source: 'scoring',
    raisedAt,
    importerEori: t.importer,
    declarantId: t.declarant,
    commodityCode: hit.commodityCode ?? '',
    originCountry: hit.originCountry ?? '',
    cpc: hit.cpc ?? '',
    supplier: hit.supplier ?? '',
  });
}
