import type { Transaction } from '@customs/db';
import type { ScoringDb } from '../db/migrations';
import * as evidence from '../db/evidence-repo';
import * as history from '../db/history-repo';
import * as scores from '../db/score-repo';

/**
 * What the use cases need from storage, bound to one transaction. The Postgres repositories are
 * the only implementation; a use case never sees SQL, so it can be read (and tested) as logic.
 */
export type Store = ReturnType<typeof bindStore>;

export function bindStore(trx: Transaction<ScoringDb>) {
  const bind =
    <A extends unknown[], R>(f: (t: Transaction<ScoringDb>, ...a: A) => R) =>
    (...a: A) =>
      f(trx, ...a);
  return {
    lockTenants: bind(scores.lockTenants),
    loadDeclFacts: bind(history.loadDeclFacts),
    saveDeclFacts: bind(history.saveDeclFacts),
    loadState: bind(history.loadState),
    saveState: bind(history.saveState),
    insertFindings: bind(history.insertFindings),
    supersedeFindings: bind(history.supersedeFindings),
    activeHistoryFindings: bind(history.activeHistoryFindings),
    activeRuleFindings: bind(history.activeRuleFindings),
    listApprovedAgents: bind(history.listApprovedAgents),
    listHistoryFindings: bind(history.listHistoryFindings),
    countHistoryFindings: bind(history.countHistoryFindings),
    replaceApprovedAgents: bind(history.replaceApprovedAgents),
    loadEvidence: bind(evidence.loadEvidence),
    listEvidence: bind(evidence.listEvidence),
    getEvidence: bind(evidence.getEvidence),
    putEvidence: bind(evidence.putEvidence),
    deleteEvidence: bind(evidence.deleteEvidence),
    knowledgeKeysOf: bind(evidence.knowledgeKeysOf),
    supersedeFindingIds: bind(evidence.supersedeFindingIds),
    ruleFindings: bind(evidence.ruleFindings),
    activateFindings: bind(evidence.activateFindings),
    loadDeclScores: bind(scores.loadDeclScores),
    upsertDeclScores: bind(scores.upsertDeclScores),
    getDeclScoreRow: bind(scores.getDeclScoreRow),
    loadContributions: bind(scores.loadContributions),
    upsertContributions: bind(scores.upsertContributions),
    applyAggregateDeltas: bind(scores.applyAggregateDeltas),
    readAggregates: bind(scores.readAggregates),
    latestMonth: bind(scores.latestMonth),
    loadEntityScores: bind(scores.loadEntityScores),
    upsertEntityScores: bind(scores.upsertEntityScores),
    getEntityScore: bind(scores.getEntityScore),
    listEntityScores: bind(scores.listEntityScores),
    upsertSnapshots: bind(scores.upsertSnapshots),
    readSnapshots: bind(scores.readSnapshots),
    declarationIdsAfter: bind(scores.declarationIdsAfter),
    listRiskiestDeclarations: bind(scores.listRiskiestDeclarations),
  };
}

/** An event the use case wants published (the adapter turns it into an outbox message). */
export type Outgoing =
  /** A finding raised; `again` (the time) when it is one withdrawn before and now reached again (another event). */
  | { kind: 'finding'; finding: import('@customs/contracts').Finding; parentEventId: string; again?: string }
  /** History findings of one declaration withdrawn (superseded), so alerting withdraws them from their alerts. */
  | { kind: 'withdrawn'; tenantId: string; declarationId: string; findingIds: string[]; reason: string; at: string; parentEventId: string }
  | { kind: 'score'; score: import('@customs/contracts').Score; previousScore: number; key: string; id: string; parentEventId: string };

/** The withdrawal events of superseded findings: one per declaration, in declaration order. */
export function withdrawals(tenantId: string, superseded: readonly { declarationId: string; findingId: string }[], reason: string, at: string, parentEventId: string): Outgoing[] {
  const byDecl = new Map<string, string[]>();
  for (const s of superseded) byDecl.set(s.declarationId, [...(byDecl.get(s.declarationId) ?? []), s.findingId]);
  return [...byDecl.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([declarationId, ids]) => ({ kind: 'withdrawn' as const, tenantId, declarationId, findingIds: [...new Set(ids)].sort(), reason, at, parentEventId }));
}
