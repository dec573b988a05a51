import { DutyLineInput } from '@customs/contracts';
import { computeLine } from './duties';

const line = (p: Partial<DutyLineInput>): DutyLineInput => DutyLineInput.fromPartial({ acceptanceDate: '2021-02-15', ...p });

describe('ComputeDuties adapter over the pure duty engine', () => {
  it('cherry tomatoes 0702000007 at MFN 8.00 % on £100,000: £8,000 duty, VAT 20 % on CV + duty', () => {
    const r = computeLine(
      line({ customsValue: { value: { $case: 'pence', pence: 10_000_000 } }, measures: [{ measureType: '103', taxType: 'A00', expression: '8.00 %', source: 'ott' }], vatRatePercent: '20' }),
    );
    expect(r).toMatchObject({ status: 'computed', unknownReason: '', customsValuePence: 10_000_000, dutyPence: 800_000, vatPence: 2_160_000, vatValuePence: 10_800_000 });
    expect(r.taxLines.map((t) => [t.taxType, t.amountPence])).toEqual([
      ['A00', 800_000],
      ['B00', 2_160_000],
    ]);
  });

  it('a compound UKGT line (0102292100: 10.00% + 77.00 GBP/100kg) on an EUR invoice converted at the HMRC rate', () => {
    const r = computeLine(
      line({
        customsValue: { value: { $case: 'invoice', invoice: { amount: '11652', currency: 'EUR', unitsPerGbp: '1.1652', rateSource: 'HMRC monthly 2023-01', additions: '', deductions: '' } } },
        quantities: { netMassKg: '500', grossMassKg: '', supplementaryUnits: '', supplementaryUnit: '', alcoholPercentVol: '', sucrosePercent: '', byUnit: {} },
        measures: [{ measureType: '103', taxType: 'A00', expression: '10.00% + 77.00 GBP/100kg', source: 'ukgt' }],
      }),
    );
    expect(r).toMatchObject({ status: 'computed', customsValuePence: 1_000_000, dutyPence: 100_000 + 38_500, vatPence: 0 });
    expect(r.vatValuePence).toBeUndefined();
  });

  it('answers a line it cannot read as unknown, naming the field, without failing the batch', () => {
    expect(computeLine(line({ measures: [] }))).toMatchObject({ status: 'unknown', unknownReason: 'customs_value: give pence or an invoice value' });
    const noMass = computeLine(
      line({ customsValue: { value: { $case: 'pence', pence: 100_000 } }, measures: [{ measureType: '103', taxType: 'A00', expression: '77.00 GBP/100kg', source: 'ukgt' }] }),
    );
    expect(noMass.status).toBe('unknown');
    expect(noMass.taxLines[0]!.unknownReason).not.toBe('');
  });
});
