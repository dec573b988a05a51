import { readFirstSheet } from '@customs/spreadsheet';
import type { DraftFinding } from '../policies/drafts';
import { findingsTable, tableCsv, tableXlsx } from './exports';

const f: DraftFinding = {
  findingId: 'f1',
  declarationId: 'd1',
  mrn: '24GB1',
  itemNumber: 2,
  ruleId: 'C21',
  ruleVersion: '1.0.0',
  title: '=HYPERLINK("x")',
  importerEori: 'GB1',
  declarantId: 'GB2',
  commodityCode: '6109100010',
  cpc: '4000/000',
  acceptanceDate: '2025-01-01',
  deadline: '2028-01-01',
  exposureDutyPence: 0,
  exposureVatPence: 0,
  reclaimDutyPence: 123457,
  reclaimVatPence: 1,
  evidence: [{ field: 'DE 4/17', value: '100', note: '' }],
  explanation: 'x',
  correctionRoute: 'C285',
  family: 'origin-preference',
  severity: 'SEVERITY_HIGH',
  raisedAt: '',
};

describe('auditor exports', () => {
  it('writes findings as CSV with pounds from pence and formula triggers neutralised', () => {
    const lines = tableCsv(findingsTable([f]))
      .trim()
      .split(/\r?\n/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('"1234.57","0.01"');
    expect(lines[1]).toContain(`'=HYPERLINK`);
  });

  it('writes an XLSX the platform’s own reader reads back cell for cell', async () => {
    const t = findingsTable([f]);
    const rows = readFirstSheet('findings.xlsx', await tableXlsx(t));
    expect(rows[0]).toEqual(t.header);
    expect(rows[1]).toEqual(t.rows[0]!.map(String));
  });
});
