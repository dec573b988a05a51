// Auditor exports: findings and alerts as CSV (the platform's CSV writer) and XLSX (ExcelJS, a
// maintained writer — no hand-written spreadsheet XML). Money columns are pounds with two
// decimals computed from integer pence; unknown values are empty cells, never 0.
import ExcelJS from 'exceljs';
import { rowsToCsv } from '@customs/spreadsheet';
import type { BoardAlert } from '../policies/board';
import type { DraftFinding } from '../policies/drafts';

export interface Table {
  sheet: string;
  header: string[];
  rows: (string | number)[][];
}

const gbp = (p: number) => (Math.trunc(p) / 100).toFixed(2);

export function findingsTable(fs: readonly DraftFinding[]): Table {
  return {
    sheet: 'Findings',
    header: [
      'Finding',
      'Importer',
      'Broker',
      'MRN',
      'Declaration',
      'Item',
      'Accepted',
      'Deadline',
      'Rule',
      'Rule version',
      'Family',
      'Severity',
      'Title',
      'Commodity code',
      'CPC',
      'Exposure duty (GBP)',
      'Exposure VAT (GBP)',
      'Reclaim duty (GBP)',
      'Reclaim VAT (GBP)',
      'Correction route',
      'Evidence',
      'Explanation',
    ],
    rows: fs.map((f) => [
      f.findingId,
      f.importerEori,
      f.declarantId,
      f.mrn,
      f.declarationId,
      f.itemNumber,
      f.acceptanceDate,
      f.deadline,
      f.ruleId,
      f.ruleVersion,
      f.family,
      f.severity.replace('SEVERITY_', '').toLowerCase(),
      f.title,
      f.commodityCode,
      f.cpc,
      gbp(f.exposureDutyPence),
      gbp(f.exposureVatPence),
      gbp(f.reclaimDutyPence),
      gbp(f.reclaimVatPence),
      f.correctionRoute,
      f.evidence.map((e) => `${e.field}: ${e.value}${e.note ? ` (${e.note})` : ''}`).join(' | '),
      f.explanation,
    ]),
  };
}

export function alertsTable(as: readonly BoardAlert[]): Table {
  return {
    sheet: 'Alerts',
    header: ['Alert', 'Title', 'Severity', 'State', 'Assignee', 'Broker', 'MRN', 'Deadline', 'Exposure (GBP)', 'Reclaim (GBP)', 'At stake (GBP)'],
    rows: as.map((a) => [
      a.alertId,
      a.title,
      a.severity.replace('SEVERITY_', '').toLowerCase(),
      a.status,
      a.assignee,
      a.declarantId,
      a.mrn,
      a.deadline,
      gbp(a.exposurePence),
      gbp(a.reclaimPence),
      gbp(a.moneyAtStakePence),
    ]),
  };
}

/** CSV with spreadsheet formula triggers neutralised (a leading = + - @ is quoted with '). */
export function tableCsv(t: Table): string {
  const safe = (v: string | number) => (typeof v === 'string' && /^[=+\-@]/.test(v) && !/^-?\d+(\.\d+)?$/.test(v) ? `'${v}` : String(v));
  return rowsToCsv([t.header, ...t.rows.map((r) => r.map(safe))]);
}

export async function tableXlsx(t: Table): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(t.sheet);
  ws.addRow(t.header).font = { bold: true };
  // Every cell is written as text (money as its exact two-decimal string), so nothing is re-read as a formula or float.
  for (const r of t.rows) ws.addRow(r.map((v) => String(v)));
  return Buffer.from(await wb.xlsx.writeBuffer());
}
