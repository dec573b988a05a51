import { dueBoardReports } from './schedule';

describe('monthly board report schedule', () => {
  const now = new Date('2026-12-02T06:00:00Z');
  it('is due from the configured day on, once per month per importer, ignoring on-request reports', () => {
    expect(dueBoardReports(now, 3, ['GB1'], [])).toEqual([]);
    expect(dueBoardReports(now, 2, ['GB2', 'GB1', 'GB1', ''], [])).toEqual(['GB1', 'GB2']);
    const existing = [
      { importer: 'GB1', asOf: '2026-12-01', trigger: 'schedule' },
      { importer: 'GB2', asOf: '2026-12-02', trigger: 'api' },
      { importer: 'GB3', asOf: '2026-11-01', trigger: 'schedule' },
    ];
    expect(dueBoardReports(now, 1, ['GB1', 'GB2', 'GB3'], existing)).toEqual(['GB2', 'GB3']);
  });
});
