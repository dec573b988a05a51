import { FAMILIES, SELF, type Metrics } from './contribution';
import { MODEL_VERSION } from './model';

// Broker scorecards, importer audit-readiness and duty under management from the monthly
// aggregates: pure functions of the numbers, each metric with its numerator, denominator and words.

export interface Metric {
  name: string;
  /** Exact decimal or integer as text ('' when unknown). */
  value: string;
  unit: string;
  known: boolean;
  numerator: string;
  denominator: string;
  explanation: string;
}

const n = (m: Metrics, k: string) => m[k] ?? 0;
const gbp = (p: number) => `${p < 0 ? '-' : ''}£${(Math.abs(p) / 100).toFixed(2).replace(/\B(?=(\d{3})+(?!\d))/g, ',')}`;

function ratio(name: string, num: number, den: number, unit: string, explanation: string, scale = 1): Metric {
  if (den <= 0) return { name, value: '', unit, known: false, numerator: String(num), denominator: String(den), explanation: `${explanation} — unknown: denominator is 0` };
  return { name, value: ((num / den) * scale).toFixed(4), unit, known: true, numerator: String(num), denominator: String(den), explanation };
}
function amount(name: string, pence: number, explanation: string): Metric {
  return { name, value: String(pence), unit: 'pence', known: true, numerator: String(pence), denominator: '', explanation: `${gbp(pence)}: ${explanation}` };
}
function count(name: string, v: number, explanation: string): Metric {
  return { name, value: String(v), unit: 'count', known: true, numerator: String(v), denominator: '', explanation };
}
function unknown(name: string, unit: string, why: string): Metric {
  return { name, value: '', unit, known: false, numerator: '', denominator: '', explanation: `unknown: ${why}` };
}

/** Sum of several metric maps. */
export function sum(list: readonly Metrics[]): Metrics {
  const out: Metrics = {};
  for (const m of list) for (const [k, v] of Object.entries(m)) out[k] = (out[k] ?? 0) + v;
  return out;
}

/** Herfindahl–Hirschman index (0–10,000) of customs value across agents; undefined when no value. */
export function hhi(m: Metrics): { index: number; agents: number } | undefined {
  const shares = Object.entries(m)
    .filter(([k, v]) => k.startsWith('agent_cv:') && v > 0)
    .map(([, v]) => v);
  const total = shares.reduce((s, v) => s + v, 0);
  if (total <= 0) return undefined;
  return { index: Math.round(shares.reduce((s, v) => s + (v / total) ** 2, 0) * 10_000), agents: shares.length };
}

export interface BrokerScorecard {
  agentId: string;
  month: string;
  modelVersion: string;
  /** 0–100 (100 = no errors). */
  score: number;
  scoreExplanation: string;
  metrics: Metric[];
  /** Share (0–100) of the month's peers this agent scores better than; -1 when it has no peer. */
  peerPercentile: number;
  peerCount: number;
}

/** Agent score: half error rate, half £-weighted error rate (10 % of the duty at stake in error = full penalty). */
export function brokerScore(m: Metrics): { score: number; explanation: string } {
  const items = n(m, 'items');
  const err = items > 0 ? Math.min(1, n(m, 'items_error') / items) : 0;
  const atStake = n(m, 'duty_at_stake');
  const abs = n(m, 'duty_error_abs');
  const weighted = atStake > 0 ? Math.min(1, (abs / atStake) * 10) : 0;
  const score = Math.round(Math.max(0, Math.min(100, 100 - 50 * err - 50 * weighted)));
  return {
    score,
    explanation: `100 − 50 × error rate ${err.toFixed(3)} (${n(m, 'items_error')}/${items} items with a high/critical finding) − 50 × min(1, 10 × £-weighted error rate ${atStake > 0 ? (abs / atStake).toFixed(4) : '0 (no duty at stake)'}) (${gbp(abs)} |Δduty| / ${gbp(atStake)} duty at stake = paid + underpaid) = ${score}`,
  };
}

export function brokerScorecard(agentId: string, month: string, m: Metrics, tenantMonth: Metrics, peers: readonly { agentId: string; score: number }[]): BrokerScorecard {
  const s = brokerScore(m);
  const others = peers.filter((p) => p.agentId !== agentId);
  const beaten = others.filter((p) => p.score < s.score).length + others.filter((p) => p.score === s.score).length / 2;
  const h = hhi(tenantMonth);
  const metrics: Metric[] = [
    count('entries', n(m, 'entries'), 'declarations lodged'),
    count('items', n(m, 'items'), 'goods items'),
    amount('customs_value', n(m, 'cv'), 'customs value handled'),
    amount('duty_handled', n(m, 'duty'), 'duty (A-type tax lines) charged on its entries'),
    ratio('share_of_customs_value', n(m, 'cv'), n(tenantMonth, 'cv'), 'ratio', "its customs value ÷ all agents' (incl. self-representation) in the month"),
    h
      ? {
          name: 'agent_concentration_hhi',
          value: String(h.index),
          unit: 'hhi',
          known: true,
          numerator: '',
          denominator: '',
          explanation: `Herfindahl–Hirschman index of customs value across ${h.agents} agent(s) in the month (10,000 = one agent)`,
        }
      : unknown('agent_concentration_hhi', 'hhi', 'no customs value in the month'),
    ratio('error_rate', n(m, 'items_error'), n(m, 'items'), 'ratio', 'items with ≥ 1 high/critical finding ÷ items'),
    ratio(
      'weighted_error_rate',
      n(m, 'duty_error_abs'),
      n(m, 'duty_at_stake'),
      'ratio',
      '£-weighted error rate 0–1: Σ |Δduty| (per line the largest underpayment plus the largest overpayment any finding prices, an overpayment at most what the line paid; C02/C20 money is at stake, not an error) ÷ duty at stake (Σ per line of the larger of duty paid and duty due = paid + underpaid)',
    ),
    amount('overpaid', n(m, 'overpaid'), 'client money lost (reclaim found)'),
    amount('underpaid', n(m, 'underpaid'), 'client exposure (underpayments found)'),
    amount('net_over_under', n(m, 'underpaid') - n(m, 'overpaid'), 'underpaid − overpaid'),
    ratio(
      'preference_utilisation',
      n(m, 'pref_cv'),
      n(m, 'pref_cv') + n(m, 'missed_pref_cv'),
      'ratio',
      'customs value claimed under 2xx/3xx ÷ (that + value of lines with a missed preference, C21/C22)',
    ),
    n(m, 'pref_lines') > 0
      ? { ...ratio('proof_completeness', n(m, 'pref_lines') - Math.min(n(m, 'pref_lines'), n(m, 'proof_findings')), n(m, 'pref_lines'), 'ratio', '1 − (C16 + C18 + C19 findings ÷ preference claims)') }
      : unknown('proof_completeness', 'ratio', 'no preference claims'),
    ratio('amendment_rate', n(m, 'amendments'), n(m, 'entries'), 'per 100 entries', 'amended versions per 100 entries', 100),
    unknown('timeliness', 'hours', 'arrival, acceptance and clearance times are not in the canonical declaration (only the acceptance date)'),
    ratio('consistency_items_per_100_items', n(m, 'consistency_items'), n(m, 'items'), 'per 100 items', 'items with a C10/C11 code inconsistency or a C06/C31 keying error per 100 items (0–100)', 100),
  ];
  return {
    agentId,
    month,
    modelVersion: MODEL_VERSION,
    score: s.score,
    scoreExplanation: s.explanation,
    metrics,
    peerPercentile: others.length ? Math.round((beaten / others.length) * 100) : -1,
    peerCount: others.length,
  };
}

export interface ReadinessDimension {
  dimension: string;
  /** 0–100; -1 when unknown (then left out of the overall score). */
  score: number;
  known: boolean;
  atRiskPence: number;
  findingCount: number;
  families: string[];
  explanation: string;
}

export interface Readiness {
  importerId: string;
  from: string;
  to: string;
  modelVersion: string;
  score: number;
  explanation: string;
  dimensions: ReadinessDimension[];
}

/** Dimensions of audit readiness, their finding families and weights in the overall score. */
export const DIMENSIONS: readonly { dimension: string; families: string[]; weight: number }[] = [
  { dimension: 'preference-evidence', families: ['origin-preference'], weight: 20 },
  { dimension: 'classification', families: ['classification'], weight: 20 },
  { dimension: 'valuation', families: ['valuation'], weight: 20 },
  { dimension: 'procedures-reliefs', families: ['procedures-reliefs'], weight: 15 },
  { dimension: 'data-quality', families: ['data-integrity', 'duplicates-vat'], weight: 10 },
  { dimension: 'broker-concentration', families: [], weight: 15 },
  { dimension: 'open-alert-hygiene', families: [], weight: 0 },
];

/** Importer audit-readiness over the months given (normally the 3-year window). */
export function readiness(importerId: string, from: string, to: string, m: Metrics): Readiness {
  const items = n(m, 'items') || n(m, 'entries');
  const taxes = n(m, 'duty') + n(m, 'vat');
  const dims: ReadinessDimension[] = DIMENSIONS.map((d) => {
    if (d.dimension === 'broker-concentration') {
      const h = hhi(m);
      if (!h) return { dimension: d.dimension, score: -1, known: false, atRiskPence: 0, findingCount: 0, families: [], explanation: 'unknown: no customs value' };
      // One agent (HHI 10,000) scores 0; an even spread over ≥ 4 agents (HHI ≤ 2,500) scores 100.
      const score = Math.round(Math.max(0, Math.min(100, ((10_000 - h.index) / 7_500) * 100)));
      return {
        dimension: d.dimension,
        score,
        known: true,
        atRiskPence: 0,
        findingCount: 0,
        families: [],
        explanation: `HHI ${h.index} of customs value across ${h.agents} agent(s) (incl. self-representation): 100 × (10,000 − HHI) ÷ 7,500, capped = ${score}`,
      };
    }
    if (d.dimension === 'open-alert-hygiene')
      return {
        dimension: d.dimension,
        score: -1,
        known: false,
        atRiskPence: 0,
        findingCount: 0,
        families: [],
        explanation: 'unknown: alert dispositions are not consumed by scoring yet (alerting.alert.changed.v1)',
      };
    const atRisk = d.families.reduce((s, f) => s + n(m, `fam:${f}:at_risk`), 0);
    const findings = d.families.reduce((s, f) => s + n(m, `fam:${f}:findings`), 0);
    const affected = Math.min(
      items,
      d.families.reduce((s, f) => s + n(m, `fam:${f}:items`), 0),
    );
    const itemRate = items > 0 ? affected / items : 0;
    const moneyRate = taxes > 0 ? Math.min(1, (atRisk / taxes) * 10) : atRisk > 0 ? 1 : 0;
    const score = Math.round(100 - 50 * itemRate - 50 * moneyRate);
    return {
      dimension: d.dimension,
      score,
      known: true,
      atRiskPence: atRisk,
      findingCount: findings,
      families: d.families,
      explanation: `100 − 50 × ${affected}/${items} items affected − 50 × min(1, 10 × ${gbp(atRisk)} at risk ÷ ${gbp(taxes)} duty + VAT paid) = ${score}`,
    };
  });
  const known = dims.filter((d) => d.known);
  const w = known.reduce((s, d) => s + (DIMENSIONS.find((x) => x.dimension === d.dimension)?.weight ?? 0), 0);
  const score = w > 0 ? Math.round(known.reduce((s, d) => s + d.score * (DIMENSIONS.find((x) => x.dimension === d.dimension)?.weight ?? 0), 0) / w) : 100;
  return {
    importerId,
    from,
    to,
    modelVersion: MODEL_VERSION,
    score,
    explanation: `weighted mean of the known dimensions (${known.map((d) => `${d.dimension} ${d.score} × ${DIMENSIONS.find((x) => x.dimension === d.dimension)!.weight}`).join(', ')}) ÷ ${w}`,
    dimensions: dims,
  };
}

export interface DutyUnderManagement {
  importerId: string;
  from: string;
  to: string;
  metrics: Metric[];
}

/** Duty under management over the window. */
export function dutyUnderManagement(importerId: string, from: string, to: string, m: Metrics): DutyUnderManagement {
  return {
    importerId,
    from,
    to,
    metrics: [
      count('declarations', n(m, 'entries'), 'declarations in the window'),
      count('items', n(m, 'items'), 'goods items'),
      amount('customs_value', n(m, 'cv'), `customs value${n(m, 'cv_unknown_lines') ? ` (${n(m, 'cv_unknown_lines')} line(s) without a value left out)` : ''}`),
      amount('duty_paid', n(m, 'duty'), 'duty (A-type tax lines) charged'),
      amount('vat_paid', n(m, 'vat'), 'import VAT (B00) charged'),
      amount('customs_value_under_preference', n(m, 'pref_cv'), 'customs value of lines claiming a 2xx/3xx preference'),
      unknown('duty_saved_by_preferences', 'pence', 'needs the third-country rate of each preferential line, which the declaration does not carry (the reference service has it; not joined yet)'),
      amount(
        'duty_suspended_reported',
        n(m, 'suspended'),
        `duty suspended or relieved as reported on tax lines (special procedures on ${gbp(n(m, 'special_cv'))} of customs value); sources that do not report it count 0`,
      ),
      amount('exposure_found', n(m, 'exposure'), 'underpaid duty and VAT of active findings (validation and history)'),
      amount('reclaim_found', n(m, 'reclaim'), 'overpaid duty (and VAT where not recoverable) of active findings'),
      unknown('reclaim_recovered', 'pence', 'C285 outcomes are not recorded yet'),
    ],
  };
}

export { SELF, FAMILIES };
