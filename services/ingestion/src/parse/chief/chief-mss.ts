import { createHash } from 'node:crypto';
import { Declaration, SourceFormat } from '@customs/contracts';
import { CdsReportAssembler, readCdsReport, reportDate, type CdsIssue } from '../cds/cds-report';
import { dateProblem, plausibleDateWindow } from '../dates';

/**
 * Legacy CHIEF MSS "Standard Import Entry Item" reports (pre-CDS import history; DOMAIN.md §2.4
 * (b)) → canonical declarations. The layout is close to the CDS item report (HMRC: CDS reports
 * are "structured similar to MSS"), so the CDS column mapper reads the rows; what differs is
 * handled here:
 * - the importer is a 12-digit TURN (VAT number + 3-digit suffix), whose GB EORI is "GB" + TURN;
 * - there is no MRN: an entry is EPU + entry number + ENTRY DATE (CHIEF re-uses entry numbers
 *   across days), and that composite is the declaration's LRN ("CHIEF:120-012345K:2019-03-14");
 * - the source format is SOURCE_FORMAT_CHIEF_MSS.
 * Pure: bytes in, declarations and issues out.
 */

async function* once(b: Buffer): AsyncGenerator<Buffer> {
  yield b;
}

const TURN = /^\d{12}$/;
const ENTRY_NO = /^\d{6}[A-Z]$/;

export async function parseChiefMss(content: Buffer, sourceName: string): Promise<{ declarations: Declaration[]; issues: CdsIssue[] }> {
  const issues: CdsIssue[] = [];
  const dateWindow = plausibleDateWindow();
  // The entry date is checked here (it identifies the entry, and CHIEF also spells it yyyymmdd).
  const assembler = new CdsReportAssembler(sourceName, issues, { dateWindow, checkedDateFields: ['entryDate'] });
  for await (const row of readCdsReport(once(content), sourceName, issues)) {
    const v = row.values;
    const warn = (column: string, reason: string) => issues.push({ sourceName, row: row.row, column, field: column, reason, code: 'INVALID_VALUE', severity: 'warning' });
    if (row.kind !== 'item') {
      issues.push({
        sourceName,
        row: row.row,
        column: '',
        field: '(report)',
        reason: `a CHIEF MSS import entry item report has one row per item (Item No + Commodity Code); this row looks like a ${row.kind} report row`,
        code: 'UNKNOWN_REPORT',
        severity: 'error',
      });
      continue;
    }
    if (!v.epu || !v.entryNumber) {
      issues.push({
        sourceName,
        row: row.row,
        column: 'Entry No',
        field: 'entry',
        reason: 'a CHIEF entry is identified by EPU + Entry No + Entry Date; EPU or Entry No is missing',
        code: 'INVALID_VALUE',
        severity: 'error',
      });
      continue;
    }
    const entryDate = v.entryDate
      ? (reportDate(v.entryDate) ?? (/^\d{8}$/.test(v.entryDate) ? `${v.entryDate.slice(0, 4)}-${v.entryDate.slice(4, 6)}-${v.entryDate.slice(6)}` : undefined))
      : undefined;
    const entryDateProblem = entryDate ? dateProblem(entryDate, v.entryDate!, dateWindow) : `"${v.entryDate ?? ''}" is not a date`;
    if (entryDateProblem) {
      issues.push({
        sourceName,
        row: row.row,
        column: 'Entry Date',
        field: 'entryDate',
        reason: `${entryDateProblem}: CHIEF entry numbers repeat across days, so a real entry date is needed to identify the entry`,
        code: 'INVALID_VALUE',
        severity: 'error',
      });
      continue;
    }
    if (!/^\d{3}$/.test(v.epu)) warn('EPU', `"${v.epu}" is not a 3-digit EPU`);
    if (!ENTRY_NO.test(v.entryNumber.toUpperCase())) warn('Entry No', `"${v.entryNumber}" is not 6 digits and a check letter`);
    if (v.importer && !TURN.test(v.importer) && !/^GB\d{12}$/.test(v.importer)) warn('Importer', `"${v.importer}" is not a 12-digit TURN`);
    const entryId = `CHIEF:${v.epu}-${v.entryNumber.toUpperCase()}:${entryDate}`;
    // The TURN's EORI form, so importer keys match CDS-era declarations of the same importer.
    const importer = v.importer && TURN.test(v.importer) ? `GB${v.importer}` : (v.importer ?? '');
    assembler.add({ ...row, entryId, values: { ...v, importer, traderReference: entryId, mrn: '' } });
  }
  if (issues.some((i) => i.severity === 'error' && i.row <= 1)) return { declarations: [], issues };
  const declarations = assembler.finish().map((d) =>
    Declaration.fromPartial({
      ...d,
      sourceFormat: SourceFormat.SOURCE_FORMAT_CHIEF_MSS,
      // Keyed apart from a CDS report of the same content: a different source document.
      contentSha256: createHash('sha256').update(`chief-mss|${d.contentSha256}`).digest('hex'),
    }),
  );
  return { declarations, issues };
}
