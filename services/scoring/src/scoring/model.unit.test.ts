import { Severity } from '@customs/contracts';
import { contributionOf, delta, placementOf } from './contribution';
import { scoreDeclaration, type FindingLite } from './model';
import { brokerScore, brokerScorecard, hhi, readiness } from './scorecards';

const TODAY = '2024-06-01';
const f = (p: Partial<FindingLite>): FindingLite => ({
  id: `f${Math.random()}`,
  rule: 'C28',
  family: 'valuation',
  severity: Severity.SEVERITY_MEDIUM,
  item: 1,
  exposureDuty: 0,
  exposureVat: 0,
  reclaimDuty: 0,
  reclaimVat: 0,
  deadline: '2026-01-10',
  source: 'validation',
  confidence: 1,
  ...p,
});

describe('declaration risk (risk-v3)', () => {
  it('is 0 risk / score 100 for a clean declaration, with every factor present', () => {
    const s = scoreDeclaration([], TODAY);
    expect(s.score).toBe(100);
    expect(s.risk).toBe(0);
    expect(s.factors.map((x) => x.name)).toEqual(['money', 'severity', 'deadline', 'confidence']);
  });

  it('weighs money: 27 £0 documentation gaps score better than one £10.5k critical finding', () => {
    const gaps = scoreDeclaration(
      Array.from({ length: 27 }, (_, i) => f({ id: `g${i}`, item: i + 1 })),
      TODAY,
    );
    const critical = scoreDeclaration([f({ severity: Severity.SEVERITY_CRITICAL, rule: 'C14', exposureDuty: 1_050_000 })], TODAY);
    expect(gaps.score).toBeGreaterThan(critical.score);
    expect(gaps.score).toBe(86);
    expect(critical.score).toBe(20);
    expect(critical.factors.find((x) => x.name === 'money')!.value).toBe(80);
  });

  it('explains itself: points per factor, the lines behind it, per-family components', () => {
    const s = scoreDeclaration(
      [
        f({ id: 'a', item: 2, exposureDuty: 5000, exposureVat: 1000, family: 'classification', rule: 'C09', severity: Severity.SEVERITY_HIGH }),
        f({ id: 'b', item: 2, reclaimDuty: 300, rule: 'C21', family: 'origin-preference' }),
        f({ id: 'c', item: 0, rule: 'C01', family: 'data-integrity', severity: Severity.SEVERITY_LOW }),
      ],
      TODAY,
    );
    expect(s.exposurePence).toBe(6000);
    expect(s.reclaimPence).toBe(300);
    expect(s.lines).toEqual([
      { itemNumber: 0, findingIds: ['c'], ruleIds: ['C01'], exposurePence: 0, reclaimPence: 0 },
      { itemNumber: 2, findingIds: ['a', 'b'], ruleIds: ['C09', 'C21'], exposurePence: 6000, reclaimPence: 300 },
    ]);
    expect(s.components.map((c) => c.dimension)).toEqual(['classification', 'data-integrity', 'origin-preference']);
    expect(s.explanation).toMatch(/^risk \d+ = \(money [\d.]+ \+ severity [\d.]+ \+ deadline [\d.]+\) × \(0\.5 \+ 0\.5 × confidence 1\.00\)$/);
  });

  it('a nearer deadline raises risk; a passed one counts as out of time; lower confidence lowers it', () => {
    const far = scoreDeclaration([f({ exposureDuty: 100_000, deadline: '2026-06-01' })], TODAY).risk;
    const near = scoreDeclaration([f({ exposureDuty: 100_000, deadline: '2024-07-01' })], TODAY).risk;
    const passed = scoreDeclaration([f({ exposureDuty: 100_000, deadline: '2024-05-01' })], TODAY).risk;
    const unsure = scoreDeclaration([f({ exposureDuty: 100_000, deadline: '2024-07-01', confidence: 0.5 })], TODAY).risk;
    expect(near).toBeGreaterThan(far);
    expect(passed).toBeLessThan(far);
    expect(unsure).toBeLessThan(near);
  });
});

describe('contributions and scorecards', () => {
  const fact = {
    tenant: 't',
    id: 'd1',
    version: 1,
    mrn: 'M',
    lrn: 'L',
    date: '2024-03-05',
    importer: 'GB1',
    declarant: 'GB2',
    supplier: 'S',
    invoices: [],
    vatRegistered: true,
    status: '',
    changeKind: '',
    lines: [1, 2].map((i) => ({
      item: i,
      code: '6109100010',
      cn8: '61091000',
      desc: 'T',
      origin: 'CN',
      preference: i === 2 ? '300' : '100',
      cpc: '4000',
      cv: 10_000,
      duty: 1200,
      vat: 2240,
      suspended: 0,
      a00Rate: '12.00',
      vatRate: '20.00',
      netKg: '1.000',
      supp: '',
      docs: [],
    })),
  };

  it('a re-check moves the aggregates by new − old', () => {
    const p = placementOf(fact, { importer: '', declarant: '', date: '' });
    expect(p).toEqual({ agent: 'GB2', importer: 'GB1', month: '2024-03' });
    const before = contributionOf(fact, [f({ item: 1, exposureDuty: 500, severity: Severity.SEVERITY_HIGH, rule: 'C09', family: 'classification' })], p, false);
    const after = contributionOf(fact, [], p, false);
    expect(before).toMatchObject({ entries: 1, items: 2, cv: 20_000, duty: 2400, pref_cv: 10_000, items_error: 1, underpaid: 500, 'fam:classification:at_risk': 500, 'agent_cv:GB2': 20_000 });
    expect(delta(after, before)).toEqual({
      findings: -1,
      exposure: -500,
      duty_error_abs: -500,
      duty_at_stake: -500,
      underpaid: -500,
      items_error: -1,
      'fam:classification:findings': -1,
      'fam:classification:at_risk': -500,
      'fam:classification:items': -1,
    });
  });

  it('a broker with £14.6k exposure on 91 entries does not score 92', () => {
    // £14.6k underpaid on £50k paid: £14.6k of £64.6k at stake in error.
    const m = { entries: 91, items: 400, duty: 5_000_000, items_error: 30, duty_error_abs: 1_460_000, duty_at_stake: 6_460_000 };
    expect(brokerScore(m).score).toBeLessThan(60);
    const card = brokerScorecard('GB2', '2024-03', m, { cv: 100, 'agent_cv:GB2': 60, 'agent_cv:GB3': 40 }, [
      { agentId: 'GB2', score: brokerScore(m).score },
      { agentId: 'GB3', score: 90 },
    ]);
    expect(card.peerPercentile).toBe(0);
    expect(card.metrics.find((x) => x.name === 'agent_concentration_hhi')!.value).toBe('5200');
    expect(card.metrics.find((x) => x.name === 'timeliness')!.known).toBe(false);
    expect(card.metrics.find((x) => x.name === 'weighted_error_rate')!.value).toBe('0.2260');
  });

  it('£-weighted error rate: overlapping rules on one line count once, a 0 % preference line errs within its duty at stake, a reclaim never exceeds what was paid, C02/C20 money is not an error', () => {
    const pref = { ...fact, lines: [{ ...fact.lines[1]!, item: 1, duty: 0 }] };
    const p = placementOf(pref, { importer: '', declarant: '', date: '' });
    // C16, C18 and C19 price the same missing proof on the 0 % line: £12 underpaid, not £36, of £12 at stake.
    const proof = ['C16', 'C18', 'C19'].map((rule) => f({ rule, family: 'origin-preference', item: 1, exposureDuty: 1_200, severity: Severity.SEVERITY_HIGH }));
    const c = contributionOf(pref, [...proof, f({ rule: 'C02', family: 'data-integrity', item: 0, exposureDuty: 9_999 })], p, false);
    expect(c.duty ?? 0).toBe(0);
    expect(c).toMatchObject({ duty_error_abs: 1_200, duty_at_stake: 1_200, items_error: 1 });
    // A reclaim of 3× the duty paid (£12) counts as £12.
    const paid = contributionOf(fact, [f({ item: 1, reclaimDuty: 3_600 })], p, false);
    expect(paid).toMatchObject({ duty_error_abs: 1_200, duty_at_stake: 2_400 });
    // Findings before the declaration arrived: no items, so no item rate above 1.
    expect(contributionOf(undefined, proof, p, false)).toEqual({
      entries: 1,
      findings: 3,
      exposure: 3_600,
      underpaid: 3_600,
      proof_findings: 3,
      'fam:origin-preference:findings': 3,
      'fam:origin-preference:at_risk': 3_600,
    });
  });

  it('readiness: dimensions with £ at risk, HHI concentration, unknown alert hygiene left out', () => {
    expect(hhi({ 'agent_cv:A': 50, 'agent_cv:B': 50 })).toEqual({ index: 5000, agents: 2 });
    const r = readiness('GB1', '2021-04', '2024-03', {
      entries: 10,
      items: 20,
      duty: 100_000,
      vat: 100_000,
      'fam:valuation:at_risk': 2000,
      'fam:valuation:items': 2,
      'fam:valuation:findings': 2,
      'agent_cv:A': 50,
      'agent_cv:B': 50,
    });
    const val = r.dimensions.find((d) => d.dimension === 'valuation')!;
    expect(val).toMatchObject({ score: 100 - 5 - 5, atRiskPence: 2000, findingCount: 2, known: true });
    expect(r.dimensions.find((d) => d.dimension === 'open-alert-hygiene')!.known).toBe(false);
    expect(r.dimensions.find((d) => d.dimension === 'broker-concentration')!.score).toBe(67);
    expect(r.score).toBe(Math.round((100 * 20 + 100 * 20 + 90 * 20 + 100 * 15 + 100 * 10 + 67 * 15) / 100));
  });
});
