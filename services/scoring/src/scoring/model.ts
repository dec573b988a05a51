import { Severity, type Finding } from '@customs/contracts';
import { daysBetween as days } from '@customs/legal-clock';

// The declaration risk model: pure, versioned, every number explained. A score is as of the day
// it is computed (deadline nearness moves with the calendar); scores record that day and the model.

/**
 * Version of the scoring model; scores, scorecards and snapshots record it so a change is visible
 * in history. v3: declaration risk as v2; the £-weighted error rate is Σ |Δduty| ÷ duty at stake
 * (bounded 0–1, was ÷ duty paid), item counts need the declaration's lines, consistency counts items.
 */
export const MODEL_VERSION = 'risk-v3';

/** A finding as the scores need it (validation's and scoring's own), kept compact in the database. */
export interface FindingLite {
  id: string;
  rule: string;
  family: string;
  severity: number;
  item: number;
  exposureDuty: number;
  exposureVat: number;
  reclaimDuty: number;
  reclaimVat: number;
  /** "YYYY-MM-DD", '' when unknown. */
  deadline: string;
  /** 'validation' or 'scoring'. */
  source: string;
  /** 0–1, from the rule's metadata (1 for validation's per-declaration rules). */
  confidence: number;
}

export function liteOf(f: Finding, confidence: number): FindingLite {
  return {
    id: f.findingId,
    rule: f.ruleId,
    family: f.family,
    severity: f.severity,
    item: f.itemNumber,
    exposureDuty: f.exposureDutyPence,
    exposureVat: f.exposureVatPence,
    reclaimDuty: f.reclaimDutyPence,
    reclaimVat: f.reclaimVatPence,
    deadline: f.deadline,
    source: f.source || 'validation',
    confidence,
  };
}

export const money = (f: FindingLite) => f.exposureDuty + f.exposureVat + f.reclaimDuty + f.reclaimVat;

/** Severity weights (DOMAIN §3.0 ladder): a critical finding alone is as bad as severity gets. */
export const SEVERITY_WEIGHT: Record<number, number> = {
  [Severity.SEVERITY_CRITICAL]: 1,
  [Severity.SEVERITY_HIGH]: 0.7,
  [Severity.SEVERITY_MEDIUM]: 0.4,
  [Severity.SEVERITY_LOW]: 0.15,
  [Severity.SEVERITY_INFO]: 0,
};
const SEVERITY_NAME: Record<number, string> = { 5: 'critical', 4: 'high', 3: 'medium', 2: 'low', 1: 'info', 0: 'unspecified' };

/** Factor weights (sum 100): money dominates, so many £0 gaps never outrank a large priced error. */
export const WEIGHTS = { money: 60, severity: 25, deadline: 15 } as const;
/** £ at stake that saturates the money factor (log scale: £100 ≈ 0.4, £10k ≈ 0.8). */
export const MONEY_SATURATION_PENCE = 10_000_000;
/** The 3-year window in days (deadline nearness: 0 with 3 years left, 1 on the last day). */
const WINDOW_DAYS = 1095;

export interface RiskFactor {
  name: string;
  /** 0–100. */
  value: number;
  weightPct: number;
  /** Points of risk this factor contributes (before the confidence multiplier). */
  points: number;
  explanation: string;
}

export interface LineRisk {
  itemNumber: number;
  findingIds: string[];
  ruleIds: string[];
  exposurePence: number;
  reclaimPence: number;
}

export interface FamilyComponent {
  dimension: string;
  score: number;
  findingCount: number;
  exposurePence: number;
  reclaimPence: number;
}

export interface DeclarationScore {
  /** 100 = clean, 0 = worst (= 100 − risk). */
  score: number;
  /** 0 = no risk, 100 = highest. */
  risk: number;
  factors: RiskFactor[];
  /** Per finding family, the same model on that family's findings alone. */
  components: FamilyComponent[];
  lines: LineRisk[];
  exposurePence: number;
  reclaimPence: number;
  explanation: string;
}

function pounds(p: number): string {
  return `£${(p / 100).toFixed(2).replace(/\B(?=(\d{3})+(?!\d))/g, ',')}`;
}

function risk(findings: readonly FindingLite[], today: string): { risk: number; factors: RiskFactor[]; explanation: string } {
  if (findings.length === 0)
    return {
      risk: 0,
      factors: [
        factor('money', 0, WEIGHTS.money, 'no findings'),
        factor('severity', 0, WEIGHTS.severity, 'no findings'),
        factor('deadline', 0, WEIGHTS.deadline, 'no findings'),
        factor('confidence', 100, 0, 'no findings'),
      ],
      explanation: 'no active findings',
    };
  const atStake = findings.reduce((s, f) => s + money(f), 0);
  const m = atStake <= 0 ? 0 : Math.min(1, Math.log10(1 + atStake / 100) / Math.log10(1 + MONEY_SATURATION_PENCE / 100));
  const worst = findings.reduce((w, f) => Math.max(w, SEVERITY_WEIGHT[f.severity] ?? 0), 0);
  const worstSev = findings.reduce((w, f) => ((SEVERITY_WEIGHT[f.severity] ?? 0) > (SEVERITY_WEIGHT[w] ?? 0) ? f.severity : w), 0);
  // More findings add a little (at most 0.15): volume of gaps matters less than their size.
  const s = Math.min(1, worst + Math.min(0.15, 0.01 * (findings.length - 1)));
  const priced = findings.filter((f) => money(f) > 0 && f.deadline);
  const pricedTotal = priced.reduce((t, f) => t + money(f), 0);
  // Money-weighted nearness of the 3-year deadline; a passed deadline counts 0 (out of time).
  const d =
    pricedTotal > 0
      ? priced.reduce((t, f) => {
          const left = days(today, f.deadline);
          return t + money(f) * (left < 0 ? 0 : Math.min(1, Math.max(0, 1 - left / WINDOW_DAYS)));
        }, 0) / pricedTotal
      : 0;
  const c = atStake > 0 ? findings.reduce((t, f) => t + money(f) * f.confidence, 0) / atStake : findings.reduce((t, f) => t + f.confidence, 0) / findings.length;
  const nearest = priced.map((f) => f.deadline).sort()[0];
  const factors = [
    factor('money', m, WEIGHTS.money, `${pounds(atStake)} at stake (exposure + reclaim) on log scale, saturating at ${pounds(MONEY_SATURATION_PENCE)}`),
    factor('severity', s, WEIGHTS.severity, `worst ${SEVERITY_NAME[worstSev]} (${worst}), ${findings.length} finding(s)`),
    factor(
      'deadline',
      d,
      WEIGHTS.deadline,
      nearest ? `money-weighted nearness of the acceptance + 3 years deadline; nearest ${nearest} (${days(today, nearest)} days left on ${today})` : 'no priced finding with a deadline',
    ),
    factor('confidence', c, 0, `${atStake > 0 ? 'money-weighted' : 'mean'} confidence of the findings' rules; risk × (0.5 + 0.5 × confidence)`),
  ];
  const raw = factors.reduce((t, f) => t + f.points, 0);
  const r = Math.max(0, Math.min(100, Math.round(raw * (0.5 + 0.5 * c))));
  return {
    risk: r,
    factors,
    explanation: `risk ${r} = (${factors
      .slice(0, 3)
      .map((f) => `${f.name} ${f.points.toFixed(1)}`)
      .join(' + ')}) × (0.5 + 0.5 × confidence ${c.toFixed(2)})`,
  };
}

function factor(name: string, v: number, weight: number, explanation: string): RiskFactor {
  return { name, value: Math.round(v * 100), weightPct: weight, points: Math.round(v * weight * 10) / 10, explanation };
}

/** Scores one declaration from its active findings (validation's and history's). */
export function scoreDeclaration(findings: readonly FindingLite[], today: string): DeclarationScore {
  const r = risk(findings, today);
  const byFamily = new Map<string, FindingLite[]>();
  const byItem = new Map<number, LineRisk>();
  let exposure = 0;
  let reclaim = 0;
  for (const f of findings) {
    byFamily.set(f.family, [...(byFamily.get(f.family) ?? []), f]);
    exposure += f.exposureDuty + f.exposureVat;
    reclaim += f.reclaimDuty + f.reclaimVat;
    const l = byItem.get(f.item) ?? { itemNumber: f.item, findingIds: [], ruleIds: [], exposurePence: 0, reclaimPence: 0 };
    l.findingIds.push(f.id);
    if (!l.ruleIds.includes(f.rule)) l.ruleIds.push(f.rule);
    l.exposurePence += f.exposureDuty + f.exposureVat;
    l.reclaimPence += f.reclaimDuty + f.reclaimVat;
    byItem.set(f.item, l);
  }
  const components = [...byFamily.entries()]
    .map(([dimension, fs]) => ({
      dimension,
      score: 100 - risk(fs, today).risk,
      findingCount: fs.length,
      exposurePence: fs.reduce((s, f) => s + f.exposureDuty + f.exposureVat, 0),
      reclaimPence: fs.reduce((s, f) => s + f.reclaimDuty + f.reclaimVat, 0),
    }))
    .sort((a, b) => a.dimension.localeCompare(b.dimension));
  return {
    score: 100 - r.risk,
    risk: r.risk,
    factors: r.factors,
    components,
    lines: [...byItem.values()].sort((a, b) => a.itemNumber - b.itemNumber),
    exposurePence: exposure,
    reclaimPence: reclaim,
    explanation: r.explanation,
  };
}
