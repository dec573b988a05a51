import type { Finding } from '@customs/contracts';
import type { TruthEntry } from '@customs/datagen';
import { HISTORY_RULES } from '../rules';

// Precision, recall and £ exactness of the history checks against the generator's ground truth,
// and the docs/quality-history.md table. Deterministic: no timings, no dates.

export interface RuleQuality {
  ruleId: string;
  title: string;
  expected: number;
  tp: number;
  fp: number;
  fn: number;
  exact: number;
  expectedPence: number;
  reportedPence: number;
  /** Mean absolute relative error of the reported £ on true positives (for estimates). */
  meanAbsError: number;
}

const money = (x: { exposureDutyPence: number; exposureVatPence: number; reclaimDutyPence: number; reclaimVatPence: number }) =>
  x.exposureDutyPence + x.exposureVatPence + x.reclaimDutyPence + x.reclaimVatPence;

export function measure(
  truth: readonly TruthEntry[],
  findings: readonly Finding[],
  rules: readonly string[] = HISTORY_RULES.map((r) => r.meta.id),
): { rows: RuleQuality[]; falsePositives: Finding[]; falseNegatives: TruthEntry[] } {
  const key = (d: string, i: number, r: string) => `${d}|${i}|${r}`;
  const found = new Map<string, Finding>();
  for (const f of findings) found.set(key(f.declarationId, f.itemNumber, f.ruleId), f);
  const expected = new Map(truth.map((t) => [key(t.declarationId, t.itemNumber, t.ruleId), t]));
  const rows: RuleQuality[] = [];
  const falsePositives: Finding[] = [];
  const falseNegatives: TruthEntry[] = [];
  for (const id of rules) {
    const title = HISTORY_RULES.find((r) => r.meta.id === id)?.meta.title ?? id;
    const exp = [...expected.values()].filter((t) => t.ruleId === id);
    const got = [...found.values()].filter((f) => f.ruleId === id);
    let tp = 0;
    let exact = 0;
    let reported = 0;
    let err = 0;
    for (const t of exp) {
      const f = found.get(key(t.declarationId, t.itemNumber, t.ruleId));
      if (!f) {
        falseNegatives.push(t);
        continue;
      }
      tp++;
      reported += money(f);
      if (f.exposureDutyPence === t.exposureDutyPence && f.exposureVatPence === t.exposureVatPence && f.reclaimDutyPence === t.reclaimDutyPence && f.reclaimVatPence === t.reclaimVatPence) exact++;
      err += money(t) > 0 ? Math.abs(money(f) - money(t)) / money(t) : money(f) > 0 ? 1 : 0;
    }
    const fps = got.filter((f) => !expected.has(key(f.declarationId, f.itemNumber, f.ruleId)));
    falsePositives.push(...fps);
    rows.push({
      ruleId: id,
      title,
      expected: exp.length,
      tp,
      fp: fps.length,
      fn: exp.length - tp,
      exact,
      expectedPence: exp.reduce((s, t) => s + money(t), 0),
      reportedPence: reported,
      meanAbsError: tp ? err / tp : 0,
    });
  }
  return { rows, falsePositives, falseNegatives };
}

const pct = (a: number, b: number) => (b === 0 ? 'n/a' : `${((a / b) * 100).toFixed(1)}%`);
const gbp = (p: number) => `£${(p / 100).toFixed(2).replace(/\B(?=(\d{3})+(?!\d))/g, ',')}`;

export function table(rows: readonly RuleQuality[]): string {
  const lines = [
    '| rule | title | expected | TP | FP | FN | precision | recall | £ exact | expected £ | reported £ (TP) | mean abs £ error |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows)
    lines.push(
      `| ${r.ruleId} | ${r.title} | ${r.expected} | ${r.tp} | ${r.fp} | ${r.fn} | ${pct(r.tp, r.tp + r.fp)} | ${pct(r.tp, r.expected)} | ${r.exact}/${r.tp} | ${gbp(r.expectedPence)} | ${gbp(r.reportedPence)} | ${(r.meanAbsError * 100).toFixed(1)}% |`,
    );
  return lines.join('\n');
}
