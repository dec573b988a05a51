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
  for (const f of findings) {
    add('exposure', f.exposureDuty + f.exposureVat);
    add('reclaim', f.reclaimDuty + f.reclaimVat);
    add('duty_error_abs', f.exposureDuty + f.reclaimDuty);
    add('underpaid', f.exposureDuty + f.exposureVat);
    add('overpaid', f.reclaimDuty + f.reclaimVat);
    if (f.severity >= Severity.SEVERITY_HIGH) errorItems.add(f.item);
    if (PROOF_RULES.has(f.rule)) add('proof_findings', 1);
    if (CONSISTENCY_RULES.has(f.rule)) add('consistency_findings', 1);
    if (MISSED_PREFERENCE_RULES.has(f.rule)) missedItems.add(f.item);
    add(`fam:${f.family}:findings`, 1);
    add(`fam:${f.family}:at_risk`, f.exposureDuty + f.exposureVat + f.reclaimDuty + f.reclaimVat);
  }
  // An entry-level finding (item 0) counts against every item of the entry.
  add('items_error', errorItems.has(0) ? (fact?.lines.length ?? 1) : errorItems.size);
  if (fact) for (const i of missedItems) add('missed_pref_cv', fact.lines.find((l) => l.item === i)?.cv ?? 0);
  const famItems = new Map<string, Set<number>>();
  for (const f of findings) famItems.set(f.family, (famItems.get(f.family) ?? new Set()).add(f.item));
  for (const [fam, items] of famItems) add(`fam:${fam}:items`, items.has(0) ? (fact?.lines.length ?? 1) : items.size);
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
