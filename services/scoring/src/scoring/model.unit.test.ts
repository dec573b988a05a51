import { Finding, Severity } from '@customs/contracts';
import { scoreDeclaration, scoreEntity } from './model';

const f = (severity: Severity, family: string, exposure = 0, reclaim = 0) => Finding.fromPartial({ severity, family, exposureDutyPence: exposure, reclaimDutyPence: reclaim });

describe('scoreDeclaration', () => {
  it('is 100 for a clean declaration', () => {
    expect(scoreDeclaration([])).toEqual({ score: 100, components: [], exposurePence: 0, reclaimPence: 0 });
  });

  it('subtracts severity penalties, per family and overall, and sums money', () => {
    const s = scoreDeclaration([f(Severity.SEVERITY_HIGH, 'classification', 1000), f(Severity.SEVERITY_LOW, 'data-integrity'), f(Severity.SEVERITY_MEDIUM, 'classification', 0, 250)]);
    expect(s.score).toBe(100 - 25 - 3 - 10);
    expect(s.exposurePence).toBe(1000);
    expect(s.reclaimPence).toBe(250);
    expect(s.components).toEqual([
      { dimension: 'classification', score: 65, findingCount: 2, exposurePence: 1000, reclaimPence: 250 },
      { dimension: 'data-integrity', score: 97, findingCount: 1, exposurePence: 0, reclaimPence: 0 },
    ]);
  });

  it('never goes below 0', () => {
    expect(scoreDeclaration([1, 2, 3].map(() => f(Severity.SEVERITY_CRITICAL, 'valuation'))).score).toBe(0);
  });
});

describe('scoreEntity', () => {
  it('averages declaration scores and is 100 with no declarations', () => {
    expect(scoreEntity([])).toBe(100);
    expect(scoreEntity([100, 75, 60])).toBe(78);
  });
});
