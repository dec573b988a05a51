import { allocateQuota, type HeldQuotaDefinition } from './quota-allocation';

// Shaped like the OTT /quotas/search definitions (services/reference/test/fixtures/ott-api-2025/uk__quotas__search.json).
const def = (p: Partial<HeldQuotaDefinition>): HeldQuotaDefinition => ({
  orderNumber: '050671',
  validFrom: '2025-01-01',
  validTo: '2025-12-31',
  initialVolume: '95000.0',
  balance: '600.0',
  status: 'Open',
  unit: 'Kilogram (kg)',
  asOf: '2025-07-14',
  ...p,
});

describe('quota allocation from a balance snapshot', () => {
  it('a balance read on or after the acceptance date that still covers the quantity: fully in quota', () => {
    expect(allocateQuota([def({})], '050671', '500', '2025-07-10')).toMatchObject({ status: 'known', allocatedQuantity: '500' });
    expect(allocateQuota([def({})], '050671', '600', '2025-07-14')).toMatchObject({ status: 'known', allocatedQuantity: '600' });
  });
  it('a balance read on the acceptance date below the quantity: the balance in quota, the rest not (two lines)', () => {
    const a = allocateQuota([def({})], '050671', '1000', '2025-07-14');
    expect(a).toMatchObject({ status: 'known', allocatedQuantity: '600' });
    expect(a.reason).toBe('quota 050671: balance 600 Kilogram (kg) of 95000 as of 2025-07-14 (the acceptance date) is below the declared 1000: 600 in quota, the rest at the normal rate');
  });
  it('unknown, with the reason, whenever the snapshot cannot tell', () => {
    expect(allocateQuota([def({})], '050671', '1000', '2025-07-10')).toEqual({
      status: 'unknown',
      reason:
        'quota 050671: the balance 600 Kilogram (kg) of 95000 as of 2025-07-14 is below the declared 1000, but it was read after the acceptance date 2025-07-10; the balance on that day is not known',
    });
    expect(allocateQuota([def({})], '050671', '10', '2025-07-20').status).toBe('unknown');
    expect(allocateQuota([def({})], '051500', '10', '2025-07-10')).toEqual({ status: 'unknown', reason: 'quota 051500: no quota definition is held (not synced from the OTT API)' });
    expect(allocateQuota([def({})], '050671', '10', '2024-07-10').reason).toBe('quota 050671: no definition held for a period containing 2024-07-10 (held: 2025-01-01–2025-12-31)');
    expect(allocateQuota([def({ balance: '' })], '050671', '10', '2025-07-10').reason).toContain('balance not published');
    expect(allocateQuota([def({})], '050671', '1e3', '2025-07-10').reason).toContain('is not a decimal');
  });
  it('compares decimals exactly (no floating point)', () => {
    expect(allocateQuota([def({ balance: '0.3' })], '050671', '0.30', '2025-07-10')).toMatchObject({ status: 'known', allocatedQuantity: '0.30' });
    expect(allocateQuota([def({ balance: '99.99' })], '050671', '100', '2025-07-14')).toMatchObject({ status: 'known', allocatedQuantity: '99.99' });
  });
});
