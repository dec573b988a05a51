export { readFirstSheet } from './xlsx';
export { readFirstOdsSheet, ODS_LIMITS, ODS_MIMETYPE, type OdsReadOptions } from './ods';
export { readFirstSheetOfWorkbook, workbookKind, type WorkbookKind } from './workbook';

/**
 * True when the bytes are a ZIP container, by its local-file-header magic: an .xlsx or .ods
 * workbook (workbookKind tells which), never a CSV report.
 */
export function isZip(content: Buffer): boolean {
  return content.length >= 4 && content.readUInt32LE(0) === 0x04034b50;
}

/**
 * Rows as RFC 4180 CSV text, so spreadsheet reports reuse the CSV parsers. Every field is
 * quoted: a cell's text is data, whatever it contains (commas, quotes, line breaks, "=…").
 */
export function rowsToCsv(rows: readonly (readonly string[])[]): string {
  return rows.map((r) => r.map((v) => `"${v.replace(/"/g, '""')}"`).join(',')).join('\r\n') + '\r\n';
}
