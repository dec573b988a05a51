// Detection on real declarations: HMRC's own sample declarations (packages/testing/fixtures/hmrc),
// each mutated by ONE realistic error (real-sample-mutators.ts), read by ingestion's real DMS parser
// and checked by the live rules against the reference service's bundled data. Per rule: mutants,
// detected, missed, collateral (findings of other rules the error does not explain) and £ exact.
// Writes/checks the "real-samples" section of docs/quality.md (UPDATE_QUALITY_DOC=1).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Declaration, Finding } from '@customs/contracts';
import { parseDmsDeclaration } from '../../../ingestion/src/parse/dms';
import { loadBundledStore } from '../../../reference/src/app/load-bundled';
import { RULES, evaluateDeclaration, type ReferenceView } from '../rules';
import { MUTATION_KINDS, stripComments, type Mutation, type SampleContext } from './real-sample-mutators';

const SAMPLES = path.resolve(__dirname, '../../../../packages/testing/fixtures/hmrc/hmrc-customs-declarations/annotated_XML_samples');
const DOC = path.resolve(__dirname, '../../../../docs/quality.md');
// Most samples are pre-acceptance submissions without an acceptance date; ingestion would use the
// day it received them. A fixed date inside the bundled FX range (2020-01..2023-08) keeps the
// run reproducible and lets the rules that need an HMRC rate decide.
const ASSUMED_ACCEPTANCE = '2023-06-15';
const TODAY = '2023-12-31';

/**
 * Recall floor per rule (the test fails below it). 0.98 is the issue's bar; a rule below it is
 * listed in KNOWN_MISSES with the reason, so a regression or an unexplained miss fails the test.
 */
const FLOOR = 0.98;
const KNOWN_MISSES: Record<string, { floor: number; reason: string }> = {};

/** Measured before the root-cause fixes of issue 19 (same mutations, same samples), kept for the record. */
const BEFORE: Record<string, string> = {
  C01: '847/851, 353',
  C02: '217/223, 0',
  C03: '182/910, 0',
  C04: '594/594, 0',
  C05: '44/44, 1',
  C07: '366/407, 0',
  C08: '382/382, 0',
  C12: '1404/2106, 0',
  C16: '145/159, 0',
  C19: '171/171, 0',
  C24: '198/198, 0',
  C26: '510/510, 0',
  C28: '492/492, 0',
  C29: '477/477, 0',
  C31: '83/83, 0',
  C32: '0/16, 0',
  C33: '22/66, 0',
  C36: '4/6, 0',
  C41: '83/249, 0',
  all: '6221/7944 (78.3 %), 354 (4.5 %)',
};

interface Tally {
  ruleId: string;
  kinds: Set<string>;
  mutants: number;
  detected: number;
  collateral: number;
  priced: number;
  exact: number;
  /** Mutants whose rule had already reported the same item on the unmutated sample (not measurable). */
  masked: number;
  misses: string[];
  collateralExamples: string[];
  unparsed: number;
}

function walk(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (/\.xml$/i.test(e.name)) out.push(p);
  }
  return out.sort();
}

const key = (f: Finding) => `${f.ruleId}|${f.itemNumber}`;
function counts(fs_: Finding[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const f of fs_) m.set(key(f), (m.get(key(f)) ?? 0) + 1);
  return m;
}

describe('detection on HMRC sample declarations with one realistic error each', () => {
  const store = loadBundledStore(path.resolve(__dirname, '../../../reference/data'));
  const view: ReferenceView = { commodity: (c, d) => store.commodity(c, d), fx: (c, d) => store.fx(c, d), rates: (c, o, d) => store.rates(c, o, d), codeList: (l, c, d) => store.codeList(l, c, d) };
  const parse = (xml: string, name: string): Declaration | undefined => {
    const r = parseDmsDeclaration(xml, { sourceName: name });
    if (!r.ok || r.kind !== 'declaration') return undefined;
    const d = r.declaration;
    return { ...d, tenantId: 'mutation-test', declarationId: name, version: 1, acceptanceDate: d.acceptanceDate || ASSUMED_ACCEPTANCE, acceptanceDateSource: d.acceptanceDateSource || 'received' };
  };
  const evaluate = (d: Declaration) => evaluateDeclaration(RULES, d, view, TODAY, `${TODAY}T00:00:00Z`, {});
  const declarable = (code: string, date: string): boolean | undefined => {
    const c = store.commodity(code, date);
    if (!c) return undefined;
    // The nomenclature snapshot answers for every code: an unknown code is not declarable.
    return c.declarableOnDate;
  };

  const samples: { name: string; xml: string; declaration: Declaration; baseline: Map<string, number> }[] = [];
  for (const file of walk(SAMPLES)) {
    const name = path.relative(SAMPLES, file);
    const xml = stripComments(fs.readFileSync(file, 'utf8'));
    const d = parse(xml, name);
    // Original import declarations only (amendments and invalidations have their own checks).
    if (!d || d.functionCode !== '9' || !d.typeCode.startsWith('IM') || d.items.length === 0) continue;
    samples.push({ name, xml, declaration: d, baseline: counts(evaluate(d)) });
  }

  const tallies = new Map<string, Tally>();
  const tallyOf = (ruleId: string): Tally => {
    let t = tallies.get(ruleId);
    if (!t) tallies.set(ruleId, (t = { ruleId, kinds: new Set(), mutants: 0, detected: 0, collateral: 0, priced: 0, exact: 0, masked: 0, misses: [], collateralExamples: [], unparsed: 0 }));
    return t;
  };
  const byKind = new Map<string, { mutants: number; detected: number }>();
  for (const kind of MUTATION_KINDS) {
    const t = tallyOf(kind.ruleId);
    t.kinds.add(kind.kind);
    const k = byKind.get(`${kind.ruleId}|${kind.kind}`) ?? { mutants: 0, detected: 0 };
    byKind.set(`${kind.ruleId}|${kind.kind}`, k);
    for (const s of samples) {
      const ctx: SampleContext = { xml: s.xml, declaration: s.declaration, declarable, thirdCountryDuty: (code, date) => store.commodity(code, date)?.thirdCountryDuty ?? '' };
      const m = kind.mutate(ctx);
      if (!m || !m.xml || m.xml === s.xml) continue;
      const mutation: Mutation = { ruleId: kind.ruleId, kind: kind.kind, ...m };
      const d = parse(mutation.xml, s.name);
      if (!d) {
        t.unparsed++;
        continue;
      }
      const target = (x: string) => x.startsWith(`${mutation.ruleId}|`) && (mutation.itemNumber === 0 || x === `${mutation.ruleId}|${mutation.itemNumber}`);
      // The rule already reports this item on the unmutated sample: a new error there cannot be
      // told apart, so the mutant is counted as masked (the baseline finding is listed below).
      if ([...s.baseline.keys()].some(target)) {
        t.masked++;
        continue;
      }
      t.mutants++;
      k.mutants++;
      const found = evaluate(d);
      const after = counts(found);
      const fresh = [...after.entries()].filter(([x, n]) => n > (s.baseline.get(x) ?? 0)).map(([x]) => x);
      const hit = fresh.some(target);
      if (hit) {
        t.detected++;
        k.detected++;
        if (mutation.expectedPence) {
          t.priced++;
          const mine = found.filter((f) => target(key(f)));
          const sum = (g: (f: Finding) => number) => mine.reduce((a, f) => a + g(f), 0);
          const e = mutation.expectedPence;
          if (
            sum((f) => f.exposureDutyPence) === e.exposureDuty &&
            sum((f) => f.exposureVatPence) === e.exposureVat &&
            sum((f) => f.reclaimDutyPence) === e.reclaimDuty &&
            sum((f) => f.reclaimVatPence) === e.reclaimVat
          )
            t.exact++;
          else if (t.misses.length < 6)
            t.misses.push(`${s.name} ${kind.kind}: £ ${JSON.stringify(mine.map((f) => [f.exposureDutyPence, f.exposureVatPence, f.reclaimDutyPence, f.reclaimVatPence]))} ≠ ${JSON.stringify(e)}`);
        }
      } else if (t.misses.length < 6) t.misses.push(`${s.name} ${kind.kind}`);
      const other = fresh.filter((x) => !x.startsWith(`${mutation.ruleId}|`) && !(mutation.alsoExpected ?? []).some((r) => x.startsWith(`${r}|`)));
      if (other.length) {
        t.collateral++;
        if (t.collateralExamples.length < 6) t.collateralExamples.push(`${s.name} ${kind.kind}: ${other.join(', ')}`);
      }
    }
  }
  const baselineCount = new Map<string, number>();
  for (const s of samples) for (const [k, n] of s.baseline) baselineCount.set(k.split('|')[0]!, (baselineCount.get(k.split('|')[0]!) ?? 0) + n);
  const baselineByRule = [...baselineCount.entries()].sort();
  const results = [...tallies.values()].sort((a, b) => a.ruleId.localeCompare(b.ruleId));
  const pct = (n: number, d: number) => (d ? `${((n / d) * 100).toFixed(1)}%` : 'n/a');
  const totalMutants = results.reduce((s, r) => s + r.mutants, 0);
  const totalCollateral = results.reduce((s, r) => s + r.collateral, 0);

  it('reads enough real samples and builds at least three kinds of mutation per mutated rule', () => {
    expect(samples.length).toBeGreaterThan(150);
    const thin = results.filter((r) => r.kinds.size < 3).map((r) => `${r.ruleId}: ${r.kinds.size} kinds`);
    expect(thin).toEqual([]);
    const empty = [...byKind.entries()].filter(([, v]) => v.mutants === 0).map(([k]) => k);
    expect(empty).toEqual([]);
  });

  it('every mutant parses (a mutation is a realistic error, not a broken document)', () => {
    expect(results.filter((r) => r.unparsed > 0).map((r) => `${r.ruleId}: ${r.unparsed} mutants rejected by the parser`)).toEqual([]);
  });

  it('each rule detects its mutations at or above its floor', () => {
    const below = results.filter((r) => r.detected / Math.max(1, r.mutants) < (KNOWN_MISSES[r.ruleId]?.floor ?? FLOOR)).map((r) => `${r.ruleId}: ${r.detected}/${r.mutants} — ${r.misses.join(' / ')}`);
    expect(below).toEqual([]);
    const stale = Object.entries(KNOWN_MISSES)
      .filter(([id]) => {
        const r = tallies.get(id);
        return r && r.detected / Math.max(1, r.mutants) >= FLOOR;
      })
      .map(([id]) => `${id}: reaches ${FLOOR}; remove it from KNOWN_MISSES`);
    expect(stale).toEqual([]);
  });

  it('collateral findings stay at or below 0.2 % of mutants, and every priced detection is pence-exact', () => {
    const examples = results.filter((r) => r.collateral > 0).map((r) => `${r.ruleId}: ${r.collateral} — ${r.collateralExamples.join(' / ')}`);
    expect({ withinBudget: totalCollateral <= Math.floor(totalMutants * 0.002), collateral: totalCollateral, examples }).toEqual({ withinBudget: true, collateral: totalCollateral, examples });
    expect(results.filter((r) => r.exact !== r.priced).map((r) => `${r.ruleId}: ${r.exact}/${r.priced} — ${r.misses.join(' / ')}`)).toEqual([]);
  });

  it('docs/quality.md carries the current real-sample table (UPDATE_QUALITY_DOC=1 to regenerate)', () => {
    const notMutated = RULES.map((r) => r.meta.id).filter((id) => !tallies.has(id));
    const section = [
      '<!-- real-samples:start -->',
      '## Detection on HMRC’s sample declarations with one realistic error each',
      '',
      '<!-- Generated by services/validation/src/quality/real-samples-mutation.unit.test.ts (UPDATE_QUALITY_DOC=1 npx jest --selectProjects unit real-samples-mutation); the test fails when this section is stale. -->',
      '',
      `${samples.length} original import declarations from HMRC’s annotated DMS samples (\`packages/testing/fixtures/hmrc\`, see its SOURCES.md), each mutated by one realistic error at a time (\`real-sample-mutators.ts\`: keying slips, removed documents, placeholders such as "TBC"/"N/A"/"UNKNOWN", vague descriptions and their variants, decimal and currency slips, swapped codes), serialised as DMS XML, read by ingestion’s DMS parser and checked by the ${RULES.length} live rules against the reference service’s bundled data (no Online Trade Tariff measures). Samples without an acceptance date are taken as accepted on ${ASSUMED_ACCEPTANCE}. A mutant is **detected** when the rule the mutation violates raises a finding (on the mutated item, or at header level for header errors) that the unmutated sample did not have; **collateral** counts mutants on which another rule raised a new finding that the error does not explain (the mutation names the rules that legitimately see the same defect); **£ exact** compares the detection’s amounts with what the error is worth where the mutation knows it (documentation and data-quality rules: £0).`,
      '',
      '| rule | kinds | mutants | detected | missed | recall | collateral | £ exact | masked | before (detected/mutants, collateral) |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|',
      ...results.map(
        (r) =>
          `| ${r.ruleId} | ${r.kinds.size} | ${r.mutants} | ${r.detected} | ${r.mutants - r.detected} | ${pct(r.detected, r.mutants)} | ${r.collateral} | ${r.priced ? `${r.exact}/${r.priced}` : 'n/a'} | ${r.masked} | ${BEFORE[r.ruleId] ?? 'new'} |`,
      ),
      `| **all** | ${results.reduce((s, r) => s + r.kinds.size, 0)} | ${totalMutants} | ${results.reduce((s, r) => s + r.detected, 0)} | ${totalMutants - results.reduce((s, r) => s + r.detected, 0)} | ${pct(
        results.reduce((s, r) => s + r.detected, 0),
        totalMutants,
      )} | ${totalCollateral} (${pct(totalCollateral, totalMutants)}) | ${results.reduce((s, r) => s + r.exact, 0)}/${results.reduce((s, r) => s + r.priced, 0)} | ${results.reduce((s, r) => s + r.masked, 0)} | ${BEFORE['all'] ?? ''} |`,
      '',
      '**before**: the same mutations on the same samples before the issue-19 fixes (shared placeholder/vague-description normalisation; C02 reading AI 00500 and not comparing malformed EORIs; C07 on original declarations without value or tax lines; C32 accepting only export documents; C33/C36/C41 refusing placeholder references); masked mutants were then counted as missed, and 33 mutants whose mutation was narrowed afterwards (C02 on self-represented entries, C07 on entries with an additional procedure code) are not in the later count; the C09 mutations were added after the fixes (they exercise overcharge logic the fixes did not change) and have no before figure.',
      '',
      '**masked**: mutants left out of the count because the rule already reports that item on the unmutated sample. Findings on the unmutated samples (for review: HMRC test data is not always compliant, and some are rule false positives):',
      '',
      ...baselineByRule.map(([rule, n]) => `- ${rule}: ${n} finding(s) on ${samples.length} samples`),
      '',
      'Mutation kinds and their detection:',
      '',
      ...[...byKind.entries()].map(([k, v]) => `- ${k.replace('|', ': ')} — ${v.detected}/${v.mutants}`),
      '',
      ...(Object.keys(KNOWN_MISSES).length
        ? ['Rules below the 98 % floor, with the reason:', '', ...Object.entries(KNOWN_MISSES).map(([id, m]) => `- **${id}** (floor ${(m.floor * 100).toFixed(0)} %): ${m.reason}`), '']
        : []),
      `Limits: the samples are HMRC trade-test declarations, mostly single-item and pre-acceptance (no tax amounts, so most mutations cannot be priced here and the priced rules’ arithmetic is measured by the generator above and by \`scripts/reconcile-hmrc.js\`); the bundled reference data has no Online Trade Tariff measures, so rules that need preferential, suspension, remedy, VAT or supplementary-unit measures (${notMutated.join(', ')}) are not mutated here — they record "not checked" instead; a mutation applies only where the sample has the data it changes (e.g. C32 has few returned-goods samples). The mutations were written from the rules’ business meaning by the team that wrote the rules: an independent set would be a stronger test.`,
      '<!-- real-samples:end -->',
      '',
    ].join('\n');
    const current = fs.existsSync(DOC) ? fs.readFileSync(DOC, 'utf8') : '';
    const re = /<!-- real-samples:start -->[\s\S]*?<!-- real-samples:end -->\n/;
    let next: string;
    if (re.test(current)) next = current.replace(re, section);
    else next = current.includes('<!-- live:start -->') ? current.replace('<!-- live:start -->', `${section}\n<!-- live:start -->`) : `${current}\n${section}`;
    if (process.env.UPDATE_QUALITY_DOC === '1' && next !== current) fs.writeFileSync(DOC, next);
    expect(fs.readFileSync(DOC, 'utf8')).toBe(next);
  });
});
