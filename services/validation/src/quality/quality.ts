import type { Finding } from '@customs/contracts';
import type { Rule } from '../rules/types';

/** An expected finding of a labelled dataset (the generator's ground truth). */
export interface ExpectedFinding {
  declarationId: string;
  itemNumber: number;
  ruleId: string;
  exposureDutyPence: number;
  exposureVatPence: number;
  reclaimDutyPence: number;
  reclaimVatPence: number;
  note: string;
}

export interface RuleQuality {
  ruleId: string;
  title: string;
  /** Declarations the generator injected this rule's error into. */
  injectedDeclarations: number;
  expected: number;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number;
  recall: number;
  /** True positives whose four amounts equal the expected ones to the penny. */
  amountsExact: number;
  expectedPence: number;
  /** Σ exposure + reclaim the rule reported on its true positives. */
  reportedPence: number;
  /** A few mismatches, for the report. */
  examples: string[];
}

const key = (declarationId: string, item: number, rule: string) => `${declarationId}|${item}|${rule}`;
const total = (x: { exposureDutyPence: number; exposureVatPence: number; reclaimDutyPence: number; reclaimVatPence: number }) =>
  x.exposureDutyPence + x.exposureVatPence + x.reclaimDutyPence + x.reclaimVatPence;

/**
 * Scores findings against the expected ones, per rule: a finding matches an expectation with the
 * same declaration, item (0 = header) and rule; unmatched findings are false positives (including
 * any second finding for the same key), unmatched expectations false negatives.
 */
export class QualityTally {
  private readonly rows = new Map<string, RuleQuality>();

  constructor(rules: readonly Rule[], extraRuleIds: readonly string[] = []) {
    for (const r of rules) this.row(r.meta.id, r.meta.title);
    for (const id of extraRuleIds) this.row(id, '(no live rule)');
  }

  private row(ruleId: string, title = ''): RuleQuality {
    let r = this.rows.get(ruleId);
    if (!r) {
      r = {
        ruleId,
        title,
        injectedDeclarations: 0,
        expected: 0,
        truePositives: 0,
        falsePositives: 0,
        falseNegatives: 0,
        precision: 1,
        recall: 1,
        amountsExact: 0,
        expectedPence: 0,
        reportedPence: 0,
        examples: [],
      };
      this.rows.set(ruleId, r);
    }
    return r;
  }

  /** Adds one declaration's findings and expectations. */
  add(declarationId: string, findings: readonly Finding[], expected: readonly ExpectedFinding[], injected: readonly string[]): void {
    for (const id of injected) this.row(id).injectedDeclarations++;
    const open = new Map<string, ExpectedFinding>();
    for (const e of expected) {
      open.set(key(e.declarationId, e.itemNumber, e.ruleId), e);
      const r = this.row(e.ruleId);
      r.expected++;
      r.expectedPence += total(e);
    }
    for (const f of findings) {
      const k = key(declarationId, f.itemNumber, f.ruleId);
      const r = this.row(f.ruleId, f.title);
      const e = open.get(k);
      if (!e) {
        r.falsePositives++;
        if (r.examples.length < 5) r.examples.push(`FP ${declarationId} item ${f.itemNumber}: ${f.explanation.slice(0, 600)}`);
        continue;
      }
      open.delete(k);
      r.truePositives++;
      r.reportedPence += total(f);
      if (f.exposureDutyPence === e.exposureDutyPence && f.exposureVatPence === e.exposureVatPence && f.reclaimDutyPence === e.reclaimDutyPence && f.reclaimVatPence === e.reclaimVatPence)
        r.amountsExact++;
      else if (r.examples.length < 5) r.examples.push(`£ ${declarationId} item ${f.itemNumber}: expected ${total(e)}p (${e.note}), reported ${total(f)}p: ${f.explanation.slice(0, 300)}`);
    }
    for (const e of open.values()) {
      const r = this.row(e.ruleId);
      r.falseNegatives++;
      if (r.examples.length < 5) r.examples.push(`FN ${e.declarationId} item ${e.itemNumber}: ${e.note}`);
    }
  }

  results(): RuleQuality[] {
    return [...this.rows.values()]
      .map((r) => ({
        ...r,
        precision: r.truePositives + r.falsePositives === 0 ? 1 : r.truePositives / (r.truePositives + r.falsePositives),
        recall: r.expected === 0 ? 1 : r.truePositives / r.expected,
      }))
      .sort((a, b) => a.ruleId.localeCompare(b.ruleId));
  }
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const gbp = (p: number) => `£${(p / 100).toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export interface QualityReport {
  title: string;
  /** Lines describing the dataset (seed, size, generator settings). */
  dataset: string[];
  results: RuleQuality[];
  /** Rules known to fall short, with the reason and the fix (listed under the table). */
  knownDefects: Record<string, { reason: string; fix: string }>;
  /** Extra sections (heading → lines). */
  sections?: { heading: string; lines: string[] }[];
}

/** Renders docs/quality.md. Deterministic: no timings, no dates. */
export function renderQualityDoc(report: QualityReport): string {
  const lines = [
    `# ${report.title}`,
    '',
    '<!-- Generated by services/validation/src/quality/detection-quality.unit.test.ts (UPDATE_QUALITY_DOC=1 npx jest --selectProjects unit detection-quality); the test fails when this file is stale. -->',
    '',
    ...report.dataset,
    '',
    'A finding is a true positive when a rule reports the (declaration, item, rule) the generator injected; any other finding is a false positive (clean declarations must stay silent), and an injected error no finding reports is a false negative. "£ exact" counts true positives whose exposure and reclaim (duty and VAT) equal the ground truth to the penny; rules whose catalogue pricing is "not priced per declaration" are expected to report £0.',
    '',
    '| rule | title | declarations injected | expected | TP | FP | FN | precision | recall | £ exact | expected £ | reported £ (TP) |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of report.results) {
    const flag = report.knownDefects[r.ruleId] ? ' ⚠' : '';
    lines.push(
      `| ${r.ruleId}${flag} | ${cell(r.title)} | ${r.injectedDeclarations} | ${r.expected} | ${r.truePositives} | ${r.falsePositives} | ${r.falseNegatives} | ${pct(r.precision)} | ${r.expected ? pct(r.recall) : 'n/a'} | ${r.truePositives ? `${r.amountsExact}/${r.truePositives}` : 'n/a'} | ${gbp(r.expectedPence)} | ${gbp(r.reportedPence)} |`,
    );
  }
  const defects = Object.entries(report.knownDefects);
  if (defects.length) {
    lines.push(
      '',
      '## Known rule defects (⚠)',
      '',
      'Found on realistic generated declarations; the test asserts they are still present, so fixing a rule makes it fail until the entry is removed here.',
      '',
    );
    for (const [id, d] of defects) lines.push(`- **${id}**: ${d.reason} Fix: ${d.fix}`);
  }
  for (const s of report.sections ?? []) lines.push('', `## ${s.heading}`, '', ...s.lines);
  return `${lines.join('\n')}\n`;
}
