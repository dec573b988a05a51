import { Finding, Severity } from '@customs/contracts';
import { findingId } from '../rules';
import { diffFindings } from './finding-diff';

const finding = (ruleId: string, itemNumber: number, exposure: number, seq = 0): Finding =>
  Finding.fromPartial({
    findingId: findingId('t1', 'd1', 1, itemNumber, ruleId, '1.0.0', seq),
    tenantId: 't1',
    declarationId: 'd1',
    declarationVersion: 1,
    itemNumber,
    ruleId,
    ruleVersion: '1.0.0',
    severity: Severity.SEVERITY_HIGH,
    exposureDutyPence: exposure,
    deadline: '2027-03-15',
  });

describe('re-evaluation diff', () => {
  it('changes nothing when the fresh evaluation equals the active findings', () => {
    const active = [finding('C16', 1, 1200), finding('C08', 2, 0)];
    const d = diffFindings(active, [finding('C16', 1, 1200), finding('C08', 2, 0)], new Set(active.map((f) => f.findingId)), 'reference:ukgt@2');
    expect(d).toEqual({ raised: [], superseded: [], unchanged: active.map((f) => f.findingId) });
  });

  it('supersedes a finding that no longer fires and raises a new one under its natural id', () => {
    const gone = finding('C08', 2, 0);
    const fresh = finding('C21', 1, 0);
    const d = diffFindings([gone], [fresh], new Set([gone.findingId]), 'reference:ukgt@2');
    expect(d.superseded).toEqual([gone.findingId]);
    expect(d.raised.map((f) => f.findingId)).toEqual([fresh.findingId]);
  });

  it('gives a changed amount a new id salted with the evaluation, keeping the old row as history', () => {
    const old = finding('C16', 1, 1200);
    const repriced = finding('C16', 1, 1500);
    expect(repriced.findingId).toBe(old.findingId);
    const d = diffFindings([old], [repriced], new Set([old.findingId]), 'reference:fx@2024-03');
    expect(d.superseded).toEqual([old.findingId]);
    expect(d.raised).toHaveLength(1);
    expect(d.raised[0]!.findingId).toBe(findingId('t1', 'd1', 1, 1, 'C16', '1.0.0', 0, 'reference:fx@2024-03'));
    expect(d.raised[0]!.findingId).not.toBe(old.findingId);
    expect(d.raised[0]!.exposureDutyPence).toBe(1500);
  });
});
