import { MAX_MRNS_PER_CLAIM, basisOf, decideC2001, decideC285, scheduledClaimCsv, threeYearDeadline, type DraftFinding } from './drafts';

let n = 0;
function finding(over: Partial<DraftFinding>): DraftFinding {
  n += 1;
  return {
    findingId: `f${n}`,
    declarationId: `d-${over.mrn ?? n}`,
    mrn: `24GB${String(n).padStart(14, '0')}`,
    itemNumber: 1,
    ruleId: 'C21',
    ruleVersion: '1.0.0',
    title: 'Missed FTA preference',
    importerEori: 'GB123456789000',
    declarantId: 'GB987654321000',
    commodityCode: '6109100010',
    cpc: '4000/000',
    acceptanceDate: '2024-03-01',
    deadline: '2027-03-01',
    exposureDutyPence: 0,
    exposureVatPence: 0,
    reclaimDutyPence: 0,
    reclaimVatPence: 0,
    evidence: [{ field: 'DE 4/17 preference', value: '100', note: '' }],
    explanation: 'duty charged at 12 %, preferential rate 0 %',
    correctionRoute: 'C285 basis "Preferential rate of duty"',
    family: 'origin-preference',
    severity: 'SEVERITY_HIGH',
    raisedAt: '2026-11-01T00:00:00Z',
    ...over,
  };
}
const NOW = new Date('2026-12-02T10:00:00Z');

describe('C285 drafts', () => {
  it('totals duty and VAT per MRN to the penny and traces every line to its finding', () => {
    const a = finding({ mrn: '24GB00000000000001', itemNumber: 1, reclaimDutyPence: 12345, reclaimVatPence: 2469 });
    const b = finding({ mrn: '24GB00000000000001', itemNumber: 2, reclaimDutyPence: 1, reclaimVatPence: 0 });
    const c = finding({ mrn: '24GB00000000000002', reclaimDutyPence: 99999, reclaimVatPence: 20000 });
    const d = decideC285([a, b, c], { vatRegistered: false, repaymentMethod: 'bank_transfer' }, NOW);
    expect(d.claims).toHaveLength(1);
    const claim = d.claims[0]!;
    expect(claim.basisOfClaim).toBe('Preferential rate of duty');
    expect(claim.claimType).toBe('multiple');
    expect(claim.mrns.map((m) => [m.mrn, m.dutyPence, m.vatPence, m.findingIds])).toEqual([
      ['24GB00000000000001', 12346, 2469, [a.findingId, b.findingId]],
      ['24GB00000000000002', 99999, 20000, [c.findingId]],
    ]);
    expect(claim.totalDutyPence).toBe(112345);
    expect(claim.totalVatPence).toBe(22469);
    expect(d.totals).toMatchObject({ dutyPence: 112345, vatPence: 22469, vatOnVatReturnPence: 0, mrnCount: 2, claimCount: 1 });
    expect(claim.worksheet.map((r) => r.findingId)).toEqual([a.findingId, b.findingId, c.findingId]);
    expect(claim.evidenceChecklist.join(' ')).toMatch(/proof of origin/);
  });

  it('leaves VAT off the claim for a VAT-registered importer (VAT return) and when registration is unknown', () => {
    const f = finding({ reclaimDutyPence: 1000, reclaimVatPence: 200 });
    const reg = decideC285([f], { vatRegistered: true, repaymentMethod: 'bank_transfer' }, NOW);
    expect(reg.totals).toMatchObject({ dutyPence: 1000, vatPence: 0, vatOnVatReturnPence: 200 });
    expect(reg.notes.join(' ')).toMatch(/VAT-registered/);
    const unknown = decideC285([f], { vatRegistered: null, repaymentMethod: 'bank_transfer' }, NOW);
    expect(unknown.totals).toMatchObject({ vatPence: 0, vatOnVatReturnPence: 200 });
    expect(unknown.notes.join(' ')).toMatch(/not set/);
    const notReg = decideC285([f], { vatRegistered: false, repaymentMethod: 'bank_transfer' }, NOW);
    expect(notReg.totals).toMatchObject({ vatPence: 200, vatOnVatReturnPence: 0 });
  });

  it('excludes and lists MRNs past the 3-year limit; the last day itself is still in time', () => {
    const barred = finding({ acceptanceDate: '2023-12-01', deadline: '2026-12-01', reclaimDutyPence: 5000 });
    const lastDay = finding({ acceptanceDate: '2023-12-02', deadline: '2026-12-02', reclaimDutyPence: 700 });
    const d = decideC285([barred, lastDay], { vatRegistered: false, repaymentMethod: 'bank_transfer' }, NOW);
    expect(d.timeBarred.map((l) => [l.findingId, l.dutyPence])).toEqual([[barred.findingId, 5000]]);
    expect(d.timeBarred[0]!.reason).toMatch(/2026-12-01/);
    expect(d.totals).toMatchObject({ dutyPence: 700, timeBarredDutyPence: 5000, mrnCount: 1 });
    expect(d.claims[0]!.mrns[0]!.daysLeft).toBe(0);
  });

  it('computes the deadline from the acceptance date when the finding does not state it', () => {
    expect(threeYearDeadline('2024-02-29')).toBe('2027-02-28');
    const f = finding({ acceptanceDate: '2023-11-30', deadline: '', reclaimDutyPence: 10 });
    expect(decideC285([f], { vatRegistered: false, repaymentMethod: 'bank_transfer' }, NOW).timeBarred[0]!.deadline).toBe('2026-11-30');
  });

  it('an impossible acceptance date has no deadline (it was copied 3 years on, e.g. "2026-02-30")', () => {
    expect(threeYearDeadline('2023-02-30')).toBeNull();
    expect(threeYearDeadline('2023-13-01')).toBeNull();
    const f = finding({ acceptanceDate: '2023-02-30', deadline: '', reclaimDutyPence: 10 });
    expect(decideC285([f], { vatRegistered: false, repaymentMethod: 'bank_transfer' }, NOW).timeBarred[0]).toMatchObject({ deadline: null, reason: expect.stringContaining('cannot be checked') });
  });

  it('groups by importer and basis of claim, and turns more than 20 MRNs into one scheduled claim', () => {
    const many = Array.from({ length: MAX_MRNS_PER_CLAIM + 1 }, (_, i) => finding({ mrn: `24GB${String(i).padStart(14, '0')}`, ruleId: 'C08', reclaimDutyPence: 100 + i }));
    const twenty = many.slice(0, MAX_MRNS_PER_CLAIM).map((f) => ({ ...f, importerEori: 'GB000000000002' }));
    const dup = finding({ ruleId: 'C37', reclaimDutyPence: 50, correctionRoute: 'C285:Duplicate MRN' });
    const d = decideC285([...many, ...twenty, dup], { vatRegistered: false, repaymentMethod: 'current_month_adjustment' }, NOW);
    expect(d.claims.map((c) => [c.importerEori, c.basisOfClaim, c.claimType, c.mrns.length])).toEqual([
      ['GB000000000002', 'Incorrect commodity code', 'multiple', 20],
      ['GB123456789000', 'Duplicate Movement Reference Number (MRN)', 'single', 1],
      ['GB123456789000', 'Incorrect commodity code', 'scheduled', 21],
    ]);
    const scheduled = d.claims[2]!;
    expect(scheduled.totalDutyPence).toBe(many.reduce((s, f) => s + f.reclaimDutyPence, 0));
    const csv = scheduledClaimCsv(scheduled).trim().split('\n');
    expect(csv).toHaveLength(22);
    expect(csv[1]).toBe('24GB00000000000000,Customs duty,1.00,Incorrect commodity code,2027-03-01');
    expect(d.claims[0]!.repaymentMethod).toBe('current_month_adjustment');
  });

  it('maps a rule without a listed basis through its C285:<basis> route, else "Other reason"; ignores exposures', () => {
    expect(basisOf({ ruleId: 'C99', correctionRoute: 'C285:Incorrect EORI and DAN' })).toBe('Incorrect EORI and DAN');
    expect(basisOf({ ruleId: 'C99', correctionRoute: 'C2001' })).toBe('Other reason');
    expect(decideC285([finding({ exposureDutyPence: 900 })], { vatRegistered: false, repaymentMethod: 'bank_transfer' }, NOW).claims).toEqual([]);
  });
});

describe('C2001 drafts', () => {
  it('prices owed duty and VAT per MRN and item, routes postponed VAT to the VAT return, groups systemic errors', () => {
    const sys = ['A', 'B', 'C'].map((x) =>
      finding({
        mrn: `24GB0000000000000${x}`,
        ruleId: 'C26',
        title: 'E/F terms without freight',
        exposureDutyPence: 1000,
        exposureVatPence: 200,
        evidence: [{ field: 'DE 4/1 delivery terms', value: 'FOB', note: '' }],
      }),
    );
    const pva = finding({
      mrn: '24GB0000000000000D',
      ruleId: 'C38',
      exposureDutyPence: 0,
      exposureVatPence: 5555,
      evidence: [
        { field: 'DE 4/3 VAT rate', value: '5%', note: '' },
        { field: 'DE 4/8 method of payment', value: 'G', note: '' },
      ],
    });
    const one = finding({ mrn: '24GB0000000000000D', ruleId: 'C09', itemNumber: 2, exposureDutyPence: 333, exposureVatPence: 67 });
    const old = finding({ acceptanceDate: '2023-01-05', deadline: '2026-01-05', exposureDutyPence: 10_000 });
    const d = decideC2001([...sys, pva, one, old], NOW);
    expect(d.disclosures.map((x) => [x.kind, x.ruleId, x.mrns.length, x.dutyOwedPence, x.vatOwedPence, x.postponedVatPence])).toEqual([
      ['systemic', 'C26', 3, 3000, 600, 0],
      ['single', null, 1, 333, 67, 5555],
    ]);
    const line = d.disclosures[0]!.lines[0]!;
    expect(line).toMatchObject({ findingId: sys[0]!.findingId, dataElement: 'DE 4/1 delivery terms', originalValue: 'FOB', dutyPaidPence: null, procedureCode: '4000/000' });
    expect(d.totals).toMatchObject({ dutyOwedPence: 3333, vatOwedPence: 667, postponedVatPence: 5555, mrnCount: 4, lineCount: 5 });
    expect(d.outsideNormalLimit.map((l) => [l.findingId, l.dutyPence])).toEqual([[old.findingId, 10_000]]);
  });
});
