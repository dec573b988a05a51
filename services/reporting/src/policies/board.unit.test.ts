import { decideBoard, type BoardAlert, type BoardInput } from './board';
import type { DraftFinding } from './drafts';

const NOW = new Date('2026-12-02T09:00:00Z');
let n = 0;
const f = (over: Partial<DraftFinding>): DraftFinding => ({
  findingId: `f${++n}`,
  declarationId: 'd',
  mrn: `MRN${n}`,
  itemNumber: 1,
  ruleId: 'C09',
  ruleVersion: '1',
  title: 'Duty charged differs',
  importerEori: 'GB1',
  declarantId: 'GBBROKER1',
  commodityCode: '',
  cpc: '',
  acceptanceDate: '2024-06-01',
  deadline: '2027-06-01',
  exposureDutyPence: 0,
  exposureVatPence: 0,
  reclaimDutyPence: 0,
  reclaimVatPence: 0,
  evidence: [],
  explanation: '',
  correctionRoute: '',
  family: 'classification',
  severity: 'SEVERITY_HIGH',
  raisedAt: '2026-11-20T00:00:00Z',
  ...over,
});
const alert = (over: Partial<BoardAlert>): BoardAlert => ({
  alertId: `a${++n}`,
  title: 'alert',
  severity: 'SEVERITY_HIGH',
  status: 'new',
  assignee: '',
  moneyAtStakePence: 0,
  exposurePence: 0,
  reclaimPence: 0,
  deadline: '',
  declarantId: '',
  mrn: '',
  ...over,
});
const none = { available: false as const, reason: 'scoring has no history for GB1' };
const base = (over: Partial<BoardInput>): BoardInput => ({
  importer: 'GB1',
  findings: [],
  alerts: { available: true, open: [] },
  readiness: none,
  trend: none,
  dum: none,
  scorecards: none,
  c285Submitted: [],
  openDrafts: [],
  previous: null,
  ...over,
});

describe('board report figures', () => {
  it('sums exposure and reclaim per tax to the penny for the importer only, and the money due within 90 days', () => {
    const soon = f({ deadline: '2027-01-15', exposureDutyPence: 10_001, exposureVatPence: 2_000 });
    const edge = f({ deadline: '2027-03-02', reclaimDutyPence: 999 }); // exactly 90 days
    const later = f({ deadline: '2027-03-03', reclaimDutyPence: 5 });
    const other = f({ importerEori: 'GB2', exposureDutyPence: 1_000_000 });
    const r = decideBoard(base({ findings: [soon, edge, later, other], c285Submitted: [{ draftId: 'c', dutyPence: 700, vatPence: 0 }] }), NOW);
    expect(r.headline).toMatchObject({
      exposureDutyPence: 10_001,
      exposureVatPence: 2_000,
      reclaimDutyPence: 1_004,
      reclaimVatPence: 0,
      findingCount: 3,
      openAlertCount: 0,
      readinessScore: null,
      dueIn90DaysPence: 13_000,
    });
    expect(r.dueIn90Days.months).toEqual([
      { month: '2027-01', exposurePence: 12_001, reclaimPence: 0, count: 1 },
      { month: '2027-03', exposurePence: 0, reclaimPence: 999, count: 1 },
    ]);
    expect(r.reclaimClaimedPence).toBe(700);
    expect(r.reclaimRecovered.available).toBe(false);
    expect(r.readiness).toEqual(none);
  });

  it('ranks the top 10 open alerts by £ with their owners and sums actions per owner', () => {
    const alerts = Array.from({ length: 12 }, (_, i) => alert({ moneyAtStakePence: (i + 1) * 100, assignee: i % 2 ? 'cfo@x' : '' }));
    const r = decideBoard(base({ alerts: { available: true, open: alerts } }), NOW);
    expect(r.topRisks).toHaveLength(10);
    expect(r.topRisks[0]).toMatchObject({ moneyPence: 1200, owner: 'cfo@x', source: 'alert' });
    expect(r.actions).toEqual({
      owners: [
        { owner: 'cfo@x', openAlerts: 6, moneyPence: 4200 },
        { owner: 'unassigned', openAlerts: 6, moneyPence: 3600 },
      ],
      drafts: [],
    });
  });

  it('falls back to the largest findings when alerting did not answer, and says so', () => {
    const r = decideBoard(base({ alerts: { available: false, reason: 'alerting answered 503' }, findings: [f({ exposureDutyPence: 5 }), f({ reclaimVatPence: 50 })] }), NOW);
    expect(r.topRisksSource).toBe('findings');
    expect(r.topRisks.map((x) => x.moneyPence)).toEqual([50, 5]);
    expect(r.headline.openAlertCount).toBeNull();
    expect(r.actions).toEqual({ available: false, reason: 'alerting answered 503' });
  });

  it('league-tables brokers by £ with their scorecard score, and compares with the previous report', () => {
    const prevHeadline = { exposureDutyPence: 100, exposureVatPence: 0, reclaimDutyPence: 0, reclaimVatPence: 0, findingCount: 1, openAlertCount: 0, readinessScore: 80, dueIn90DaysPence: 0 };
    const r = decideBoard(
      base({
        findings: [f({ declarantId: 'B1', exposureDutyPence: 300, raisedAt: '2026-11-01T00:00:00Z' }), f({ declarantId: 'B2', exposureDutyPence: 900, raisedAt: '2026-11-25T00:00:00Z' })],
        scorecards: { available: true, month: '2026-11', cards: [{ agentId: 'B2', score: 61 }] },
        readiness: { available: true, score: 74, explanation: '', dimensions: [] },
        previous: { reportId: 'r1', createdAt: '2026-11-10T00:00:00Z', headline: prevHeadline },
      }),
      NOW,
    );
    expect(r.brokers.map((b) => [b.agentId, b.exposurePence, b.score])).toEqual([
      ['B2', 900, 61],
      ['B1', 300, null],
    ]);
    expect(r.changes.deltas.find((d) => d.what === 'audit readiness')).toEqual({ what: 'audit readiness', unit: 'score', before: 80, after: 74 });
    expect(r.changes.deltas.find((d) => d.what === 'exposure found (duty)')).toMatchObject({ before: 100, after: 1200 });
    expect(r.changes.newFindings).toBe(1);
  });
});
