// Property-style check of every scorecard, readiness and duty-under-management number against its
// stated range, over datagen's labelled history: its own history findings plus, per declaration,
// seeded arbitrary "validation" findings of the shapes that broke the £-weighted error rate — several
// rules pricing the same line, exposures on 0 % preference and suspended lines, reclaims larger than
// the duty paid, entry-level findings, item numbers the declaration does not have, findings that
// arrive before their declaration. Deterministic (seeded), no timings.
import { generateHistoryDataset } from '@customs/datagen';
import { applyBatch, decideHistory, declFact, emptyState } from '../rules';
import type { DeclFact } from '../rules/types';
import { contributionOf, dutyErrorOf, placementOf, type Metrics } from './contribution';
import { liteOf, type FindingLite } from './model';
import { brokerScore, brokerScorecard, dutyUnderManagement, readiness, sum } from './scorecards';

/** mulberry32: a small seeded PRNG, so the arbitrary findings are the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const RULES: [string, string][] = [
  ['C16', 'origin-preference'],
  ['C18', 'origin-preference'],
  ['C19', 'origin-preference'],
  ['C09', 'classification'],
  ['C33', 'procedures-reliefs'],
  ['C06', 'valuation'],
  ['C31', 'valuation'],
  ['C02', 'data-integrity'],
  ['C20', 'origin-preference'],
  ['C37', 'duplicates-vat'],
];

function arbitraryFindings(fact: DeclFact, rnd: () => number): FindingLite[] {
  const out: FindingLite[] = [];
  const n = Math.floor(rnd() * 5);
  for (let k = 0; k < n; k++) {
    const [rule, family] = RULES[Math.floor(rnd() * RULES.length)]!;
    const line = fact.lines[Math.floor(rnd() * fact.lines.length)];
    // An entry-level finding, an item the declaration does not have, or one of its lines.
    const r = rnd();
    const item = r < 0.15 ? 0 : r < 0.2 ? 999 : (line?.item ?? 1);
    const base = (line?.cv ?? 100_000) * 0.3;
    out.push({
      id: `${fact.id}/${k}`,
      rule,
      family,
      severity: 1 + Math.floor(rnd() * 5),
      item,
      exposureDuty: rnd() < 0.6 ? Math.floor(rnd() * base) : 0,
      exposureVat: rnd() < 0.5 ? Math.floor(rnd() * base * 0.2) : 0,
      reclaimDuty: rnd() < 0.4 ? Math.floor(rnd() * (line?.duty ?? 0) * 3) : 0,
      reclaimVat: rnd() < 0.2 ? Math.floor(rnd() * base * 0.2) : 0,
      deadline: '2026-01-01',
      source: 'validation',
      confidence: 1,
    });
  }
  return out;
}

describe('scorecard, readiness and duty-under-management numbers stay in their stated ranges', () => {
  const agentMonths = new Map<string, Metrics[]>();
  const importerMonths = new Map<string, Metrics[]>();
  const tenantMonths = new Map<string, Metrics[]>();
  /** The old definition, Σ (exposure + reclaim duty) ÷ duty paid, per agent, to show it left the range on the same data. */
  const oldRate = new Map<string, { num: number; den: number }>();
  let declarations = 0;

  beforeAll(() => {
    const rnd = prng(20261203);
    const state = emptyState();
    const history = new Map<string, FindingLite[]>();
    const facts: DeclFact[] = [];
    let batch: DeclFact[] = [];
    const flush = () => {
      const input = applyBatch(
        state,
        batch.map((fact) => ({ fact })),
      );
      for (const f of decideHistory(input, 'datagen', '2023-12-31', '2023-12-31T00:00:00Z')) history.set(f.declarationId, [...(history.get(f.declarationId) ?? []), liteOf(f, 0.5)]);
      batch = [];
    };
    for (const g of generateHistoryDataset({ seed: 20261203, declarations: 1500, importers: 3, historyRates: { C02: 0.02, C20: 0.02, C34: 0.03, C37: 0.03 } })) {
      const fact = declFact(g.declaration);
      facts.push(fact);
      batch.push(fact);
      if (batch.length === 100) flush();
    }
    if (batch.length) flush();
    const add = (m: Map<string, Metrics[]>, k: string, v: Metrics) => m.set(k, [...(m.get(k) ?? []), v]);
    for (const fact of facts) {
      declarations++;
      const findings = [...(history.get(fact.id) ?? []), ...arbitraryFindings(fact, rnd)];
      const p = placementOf(fact, { importer: '', declarant: '', date: '' });
      // One declaration in ten is scored from its findings before the full declaration arrived.
      const known = rnd() < 0.9 ? fact : undefined;
      const c = contributionOf(known, findings, p, rnd() < 0.05);
      add(agentMonths, `${p.agent}|${p.month}`, c);
      add(importerMonths, p.importer, c);
      add(tenantMonths, p.month, c);
      const o = oldRate.get(p.agent) ?? { num: 0, den: 0 };
      o.num += findings.reduce((s, f) => s + f.exposureDuty + f.reclaimDuty, 0);
      o.den += fact.lines.reduce((s, l) => s + l.duty, 0);
      oldRate.set(p.agent, o);
    }
  });

  it('the old £-weighted error rate (÷ duty paid) leaves 0–1 on this data; the declaration-level |Δduty| never exceeds its duty at stake', () => {
    expect(declarations).toBeGreaterThan(1000);
    expect(Math.max(...[...oldRate.values()].filter((o) => o.den > 0).map((o) => o.num / o.den))).toBeGreaterThan(1);
    const rnd = prng(7);
    for (let k = 0; k < 2000; k++) {
      const lines = Array.from({ length: 1 + Math.floor(rnd() * 4) }, (_, i) => ({ item: i + 1, duty: rnd() < 0.3 ? 0 : Math.floor(rnd() * 50_000), cv: 100_000 }));
      const fact = { lines } as unknown as DeclFact;
      const e = dutyErrorOf(fact, arbitraryFindings(fact, rnd));
      expect(e.errorAbs).toBeGreaterThanOrEqual(0);
      expect(e.errorAbs).toBeLessThanOrEqual(e.atStake);
    }
  });

  it('every broker scorecard: rates 0–1, per-100 figures 0–100, HHI 0–10,000, score and peer percentile 0–100, amounts ≥ 0', () => {
    const months = new Map<string, { agentId: string; m: Metrics }[]>();
    for (const [k, list] of agentMonths) {
      const [agentId, month] = k.split('|') as [string, string];
      months.set(month, [...(months.get(month) ?? []), { agentId, m: sum(list) }]);
    }
    let cards = 0;
    for (const [month, agents] of months) {
      const peers = agents.map((a) => ({ agentId: a.agentId, score: brokerScore(a.m).score }));
      const tenant = sum(tenantMonths.get(month) ?? []);
      for (const a of agents) {
        const card = brokerScorecard(a.agentId, month, a.m, tenant, peers);
        cards++;
        expect([a.agentId, month, card.score >= 0 && card.score <= 100]).toEqual([a.agentId, month, true]);
        expect(card.peerPercentile === -1 || (card.peerPercentile >= 0 && card.peerPercentile <= 100)).toBe(true);
        for (const x of card.metrics) {
          if (!x.known) continue;
          const v = Number(x.value);
          const [lo, hi] = x.unit === 'ratio' ? [0, 1] : x.unit.startsWith('per 100') ? [0, 100] : x.unit === 'hhi' ? [0, 10_000] : x.name === 'net_over_under' ? [-Infinity, Infinity] : [0, Infinity];
          expect([a.agentId, month, x.name, v >= lo && v <= hi]).toEqual([a.agentId, month, x.name, true]);
        }
      }
    }
    expect(cards).toBeGreaterThan(30);
  });

  it('importer readiness: every known dimension and the overall score 0–100, £ at risk ≥ 0; duty under management amounts ≥ 0', () => {
    for (const [importer, list] of importerMonths) {
      const m = sum(list);
      const r = readiness(importer, '2021-01', '2023-12', m);
      expect(r.score >= 0 && r.score <= 100).toBe(true);
      for (const d of r.dimensions) {
        if (d.known) expect([d.dimension, d.score >= 0 && d.score <= 100, d.atRiskPence >= 0]).toEqual([d.dimension, true, true]);
        else expect(d.score).toBe(-1);
      }
      for (const x of dutyUnderManagement(importer, '2021-01', '2023-12', m).metrics) if (x.known) expect([x.name, Number(x.value) >= 0]).toEqual([x.name, true]);
      // Monthly readiness too (the trend's snapshots).
      for (const c of list) {
        const rm = readiness(importer, '2023-01', '2023-01', c);
        expect(rm.score >= 0 && rm.score <= 100).toBe(true);
      }
    }
  });
});
