export { readFirstSheet, type XlsxReadOptions } from './xlsx';
export { readFirstOdsSheet, readFirstFlatOdsSheet, ODS_LIMITS, ODS_MIMETYPE, type OdsReadOptions } from './ods';
export { SHEET_LIMITS, SheetLimitError, sheetLimits, type SheetCap, type SheetLimitDetails, type SheetLimits, type SheetReadOptions } from './limits';
export { isFlatOds, isWorkbook, isZip, readFirstSheetOfWorkbook, workbookKind, WORKBOOK_PEEK_BYTES, type WorkbookKind } from './workbook';
export { WORKBOOK_WORKER_DEFAULTS, WorkbookWorkerError, WorkbookWorkerPool, type WorkbookWorkerFailure, type WorkbookWorkerOptions } from './worker-pool';

/**
 * Rows as RFC 4180 CSV text, so spreadsheet reports reuse the CSV parsers. Every field is
 * quoted: a cell's text is data, whatever it contains (commas, quotes, line breaks, "=…").
 */
export function rowsToCsv(rows: readonly (readonly string[])[]): string {
  return rows.map((r) => r.map((v) => `"${v.replace(/"/g, '""')}"`).join(',')).join('\r\n') + '\r\n';
}
