import { Severity, type Finding, type ScoreComponent } from '@customs/contracts';

/** Version of the scoring model; scores record it so a change is visible in history. */
export const MODEL_VERSION = 'risk-v1';

// Penalty per finding by severity: one critical finding alone takes a declaration to 60, and
// data-quality findings (LOW) barely move it, matching how an auditor would rank them.
const PENALTY: Record<number, number> = {
  [Severity.SEVERITY_CRITICAL]: 40,
  [Severity.SEVERITY_HIGH]: 25,
  [Severity.SEVERITY_MEDIUM]: 10,
  [Severity.SEVERITY_LOW]: 3,
  [Severity.SEVERITY_INFO]: 0,
};

export interface DeclarationScore {
  score: number;
  components: ScoreComponent[];
  exposurePence: number;
  reclaimPence: number;
}

/** Scores one declaration version from its active findings: 100 = clean, 0 = worst. */
export function scoreDeclaration(findings: readonly Finding[]): DeclarationScore {
  const byFamily = new Map<string, ScoreComponent>();
  let penalty = 0;
  let exposure = 0;
  let reclaim = 0;
  for (const f of findings) {
    const p = PENALTY[f.severity] ?? 0;
    penalty += p;
    const ex = f.exposureDutyPence + f.exposureVatPence;
    const re = f.reclaimDutyPence + f.reclaimVatPence;
    exposure += ex;
    reclaim += re;
    const c = byFamily.get(f.family) ?? { dimension: f.family, score: 100, findingCount: 0, exposurePence: 0, reclaimPence: 0 };
    c.score = Math.max(0, c.score - p);
    c.findingCount += 1;
    c.exposurePence += ex;
    c.reclaimPence += re;
    byFamily.set(f.family, c);
  }
  return { score: Math.max(0, 100 - penalty), components: [...byFamily.values()].sort((a, b) => a.dimension.localeCompare(b.dimension)), exposurePence: exposure, reclaimPence: reclaim };
}

/**
 * Scores an entity (broker or importer) from its declarations' latest scores: the mean, so a
 * broker with a handful of bad entries among thousands is not ranked below one with a few bad.
 */
export function scoreEntity(declarationScores: readonly number[]): number {
  if (declarationScores.length === 0) return 100;
  const sum = declarationScores.reduce((s, x) => s + x, 0);
  return Math.round(sum / declarationScores.length);
}
