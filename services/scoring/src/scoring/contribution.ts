import { Severity } from '@customs/contracts';
import type { DeclFact } from '../rules/types';
import type { FindingLite } from './model';

// What one declaration version adds to the monthly aggregates of its agent, its importer and the
// tenant: plain additive numbers, so a re-check moves them by (new − old) and nothing is recomputed.

export type Metrics = Record<string, number>;

/** Agent id for a self-represented entry (DE 3/18 = importer). */
export const SELF = 'SELF';

export const FAMILIES = ['data-integrity', 'classification', 'origin-preference', 'valuation', 'procedures-reliefs', 'duplicates-vat'] as const;
const PROOF_RULES = new Set(['C16', 'C18', 'C19']);
const MISSED_PREFERENCE_RULES = new Set(['C21', 'C22']);
const CONSISTENCY_RULES = new Set(['C10', 'C11', 'C06', 'C31']);
/**
 * Rules whose money is not an error in the amounts declared but what is at stake if something else
 * fails: C02 the liability for an entry made in the importer's name, C20 the preference saving
 * resting on importer's knowledge. They count in exposure and readiness, never as |Δduty|.
 */
export const AT_STAKE_RULES = new Set(['C02', 'C20']);

/**
 * Σ |Δduty| of a declaration and the duty at stake it is a share of (DOMAIN §3.7 £-weighted error
 * rate, bounded 0–1). Findings of several rules on one line price the same error (a preference
 * without proof is C16, C18 and C19 at once), so a line's underpayment is the largest any one
 * finding prices on it, and its overpayment the largest, never more than the line paid. The
 * denominator is the duty the lines should have paid or did pay, whichever is more: Σ max(paid,
 * due) = paid + underpaid. Duty paid alone is the wrong denominator: a 0 % preference line with
 * its claim unproven, or a suspended line, pays nothing and errs by the full duty (that made a
 * self-representing importer's rate 1,038 %). An entry-level finding (item 0) is one more
 * underpayment, or an overpayment of the entry as a whole, again capped at what the entry paid.
 */
export function dutyErrorOf(fact: DeclFact, findings: readonly FindingLite[]): { errorAbs: number; atStake: number } {
  const paid = new Map(fact.lines.map((l) => [l.item, l.duty]));
  const under = new Map<number, number>();
  const over = new Map<number, number>();
  for (const f of findings) {
    if (AT_STAKE_RULES.has(f.rule)) continue;
    if (f.exposureDuty > 0) under.set(f.item, Math.max(under.get(f.item) ?? 0, f.exposureDuty));
    if (f.reclaimDuty > 0) over.set(f.item, Math.max(over.get(f.item) ?? 0, f.reclaimDuty));
  }
  const entryPaid = fact.lines.reduce((s, l) => s + l.duty, 0);
  let underpaid = 0;
  for (const v of under.values()) underpaid += v;
  let lineOver = 0;
  for (const [item, v] of over) if (item !== 0) lineOver += Math.min(v, paid.get(item) ?? 0);
  const overpaid = Math.min(entryPaid, Math.max(lineOver, over.get(0) ?? 0));
  return { errorAbs: underpaid + overpaid, atStake: entryPaid + underpaid };
}

/** Distinct goods items a set of findings touch; an entry-level finding (item 0) touches every item. */
function itemsTouched(fact: DeclFact | undefined, items: ReadonlySet<number>): number {
  if (!fact) return 0;
  if (items.has(0)) return fact.lines.length;
  return fact.lines.filter((l) => items.has(l.item)).length;
}

const isPreference = (p: string) => /^[23]\d\d$/.test(p);
const isSpecialProcedure = (cpc: string) => cpc !== '' && !cpc.startsWith('40') && !cpc.startsWith('42') && !cpc.startsWith('49');

export interface Placement {
  agent: string;
  importer: string;
  /** "YYYY-MM" of the acceptance date. */
  month: string;
}

export function placementOf(f: DeclFact | undefined, fallback: { importer: string; declarant: string; date: string }): Placement {
  const importer = f?.importer || fallback.importer;
  const declarant = f?.declarant || fallback.declarant || importer;
  return { agent: declarant === importer ? SELF : declarant, importer, month: (f?.date || fallback.date).slice(0, 7) };
}

/** The declaration's additive metrics; `fact` undefined = the full declaration has not arrived yet (only findings count). */
export function contributionOf(fact: DeclFact | undefined, findings: readonly FindingLite[], placement: Placement, amended: boolean): Metrics {
  const m: Metrics = { entries: 1, findings: findings.length };
  const add = (k: string, v: number) => {
    if (v) m[k] = (m[k] ?? 0) + v;
  };
  add('amendments', amended ? 1 : 0);
  if (fact) {
    add('items', fact.lines.length);
    for (const l of fact.lines) {
      add('cv', l.cv ?? 0);
      add('cv_unknown_lines', l.cv === null ? 1 : 0);
      add('duty', l.duty);
      add('vat', l.vat);
      add('suspended', l.suspended);
      if (isPreference(l.preference)) {
        add('pref_lines', 1);
        add('pref_cv', l.cv ?? 0);
      }
      if (isSpecialProcedure(l.cpc)) add('special_cv', l.cv ?? 0);
    }
    add(
      `agent_cv:${placement.agent}`,
      fact.lines.reduce((s, l) => s + (l.cv ?? 0), 0),
    );
  }
  const errorItems = new Set<number>();
  const missedItems = new Set<number>();
  const consistencyItems = new Set<number>();
  if (fact) {
    const e = dutyErrorOf(fact, findings);
    add('duty_error_abs', e.errorAbs);
    add('duty_at_stake', e.atStake);
  }
  for (const f of findings) {
    add('exposure', f.exposureDuty + f.exposureVat);
    add('reclaim', f.reclaimDuty + f.reclaimVat);
    add('underpaid', f.exposureDuty + f.exposureVat);
    add('overpaid', f.reclaimDuty + f.reclaimVat);
    if (f.severity >= Severity.SEVERITY_HIGH) errorItems.add(f.item);
    if (PROOF_RULES.has(f.rule)) add('proof_findings', 1);
    if (CONSISTENCY_RULES.has(f.rule)) consistencyItems.add(f.item);
    if (MISSED_PREFERENCE_RULES.has(f.rule)) missedItems.add(f.item);
    add(`fam:${f.family}:findings`, 1);
    add(`fam:${f.family}:at_risk`, f.exposureDuty + f.exposureVat + f.reclaimDuty + f.reclaimVat);
  }
  // Item counts exist only with the declaration's lines (items is 0 without them, so its rates stay ≤ 1).
  add('items_error', itemsTouched(fact, errorItems));
  add('consistency_items', itemsTouched(fact, consistencyItems));
  if (fact) for (const i of missedItems) add('missed_pref_cv', fact.lines.find((l) => l.item === i)?.cv ?? 0);
  const famItems = new Map<string, Set<number>>();
  for (const f of findings) famItems.set(f.family, (famItems.get(f.family) ?? new Set()).add(f.item));
  for (const [fam, items] of famItems) add(`fam:${fam}:items`, itemsTouched(fact, items));
  return m;
}

/** new − old, metric by metric (zeros dropped). */
export function delta(next: Metrics, prev: Metrics | undefined): Metrics {
  const out: Metrics = {};
  for (const k of new Set([...Object.keys(next), ...Object.keys(prev ?? {})])) {
    const d = (next[k] ?? 0) - (prev?.[k] ?? 0);
    if (d) out[k] = d;
  }
  return out;
}
