import type { Finding } from '@customs/contracts';
import { findingId } from '../rules';

/** What a re-evaluation changes for one declaration version. */
export interface FindingDiff {
  /** New or changed findings to store and publish (changed ones carry a re-salted id). */
  raised: Finding[];
  /** Active findings the re-evaluation no longer produces, or produces differently. */
  superseded: string[];
  /** Findings identical to what is already active (nothing to do). */
  unchanged: string[];
}

/** The parts of a finding that matter to a user; an explanation wording change alone is no change. */
function signature(f: Finding): string {
  return [f.ruleId, f.ruleVersion, f.itemNumber, f.severity, f.exposureDutyPence, f.exposureVatPence, f.reclaimDutyPence, f.reclaimVatPence, f.deadline].join('|');
}

/**
 * Compares a fresh evaluation with the findings currently active for the same declaration
 * version. Pure. `takenIds` are finding ids already stored in any status: a changed finding whose
 * natural id is taken gets an id salted with the evaluation, so history rows are never rewritten.
 */
export function diffFindings(active: readonly Finding[], fresh: readonly Finding[], takenIds: ReadonlySet<string>, evaluationId: string): FindingDiff {
  const activeById = new Map(active.map((f) => [f.findingId, f]));
  const raised: Finding[] = [];
  const unchanged: string[] = [];
  const kept = new Set<string>();
  for (const f of fresh) {
    const current = activeById.get(f.findingId);
    if (current && signature(current) === signature(f)) {
      unchanged.push(f.findingId);
      kept.add(f.findingId);
      continue;
    }
    if (!takenIds.has(f.findingId)) {
      raised.push(f);
      continue;
    }
    const seq = fresh.filter((g) => g !== f && g.ruleId === f.ruleId && g.itemNumber === f.itemNumber && fresh.indexOf(g) < fresh.indexOf(f)).length;
    raised.push({ ...f, findingId: findingId(f.tenantId, f.declarationId, f.declarationVersion, f.itemNumber, f.ruleId, f.ruleVersion, seq, evaluationId) });
  }
  const superseded = active.filter((f) => !kept.has(f.findingId)).map((f) => f.findingId);
  return { raised, superseded, unchanged };
}
